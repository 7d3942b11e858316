//! Cross-validation: the out-of-fold predictions of training on every fold's training part
//! (the training stage's `out_of_fold`), scored per fold and pooled, with how well the
//! `uncertain` flag separates weak predictions from strong ones.

use serde::Serialize;

use crate::error::StanceError;
use crate::eval::metrics::{argmax, Metrics};
use crate::io::corpus::Document;
use crate::train::folds::{FoldPlan, GroupBy};
use crate::train::out_of_fold::{out_of_fold, OutOfFold};
use crate::train::{fit_oof_calibration, CheckedTrainParams, OofCalibration};

pub use crate::train::out_of_fold::OofPrediction;

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
    /// Each document's out-of-fold prediction (`None` for a document in a skipped fold).
    #[serde(skip)]
    pub predictions: Vec<Option<OofPrediction>>,
    /// How the `uncertain` flag splits the out-of-fold predictions.
    pub uncertainty: UncertaintySplit,
    pub notes: Vec<String>,
}

/// Cross-validates `params` on `docs` with the folds of `plan`: trains on each fold's training
/// part, predicts its test part (`out_of_fold`), and scores the predictions per fold and
/// pooled. A fold that cannot be run is skipped with a note saying why.
pub fn cross_validate(
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
) -> Result<CvResult, StanceError> {
    let run = out_of_fold(docs, labels, params, plan)?;
    let oof = run.probabilities();
    let folds = run
        .folds
        .iter()
        .map(|fold| {
            let ty: Vec<usize> = fold.test.iter().map(|&i| y[i]).collect();
            let tp: Vec<Vec<f64>> = fold.test.iter().map(|&i| oof[i].clone()).collect();
            FoldResult {
                fold: fold.fold,
                n_train: fold.n_train,
                metrics: Metrics::compute(labels, &ty, &tp),
            }
        })
        .collect();
    let OutOfFold {
        predictions, notes, ..
    } = run;
    let uncertain: Vec<bool> = predictions
        .iter()
        .map(|p| p.as_ref().is_some_and(|p| p.uncertain))
        .collect();
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
        predictions,
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

/// A cross-validation with one grouping, or why the data cannot support that grouping.
#[derive(Debug, Clone)]
pub enum GroupedCv {
    Ran(Box<CvResult>),
    /// No fold could run; the reason says why (the data lacks what the grouping needs, or
    /// every fold was skipped).
    Skipped(String),
}

/// Plans `k` folds grouped by `group_by` (seeded by `seed`) and cross-validates `params` on
/// them, or says why the data cannot support the grouping: a month grouping without dates,
/// a source grouping without sources, or a plan in which no fold can run.
pub fn cross_validate_grouped(
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
    k: usize,
    group_by: GroupBy,
    seed: u64,
) -> Result<GroupedCv, StanceError> {
    if let Some(reason) = FoldPlan::unsupported(docs, group_by) {
        return Ok(GroupedCv::Skipped(reason));
    }
    let plan = FoldPlan::new(docs, labels, y, k, group_by, seed);
    let result = cross_validate(docs, labels, y, params, &plan)?;
    if result.folds.is_empty() {
        return Ok(GroupedCv::Skipped(format!(
            "no fold could run ({})",
            result.notes.join("; ")
        )));
    }
    Ok(GroupedCv::Ran(Box::new(result)))
}
