//! Coordinate descent for sparse (L1 and elastic-net) logistic regression: newGLMNET (Yuan,
//! Chang and Lin, "An improved GLMNET for L1-regularized logistic regression", JMLR 2012), the
//! solver liblinear uses for L1-regularised logistic regression.
//!
//! Each outer (Newton) iteration builds a quadratic model of the smooth loss around the current
//! weights (exact gradient, diagonal Hessian per row), minimises that model plus the penalty by
//! cyclic coordinate descent over the columns (each coordinate has a closed-form soft-thresholded
//! minimum), and then takes the resulting direction with an Armijo line search on the true
//! objective. Two kinds of shrinking keep the work on the few weights that matter: a zero weight
//! whose gradient sits well inside `[-l1, l1]` leaves the active set of the outer loop and of the
//! inner loop; both sets are restored before convergence is declared, so the final check sees
//! every weight.
//!
//! Unlike liblinear, the intercepts are unpenalised (a coordinate with no L1 term, updated by a
//! Newton step once per inner sweep) and rows carry sample weights. With three or more labels,
//! each label's weight vector is one block: an outer iteration takes one newGLMNET step per block
//! in turn, with that block's exact diagonal Hessian, as glmnet's multinomial solver does.
//!
//! It stops when the pseudo-gradient (over every weight and intercept) has L2 norm at most the
//! tolerance, as OWL-QN does, so that both solvers stop at the same accuracy. Everything runs
//! in a fixed order on one thread (the coordinate order is shuffled by a fixed-seed generator),
//! so the result is the same bits on any machine and thread count.

use crate::features::sparse::CsrMatrix;
use crate::model::objective::{sigmoid, softplus};

/// Inner coordinate-descent sweeps per Newton step at most.
const MAX_INNER: usize = 100;
/// Halvings of the Newton step at most.
const MAX_LINE_SEARCH: usize = 20;
/// Armijo's sufficient-decrease constant (liblinear's).
const ARMIJO: f64 = 0.01;
/// The shrunk sets are first restored when the summed L1 violation falls to this share of the
/// first one (liblinear's stopping rule with its `eps`), then at a tenth of that each time.
const RESTORE_EPS: f64 = 1e-3;
/// Added to every diagonal Hessian entry, so that a column of rows the model already fits
/// with certainty does not divide by zero (liblinear's `nu`).
const NU: f64 = 1e-12;

/// The problem: columns of the training matrix, labels, row weights and the penalty.
pub(crate) struct Problem<'a> {
    /// The training matrix transposed: row `j` holds feature `j`'s column.
    pub columns: &'a CsrMatrix,
    pub y: &'a [usize],
    /// The weight of each row in the loss.
    pub sample_weights: &'a [f64],
    /// 1 for a binary problem (sigmoid), the number of labels otherwise (softmax).
    pub outputs: usize,
    /// The L1 coefficient on every weight.
    pub l1: f64,
    /// The L2 coefficient: the penalty is `l2 / 2 * ||w||^2` besides the L1 term.
    pub l2: f64,
}

/// Settings of one minimisation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Outer (Newton) iterations at most.
    pub max_iter: u64,
    /// Stop when the pseudo-gradient's L2 norm is at most this.
    pub tolerance: f64,
}

/// What a minimisation found: one weight vector per output, the intercepts, the outer
/// iterations taken.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    pub iterations: u64,
}

