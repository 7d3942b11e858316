//! An explanation written out: the JSON object that `stance explain --format json` prints and
//! the Python binding's `model.explain()` returns, so that the two are one shape by
//! construction. Keys: `label`, `probabilities`, `logits`, `intercept`, `evidence`,
//! `uncertain`, `calibrated`, `top_terms` (per label), `terms` (every feature in the text with
//! its byte spans and per-label contributions), `paragraphs`, `tokens`, `masked` and `swaps`.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeSeq, Serializer};

use crate::model::evidence::Evidence;
use crate::model::fitted::Model;
use crate::predict::explain::{Explanation, SwapEffect};
use crate::predict::record::{ByLabel, ParagraphLine};

/// A byte range `[start, end)`, written as a two-element list (a list, not a tuple, in Python
/// too).
struct Span(usize, usize);

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&self.0)?;
        seq.serialize_element(&self.1)?;
        seq.end()
    }
}

/// An explanation as `stance explain --format json` prints it.
#[derive(serde::Serialize)]
pub struct ExplanationRecord<'a> {
    /// `null` on a tie or a text not in the model's language.
    label: Option<&'a str>,
    probabilities: ByLabel<'a>,
    logits: ByLabel<'a>,
    intercept: ByLabel<'a>,
    evidence: &'a Evidence,
    uncertain: bool,
    calibrated: bool,
    top_terms: BTreeMap<&'a str, Vec<TopTerm<'a>>>,
    terms: Vec<Term<'a>>,
    paragraphs: Vec<ParagraphLine<'a>>,
    tokens: Vec<Token<'a>>,
    masked: Vec<Span>,
    swaps: Vec<Swap<'a>>,
}

/// One of a label's strongest terms.
#[derive(serde::Serialize)]
struct TopTerm<'a> {
    feature: &'a str,
    surface: &'a [String],
    contribution: f64,
}

/// A feature present in the text and what it adds to each label's logit.
#[derive(serde::Serialize)]
struct Term<'a> {
    feature: &'a str,
    index: u32,
    surface: &'a [String],
    spans: Vec<Span>,
    value: f64,
    contributions: ByLabel<'a>,
}

#[derive(serde::Serialize)]
struct Token<'a> {
    start: usize,
    end: usize,
    stem: &'a str,
}

/// A what-if swap and how it moves each label's probability.
#[derive(serde::Serialize)]
struct Swap<'a> {
    swaps: Vec<String>,
    replaced: usize,
    probabilities: ByLabel<'a>,
    delta: ByLabel<'a>,
}

impl<'a> ExplanationRecord<'a> {
    /// The record of `e`, an explanation by `model`, with `top` terms per label and the what-if
    /// `effects`.
    pub fn new(
        model: &'a Model,
        e: &'a Explanation,
        effects: &'a [SwapEffect],
        top: usize,
    ) -> Self {
        let labels = model.labels();
        let p = &e.score.prediction;
        let span = |s: &std::ops::Range<usize>| Span(s.start, s.end);
        ExplanationRecord {
            label: p.label_name(),
            probabilities: ByLabel(labels, &p.probabilities),
            logits: ByLabel(labels, &e.logits),
            intercept: ByLabel(labels, &e.intercepts),
            evidence: &p.evidence,
            uncertain: p.uncertain,
            calibrated: model.calibration().is_some(),
            top_terms: labels
                .iter()
                .enumerate()
                .map(|(l, name)| {
                    let terms = e
                        .top_terms(l, top)
                        .into_iter()
                        .map(|t| TopTerm {
                            feature: &t.term,
                            surface: &t.surface,
                            contribution: t.contributions[l],
                        })
                        .collect();
                    (name.as_str(), terms)
                })
                .collect(),
            terms: e
                .terms
                .iter()
                .map(|t| Term {
                    feature: &t.term,
                    index: t.feature,
                    surface: &t.surface,
                    spans: t.spans.iter().map(span).collect(),
                    value: t.value,
                    contributions: ByLabel(labels, &t.contributions),
                })
                .collect(),
            paragraphs: e
                .score
                .paragraphs
                .iter()
                .map(|q| ParagraphLine::new(labels, q))
                .collect(),
            tokens: e
                .tokens
                .iter()
                .map(|(s, stem)| Token {
                    start: s.start,
                    end: s.end,
                    stem,
                })
                .collect(),
            masked: e.masked.iter().map(span).collect(),
            swaps: effects
                .iter()
                .map(|s| Swap {
                    swaps: s.swaps.iter().map(|(a, b)| format!("{a}={b}")).collect(),
                    replaced: s.replaced,
                    probabilities: ByLabel(labels, &s.prediction.probabilities),
                    delta: ByLabel(labels, &s.delta),
                })
                .collect(),
        }
    }
}
