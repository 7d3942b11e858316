//! Fitting one candidate on the sample's rows: prior-centred logistic regression,
//!
//! `sum_i s_i * logloss_i + strength/2 * ||w - w_base||^2 + alpha/2 * ||w||^2`,
//!
//! with balanced row weights `s_i` and the intercept free (Chelba & Acero 2004, with the sample
//! alone's L2 penalty beside the prior). The two penalties are one Gaussian prior of precision
//! `strength + alpha` centred at `strength / (strength + alpha) * w_base`: strength infinite keeps
//! the base's weights (only the intercept is refit), strength 0 is a fit on the sample alone at
//! `alpha`. A weight whose feature no sample row has sits at that centre exactly, so only the
//! features the rows have are optimised (L-BFGS from the centre).

use crate::error::StanceError;
use crate::features::sparse::{CsrMatrix, SparseRow};
use crate::model::logistic::{minimise_lbfgs, FitReport, LogisticParams};
use crate::model::objective::{sigmoid, Objective};

/// L-BFGS settings of a candidate fit.
const MAX_ITER: u64 = 3000;
const TOLERANCE: f64 = 1e-7;

/// What a candidate is: its pull toward the base (`None`: held at the base) and its L2
/// penalty toward zero; `as_is` keeps the base whole, its intercept and calibration too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    pub strength: Option<f64>,
    pub alpha: f64,
    pub as_is: bool,
    /// Fit on the base data pooled with the sample, the sample's rows weighted to this share
    /// of the base data's total weight (`stance adapt --base-data`); strength is then 0.
    pub pooled: Option<f64>,
    /// Fit on the sample's own vocabulary and IDF (`features::own_featurizer`), not the base's
    /// with the sample's new terms; strength is then 0.
    pub own: bool,
}

impl Spec {
    /// The candidate's name: `base-as-is`, `base` (intercept refit), `prior-S` or `scratch-A`.
    pub fn name(&self) -> String {
        if let Some(share) = self.pooled {
            return format!("pooled-{share}");
        }
        if self.own {
            return format!("sample-{}", self.alpha);
        }
        match self.strength {
            None if self.as_is => "base-as-is".into(),
            None => "base".into(),
            Some(0.0) => format!("scratch-{}", self.alpha),
            Some(s) => format!("prior-{s}"),
        }
    }
}

/// A binary candidate's fitted weights and intercept.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub report: FitReport,
}

impl Fitted {
    /// The logits of every row of `x`.
    pub fn logits(&self, x: &CsrMatrix) -> Vec<f64> {
        (0..x.n_rows())
            .map(|r| {
                let (idx, val) = x.row(r);
                idx.iter()
                    .zip(val)
                    .map(|(&j, &v)| v * self.weights[j as usize])
                    .sum::<f64>()
                    + self.intercept
            })
            .collect()
    }
}

/// The rows of `x` and the base data's rows `base_x` stacked, with their labels and weights:
/// each part balanced by label on its own, then the sample's rows scaled to `share` of the
/// base data's total weight.
pub fn pooled(
    x: &CsrMatrix,
    y: &[usize],
    base_x: &CsrMatrix,
    base_y: &[usize],
    share: f64,
) -> (CsrMatrix, Vec<usize>, Vec<f64>) {
    let scale = share * base_y.len() as f64 / y.len().max(1) as f64;
    let mut s: Vec<f64> = balanced(y).into_iter().map(|v| v * scale).collect();
    s.extend(balanced(base_y));
    let rows = CsrMatrix::vstack(vec![x.clone(), base_x.clone()], x.n_cols());
    (rows, [y, base_y].concat(), s)
}

/// Balanced row weights for labels `y` (0 or 1), as training weighs rows.
pub fn balanced(y: &[usize]) -> Vec<f64> {
    LogisticParams::default().row_weights(y, 2)
}

/// Fits `spec` on rows `x` with labels `y` (1 = the base's second label), starting from the
/// base's `prior` weights (over `x`'s columns) and intercept.
pub fn fit(
    x: &CsrMatrix,
    y: &[usize],
    prior: &[f64],
    prior_intercept: f64,
    spec: Spec,
) -> Result<Fitted, StanceError> {
    fit_weighted(x, y, &balanced(y), prior, prior_intercept, spec)
}

