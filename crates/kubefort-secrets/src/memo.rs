//! A small memory of answers for short byte strings, one per slot, for
//! questions a scan asks again and again about the same few hundred keys
//! and texts. Hand-written: hashing a key for a `HashMap` costs about as
//! much as some of the answers, while a slot is picked from the length and
//! four bytes and checked with one comparison. Kept per thread, so there is
//! no lock; a collision only costs computing the answer again.

/// Answers for byte strings of at most `LEN` bytes, in `slots` slots.
pub(crate) struct Memo<V, const LEN: usize> {
    slots: Vec<Option<(usize, [u8; LEN], V)>>,
}

impl<V: Clone, const LEN: usize> Memo<V, LEN> {
    pub(crate) fn new(slots: usize) -> Self {
        Memo { slots: (0..slots.max(1)).map(|_| None).collect() }
    }

    /// The answer for `key`, computed by `answer` unless remembered; keys
    /// longer than `LEN` are never remembered.
    pub(crate) fn get(&mut self, key: &[u8], answer: impl FnOnce() -> V) -> V {
        if key.len() > LEN {
            return answer();
        }
        let slot = slot_of(key) % self.slots.len();
        if let Some((len, bytes, value)) = &self.slots[slot] {
            if *len == key.len() && &bytes[..key.len()] == key {
                return value.clone();
            }
        }
        let value = answer();
        let mut bytes = [0; LEN];
        bytes[..key.len()].copy_from_slice(key);
        self.slots[slot] = Some((key.len(), bytes, value.clone()));
        value
    }
}

/// The length and four spread bytes, mixed: keys and names of a manifest
/// differ in one of them far more often than not.
fn slot_of(key: &[u8]) -> usize {
    let n = key.len();
    let byte = |i: usize| key.get(i).map_or(0, |b| u64::from(*b));
    let mixed =
        (n as u64) ^ (byte(0) << 8) ^ (byte(n / 3) << 16) ^ (byte(2 * n / 3) << 24) ^ (byte(n.wrapping_sub(1)) << 32);
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;

    /// Random keys (short, too long, differing in one byte) asked many
    /// times, with few slots so that they collide: every answer is the
    /// key's own, and remembered ones are not computed again.
    #[test]
    fn answers_are_each_keys_own() {
        let mut fake = Fake::new(13);
        let pool: Vec<Vec<u8>> = (0..300)
            .map(|_| {
                let n = fake.below(20);
                fake.chars(b"abAB-_.0", n).into_bytes()
            })
            .collect();
        let own = |key: &[u8]| key.iter().map(|b| usize::from(*b)).sum::<usize>() * 31 + key.len();
        let mut memo: Memo<usize, 16> = Memo::new(37);
        let mut computed = 0;
        for _ in 0..20_000 {
            let key = &pool[fake.below(pool.len())];
            let got = memo.get(key, || {
                computed += 1;
                own(key)
            });
            assert_eq!(got, own(key), "{:?}", String::from_utf8_lossy(key));
        }
        assert!(computed > 300 && computed < 20_000, "{computed}");
        let mut memo: Memo<usize, 16> = Memo::new(1024);
        for _ in 0..2 {
            for key in &pool {
                memo.get(key, || own(key));
            }
        }
        let mut again = 0;
        for key in pool.iter().filter(|k| k.len() <= 16) {
            memo.get(key, || {
                again += 1;
                own(key)
            });
        }
        // With many slots, nearly every short key is still remembered.
        assert!(again < 60, "{again}");
    }
}
