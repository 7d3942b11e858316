//! A map from strings to ids that keys short strings by their bytes packed into an integer.
//!
//! Featurizing looks a string up for every token (the word cache) and for every stem of every
//! vocabulary term when a model loads. With `Box<str>` keys each lookup chases a pointer to a
//! heap string and compares bytes; a key of at most 15 bytes packed with its length into a
//! `u128` is compared in one instruction. Nearly all words and stems are that short; longer ones
//! fall back to an ordinary string map.
//!
//! The short keys live in their own open-addressing table, laid out for the cache rather than
//! taken from a general hash map. A general map keeps each `u128` key with its value in a
//! 32-byte slot, so the word cache of the corpus (about 100,000 words) spans 4 MB, and `perf`
//! put two thirds of the lookup's time on the load of the slot: a cache miss for every word
//! outside the few hundred most frequent. Here a slot is 4 bytes (an entry number and some hash
//! bits to reject most wrong entries without reading them), and the keys sit in a dense array in
//! order of insertion. Frequent words come first in any text, so their keys share a few cache
//! lines, and the slot table of the whole corpus is half a megabyte.

use rustc_hash::FxHashMap;

/// Strings to `u32` ids.
#[derive(Debug, Clone, Default)]
pub struct StrMap {
    short: ShortTable,
    long: FxHashMap<Box<str>, u32>,
}

/// A string of at most 15 bytes as its bytes and its length packed into one integer (byte `i`
/// of the string in byte `i` of the little-endian integer, the length in byte 15); distinct
/// strings give distinct keys.
///
/// The bytes are read as a few overlapping words rather than copied into a buffer: a copy of
/// a variable length is a call to `memcpy` for every token.
#[inline]
fn short_key(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    let len = b.len();
    let word = |at: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |at: usize| -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    let (lo, hi) = match len {
        16.. => return None,
        // The last eight bytes end at `len`; shifting out the ones the first word already holds
        // leaves bytes 8.. at the bottom.
        8.. => (
            word(0),
            word(len - 8)
                .checked_shr(8 * (16 - len) as u32)
                .unwrap_or(0),
        ),
        4.. => (half(0) | half(len - 4) << (8 * (len - 4)), 0),
        _ => (
            b.iter()
                .enumerate()
                .fold(0, |k, (i, &c)| k | u64::from(c) << (8 * i)),
            0,
        ),
    };
    Some(u128::from(lo) | u128::from(hi | (len as u64) << 56) << 64)
}

impl StrMap {
    /// An empty map with room for `n` strings.
    pub fn with_capacity(n: usize) -> Self {
        StrMap {
            short: ShortTable::with_capacity(n),
            long: FxHashMap::default(),
        }
    }

    /// The id of `s`.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        match short_key(s) {
            Some(key) => self.short.get(key),
            None => self.long.get(s).copied(),
        }
    }

    /// The id of `s`, or the id `make` gives, which is then stored.
    #[inline]
    pub fn get_or_insert_with(&mut self, s: &str, make: impl FnOnce() -> u32) -> u32 {
        match short_key(s) {
            Some(key) => self.short.get_or_insert_with(key, make),
            None => {
                if let Some(&id) = self.long.get(s) {
                    return id;
                }
                let id = make();
                self.long.insert(s.into(), id);
                id
            }
        }
    }

    /// The number of strings.
    pub fn len(&self) -> usize {
        self.short.keys.len() + self.long.len()
    }

    /// Whether there are no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every string, keeping the memory for the next ones.
    pub fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

/// An open-addressing table (linear probing) from packed short keys to ids.
///
/// A slot is 0 when empty, else `tag << bits | (entry + 1)`, where the table has `2^bits`
/// slots, `entry` indexes `keys` and `values`, and `tag` is the `32 - bits` hash bits below
/// the ones that chose the slot. The table grows at three quarters full, so `entry + 1` always
/// fits in `bits` bits.
#[derive(Debug, Clone, Default)]
struct ShortTable {
    slots: Vec<u32>,
    bits: u32,
    keys: Vec<u128>,
    values: Vec<u32>,
}

/// The fewest slots a table that holds anything has.
const MIN_BITS: u32 = 4;

/// The most slots: one more bit would leave no room for a tag. A table this large would hold
/// over a billion strings, tens of gigabytes of keys.
const MAX_BITS: u32 = 31;

