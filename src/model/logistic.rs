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
use crate::model::cd;
use crate::model::format::{labels_problem, weights_problem};
use crate::model::objective::{sigmoid, softmax_in_place, Objective};
use crate::model::owlqn;

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

/// The penalty on the weights; the intercepts are never penalised. Defaults to `L2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Penalty {
    /// `alpha / 2 * ||w||^2`, minimised by L-BFGS.
    #[default]
    L2,
    /// `alpha * ||w||_1`, minimised by coordinate descent or OWL-QN ([`Solver`]): most weights
    /// end exactly at zero.
    L1,
    /// `alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||^2)`, scikit-learn's elastic
    /// net, minimised like L1.
    ElasticNet,
}

/// The optimiser for the L1 and elastic-net penalties (L2 always uses L-BFGS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Coordinate descent (newGLMNET, liblinear's L1 solver; `model::cd`): the fast one.
    Cd,
    /// OWL-QN (`model::owlqn`), the reference; what a model file naming no solver used.
    Owlqn,
}

impl std::str::FromStr for Solver {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, ParamError> {
        match s {
            "cd" => Ok(Solver::Cd),
            "owlqn" => Ok(Solver::Owlqn),
            other => Err(ParamError::Solver(other.to_string())),
        }
    }
}

/// The elastic net's L1 share when none is given (scikit-learn has no default; glmnet's
/// examples and ours use an even mix).
pub const DEFAULT_L1_RATIO: f64 = 0.5;

impl Penalty {
    fn is_l2(&self) -> bool {
        *self == Penalty::L2
    }
}

impl std::str::FromStr for Penalty {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, ParamError> {
        match s {
            "l2" => Ok(Penalty::L2),
            "l1" => Ok(Penalty::L1),
            "elasticnet" => Ok(Penalty::ElasticNet),
            other => Err(ParamError::Penalty(other.to_string())),
        }
    }
}

/// Logistic-regression parameters, saved in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// Penalty weight; `alpha = 1 / C` in scikit-learn's terms. Defaults to `1.0`.
    pub alpha: f64,
    /// Which penalty. Defaults to `L2` (and is then left out of the file, which reads the same
    /// as files from before there was a choice).
    #[serde(default, skip_serializing_if = "Penalty::is_l2")]
    pub penalty: Penalty,
    /// The L1 share of an elastic-net penalty, in `[0, 1]`; only elastic net takes it.
    /// Defaults to `0.5` there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_ratio: Option<f64>,
    /// The optimiser for the L1 and elastic-net penalties; `None` (and a file naming none, as
    /// every file from before there was a choice) means OWL-QN. L2 takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solver: Option<Solver>,
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
            penalty: Penalty::L2,
            l1_ratio: None,
            solver: None,
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
    /// The objective (loss plus penalty) at the end.
    pub final_loss: f64,
    /// The L2 norm of the objective's gradient at the end (its pseudo-gradient under an L1
    /// penalty, which is zero exactly at an optimum).
    pub gradient_norm: f64,
    /// Whether `gradient_norm` reached the tolerance.
    pub converged: bool,
}