/// Minimises `sum_i s_i * logloss_i + l1 * ||W||_1 + l2 / 2 * ||W||^2` from zero weights.
/// `on_iter` is called after every outer iteration with its count and the objective.
pub(crate) fn minimize(
    problem: &Problem<'_>,
    settings: Settings,
    on_iter: &mut dyn FnMut(u64, f64),
) -> Minimum {
    let mut cd = Descent::new(problem);
    let k = problem.outputs;
    let tol2 = settings.tolerance * settings.tolerance;
    // The latest violation (squared pseudo-gradient norm) of each block.
    let mut violations = vec![f64::INFINITY; k];
    let mut l1_violations = vec![f64::INFINITY; k];
    let mut restore_eps = RESTORE_EPS;
    let mut iterations = 0;
    'outer: while iterations < settings.max_iter {
        iterations += 1;
        for c in 0..k {
            violations[c] = cd.block_gradient(c);
            l1_violations[c] = cd.gnorm1;
            let converged = violations.iter().sum::<f64>() <= tol2;
            let shrunk_converged = l1_violations.iter().sum::<f64>()
                <= restore_eps * cd.gnorm1_init.iter().sum::<f64>();
            if (converged || shrunk_converged) && !cd.all_full() {
                // Figures from shrunk sets say nothing of the features left out: look at all
                // of them again (liblinear's rule), and next time only at a tighter level.
                cd.restore_active_sets();
                if shrunk_converged {
                    restore_eps *= 0.1;
                }
                violations.fill(f64::INFINITY);
                l1_violations.fill(f64::INFINITY);
                continue 'outer;
            }
            if converged {
                // With several blocks the other blocks' figures predate this one's step:
                // check them all at this point before stopping.
                if k == 1 || cd.exact_violations(&mut violations) <= tol2 {
                    break 'outer;
                }
                // The check left another block's derivatives behind.
                violations[c] = cd.block_gradient(c);
            }
            if !cd.newton_step(c) {
                // The line search could not decrease the objective: this is as far as
                // floating point goes.
                break 'outer;
            }
        }
        on_iter(iterations, cd.objective());
    }
    Minimum {
        weights: cd.w,
        intercepts: cd.b,
        iterations,
    }
}

/// The solver's state.
struct Descent<'a> {
    p: &'a Problem<'a>,
    n: usize,
    d: usize,
    /// Weights, one vector per block, and intercepts.
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
    /// Logits, row-major: `z[i * k + c]`.
    z: Vec<f64>,
    /// The smooth loss and the penalty at the current point.
    loss: f64,
    penalty: f64,
    /// Per block: the features the outer loop still visits, the largest violation of the last
    /// gradient pass (the shrinking threshold), the inner loop's relative tolerance, and the
    /// first gradient pass's violation (what that tolerance is relative to).
    active: Vec<Vec<u32>>,
    /// Per block: whether its last gradient pass started from every feature.
    full_pass: Vec<bool>,
    gmax_old: Vec<f64>,
    inner_eps: Vec<f64>,
    gnorm1_init: Vec<f64>,
    /// The current block's per-row loss derivatives (first, second) with respect to its logit,
    /// gradient and diagonal Hessian per feature, and those of the intercept.
    g_row: Vec<f64>,
    /// Per row, the second derivative and the direction's logit change (`xtd`), side by side:
    /// the inner loop reads both for every entry of a column.
    hx: Vec<[f64; 2]>,
    grad: Vec<f64>,
    hdiag: Vec<f64>,
    grad_b: f64,
    hess_b: f64,
    /// The last gradient pass's L1 violation (for the inner tolerance).
    gnorm1: f64,
    /// The Newton direction: its weights change, intercept change, and logit change per row.
    dir: Vec<f64>,
    dir_b: f64,
    rng: u64,
}

impl<'a> Descent<'a> {
    fn new(p: &'a Problem<'a>) -> Self {
        let (n, d, k) = (p.y.len(), p.columns.n_rows(), p.outputs);
        let all: Vec<u32> = (0..d as u32).collect();
        let mut cd = Descent {
            p,
            n,
            d,
            w: vec![vec![0.0; d]; k],
            b: vec![0.0; k],
            z: vec![0.0; n * k],
            loss: 0.0,
            penalty: 0.0,
            active: vec![all; k],
            full_pass: vec![false; k],
            gmax_old: vec![f64::INFINITY; k],
            inner_eps: vec![1.0; k],
            gnorm1_init: vec![f64::NAN; k],
            g_row: vec![0.0; n],
            hx: vec![[0.0; 2]; n],
            grad: vec![0.0; d],
            hdiag: vec![0.0; d],
            grad_b: 0.0,
            hess_b: 0.0,
            gnorm1: 0.0,
            dir: vec![0.0; d],
            dir_b: 0.0,
            rng: 0x9E37_79B9_7F4A_7C15,
        };
        cd.loss = cd.smooth_loss(0, 0.0);
        cd
    }

    fn objective(&self) -> f64 {
        self.loss + self.penalty
    }

