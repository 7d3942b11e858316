//! The term index: how a fitted vocabulary finds the feature of an n-gram without building its
//! string.
//!
//! Every stem that occurs in a vocabulary term gets a stem id, its rank in byte order, and each
//! term becomes a sequence of stem ids. The vocabulary is stored sorted by term (the model
//! file's order), which is then also the order of these sequences, so the terms that start
//! with a given n-gram form one contiguous range of feature ids, the n-gram itself first when
//! it is a term. Walking an n-gram narrows that range one word at a time: a table gives the
//! range of the first stem, and each further word is a binary search on the next stem inside
//! the range. A text whose stems are unknown stops at the first word.
//!
//! Model files (format version 3) store the vocabulary in this form, stems and stem ids, so
//! loading builds the index with [`TermIndex::from_stem_ids`] and looks no stem up.
//!
//! This needs no hash table over the terms. Building one at load took most of loading the
//! default model: one random insert per term into a table larger than the second-level cache,
//! each a cache miss. Building these arrays is sequential and far quicker, and a lookup costs
//! about the same, because a word's range is small and its bigram neighbours share cache lines
//! (figures in `benches/README.md`).

use std::ops::Range;

use crate::features::index::str_map::StrMap;
use crate::features::index::terms::Terms;
use crate::features::ngrams::NgramRange;

/// The stem id of a word whose stem is in no vocabulary term.
pub const UNKNOWN_STEM: u32 = u32::MAX;

/// A unigram's second stem in [`TermIndex::second`].
const NONE: u32 = u32::MAX;

/// Stem ids and the sorted stem-id sequences of a vocabulary.
#[derive(Debug, Clone, Default)]
pub struct TermIndex {
    /// The stems in id order, which is byte order.
    names: Terms,
    stems: StrMap,
    /// For each stem id, the range of features whose first stem it is (empty for a stem that
    /// only occurs later in terms).
    first: Vec<(u32, u32)>,
    /// Each feature's second stem id, or `NONE` for a unigram: the key of the bigram search,
    /// kept apart so that the search reads one dense array.
    second: Vec<u32>,
    /// The stems from the third on, for vocabularies with longer n-grams: feature `i`'s are
    /// `rest[rest_start[i]..rest_start[i + 1]]`. Both are empty when no term has three stems.
    rest: Vec<u32>,
    rest_start: Vec<u32>,
    /// Whether the terms were not strictly increasing (a repeated term, or a file not in sorted
    /// order): a corrupt vocabulary, which the walk cannot search.
    unordered: bool,
    /// The fewest and most stems in a term, and whether some stem is empty (a term with a
    /// leading, trailing or double space): what loading checks against the n-gram range.
    shortest: usize,
    longest: usize,
    empty_stem: bool,
}

impl TermIndex {
    /// Indexes `terms` (n-grams of stems joined by single spaces, sorted by string); the feature
    /// of `terms[i]` is `i`. Terms that are not strictly increasing are flagged, see
    /// [`TermIndex::is_unordered`].
    pub fn new(terms: &Terms) -> Self {
        // Intern stems in order of appearance, then renumber them by rank. Consecutive sorted
        // terms mostly share their first stem, so that one is compared with the previous
        // term's instead of looked up.
        let mut stems = StrMap::with_capacity(terms.len() / 8);
        let mut names: Vec<&str> = Vec::new();
        let mut flat: Vec<u32> = Vec::with_capacity(terms.len() * 2);
        let mut starts: Vec<u32> = Vec::with_capacity(terms.len() + 1);
        let mut previous_first: Option<(&str, u32)> = None;
        for term in terms.iter() {
            starts.push(flat.len() as u32);
            for (k, stem) in term.split(' ').enumerate() {
                let id = match previous_first {
                    Some((p, id)) if k == 0 && p == stem => id,
                    _ => {
                        let next = names.len() as u32;
                        let id = stems.get_or_insert_with(stem, || next);
                        if id == next {
                            names.push(stem);
                        }
                        if k == 0 {
                            previous_first = Some((stem, id));
                        }
                        id
                    }
                };
                flat.push(id);
            }
        }
        starts.push(flat.len() as u32);

        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by_key(|&i| names[i as usize]);
        let mut rank = vec![0u32; names.len()];
        for (r, &i) in by_name.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        for id in &mut flat {
            *id = rank[*id as usize];
        }
        let sorted: Terms = by_name.iter().map(|&i| names[i as usize]).collect();
        TermIndex::from_stem_ids(sorted, &flat, &starts)
    }

