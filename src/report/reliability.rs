//! Calibration and errors against true labels: the reliability diagram (is a prediction made
//! with probability 0.8 right 80% of the time?) and the confusion matrix.

use serde::Serialize;

use crate::report::wilson::Share;

/// One bin of the reliability diagram: predictions whose top probability falls in
/// `[low, high)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    /// The mean top probability in the bin.
    pub confidence: f64,
    /// The share of the bin's predictions that are right.
    pub accuracy: Share,
}

/// The reliability diagram's bins (empty ones left out) and the expected calibration error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    pub bins: Vec<ReliabilityBin>,
    /// `sum over bins of n_b / N * |accuracy_b - confidence_b|`.
    pub ece: f64,
}

/// The diagram for (top probability, correct) pairs, over `bins` equal bins of [0, 1].
pub fn reliability(predictions: &[(f64, bool)], bins: usize) -> Reliability {
    let bins = bins.max(1);
    let mut n = vec![0usize; bins];
    let mut right = vec![0usize; bins];
    let mut conf = vec![0.0; bins];
    for &(p, correct) in predictions {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        n[b] += 1;
        right[b] += usize::from(correct);
        conf[b] += p;
    }
    let total = predictions.len().max(1) as f64;
    let mut ece = 0.0;
    let mut out = Vec::new();
    for b in 0..bins {
        if n[b] == 0 {
            continue;
        }
        let confidence = conf[b] / n[b] as f64;
        let accuracy = Share::new(right[b], n[b]);
        ece += n[b] as f64 / total * (accuracy.share.unwrap_or(0.0) - confidence).abs();
        out.push(ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            confidence,
            accuracy,
        });
    }
    Reliability { bins: out, ece }
}

/// Counts of (true label, predicted label). True labels need not be the model's: a
/// researcher's own labels show as their own rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    /// Row names: the true labels found, sorted.
    pub truths: Vec<String>,
    /// Column names: the model's labels.
    pub predicted: Vec<String>,
    /// `counts[t][p]`.
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    /// The matrix of `(truth, predicted index)` pairs.
    pub fn new<'a>(pairs: impl Iterator<Item = (&'a str, usize)>, labels: &[String]) -> Self {
        let pairs: Vec<(&str, usize)> = pairs.collect();
        let mut truths: Vec<String> = pairs.iter().map(|(t, _)| t.to_string()).collect();
        truths.sort();
        truths.dedup();
        let mut counts = vec![vec![0; labels.len()]; truths.len()];
        for (t, p) in pairs {
            if let Ok(row) = truths.binary_search_by(|x| x.as_str().cmp(t)) {
                counts[row][p] += 1;
            }
        }
        Confusion {
            truths,
            predicted: labels.to_vec(),
            counts,
        }
    }

    /// Documents counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_and_calibration_error() {
        // Bin [0.9, 1]: two predictions at 0.95, one right: |0.5 - 0.95| = 0.45.
        // Bin [0.6, 0.7): one at 0.65, right: |1 - 0.65| = 0.35. ECE = 2/3 0.45 + 1/3 0.35.
        let r = reliability(&[(0.95, true), (0.95, false), (0.65, true)], 10);
        assert_eq!(r.bins.len(), 2);
        assert_eq!((r.bins[0].low, r.bins[0].accuracy.count), (0.6, 1));
        assert!((r.bins[1].confidence - 0.95).abs() < 1e-12);
        assert!((r.ece - (2.0 / 3.0 * 0.45 + 1.0 / 3.0 * 0.35)).abs() < 1e-12);
        // A probability of exactly 1 goes in the last bin.
        assert_eq!(reliability(&[(1.0, true)], 10).bins[0].low, 0.9);
    }

    #[test]
    fn confusion_rows_are_true_labels() {
        let labels = ["a".to_string(), "b".to_string()];
        let c = Confusion::new(
            [("b", 0), ("a", 0), ("b", 1), ("x", 1)].into_iter(),
            &labels,
        );
        assert_eq!(c.truths, ["a", "b", "x"]);
        assert_eq!(c.counts, [[1, 0], [1, 1], [0, 1]]);
        assert_eq!(c.total(), 4);
    }
}
