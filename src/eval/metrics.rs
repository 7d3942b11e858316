//! Evaluation metrics for probabilistic classifiers: accuracy, per-label precision/recall/F1,
//! macro-F1, ROC AUC (one-vs-rest macro for more than two labels), log loss, Brier score,
//! expected calibration error, and the confusion matrix.

use serde::Serialize;

// The top label and the calibration error are the model stage's, which scoring and training
// use too; evaluation names them from here as well.
pub use crate::model::confidence::{argmax, ece, ECE_BINS};

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMetrics {
    pub label: String,
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Every metric of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// `None` when a label is missing from the truth, where AUC is undefined.
    pub roc_auc: Option<f64>,
    pub log_loss: f64,
    pub brier: f64,
    pub ece: f64,
    pub per_label: Vec<LabelMetrics>,
    /// `confusion[true][predicted]`.
    pub confusion: Vec<Vec<usize>>,
}

/// The fewest documents, and the fewest of each label, that a figure is printed for: below
/// either, `cv` prints `n/a (n=N)` and says why instead of a score from next to nothing.
pub const MIN_DOCUMENTS: usize = 10;
pub const MIN_PER_LABEL: usize = 2;

impl Metrics {
    /// Why these figures rest on too few documents to print, if they do.
    pub fn too_few(&self) -> Option<String> {
        if self.n < MIN_DOCUMENTS {
            return Some(format!(
                "n={} is fewer than {MIN_DOCUMENTS} documents",
                self.n
            ));
        }
        self.per_label
            .iter()
            .find(|l| l.support < MIN_PER_LABEL)
            .map(|l| {
                format!(
                    "label {:?} has {} document{} (fewer than {MIN_PER_LABEL})",
                    l.label,
                    l.support,
                    if l.support == 1 { "" } else { "s" }
                )
            })
    }
}

/// Area under the ROC curve of `scores` for `positive` rows (ties count half), or `None` if
/// either class is absent.
pub fn roc_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if positive[k] {
                rank_sum += avg_rank;
            }
        }
        i = j + 1;
    }
    let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

impl Metrics {
    /// Computes every metric from true label indices and predicted probabilities (one vector
    /// per row, in the order of `labels`).
    pub fn compute(labels: &[String], y: &[usize], probabilities: &[Vec<f64>]) -> Metrics {
        let k = labels.len();
        let n = y.len();
        let mut confusion = vec![vec![0usize; k]; k];
        let mut log_loss = 0.0;
        let mut brier = 0.0;
        for (&t, p) in y.iter().zip(probabilities) {
            confusion[t][argmax(p)] += 1;
            log_loss -= p[t].clamp(1e-15, 1.0).ln();
            brier += if k == 2 {
                (p[1] - f64::from(u8::from(t == 1))).powi(2)
            } else {
                p.iter()
                    .enumerate()
                    .map(|(c, v)| (v - f64::from(u8::from(c == t))).powi(2))
                    .sum()
            };
        }
        let per_label: Vec<LabelMetrics> = (0..k)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                let predicted: usize = (0..k).map(|r| confusion[r][c]).sum();
                let support: usize = confusion[c].iter().sum();
                let precision = if predicted > 0 {
                    tp / predicted as f64
                } else {
                    0.0
                };
                let recall = if support > 0 {
                    tp / support as f64
                } else {
                    0.0
                };
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                LabelMetrics {
                    label: labels[c].clone(),
                    support,
                    precision,
                    recall,
                    f1,
                }
            })
            .collect();
        let present: Vec<&LabelMetrics> = per_label.iter().filter(|m| m.support > 0).collect();
        let macro_f1 = present.iter().map(|m| m.f1).sum::<f64>() / present.len().max(1) as f64;
        let roc_auc = if k == 2 {
            let scores: Vec<f64> = probabilities.iter().map(|p| p[1]).collect();
            let pos: Vec<bool> = y.iter().map(|&t| t == 1).collect();
            roc_auc(&scores, &pos)
        } else {
            (0..k)
                .map(|c| {
                    let scores: Vec<f64> = probabilities.iter().map(|p| p[c]).collect();
                    let pos: Vec<bool> = y.iter().map(|&t| t == c).collect();
                    roc_auc(&scores, &pos)
                })
                .collect::<Option<Vec<f64>>>()
                .map(|aucs| aucs.iter().sum::<f64>() / k as f64)
        };
        let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
        let nf = n.max(1) as f64;
        Metrics {
            n,
            accuracy: correct as f64 / nf,
            macro_f1,
            roc_auc,
            log_loss: log_loss / nf,
            brier: brier / nf,
            ece: ece(y, probabilities),
            per_label,
            confusion,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(roc_auc(&[0.1, 0.9], &[false, true]), Some(1.0));
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.9, 0.1], &[false, true]), Some(0.0));
        assert_eq!(roc_auc(&[0.9], &[true]), None);
    }

    #[test]
    fn binary_metrics_by_hand() {
        let labels = vec!["a".to_string(), "b".to_string()];
        let y = [0, 0, 1, 1];
        let p = vec![
            vec![0.9, 0.1],
            vec![0.4, 0.6],
            vec![0.2, 0.8],
            vec![0.3, 0.7],
        ];
        let m = Metrics::compute(&labels, &y, &p);
        assert_eq!(m.confusion, vec![vec![1, 1], vec![0, 2]]);
        assert!((m.accuracy - 0.75).abs() < 1e-12);
        // a: P=1, R=0.5, F1=2/3; b: P=2/3, R=1, F1=0.8
        assert!((m.macro_f1 - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-12);
        assert_eq!(m.roc_auc, Some(1.0));
        let brier = (0.01 + 0.36 + 0.04 + 0.09) / 4.0;
        assert!((m.brier - brier).abs() < 1e-12);
    }

    #[test]
    fn perfectly_calibrated_bins_have_zero_ece() {
        let y = [0, 0, 0, 0];
        let p = vec![vec![1.0, 0.0]; 4];
        assert_eq!(ece(&y, &p), 0.0);
    }
}
