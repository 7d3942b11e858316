//! Exact explanations. The model is linear, so a text's logit is the intercept plus one
//! contribution per feature, `x_j * w_j` (its TF-IDF value times its weight): no sampling, no
//! randomness, and the parts sum to the logit up to float rounding.
//!
//! Each feature is reported with the words that produced it in the text (`"Kiev regime"`, not
//! the stems `kiev regim`) and their byte spans, so a consumer can highlight them. For a binary
//! model the logit is `ln(p(second label) / p(first label))`; a feature's contribution toward
//! the first label is minus its contribution toward the second. For a multinomial model each
//! label has its own logit and weights.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::model::fitted::Model;
use crate::predict::score::{ArticleScore, Prediction};

/// One feature's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct TermContribution {
    pub feature: u32,
    /// The stemmed n-gram (`kiev regim`).
    pub term: String,
    /// The distinct surface forms in the text (`Kiev regime`), in order of appearance.
    pub surface: Vec<String>,
    /// Byte spans of every occurrence in the text.
    pub spans: Vec<Range<usize>>,
    /// The TF-IDF value.
    pub value: f64,
    /// Contribution to each label's logit, in label order.
    pub contributions: Vec<f64>,
}

/// Everything behind one text's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub score: ArticleScore,
    /// Each label's logit (for a binary model: `[-z, z]` with `z = ln(p1 / p0)`), before
    /// calibration.
    pub logits: Vec<f64>,
    /// Each label's intercept, in the same convention.
    pub intercepts: Vec<f64>,
    /// Every feature present, in feature order.
    pub terms: Vec<TermContribution>,
    /// Every token kept by masking and the tokenizer: byte span and stem.
    pub tokens: Vec<(Range<usize>, String)>,
    /// The byte ranges removed by masking.
    pub masked: Vec<Range<usize>>,
}

impl Explanation {
    /// The `n` terms pushing hardest toward label `label`, strongest first.
    pub fn top_terms(&self, label: usize, n: usize) -> Vec<&TermContribution> {
        let mut terms: Vec<&TermContribution> = self
            .terms
            .iter()
            .filter(|t| t.contributions[label] > 0.0)
            .collect();
        terms.sort_by(|a, b| {
            b.contributions[label]
                .total_cmp(&a.contributions[label])
                .then(a.feature.cmp(&b.feature))
        });
        terms.truncate(n);
        terms
    }
}

/// A what-if: the text with words replaced, and how far each label's probability moved.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapEffect {
    /// `from=to` pairs applied.
    pub swaps: Vec<(String, String)>,
    /// How many words were replaced.
    pub replaced: usize,
    pub prediction: Prediction,
    /// New probability minus old, per label.
    pub delta: Vec<f64>,
}

/// Replaces whole words equal to `from` (case-insensitively) by `to`, keeping an initial
/// capital. Returns the new text and the number of replacements.
pub fn swap_words(text: &str, from: &str, to: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut last = 0;
    let from_lower = from.to_lowercase();
    let mut start = None;
    let flush_word = |out: &mut String, word: Range<usize>, last: &mut usize, count: &mut usize| {
        let w = &text[word.clone()];
        if w.to_lowercase() == from_lower {
            out.push_str(&text[*last..word.start]);
            if w.chars().next().is_some_and(char::is_uppercase) {
                let mut chars = to.chars();
                if let Some(c) = chars.next() {
                    out.extend(c.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(to);
            }
            *last = word.end;
            *count += 1;
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            flush_word(&mut out, s..i, &mut last, &mut count);
        }
    }
    if let Some(s) = start {
        flush_word(&mut out, s..text.len(), &mut last, &mut count);
    }
    out.push_str(&text[last..]);
    (out, count)
}

/// The exact explanation of a text's score, with paragraphs ([`Model::explain`]). The text is
/// read as scoring reads it, into stem ids, so the row, and so every contribution, is the one
/// the score came from.
pub(crate) fn explain(model: &Model, text: &str) -> Explanation {
    let featurizer = model.featurizer();
    let classifier = model.classifier();
    let tokens = featurizer.id_tokens_with_stems(text);
    let stems: Vec<u32> = tokens.iter().map(|(t, _)| t.stem).collect();
    let (row, _) = featurizer.transform_stem_ids(&stems);
    let mut occurrences: BTreeMap<u32, Vec<Range<usize>>> = BTreeMap::new();
    featurizer.for_each_feature(&stems, |feature, window| {
        let span = tokens[window.start].0.span.start..tokens[window.end - 1].0.span.end;
        occurrences.entry(feature).or_default().push(span);
    });
    let binary = classifier.is_binary();
    let weights = classifier.weights();
    let per_label = |w_index: usize, x: f64, j: usize| -> f64 { x * weights[w_index][j] };
    let terms = row
        .indices
        .iter()
        .zip(&row.values)
        .map(|(&j, &x)| {
            let contributions = if binary {
                let c = per_label(0, x, j as usize);
                vec![-c, c]
            } else {
                (0..weights.len())
                    .map(|c| per_label(c, x, j as usize))
                    .collect()
            };
            let spans = occurrences.remove(&j).unwrap_or_default();
            let mut surface: Vec<String> = Vec::new();
            for s in &spans {
                let form = text[s.clone()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !surface.contains(&form) {
                    surface.push(form);
                }
            }
            TermContribution {
                feature: j,
                term: featurizer.vocabulary().term(j as usize).to_string(),
                surface,
                spans,
                value: x,
                contributions,
            }
        })
        .collect();
    let raw = classifier.logits(&row);
    let intercepts = classifier.intercepts();
    let (logits, intercepts) = if binary {
        (vec![-raw[0], raw[0]], vec![-intercepts[0], intercepts[0]])
    } else {
        (raw, intercepts.to_vec())
    };
    Explanation {
        score: model.score(text, true),
        logits,
        intercepts,
        terms,
        tokens: tokens.into_iter().map(|(t, stem)| (t.span, stem)).collect(),
        masked: featurizer.masked_spans(text),
    }
}

/// Rescores `text` after each `from=to` swap on its own and after all of them together (the
/// last entry) ([`Model::swap_effects`]).
pub(crate) fn swap_effects(
    model: &Model,
    text: &str,
    swaps: &[(String, String)],
) -> Vec<SwapEffect> {
    let base = model.predict(text).probabilities;
    let effect = |pairs: &[(String, String)]| {
        let mut t = text.to_string();
        let mut replaced = 0;
        for (from, to) in pairs {
            let (next, n) = swap_words(&t, from, to);
            t = next;
            replaced += n;
        }
        let prediction = model.predict(&t);
        let delta = prediction
            .probabilities
            .iter()
            .zip(&base)
            .map(|(a, b)| a - b)
            .collect();
        SwapEffect {
            swaps: pairs.to_vec(),
            replaced,
            prediction,
            delta,
        }
    };
    let mut out: Vec<SwapEffect> = swaps
        .iter()
        .map(|s| effect(std::slice::from_ref(s)))
        .collect();
    if swaps.len() > 1 {
        out.push(effect(swaps));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_whole_words_keeping_capitals() {
        assert_eq!(
            swap_words("Kiev and kiev, not Kievan.", "kiev", "kyiv"),
            ("Kyiv and kyiv, not Kievan.".to_string(), 2)
        );
        assert_eq!(swap_words("no match", "kiev", "kyiv").1, 0);
    }
}