    /// Indexes terms given as stem ids: `stems` sorted by byte order and without repeats (a
    /// stem's id is its position), and term `i` the ids `flat[starts[i]..starts[i + 1]]`,
    /// every one below `stems.len()`, `starts` increasing (callers check: the model file's
    /// reader, `model::format::terms`). Terms that are not strictly increasing are flagged, as
    /// in [`TermIndex::new`]. The index is the one [`TermIndex::new`] builds from the terms'
    /// strings, without looking up a stem: what loading a packed vocabulary needs.
    pub(crate) fn from_stem_ids(names: Terms, flat: &[u32], starts: &[u32]) -> Self {
        debug_assert!(names.iter().zip(names.iter().skip(1)).all(|(a, b)| a < b));
        debug_assert!(flat.iter().all(|&id| (id as usize) < names.len()));
        let mut stems = StrMap::with_capacity(names.len());
        for (r, name) in names.iter().enumerate() {
            stems.get_or_insert_with(name, || r as u32);
        }
        let n = starts.len().saturating_sub(1);
        let lengths = starts.windows(2).map(|w| (w[1] - w[0]) as usize);
        let shortest = lengths.clone().min().unwrap_or(0);
        let longest = lengths.max().unwrap_or(0);
        let empty_stem = names.iter().any(str::is_empty);
        let mut index = TermIndex {
            shortest,
            longest,
            empty_stem,
            first: vec![(0, 0); names.len()],
            names,
            stems,
            second: vec![NONE; n],
            rest: Vec::new(),
            rest_start: Vec::new(),
            unordered: false,
        };
        if longest > 2 {
            index.rest_start.reserve(n + 1);
        }
        let mut previous: &[u32] = &[];
        for i in 0..n {
            let ids = &flat[starts[i] as usize..starts[i + 1] as usize];
            // Slices compare lexicographically, a prefix first: the order of sorted terms.
            if i > 0 && previous >= ids {
                index.unordered = true;
            }
            previous = ids;
            let Some(&head) = ids.first() else {
                index.unordered = true;
                continue;
            };
            let range = &mut index.first[head as usize];
            if range.1 == 0 {
                range.0 = i as u32;
            }
            range.1 = i as u32 + 1;
            if let Some(&s) = ids.get(1) {
                index.second[i] = s;
            }
            if longest > 2 {
                index.rest_start.push(index.rest.len() as u32);
                index
                    .rest
                    .extend_from_slice(ids.get(2..).unwrap_or_default());
            }
        }
        if longest > 2 {
            index.rest_start.push(index.rest.len() as u32);
        }
        index
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.second.len()
    }

    /// The stems, in id order, which is byte order.
    pub fn stems(&self) -> &Terms {
        &self.names
    }

    /// Calls `f` with the stem ids of each term, in feature order: the inverse of
    /// [`TermIndex::from_stem_ids`] for an index of strictly increasing terms.
    pub fn for_each_term_ids(&self, mut f: impl FnMut(&[u32])) {
        let n = self.second.len();
        let mut head = vec![0u32; n];
        for (stem, &(lo, hi)) in self.first.iter().enumerate() {
            if let Some(features) = head.get_mut(lo as usize..hi as usize) {
                features.fill(stem as u32);
            }
        }
        let mut ids = Vec::with_capacity(self.longest);
        for (i, &head) in head.iter().enumerate() {
            ids.clear();
            ids.push(head);
            if self.second[i] != NONE {
                ids.push(self.second[i]);
                if let Some(rest) = self.rest_start.get(i..i + 2) {
                    ids.extend_from_slice(&self.rest[rest[0] as usize..rest[1] as usize]);
                }
            }
            f(&ids);
        }
    }

