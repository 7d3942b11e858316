//! Evidence: how much of a text the model actually used, and when to call a score uncertain.
//!
//! Many texts carry no framing at all (a trade-fair press release, a sports report); a linear
//! model still outputs a probability for them, driven by the intercept and a few stray terms.
//! Evidence makes that visible:
//!
//! - `tokens`: the words left after masking and stop words;
//! - `known`: the share of the text's n-gram terms that are in the vocabulary;
//! - `signal`: the total absolute contribution of those terms to the logit,
//!   `sum_j |x_j * w_j|` (averaged over outputs for multinomial models). An empty or off-topic
//!   text has a small signal; an article dense with framing terms a large one.
//!
//! - `terms`: how many distinct terms of the text carry a non-zero weight.
//!
//! A score is `uncertain` when the signal is below the policy's `min_signal`, when the text
//! has fewer than [`MIN_TOKENS`] tokens or no weighted term, or when the top probability is
//! within `band` of a coin toss (below `0.5 + band` for two labels; within `2 * band` of the
//! runner-up for more).
//!
//! Evidence also moves probabilities. Rows are L2-normalised, so one word alone ("Kiev")
//! carries the weight of a whole document's worth of words, and a text with no weighted term
//! would get the intercept's probabilities, which say nothing about the text. So:
//! - a text with no weighted term gets exactly uniform probabilities;
//! - otherwise the logits are cooled by the text's length: `softmax(lambda * z)` with
//!   `lambda = tokens / (tokens + prior_tokens)`, where `z` are the (calibrated) log
//!   probabilities. Under a prior of 10, a one-word text keeps a tenth of its logit, a
//!   30-word paragraph three quarters, an article of hundreds of words almost all of it.
//!
//! Cooling works on logits, not by mixing probabilities with the uniform ones: a mix adds
//! `(1 - lambda) / K` to every probability, which swamps the small probabilities of confident
//! articles and reorders them by length (it cost 0.02 dev-set AUC; models/model-card.md).
//! Cooling keeps the order of articles of similar length. It comes after calibration, which is
//! fitted on whole documents, where `lambda` is close to 1.

use serde::{Deserialize, Serialize};

/// How much of a text the model used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub tokens: usize,
    pub known: f64,
    pub signal: f64,
    /// Distinct terms with a non-zero weight.
    #[serde(default)]
    pub terms: usize,
}

/// Texts with fewer tokens than this are uncertain, whatever the model says.
pub const MIN_TOKENS: usize = 4;

/// The `prior_tokens` training gives a model: a text of this many tokens keeps half its logit.
pub const DEFAULT_PRIOR_TOKENS: f64 = 10.0;

/// When a score is reported as uncertain; saved in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyPolicy {
    /// Scores with less signal than this are uncertain. Training sets it to the 10th percentile
    /// of the training rows' signal (documents, or passages when training on passages); defaults to `0.0` (off) in files without a policy.
    pub min_signal: f64,
    /// Half-width of the probability band around a coin toss; defaults to `0.1`.
    pub band: f64,
    /// Texts with a smaller share of known terms are uncertain: little of the text is the kind
    /// of text the model was trained on. Training sets it to the 10th percentile over the
    /// training documents; defaults to `0.0` (off) in files without it.
    #[serde(default)]
    pub min_known: f64,
    /// How many tokens count as much as the uniform prior (see the module doc); defaults to
    /// `0.0` (no mixing, except that a text with no weighted term is uniform) in files without
    /// it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub prior_tokens: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl Default for UncertaintyPolicy {
    fn default() -> Self {
        UncertaintyPolicy {
            min_signal: 0.0,
            band: 0.1,
            min_known: 0.0,
            prior_tokens: 0.0,
        }
    }
}

/// The percentile of training-document signal below which a text counts as low-evidence.
pub const MIN_SIGNAL_PERCENTILE: f64 = 0.10;

impl UncertaintyPolicy {
    /// Whether a prediction with these probabilities and this evidence is uncertain.
    pub fn is_uncertain(&self, probabilities: &[f64], evidence: &Evidence) -> bool {
        // Written so that NaN anywhere (a corrupt model) counts as uncertain.
        if evidence.signal.is_nan()
            || evidence.signal < self.min_signal
            || evidence.known < self.min_known
            || evidence.tokens < MIN_TOKENS
            || evidence.terms == 0
        {
            return true;
        }
        if probabilities.iter().any(|p| !p.is_finite()) {
            return true;
        }
        let mut sorted = probabilities.to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        match sorted.as_slice() {
            [top, second, ..] => top - second < 2.0 * self.band,
            _ => true,
        }
    }

    /// A policy whose `min_signal` and `min_known` are the [`MIN_SIGNAL_PERCENTILE`] of the
    /// training documents' evidence.
    pub fn from_training_evidence(evidence: &[Evidence], band: f64) -> Self {
        let percentile = |values: Vec<f64>| {
            let mut s: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
            s.sort_by(f64::total_cmp);
            if s.is_empty() {
                0.0
            } else {
                s[((s.len() - 1) as f64 * MIN_SIGNAL_PERCENTILE).round() as usize]
            }
        };
        UncertaintyPolicy {
            min_signal: percentile(evidence.iter().map(|e| e.signal).collect()),
            band,
            min_known: percentile(evidence.iter().map(|e| e.known).collect()),
            prior_tokens: DEFAULT_PRIOR_TOKENS,
        }
    }

