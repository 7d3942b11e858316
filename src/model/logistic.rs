//! Logistic regression on sparse TF-IDF rows: checked parameters ([`LogisticParams`]), a sparse
//! L-BFGS trainer, and the fitted [`LinearModel`].
//!
//! The objective is linfa-logistic's (see `model::objective`) and the optimiser is the same
//! argmin L-BFGS with a More-Thuente line search that linfa-logistic uses; only the loss and
//! gradient are ours, because linfa-logistic accepts dense arrays only and is orders of magnitude
//! slower on a corpus-sized vocabulary. A test trains linfa-logistic on a small dense problem
//! and checks that both agree.
//!
//! Two labels give one weight vector and the sigmoid; three or more give one vector per label and
//! the softmax. Labels are whatever the data says, sorted; in the binary case the second label
//! in sorted order is the positive class, as in linfa-logistic.

use std::sync::Arc;

use argmin::core::{Executor, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::error::{ParamError, StanceError};
use crate::features::sparse::{CsrMatrix, SparseRow};
use crate::model::format::{labels_problem, weights_problem};
use crate::model::objective::{sigmoid, softmax_in_place, Objective};

/// How rows are weighted in the loss. Defaults to `Balanced`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// Each row weighs `n / (n_labels * n_label)`, so every label carries the same total weight
    /// however unequal the classes are (scikit-learn's `class_weight="balanced"`).
    #[default]
    Balanced,
    /// Every row weighs 1 (linfa-logistic's objective exactly).
    None,
}

/// Logistic-regression parameters, saved in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// L2 penalty weight; `alpha = 1 / C` in scikit-learn's terms. Defaults to `1.0`.
    pub alpha: f64,
    /// Iteration limit for L-BFGS. Defaults to `500`.
    pub max_iter: u64,
    /// Stop when the gradient's L2 norm falls below this. Defaults to `1e-4`, as linfa-logistic.
    pub tolerance: f64,
    /// Row weighting. Defaults to `Balanced`.
    pub class_weight: ClassWeight,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iter: 500,
            tolerance: 1e-4,
            class_weight: ClassWeight::Balanced,
        }
    }
}

/// What training reports besides the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub iterations: u64,
    pub final_loss: f64,
    pub converged: bool,
}

impl LogisticParams {
    /// Refuses values the optimiser cannot use.
    pub fn check(&self) -> Result<(), ParamError> {
        if !self.alpha.is_finite() || self.alpha < 0.0 {
            return Err(ParamError::Alpha(self.alpha));
        }
        if self.max_iter == 0 {
            return Err(ParamError::MaxIter(0));
        }
        if !self.tolerance.is_finite() || self.tolerance <= 0.0 {
            return Err(ParamError::Tolerance(self.tolerance));
        }
        Ok(())
    }

    /// Checks the parameters, then fits on rows `x` with label indices `y` into `labels` (at
    /// least two, sorted). `on_eval` is called after every loss evaluation with the count so
    /// far and the loss.
    pub fn fit(
        &self,
        x: &CsrMatrix,
        y: &[usize],
        labels: &[String],
        on_eval: &mut dyn FnMut(u64, f64),
    ) -> Result<(LinearModel, FitReport), StanceError> {
        self.check()?;
        self.fit_checked(x, y, labels, on_eval)
    }

    /// [`LogisticParams::fit`] with parameters checked already (by [`crate::train::TrainParams::check`]).
    pub(crate) fn fit_checked(
        &self,
        x: &CsrMatrix,
        y: &[usize],
        labels: &[String],
        on_eval: &mut dyn FnMut(u64, f64),
    ) -> Result<(LinearModel, FitReport), StanceError> {
        match labels {
            [] => return Err(StanceError::EmptyCorpus),
            [only] => return Err(StanceError::SingleLabel(only.clone())),
            _ => {}
        }
        if x.n_rows() == 0 || x.n_rows() != y.len() {
            return Err(StanceError::EmptyCorpus);
        }
        let weights = self.row_weights(y, labels.len());
        let objective =
            Objective::new(x, y, &weights, self.alpha, labels.len()).with_progress(on_eval);
        let outputs = objective.outputs();
        let n_params = objective.n_params();
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(self.tolerance)
            .map_err(|e| StanceError::Training(e.to_string()))?;
        let result = Executor::new(objective, solver)
            .configure(|state| {
                state
                    .param(Array1::zeros(n_params))
                    .max_iters(self.max_iter)
            })
            .run()
            .map_err(|e| StanceError::Training(e.to_string()))?;
        let state = result.state();
        let w = state
            .best_param
            .as_ref()
            .ok_or_else(|| StanceError::Training("the optimiser returned no parameters".into()))?;
        let report = FitReport {
            iterations: state.get_iter(),
            final_loss: state.get_best_cost(),
            converged: state.get_iter() < self.max_iter,
        };
        let d = x.n_cols();
        let flat = w
            .as_slice()
            .ok_or_else(|| StanceError::Training("parameters are not contiguous".into()))?;
        let model = LinearModel::from_checked(
            labels.to_vec(),
            (0..outputs)
                .map(|c| (0..d).map(|j| flat[j * outputs + c]).collect())
                .collect(),
            flat[d * outputs..].to_vec(),
        );
        Ok((model, report))
    }

