//! The term index: how a fitted vocabulary finds the feature of an n-gram without building its
//! string.
//!
//! Every stem that occurs in a vocabulary term gets a stem id, and the terms form a trie over
//! stem ids: the node of `kiev regim` is the child of the node of `kiev` under the id of `regim`.
//! Scoring maps each token to its stem id once and then walks the trie from each position, so
//! an n-gram costs one hash lookup of a pair of integers per word, and a text whose stems are
//! unknown stops at the first word. Both the index and the training-time counts
//! ([`crate::ngram_counts`]) use this layout.

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::ngrams::NgramRange;
use crate::str_map::StrMap;

/// The stem id of a word whose stem is in no vocabulary term.
pub const UNKNOWN_STEM: u32 = u32::MAX;

/// The trie node of the empty n-gram.
pub const ROOT: u32 = 0;

/// The key of the child of `node` under `stem`.
#[inline]
pub fn child_key(node: u32, stem: u32) -> u64 {
    (u64::from(node) << 32) | u64::from(stem)
}

/// An edge of the trie: the node it leads to and that node's feature (`NONE` when the node
/// is only a prefix of terms). Keeping the feature on the edge costs scoring one memory access
/// per word instead of two.
#[derive(Debug, Clone, Copy)]
struct Edge {
    node: u32,
    feature: u32,
}

const NONE: u32 = u32::MAX;

const NO_EDGE: Edge = Edge {
    node: NONE,
    feature: NONE,
};

/// Stem ids and the n-gram trie of a vocabulary.
#[derive(Debug, Clone, Default)]
pub struct TermIndex {
    stems: StrMap,
    /// The edges from the root, by stem id: a dense array, because every word starts a walk.
    unigrams: Vec<Edge>,
    /// The other edges: `(parent node, stem)` to edge.
    children: FxHashMap<u64, Edge>,
    duplicates: bool,
}

impl TermIndex {
    /// Indexes `terms` (n-grams of stems joined by single spaces); the feature of `terms[i]` is
    /// `i`.
    pub fn new(terms: &[String]) -> Self {
        let mut index = TermIndex::default();
        index.children.reserve(terms.len());
        index.stems = StrMap::with_capacity(terms.len() / 2);
        let mut n_nodes = 1u32;
        for (feature, term) in terms.iter().enumerate() {
            let mut edge: Option<&mut Edge> = None;
            for stem in term.split(' ') {
                let next = index.stems.len() as u32;
                let stem = index.stems.get_or_insert_with(stem, || next);
                let e = match edge {
                    None => {
                        if index.unigrams.len() <= stem as usize {
                            index.unigrams.resize(stem as usize + 1, NO_EDGE);
                        }
                        &mut index.unigrams[stem as usize]
                    }
                    Some(parent) => {
                        let key = child_key(parent.node, stem);
                        index.children.entry(key).or_insert(NO_EDGE)
                    }
                };
                if e.node == NONE {
                    e.node = n_nodes;
                    n_nodes += 1;
                }
                edge = Some(e);
            }
            if let Some(e) = edge {
                if e.feature != NONE {
                    index.duplicates = true;
                }
                e.feature = feature as u32;
            }
        }
        index
    }

    /// Whether two terms were the same string (a corrupt vocabulary).
    pub fn has_duplicates(&self) -> bool {
        self.duplicates
    }

    /// The id of a stem, or [`UNKNOWN_STEM`].
    #[inline]
    pub fn stem_id(&self, stem: &str) -> u32 {
        self.stems.get(stem).unwrap_or(UNKNOWN_STEM)
    }

    #[inline]
    fn edge(&self, node: u32, stem: u32) -> Option<Edge> {
        let e = if node == ROOT {
            *self.unigrams.get(stem as usize)?
        } else {
            *self.children.get(&child_key(node, stem))?
        };
        (e.node != NONE).then_some(e)
    }

    /// The feature of a term given as its string.
    pub fn get(&self, term: &str) -> Option<u32> {
        let mut edge = NO_EDGE;
        let mut node = ROOT;
        for stem in term.split(' ') {
            edge = self.edge(node, self.stem_id(stem))?;
            node = edge.node;
        }
        (edge.feature != NONE).then_some(edge.feature)
    }

    /// Calls `f(feature, window)` for every n-gram of the stem-id sequence `stems` that is a
    /// vocabulary term, in order of start position, then length (as
    /// [`NgramRange::for_each_window`]).
    #[inline]
    pub fn for_each_feature(
        &self,
        stems: &[u32],
        range: NgramRange,
        mut f: impl FnMut(u32, Range<usize>),
    ) {
        for start in 0..stems.len() {
            let mut node = ROOT;
            for (k, &stem) in stems[start..].iter().take(range.max()).enumerate() {
                let Some(edge) = self.edge(node, stem) else {
                    break;
                };
                node = edge.node;
                if k + 1 >= range.min() && edge.feature != NONE {
                    f(edge.feature, start..start + k + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_terms_and_their_prefixes_only_when_they_are_terms() {
        let index = TermIndex::new(&terms(&["kiev", "kiev regim", "regim", "west kiev"]));
        assert_eq!(index.get("kiev regim"), Some(1));
        assert_eq!(index.get("west kiev"), Some(3));
        assert_eq!(index.get("west"), None, "a prefix that is not a term");
        assert_eq!(index.get("regim kiev"), None);
        assert!(!index.has_duplicates());
    }

    #[test]
    fn walks_every_window_in_order() {
        let index = TermIndex::new(&terms(&["a", "a b", "b", "b c", "c"]));
        let ids: Vec<u32> = ["a", "b", "x", "c"]
            .iter()
            .map(|s| index.stem_id(s))
            .collect();
        let mut seen = Vec::new();
        index.for_each_feature(&ids, NgramRange::new(1, 2).unwrap(), |f, w| {
            seen.push((f, w))
        });
        assert_eq!(seen, [(0, 0..1), (1, 0..2), (2, 1..2), (4, 3..4)]);
        let mut bigrams = Vec::new();
        index.for_each_feature(&ids, NgramRange::new(2, 2).unwrap(), |f, _| bigrams.push(f));
        assert_eq!(bigrams, [1]);
    }

    #[test]
    fn flags_duplicate_terms() {
        assert!(TermIndex::new(&terms(&["a b", "c", "a b"])).has_duplicates());
    }
}
