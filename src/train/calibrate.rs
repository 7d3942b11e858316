//! Calibration fitting: Platt scaling (two labels) or temperature scaling (more) fitted on the
//! out-of-fold predictions ([`crate::train::out_of_fold`]), so that a model's scores are calibrated
//! probabilities. [`crate::train::train`] runs it when its parameters ask for calibration; the
//! maps themselves are [`crate::model::calibration`]'s.

use crate::error::StanceError;
use crate::io::corpus::Document;
use crate::model::calibration::Calibration;
use crate::model::confidence::ece;
use crate::model::fitted::CalibrationInfo;
use crate::train::folds::FoldPlan;
use crate::train::out_of_fold::out_of_fold;
use crate::train::CheckedTrainParams;

/// A calibration fitted on out-of-fold predictions, with those predictions before and after.
#[derive(Debug, Clone)]
pub struct OofCalibration {
    pub map: Calibration,
    /// True label indices of the documents that have a prediction.
    pub y: Vec<usize>,
    pub raw: Vec<Vec<f64>>,
    pub calibrated: Vec<Vec<f64>>,
}

/// Fits Platt scaling (two labels) or temperature scaling (more) on out-of-fold probabilities
/// `oof` (empty for a document without a prediction), whose true label indices are `y`.
pub fn fit_oof_calibration(
    oof: &[Vec<f64>],
    n_labels: usize,
    y: &[usize],
) -> Result<OofCalibration, StanceError> {
    let (ty, raw): (Vec<usize>, Vec<Vec<f64>>) = oof
        .iter()
        .zip(y)
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, &t)| (t, p.clone()))
        .unzip();
    if ty.is_empty() {
        return Err(StanceError::NoOutOfFoldPredictions);
    }
    // Logits recovered from probabilities: ln(p1 / p0) for two labels, ln p otherwise
    // (softmax ignores the shift).
    let log = |p: f64| p.clamp(1e-15, 1.0).ln();
    let logits = |p: &Vec<f64>| -> Vec<f64> {
        if n_labels == 2 {
            vec![log(p[1]) - log(p[0])]
        } else {
            p.iter().map(|&v| log(v)).collect()
        }
    };
    let z: Vec<Vec<f64>> = raw.iter().map(logits).collect();
    let map = if n_labels == 2 {
        let z1: Vec<f64> = z.iter().map(|l| l[0]).collect();
        let positive: Vec<bool> = ty.iter().map(|&t| t == 1).collect();
        Calibration::fit_platt(&z1, &positive)
    } else {
        Calibration::fit_temperature(&z, &ty)
    };
    let calibrated = z.iter().map(|l| map.apply(l)).collect();
    Ok(OofCalibration {
        map,
        y: ty,
        raw,
        calibrated,
    })
}

/// Fits a calibration on the out-of-fold predictions of a grouped cross-validation of `params`
/// (which must not ask for calibration themselves).
pub(crate) fn fit_calibration(
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
    plan: &FoldPlan,
) -> Result<CalibrationInfo, StanceError> {
    let oof = out_of_fold(docs, labels, params, plan)?.probabilities();
    let fit = fit_oof_calibration(&oof, labels.len(), y)?;
    Ok(CalibrationInfo {
        folds: plan.k,
        group_by: plan.group_by.to_string(),
        ece_before: ece(&fit.y, &fit.raw),
        ece_after: ece(&fit.y, &fit.calibrated),
        map: fit.map,
    })
}
