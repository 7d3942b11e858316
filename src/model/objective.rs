//! The training objective on sparse rows: weighted log-loss plus an L2 penalty,
//! `sum_i s_i * logloss_i + 0.5 * alpha * ||W||^2`, with the intercepts not penalised.
//!
//! This is linfa-logistic's objective (with sample weights `s_i`, all 1 in linfa), written for
//! sparse rows so that it costs O(non-zeros) instead of O(rows x features). Binary problems use
//! one weight vector and the sigmoid; three or more labels use one vector per label and the
//! softmax, as linfa-logistic's `MultiLogisticRegression` does.
//!
//! Parameters are one flat vector, feature-major: `w[j * k + c]` is feature `j`'s weight for
//! output `c` (of `k` outputs: 1 for binary, one per label otherwise), followed by `k` intercepts.
//! Feature-major keeps the `k` weights a sparse entry touches next to each other.

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Error, Gradient};
use ndarray::Array1;
use rayon::prelude::*;

use crate::features::sparse::CsrMatrix;

/// A loss over a training matrix, its targets and sample weights.
pub struct Objective<'a> {
    x: &'a CsrMatrix,
    /// `x` transposed, for the gradient.
    xt: CsrMatrix,
    /// The label index of each row.
    y: &'a [usize],
    /// The weight of each row.
    weights: &'a [f64],
    alpha: f64,
    /// The point the penalty pulls the weights toward (flat, as the weights); zero when `None`
    /// (prior-centred adaptation, `stance adapt`, sets it).
    centre: Option<&'a [f64]>,
    /// 1 for a binary problem (sigmoid), the number of labels otherwise (softmax).
    outputs: usize,
    /// Called with the evaluation count and loss after each loss evaluation (for progress).
    on_eval: Option<RefCell<&'a mut dyn FnMut(u64, f64)>>,
    evaluations: Cell<u64>,
    /// The last point evaluated, with its loss and gradient.
    last: RefCell<Option<Evaluation>>,
}

/// A point, the loss there and the gradient there.
type Evaluation = (Vec<f64>, f64, Vec<f64>);

