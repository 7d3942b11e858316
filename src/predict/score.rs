//! Scoring: an article's label probabilities and, on request, each paragraph's.
//!
//! The text is masked and tokenized once; each paragraph is scored from the tokens inside its
//! span, so n-grams never cross a paragraph boundary and the cost stays O(tokens).

use std::ops::Range;
use std::sync::Arc;

use crate::features::featurizer::{IdToken, TermCoverage};
use crate::features::sparse::SparseRow;
use crate::model::evidence::Evidence;
use crate::model::fitted::Model;
use crate::text::paragraphs::split_paragraphs;

/// Label probabilities for one text, in the model's label order, and the most probable label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index of the most probable label; [`Prediction::label_name`] names it. `None` when two
    /// labels tie exactly for the top (no label is picked), or when the text is not in the
    /// model's language ([`ArticleScore::language`]). Such a prediction is uncertain.
    pub label: Option<usize>,
    pub probabilities: Vec<f64>,
    /// How much of the text the model used.
    pub evidence: Evidence,
    /// Whether the evidence is thin or the probabilities too close to call.
    pub uncertain: bool,
    /// The model's labels, shared with it.
    labels: Arc<[String]>,
}

impl Prediction {
    /// The name of the most probable label, or `None` when there is none (see
    /// [`Prediction::label`]).
    pub fn label_name(&self) -> Option<&str> {
        self.label.map(|l| self.labels[l].as_str())
    }

    /// The index of the highest probability, the first of equals: for showing a probability
    /// next to a label. It is not a claim; [`Prediction::label`] is.
    pub fn top(&self) -> usize {
        crate::model::confidence::argmax(&self.probabilities)
    }

    /// The label's name, or `none` (written where a table needs a word).
    pub fn label_or_none(&self) -> &str {
        self.label_name().unwrap_or("none")
    }

    /// No label for a text the model cannot read: the probabilities stay, as the model's
    /// arithmetic, but nothing is claimed from them.
    fn withhold(&mut self) {
        self.label = None;
        self.uncertain = true;
    }

    /// The model's labels, in the order of [`Prediction::probabilities`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
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
    /// The article's language (ISO 639-1) when it can be told (`crate::text::detect`).
    pub language: Option<&'static str>,
    /// Whether that language is not the model's: then the article and its paragraphs get no
    /// label and are uncertain.
    pub foreign: bool,
}

/// The prediction for a text's stem ids: their row and term coverage come from one pass.
/// An article is read as one row, even by a model trained on passages. (Averaging the rows
/// of its passages instead keeps an article's logit on the passage scale, but was measured
/// to lose the Press TV seed, whose framing sits in a few of its passages.)
fn predict_stems(model: &Model, stems: &[u32]) -> Prediction {
    let (row, coverage) = model.featurizer().transform_stem_ids(stems);
    predict_row(model, stems.len(), coverage, &row)
}

pub(crate) fn predict_row(
    model: &Model,
    tokens: usize,
    coverage: TermCoverage,
    row: &SparseRow,
) -> Prediction {
    let (terms, known) = (coverage.terms, coverage.known);
    let classifier = model.classifier();
    // One pass over the row: each term's absolute contribution, and whether it has any.
    let mut signal = 0.0;
    let mut weighted = 0;
    for (&j, &v) in row.indices.iter().zip(&row.values) {
        let mut any = false;
        for w in classifier.weights() {
            let wj = w[j as usize];
            signal += (v * wj).abs();
            any |= wj != 0.0;
        }
        weighted += usize::from(any);
    }
    // An empty sum is -0.0, which would print as a negative signal.
    signal = signal / classifier.weights().len() as f64 + 0.0;
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
    let mut probabilities = model.probabilities_from_logits(&logits);
    model.uncertainty().cool(&mut probabilities, &evidence);
    let label = unique_argmax(&probabilities);
    Prediction {
        label,
        uncertain: label.is_none() || model.uncertainty().is_uncertain(&probabilities, &evidence),
        probabilities,
        evidence,
        labels: Arc::clone(classifier.shared_labels()),
    }
}

/// The most probable label, or `None` when another is exactly as probable: a tie (such as
/// the 0.5/0.5 of a text without a known word) must not pick the first label.
pub fn unique_argmax(p: &[f64]) -> Option<usize> {
    let best = crate::model::confidence::argmax(p);
    let tied = p
        .iter()
        .enumerate()
        .any(|(i, v)| i != best && *v == p[best]);
    (!tied).then_some(best)
}

impl Model {
    /// The prediction for a whole text. Its language is not checked ([`Model::score`] checks
    /// it): evaluation uses this, and reads the probabilities.
    pub fn predict(&self, text: &str) -> Prediction {
        predict_stems(self, &self.featurizer().stem_ids(text))
    }

    /// The article's prediction, and each paragraph's when `paragraphs` is set; no label
    /// when the article is not in the model's language ([`ArticleScore::foreign`]).
    pub fn score(&self, text: &str, paragraphs: bool) -> ArticleScore {
        let own = self.language();
        let language = crate::text::detect::detect(text, own);
        let foreign = language.is_some_and(|l| l != own.code());
        let mut score = score_tokens(self, text, paragraphs);
        if foreign {
            score.prediction.withhold();
            for p in &mut score.paragraphs {
                p.prediction.withhold();
            }
        }
        ArticleScore {
            language,
            foreign,
            ..score
        }
    }
}

fn score_tokens(model: &Model, text: &str, paragraphs: bool) -> ArticleScore {
    let tokens = model.featurizer().id_tokens(text);
    let stems: Vec<u32> = tokens.iter().map(|t| t.stem).collect();
    let prediction = predict_stems(model, &stems);
    let mut scores = Vec::new();
    if paragraphs {
        // A paragraph is passage-sized already: it is read whole.
        let spans = split_paragraphs(text);
        for (index, (span, range)) in spans.iter().zip(token_ranges(&tokens, &spans)).enumerate() {
            scores.push(ParagraphScore {
                index,
                span: span.clone(),
                prediction: predict_stems(model, &stems[range]),
            });
        }
    }
    ArticleScore {
        prediction,
        paragraphs: scores,
        language: None,
        foreign: false,
    }
}

/// The token index range inside each of `spans` (sorted, non-overlapping byte ranges).
pub(crate) fn token_ranges(tokens: &[IdToken], spans: &[Range<usize>]) -> Vec<Range<usize>> {
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
