//! OWL-QN (orthant-wise limited-memory quasi-Newton; Andrew and Gao, ICML 2007): L-BFGS for a
//! smooth loss plus an L1 penalty `sum_j l1_j * |w_j|`, which is what sparse (L1 and elastic-net)
//! logistic regression minimises.
//!
//! argmin's L-BFGS has an OWL-QN mode, but it penalises every parameter with one coefficient;
//! ours takes a coefficient per parameter, so that the intercepts stay unpenalised (as in
//! scikit-learn's saga and liblinear's L1 solver). The loop is the paper's:
//! - the pseudo-gradient replaces the gradient where the penalty is not differentiable (at 0);
//! - the L-BFGS direction is computed from it, then any component that disagrees in sign with
//!   the steepest-descent direction is zeroed;
//! - a backtracking line search projects each trial point onto the orthant of the current
//!   point, so a weight that would cross zero stops at zero, which is how weights become
//!   exactly zero;
//! - the curvature pairs use the smooth part's gradients only.
//!
//! It stops when the pseudo-gradient's L2 norm is at most the tolerance (reported as
//! converged), at the iteration limit, or when the line search cannot decrease the objective
//! any more (reported with the norm reached, not as converged unless the norm is small enough).

/// Settings of one minimisation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Curvature pairs kept.
    pub memory: usize,
    /// Iteration limit.
    pub max_iter: u64,
    /// Stop when the pseudo-gradient's L2 norm is at most this.
    pub tolerance: f64,
}

/// What a minimisation found.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub w: Vec<f64>,
    /// Smooth loss plus the L1 penalty at `w`.
    pub objective: f64,
    pub iterations: u64,
    /// The pseudo-gradient's L2 norm at `w`.
    pub gradient_norm: f64,
    pub converged: bool,
}

/// Sufficient-decrease constant of the backtracking line search.
const ARMIJO: f64 = 1e-4;
/// The line search gives up below this step: the objective no longer decreases measurably.
const MIN_STEP: f64 = 1e-20;

/// Minimises `smooth(w) + sum_j l1[j] * |w[j]|` from `w0`. `smooth` returns the loss at `w` and
/// writes its gradient into the second argument. `l1` holds one non-negative coefficient per
/// parameter (0 leaves a parameter unpenalised).
pub(crate) fn minimize(
    mut smooth: impl FnMut(&[f64], &mut [f64]) -> f64,
    w0: Vec<f64>,
    l1: &[f64],
    settings: Settings,
) -> Minimum {
    let n = w0.len();
    debug_assert_eq!(l1.len(), n);
    let mut w = w0;
    let mut g = vec![0.0; n];
    let mut f = smooth(&w, &mut g) + penalty(&w, l1);
    let mut pg = vec![0.0; n];
    pseudo_gradient(&w, &g, l1, &mut pg);
    let mut memory = History::new(settings.memory);
    let mut iterations = 0;
    let mut w_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut direction = vec![0.0; n];
    while iterations < settings.max_iter {
        if norm(&pg) <= settings.tolerance {
            break;
        }
        memory.direction(&pg, &mut direction);
        // Keep only the components that point downhill for the pseudo-gradient.
        for (d, p) in direction.iter_mut().zip(&pg) {
            if *d * *p >= 0.0 {
                *d = 0.0;
            }
        }
        if dot(&direction, &pg) >= 0.0 {
            // The quasi-Newton model is no help here: restart from steepest descent.
            memory.clear();
            for (d, p) in direction.iter_mut().zip(&pg) {
                *d = -p;
            }
        }
        // The first step of a fresh memory is scaled to unit length, as L-BFGS's first is.
        let mut step = if memory.is_empty() {
            (1.0 / norm(&direction)).min(1.0)
        } else {
            1.0
        };
        let accepted = loop {
            for j in 0..n {
                let orthant = if w[j] != 0.0 { w[j] } else { -pg[j] };
                let v = w[j] + step * direction[j];
                w_new[j] = if l1[j] > 0.0 && v * orthant <= 0.0 {
                    0.0
                } else {
                    v
                };
            }
            let f_new = smooth(&w_new, &mut g_new) + penalty(&w_new, l1);
            let decrease: f64 = (0..n).map(|j| pg[j] * (w_new[j] - w[j])).sum();
            if f_new <= f + ARMIJO * decrease {
                break Some(f_new);
            }
            step *= 0.5;
            if step < MIN_STEP {
                break None;
            }
        };
        let Some(f_new) = accepted else {
            break;
        };
        iterations += 1;
        memory.push(&w_new, &w, &g_new, &g);
        std::mem::swap(&mut w, &mut w_new);
        std::mem::swap(&mut g, &mut g_new);
        f = f_new;
        pseudo_gradient(&w, &g, l1, &mut pg);
    }
    let gradient_norm = norm(&pg);
    Minimum {
        w,
        objective: f,
        iterations,
        gradient_norm,
        converged: gradient_norm <= settings.tolerance,
    }
}