/// [`fit`] with row weights `s` of its own.
pub fn fit_weighted(
    x: &CsrMatrix,
    y: &[usize],
    s: &[f64],
    prior: &[f64],
    prior_intercept: f64,
    spec: Spec,
) -> Result<Fitted, StanceError> {
    let Some(strength) = spec.strength else {
        let weights = prior.to_vec();
        let base = Fitted {
            weights,
            intercept: 0.0,
            report: FitReport {
                iterations: 0,
                final_loss: 0.0,
                gradient_norm: 0.0,
                converged: true,
            },
        };
        if spec.as_is {
            return Ok(Fitted {
                intercept: prior_intercept,
                ..base
            });
        }
        let z = base.logits(x);
        let (intercept, report) = refit_intercept(&z, y, s, prior_intercept);
        return Ok(Fitted {
            intercept,
            report,
            ..base
        });
    };
    let precision = strength + spec.alpha;
    let shrink = if precision > 0.0 {
        strength / precision
    } else {
        0.0
    };
    let centre: Vec<f64> = prior.iter().map(|w| shrink * w).collect();
    // The columns some row has, renumbered in order.
    let mut column = vec![u32::MAX; x.n_cols()];
    let mut active: Vec<usize> = Vec::new();
    for r in 0..x.n_rows() {
        for &j in x.row(r).0 {
            if column[j as usize] == u32::MAX {
                column[j as usize] = 0;
                active.push(j as usize);
            }
        }
    }
    active.sort_unstable();
    for (i, &j) in active.iter().enumerate() {
        column[j] = i as u32;
    }
    let compact = CsrMatrix::from_rows(
        (0..x.n_rows()).map(|r| {
            let (idx, val) = x.row(r);
            SparseRow {
                indices: idx.iter().map(|&j| column[j as usize]).collect(),
                values: val.to_vec(),
            }
        }),
        active.len(),
    );
    let active_centre: Vec<f64> = active.iter().map(|&j| centre[j]).collect();
    let objective = Objective::new(&compact, y, s, precision, 2).with_centre(&active_centre);
    let mut start = active_centre.clone();
    start.push(prior_intercept);
    let (w, report) = minimise_lbfgs(objective, start, MAX_ITER, TOLERANCE)?;
    let mut weights = centre;
    for (&j, &v) in active.iter().zip(&w) {
        weights[j] = v;
    }
    Ok(Fitted {
        weights,
        intercept: w[active.len()],
        report,
    })
}

/// The intercept that minimises the weighted log loss of logits `z + b` (Newton's method from
/// `start`, with step halving).
fn refit_intercept(z: &[f64], y: &[usize], s: &[f64], start: f64) -> (f64, FitReport) {
    let loss = |b: f64| -> f64 {
        z.iter()
            .zip(y)
            .zip(s)
            .map(|((&zi, &yi), &si)| {
                let m = if yi == 1 { -(zi + b) } else { zi + b };
                si * crate::model::objective::softplus(m)
            })
            .sum()
    };
    let mut b = start;
    let mut iterations = 0;
    let mut gradient = f64::INFINITY;
    for _ in 0..100 {
        iterations += 1;
        let (mut g, mut h) = (0.0, 1e-12);
        for ((&zi, &yi), &si) in z.iter().zip(y).zip(s) {
            let p = sigmoid(zi + b);
            g += si * (p - if yi == 1 { 1.0 } else { 0.0 });
            h += si * p * (1.0 - p);
        }
        gradient = g.abs();
        if gradient < TOLERANCE {
            break;
        }
        let mut step = g / h;
        let now = loss(b);
        while step.abs() > 1e-12 && loss(b - step) > now {
            step /= 2.0;
        }
        b -= step;
    }
    let report = FitReport {
        iterations,
        final_loss: loss(b),
        gradient_norm: gradient,
        converged: gradient < 1e-5,
    };
    (b, report)
}
