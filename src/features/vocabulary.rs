//! The vocabulary: which n-gram terms become features, fitted on the training corpus.
//!
//! Filters, in the order applied: `min_df` and `max_df` (document frequency, as a count or as a
//! fraction of documents, like scikit-learn), `min_sources` (the number of distinct outlets that
//! use a term, so one outlet's idiom cannot become a feature by itself), then `max_features`
//! (the most frequent terms by document frequency, ties broken by the term). The final order is
//! by term, so the same corpus always gives the same feature indices.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{ParamError, StanceError};
use crate::features::index::term_index::TermIndex;
use crate::features::index::terms::Terms;

/// A document-frequency bound: an absolute count or a fraction of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocFreq {
    Count(u64),
    Fraction(f64),
}

impl DocFreq {
    /// The bound as a document count for a corpus of `n_docs` documents.
    fn resolve(self, n_docs: usize, round_up: bool) -> u64 {
        match self {
            DocFreq::Count(c) => c,
            DocFreq::Fraction(f) if round_up => (f * n_docs as f64).ceil() as u64,
            DocFreq::Fraction(f) => (f * n_docs as f64).floor() as u64,
        }
    }

    fn is_valid(self) -> bool {
        match self {
            DocFreq::Count(c) => c >= 1,
            DocFreq::Fraction(f) => f.is_finite() && f > 0.0 && f <= 1.0,
        }
    }
}

impl FromStr for DocFreq {
    type Err = ();

    /// `5` is a count; `0.5` or `1.0` (anything with a `.`) is a fraction.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim();
        let df = if s.contains('.') || s.contains('e') {
            DocFreq::Fraction(s.parse().map_err(|_| ())?)
        } else {
            DocFreq::Count(s.parse().map_err(|_| ())?)
        };
        if df.is_valid() {
            Ok(df)
        } else {
            Err(())
        }
    }
}

impl fmt::Display for DocFreq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocFreq::Count(c) => write!(f, "{c}"),
            DocFreq::Fraction(x) => write!(f, "{x:?}"),
        }
    }
}

/// Vocabulary filters, saved in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocabularyParams {
    /// Drop terms in fewer documents than this; defaults to `Count(2)`.
    pub min_df: DocFreq,
    /// Drop terms in more documents than this; defaults to `Fraction(1.0)` (keep all).
    pub max_df: DocFreq,
    /// Keep at most this many terms, the most frequent; defaults to `None` (no limit).
    pub max_features: Option<usize>,
    /// Drop terms used by fewer distinct sources (outlets) than this; defaults to `1` (off).
    /// Documents without a source count as one shared unknown source.
    pub min_sources: usize,
}

impl Default for VocabularyParams {
    fn default() -> Self {
        VocabularyParams {
            min_df: DocFreq::Count(2),
            max_df: DocFreq::Fraction(1.0),
            max_features: None,
            min_sources: 1,
        }
    }
}

impl VocabularyParams {
    /// Refuses values no corpus could satisfy.
    pub fn check(&self) -> Result<(), ParamError> {
        if !self.min_df.is_valid() {
            return Err(ParamError::MinDf(self.min_df.to_string()));
        }
        if !self.max_df.is_valid() {
            return Err(ParamError::MaxDf(self.max_df.to_string()));
        }
        if let (DocFreq::Count(min), DocFreq::Count(max)) = (self.min_df, self.max_df) {
            if min > max {
                return Err(ParamError::DfRange { min, max });
            }
        }
        if self.max_features == Some(0) {
            return Err(ParamError::MaxFeatures(0));
        }
        if self.min_sources == 0 {
            return Err(ParamError::MinSources(0));
        }
        Ok(())
    }