    /// Whether the terms were not strictly increasing: a repeated term or an unsorted file.
    pub fn is_unordered(&self) -> bool {
        self.unordered
    }

    /// The fewest and the most stems in a term (`(0, 0)` for no terms).
    pub fn term_lengths(&self) -> (usize, usize) {
        (self.shortest, self.longest)
    }

    /// Whether some term has an empty stem: it is empty or has a leading, trailing or double
    /// space.
    pub fn has_empty_stem(&self) -> bool {
        self.empty_stem
    }

    /// The id of a stem, or [`UNKNOWN_STEM`].
    #[inline]
    pub fn stem_id(&self, stem: &str) -> u32 {
        self.stems.get(stem).unwrap_or(UNKNOWN_STEM)
    }

    /// The number of stems in feature `i`'s term.
    #[inline]
    fn term_len(&self, i: usize) -> usize {
        if self.second[i] == NONE {
            1
        } else if self.rest_start.is_empty() {
            2
        } else {
            2 + (self.rest_start[i + 1] - self.rest_start[i]) as usize
        }
    }

    /// Stem `depth` (at least 1) of feature `i`'s term, which must have more than `depth`.
    #[inline]
    fn stem_at(&self, i: usize, depth: usize) -> u32 {
        if depth == 1 {
            return self.second[i];
        }
        // Checked against the term's end, so that even an unsorted vocabulary cannot make the
        // walk read another term's stems or past the array.
        let at = self.rest_start[i] as usize + depth - 2;
        if at < self.rest_start[i + 1] as usize {
            self.rest[at]
        } else {
            NONE
        }
    }

    /// The features whose first stem is `stem`.
    #[inline]
    fn first_range(&self, stem: u32) -> Option<Range<usize>> {
        let &(lo, hi) = self.first.get(stem as usize)?;
        (hi > lo).then_some(lo as usize..hi as usize)
    }

    /// Narrows `range`, the features whose terms start with the same `depth` stems, to those
    /// whose next stem is `stem`. Only the start is exact when `whole` is false (enough to
    /// read the term there).
    #[inline]
    fn narrow(
        &self,
        range: Range<usize>,
        depth: usize,
        stem: u32,
        whole: bool,
    ) -> Option<Range<usize>> {
        // The n-gram itself, if it is a term, sorts first and has no stem at `depth`.
        let from = range.start + usize::from(self.term_len(range.start) == depth);
        let lo = if depth == 1 {
            from + self.second[from..range.end].partition_point(|&s| s < stem)
        } else {
            from + partition_point(range.end - from, |k| self.stem_at(from + k, depth) < stem)
        };
        if lo == range.end || self.stem_at(lo, depth) != stem {
            return None;
        }
        let hi = if !whole {
            lo + 1
        } else if depth == 1 {
            lo + self.second[lo..range.end].partition_point(|&s| s <= stem)
        } else {
            lo + partition_point(range.end - lo, |k| self.stem_at(lo + k, depth) <= stem)
        };
        Some(lo..hi)
    }

    /// The feature of a term given as its string.
    pub fn get(&self, term: &str) -> Option<u32> {
        let ids: Vec<u32> = term.split(' ').map(|s| self.stem_id(s)).collect();
        let mut range = self.first_range(*ids.first()?)?;
        for (depth, &stem) in ids.iter().enumerate().skip(1) {
            range = self.narrow(range, depth, stem, true)?;
        }
        (self.term_len(range.start) == ids.len()).then_some(range.start as u32)
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
            let Some(mut terms) = self.first_range(stems[start]) else {
                continue;
            };
            let longest = range.max().min(stems.len() - start);
            let mut len = 1;
            loop {
                if len >= range.min() && self.term_len(terms.start) == len {
                    f(terms.start as u32, start..start + len);
                }
                if len == longest {
                    break;
                }
                let Some(next) = self.narrow(terms, len, stems[start + len], len + 1 < longest)
                else {
                    break;
                };
                terms = next;
                len += 1;
            }
        }
    }
}