    /// Cools `probabilities` by the text's length, or makes them uniform when the text has no
    /// weighted term (see the module doc).
    pub fn cool(&self, probabilities: &mut [f64], evidence: &Evidence) {
        let k = probabilities.len() as f64;
        if evidence.terms == 0 {
            probabilities.iter_mut().for_each(|p| *p = 1.0 / k);
            return;
        }
        if self.prior_tokens == 0.0 {
            return;
        }
        let t = evidence.tokens as f64;
        let lambda = t / (t + self.prior_tokens);
        // log p is the logit up to a constant, which the softmax removes; a probability that
        // underflowed to 0 stays 0.
        let max = probabilities
            .iter()
            .map(|p| lambda * p.ln())
            .fold(f64::NEG_INFINITY, f64::max);
        let mut sum = 0.0;
        for p in probabilities.iter_mut() {
            *p = (lambda * p.ln() - max).exp();
            sum += *p;
        }
        probabilities.iter_mut().for_each(|p| *p /= sum);
    }

    /// Whether the values are usable.
    pub fn is_valid(&self) -> bool {
        self.min_signal.is_finite()
            && self.min_signal >= 0.0
            && (0.0..0.5).contains(&self.band)
            && (0.0..=1.0).contains(&self.min_known)
            && self.prior_tokens.is_finite()
            && self.prior_tokens >= 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(signal: f64) -> Evidence {
        Evidence {
            tokens: 10,
            known: 0.5,
            signal,
            terms: 1,
        }
    }

    #[test]
    fn band_signal_and_known_share_make_a_score_uncertain() {
        let policy = UncertaintyPolicy {
            min_signal: 1.0,
            band: 0.1,
            min_known: 0.2,
            prior_tokens: 0.0,
        };
        assert!(policy.is_uncertain(&[0.45, 0.55], &ev(5.0)));
        assert!(!policy.is_uncertain(&[0.2, 0.8], &ev(5.0)));
        assert!(policy.is_uncertain(&[0.2, 0.8], &ev(0.5)));
        assert!(policy.is_uncertain(
            &[0.2, 0.8],
            &Evidence {
                tokens: 10,
                known: 0.1,
                signal: 5.0,
                terms: 1,
            }
        ));
        assert!(policy.is_uncertain(
            &[0.2, 0.8],
            &Evidence {
                tokens: 0,
                known: 0.0,
                signal: 0.0,
                terms: 0,
            }
        ));
        assert!(policy.is_uncertain(&[0.4, 0.35, 0.25], &ev(5.0)));
        // Too short, or no weighted term, whatever the probabilities.
        let short = Evidence {
            tokens: 3,
            ..ev(5.0)
        };
        assert!(policy.is_uncertain(&[0.2, 0.8], &short));
        let unweighted = Evidence {
            terms: 0,
            ..ev(5.0)
        };
        assert!(policy.is_uncertain(&[0.2, 0.8], &unweighted));
    }

    #[test]
    fn cooling_is_uniform_without_terms_and_fades_with_length() {
        let policy = UncertaintyPolicy {
            prior_tokens: 10.0,
            ..UncertaintyPolicy::default()
        };
        let mut p = [0.1, 0.9];
        policy.cool(
            &mut p,
            &Evidence {
                terms: 0,
                ..ev(5.0)
            },
        );
        assert_eq!(p, [0.5, 0.5]);
        // Ten tokens under a prior of ten: half the logit.
        let mut p = [0.1, 0.9];
        policy.cool(
            &mut p,
            &Evidence {
                tokens: 10,
                ..ev(5.0)
            },
        );
        let expect = 1.0 / (1.0 + (-0.5 * (0.9f64 / 0.1).ln()).exp());
        assert!((p[1] - expect).abs() < 1e-12, "{p:?}");
        assert!((p[0] + p[1] - 1.0).abs() < 1e-12);
        // Long texts keep nearly all of it, and the order of two equally long texts stays.
        let (mut a, mut b) = ([0.3, 0.7], [0.2, 0.8]);
        let long = Evidence {
            tokens: 1000,
            ..ev(5.0)
        };
        policy.cool(&mut a, &long);
        policy.cool(&mut b, &long);
        assert!(b[1] > a[1] && (a[1] - 0.7).abs() < 0.01);
        // A certain probability stays certain.
        let mut p = [0.0, 1.0];
        policy.cool(&mut p, &long);
        assert_eq!(p, [0.0, 1.0]);
    }

    #[test]
    fn thresholds_are_the_tenth_percentile() {
        let evidence: Vec<Evidence> = (0..=100)
            .map(|i| Evidence {
                tokens: 5,
                known: f64::from(i) / 100.0,
                signal: f64::from(i),
                terms: 1,
            })
            .collect();
        let policy = UncertaintyPolicy::from_training_evidence(&evidence, 0.1);
        assert_eq!(policy.min_signal, 10.0);
        assert_eq!(policy.min_known, 0.1);
    }

    #[test]
    fn nan_is_never_certain() {
        let policy = UncertaintyPolicy {
            min_signal: 0.0,
            band: 0.1,
            min_known: 0.0,
            prior_tokens: 0.0,
        };
        assert!(policy.is_uncertain(&[f64::NAN, f64::NAN], &ev(5.0)));
        assert!(policy.is_uncertain(&[0.0, 1.0], &ev(f64::NAN)));
    }
}
