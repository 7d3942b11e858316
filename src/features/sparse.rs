//! Sparse feature rows and the compressed-sparse-row matrix the trainer reads, and its
//! svmlight/libsvm text form for handing exactly the same matrix to other tools.

use rayon::prelude::*;
use std::io::Write;

/// One document's features: strictly increasing column indices and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseRow {
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

impl SparseRow {
    /// The dot product with a dense vector of at least `max(indices) + 1` entries.
    pub fn dot(&self, dense: &[f64]) -> f64 {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(&i, &v)| dense[i as usize] * v)
            .sum()
    }

    /// The number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
}

/// A row-major sparse matrix (CSR).
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    n_cols: usize,
}

impl CsrMatrix {
    /// An empty matrix with `n_cols` columns.
    pub fn new(n_cols: usize) -> Self {
        CsrMatrix {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            n_cols,
        }
    }

    /// Builds a matrix from rows whose indices are all below `n_cols`.
    pub fn from_rows(rows: impl IntoIterator<Item = SparseRow>, n_cols: usize) -> Self {
        let mut m = CsrMatrix::new(n_cols);
        for row in rows {
            m.push(&row);
        }
        m
    }

    /// Stacks matrices with `n_cols` columns, their rows in order: the parts of a parallel
    /// build, copied once, on all threads, into arrays of the final size (appending rows one by
    /// one to a growing matrix copies them again at every doubling, on one thread).
    pub fn vstack(mut parts: Vec<CsrMatrix>, n_cols: usize) -> Self {
        debug_assert!(parts.iter().all(|p| p.n_cols == n_cols));
        if parts.len() == 1 {
            if let Some(only) = parts.pop() {
                return only;
            }
        }
        let nnz = parts.iter().map(|p| p.nnz()).sum();
        let rows: usize = parts.iter().map(|p| p.n_rows()).sum();
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        for part in &parts {
            let base = indptr[indptr.len() - 1];
            indptr.extend(part.indptr[1..].iter().map(|&end| base + end));
        }
        // The entries are copied on all threads, each part into its own slice. Zeroed arrays
        // of this size are fresh pages from the system, touched first by those copies.
        let mut indices = vec![0u32; nnz];
        let mut values = vec![0f64; nnz];
        let mut slices = Vec::with_capacity(parts.len());
        let (mut index_rest, mut value_rest) = (&mut indices[..], &mut values[..]);
        for part in &parts {
            let (i, ir) = index_rest.split_at_mut(part.nnz());
            let (v, vr) = value_rest.split_at_mut(part.nnz());
            (index_rest, value_rest) = (ir, vr);
            slices.push((part, i, v));
        }
        slices.into_par_iter().for_each(|(part, i, v)| {
            i.copy_from_slice(&part.indices);
            v.copy_from_slice(&part.values);
        });
        CsrMatrix {
            indptr,
            indices,
            values,
            n_cols,
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: &SparseRow) {
        debug_assert!(row.indices.iter().all(|&i| (i as usize) < self.n_cols));
        self.indices.extend_from_slice(&row.indices);
        self.values.extend_from_slice(&row.values);
        self.indptr.push(self.indices.len());
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// The number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// The number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row `i` as parallel slices of column indices and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// The transpose (row `j` of it holds column `j` of this matrix), with each of its rows in
    /// increasing order of this matrix's rows. The trainer reads the gradient from it one
    /// feature at a time, which parallelises without changing the order of any sum.
    pub fn transpose(&self) -> CsrMatrix {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &j in &self.indices {
            counts[j as usize + 1] += 1;
        }
        for j in 0..self.n_cols {
            counts[j + 1] += counts[j];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.nnz()];
        let mut values = vec![0.0; self.nnz()];
        for r in 0..self.n_rows() {
            let (idx, val) = self.row(r);
            for (&j, &v) in idx.iter().zip(val) {
                let at = &mut next[j as usize];
                indices[*at] = r as u32;
                values[*at] = v;
                *at += 1;
            }
        }
        CsrMatrix {
            indptr,
            indices,
            values,
            n_cols: self.n_rows(),
        }
    }

    /// Writes the matrix in svmlight/libsvm text format, one line per row:
    /// `label idx:value ...` with 0-based column indices in increasing order, `label` being
    /// `labels[row]`. Values are printed with `{:?}`, the shortest text that parses back to
    /// the same `f64`, so a reader gets bit-identical values. A row without entries is just its
    /// label. Fails with `InvalidInput` if `labels` does not have one entry per row.
    pub fn write_svmlight(&self, labels: &[usize], out: &mut impl Write) -> std::io::Result<()> {
        if labels.len() != self.n_rows() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} labels for a matrix of {} rows",
                    labels.len(),
                    self.n_rows()
                ),
            ));
        }
        for (r, label) in labels.iter().enumerate() {
            write!(out, "{label}")?;
            let (idx, val) = self.row(r);
            for (i, v) in idx.iter().zip(val) {
                write!(out, " {i}:{v:?}")?;
            }
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new matrix holding the given rows of `m`, in the given order.
    fn select_rows(m: &CsrMatrix, rows: &[usize]) -> CsrMatrix {
        let mut out = CsrMatrix::new(m.n_cols);
        for &r in rows {
            let (idx, val) = m.row(r);
            out.indices.extend_from_slice(idx);
            out.values.extend_from_slice(val);
            out.indptr.push(out.indices.len());
        }
        out
    }

    /// The dense copy of `m`, row-major.
    fn to_dense(m: &CsrMatrix) -> Vec<Vec<f64>> {
        (0..m.n_rows())
            .map(|r| {
                let mut dense = vec![0.0; m.n_cols];
                let (idx, val) = m.row(r);
                for (&i, &v) in idx.iter().zip(val) {
                    dense[i as usize] = v;
                }
                dense
            })
            .collect()
    }

    #[test]
    fn rows_round_trip() {
        let rows = vec![
            SparseRow {
                indices: vec![0, 2],
                values: vec![1.0, 2.0],
            },
            SparseRow::default(),
            SparseRow {
                indices: vec![1],
                values: vec![3.0],
            },
        ];
        let m = CsrMatrix::from_rows(rows.clone(), 3);
        assert_eq!(m.n_rows(), 3);
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.row(2), (&[1u32][..], &[3.0][..]));
        assert_eq!(to_dense(&m)[0], vec![1.0, 0.0, 2.0]);
        assert_eq!(select_rows(&m, &[2, 0]).row(0), (&[1u32][..], &[3.0][..]));
        assert_eq!(rows[0].dot(&[1.0, 5.0, 0.5]), 2.0);
        let t = m.transpose();
        assert_eq!((t.n_rows(), t.n_cols()), (3, 3));
        assert_eq!(t.row(0), (&[0u32][..], &[1.0][..]));
        assert_eq!(t.row(1), (&[2u32][..], &[3.0][..]));
        assert_eq!(t.transpose(), m);
    }

    #[test]
    fn stacking_parts_equals_building_in_one() {
        let rows: Vec<SparseRow> = (0..7u32)
            .map(|i| SparseRow {
                indices: (0..i % 3).map(|k| k + i % 2).collect(),
                values: (0..i % 3).map(|k| f64::from(i * 10 + k)).collect(),
            })
            .collect();
        let whole = CsrMatrix::from_rows(rows.clone(), 4);
        for cuts in [
            vec![0, 7],
            vec![0, 3, 7],
            vec![0, 0, 2, 2, 7],
            vec![0, 7, 7],
        ] {
            let parts: Vec<CsrMatrix> = cuts
                .windows(2)
                .map(|w| CsrMatrix::from_rows(rows[w[0]..w[1]].to_vec(), 4))
                .collect();
            assert_eq!(CsrMatrix::vstack(parts, 4), whole, "{cuts:?}");
        }
        assert_eq!(CsrMatrix::vstack(Vec::new(), 4), CsrMatrix::new(4));
    }

    #[test]
    fn svmlight_round_trips_every_value_exactly() {
        let awkward = [
            0.1,
            1.0 / 3.0,
            1e-300,
            5e-324,
            std::f64::consts::FRAC_1_SQRT_2,
            2.0,
        ];
        let rows = vec![
            SparseRow {
                indices: vec![0, 3, 5],
                values: awkward[..3].to_vec(),
            },
            SparseRow::default(),
            SparseRow {
                indices: vec![1, 2, 4],
                values: awkward[3..].to_vec(),
            },
        ];
        let m = CsrMatrix::from_rows(rows, 6);
        let mut out = Vec::new();
        m.write_svmlight(&[1, 0, 1], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "0");
        for (r, line) in lines.iter().enumerate() {
            let mut parts = line.split(' ');
            assert_eq!(parts.next(), Some(["1", "0", "1"][r]));
            let (mut idx, mut val) = (Vec::new(), Vec::new());
            for p in parts {
                let (i, v) = p.split_once(':').unwrap();
                idx.push(i.parse::<u32>().unwrap());
                val.push(v.parse::<f64>().unwrap());
            }
            let (want_idx, want_val) = m.row(r);
            assert_eq!(idx, want_idx);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&val), bits(want_val));
        }
        assert!(m.write_svmlight(&[0], &mut Vec::new()).is_err());
    }
}
