//! The shape of `model.explain()` records: the fields, names and nesting of
//! `stance explain --format json` (`cli/explain.rs`'s `Report`). That struct is private to its
//! command, so it is written out again here over the library's shared pieces (`ParagraphLine`,
//! `ByLabel`, `Evidence`), and the Python tests compare every record with the CLI's output, so
//! that the two cannot drift apart unnoticed. `model.score()` records need no copy: they are the
//! library's `ScoredRecord`, which `stance score --format jsonl` writes too.

use std::collections::BTreeMap;

use serde::Serialize;

use stance::model::evidence::Evidence;
use stance::predict::explain::{Explanation, SwapEffect};
use stance::Model;

use stance::predict::record::{ByLabel, ParagraphLine};

/// The explanation as `stance explain --format json` prints it.
#[derive(Serialize)]
pub struct Report<'a> {
    label: &'a str,
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
    masked: Vec<Vec<usize>>,
    swaps: Vec<Swap<'a>>,
}

#[derive(Serialize)]
struct TopTerm<'a> {
    feature: &'a str,
    surface: &'a [String],
    contribution: f64,
}

#[derive(Serialize)]
struct Term<'a> {
    feature: &'a str,
    index: u32,
    surface: &'a [String],
    spans: Vec<Vec<usize>>,
    value: f64,
    contributions: ByLabel<'a>,
}

#[derive(Serialize)]
struct Token<'a> {
    start: usize,
    end: usize,
    stem: &'a str,
}

#[derive(Serialize)]
struct Swap<'a> {
    swaps: Vec<String>,
    replaced: usize,
    probabilities: ByLabel<'a>,
    delta: ByLabel<'a>,
}

impl<'a> Report<'a> {
    pub fn new(
        model: &'a Model,
        e: &'a Explanation,
        effects: &'a [SwapEffect],
        top: usize,
    ) -> Self {
        let labels = model.labels();
        let p = &e.score.prediction;
        // Lists, not arrays: pythonize turns a Rust array into a tuple, JSON into a list.
        let span = |s: &std::ops::Range<usize>| vec![s.start, s.end];
        Report {
            label: &labels[p.label],
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