/// `ln(1 + e^z)` without overflow.
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// The logistic function without overflow.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Turns logits into probabilities in place, stably.
pub fn softmax_in_place(z: &mut [f64]) {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

impl<'a> Objective<'a> {
    /// An objective over `x` with label indices `y` (below `n_labels`) and row `weights`.
    pub fn new(
        x: &'a CsrMatrix,
        y: &'a [usize],
        weights: &'a [f64],
        alpha: f64,
        n_labels: usize,
    ) -> Self {
        Objective {
            x,
            xt: x.transpose(),
            y,
            weights,
            alpha,
            centre: None,
            outputs: if n_labels == 2 { 1 } else { n_labels },
            on_eval: None,
            evaluations: Cell::new(0),
            last: RefCell::new(None),
        }
    }

    /// Centres the penalty on `centre` (one value per weight, laid out as the weights):
    /// `0.5 * alpha * ||W - centre||^2`.
    pub fn with_centre(mut self, centre: &'a [f64]) -> Self {
        self.centre = Some(centre);
        self
    }

    /// Reports every loss evaluation to `f` (argmin's observers must be `'static`, which a
    /// borrowed progress callback is not).
    pub fn with_progress(mut self, f: &'a mut dyn FnMut(u64, f64)) -> Self {
        self.on_eval = Some(RefCell::new(f));
        self
    }

    fn report(&self, loss: f64) {
        let n = self.evaluations.get() + 1;
        self.evaluations.set(n);
        if let Some(f) = &self.on_eval {
            if let Ok(mut f) = f.try_borrow_mut() {
                (*f)(n, loss);
            }
        }
    }

    /// The training matrix transposed: row `j` is feature `j`'s column.
    pub(crate) fn columns(&self) -> &CsrMatrix {
        &self.xt
    }

    /// Reports a loss to the progress callback, for solvers that do not call
    /// [`Objective::loss_and_grad_reported`].
    pub(crate) fn report_progress(&self, loss: f64) {
        self.report(loss);
    }

    /// The length of the flat parameter vector.
    pub fn n_params(&self) -> usize {
        (self.x.n_cols() + 1) * self.outputs
    }

    /// The number of outputs (1 for binary).
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The loss and, when `grad` is given, its gradient.
    ///
    /// Rows are scored in parallel (each row's logit and residual are its own), and the gradient
    /// is read feature by feature from the transposed matrix, in parallel over features. Every
    /// sum still runs over rows in row order, so the result is bit-for-bit the same as one
    /// sequential pass, whatever the number of threads.
    pub fn loss_and_grad(&self, w: &[f64], grad: Option<&mut [f64]>) -> f64 {
        let k = self.outputs;
        let d = self.x.n_cols();
        let (weights, intercepts) = w.split_at(d * k);
        // The closures below share only these plain borrows across threads.
        let rows = Rows {
            x: self.x,
            y: self.y,
            weights: self.weights,
            outputs: k,
        };
        let (xt, alpha) = (&self.xt, self.alpha);
        // The weights' offsets from the penalty's centre.
        let shifted: Vec<f64>;
        let offsets = match self.centre {
            None => weights,
            Some(c) => {
                shifted = weights.iter().zip(c).map(|(w, c)| w - c).collect();
                &shifted
            }
        };
        let mut residuals = vec![0.0; self.x.n_rows() * k];
        let row_losses: Vec<f64> = residuals
            .par_chunks_mut(k)
            .with_min_len(256)
            .enumerate()
            .map(|(r, z)| rows.loss(r, weights, intercepts, z))
            .collect();
        let mut loss = 0.5 * self.alpha * offsets.iter().map(|v| v * v).sum::<f64>();
        for l in row_losses {
            loss += l;
        }
        if let Some(g) = grad {
            let (gw, gb) = g.split_at_mut(d * k);
            gw.par_chunks_mut(k)
                .with_min_len(1024)
                .enumerate()
                .for_each(|(j, gj)| {
                    let (rows, vals) = xt.row(j);
                    if let ([gc], 1) = (&mut gj[..], k) {
                        // The binary case, without per-entry slicing: the hot loop of training.
                        let mut acc = alpha * offsets[j];
                        for (&r, &v) in rows.iter().zip(vals) {
                            acc += v * residuals[r as usize];
                        }
                        *gc = acc;
                        return;
                    }
                    for (gc, wc) in gj.iter_mut().zip(&offsets[j * k..j * k + k]) {
                        *gc = alpha * wc;
                    }
                    for (&r, &v) in rows.iter().zip(vals) {
                        let res = &residuals[r as usize * k..r as usize * k + k];
                        for (gc, rc) in gj.iter_mut().zip(res) {
                            *gc += v * rc;
                        }
                    }
                });
            gb.iter_mut().for_each(|v| *v = 0.0);
            for res in residuals.chunks(k) {
                for (gc, rc) in gb.iter_mut().zip(res) {
                    *gc += rc;
                }
            }
        }
        loss
    }

    /// The loss and gradient at `w`, reported to the progress callback like argmin's calls.
    pub(crate) fn loss_and_grad_reported(&self, w: &[f64], grad: &mut [f64]) -> f64 {
        let loss = self.loss_and_grad(w, Some(grad));
        self.report(loss);
        loss
    }

    /// The loss and gradient at `w`, computed together once: L-BFGS's line search asks for the
    /// cost and then the gradient at the same point, and both come from the same pass.
    fn evaluate(&self, w: &[f64]) -> (f64, Vec<f64>) {
        if let Ok(cache) = self.last.try_borrow() {
            if let Some((at, loss, grad)) = cache.as_ref() {
                if at.as_slice() == w {
                    return (*loss, grad.clone());
                }
            }
        }
        let mut grad = vec![0.0; w.len()];
        let loss = self.loss_and_grad(w, Some(&mut grad));
        if let Ok(mut cache) = self.last.try_borrow_mut() {
            *cache = Some((w.to_vec(), loss, grad.clone()));
        }
        (loss, grad)
    }
}

/// The training rows, their labels and weights: what scoring one row needs.
#[derive(Clone, Copy)]
struct Rows<'a> {
    x: &'a CsrMatrix,
    y: &'a [usize],
    weights: &'a [f64],
    outputs: usize,
}

impl Rows<'_> {
    /// Row `r`'s weighted loss; leaves the row's residuals (the loss's derivative with respect
    /// to its logits) in `z`.
    fn loss(&self, r: usize, weights: &[f64], intercepts: &[f64], z: &mut [f64]) -> f64 {
        let k = self.outputs;
        let (idx, val) = self.x.row(r);
        if let ([z0], [b]) = (&mut z[..], intercepts) {
            // The binary case, without per-entry slicing.
            let mut acc = *b;
            for (&j, &v) in idx.iter().zip(val) {
                acc += v * weights[j as usize];
            }
            *z0 = acc;
        } else {
            z.copy_from_slice(intercepts);
            for (&j, &v) in idx.iter().zip(val) {
                let row = &weights[j as usize * k..j as usize * k + k];
                for (zc, wc) in z.iter_mut().zip(row) {
                    *zc += v * wc;
                }
            }
        }
        let s = self.weights[r];
        let y = self.y[r];
        if k == 1 {
            // Label 1 is the positive class: loss = softplus(-z) if y = 1, softplus(z) if 0.
            let t = if y == 1 { 1.0 } else { 0.0 };
            let loss = s * if y == 1 {
                softplus(-z[0])
            } else {
                softplus(z[0])
            };
            z[0] = s * (sigmoid(z[0]) - t);
            loss
        } else {
            let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            let loss = s * (lse - z[y]);
            for (c, zc) in z.iter_mut().enumerate() {
                let t = if c == y { 1.0 } else { 0.0 };
                *zc = s * ((*zc - lse).exp() - t);
            }
            loss
        }
    }
}

