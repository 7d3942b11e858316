//! The vocabulary: which n-gram terms become features, fitted on the training corpus.
//!
//! Filters, in the order applied: `min_df` and `max_df` (document frequency, as a count or as a
//! fraction of documents, like scikit-learn), `min_sources` (the number of distinct outlets that
//! use a term, so one outlet's idiom cannot become a feature by itself), then `max_features`
//! (the most frequent terms by document frequency, ties broken by the term). The final order is
//! by term, so the same corpus always gives the same feature indices.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{ParamError, StanceError};

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
        if self.max_features == Some(0) {
            return Err(ParamError::MaxFeatures(0));
        }
        if self.min_sources == 0 {
            return Err(ParamError::MinSources(0));
        }
        Ok(())
    }

    /// Fits the vocabulary from each document's distinct terms and source id. Returns the
    /// vocabulary and each kept term's document frequency.
    pub fn fit(
        &self,
        doc_terms: &[Vec<String>],
        doc_sources: &[u32],
    ) -> Result<(Vocabulary, Vec<u64>), StanceError> {
        self.check()?;
        struct Stats {
            df: u64,
            last_doc: usize,
            sources: Vec<u32>,
        }
        let mut stats: HashMap<&str, Stats> = HashMap::new();
        for (d, terms) in doc_terms.iter().enumerate() {
            let source = doc_sources.get(d).copied().unwrap_or(0);
            for term in terms {
                let s = stats.entry(term.as_str()).or_insert(Stats {
                    df: 0,
                    last_doc: usize::MAX,
                    sources: Vec::new(),
                });
                if s.last_doc != d {
                    s.last_doc = d;
                    s.df += 1;
                    // Only the first `min_sources` distinct sources matter.
                    if s.sources.len() < self.min_sources && !s.sources.contains(&source) {
                        s.sources.push(source);
                    }
                }
            }
        }
        let n_docs = doc_terms.len();
        let min_df = self.min_df.resolve(n_docs, true);
        let max_df = self.max_df.resolve(n_docs, false);
        let mut kept: Vec<(&str, u64)> = stats
            .into_iter()
            .filter(|(_, s)| {
                s.df >= min_df && s.df <= max_df && s.sources.len() >= self.min_sources
            })
            .map(|(t, s)| (t, s.df))
            .collect();
        if let Some(limit) = self.max_features {
            if kept.len() > limit {
                kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                kept.truncate(limit);
            }
        }
        if kept.is_empty() {
            return Err(StanceError::EmptyVocabulary);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let df = kept.iter().map(|&(_, df)| df).collect();
        let terms = kept.into_iter().map(|(t, _)| t.to_string()).collect();
        Ok((Vocabulary::from_sorted_terms(terms), df))
    }
}

/// The fitted vocabulary: terms in feature-index order, with a lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    terms: Vec<String>,
    index: HashMap<String, u32>,
}

impl Vocabulary {
    /// Builds the lookup table for terms already in feature order.
    pub fn from_sorted_terms(terms: Vec<String>) -> Self {
        let index = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Vocabulary { terms, index }
    }

    /// Whether any term appears twice (a corrupt model file).
    pub fn has_duplicates(&self) -> bool {
        self.index.len() != self.terms.len()
    }

    /// The feature index of a term.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.index.get(term).copied()
    }

    /// The term of a feature index.
    pub fn term(&self, index: usize) -> &str {
        &self.terms[index]
    }

    /// All terms, in feature order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(d: &[&[&str]]) -> Vec<Vec<String>> {
        d.iter()
            .map(|t| t.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn min_df_max_df_and_order() {
        let d = docs(&[&["b", "a", "c"], &["a", "b"], &["a", "d"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(2),
            ..VocabularyParams::default()
        };
        let (v, df) = params.fit(&d, &[0, 0, 0]).unwrap();
        assert_eq!(v.terms(), ["a", "b"]);
        assert_eq!(df, [3, 2]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            max_df: DocFreq::Fraction(0.7),
            ..VocabularyParams::default()
        };
        let (v, _) = params.fit(&d, &[0, 0, 0]).unwrap();
        assert_eq!(v.terms(), ["b", "c", "d"]);
    }

    #[test]
    fn max_features_breaks_ties_by_term() {
        let d = docs(&[&["z", "y", "x"], &["z", "y", "x"], &["w"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            max_features: Some(2),
            ..VocabularyParams::default()
        };
        assert_eq!(params.fit(&d, &[0, 0, 0]).unwrap().0.terms(), ["x", "y"]);
    }

    #[test]
    fn min_sources_drops_single_outlet_idiom() {
        let d = docs(&[&["kiev", "talks"], &["kiev", "talks"], &["talks"]]);
        let params = VocabularyParams {
            min_df: DocFreq::Count(1),
            min_sources: 2,
            ..VocabularyParams::default()
        };
        assert_eq!(params.fit(&d, &[0, 0, 1]).unwrap().0.terms(), ["talks"]);
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
            VocabularyParams::default().fit(&d, &[0, 0]),
            Err(StanceError::EmptyVocabulary)
        ));
    }
}
