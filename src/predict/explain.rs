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

/// A what-if: the text with words or phrases replaced, and how far each label's probability
/// moved.
#[derive(Debug, Clone, PartialEq)]
pub struct SwapEffect {
    /// `from=to` pairs applied.
    pub swaps: Vec<(String, String)>,
    /// How many occurrences of the `from` words or phrases were replaced; 0 when none is in
    /// the text.
    pub replaced: usize,
    pub prediction: Prediction,
    /// New probability minus old, per label.
    pub delta: Vec<f64>,
}

/// The byte ranges of the words of `text`: maximal runs of letters and digits.
fn word_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            spans.push(s..i);
        }
    }
    if let Some(s) = start {
        spans.push(s..text.len());
    }
    spans
}

/// What lies between two words, with each run of whitespace read as one space, so that a
/// phrase matches across line breaks and double spaces but `pro-Russian` does not match
/// `pro Russian`.
fn separator(between: &str) -> String {
    let mut out = String::with_capacity(between.len());
    for c in between.chars() {
        if !c.is_whitespace() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

/// Replaces every occurrence of the word or phrase `from` by `to`, keeping an initial capital.
/// A phrase matches on word boundaries, word by word case-insensitively, with the same
/// punctuation between its words (any whitespace counts as one space): `kiev regime` matches
/// `Kiev  regime` but neither `Kiev regimes` nor `Kiev, regime`. Punctuation around `from` is
/// ignored. Returns the new text and the number of replacements.
pub fn swap_words(text: &str, from: &str, to: &str) -> (String, usize) {
    let pattern = word_spans(from);
    if pattern.is_empty() {
        return (text.to_string(), 0);
    }
    let words: Vec<String> = pattern
        .iter()
        .map(|w| from[w.clone()].to_lowercase())
        .collect();
    let separators: Vec<String> = pattern
        .windows(2)
        .map(|w| separator(&from[w[0].end..w[1].start]))
        .collect();
    let spans = word_spans(text);
    let n = words.len();
    let matches_at = |i: usize| {
        (0..n).all(|k| {
            text[spans[i + k].clone()].to_lowercase() == words[k]
                && (k == 0
                    || separator(&text[spans[i + k - 1].end..spans[i + k].start])
                        == separators[k - 1])
        })
    };
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut last = 0;
    let mut i = 0;
    while i + n <= spans.len() {
        if !matches_at(i) {
            i += 1;
            continue;
        }
        let (start, end) = (spans[i].start, spans[i + n - 1].end);
        out.push_str(&text[last..start]);
        if text[start..].chars().next().is_some_and(char::is_uppercase) {
            let mut chars = to.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(to);
        }
        last = end;
        count += 1;
        i += n;
    }
    out.push_str(&text[last..]);
    (out, count)
}

impl Model {
    /// The exact explanation of a text's score, with paragraphs. The text is
    /// read as scoring reads it, into stem ids, so the row, and so every contribution, is the one
    /// the score came from.
    pub fn explain(&self, text: &str) -> Explanation {
        let model = self;
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
    pub fn swap_effects(&self, text: &str, swaps: &[(String, String)]) -> Vec<SwapEffect> {
        let model = self;
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

    #[test]
    fn swaps_phrases_on_word_boundaries() {
        assert_eq!(
            swap_words(
                "The Kiev regime and the kiev\n  REGIME; Kiev regimes, Kiev, regime.",
                "kiev regime",
                "kyiv government"
            ),
            (
                "The Kyiv government and the kyiv government; Kiev regimes, Kiev, regime."
                    .to_string(),
                2
            )
        );
        assert_eq!(
            swap_words("pro-Russian and pro Russian", "pro-russian", "x"),
            ("x and pro Russian".to_string(), 1)
        );
        // Punctuation around FROM is not part of the phrase; a FROM without a word matches
        // nothing.
        assert_eq!(swap_words("Kiev.", " kiev. ", "kyiv").0, "Kyiv.");
        assert_eq!(swap_words("a -- b", "--", "x"), ("a -- b".to_string(), 0));
        // Matches do not overlap, and multi-byte letters keep their boundaries.
        assert_eq!(swap_words("a a a", "a a", "b"), ("b a".to_string(), 1));
        assert_eq!(
            swap_words("Ünïcode Wörter", "ünïcode wörter", "x"),
            ("X".to_string(), 1)
        );
    }
}