/// The top 32 bits of a good 64-bit hash of `key` (a folded multiply, as in `foldhash`).
#[inline]
fn hash(key: u128) -> u32 {
    let (lo, hi) = (key as u64, (key >> 64) as u64);
    let p =
        u128::from(lo ^ 0x243f_6a88_85a3_08d3).wrapping_mul(u128::from(hi ^ 0x1319_8a2e_0370_7344));
    let h = (p as u64 ^ (p >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 32) as u32
}

impl ShortTable {
    fn with_capacity(n: usize) -> Self {
        let mut table = ShortTable::default();
        table.resize(bits_for(n));
        table.keys.reserve(n);
        table.values.reserve(n);
        table
    }

    /// The slot to start probing at and the tag of a hash.
    #[inline]
    fn place(&self, h: u32) -> (usize, u32) {
        let slot = (h >> (32 - self.bits)) as usize;
        let tag = h & ((1 << (32 - self.bits)) - 1);
        (slot, tag)
    }

    /// The entry of `key`, or the free slot where it would go.
    #[inline]
    fn find(&self, key: u128) -> Result<usize, usize> {
        let (mut slot, tag) = self.place(hash(key));
        let mask = self.slots.len() - 1;
        let entry_mask = (1u32 << self.bits) - 1;
        loop {
            let s = self.slots[slot];
            if s == 0 {
                return Err(slot);
            }
            if s >> self.bits == tag {
                let entry = (s & entry_mask) as usize - 1;
                if self.keys[entry] == key {
                    return Ok(entry);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, key: u128) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(key).ok().map(|entry| self.values[entry])
    }

    #[inline]
    fn get_or_insert_with(&mut self, key: u128, make: impl FnOnce() -> u32) -> u32 {
        if self.slots.is_empty() {
            self.resize(MIN_BITS);
        }
        match self.find(key) {
            Ok(entry) => self.values[entry],
            Err(slot) => {
                let value = make();
                if (self.keys.len() + 1) * 4 > self.slots.len() * 3 && self.bits < MAX_BITS {
                    self.keys.push(key);
                    self.values.push(value);
                    self.resize(self.bits + 1);
                } else {
                    let (_, tag) = self.place(hash(key));
                    self.keys.push(key);
                    self.values.push(value);
                    self.slots[slot] = tag << self.bits | self.keys.len() as u32;
                }
                value
            }
        }
    }

    /// Rebuilds the slots for `2^bits` of them from the keys.
    fn resize(&mut self, bits: u32) {
        self.bits = bits;
        self.slots.clear();
        self.slots.resize(1 << bits, 0);
        let mask = self.slots.len() - 1;
        for (entry, &key) in self.keys.iter().enumerate() {
            let (mut slot, tag) = self.place(hash(key));
            while self.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = tag << bits | (entry as u32 + 1);
        }
    }

    fn clear(&mut self) {
        self.slots.fill(0);
        self.keys.clear();
        self.values.clear();
    }
}

/// The number of slot bits for `n` entries at most three quarters full.
fn bits_for(n: usize) -> u32 {
    let slots = (n * 4 / 3 + 1).next_power_of_two();
    slots.trailing_zeros().clamp(MIN_BITS, MAX_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The packing `short_key` must equal: the bytes copied into a zeroed buffer.
    fn reference_key(s: &str) -> Option<u128> {
        let bytes = s.as_bytes();
        if bytes.len() > 15 {
            return None;
        }
        let mut key = [0u8; 16];
        key[..bytes.len()].copy_from_slice(bytes);
        key[15] = bytes.len() as u8;
        Some(u128::from_le_bytes(key))
    }

    #[test]
    fn tells_short_and_long_strings_apart() {
        let mut map = StrMap::default();
        let words = [
            "",
            "a",
            "ab",
            "ab\0",
            "fifteen-bytes-x",
            "sixteen-bytes-xy",
            "кремль",
        ];
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get_or_insert_with(w, || i as u32), i as u32);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(map.get(w), Some(i as u32), "{w:?}");
            assert_eq!(map.get_or_insert_with(w, || 99), i as u32);
        }
        assert_eq!(map.len(), words.len());
        assert_eq!(map.get("abc"), None);
    }

    #[test]
    fn keys_pack_every_length_like_a_copy() {
        let text = "abcdefghijklmnopq\u{e9}\u{e9}\u{e9}";
        for end in 0..=text.len() {
            for start in 0..=end {
                if let Some(s) = text.get(start..end) {
                    assert_eq!(short_key(s), reference_key(s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn clearing_keeps_no_string() {
        let mut map = StrMap::with_capacity(3);
        for i in 0..1000u32 {
            map.get_or_insert_with(&i.to_string(), || i);
        }
        map.clear();
        assert!(map.is_empty());
        assert_eq!(map.get("7"), None);
        assert_eq!(map.get_or_insert_with("7", || 1), 1);
    }

    proptest! {
        /// Against a `HashMap<String, u32>`, over growth from empty and many collisions of
        /// the short keys' slots.
        #[test]
        fn agrees_with_a_hash_map(
            words in proptest::collection::vec("[a-c\u{e9}]{0,18}", 0..400),
            capacity in 0usize..64,
        ) {
            let mut map = StrMap::with_capacity(capacity);
            let mut reference = std::collections::HashMap::new();
            for (i, w) in words.iter().enumerate() {
                let expected = *reference.entry(w.clone()).or_insert(i as u32);
                prop_assert_eq!(map.get_or_insert_with(w, || i as u32), expected);
                prop_assert_eq!(map.get(w), Some(expected));
            }
            prop_assert_eq!(map.len(), reference.len());
            for (w, &id) in &reference {
                prop_assert_eq!(map.get(w), Some(id));
                prop_assert_eq!(short_key(w), reference_key(w));
            }
        }
    }
}
