//! A map from strings to ids that keys short strings by their bytes packed into an integer.
//!
//! Featurizing looks a string up for every token (the word cache) and for every stem of every
//! vocabulary term when a model loads. With `Box<str>` keys each lookup chases a pointer to a
//! heap string and compares bytes; a key of at most 15 bytes packed with its length into a
//! `u128` is compared in one instruction and sits in the table slot itself. Nearly all words
//! and stems are that short; longer ones fall back to an ordinary string map.

use rustc_hash::FxHashMap;

/// Strings to `u32` ids.
#[derive(Debug, Clone, Default)]
pub struct StrMap {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<Box<str>, u32>,
}

/// A string of at most 15 bytes as its bytes and its length packed into one integer; distinct
/// strings give distinct keys.
#[inline]
fn short_key(s: &str) -> Option<u128> {
    let bytes = s.as_bytes();
    if bytes.len() > 15 {
        return None;
    }
    let mut key = [0u8; 16];
    key[..bytes.len()].copy_from_slice(bytes);
    key[15] = bytes.len() as u8;
    Some(u128::from_le_bytes(key))
}

impl StrMap {
    /// An empty map with room for `n` strings.
    pub fn with_capacity(n: usize) -> Self {
        StrMap {
            short: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            long: FxHashMap::default(),
        }
    }

    /// The id of `s`.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        match short_key(s) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(s).copied(),
        }
    }

    /// The id of `s`, or the id `make` gives, which is then stored.
    #[inline]
    pub fn get_or_insert_with(&mut self, s: &str, make: impl FnOnce() -> u32) -> u32 {
        match short_key(s) {
            Some(key) => *self.short.entry(key).or_insert_with(make),
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
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every string.
    pub fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