    /// Whether every block's last gradient pass started from all its features, so that its
    /// violation is exact (a feature it shrank away has none).
    fn all_full(&self) -> bool {
        self.full_pass.iter().all(|&f| f)
    }

    /// Puts every feature back into every block's active set. The shrinking thresholds stay:
    /// the next gradient pass sees every feature, and at once drops those still far inside
    /// their bounds, so that a restore costs one pass and not a Newton step on all of them.
    fn restore_active_sets(&mut self) {
        for a in &mut self.active {
            a.clear();
            a.extend(0..self.d as u32);
        }
    }

    /// Every block's violation over all features at the current point, into `violations`;
    /// returns their sum.
    fn exact_violations(&mut self, violations: &mut [f64]) -> f64 {
        // Every pass starts from all features, so each violation is exact.
        self.restore_active_sets();
        for (c, v) in violations.iter_mut().enumerate() {
            *v = self.block_gradient(c);
        }
        violations.iter().sum()
    }

    /// Block `c`'s per-row derivatives, gradient and diagonal Hessian over its active features,
    /// dropping the features shrinking rules out; returns the squared pseudo-gradient norm
    /// over the remaining features and the intercept.
    fn block_gradient(&mut self, c: usize) -> f64 {
        self.row_derivatives(c);
        self.full_pass[c] = self.active[c].len() == self.d;
        let (l1, l2) = (self.p.l1, self.p.l2);
        let threshold = self.gmax_old[c] / self.n as f64;
        let (mut gmax, mut gnorm1, mut sq) = (0.0f64, 0.0, 0.0);
        let mut active = std::mem::take(&mut self.active[c]);
        let w = &self.w[c];
        active.retain(|&j| {
            let j = j as usize;
            let (rows, vals) = self.p.columns.row(j);
            let (g, h) = column_gradient(rows, vals, &self.g_row, &self.hx);
            let (g, h) = (g + l2 * w[j], h + l2 + NU);
            self.grad[j] = g;
            self.hdiag[j] = h;
            let violation = if w[j] > 0.0 {
                (g + l1).abs()
            } else if w[j] < 0.0 {
                (g - l1).abs()
            } else if g + l1 < 0.0 {
                -(g + l1)
            } else if g - l1 > 0.0 {
                g - l1
            } else if g + l1 > threshold && g - l1 < -threshold {
                return false;
            } else {
                0.0
            };
            gmax = gmax.max(violation);
            gnorm1 += violation;
            sq += violation * violation;
            true
        });
        self.active[c] = active;
        self.grad_b = self.g_row.iter().sum();
        self.hess_b = self.hx.iter().map(|hx| hx[0]).sum::<f64>() + NU;
        self.gmax_old[c] = gmax;
        self.gnorm1 = gnorm1 + self.grad_b.abs();
        if self.gnorm1_init[c].is_nan() {
            self.gnorm1_init[c] = self.gnorm1;
        }
        sq + self.grad_b * self.grad_b
    }

    /// The loss's first and second derivatives with respect to each row's logit of block `c`.
    fn row_derivatives(&mut self, c: usize) {
        let k = self.p.outputs;
        for i in 0..self.n {
            let zi = &self.z[i * k..i * k + k];
            let (p, t) = if k == 1 {
                (sigmoid(zi[0]), self.p.y[i] == 1)
            } else {
                ((zi[c] - log_sum_exp(zi)).exp(), self.p.y[i] == c)
            };
            let s = self.p.sample_weights[i];
            self.g_row[i] = s * (p - if t { 1.0 } else { 0.0 });
            self.hx[i][0] = s * p * (1.0 - p);
        }
    }

    /// One newGLMNET step on block `c` from the gradient `block_gradient` left: the direction
    /// by coordinate descent on the quadratic model, then the line search. Returns whether the
    /// line search found a decrease.
    fn newton_step(&mut self, c: usize) -> bool {
        let sweeps = self.inner_descent(c);
        // liblinear's rule: an inner loop that met its tolerance in one sweep asked too little.
        if sweeps == 1 {
            self.inner_eps[c] *= 0.25;
        }
        self.line_search(c)
    }

