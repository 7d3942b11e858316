//! Cross-validation: train on every fold's training part, predict its test part, and pool the
//! out-of-fold predictions. Folds run in parallel; each is deterministic, so results do not
//! depend on the thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::StanceError;
use crate::eval::folds::FoldPlan;
use crate::eval::metrics::{argmax, Metrics};
use crate::io::corpus::Document;
use crate::train::{check_label_count, train, CheckedTrainParams};
use crate::train::{fit_oof_calibration, OofCalibration};

/// One fold's result.
#[derive(Debug, Clone, Serialize)]
pub struct FoldResult {
    pub fold: usize,
    pub n_train: usize,
    pub metrics: Metrics,
}

/// How well the `uncertain` flag separates weak predictions from strong ones, out of fold.
#[derive(Debug, Clone, Serialize)]
pub struct UncertaintySplit {
    /// The share of predictions flagged uncertain.
    pub share: f64,
    /// Accuracy of the predictions not flagged.
    pub accuracy_certain: Option<f64>,
    /// Accuracy of the flagged ones.
    pub accuracy_uncertain: Option<f64>,
}

/// A whole cross-validation run.
#[derive(Debug, Clone, Serialize)]
pub struct CvResult {
    pub folds: Vec<FoldResult>,
    /// Metrics over all out-of-fold predictions together.
    pub pooled: Metrics,
    /// Out-of-fold probabilities per document (empty for a document in a skipped fold).
    #[serde(skip)]
    pub oof: Vec<Vec<f64>>,
    /// How the `uncertain` flag splits the out-of-fold predictions.
    pub uncertainty: UncertaintySplit,
    pub notes: Vec<String>,
}

/// A fold's result with its test predictions `(document, probabilities)`, or `None` for a
/// fold that could not be run.
type FoldOutcome = Result<Option<(FoldResult, Vec<(usize, Vec<f64>, bool)>)>, StanceError>;

/// Runs cross-validation of `params` on `docs` with the folds of `plan`.
pub fn cross_validate(
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
) -> Result<CvResult, StanceError> {
    check_label_count(labels.len())?;
    let results: Vec<FoldOutcome> = (0..plan.k)
        .into_par_iter()
        .map(|f| {
            let (train_idx, test_idx) = plan.split(f);
            if test_idx.is_empty() {
                return Ok(None);
            }
            let train_docs: Vec<Document> = train_idx.iter().map(|&i| docs[i].clone()).collect();
            let (model, _) = match train(&train_docs, params, &mut |_| {}) {
                Ok(m) => m,
                Err(StanceError::SingleLabel(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            // The fold's model may order labels differently if a label is absent; map back.
            let map: Vec<usize> = model
                .labels()
                .iter()
                .map(|l| labels.iter().position(|x| x == l).unwrap_or(0))
                .collect();
            let preds: Vec<(usize, Vec<f64>, bool)> = test_idx
                .iter()
                .map(|&i| {
                    let prediction = model.predict(&docs[i].text);
                    let mut full = vec![0.0; labels.len()];
                    for (c, v) in prediction.probabilities.into_iter().enumerate() {
                        full[map[c]] = v;
                    }
                    (i, full, prediction.uncertain)
                })
                .collect();
            let ty: Vec<usize> = test_idx.iter().map(|&i| y[i]).collect();
            let tp: Vec<Vec<f64>> = preds.iter().map(|(_, p, _)| p.clone()).collect();
            Ok(Some((
                FoldResult {
                    fold: f,
                    n_train: train_idx.len(),
                    metrics: Metrics::compute(labels, &ty, &tp),
                },
                preds,
            )))
        })
        .collect();
    let mut folds = Vec::new();
    let mut oof = vec![Vec::new(); docs.len()];
    let mut uncertain = vec![false; docs.len()];
    let mut notes = plan.notes.clone();
    for (f, r) in results.into_iter().enumerate() {
        match r? {
            Some((fold, preds)) => {
                for (i, p, u) in preds {
                    oof[i] = p;
                    uncertain[i] = u;
                }
                folds.push(fold);
            }
            None => notes.push(format!(
                "fold {f} skipped: no test documents, or a single label in training"
            )),
        }
    }
    let (py, pp): (Vec<usize>, Vec<Vec<f64>>) = oof
        .iter()
        .zip(y)
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, &t)| (t, p.clone()))
        .unzip();
    let pooled = Metrics::compute(labels, &py, &pp);
    let (mut counts, mut correct) = ([0usize; 2], [0usize; 2]);
    for ((p, &t), &u) in oof.iter().zip(y).zip(&uncertain) {
        if !p.is_empty() {
            counts[usize::from(u)] += 1;
            correct[usize::from(u)] += usize::from(argmax(p) == t);
        }
    }
    let accuracy = |k: usize| (counts[k] > 0).then(|| correct[k] as f64 / counts[k] as f64);
    let uncertainty = UncertaintySplit {
        share: counts[1] as f64 / (counts[0] + counts[1]).max(1) as f64,
        accuracy_certain: accuracy(0),
        accuracy_uncertain: accuracy(1),
    };
    Ok(CvResult {
        folds,
        pooled,
        oof,
        uncertainty,
        notes,
    })
}

impl CvResult {
    /// Fits Platt scaling (two labels) or temperature scaling (more) on this run's out-of-fold
    /// predictions ([`fit_oof_calibration`]).
    pub fn calibrate(&self, n_labels: usize, y: &[usize]) -> Result<OofCalibration, StanceError> {
        fit_oof_calibration(&self.oof, n_labels, y)
    }
}
