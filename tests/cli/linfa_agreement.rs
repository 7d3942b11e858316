//! Our sparse trainer against the reference, linfa-logistic, on small dense problems: the same
//! objective minimised by the same L-BFGS must give the same predictions and nearly the same
//! weights.

use linfa::prelude::*;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2};

use stance::features::sparse::{CsrMatrix, SparseRow};
use stance::model::logistic::{ClassWeight, LinearModel, LogisticParams};

/// A deterministic dense problem: `n` rows of `d` features, labels from a noisy linear rule.
fn problem(n: usize, d: usize, n_labels: usize) -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((n, d), |(i, j)| ((i * 7 + j * 13) as f64 * 0.731).sin());
    let y = (0..n)
        .map(|i| {
            let scores: Vec<f64> = (0..n_labels)
                .map(|c| {
                    (0..d)
                        .map(|j| x[[i, j]] * ((c * d + j) as f64 * 1.37).cos())
                        .sum::<f64>()
                        + ((i * 31) as f64).sin() * 0.3
                })
                .collect();
            (0..n_labels)
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
                .unwrap()
        })
        .collect();
    (x, y)
}

fn to_csr(x: &Array2<f64>) -> CsrMatrix {
    let rows = x.rows().into_iter().map(|r| SparseRow {
        indices: (0..r.len() as u32).collect(),
        values: r.to_vec(),
    });
    CsrMatrix::from_rows(rows, x.ncols())
}

fn ours(x: &Array2<f64>, y: &[usize], n_labels: usize, alpha: f64) -> LinearModel {
    let params = LogisticParams {
        alpha,
        max_iter: 1000,
        tolerance: 1e-9,
        class_weight: ClassWeight::None,
        ..LogisticParams::default()
    };
    let labels: Vec<String> = (0..n_labels).map(|c| format!("l{c}")).collect();
    params
        .fit(&to_csr(x), y, &labels, &mut |_, _| {})
        .unwrap()
        .0
}

fn predictions(model: &LinearModel, x: &Array2<f64>) -> Vec<usize> {
    let csr = to_csr(x);
    (0..csr.n_rows())
        .map(|r| {
            let (i, v) = csr.row(r);
            let p = model.probabilities(&SparseRow {
                indices: i.to_vec(),
                values: v.to_vec(),
            });
            (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap()
        })
        .collect()
}

#[test]
fn binary_trainer_agrees_with_linfa_logistic() {
    let (x, y) = problem(80, 6, 2);
    for alpha in [0.1, 1.0] {
        let reference = LogisticRegression::default()
            .alpha(alpha)
            .gradient_tolerance(1e-9)
            .max_iterations(1000)
            .fit(&Dataset::new(x.clone(), Array1::from(y.clone())))
            .unwrap();
        let model = ours(&x, &y, 2, alpha);
        for (a, b) in model.weights()[0].iter().zip(reference.params()) {
            assert!(
                (a - b).abs() < 1e-4,
                "alpha {alpha}: weight {a} vs linfa {b}"
            );
        }
        assert!((model.intercepts()[0] - reference.intercept()).abs() < 1e-4);
        let theirs: Vec<usize> = reference.predict(&x).to_vec();
        assert_eq!(predictions(&model, &x), theirs);
    }
}

#[test]
fn multinomial_trainer_agrees_with_linfa_logistic() {
    let (x, y) = problem(90, 5, 3);
    let alpha = 0.5;
    let reference = MultiLogisticRegression::default()
        .alpha(alpha)
        .gradient_tolerance(1e-9)
        .max_iterations(1000)
        .fit(&Dataset::new(x.clone(), Array1::from(y.clone())))
        .unwrap();
    let model = ours(&x, &y, 3, alpha);
    let params = reference.params(); // n_features x n_classes
    for c in 0..3 {
        for j in 0..x.ncols() {
            let (a, b) = (model.weights()[c][j], params[[j, c]]);
            assert!(
                (a - b).abs() < 1e-4,
                "class {c} feature {j}: {a} vs linfa {b}"
            );
        }
        assert!((model.intercepts()[c] - reference.intercept()[c]).abs() < 1e-4);
    }
    let theirs: Vec<usize> = reference.predict(&x).to_vec();
    assert_eq!(predictions(&model, &x), theirs);
}
