//! Scoring: an article's label probabilities and, on request, each paragraph's.
//!
//! The text is masked and tokenized once; each paragraph is scored from the tokens inside its
//! span, so n-grams never cross a paragraph boundary and the cost stays O(tokens).

use std::ops::Range;

use crate::features::featurizer::{IdToken, TermCoverage};
use crate::features::sparse::SparseRow;
use crate::model::evidence::Evidence;
use crate::model::fitted::Model;
use crate::text::paragraphs::split_paragraphs;

/// Label probabilities for one text, in the model's label order, and the most probable label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index of the most probable label (the first of equals).
    pub label: usize,
    pub probabilities: Vec<f64>,
    /// How much of the text the model used.
    pub evidence: Evidence,
    /// Whether the evidence is thin or the probabilities too close to call.
    pub uncertain: bool,
}

/// A paragraph's span (byte offsets into the article) and its prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct ParagraphScore {
    pub index: usize,
    pub span: Range<usize>,
    pub prediction: Prediction,
}

/// An article's prediction and, when asked for, its paragraphs'.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleScore {
    pub prediction: Prediction,
    pub paragraphs: Vec<ParagraphScore>,
}

impl Model {
    /// The prediction for a text's stem ids: their row and term coverage come from one pass.
    /// An article is read as one row, even by a model trained on passages. (Averaging the rows
    /// of its passages instead keeps an article's logit on the passage scale, but was measured
    /// to lose the Press TV seed, whose framing sits in a few of its passages.)
    fn predict_stems(&self, stems: &[u32]) -> Prediction {
        let (row, coverage) = self.featurizer().transform_stem_ids(stems);
        self.predict_row(stems.len(), coverage, &row)
    }

    fn predict_row(&self, tokens: usize, coverage: TermCoverage, row: &SparseRow) -> Prediction {
        let (terms, known) = (coverage.terms, coverage.known);
        let classifier = self.classifier();
        // One pass over the row: each term's absolute contribution, and whether it has any.
        let mut signal = 0.0;
        let mut weighted = 0;
        for (&j, &v) in row.indices.iter().zip(&row.values) {
            let mut any = false;
            for w in &classifier.weights {
                let wj = w[j as usize];
                signal += (v * wj).abs();
                any |= wj != 0.0;
            }
            weighted += usize::from(any);
        }
        // An empty sum is -0.0, which would print as a negative signal.
        signal = signal / classifier.weights.len() as f64 + 0.0;
        let evidence = Evidence {
            tokens,
            known: if terms == 0 {
                0.0
            } else {
                known as f64 / terms as f64
            },
            signal,
            terms: weighted,
        };
        let logits = classifier.logits(row);
        let mut probabilities = self.probabilities_from_logits(&logits);
        self.uncertainty().cool(&mut probabilities, &evidence);
        let label = crate::eval::metrics::argmax(&probabilities);
        Prediction {
            label,
            uncertain: self.uncertainty().is_uncertain(&probabilities, &evidence),
            probabilities,
            evidence,
        }
    }

    /// The prediction for a whole text.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_stems(&self.featurizer().stem_ids(text))
    }

    /// The article's prediction, and each paragraph's when `paragraphs` is set.
    pub fn score(&self, text: &str, paragraphs: bool) -> ArticleScore {
        let tokens = self.featurizer().id_tokens(text);
        let stems: Vec<u32> = tokens.iter().map(|t| t.stem).collect();
        let prediction = self.predict_stems(&stems);
        let mut scores = Vec::new();
        if paragraphs {
            // A paragraph is passage-sized already: it is read whole.
            let spans = split_paragraphs(text);
            for (index, (span, range)) in
                spans.iter().zip(token_ranges(&tokens, &spans)).enumerate()
            {
                scores.push(ParagraphScore {
                    index,
                    span: span.clone(),
                    prediction: self.predict_stems(&stems[range]),
                });
            }
        }
        ArticleScore {
            prediction,
            paragraphs: scores,
        }
    }
}

/// The token index range inside each of `spans` (sorted, non-overlapping byte ranges).
pub fn token_ranges(tokens: &[IdToken], spans: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut at = 0;
    for span in spans {
        while at < tokens.len() && tokens[at].span.start < span.start {
            at += 1;
        }
        let first = at;
        while at < tokens.len() && tokens[at].span.end <= span.end {
            at += 1;
        }
        out.push(first..at);
    }
    out
}
