//! The training data's profile: quantiles of the evidence (known-term share, signal and length
//! in tokens) of the training documents as the fitted model scores them. Saved in the model
//! file, it lets scoring tell a corpus unlike the training data from one like it
//! (`report::domain`); a model without one (files from before it existed) gives no warning.
//!
//! Quantiles are nearest-rank over the sorted finite values, as the uncertainty policy's
//! thresholds are, so the same documents give the same profile to the bit.

use serde::{Deserialize, Serialize};

use crate::model::evidence::Evidence;

/// The quantile levels a profile records.
pub const PROFILE_LEVELS: [f64; 9] = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

/// Quantiles of the training documents' evidence, one per level of `levels`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingProfile {
    /// The documents the quantiles are over.
    pub documents: usize,
    pub levels: Vec<f64>,
    /// Quantiles of the share of a document's n-gram terms that are in the vocabulary.
    pub known: Vec<f64>,
    /// Quantiles of the summed absolute contribution of a document's terms to the logit.
    pub signal: Vec<f64>,
    /// Quantiles of a document's length in tokens (after masking and stop words).
    pub tokens: Vec<f64>,
}

/// The nearest-rank quantile of sorted values at `level`; 0 for none.
fn quantile(sorted: &[f64], level: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * level).round() as usize]
}

fn quantiles(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    PROFILE_LEVELS
        .iter()
        .map(|&l| quantile(&sorted, l))
        .collect()
}

impl TrainingProfile {
    /// The profile of the training documents' evidence.
    pub fn from_evidence(evidence: &[Evidence]) -> Self {
        TrainingProfile {
            documents: evidence.len(),
            levels: PROFILE_LEVELS.to_vec(),
            known: quantiles(evidence.iter().map(|e| e.known)),
            signal: quantiles(evidence.iter().map(|e| e.signal)),
            tokens: quantiles(evidence.iter().map(|e| e.tokens as f64)),
        }
    }

    /// The quantiles of known share, signal and tokens at `level`, if the profile records it.
    pub fn at(&self, level: f64) -> Option<[f64; 3]> {
        let i = self.levels.iter().position(|l| *l == level)?;
        Some([
            *self.known.get(i)?,
            *self.signal.get(i)?,
            *self.tokens.get(i)?,
        ])
    }

    /// Why this profile cannot be a model's, if it cannot: lengths that differ, levels outside
    /// (0, 1) or unsorted, or quantiles not finite and non-decreasing.
    pub fn problem(&self) -> Option<String> {
        let n = self.levels.len();
        if [&self.known, &self.signal, &self.tokens]
            .iter()
            .any(|q| q.len() != n)
        {
            return Some("the training profile's quantile lists differ in length".into());
        }
        let sorted =
            |v: &[f64]| v.iter().all(|x| x.is_finite()) && v.windows(2).all(|w| w[0] <= w[1]);
        if !self.levels.iter().all(|l| *l > 0.0 && *l < 1.0) || !sorted(&self.levels) {
            return Some("the training profile's levels are not sorted within (0, 1)".into());
        }
        if ![&self.known, &self.signal, &self.tokens]
            .iter()
            .all(|q| sorted(q))
        {
            return Some("the training profile's quantiles are not finite and sorted".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(i: usize) -> Evidence {
        Evidence {
            tokens: i,
            known: i as f64 / 100.0,
            signal: 2.0 * i as f64,
            terms: 1,
        }
    }

    #[test]
    fn quantiles_are_nearest_rank_and_checked() {
        let docs: Vec<Evidence> = (0..=100).map(evidence).collect();
        let p = TrainingProfile::from_evidence(&docs);
        assert_eq!(p.at(0.05), Some([0.05, 10.0, 5.0]));
        assert_eq!(p.at(0.5), Some([0.5, 100.0, 50.0]));
        assert_eq!(p.at(0.3), None);
        assert_eq!(p.problem(), None);
        let mut bad = p.clone();
        bad.signal.reverse();
        assert!(bad.problem().is_some());
        bad = p;
        bad.tokens.pop();
        assert!(bad.problem().is_some());
    }
}
