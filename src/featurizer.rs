//! The featurizer: the pipeline from raw text to a TF-IDF row,
//! `mask -> tokenize -> stem -> n-grams -> vocabulary -> tf-idf`.
//!
//! [`FeaturizerParams`] is the unfitted, checked configuration; [`FeaturizerParams::fit`] is the
//! only way to get a [`Featurizer`], which is the only type that can transform text. Everything
//! that shapes features lives in the params plus the fitted vocabulary and IDF, all of which are
//! saved in the model file, so scoring reproduces training exactly.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::StanceError;
use crate::mask::{MaskRules, Masker};
use crate::ngrams::NgramRange;
use crate::sparse::{CsrMatrix, SparseRow};
use crate::tfidf::{Tfidf, TfidfParams};
use crate::tokenize::{Tokenizer, TokenizerConfig};
use crate::vocabulary::{Vocabulary, VocabularyParams};

/// Everything that shapes features before fitting. Each part documents its own defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeaturizerParams {
    pub mask: MaskRules,
    pub tokenizer: TokenizerConfig,
    pub ngram_range: NgramRange,
    pub vocabulary: VocabularyParams,
    pub tfidf: TfidfParams,
}

/// How many n-gram terms a text had, and how many of them are in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TermCoverage {
    pub terms: usize,
    pub known: usize,
}

/// One stemmed token of a text, with its byte span in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StemmedToken {
    pub span: Range<usize>,
    pub stem: String,
}

/// The compiled, unfitted front half of the pipeline (mask, tokenize, stem, n-grams), shared by
/// fitting and transforming.
#[derive(Debug)]
struct Analyzer {
    masker: Masker,
    tokenizer: Tokenizer,
    ngram_range: NgramRange,
}

impl Analyzer {
    fn new(params: &FeaturizerParams) -> Result<Self, StanceError> {
        params.vocabulary.check()?;
        Ok(Analyzer {
            masker: params.mask.compile()?,
            tokenizer: Tokenizer::new(&params.tokenizer),
            ngram_range: params.ngram_range,
        })
    }

    fn stemmed_tokens(&self, text: &str) -> Vec<StemmedToken> {
        let masked = self.masker.mask(text);
        let mut out = Vec::new();
        self.tokenizer.for_each_token(text, &masked, |span, word| {
            out.push(StemmedToken {
                span,
                stem: self.tokenizer.stem(word).into_owned(),
            })
        });
        out
    }

    /// Calls `f` with every n-gram term of `text`, with the token index range it covers.
    fn for_each_term(&self, tokens: &[StemmedToken], mut f: impl FnMut(&str, Range<usize>)) {
        let mut buf = String::new();
        self.ngram_range.for_each_window(tokens.len(), |w| {
            buf.clear();
            for (k, t) in tokens[w.clone()].iter().enumerate() {
                if k > 0 {
                    buf.push(' ');
                }
                buf.push_str(&t.stem);
            }
            f(&buf, w);
        });
    }

    fn distinct_terms(&self, text: &str) -> Vec<String> {
        let tokens = self.stemmed_tokens(text);
        let mut terms = Vec::new();
        self.for_each_term(&tokens, |t, _| terms.push(t.to_string()));
        terms.sort_unstable();
        terms.dedup();
        terms
    }
}

impl FeaturizerParams {
    /// Fits the vocabulary and IDF on `texts`, where `sources[i]` identifies the outlet of
    /// `texts[i]` (used only by `min_sources`), and returns the fitted featurizer together with
    /// the training matrix.
    pub fn fit(
        &self,
        texts: &[&str],
        sources: &[u32],
    ) -> Result<(Featurizer, CsrMatrix), StanceError> {
        let featurizer = self.fit_vocabulary(texts, sources)?;
        let matrix = featurizer.transform_many(texts);
        Ok((featurizer, matrix))
    }

    /// Fits the vocabulary and IDF on `texts` without transforming them.
    pub fn fit_vocabulary(
        &self,
        texts: &[&str],
        sources: &[u32],
    ) -> Result<Featurizer, StanceError> {
        let analyzer = Analyzer::new(self)?;
        let doc_terms: Vec<Vec<String>> = texts
            .par_iter()
            .map(|t| analyzer.distinct_terms(t))
            .collect();
        let (vocabulary, df) = self.vocabulary.fit(&doc_terms, sources)?;
        drop(doc_terms);
        let tfidf = self.tfidf.fit(&df, texts.len());
        Ok(Featurizer {
            params: self.clone(),
            analyzer,
            vocabulary,
            tfidf,
        })
    }
}

/// A fitted featurizer: turns any text into a TF-IDF row over the training vocabulary.
#[derive(Debug)]
pub struct Featurizer {
    params: FeaturizerParams,
    analyzer: Analyzer,
    vocabulary: Vocabulary,
    tfidf: Tfidf,
}