    /// Chooses the vocabulary among `candidates`, each a tag with the document frequency of its
    /// term and the number of distinct sources that use it (counted up to `min_sources`), in a
    /// corpus of `n_docs` documents. `term` appends a candidate's string to a buffer; it is
    /// called only for candidates that pass the frequency filters. Returns the kept terms in
    /// feature order (sorted by term), with their document frequencies and tags.
    ///
    /// Building the strings and sorting them run on all threads: this comes after counting,
    /// while every other thread would wait. The strings go into a few large buffers, not one
    /// allocation each: freeing the default model's 214k strings one by one took 18-32 ms.
    /// Terms are distinct, so the order does not depend on the number of threads.
    pub(crate) fn select<T: Send + Sync + Copy>(
        &self,
        n_docs: usize,
        candidates: impl ParallelIterator<Item = (T, u64, usize)>,
        term: impl Fn(&T, &mut String) + Sync,
    ) -> Result<Selection<T>, StanceError> {
        self.check()?;
        let min_df = self.min_df.resolve(n_docs, true);
        let max_df = self.max_df.resolve(n_docs, false);
        // Each rayon task appends its candidates' strings to a buffer of its own and notes
        // where each one lies: (start, end, df, tag).
        type Noted<T> = Vec<(usize, usize, u64, T)>;
        let parts: Vec<(String, Noted<T>)> = candidates
            .filter(|&(_, df, sources)| {
                df >= min_df && df <= max_df && df > 0 && sources >= self.min_sources
            })
            .fold(
                || (String::new(), Vec::new()),
                |(mut text, mut noted), (tag, df, _)| {
                    let start = text.len();
                    term(&tag, &mut text);
                    noted.push((start, text.len(), df, tag));
                    (text, noted)
                },
            )
            .collect();
        let mut kept: Vec<(&str, u64, T)> = parts
            .iter()
            .flat_map(|(text, noted)| {
                noted
                    .iter()
                    .map(move |&(start, end, df, tag)| (&text[start..end], df, tag))
            })
            .collect();
        if let Some(limit) = self.max_features {
            if kept.len() > limit {
                kept.par_sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                kept.truncate(limit);
            }
        }
        if kept.is_empty() {
            return Err(StanceError::EmptyVocabulary);
        }
        let mut keyed: Vec<(u128, &str, u64, T)> = kept
            .into_par_iter()
            .map(|(term, df, tag)| (prefix_key(term), term, df, tag))
            .collect();
        keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        let kept = keyed.into_iter().map(|(_, term, df, tag)| (term, df, tag));
        let mut selection = Selection {
            terms: Terms::with_capacity(kept.len()),
            df: Vec::with_capacity(kept.len()),
            tags: Vec::with_capacity(kept.len()),
        };
        for (term, df, tag) in kept {
            selection.terms.push(term);
            selection.df.push(df);
            selection.tags.push(tag);
        }
        Ok(selection)
    }
}

/// The first 16 bytes of `term`, big-endian and zero-padded. Keys in order are strings in
/// order, up to equal keys, which the whole strings then tell apart: sorting by key first
/// compares integers held in the array instead of following two pointers to call `memcmp`
/// (sorting the default model's 214,611 terms by string took 19-54 ms on one thread).
fn prefix_key(term: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = term.len().min(16);
    bytes[..n].copy_from_slice(&term.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// The terms [`VocabularyParams::select`] keeps, in feature order, with their document
/// frequencies and the caller's tags.
#[derive(Debug)]
pub(crate) struct Selection<T> {
    pub terms: Terms,
    pub df: Vec<u64>,
    pub tags: Vec<T>,
}

/// The fitted vocabulary: terms in feature-index order, with their term index.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// The term strings: given when fitted or read as strings, joined from the index's stems on
    /// first use when read as stem ids. Scoring never needs them, and joining 221,330 terms
    /// took 3-4 ms of loading the default model.
    terms: OnceLock<Terms>,
    index: TermIndex,
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        // The index is a function of the terms.
        self.terms() == other.terms()
    }
}

impl Vocabulary {
    /// Builds the index for terms already in feature order, which is sorted by string; terms
    /// that are not are flagged by [`Vocabulary::is_unordered`] (the index searches them in
    /// that order).
    pub(crate) fn from_sorted_terms(terms: Terms) -> Self {
        let index = TermIndex::new(&terms);
        Vocabulary {
            terms: OnceLock::from(terms),
            index,
        }
    }

    /// A vocabulary from each term as the ids of its stems: `flat` holds them all, term after
    /// term, and term `t`'s start at `starts[t]`. The index is built without a look-up, and the
    /// term strings are joined from the stems when first asked for (a model file's packed form).
    pub(crate) fn from_stem_ids(stems: Terms, flat: &[u32], starts: &[u32]) -> Self {
        Vocabulary {
            index: TermIndex::from_stem_ids(stems, flat, starts),
            terms: OnceLock::new(),
        }
    }

    /// Whether the terms are not strictly increasing: a term appears twice or out of order (a
    /// corrupt model file).
    pub(crate) fn is_unordered(&self) -> bool {
        self.index.is_unordered()
    }

    /// Whether every term is an n-gram in `range` of non-empty stems.
    pub(crate) fn fits(&self, range: crate::features::ngrams::NgramRange) -> bool {
        let (shortest, longest) = self.index.term_lengths();
        !self.index.has_empty_stem() && shortest >= range.min() && longest <= range.max()
    }

