//! `stance._stance.fold_plan`: the folds of `stance cv`, dealt by the library's own
//! `FoldPlan`, so that `stance.sklearn.GroupSplit` tests each document in the fold the CLI
//! tests it in.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use stance::eval::folds::{FoldPlan, GroupBy};
use stance::io::corpus::{label_indices, Document};

use crate::inputs;

/// Each value with `str`, `None` for a missing one (None, NaN, pandas' NaT): a document
/// without a date, which `stance cv` puts in the unknown month.
fn optional_strings(values: &Bound<'_, PyAny>) -> PyResult<Vec<Option<String>>> {
    values
        .try_iter()?
        .map(|item| {
            let item = item?;
            // NaN and NaT are the values that differ from themselves.
            let missing = item.is_none() || !item.eq(&item)?;
            (!missing)
                .then(|| item.str().map(|s| s.to_string()))
                .transpose()
        })
        .collect()
}

/// The fold (0-based) each document is tested in, and the plan's notes, as `stance cv
/// --group-by GROUP_BY --folds N_SPLITS --cv-seed SEED` deals them: by `groups` (outlets),
/// a label with one outlet falling back to months of `dates` (YYYY-MM or YYYY-MM-DD).
#[pyfunction]
#[pyo3(signature = (labels, groups, dates = None, n_splits = 5, group_by = "source", seed = 0))]
pub fn fold_plan(
    labels: &Bound<'_, PyAny>,
    groups: &Bound<'_, PyAny>,
    dates: Option<&Bound<'_, PyAny>>,
    n_splits: usize,
    group_by: &str,
    seed: u64,
) -> PyResult<(Vec<usize>, Vec<String>)> {
    if n_splits < 2 {
        return Err(PyValueError::new_err(format!(
            "n_splits must be at least 2, got {n_splits}"
        )));
    }
    let group_by: GroupBy = group_by.parse().map_err(PyValueError::new_err)?;
    let labels = inputs::hashable_strings("y", Some(labels), None)?.unwrap_or_default();
    let n = labels.len();
    let groups = inputs::hashable_strings("groups", Some(groups), Some(n))?.unwrap_or_default();
    let dates = dates
        .filter(|d| !d.is_none())
        .map(optional_strings)
        .transpose()?;
    if let Some(d) = dates.as_ref().filter(|d| d.len() != n) {
        return Err(PyValueError::new_err(format!(
            "dates has {} items but y has {n}",
            d.len()
        )));
    }
    let docs: Vec<Document> = (0..n)
        .map(|i| Document {
            label: Some(labels[i].clone()),
            source: Some(groups[i].clone()),
            date: dates.as_ref().and_then(|d| d[i].clone()),
            ..Document::default()
        })
        .collect();
    if let Some(reason) = FoldPlan::unsupported(&docs, group_by) {
        return Err(PyValueError::new_err(format!(
            "cannot group by {group_by}: {reason}"
        )));
    }
    let (names, y) = label_indices(&docs);
    let plan = FoldPlan::new(&docs, &names, &y, n_splits, group_by, seed);
    Ok((plan.fold, plan.notes))
}
