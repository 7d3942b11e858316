//! TF-IDF weighting: sublinear term frequency, smoothed IDF from the *training* corpus, and
//! L2-normalised rows.
//!
//! `idf(t) = ln((1 + n) / (1 + df(t))) + 1`, as scikit-learn's `smooth_idf=True`, where `n` and
//! `df` come from the training corpus only: scoring never recomputes IDF from the batch being
//! scored (which is what linfa-preprocessing does, and why it is not used here).

use serde::{Deserialize, Serialize};

use crate::features::sparse::SparseRow;

/// TF-IDF settings, saved in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TfidfParams {
    /// Use `1 + ln(tf)` instead of raw counts; defaults to `true`.
    pub sublinear_tf: bool,
}

impl Default for TfidfParams {
    fn default() -> Self {
        TfidfParams { sublinear_tf: true }
    }
}

impl TfidfParams {
    /// Fits the IDF vector from document frequencies over `n_docs` training documents.
    pub(crate) fn fit(&self, df: &[u64], n_docs: usize) -> Tfidf {
        let n = n_docs as f64;
        let idf = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0)
            .collect();
        Tfidf { params: *self, idf }
    }
}

/// Fitted TF-IDF weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    params: TfidfParams,
    idf: Vec<f64>,
}

impl Tfidf {
    /// Rebuilds fitted weights from a saved IDF vector.
    pub(crate) fn from_idf(params: TfidfParams, idf: Vec<f64>) -> Self {
        Tfidf { params, idf }
    }

    /// The IDF vector, one entry per vocabulary term.
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    /// The settings.
    pub fn params(&self) -> TfidfParams {
        self.params
    }

    /// Turns `(feature, count)` pairs, sorted by feature and without repeats, into a weighted,
    /// L2-normalised row.
    pub(crate) fn weigh(&self, counts: &[(u32, u32)]) -> SparseRow {
        let mut row = SparseRow {
            indices: Vec::with_capacity(counts.len()),
            values: Vec::with_capacity(counts.len()),
        };
        let mut norm = 0.0;
        for &(i, c) in counts {
            let tf = if self.params.sublinear_tf {
                1.0 + (c as f64).ln()
            } else {
                c as f64
            };
            let v = tf * self.idf[i as usize];
            norm += v * v;
            row.indices.push(i);
            row.values.push(v);
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            row.values.iter_mut().for_each(|v| *v *= inv);
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothed_idf_and_unit_rows() {
        let t = TfidfParams::default().fit(&[3, 1], 3);
        assert!((t.idf()[0] - 1.0).abs() < 1e-12);
        assert!((t.idf()[1] - (2.0f64.ln() + 1.0)).abs() < 1e-12);
        let row = t.weigh(&[(0, 1), (1, 3)]);
        let norm: f64 = row.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-12);
        let ratio = row.values[1] / row.values[0];
        assert!((ratio - (1.0 + 3f64.ln()) * (2.0f64.ln() + 1.0)).abs() < 1e-12);
    }

    #[test]
    fn empty_row_stays_empty() {
        let t = TfidfParams::default().fit(&[1], 1);
        assert_eq!(t.weigh(&[]).nnz(), 0);
    }
}