    /// The feature index of a term.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.index.get(term)
    }

    /// The index that maps stem-id sequences to features.
    pub(crate) fn index(&self) -> &TermIndex {
        &self.index
    }

    /// The term of a feature index.
    pub fn term(&self, index: usize) -> &str {
        self.terms().get(index)
    }

    /// All terms, in feature order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        self.terms().iter()
    }

    /// All terms, in feature order.
    pub(crate) fn terms(&self) -> &Terms {
        self.terms.get_or_init(|| {
            let stems = self.index.stems();
            let mut terms = Terms::with_capacity(self.index.len());
            let mut term = String::new();
            self.index.for_each_term_ids(|ids| {
                term.clear();
                for (k, &id) in ids.iter().enumerate() {
                    if k > 0 {
                        term.push(' ');
                    }
                    term.push_str(stems.get(id as usize));
                }
                terms.push(&term);
            });
            terms
        })
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Ordering by prefix key, then by string, is ordering by string: for strings shorter
        /// and longer than the key, sharing long prefixes, holding NUL bytes and multi-byte
        /// characters.
        #[test]
        fn prefix_keys_order_as_the_strings_do(
            terms in proptest::collection::vec("(russian |a|\\x00|é|z){0,8}", 0..80),
        ) {
            let mut by_key: Vec<&str> = terms.iter().map(String::as_str).collect();
            by_key.sort_by(|a, b| prefix_key(a).cmp(&prefix_key(b)).then_with(|| a.cmp(b)));
            let mut by_string: Vec<&str> = terms.iter().map(String::as_str).collect();
            by_string.sort();
            proptest::prop_assert_eq!(by_key, by_string);
        }
    }

    fn docs(d: &[&[&str]]) -> Vec<Vec<String>> {
        d.iter()
            .map(|t| t.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    /// The vocabulary of documents given as their distinct terms, with each term's sources.
    fn fit(
        params: &VocabularyParams,
        docs: &[Vec<String>],
        sources: &[u32],
    ) -> Result<(Vocabulary, Vec<u64>), StanceError> {
        let mut stats: std::collections::BTreeMap<&str, (u64, Vec<u32>)> = Default::default();
        for (terms, &source) in docs.iter().zip(sources) {
            for t in terms {
                let s = stats.entry(t).or_default();
                s.0 += 1;
                if !s.1.contains(&source) {
                    s.1.push(source);
                }
            }
        }
        let kept = params.select(
            docs.len(),
            stats
                .into_iter()
                .map(|(t, (df, s))| (t, df, s.len()))
                .collect::<Vec<_>>()
                .into_par_iter(),
            |t, text| text.push_str(t),
        )?;
        Ok((Vocabulary::from_sorted_terms(kept.terms), kept.df))
    }

    #[test]
    fn min_df_max_df_and_order() {
        let d = docs(&[&["b", "a", "c"], &["a", "b"], &["a", "d"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(2),
            ..VocabularyParams::default()
        };
        let (v, df) = fit(&params, &d, &[0, 0, 0]).unwrap();
        assert_eq!(v.terms().iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(df, [3, 2]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            max_df: DocFreq::Fraction(0.7),
            ..VocabularyParams::default()
        };
        let (v, _) = fit(&params, &d, &[0, 0, 0]).unwrap();
        assert_eq!(v.terms().iter().collect::<Vec<_>>(), ["b", "c", "d"]);
    }

    #[test]
    fn max_features_breaks_ties_by_term() {
        let d = docs(&[&["z", "y", "x"], &["z", "y", "x"], &["w"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            max_features: Some(2),
            ..VocabularyParams::default()
        };
        assert_eq!(
            fit(&params, &d, &[0, 0, 0])
                .unwrap()
                .0
                .terms()
                .iter()
                .collect::<Vec<_>>(),
            ["x", "y"]
        );
    }

    #[test]
    fn min_sources_drops_single_outlet_idiom() {
        let d = docs(&[&["kiev", "talks"], &["kiev", "talks"], &["talks"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            min_sources: 2,
            ..VocabularyParams::default()
        };
        assert_eq!(
            fit(&params, &d, &[0, 0, 1])
                .unwrap()
                .0
                .terms()
                .iter()
                .collect::<Vec<_>>(),
            ["talks"]
        );
    }

    #[test]
    fn parses_counts_and_fractions() {
        assert_eq!("3".parse::<DocFreq>(), Ok(DocFreq::Count(3)));
        assert_eq!("0.5".parse::<DocFreq>(), Ok(DocFreq::Fraction(0.5)));
        assert!("0".parse::<DocFreq>().is_err());
        assert!("1.5".parse::<DocFreq>().is_err());
    }

    #[test]
    fn empty_vocabulary_is_an_error() {
        let d = docs(&[&["a"], &["b"]]);
        assert!(matches!(
            fit(&VocabularyParams::default(), &d, &[0, 0]),
            Err(StanceError::EmptyVocabulary)
        ));
    }
}