/// The first `k` in `0..n` for which `pred(k)` is false, `pred` being true then false.
#[inline]
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Terms {
        t.iter().collect()
    }

    #[test]
    fn finds_terms_and_their_prefixes_only_when_they_are_terms() {
        let index = TermIndex::new(&terms(&["kiev", "kiev regim", "regim", "west kiev"]));
        assert_eq!(index.get("kiev regim"), Some(1));
        assert_eq!(index.get("west kiev"), Some(3));
        assert_eq!(index.get("west"), None, "a prefix that is not a term");
        assert_eq!(index.get("regim kiev"), None);
        assert!(!index.is_unordered());
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
    fn flags_repeated_and_unsorted_terms() {
        assert!(TermIndex::new(&terms(&["a b", "c", "a b"])).is_unordered());
        assert!(TermIndex::new(&terms(&["a", "a b", "a b"])).is_unordered());
        assert!(TermIndex::new(&terms(&["b", "a"])).is_unordered());
        assert!(TermIndex::new(&terms(&["a b", "a"])).is_unordered());
        assert!(!TermIndex::new(&terms(&["a", "a b", "ab", "b"])).is_unordered());
    }

    #[test]
    fn walks_longer_ngrams_and_skips_gaps() {
        // "b c" is no term, but "b c d" is: the walk goes through prefixes that are not terms.
        let vocab = terms(&["a", "a b", "a b c", "b", "b c d", "c", "c d"]);
        let index = TermIndex::new(&vocab);
        assert!(!index.is_unordered());
        for (i, t) in vocab.iter().enumerate() {
            assert_eq!(index.get(t), Some(i as u32), "{t}");
        }
        assert_eq!(index.get("b c"), None);
        assert_eq!(index.get("a b c d"), None);
        let ids: Vec<u32> = "a b c d x".split(' ').map(|s| index.stem_id(s)).collect();
        assert_eq!(ids[4], UNKNOWN_STEM);
        let mut seen = Vec::new();
        index.for_each_feature(&ids, NgramRange::new(1, 3).unwrap(), |f, w| {
            seen.push((vocab.get(f as usize), w))
        });
        assert_eq!(
            seen,
            [
                ("a", 0..1),
                ("a b", 0..2),
                ("a b c", 0..3),
                ("b", 1..2),
                ("b c d", 1..4),
                ("c", 2..3),
                ("c d", 2..4)
            ]
        );
    }

    #[test]
    fn agrees_with_a_map_of_term_strings() {
        // Every window of a text over a small alphabet, looked up both ways.
        let mut vocab: Vec<String> = Vec::new();
        let words = ["aa", "ab", "b", "ba", "c"];
        for (i, a) in words.iter().enumerate() {
            if i % 2 == 0 {
                vocab.push(a.to_string());
            }
            for (j, b) in words.iter().enumerate() {
                if (i + j) % 3 != 0 {
                    vocab.push(format!("{a} {b}"));
                }
                for c in &words[..j] {
                    vocab.push(format!("{a} {b} {c}"));
                }
            }
        }
        vocab.sort();
        let index = TermIndex::new(&vocab.iter().collect());
        assert!(!index.is_unordered());
        let text: Vec<&str> = "aa b ab ba c aa aa c zz ab b c ba aa".split(' ').collect();
        let ids: Vec<u32> = text.iter().map(|s| index.stem_id(s)).collect();
        let mut walked = Vec::new();
        index.for_each_feature(&ids, NgramRange::new(1, 3).unwrap(), |f, w| {
            walked.push((f, w))
        });
        let mut expected = Vec::new();
        for start in 0..text.len() {
            for len in 1..=3.min(text.len() - start) {
                let term = text[start..start + len].join(" ");
                if let Ok(f) = vocab.binary_search(&term) {
                    expected.push((f as u32, start..start + len));
                }
            }
        }
        assert!(expected.len() > 15, "{}", expected.len());
        assert_eq!(walked, expected);
    }
}
