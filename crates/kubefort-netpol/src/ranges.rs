//! Sets of integers as sorted, disjoint, non-adjacent inclusive ranges: the
//! one representation behind port sets and IP address sets.

/// A set of `u128` values stored as merged inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct RangeSet {
    ranges: Vec<(u128, u128)>,
}

impl RangeSet {
    pub const fn empty() -> Self {
        RangeSet { ranges: Vec::new() }
    }
    /// `[lo, hi]`; empty when `lo > hi`.
    pub fn range(lo: u128, hi: u128) -> Self {
        if lo > hi {
            return Self::empty();
        }
        RangeSet { ranges: vec![(lo, hi)] }
    }
    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
    pub fn contains(&self, v: u128) -> bool {
        // The last range starting at or before v.
        let i = self.ranges.partition_point(|&(lo, _)| lo <= v);
        i > 0 && self.ranges[i - 1].1 >= v
    }
    /// Whether `[lo, hi]` lies entirely inside the set.
    pub fn contains_range(&self, lo: u128, hi: u128) -> bool {
        let i = self.ranges.partition_point(|&(l, _)| l <= lo);
        i > 0 && self.ranges[i - 1].1 >= hi
    }

    fn from_sorted(mut input: Vec<(u128, u128)>) -> Self {
        input.sort_unstable();
        let mut out: Vec<(u128, u128)> = Vec::with_capacity(input.len());
        for (lo, hi) in input {
            if lo > hi {
                continue;
            }
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        RangeSet { ranges: out }
    }

    pub fn union(&self, other: &RangeSet) -> RangeSet {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        Self::from_sorted(self.ranges.iter().chain(&other.ranges).copied().collect())
    }
    pub fn union_with(&mut self, other: &RangeSet) {
        if !other.is_empty() {
            *self = self.union(other);
        }
    }

    pub fn intersect(&self, other: &RangeSet) -> RangeSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a0, a1) = self.ranges[i];
            let (b0, b1) = other.ranges[j];
            let lo = a0.max(b0);
            let hi = a1.min(b1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet { ranges: out }
    }

    pub fn subtract(&self, other: &RangeSet) -> RangeSet {
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.ranges {
            let mut cur = lo;
            let mut done = false;
            while j < other.ranges.len() && other.ranges[j].1 < cur {
                j += 1;
            }
            let mut k = j;
            while k < other.ranges.len() && other.ranges[k].0 <= hi {
                let (b0, b1) = other.ranges[k];
                if b0 > cur {
                    out.push((cur, b0 - 1));
                }
                if b1 >= hi {
                    done = true;
                    break;
                }
                cur = cur.max(b1 + 1);
                k += 1;
            }
            if !done {
                out.push((cur, hi));
            }
        }
        RangeSet { ranges: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(r: &[(u128, u128)]) -> RangeSet {
        RangeSet::from_sorted(r.to_vec())
    }

    #[test]
    fn union_merges_overlapping_and_adjacent_ranges() {
        assert_eq!(set(&[(5, 9), (1, 3), (4, 4), (20, 30)]).ranges(), &[(1, 9), (20, 30)]);
        assert_eq!(set(&[(1, 2)]).union(&set(&[(10, 12)])).ranges(), &[(1, 2), (10, 12)]);
    }

    #[test]
    fn intersect_and_subtract() {
        let a = set(&[(1, 10), (20, 30)]);
        let b = set(&[(5, 25)]);
        assert_eq!(a.intersect(&b).ranges(), &[(5, 10), (20, 25)]);
        assert_eq!(a.subtract(&b).ranges(), &[(1, 4), (26, 30)]);
        assert_eq!(b.subtract(&a).ranges(), &[(11, 19)]);
        assert!(a.subtract(&set(&[(0, 100)])).is_empty());
        assert_eq!(
            set(&[(0, u128::MAX)]).subtract(&set(&[(0, 0), (u128::MAX, u128::MAX)])).ranges(),
            &[(1, u128::MAX - 1)]
        );
    }

    #[test]
    fn containment() {
        let a = set(&[(1, 10), (20, 30)]);
        assert!(a.contains(1) && a.contains(10) && a.contains(25));
        assert!(!a.contains(0) && !a.contains(11) && !a.contains(31));
        assert!(a.contains_range(21, 30));
        assert!(!a.contains_range(5, 21));
    }
}
