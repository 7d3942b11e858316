//! The word cache: each distinct folded word of a text mapped to its stem id, so that Snowball
//! and the stop-word lookup run once per distinct word rather than once per occurrence. Both
//! fitting ([`crate::features::fit::corpus_counts`]) and scoring ([`crate::features::featurizer`])
//! tokenize through it; a cache never changes a result, only how often a word is stemmed.

use crate::features::index::str_map::StrMap;

/// The most words a [`WordCache`] holds; one that fills up is cleared, which bounds its memory
/// on endless input (a stream of scraped pages) at the cost of stemming some words again.
pub(crate) const WORD_CACHE_LIMIT: usize = 1 << 18;

/// The id a [`WordCache`] keeps for a stop word; no stem id reaches it.
pub(crate) const STOP_WORD: u32 = u32::MAX - 1;

/// A cache from each distinct folded word to its stem id (or [`STOP_WORD`]), so each word is
/// stemmed once.
#[derive(Debug, Default)]
pub(crate) struct WordCache {
    map: StrMap,
}

impl WordCache {
    /// The cached id of `word`, or the id `compute` gives, which is then cached.
    #[inline]
    pub fn get_or_insert(&mut self, word: &str, compute: impl FnOnce(&str) -> u32) -> u32 {
        if self.map.len() >= WORD_CACHE_LIMIT {
            self.map.clear();
        }
        self.map.get_or_insert_with(word, || compute(word))
    }

    /// Forgets every word; for reuse after the ids it maps to have changed meaning.
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_cache_tells_words_apart_and_computes_each_once() {
        let mut cache = WordCache::default();
        let mut calls = 0;
        let words = [
            "a",
            "ab",
            "ab\0",
            "fifteen-bytes-x",
            "sixteen-bytes-xy",
            "кремль",
        ];
        for round in 0..2 {
            for (i, w) in words.iter().enumerate() {
                let id = cache.get_or_insert(w, |_| {
                    calls += 1;
                    i as u32
                });
                assert_eq!(id, i as u32, "{w} in round {round}");
            }
        }
        assert_eq!(calls, words.len());
    }
}