impl Featurizer {
    /// Rebuilds a fitted featurizer from saved parts (the model file).
    pub fn from_parts(
        params: FeaturizerParams,
        vocabulary: Vocabulary,
        tfidf: Tfidf,
    ) -> Result<Self, StanceError> {
        Ok(Featurizer {
            analyzer: Analyzer::new(&params)?,
            params,
            vocabulary,
            tfidf,
        })
    }

    /// The parameters it was fitted with.
    pub fn params(&self) -> &FeaturizerParams {
        &self.params
    }

    /// The fitted vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The fitted IDF weights.
    pub fn tfidf(&self) -> &Tfidf {
        &self.tfidf
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// The stemmed tokens of `text` that survive masking and the tokenizer policies.
    pub fn stemmed_tokens(&self, text: &str) -> Vec<StemmedToken> {
        self.analyzer.stemmed_tokens(text)
    }

    /// Calls `f` for every token of `text` that masking and the tokenizer keep, without
    /// stemming; the tokenize-only pass of `stance bench`.
    pub fn for_each_raw_token(&self, text: &str, f: impl FnMut(Range<usize>, &str)) {
        let masked = self.analyzer.masker.mask(text);
        self.analyzer.tokenizer.for_each_token(text, &masked, f);
    }

    /// The byte ranges that masking removes from `text`.
    pub fn masked_spans(&self, text: &str) -> Vec<Range<usize>> {
        self.analyzer.masker.mask(text)
    }

    /// Calls `f(feature, token_range)` for every n-gram of `tokens` that is in the vocabulary.
    pub fn for_each_feature(&self, tokens: &[StemmedToken], mut f: impl FnMut(u32, Range<usize>)) {
        self.analyzer.for_each_term(tokens, |term, w| {
            if let Some(i) = self.vocabulary.get(term) {
                f(i, w)
            }
        });
    }

    /// The TF-IDF row of one text.
    pub fn transform(&self, text: &str) -> SparseRow {
        let tokens = self.analyzer.stemmed_tokens(text);
        self.transform_tokens(&tokens)
    }

    /// The TF-IDF row of already-stemmed tokens.
    pub fn transform_tokens(&self, tokens: &[StemmedToken]) -> SparseRow {
        self.transform_counted(tokens).0
    }

    /// The TF-IDF row of already-stemmed tokens, and how many of their n-gram terms there were
    /// and how many of those are in the vocabulary, from one pass over the n-grams.
    pub fn transform_counted(&self, tokens: &[StemmedToken]) -> (SparseRow, TermCoverage) {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        let mut coverage = TermCoverage::default();
        self.analyzer.for_each_term(tokens, |term, _| {
            coverage.terms += 1;
            if let Some(i) = self.vocabulary.get(term) {
                coverage.known += 1;
                *counts.entry(i).or_insert(0) += 1;
            }
        });
        let mut counts: Vec<(u32, u32)> = counts.into_iter().collect();
        counts.sort_unstable_by_key(|&(i, _)| i);
        (self.tfidf.weigh(&counts), coverage)
    }

    /// The TF-IDF rows of many texts, in parallel, in input order.
    pub fn transform_many(&self, texts: &[&str]) -> CsrMatrix {
        let rows: Vec<SparseRow> = texts.par_iter().map(|t| self.transform(t)).collect();
        CsrMatrix::from_rows(rows, self.n_features())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::DocFreq;

    fn params() -> FeaturizerParams {
        FeaturizerParams {
            vocabulary: VocabularyParams {
                min_df: DocFreq::Count(1),
                ..VocabularyParams::default()
            },
            ..FeaturizerParams::default()
        }
    }

    #[test]
    fn fit_then_transform_reproduces_training_rows() {
        let texts = [
            "The Kiev regime sabotaged the Minsk agreements.",
            "Russia's invasion of Ukraine; Kyiv said.",
            "MOSCOW, February 12. /TASS/: the Kiev regime again.",
        ];
        let (f, m) = params().fit(&texts, &[0, 1, 0]).unwrap();
        assert_eq!(m.n_rows(), 3);
        for (i, t) in texts.iter().enumerate() {
            let row = f.transform(t);
            assert_eq!(m.row(i), (&row.indices[..], &row.values[..]));
        }
        assert!(f.vocabulary().get("kiev regim").is_some());
        assert!(
            f.vocabulary().get("tass").is_none(),
            "outlet names are masked"
        );
    }

    #[test]
    fn unknown_words_give_an_empty_row() {
        let (f, _) = params()
            .fit(&["alpha beta", "gamma delta"], &[0, 0])
            .unwrap();
        assert_eq!(f.transform("zeta eta").nnz(), 0);
    }
}
