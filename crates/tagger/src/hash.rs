//! Feature keys and the lookup table behind them.
//!
//! Every feature is a 64-bit key hashed from a template id and its values; nothing is
//! interned as a string, so extracting a feature never allocates. Keys are already well
//! mixed, which lets [`KeyTable`] use them directly as their own hash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The splitmix64 finaliser: spreads every input bit over the whole key.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Builds one key: FNV-1a over the values fed in, finished with [`mix`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fh(u64);

const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Fh {
    /// Starts a key for template `t`.
    pub(crate) const fn new(t: u64) -> Self {
        Fh(mix(t ^ 0x9e37_79b9_7f4a_7c15))
    }

    #[inline]
    pub(crate) fn byte(self, b: u8) -> Self {
        Fh((self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }

    /// Feeds a string; a terminator keeps ("ab","c") apart from ("a","bc").
    #[inline]
    pub(crate) fn str(self, s: &str) -> Self {
        s.bytes().fold(self, Fh::byte).byte(0xff)
    }

    /// Feeds a string lowercased, without allocating. Typographic apostrophes count as
    /// `'`: the training data has only the straight one, and web text mostly the curly
    /// one ("Angie’s", "McDonald’s", "don’t"), so a name list or a weight learnt for
    /// `'s` also applies to `’s`.
    #[inline]
    pub(crate) fn lower(self, s: &str) -> Self {
        let mut h = self;
        if s.is_ascii() {
            for b in s.bytes() {
                h = h.byte(b.to_ascii_lowercase());
            }
        } else {
            let mut buf = [0u8; 4];
            let fold = |c: char| {
                if matches!(c, '\u{2018}' | '\u{2019}') {
                    '\''
                } else {
                    c
                }
            };
            for c in s.chars().map(fold).flat_map(char::to_lowercase) {
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    h = h.byte(b);
                }
            }
        }
        h.byte(0xff)
    }

    /// Feeds a whole 64-bit value (a sub-key, an offset, a label) in one step: one multiply
    /// and a fold, because context keys are built per token at tagging time; [`Fh::finish`]
    /// does the full mixing once.
    #[inline]
    pub(crate) fn u64(self, v: u64) -> Self {
        let h = (self.0 ^ v).wrapping_mul(0x9fb2_1c65_1e98_df25);
        Fh(h ^ (h >> 29))
    }

    /// The finished key; never 0, because 0 marks an empty slot in [`KeyTable`].
    #[inline]
    pub(crate) fn finish(self) -> u64 {
        mix(self.0) | 1
    }
}

/// A `Hasher` for keys that are already hashes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A `HashMap` keyed by pre-hashed `u64`s.
pub(crate) type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Open-addressing map from a key to a row number, built once at load and read by every
/// worker. A slot holds a 32-bit fingerprint (the key's high half) and the row, 8 bytes, so
/// a probe touches one cache line; the low bits pick the slot. Linear probing at a load
/// keeps a miss (the common case for unseen features) short.
/// Two keys that agree in both the slot bits and the fingerprint would share a row; with a
/// few hundred thousand keys that chance is around 2^-25 per key. The load factor stays
/// between 3/8 and 3/4: a probe run rarely leaves its cache line, and the table stays
/// small enough that more of it sits in cache.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    slots: Vec<(u32, u32)>,
    mask: usize,
    /// A blocked Bloom filter over the keys (two bits in one 64-bit word per key), small
    /// enough to stay in L2: most keys looked up while tagging (word bigrams, affixes of
    /// unknown words) are absent, and this answers them without touching `slots`, whose
    /// random probes were a third of tagging's L2 misses. No false negatives, so lookups
    /// return exactly what the slots say.
    bloom: Vec<u64>,
}

/// Keys per 64-bit Bloom word before rounding up to a power of two: 8 to 16 bits per key,
/// two of them set, about 2 % false positives; 128 KB for the shipped model.
const BLOOM_KEYS_PER_WORD: usize = 8;

/// The Bloom word index (from bits the slot index and fingerprint use least) and the
/// two-bit mask of `key`.
#[inline]
fn bloom_bits(key: u64, words_mask: usize) -> (usize, u64) {
    let word = ((key >> 36) as usize) & words_mask;
    let bits = (1u64 << ((key >> 20) & 63)) | (1u64 << ((key >> 26) & 63));
    (word, bits)
}

#[inline]
fn fingerprint(key: u64) -> u32 {
    ((key >> 32) as u32) | 1
}

impl KeyTable {
    /// A table mapping `keys[i]` to `i`.
    pub(crate) fn new(keys: &[u64]) -> Self {
        let cap = (keys.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let words = (keys.len() / BLOOM_KEYS_PER_WORD + 1).next_power_of_two();
        let mut t = KeyTable {
            slots: vec![(0, 0); cap],
            mask: cap - 1,
            bloom: vec![0; words],
        };
        for &k in keys {
            let (w, bits) = bloom_bits(k, words - 1);
            t.bloom[w] |= bits;
        }
        for (i, &k) in keys.iter().enumerate() {
            let mut slot = (k as usize) & t.mask;
            while t.slots[slot].0 != 0 {
                slot = (slot + 1) & t.mask;
            }
            t.slots[slot] = (fingerprint(k), i as u32);
        }
        t
    }

    /// The row of `key`, if the model has it.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<usize> {
        let (w, bits) = bloom_bits(key, self.bloom.len().wrapping_sub(1));
        if self.bloom.get(w).is_none_or(|&b| b & bits != bits) {
            return None;
        }
        let fp = fingerprint(key);
        let mut slot = (key as usize) & self.mask;
        loop {
            let (f, row) = self.slots[slot];
            if f == fp {
                return Some(row as usize);
            }
            if f == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_hash_folds_typographic_apostrophes() {
        let h = |s: &str| Fh::new(2).lower(s).finish();
        assert_eq!(h("Angie’s"), h("angie's"));
        assert_eq!(h("‘s"), h("'s"));
        assert_ne!(h("’s"), h("s"));
    }

    #[test]
    fn lowercase_hash_ignores_case_only() {
        let a = Fh::new(1).lower("Geneva").finish();
        assert_eq!(a, Fh::new(1).lower("GENEVA").finish());
        assert_ne!(a, Fh::new(1).lower("Genevb").finish());
        assert_eq!(
            Fh::new(1).lower("Zürich").finish(),
            Fh::new(1).lower("ZÜRICH").finish()
        );
    }

    #[test]
    fn table_finds_every_key_and_misses_others() {
        let keys: Vec<u64> = (1..1000u64).map(|i| Fh::new(7).u64(i).finish()).collect();
        let t = KeyTable::new(&keys);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i));
        }
        assert_eq!(t.get(Fh::new(8).u64(3).finish()), None);
    }
}