    /// Coordinate descent on the quadratic model of block `c`'s loss plus the penalty, over the
    /// active features and the intercept; leaves the direction in `dir`, `dir_b` and `hx`.
    /// Returns the sweeps taken.
    fn inner_descent(&mut self, c: usize) -> usize {
        let (l1, l2) = (self.p.l1, self.p.l2);
        let mut qp_active = self.active[c].clone();
        for &j in &qp_active {
            self.dir[j as usize] = 0.0;
        }
        self.dir_b = 0.0;
        self.hx.iter_mut().for_each(|hx| hx[1] = 0.0);
        let mut qp_gmax_old = f64::INFINITY;
        let tolerance = self.inner_eps[c] * self.gnorm1_init[c];
        // Taken out for the loop (and put back) so that the intercept update can borrow `self`.
        let w = std::mem::take(&mut self.w[c]);
        let mut sweeps = 0;
        while sweeps < MAX_INNER {
            sweeps += 1;
            let threshold = qp_gmax_old / self.n as f64;
            let (mut gmax, mut gnorm1) = (0.0f64, 0.0);
            shuffle(&mut qp_active, &mut self.rng);
            let mut s = 0;
            while s < qp_active.len() {
                let j = qp_active[s] as usize;
                let (rows, vals) = self.p.columns.row(j);
                let h = self.hdiag[j];
                let g = self.grad[j] + l2 * self.dir[j] + model_gradient(rows, vals, &self.hx);
                let wpd = w[j] + self.dir[j];
                let (gp, gn) = (g + l1, g - l1);
                let violation = if wpd > 0.0 {
                    gp.abs()
                } else if wpd < 0.0 {
                    gn.abs()
                } else if gp < 0.0 {
                    -gp
                } else if gn > 0.0 {
                    gn
                } else if gp > threshold && gn < -threshold {
                    qp_active.swap_remove(s);
                    continue;
                } else {
                    0.0
                };
                gmax = gmax.max(violation);
                gnorm1 += violation;
                s += 1;
                let step = if gp < h * wpd {
                    -gp / h
                } else if gn > h * wpd {
                    -gn / h
                } else {
                    // To zero, exactly: a direction summed from several steps would leave
                    // rounding dust (1e-17) that no later step is big enough to clear.
                    if wpd != 0.0 {
                        self.dir[j] = -w[j];
                        for (&r, &v) in rows.iter().zip(vals) {
                            self.hx[r as usize][1] -= wpd * v;
                        }
                    }
                    continue;
                };
                if step.abs() < 1e-12 {
                    continue;
                }
                let step = step.clamp(-10.0, 10.0);
                self.dir[j] += step;
                for (&r, &v) in rows.iter().zip(vals) {
                    self.hx[r as usize][1] += step * v;
                }
            }
            gnorm1 += self.intercept_update();
            if gnorm1 <= tolerance {
                if qp_active.len() == self.active[c].len() {
                    break;
                }
                qp_active.clone_from(&self.active[c]);
                qp_gmax_old = f64::INFINITY;
            } else {
                qp_gmax_old = gmax;
            }
        }
        self.w[c] = w;
        sweeps
    }

    /// The intercept's Newton step on the quadratic model (it has no penalty); returns the
    /// model's gradient for it before the step.
    fn intercept_update(&mut self) -> f64 {
        let mut g = self.grad_b;
        for [h, x] in &self.hx {
            g += h * x;
        }
        let step = -g / self.hess_b;
        self.dir_b += step;
        self.hx.iter_mut().for_each(|hx| hx[1] += step);
        g.abs()
    }