    /// The weight of each row under the class-weight policy.
    pub fn row_weights(&self, y: &[usize], n_labels: usize) -> Vec<f64> {
        match self.class_weight {
            ClassWeight::None => vec![1.0; y.len()],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; n_labels];
                for &l in y {
                    counts[l] += 1;
                }
                let n = y.len() as f64;
                y.iter()
                    .map(|&l| n / (n_labels as f64 * counts[l] as f64))
                    .collect()
            }
        }
    }
}

/// A fitted linear model: one weight vector per output (one in the binary case, one per label
/// otherwise) over the featurizer's vocabulary, the intercepts, and the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// Shared with every [`crate::predict::score::Prediction`], which names its label from it.
    labels: Arc<[String]>,
    weights: Vec<Vec<f64>>,
    intercepts: Vec<f64>,
}

impl LinearModel {
    /// A linear model from its parts, checked as a model file's are: at least two distinct,
    /// non-empty labels; one weight vector and intercept for two labels, one per label for more;
    /// weight vectors of one non-zero length; every value finite and within
    /// [`crate::model::format::MAX_WEIGHT`].
    pub fn new(
        labels: Vec<String>,
        weights: Vec<Vec<f64>>,
        intercepts: Vec<f64>,
    ) -> Result<Self, StanceError> {
        let d = weights.first().map_or(0, Vec::len);
        if let Some(m) = labels_problem(&labels)
            .or_else(|| weights_problem(labels.len(), &weights, &intercepts, d))
            .or_else(|| (d == 0).then(|| "the weight vectors are empty".to_string()))
        {
            return Err(StanceError::InvalidModel(m));
        }
        Ok(Self::from_checked(labels, weights, intercepts))
    }

    /// A linear model from parts already checked (by the trainer, which makes them, or by the
    /// model-file reader).
    pub(crate) fn from_checked(
        labels: Vec<String>,
        weights: Vec<Vec<f64>>,
        intercepts: Vec<f64>,
    ) -> Self {
        LinearModel {
            labels: labels.into(),
            weights,
            intercepts,
        }
    }

    /// The labels, in probability order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The labels, shared.
    pub(crate) fn shared_labels(&self) -> &Arc<[String]> {
        &self.labels
    }

    /// One weight vector per output, each over the vocabulary.
    pub fn weights(&self) -> &[Vec<f64>] {
        &self.weights
    }

    /// One intercept per output.
    pub fn intercepts(&self) -> &[f64] {
        &self.intercepts
    }

    /// Whether this is a two-label (sigmoid) model.
    pub fn is_binary(&self) -> bool {
        self.labels.len() == 2
    }

    /// The raw scores (logits), one per output.
    pub fn logits(&self, row: &SparseRow) -> Vec<f64> {
        self.weights
            .iter()
            .zip(&self.intercepts)
            .map(|(w, b)| row.dot(w) + b)
            .collect()
    }

    /// Label probabilities, in the order of `labels`.
    pub fn probabilities(&self, row: &SparseRow) -> Vec<f64> {
        self.probabilities_from_logits(&self.logits(row))
    }

    /// Label probabilities from logits.
    pub fn probabilities_from_logits(&self, logits: &[f64]) -> Vec<f64> {
        if self.is_binary() {
            let p = sigmoid(logits[0]);
            vec![1.0 - p, p]
        } else {
            let mut p = logits.to_vec();
            softmax_in_place(&mut p);
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn toy() -> (CsrMatrix, Vec<usize>) {
        let rows = vec![
            SparseRow {
                indices: vec![0],
                values: vec![1.0],
            },
            SparseRow {
                indices: vec![0, 1],
                values: vec![0.8, 0.6],
            },
            SparseRow {
                indices: vec![1],
                values: vec![1.0],
            },
            SparseRow {
                indices: vec![1, 2],
                values: vec![0.6, 0.8],
            },
            SparseRow {
                indices: vec![2],
                values: vec![1.0],
            },
            SparseRow {
                indices: vec![0, 2],
                values: vec![0.6, 0.8],
            },
        ];
        (CsrMatrix::from_rows(rows, 3), vec![0, 0, 1, 1, 2, 2])
    }

    #[test]
    fn multinomial_learns_a_separable_problem() {
        let (x, y) = toy();
        let params = LogisticParams {
            alpha: 0.01,
            ..LogisticParams::default()
        };
        let (m, report) = params
            .fit(&x, &y, &labels(&["a", "b", "c"]), &mut |_, _| {})
            .unwrap();
        assert!(report.converged);
        for (r, &expected) in y.iter().enumerate() {
            let (i, v) = x.row(r);
            let row = SparseRow {
                indices: i.to_vec(),
                values: v.to_vec(),
            };
            let p = m.probabilities(&row);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            assert_eq!(best, expected, "row {r}: {p:?}");
        }
    }

    #[test]
    fn balanced_weights_equalise_label_totals() {
        let params = LogisticParams::default();
        let w = params.row_weights(&[0, 0, 0, 1], 2);
        assert!((w[0] * 3.0 - w[3]).abs() < 1e-12);
        assert!((w.iter().sum::<f64>() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_named() {
        let (x, y) = toy();
        let bad = LogisticParams {
            alpha: -1.0,
            ..LogisticParams::default()
        };
        let err = bad
            .fit(&x, &y, &labels(&["a", "b", "c"]), &mut |_, _| {})
            .unwrap_err();
        assert!(matches!(err, StanceError::Param(ParamError::Alpha(a)) if a == -1.0));
        let err = LogisticParams::default()
            .fit(&x, &y, &labels(&["a"]), &mut |_, _| {})
            .unwrap_err();
        assert!(matches!(err, StanceError::SingleLabel(_)));
    }
}