/// The L1 penalty at `w`.
fn penalty(w: &[f64], l1: &[f64]) -> f64 {
    w.iter().zip(l1).map(|(v, l)| l * v.abs()).sum()
}

/// The minimum-norm subgradient of the penalised objective: the gradient where the penalty is
/// differentiable, and at a zero weight the one-sided derivative that points downhill, or 0
/// when neither side does (the weight is optimal at zero).
pub(crate) fn pseudo_gradient(w: &[f64], g: &[f64], l1: &[f64], out: &mut [f64]) {
    for j in 0..w.len() {
        let (wj, gj, lj) = (w[j], g[j], l1[j]);
        out[j] = if lj == 0.0 {
            gj
        } else if wj > 0.0 {
            gj + lj
        } else if wj < 0.0 {
            gj - lj
        } else if gj + lj < 0.0 {
            gj + lj
        } else if gj - lj > 0.0 {
            gj - lj
        } else {
            0.0
        };
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// The last few curvature pairs `s = w' - w`, `y = g' - g`, oldest first.
struct History {
    capacity: usize,
    pairs: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)>,
}

impl History {
    fn new(capacity: usize) -> Self {
        History {
            capacity: capacity.max(1),
            pairs: std::collections::VecDeque::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn clear(&mut self) {
        self.pairs.clear();
    }

    /// Keeps a pair when it has positive curvature; the penalty's kinks can make `s . y`
    /// vanish, and such a pair would break the inverse-Hessian model.
    fn push(&mut self, w_new: &[f64], w: &[f64], g_new: &[f64], g: &[f64]) {
        let s: Vec<f64> = w_new.iter().zip(w).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy <= 1e-12 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            return;
        }
        if self.pairs.len() == self.capacity {
            self.pairs.pop_front();
        }
        self.pairs.push_back((s, y, 1.0 / sy));
    }

    /// `-H * v` by the two-loop recursion, with `H0 = (s . y) / (y . y)` from the newest pair.
    fn direction(&self, v: &[f64], out: &mut [f64]) {
        out.copy_from_slice(v);
        let mut alphas = Vec::with_capacity(self.pairs.len());
        for (s, y, rho) in self.pairs.iter().rev() {
            let a = rho * dot(s, out);
            for (o, yj) in out.iter_mut().zip(y) {
                *o -= a * yj;
            }
            alphas.push(a);
        }
        if let Some((s, y, _)) = self.pairs.back() {
            let gamma = dot(s, y) / dot(y, y);
            out.iter_mut().for_each(|o| *o *= gamma);
        }
        for ((s, y, rho), a) in self.pairs.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, out);
            for (o, sj) in out.iter_mut().zip(s) {
                *o += (a - b) * sj;
            }
        }
        out.iter_mut().for_each(|o| *o = -*o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            memory: 10,
            max_iter: 1000,
            tolerance: 1e-10,
        }
    }

    /// `0.5 * sum_j c_j (w_j - t_j)^2 + sum_j l_j |w_j|` has the closed-form minimiser
    /// `sign(t_j) * max(|t_j| - l_j / c_j, 0)`: soft thresholding.
    #[test]
    fn separable_quadratic_gives_soft_thresholding() {
        let c = [1.0, 2.0, 0.5, 4.0, 1.0];
        let t = [3.0, -0.2, -4.0, 0.1, 2.0];
        let l1 = [1.0, 1.0, 1.0, 1.0, 0.0];
        let smooth = |w: &[f64], g: &mut [f64]| {
            let mut f = 0.0;
            for j in 0..w.len() {
                f += 0.5 * c[j] * (w[j] - t[j]).powi(2);
                g[j] = c[j] * (w[j] - t[j]);
            }
            f
        };
        let m = minimize(smooth, vec![0.0; 5], &l1, settings());
        assert!(m.converged, "{m:?}");
        for j in 0..5 {
            let expect = t[j].signum() * (t[j].abs() - l1[j] / c[j]).max(0.0);
            assert!(
                (m.w[j] - expect).abs() < 1e-8,
                "w[{j}] = {} not {expect}",
                m.w[j]
            );
        }
        assert_eq!(m.w[1], 0.0);
        assert_eq!(m.w[3], 0.0);
    }

    #[test]
    fn pseudo_gradient_is_zero_inside_the_dead_zone() {
        let mut out = [9.0; 4];
        pseudo_gradient(
            &[0.0, 0.0, 0.0, 1.0],
            &[0.5, -2.0, 2.0, 0.5],
            &[1.0, 1.0, 1.0, 1.0],
            &mut out,
        );
        assert_eq!(out, [0.0, -1.0, 1.0, 1.5]);
    }
}
