//! A map from strings to ids that keys short strings by their bytes packed into an integer.
//!
//! Featurizing looks a string up for every token (the word cache) and for every stem of every
//! vocabulary term when a model loads. With `Box<str>` keys each lookup chases a pointer to a
//! heap string and compares bytes; a key of at most 15 bytes packed with its length into a
//! `u128` is compared in one instruction. Nearly all words and stems are that short; longer ones
//! fall back to an ordinary string map.
//!
//! The short keys are stored once, in insertion order, and found through a `SlotIndex` of
//! 4-byte slots (`slot_index.rs`): frequent words come first in any text, so their keys share a
//! few cache lines, and the index takes an eighth of the memory of a general map's 32-byte
//! slots, so more of it stays in cache (figures in `benches/README.md`).

use rustc_hash::FxHashMap;

use crate::features::index::slot_index::{hash, SlotIndex};

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
        self.short.len() + self.long.len()
    }

    /// Whether there are no strings.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every string, keeping the memory for the next ones.
    pub fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

/// Packed short keys to ids: the keys and ids in order of insertion, found through a
/// [`SlotIndex`] whose entry `i + 1` is key `i`.
#[derive(Debug, Clone, Default)]
struct ShortTable {
    index: SlotIndex,
    keys: Vec<u128>,
    values: Vec<u32>,
}

#[inline]
fn key_hash(key: u128) -> u32 {
    hash(key as u64, (key >> 64) as u64)
}

impl ShortTable {
    fn with_capacity(n: usize) -> Self {
        ShortTable {
            index: SlotIndex::with_capacity(n),
            keys: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn find(&self, key: u128, hash: u32) -> Option<usize> {
        let entry = self
            .index
            .find(hash, |e| self.keys[e as usize - 1] == key)?;
        Some(entry as usize - 1)
    }

    #[inline]
    fn get(&self, key: u128) -> Option<u32> {
        self.find(key, key_hash(key)).map(|i| self.values[i])
    }

    #[inline]
    fn get_or_insert_with(&mut self, key: u128, make: impl FnOnce() -> u32) -> u32 {
        let hash = key_hash(key);
        if let Some(i) = self.find(key, hash) {
            return self.values[i];
        }
        let value = make();
        self.keys.push(key);
        self.values.push(value);
        let entry = self.keys.len() as u32;
        if !self.index.has_room_for(entry) {
            let keys = &self.keys;
            self.index.grow(
                entry,
                (1..entry).map(|e| (e, key_hash(keys[e as usize - 1]))),
            );
        }
        self.index.insert(hash, entry);
        value
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn clear(&mut self) {
        self.index.clear();
        self.keys.clear();
        self.values.clear();
    }
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