    /// Armijo backtracking along the direction: tries steps 1, 1/2, 1/4, ... and moves block
    /// `c` to the first that decreases the objective enough. Returns whether one did.
    fn line_search(&mut self, c: usize) -> bool {
        let (l1, l2) = (self.p.l1, self.p.l2);
        let active = &self.active[c];
        let w = &self.w[c];
        // The L1 and L2 changes of the penalty at step `t`.
        let penalty_of = |t: f64| -> (f64, f64) {
            active.iter().fold((0.0, 0.0), |(a, b), &j| {
                let (old, new) = (w[j as usize], w[j as usize] + t * self.dir[j as usize]);
                (
                    a + l1 * (new.abs() - old.abs()),
                    b + 0.5 * l2 * (new * new - old * old),
                )
            })
        };
        let linear: f64 = active
            .iter()
            .map(|&j| self.grad[j as usize] * self.dir[j as usize])
            .sum::<f64>()
            + self.grad_b * self.dir_b;
        let mut t = 1.0;
        for _ in 0..MAX_LINE_SEARCH {
            let (l1_change, l2_change) = penalty_of(t);
            let penalty_change = l1_change + l2_change;
            // liblinear's decrease target: the smooth part's linear term (the L2 share's
            // included, through `grad`) plus the true L1 change.
            let delta = t * linear + l1_change;
            let loss = self.smooth_loss(c, t);
            // Near the optimum the predicted decrease falls below what the objective's last
            // digits can show (about 1e-16 of it): the line search has nothing left to
            // measure, and the Newton step, which the quadratic model is exact for at such a
            // scale, is taken on the model's word.
            let unmeasurable = t == 1.0 && -delta <= 1e-13 * self.objective().abs();
            if loss - self.loss + penalty_change <= ARMIJO * delta || unmeasurable {
                self.accept(c, t, loss, penalty_change);
                return true;
            }
            t *= 0.5;
        }
        false
    }

    fn accept(&mut self, c: usize, t: f64, loss: f64, penalty_change: f64) {
        let k = self.p.outputs;
        for &j in &self.active[c] {
            self.w[c][j as usize] += t * self.dir[j as usize];
        }
        self.b[c] += t * self.dir_b;
        for (i, [_, x]) in self.hx.iter().enumerate() {
            self.z[i * k + c] += t * x;
        }
        self.loss = loss;
        self.penalty += penalty_change;
    }

    /// The smooth loss with block `c`'s logits moved by `t * xtd`.
    fn smooth_loss(&self, c: usize, t: f64) -> f64 {
        let k = self.p.outputs;
        let mut total = 0.0;
        let mut zi = vec![0.0; k];
        for i in 0..self.n {
            zi.copy_from_slice(&self.z[i * k..i * k + k]);
            zi[c] += t * self.hx[i][1];
            let y = self.p.y[i];
            let loss = if k == 1 {
                if y == 1 {
                    softplus(-zi[0])
                } else {
                    softplus(zi[0])
                }
            } else {
                log_sum_exp(&zi) - zi[y]
            };
            total += self.p.sample_weights[i] * loss;
        }
        total
    }
}

/// A column's gradient and diagonal Hessian of the loss, `sum_r v * g_r` and
/// `sum_r v^2 * h_r`, in two interleaved partial sums each: a fixed order, so the same bits on
/// any machine, and half the dependency chain of one running sum.
fn column_gradient(rows: &[u32], vals: &[f64], g_row: &[f64], hx: &[[f64; 2]]) -> (f64, f64) {
    let (mut g, mut h) = ([0.0; 2], [0.0; 2]);
    for (t, (&r, &v)) in rows.iter().zip(vals).enumerate() {
        let r = r as usize;
        g[t & 1] += v * g_row[r];
        h[t & 1] += v * v * hx[r][0];
    }
    (g[0] + g[1], h[0] + h[1])
}

/// The quadratic model's gradient term for a column, `sum_r v * h_r * xtd_r`, in four
/// interleaved partial sums (the inner loop's hot spot; see [`column_gradient`]).
fn model_gradient(rows: &[u32], vals: &[f64], hx: &[[f64; 2]]) -> f64 {
    let term = |r: u32, v: f64| {
        let [h, x] = hx[r as usize];
        v * h * x
    };
    let (rows4, vals4) = (rows.chunks_exact(4), vals.chunks_exact(4));
    let tail: f64 = rows4
        .remainder()
        .iter()
        .zip(vals4.remainder())
        .map(|(&r, &v)| term(r, v))
        .sum();
    let mut acc = [0.0; 4];
    for (r, v) in rows4.zip(vals4) {
        for t in 0..4 {
            acc[t] += term(r[t], v[t]);
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn log_sum_exp(z: &[f64]) -> f64 {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Fisher-Yates with xorshift64*: a fixed sequence, so that runs are reproducible.
fn shuffle(items: &mut [u32], state: &mut u64) {
    for i in (1..items.len()).rev() {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        items.swap(i, (r % (i as u64 + 1)) as usize);
    }
}
