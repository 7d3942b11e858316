//! Cross-validation: train on every fold's training part, predict its test part, and pool the
//! out-of-fold predictions. Folds run in parallel; each is deterministic, so results do not
//! depend on the thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::StanceError;
use crate::eval::folds::{FoldPlan, GroupBy};
use crate::eval::metrics::{argmax, Metrics};
use crate::io::corpus::Document;
use crate::model::evidence::{Evidence, UncertaintyPolicy};
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
    /// Each document's out-of-fold prediction (`None` for a document in a skipped fold).
    #[serde(skip)]
    pub predictions: Vec<Option<OofPrediction>>,
    /// How the `uncertain` flag splits the out-of-fold predictions.
    pub uncertainty: UncertaintySplit,
    pub notes: Vec<String>,
}

/// One document's out-of-fold prediction: made by the model of the fold that tested it.
#[derive(Debug, Clone, PartialEq)]
pub struct OofPrediction {
    /// The fold that tested the document.
    pub fold: usize,
    /// Probabilities over all the data's labels (a label the fold's training part lacked
    /// gets 0).
    pub probabilities: Vec<f64>,
    pub evidence: Evidence,
    pub uncertain: bool,
    /// The cut-offs `uncertain` was decided by: the fold's model's.
    pub policy: UncertaintyPolicy,
}

/// What became of one fold: its result and its test documents' predictions, or why it was
/// skipped.
enum FoldOutcome {
    Ran(FoldResult, Vec<(usize, OofPrediction)>),
    Skipped(String),
}

/// Runs cross-validation of `params` on `docs` with the folds of `plan`. A fold that cannot
/// be run (no test documents, no training documents, or a single label in training) is
/// skipped with a note saying why.
pub fn cross_validate(
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
) -> Result<CvResult, StanceError> {
    check_label_count(labels.len())?;
    let results: Vec<Result<FoldOutcome, StanceError>> = (0..plan.k)
        .into_par_iter()
        .map(|f| {
            let (train_idx, test_idx) = plan.split(f);
            if test_idx.is_empty() {
                // The plan's notes say why.
                return Ok(FoldOutcome::Skipped(String::new()));
            }
            if train_idx.is_empty() {
                return Ok(FoldOutcome::Skipped(format!(
                    "fold {f} skipped: it tests every document, so there is nothing to train on"
                )));
            }
            let train_docs: Vec<Document> = train_idx.iter().map(|&i| docs[i].clone()).collect();
            let (model, _) = match train(&train_docs, params, &mut |_| {}) {
                Ok(m) => m,
                Err(StanceError::SingleLabel(l)) => {
                    return Ok(FoldOutcome::Skipped(format!(
                        "fold {f} skipped: its training part holds a single label ({l:?})"
                    )))
                }
                Err(e) => return Err(e),
            };
            // The fold's model may order labels differently if a label is absent; map back.
            let map: Vec<usize> = model
                .labels()
                .iter()
                .map(|l| labels.iter().position(|x| x == l).unwrap_or(0))
                .collect();
            let preds: Vec<(usize, OofPrediction)> = test_idx
                .iter()
                .map(|&i| {
                    let prediction = model.predict(&docs[i].text);
                    let mut full = vec![0.0; labels.len()];
                    for (c, v) in prediction.probabilities.into_iter().enumerate() {
                        full[map[c]] = v;
                    }
                    let oof = OofPrediction {
                        fold: f,
                        probabilities: full,
                        evidence: prediction.evidence,
                        uncertain: prediction.uncertain,
                        policy: *model.uncertainty(),
                    };
                    (i, oof)
                })
                .collect();
            let ty: Vec<usize> = test_idx.iter().map(|&i| y[i]).collect();
            let tp: Vec<Vec<f64>> = preds.iter().map(|(_, p)| p.probabilities.clone()).collect();
            Ok(FoldOutcome::Ran(
                FoldResult {
                    fold: f,
                    n_train: train_idx.len(),
                    metrics: Metrics::compute(labels, &ty, &tp),
                },
                preds,
            ))
        })
        .collect();
    let mut folds = Vec::new();
    let mut predictions: Vec<Option<OofPrediction>> = vec![None; docs.len()];
    let mut notes = plan.notes.clone();
    for r in results {
        match r? {
            FoldOutcome::Ran(fold, preds) => {
                for (i, p) in preds {
                    predictions[i] = Some(p);
                }
                folds.push(fold);
            }
            FoldOutcome::Skipped(note) if note.is_empty() => {}
            FoldOutcome::Skipped(note) => notes.push(note),
        }
    }
    let oof: Vec<Vec<f64>> = predictions
        .iter()
        .map(|p| {
            p.as_ref()
                .map_or_else(Vec::new, |p| p.probabilities.clone())
        })
        .collect();
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
