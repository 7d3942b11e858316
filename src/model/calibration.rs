//! Probability calibration, fitted on out-of-fold predictions from *grouped* cross-validation so
//! that it corrects the confidence a model has on outlets it has not seen.
//!
//! Two labels use Platt scaling on the logit, `p = sigmoid(a * z + b)`; three or more use
//! temperature scaling, `p = softmax(z / t)`. Both are fitted by Newton's method on the log loss,
//! which is convex in their parameters, from a fixed start, so the result is deterministic.

use serde::{Deserialize, Serialize};

use crate::model::objective::{sigmoid, softmax_in_place, softplus};

/// A fitted calibration map from raw logits to probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum Calibration {
    /// `p(second label) = sigmoid(a * z + b)` for a binary logit `z`.
    Platt { a: f64, b: f64 },
    /// `p = softmax(z / t)` for multinomial logits `z`.
    Temperature { t: f64 },
}

const NEWTON_STEPS: usize = 100;

impl Calibration {
    /// Fits Platt scaling to binary logits `z` with targets `y` (1 = second label). Both labels
    /// weigh the same in the fit, as in the classifier's balanced training, so the calibration
    /// does not move the decision threshold toward whichever label the corpus has more of.
    pub fn fit_platt(z: &[f64], y: &[bool]) -> Calibration {
        // Platt's smoothed targets keep the fit finite on separable data.
        let n_pos = y.iter().filter(|&&t| t).count() as f64;
        let n_neg = y.len() as f64 - n_pos;
        let hi = (n_pos + 1.0) / (n_pos + 2.0);
        let lo = 1.0 / (n_neg + 2.0);
        let t: Vec<f64> = y.iter().map(|&p| if p { hi } else { lo }).collect();
        let n = y.len() as f64;
        let s: Vec<f64> = y
            .iter()
            .map(|&p| n / (2.0 * if p { n_pos } else { n_neg }).max(1.0))
            .collect();
        let (mut a, mut b) = (1.0, 0.0);
        for _ in 0..NEWTON_STEPS {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for ((&zi, &ti), &si) in z.iter().zip(&t).zip(&s) {
                let p = sigmoid(a * zi + b);
                let d = si * (p - ti);
                let w = si * p * (1.0 - p);
                ga += d * zi;
                gb += d;
                haa += w * zi * zi;
                hab += w * zi;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-300 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            // Backtrack so that each step lowers the loss.
            let loss = |a: f64, b: f64| -> f64 {
                z.iter()
                    .zip(&t)
                    .zip(&s)
                    .map(|((&zi, &ti), &si)| {
                        si * (ti * softplus(-(a * zi + b)) + (1.0 - ti) * softplus(a * zi + b))
                    })
                    .sum()
            };
            let current = loss(a, b);
            let mut step = 1.0;
            while step > 1e-8 && loss(a - step * da, b - step * db) > current {
                step *= 0.5;
            }
            a -= step * da;
            b -= step * db;
            if (step * da).abs() < 1e-10 && (step * db).abs() < 1e-10 {
                break;
            }
        }
        Calibration::Platt { a, b }
    }

    /// Fits temperature scaling to multinomial logits with true label indices `y`.
    pub fn fit_temperature(z: &[Vec<f64>], y: &[usize]) -> Calibration {
        let loss = |t: f64| -> f64 {
            z.iter()
                .zip(y)
                .map(|(zi, &yi)| {
                    let scaled: Vec<f64> = zi.iter().map(|v| v / t).collect();
                    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = max + scaled.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                    lse - scaled[yi]
                })
                .sum()
        };
        // The loss is unimodal in log t: golden-section search over t in [0.05, 20].
        let (mut lo, mut hi) = (0.05f64.ln(), 20f64.ln());
        let g = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..80 {
            let m1 = hi - g * (hi - lo);
            let m2 = lo + g * (hi - lo);
            if loss(m1.exp()) <= loss(m2.exp()) {
                hi = m2;
            } else {
                lo = m1;
            }
        }
        Calibration::Temperature {
            t: ((lo + hi) / 2.0).exp(),
        }
    }

    /// Calibrated probabilities from raw logits (one logit for a binary model).
    pub fn apply(&self, logits: &[f64]) -> Vec<f64> {
        match *self {
            Calibration::Platt { a, b } => {
                // Each side from its own sigmoid: `1 - p` rounds to 0 for a logit past 37, and a
                // probability of exactly 0 cannot be cooled by length (evidence.rs).
                let z = a * logits[0] + b;
                vec![sigmoid(-z), sigmoid(z)]
            }
            Calibration::Temperature { t } => {
                let mut p: Vec<f64> = logits.iter().map(|v| v / t).collect();
                softmax_in_place(&mut p);
                p
            }
        }
    }

    /// Whether the parameters are finite and usable.
    pub fn is_valid(&self) -> bool {
        match *self {
            Calibration::Platt { a, b } => a.is_finite() && b.is_finite(),
            // The range the fit searches; outside it, scaled logits overflow to NaN.
            Calibration::Temperature { t } => (0.01..=100.0).contains(&t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::confidence::ece;

    /// Overconfident logits: the true log-odds are a third of the reported ones.
    fn overconfident(n: usize) -> (Vec<f64>, Vec<bool>) {
        let mut z = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let true_logit = ((i as f64) * 0.618).fract() * 6.0 - 3.0;
            let u = ((i as f64) * 0.754_877).fract();
            y.push(u < sigmoid(true_logit));
            z.push(3.0 * true_logit);
        }
        (z, y)
    }

    #[test]
    fn platt_scaling_recovers_the_slope_and_lowers_ece() {
        let (z, y) = overconfident(4000);
        let cal = Calibration::fit_platt(&z, &y);
        let Calibration::Platt { a, b } = cal else {
            panic!("binary gives Platt")
        };
        assert!((a - 1.0 / 3.0).abs() < 0.05, "a = {a}");
        assert!(b.abs() < 0.1, "b = {b}");
        let labels: Vec<usize> = y.iter().map(|&t| usize::from(t)).collect();
        let raw: Vec<Vec<f64>> = z
            .iter()
            .map(|&v| vec![1.0 - sigmoid(v), sigmoid(v)])
            .collect();
        let calibrated: Vec<Vec<f64>> = z.iter().map(|&v| cal.apply(&[v])).collect();
        let (before, after) = (ece(&labels, &raw), ece(&labels, &calibrated));
        assert!(after < before / 2.0, "ECE {before} -> {after}");
    }

    #[test]
    fn temperature_scaling_cools_overconfident_softmax() {
        let (z, y) = overconfident(3000);
        let logits: Vec<Vec<f64>> = z.iter().map(|&v| vec![0.0, v, -v / 2.0]).collect();
        let labels: Vec<usize> = y.iter().map(|&t| usize::from(t)).collect();
        let cal = Calibration::fit_temperature(&logits, &labels);
        let Calibration::Temperature { t } = cal else {
            panic!("multinomial gives temperature")
        };
        assert!(t > 1.5, "t = {t}");
        let raw: Vec<Vec<f64>> = logits
            .iter()
            .map(|l| {
                let mut p = l.clone();
                softmax_in_place(&mut p);
                p
            })
            .collect();
        let calibrated: Vec<Vec<f64>> = logits.iter().map(|l| cal.apply(l)).collect();
        assert!(ece(&labels, &calibrated) < ece(&labels, &raw));
    }
}
