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
//! A score is `uncertain` when the signal is below the policy's `min_signal`, or when the top
//! probability is within `band` of a coin toss (below `0.5 + band` for two labels; within
//! `2 * band` of the runner-up for more).

use serde::{Deserialize, Serialize};

/// How much of a text the model used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub tokens: usize,
    pub known: f64,
    pub signal: f64,
}

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
}

impl Default for UncertaintyPolicy {
    fn default() -> Self {
        UncertaintyPolicy {
            min_signal: 0.0,
            band: 0.1,
            min_known: 0.0,
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
            || evidence.tokens == 0
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
        }
    }

    /// Whether the values are usable.
    pub fn is_valid(&self) -> bool {
        self.min_signal.is_finite()
            && self.min_signal >= 0.0
            && (0.0..0.5).contains(&self.band)
            && (0.0..=1.0).contains(&self.min_known)
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
        }
    }

    #[test]
    fn band_signal_and_known_share_make_a_score_uncertain() {
        let policy = UncertaintyPolicy {
            min_signal: 1.0,
            band: 0.1,
            min_known: 0.2,
        };
        assert!(policy.is_uncertain(&[0.45, 0.55], &ev(5.0)));
        assert!(!policy.is_uncertain(&[0.2, 0.8], &ev(5.0)));
        assert!(policy.is_uncertain(&[0.2, 0.8], &ev(0.5)));
        assert!(policy.is_uncertain(
            &[0.2, 0.8],
            &Evidence {
                tokens: 10,
                known: 0.1,
                signal: 5.0
            }
        ));
        assert!(policy.is_uncertain(
            &[0.2, 0.8],
            &Evidence {
                tokens: 0,
                known: 0.0,
                signal: 0.0
            }
        ));
        assert!(policy.is_uncertain(&[0.4, 0.35, 0.25], &ev(5.0)));
    }

    #[test]
    fn thresholds_are_the_tenth_percentile() {
        let evidence: Vec<Evidence> = (0..=100)
            .map(|i| Evidence {
                tokens: 5,
                known: f64::from(i) / 100.0,
                signal: f64::from(i),
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
        };
        assert!(policy.is_uncertain(&[f64::NAN, f64::NAN], &ev(5.0)));
        assert!(policy.is_uncertain(&[0.0, 1.0], &ev(f64::NAN)));
    }
}
