//! Out-of-fold predictions: train on every fold's training part and predict its test part, so
//! that each document is predicted by a model that never saw it. Calibration is fitted on them
//! ([`crate::train::fit_oof_calibration`]); cross-validation, in the evaluation stage, scores
//! them. Folds run in parallel; each is deterministic, so results do not depend on the thread
//! count.

use rayon::prelude::*;

use crate::error::StanceError;
use crate::io::corpus::Document;
use crate::model::evidence::{Evidence, UncertaintyPolicy};
use crate::train::folds::FoldPlan;
use crate::train::{check_label_count, train, CheckedTrainParams};

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

/// A fold that ran: its number, how many documents it trained on, and the ones it tested.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldRun {
    pub fold: usize,
    pub n_train: usize,
    /// Indices of the tested documents, each of which has a prediction.
    pub test: Vec<usize>,
}

/// The out-of-fold predictions of a whole fold plan.
#[derive(Debug, Clone)]
pub struct OutOfFold {
    /// The folds that ran, in fold order.
    pub folds: Vec<FoldRun>,
    /// Each document's prediction (`None` for a document in a skipped fold).
    pub predictions: Vec<Option<OofPrediction>>,
    /// The plan's notes, then why each skipped fold was skipped.
    pub notes: Vec<String>,
}

impl OutOfFold {
    /// Each document's probabilities, empty for a document without a prediction.
    pub fn probabilities(&self) -> Vec<Vec<f64>> {
        self.predictions
            .iter()
            .map(|p| {
                p.as_ref()
                    .map_or_else(Vec::new, |p| p.probabilities.clone())
            })
            .collect()
    }
}

/// What became of one fold: its test documents' predictions, or why it was skipped.
enum FoldOutcome {
    Ran(FoldRun, Vec<(usize, OofPrediction)>),
    Skipped(String),
}

/// Trains `params` on each fold's training part of `plan` and predicts its test part; the
/// probabilities are over `labels`, the labels of all of `docs`. A fold that cannot be run (no
/// test documents, no training documents, or a single label in training) is skipped with a
/// note saying why.
pub fn out_of_fold(
    docs: &[Document],
    labels: &[String],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
) -> Result<OutOfFold, StanceError> {
    check_label_count(labels.len())?;
    let outcomes: Vec<Result<FoldOutcome, StanceError>> = (0..plan.k)
        .into_par_iter()
        .map(|f| run_fold(docs, labels, params, plan, f))
        .collect();
    let mut folds = Vec::new();
    let mut predictions: Vec<Option<OofPrediction>> = vec![None; docs.len()];
    let mut notes = plan.notes.clone();
    for outcome in outcomes {
        match outcome? {
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
    Ok(OutOfFold {
        folds,
        predictions,
        notes,
    })
}

/// Trains fold `f` of `plan` and predicts its test documents.
fn run_fold(
    docs: &[Document],
    labels: &[String],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
    f: usize,
) -> Result<FoldOutcome, StanceError> {
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
    let run = FoldRun {
        fold: f,
        n_train: train_idx.len(),
        test: test_idx,
    };
    Ok(FoldOutcome::Ran(run, preds))
}