impl CostFunction for Objective<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, w: &Self::Param) -> Result<f64, Error> {
        let w = w
            .as_slice()
            .ok_or_else(|| Error::msg("parameters are not contiguous"))?;
        let (loss, _) = self.evaluate(w);
        self.report(loss);
        Ok(loss)
    }
}

impl Gradient for Objective<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, w: &Self::Param) -> Result<Self::Gradient, Error> {
        let w = w
            .as_slice()
            .ok_or_else(|| Error::msg("parameters are not contiguous"))?;
        Ok(Array1::from(self.evaluate(w).1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::sparse::SparseRow;

    fn problem() -> CsrMatrix {
        CsrMatrix::from_rows(
            vec![
                SparseRow {
                    indices: vec![0, 2],
                    values: vec![0.6, 0.8],
                },
                SparseRow {
                    indices: vec![1],
                    values: vec![1.0],
                },
                SparseRow {
                    indices: vec![0, 1],
                    values: vec![0.8, 0.6],
                },
            ],
            3,
        )
    }

    fn check_gradient(n_labels: usize, y: &[usize]) {
        let x = problem();
        let s = [1.0, 2.0, 0.5];
        let obj = Objective::new(&x, y, &s, 0.7, n_labels);
        let w: Vec<f64> = (0..obj.n_params())
            .map(|i| (i as f64 * 0.37).sin())
            .collect();
        let mut g = vec![0.0; w.len()];
        obj.loss_and_grad(&w, Some(&mut g));
        for i in 0..w.len() {
            let h = 1e-6;
            let mut wp = w.clone();
            wp[i] += h;
            let mut wm = w.clone();
            wm[i] -= h;
            let numeric = (obj.loss_and_grad(&wp, None) - obj.loss_and_grad(&wm, None)) / (2.0 * h);
            assert!(
                (numeric - g[i]).abs() < 1e-6,
                "param {i}: {numeric} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn binary_gradient_matches_finite_differences() {
        check_gradient(2, &[1, 0, 1]);
    }

    #[test]
    fn a_centred_penalty_is_zero_at_its_centre() {
        let x = problem();
        let (y, s) = ([1, 0, 1], [1.0; 3]);
        let centre = [0.3, -0.2, 0.5];
        let plain = Objective::new(&x, &y, &s, 0.0, 2);
        let centred = Objective::new(&x, &y, &s, 4.0, 2).with_centre(&centre);
        let at = [0.3, -0.2, 0.5, 0.1];
        let mut g0 = vec![0.0; 4];
        let mut g1 = vec![0.0; 4];
        let l0 = plain.loss_and_grad(&at, Some(&mut g0));
        let l1 = centred.loss_and_grad(&at, Some(&mut g1));
        assert_eq!((l0, g0), (l1, g1));
        let moved = [1.3, -0.2, 0.5, 0.1];
        let mut g2 = vec![0.0; 4];
        let l2 = centred.loss_and_grad(&moved, Some(&mut g2));
        let l3 = plain.loss_and_grad(&moved, None);
        assert!((l2 - l3 - 2.0).abs() < 1e-12, "0.5 * 4 * 1^2");
    }

    #[test]
    fn multinomial_gradient_matches_finite_differences() {
        check_gradient(3, &[2, 0, 1]);
    }

    #[test]
    fn zero_weights_give_ln2_per_row() {
        let x = problem();
        let obj = Objective::new(&x, &[1, 0, 1], &[1.0; 3], 1.0, 2);
        let loss = obj.loss_and_grad(&vec![0.0; obj.n_params()], None);
        assert!((loss - 3.0 * 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn stable_helpers() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((softplus(1000.0) - 1000.0).abs() < 1e-9);
        let mut z = [1000.0, 1000.0];
        softmax_in_place(&mut z);
        assert_eq!(z, [0.5, 0.5]);
    }
}
