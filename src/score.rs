//! Scoring: an article's label probabilities and, on request, each paragraph's.
//!
//! The text is masked and tokenized once; each paragraph is scored from the tokens inside its
//! span, so n-grams never cross a paragraph boundary and the cost stays O(tokens).

use std::ops::Range;

use crate::featurizer::StemmedToken;
use crate::model::Model;
use crate::paragraphs::split_paragraphs;

/// Label probabilities for one text, in the model's label order, and the most probable label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index of the most probable label (the first of equals).
    pub label: usize,
    pub probabilities: Vec<f64>,
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

impl Prediction {
    fn from_probabilities(probabilities: Vec<f64>) -> Self {
        let mut label = 0;
        for (i, p) in probabilities.iter().enumerate() {
            if *p > probabilities[label] {
                label = i;
            }
        }
        Prediction {
            label,
            probabilities,
        }
    }
}

impl Model {
    fn predict_tokens(&self, tokens: &[StemmedToken]) -> Prediction {
        let row = self.featurizer().transform_tokens(tokens);
        let logits = self.classifier().logits(&row);
        Prediction::from_probabilities(self.probabilities_from_logits(&logits))
    }

    /// The prediction for a whole text.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_tokens(&self.featurizer().stemmed_tokens(text))
    }

    /// The article's prediction, and each paragraph's when `paragraphs` is set.
    pub fn score(&self, text: &str, paragraphs: bool) -> ArticleScore {
        let tokens = self.featurizer().stemmed_tokens(text);
        let prediction = self.predict_tokens(&tokens);
        let mut scores = Vec::new();
        if paragraphs {
            let mut at = 0;
            for (index, span) in split_paragraphs(text).into_iter().enumerate() {
                while at < tokens.len() && tokens[at].span.start < span.start {
                    at += 1;
                }
                let first = at;
                while at < tokens.len() && tokens[at].span.end <= span.end {
                    at += 1;
                }
                scores.push(ParagraphScore {
                    index,
                    span,
                    prediction: self.predict_tokens(&tokens[first..at]),
                });
            }
        }
        ArticleScore {
            prediction,
            paragraphs: scores,
        }
    }
}