impl LogisticParams {
    /// The optimiser's name, as the training summary prints it.
    pub fn optimiser(&self) -> &'static str {
        match (self.penalty, self.solver) {
            (Penalty::L2, _) => "L-BFGS",
            (_, Some(Solver::Cd)) => "coordinate descent",
            (_, _) => "OWL-QN",
        }
    }

    /// Refuses values the optimiser cannot use.
    pub fn check(&self) -> Result<(), ParamError> {
        if !self.alpha.is_finite() || self.alpha < 0.0 {
            return Err(ParamError::Alpha(self.alpha));
        }
        match (self.penalty, self.l1_ratio) {
            (_, Some(r)) if !(0.0..=1.0).contains(&r) => return Err(ParamError::L1Ratio(r)),
            (Penalty::L2 | Penalty::L1, Some(_)) => return Err(ParamError::L1RatioWithout),
            _ => {}
        }
        if self.penalty == Penalty::L2 && self.solver.is_some() {
            return Err(ParamError::SolverWithout);
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

    /// [`LogisticParams::fit`] with parameters checked already (by the training parameters'
    /// check).
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
        if x.n_rows() == 0 {
            return Err(StanceError::EmptyCorpus);
        }
        if x.n_rows() != y.len() {
            return Err(StanceError::RowCountMismatch {
                rows: x.n_rows(),
                labels: y.len(),
            });
        }
        let weights = self.row_weights(y, labels.len());
        let l1_share = match self.penalty {
            Penalty::L2 => 0.0,
            Penalty::L1 => 1.0,
            Penalty::ElasticNet => self.l1_ratio.unwrap_or(DEFAULT_L1_RATIO),
        };
        let objective = Objective::new(x, y, &weights, self.alpha * (1.0 - l1_share), labels.len())
            .with_progress(on_eval);
        let outputs = objective.outputs();
        let n_params = objective.n_params();
        let (w, report) = if l1_share > 0.0 && self.solver == Some(Solver::Cd) {
            self.fit_cd(&objective, y, &weights, l1_share)
        } else if l1_share > 0.0 {
            self.fit_owlqn(&objective, self.alpha * l1_share)
        } else {
            self.fit_lbfgs(objective)?
        };
        let d = x.n_cols();
        debug_assert_eq!(w.len(), n_params);
        let flat = &w[..];
        let model = LinearModel::from_checked(
            labels.to_vec(),
            (0..outputs)
                .map(|c| (0..d).map(|j| flat[j * outputs + c]).collect())
                .collect(),
            flat[d * outputs..].to_vec(),
        );
        Ok((model, report))
    }

    /// L-BFGS (argmin's, as linfa-logistic uses) on the smooth L2 objective.
    fn fit_lbfgs(&self, objective: Objective<'_>) -> Result<(Vec<f64>, FitReport), StanceError> {
        let start = vec![0.0; objective.n_params()];
        minimise_lbfgs(objective, start, self.max_iter, self.tolerance)
    }

    /// OWL-QN on the smooth part (log-loss plus any L2 share) with `l1` on every weight and
    /// none on the intercepts.
    fn fit_owlqn(&self, objective: &Objective<'_>, l1: f64) -> (Vec<f64>, FitReport) {
        let n_params = objective.n_params();
        let n_weights = objective.n_params() - objective.outputs();
        let mut coefficients = vec![l1; n_weights];
        coefficients.resize(n_params, 0.0);
        let m = owlqn::minimize(
            |w, g| objective.loss_and_grad_reported(w, g),
            vec![0.0; n_params],
            &coefficients,
            owlqn::Settings {
                memory: 10,
                max_iter: self.max_iter,
                tolerance: self.tolerance,
            },
        );
        let report = FitReport {
            iterations: m.iterations,
            final_loss: m.objective,
            gradient_norm: m.gradient_norm,
            converged: m.converged,
        };
        (m.w, report)
    }

    /// Coordinate descent (`model::cd`) with `l1_share` of the penalty on the L1 term; the
    /// report's objective and pseudo-gradient norm are computed afresh from `objective`, as
    /// OWL-QN's are, so that both solvers are judged by the same figures.
    fn fit_cd(
        &self,
        objective: &Objective<'_>,
        y: &[usize],
        sample_weights: &[f64],
        l1_share: f64,
    ) -> (Vec<f64>, FitReport) {
        let l1 = self.alpha * l1_share;
        let problem = cd::Problem {
            columns: objective.columns(),
            y,
            sample_weights,
            outputs: objective.outputs(),
            l1,
            l2: self.alpha * (1.0 - l1_share),
        };
        let settings = cd::Settings {
            max_iter: self.max_iter,
            tolerance: self.tolerance,
        };
        let m = cd::minimize(&problem, settings, &mut |_, f| objective.report_progress(f));
        let (k, d) = (objective.outputs(), objective.columns().n_rows());
        let mut w = vec![0.0; objective.n_params()];
        for (c, wc) in m.weights.iter().enumerate() {
            for (j, v) in wc.iter().enumerate() {
                w[j * k + c] = *v;
            }
        }
        w[d * k..].copy_from_slice(&m.intercepts);
        let mut coefficients = vec![l1; d * k];
        coefficients.resize(w.len(), 0.0);
        let mut grad = vec![0.0; w.len()];
        let smooth = objective.loss_and_grad(&w, Some(&mut grad));
        let mut pg = vec![0.0; w.len()];
        owlqn::pseudo_gradient(&w, &grad, &coefficients, &mut pg);
        let gradient_norm = pg.iter().map(|g| g * g).sum::<f64>().sqrt();
        let report = FitReport {
            iterations: m.iterations,
            final_loss: smooth + l1 * w[..d * k].iter().map(|v| v.abs()).sum::<f64>(),
            gradient_norm,
            converged: gradient_norm <= self.tolerance,
        };
        (w, report)
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

/// Minimises a smooth objective by L-BFGS (argmin's, as linfa-logistic uses) from `start`;
/// `converged` is read from the final gradient norm.
pub(crate) fn minimise_lbfgs(
    objective: Objective<'_>,
    start: Vec<f64>,
    max_iter: u64,
    tolerance: f64,
) -> Result<(Vec<f64>, FitReport), StanceError> {
    // argmin also stops when the cost changes by less than its cost tolerance (machine
    // epsilon by default), which can happen long before the gradient tolerance is met;
    // `converged` below is therefore read from the final gradient, not from why it stopped.
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(tolerance)
        .map_err(|e| StanceError::Optimizer(e.to_string()))?;
    let result = Executor::new(objective, solver)
        .configure(|state| state.param(Array1::from(start)).max_iters(max_iter))
        .run()
        .map_err(|e| StanceError::Optimizer(e.to_string()))?;
    let objective = result.problem.problem.as_ref();
    let state = result.state();
    let w = state
        .best_param
        .as_ref()
        .ok_or_else(|| StanceError::Optimizer("it returned no parameters".into()))?
        .to_vec();
    let mut grad = vec![0.0; w.len()];
    let gradient_norm = match objective {
        Some(o) => {
            o.loss_and_grad(&w, Some(&mut grad));
            grad.iter().map(|g| g * g).sum::<f64>().sqrt()
        }
        None => f64::NAN,
    };
    let report = FitReport {
        iterations: state.get_iter(),
        final_loss: state.get_best_cost(),
        gradient_norm,
        converged: gradient_norm <= tolerance,
    };
    Ok((w, report))
}

/// A fitted linear model: one weight vector per output (one in the binary case, one per label
/// otherwise) over the featurizer's vocabulary, the intercepts, and the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// Shared with every prediction the model makes, which names its label from it.
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
            // Each side from its own sigmoid: `1 - p` rounds to 0 for a logit past 37, and a
            // probability of exactly 0 cannot be cooled by length (evidence.rs).
            vec![sigmoid(-logits[0]), sigmoid(logits[0])]
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
    use crate::error::StanceError;
    use crate::features::sparse::{CsrMatrix, SparseRow};

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

    /// A random sparse problem (deterministic), `n` rows over `d` features, `k` labels whose
    /// signal sits in the first few features.
    fn random_problem(n: usize, d: usize, k: usize, seed: u64) -> (CsrMatrix, Vec<usize>) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let label = rng.gen_range(0..k);
            let mut indices: Vec<u32> = (0..d as u32).filter(|_| rng.gen_bool(0.3)).collect();
            indices.push(label as u32);
            indices.sort_unstable();
            indices.dedup();
            let values = indices.iter().map(|_| rng.gen_range(0.1..1.0)).collect();
            rows.push(SparseRow { indices, values });
            // Noisy labels, so that the unpenalised optimum is finite.
            y.push(if rng.gen_bool(0.8) {
                label
            } else {
                rng.gen_range(0..k)
            });
        }
        (CsrMatrix::from_rows(rows, d), y)
    }

    /// The optimality conditions of `smooth(w) + l1 * ||w||_1` at the fitted weights: a zero
    /// weight has `|grad| <= l1`, a non-zero weight has `grad = -l1 * sign(w)`, and the
    /// unpenalised intercepts have zero gradient.
    fn check_optimality(penalty: Penalty, l1_ratio: f64, k: usize) {
        for solver in [Solver::Owlqn, Solver::Cd] {
            check_optimality_of(solver, penalty, l1_ratio, k);
        }
    }

    fn check_optimality_of(solver: Solver, penalty: Penalty, l1_ratio: f64, k: usize) {
        let (x, y) = random_problem(60, 12, k, 7 + k as u64);
        let names: Vec<String> = (0..k).map(|c| format!("l{c}")).collect();
        let params = LogisticParams {
            alpha: 2.0,
            penalty,
            l1_ratio: (penalty == Penalty::ElasticNet).then_some(l1_ratio),
            solver: Some(solver),
            max_iter: 5000,
            tolerance: 1e-7,
            ..LogisticParams::default()
        };
        let (model, report) = params.fit(&x, &y, &names, &mut |_, _| {}).unwrap();
        assert!(report.converged, "{solver:?}: {report:?}");
        let share = if penalty == Penalty::L1 {
            1.0
        } else {
            l1_ratio
        };
        let l1 = params.alpha * share;
        let weights = params.row_weights(&y, k);
        let objective = Objective::new(&x, &y, &weights, params.alpha * (1.0 - share), k);
        let outputs = objective.outputs();
        let mut flat = vec![0.0; objective.n_params()];
        for (c, wc) in model.weights.iter().enumerate() {
            for (j, v) in wc.iter().enumerate() {
                flat[j * outputs + c] = *v;
            }
        }
        let d = x.n_cols();
        flat[d * outputs..].copy_from_slice(&model.intercepts);
        let mut grad = vec![0.0; flat.len()];
        objective.loss_and_grad(&flat, Some(&mut grad));
        let (mut zeros, mut nonzeros) = (0, 0);
        for (j, (&w, &g)) in flat.iter().zip(&grad).enumerate() {
            if j >= d * outputs {
                assert!(g.abs() < 1e-6, "intercept gradient {g}");
            } else if w == 0.0 {
                zeros += 1;
                assert!(
                    g.abs() <= l1 + 1e-6,
                    "zero weight {j}: |grad| {} > {l1}",
                    g.abs()
                );
            } else {
                nonzeros += 1;
                let expect = -l1 * w.signum();
                assert!(
                    (g - expect).abs() < 1e-6,
                    "weight {j} = {w}: grad {g}, not {expect}"
                );
            }
        }
        // The problem is built so that both kinds occur; otherwise the test checks little.
        assert!(
            zeros > 0 && nonzeros > 0,
            "{zeros} zero, {nonzeros} non-zero weights"
        );
    }

    #[test]
    fn l1_fit_meets_the_optimality_conditions() {
        check_optimality(Penalty::L1, 0.0, 2);
        check_optimality(Penalty::L1, 0.0, 3);
    }

    #[test]
    fn elastic_net_fit_meets_the_optimality_conditions() {
        check_optimality(Penalty::ElasticNet, 0.5, 2);
        check_optimality(Penalty::ElasticNet, 0.3, 3);
    }

    /// Coordinate descent and OWL-QN, both run to a tight tolerance (1e-6 on the
    /// pseudo-gradient's norm; OWL-QN takes minutes to reach 1e-7 here), reach the same objective
    /// (to 1e-8 relative) and nearly the same weights, binary and multinomial, L1 and elastic
    /// net, on a problem with more features than rows, as the corpus has.
    #[test]
    fn coordinate_descent_agrees_with_owlqn() {
        for (k, penalty) in [
            (2, Penalty::L1),
            (3, Penalty::L1),
            (2, Penalty::ElasticNet),
            (3, Penalty::ElasticNet),
        ] {
            let (x, y) = random_problem(80, 150, k, 11 + k as u64);
            let names: Vec<String> = (0..k).map(|c| format!("l{c}")).collect();
            let fit = |solver| {
                let params = LogisticParams {
                    alpha: 0.5,
                    penalty,
                    solver: Some(solver),
                    max_iter: 20_000,
                    tolerance: 1e-6,
                    ..LogisticParams::default()
                };
                params.fit(&x, &y, &names, &mut |_, _| {}).unwrap()
            };
            let (cd, report) = fit(Solver::Cd);
            let (owlqn, reference) = fit(Solver::Owlqn);
            assert!(
                reference.converged && report.converged,
                "{reference:?} {report:?}"
            );
            let relative = (report.final_loss - reference.final_loss).abs() / reference.final_loss;
            assert!(
                relative < 1e-8,
                "k {k} {penalty:?}: {report:?} vs {reference:?}"
            );
            for (a, b) in cd
                .weights
                .iter()
                .flatten()
                .zip(owlqn.weights.iter().flatten())
            {
                assert!((a - b).abs() < 1e-5, "weight {a} vs {b}");
            }
        }
    }

    /// The same data and parameters give the same weights, to the bit, whatever the number of
    /// threads (coordinate descent is sequential; the report's gradient is not).
    #[test]
    fn coordinate_descent_is_the_same_on_any_thread_count() {
        let (x, y) = random_problem(80, 150, 3, 5);
        let names = labels(&["a", "b", "c"]);
        let params = LogisticParams {
            alpha: 0.3,
            penalty: Penalty::L1,
            solver: Some(Solver::Cd),
            ..LogisticParams::default()
        };
        let fit = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| params.fit(&x, &y, &names, &mut |_, _| {}).unwrap().0)
        };
        assert_eq!(fit(1), fit(3));
    }

    #[test]
    fn a_solver_with_l2_is_refused() {
        let (x, y) = toy();
        let params = LogisticParams {
            solver: Some(Solver::Cd),
            ..LogisticParams::default()
        };
        let err = params
            .fit(&x, &y, &labels(&["a", "b", "c"]), &mut |_, _| {})
            .unwrap_err();
        assert!(
            matches!(err, StanceError::Param(ParamError::SolverWithout)),
            "{err}"
        );
    }

    #[test]
    fn l2_reports_the_gradient_norm_it_reached() {
        let (x, y) = random_problem(60, 12, 2, 3);
        let params = LogisticParams {
            alpha: 0.5,
            tolerance: 1e-6,
            ..LogisticParams::default()
        };
        let (_, report) = params
            .fit(&x, &y, &labels(&["a", "b"]), &mut |_, _| {})
            .unwrap();
        assert!(report.gradient_norm.is_finite());
        assert_eq!(report.converged, report.gradient_norm <= 1e-6, "{report:?}");
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

    #[test]
    fn a_row_count_mismatch_says_so() {
        let rows = (0..3).map(|i| SparseRow {
            indices: vec![i],
            values: vec![1.0],
        });
        let x = CsrMatrix::from_rows(rows, 3);
        let labels = ["a".to_string(), "b".to_string()];
        let err = LogisticParams::default()
            .fit(&x, &[0, 1], &labels, &mut |_, _| {})
            .expect_err("two labels for three rows are refused");
        assert!(
            matches!(err, StanceError::RowCountMismatch { rows: 3, labels: 2 }),
            "{err:?}"
        );
        let empty = CsrMatrix::from_rows(Vec::new(), 3);
        let err = LogisticParams::default()
            .fit(&empty, &[], &labels, &mut |_, _| {})
            .expect_err("no rows are refused");
        assert!(matches!(err, StanceError::EmptyCorpus), "{err:?}");
    }
}
