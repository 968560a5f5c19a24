//! IP address sets (IPv4 and IPv6) for `ipBlock` peers, and the partition of
//! the address space into the disjoint ranges ("atoms") that every policy
//! treats alike.

use crate::ranges::RangeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn max(self) -> u128 {
        match self {
            Family::V4 => u32::MAX as u128,
            Family::V6 => u128::MAX,
        }
    }
    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
    fn format(self, v: u128) -> String {
        match self {
            Family::V4 => Ipv4Addr::from(v as u32).to_string(),
            Family::V6 => Ipv6Addr::from(v).to_string(),
        }
    }
}

/// One contiguous range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    pub family: Family,
    pub lo: u128,
    pub hi: u128,
}

impl IpRange {
    pub fn whole(family: Family) -> IpRange {
        IpRange { family, lo: 0, hi: family.max() }
    }
    pub fn single(addr: IpAddr) -> IpRange {
        let (family, v) = split(addr);
        IpRange { family, lo: v, hi: v }
    }
}

/// `first-last`, as np-guard prints external peers (`0.0.0.0-255.255.255.255`).
impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.family.format(self.lo), self.family.format(self.hi))
    }
}

fn split(addr: IpAddr) -> (Family, u128) {
    match addr {
        IpAddr::V4(a) => (Family::V4, u32::from(a) as u128),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => (Family::V4, u32::from(v4) as u128),
            None => (Family::V6, u128::from(a)),
        },
    }
}

/// A set of addresses of both families.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpSet {
    pub v4: RangeSet,
    pub v6: RangeSet,
}

impl IpSet {
    pub fn of(&self, family: Family) -> &RangeSet {
        match family {
            Family::V4 => &self.v4,
            Family::V6 => &self.v6,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
    pub fn contains_range(&self, r: &IpRange) -> bool {
        self.of(r.family).contains_range(r.lo, r.hi)
    }
    pub fn intersects(&self, r: &IpRange) -> bool {
        !self.of(r.family).intersect(&RangeSet::range(r.lo, r.hi)).is_empty()
    }
    pub fn subtract(&self, other: &IpSet) -> IpSet {
        IpSet { v4: self.v4.subtract(&other.v4), v6: self.v6.subtract(&other.v6) }
    }
    pub fn union_with(&mut self, other: &IpSet) {
        self.v4.union_with(&other.v4);
        self.v6.union_with(&other.v6);
    }
    /// The set of one CIDR (host bits are ignored, as the analyzers do).
    pub fn cidr(text: &str) -> Result<IpSet, String> {
        let (addr, len) = text.trim().split_once('/').ok_or_else(|| format!("`{text}` is not a CIDR (no `/`)"))?;
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{text}`: `{addr}` is not an IP address"))?;
        let is_mapped = matches!(addr, IpAddr::V6(a) if a.to_ipv4_mapped().is_some());
        let (family, v) = split(addr);
        let mut len: u32 = len.parse().map_err(|_| format!("`{text}`: bad prefix length"))?;
        if is_mapped {
            len =
                len.checked_sub(96).ok_or_else(|| format!("`{text}`: prefix too short for an IPv4-mapped address"))?;
        }
        if len > family.bits() {
            return Err(format!("`{text}`: prefix length above {}", family.bits()));
        }
        let host_bits = family.bits() - len;
        let mask: u128 = if host_bits >= 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
        let lo = v & !mask & family.max();
        let hi = lo | (mask & family.max());
        let mut set = IpSet::default();
        match family {
            Family::V4 => set.v4 = RangeSet::range(lo, hi),
            Family::V6 => set.v6 = RangeSet::range(lo, hi),
        }
        Ok(set)
    }
}

/// Splits the address space into maximal contiguous ranges inside which
/// every one of `sets` either contains every address or none: a peer rule
/// decides the same for all addresses of one atom. IPv4 is always covered in
/// full; IPv6 only when one of the sets mentions IPv6.
pub fn atoms(sets: &[&IpSet]) -> Vec<IpRange> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let parts: Vec<&RangeSet> = sets.iter().map(|s| s.of(family)).filter(|r| !r.is_empty()).collect();
        if family == Family::V6 && parts.is_empty() {
            continue;
        }
        let mut cuts: Vec<u128> = vec![0];
        for r in &parts {
            for &(lo, hi) in r.ranges() {
                cuts.push(lo);
                if hi < family.max() {
                    cuts.push(hi + 1);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut current: Option<(u128, u128, Vec<bool>)> = None;
        for (i, &lo) in cuts.iter().enumerate() {
            let hi = cuts.get(i + 1).map_or(family.max(), |n| n - 1);
            let signature: Vec<bool> = parts.iter().map(|r| r.contains(lo)).collect();
            current = match current {
                Some((start, _, sig)) if sig == signature => Some((start, hi, sig)),
                Some((start, end, _)) => {
                    out.push(IpRange { family, lo: start, hi: end });
                    Some((lo, hi, signature))
                }
                None => Some((lo, hi, signature)),
            };
        }
        if let Some((start, end, _)) = current {
            out.push(IpRange { family, lo: start, hi: end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: &[IpRange]) -> Vec<String> {
        r.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn cidrs_of_both_families() {
        let s = IpSet::cidr("10.1.2.3/8").unwrap();
        assert_eq!(s.v4.ranges(), &[(0x0a00_0000, 0x0aff_ffff)]);
        assert!(s.v6.is_empty());
        assert_eq!(IpSet::cidr("0.0.0.0/0").unwrap().v4.ranges(), &[(0, u32::MAX as u128)]);
        assert_eq!(IpSet::cidr("::/0").unwrap().v6.ranges(), &[(0, u128::MAX)]);
        assert_eq!(IpSet::cidr("fd00::/8").unwrap().v6.ranges()[0].0, 0xfd << 120);
        assert_eq!(IpSet::cidr("::ffff:10.0.0.0/104").unwrap().v4.ranges(), &[(0x0a00_0000, 0x0aff_ffff)]);
        for bad in ["10.0.0.0", "10.0.0.0/33", "x/8", "::/129", "10.0.0.0/-1", ""] {
            assert!(IpSet::cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn atoms_split_at_every_boundary_and_merge_equal_neighbours() {
        let all = IpSet::cidr("0.0.0.0/0").unwrap();
        let ten = IpSet::cidr("10.0.0.0/8").unwrap();
        let block = all.subtract(&ten);
        assert_eq!(names(&atoms(&[])), ["0.0.0.0-255.255.255.255"]);
        assert_eq!(
            names(&atoms(&[&block])),
            ["0.0.0.0-9.255.255.255", "10.0.0.0-10.255.255.255", "11.0.0.0-255.255.255.255"]
        );
        let a = IpSet::cidr("10.0.0.0/9").unwrap();
        let b = IpSet::cidr("10.128.0.0/9").unwrap();
        // Two adjacent blocks with different membership stay apart.
        assert_eq!(names(&atoms(&[&a, &b]))[1..3], ["10.0.0.0-10.127.255.255", "10.128.0.0-10.255.255.255"]);
        let v6 = IpSet::cidr("fd00::/8").unwrap();
        let n = names(&atoms(&[&v6]));
        assert_eq!(n[0], "0.0.0.0-255.255.255.255");
        assert_eq!(
            n[1..],
            [
                "::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fd00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
            ]
        );
    }
}
