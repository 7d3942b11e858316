//! TF-IDF weighting: sublinear term frequency, smoothed IDF from the *training* corpus, and
//! L2-normalised rows.
//!
//! `idf(t) = ln((1 + n) / (1 + df(t))) + 1`, as scikit-learn's `smooth_idf=True`, where `n` and
//! `df` come from the training corpus only: scoring never recomputes IDF from the batch being
//! scored (which is what linfa-preprocessing does, and why it is not used here).
//!
//! An adapted model (`stance adapt`) adds terms new in its sample as a second block: a row's
//! entries of each block are L2-normalised on their own, so a text's base-vocabulary entries are
//! exactly what the base model saw, whatever new terms it also has.

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
        Tfidf {
            params: *self,
            idf,
            second_block: None,
        }
    }
}

/// Fitted TF-IDF weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Tfidf {
    params: TfidfParams,
    idf: Vec<f64>,
    /// Which features are in the second block (normalised on their own); `None` for one block.
    second_block: Option<std::sync::Arc<[bool]>>,
}

impl Tfidf {
    /// Rebuilds fitted weights from a saved IDF vector.
    pub(crate) fn from_idf(params: TfidfParams, idf: Vec<f64>) -> Self {
        Tfidf {
            params,
            idf,
            second_block: None,
        }
    }

    /// The same weights with the features `second` (each below the number of features)
    /// normalised as a block of their own.
    pub(crate) fn with_second_block(mut self, second: &[u32]) -> Self {
        let mut flags = vec![false; self.idf.len()];
        for &f in second {
            if let Some(x) = flags.get_mut(f as usize) {
                *x = true;
            }
        }
        self.second_block = (!second.is_empty()).then(|| flags.into());
        self
    }

    /// Whether feature `f` is in the second block.
    pub fn in_second_block(&self, f: usize) -> bool {
        self.second_block
            .as_ref()
            .is_some_and(|b| b.get(f).copied().unwrap_or(false))
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
        // Squared norms of the first and second block.
        let mut norm = [0.0, 0.0];
        for &(i, c) in counts {
            let tf = if self.params.sublinear_tf {
                1.0 + (c as f64).ln()
            } else {
                c as f64
            };
            let v = tf * self.idf[i as usize];
            norm[usize::from(self.in_second_block(i as usize))] += v * v;
            row.indices.push(i);
            row.values.push(v);
        }
        let inv = norm.map(|n| if n > 0.0 { 1.0 / n.sqrt() } else { 0.0 });
        match &self.second_block {
            None => row.values.iter_mut().for_each(|v| *v *= inv[0]),
            Some(block) => {
                for (v, &i) in row.values.iter_mut().zip(&row.indices) {
                    *v *= inv[usize::from(block[i as usize])];
                }
            }
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
    fn a_second_block_is_normalised_on_its_own() {
        let one = TfidfParams::default().fit(&[1, 2, 1], 3);
        let two = one.clone().with_second_block(&[2]);
        let plain = one.weigh(&[(0, 1), (1, 2)]);
        let both = two.weigh(&[(0, 1), (1, 2), (2, 5)]);
        assert_eq!(
            &both.values[..2],
            &plain.values[..],
            "the first block is unchanged"
        );
        assert!((both.values[2] - 1.0).abs() < 1e-12);
        assert_eq!(two.weigh(&[(0, 1), (1, 2)]), plain);
    }

    #[test]
    fn empty_row_stays_empty() {
        let t = TfidfParams::default().fit(&[1], 1);
        assert_eq!(t.weigh(&[]).nnz(), 0);
    }
}
