//! `stance.validate`: the library's `report_files_validated`, as `stance report --validation`
//! calls it, returning the dict `stance report --validation ... --json` writes.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use stance::report::validation::ValidationParams;
use stance::report::{report_files_validated, ReportError, ReportParams};

use crate::adapt::base_model;
use crate::errors::{detached, to_py};

/// One path or a sequence of them.
fn paths(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if let Ok(one) = value.extract::<PathBuf>() {
        return Ok(vec![one]);
    }
    let many: Vec<PathBuf> = value.extract().map_err(|_| {
        PyValueError::new_err(format!("{name} must be a path or a sequence of paths"))
    })?;
    if many.is_empty() {
        return Err(PyValueError::new_err(format!("{name} names no file")));
    }
    Ok(many)
}

fn report_error(e: ReportError) -> PyErr {
    match e {
        ReportError::Read(e) => to_py(e),
        e => PyValueError::new_err(e.to_string()),
    }
}

/// Reports on `inputs` (scored or raw records, as `stance report` reads them) with the model
/// measured on the labelled `validation` sample of the same corpus, as `stance report
/// --validation`; returns the report as `--json` writes it. `skip_bad` counts and names
/// validation ids that match no record (and unreadable dates) instead of failing.
#[pyfunction]
#[pyo3(signature = (inputs, validation, model = None, by = None, skip_bad = false, id_field = "id", label_field = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub fn validate(
    py: Python<'_>,
    inputs: &Bound<'_, PyAny>,
    validation: &Bound<'_, PyAny>,
    model: Option<&Bound<'_, PyAny>>,
    by: Option<Vec<String>>,
    skip_bad: bool,
    id_field: &str,
    label_field: Option<String>,
    threads: Option<i64>,
) -> PyResult<PyObject> {
    let inputs = paths("inputs", inputs)?;
    let validation = paths("validation", validation)?;
    let (model, _) = base_model(model)?;
    let mut params = ReportParams::new(by.unwrap_or_else(|| vec!["source".into()]), &model);
    params.skip_bad = skip_bad;
    params.fields.id = id_field.to_string();
    params.fields.label = label_field;
    let vp = ValidationParams {
        skip_unmatched: skip_bad,
        ..ValidationParams::default()
    };
    let report = detached(py, threads, move || {
        report_files_validated(&inputs, &params, Some(&*model), Some((&validation, vp)))
    })?
    .map_err(report_error)?;
    // Through a JSON value, as the CLI writes it: a NaN becomes None there as null here.
    let value = serde_json::to_value(&report).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(pythonize::pythonize(py, &value)
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .unbind())
}
