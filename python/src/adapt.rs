//! `stance.adapt` and `stance.sample`: the library's `adapt` and `sample::draw`, as `stance
//! adapt` and `stance sample` call them, so that the same data give the CLI's model bytes.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use stance::adapt::{adapt_with_base_data, sha256_hex, AdaptParams, Strength};
use stance::io::corpus::Document;
use stance::model::default_model::DEFAULT_MODEL_JSON;
use stance::sample::{draw, Candidate, SampleParams};
use stance::Model;

use crate::errors::{detached, to_py};
use crate::inputs;
use crate::model::PyModel;

/// The base model and the SHA-256 `adapt` records for it: a path's file bytes (as `stance
/// adapt --model PATH`), the built-in model's bytes for `None`, or a `Model` object's JSON.
pub(crate) fn base_model(model: Option<&Bound<'_, PyAny>>) -> PyResult<(Arc<Model>, String)> {
    let Some(model) = model.filter(|m| !m.is_none()) else {
        let m = stance::default_model().map_err(to_py)?;
        return Ok((Arc::new(m), sha256_hex(DEFAULT_MODEL_JSON)));
    };
    if let Ok(m) = model.downcast::<PyModel>() {
        let inner = Arc::clone(&m.get().inner);
        let bytes = inner.to_json().map_err(to_py)?;
        return Ok((inner, sha256_hex(&bytes)));
    }
    let path: PathBuf = model.extract()?;
    let bytes = std::fs::read(&path)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display())))?;
    let m = Model::from_json(&bytes, &path).map_err(to_py)?;
    Ok((Arc::new(m), sha256_hex(&bytes)))
}

/// The base data's documents, from `base_texts` and `base_labels` (both or neither) and
/// optional `base_groups` (their sources, part of the base data's recorded SHA-256).
fn base_documents(
    texts: Option<&Bound<'_, PyAny>>,
    labels: Option<&Bound<'_, PyAny>>,
    groups: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Document>> {
    let (texts, labels) = match (
        texts.filter(|t| !t.is_none()),
        labels.filter(|l| !l.is_none()),
    ) {
        (None, None) => return Ok(Vec::new()),
        (Some(t), Some(l)) => (t, l),
        _ => {
            return Err(PyValueError::new_err(
                "base_texts and base_labels go together: pass both or neither",
            ))
        }
    };
    let texts = inputs::texts("base_texts", texts)?;
    let n = texts.len();
    let labels = inputs::column("base_labels", Some(labels), n)?.unwrap_or_default();
    let groups = inputs::column("base_groups", groups, n)?;
    Ok(texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Document {
            label: Some(labels[i].trim().to_string()),
            source: groups.as_ref().map(|g| g[i].clone()),
            text,
            ..Document::default()
        })
        .collect())
}

/// Adapts a model (the built-in one, a path, or a `Model`) to labelled texts, as `stance
/// adapt` does; `groups` are the sources folds are grouped by. `strength` is `"auto"` or a
/// number. `base_texts`, `base_labels` and `base_groups` are base data for the pooled
/// candidate (`stance adapt --base-data`). Returns the adapted model.
#[pyfunction]
#[pyo3(signature = (texts, labels, model = None, groups = None, ids = None, strength = None, folds = 5, seed = 0, threads = None, base_texts = None, base_labels = None, base_groups = None))]
#[allow(clippy::too_many_arguments)]
pub fn adapt(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    model: Option<&Bound<'_, PyAny>>,
    groups: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
    strength: Option<&Bound<'_, PyAny>>,
    folds: usize,
    seed: u64,
    threads: Option<i64>,
    base_texts: Option<&Bound<'_, PyAny>>,
    base_labels: Option<&Bound<'_, PyAny>>,
    base_groups: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyModel> {
    let strength = match strength.filter(|s| !s.is_none()) {
        None => Strength::Auto,
        Some(s) if s.extract::<String>().is_ok_and(|v| v == "auto") => Strength::Auto,
        Some(s) => Strength::Fixed(
            s.extract::<f64>()
                .map_err(|_| PyValueError::new_err("strength must be \"auto\" or a number >= 0"))?,
        ),
    };
    let (base, base_sha256) = base_model(model)?;
    let texts = inputs::texts("texts", texts)?;
    let n = texts.len();
    let labels = inputs::column("labels", Some(labels), n)?.unwrap_or_default();
    let groups = inputs::column("groups", groups, n)?;
    let ids = inputs::column("ids", ids, n)?;
    let docs: Vec<Document> = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Document {
            id: ids.as_ref().map(|v| v[i].clone()),
            source: groups.as_ref().map(|v| v[i].clone()),
            label: Some(labels[i].trim().to_string()),
            text,
            ..Document::default()
        })
        .collect();
    let base_data = base_documents(base_texts, base_labels, base_groups)?;
    let params = AdaptParams {
        strength,
        folds,
        seed,
        ..AdaptParams::default()
    };
    let model = detached(py, threads, move || {
        adapt_with_base_data(&base, &base_sha256, &docs, &base_data, &params).map(|(m, _)| m)
    })?
    .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(PyModel {
        inner: Arc::new(model),
    })
}

/// Draws texts to label, as `stance sample` does: returns one dict per drawn text, in drawing
/// order, with its `index` in `texts`, its `id` and its `weight` (`None` unless random).
#[pyfunction]
#[pyo3(signature = (texts, n, strategy = "random", ids = None, by = None, seed = 0, model = None))]
#[allow(clippy::too_many_arguments)]
pub fn sample<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    n: usize,
    strategy: &str,
    ids: Option<&Bound<'py, PyAny>>,
    by: Option<&Bound<'py, PyAny>>,
    seed: u64,
    model: Option<&Bound<'py, PyAny>>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let strategy = strategy
        .parse()
        .map_err(|e: stance::sample::SampleError| PyValueError::new_err(e.to_string()))?;
    let (base, _) = base_model(model)?;
    let texts = inputs::texts("texts", texts)?;
    let ids = inputs::column("ids", ids, texts.len())?
        .unwrap_or_else(|| (0..texts.len()).map(|i| i.to_string()).collect());
    let by = inputs::column("by", by, texts.len())?;
    let params = SampleParams { n, strategy, seed };
    let drawn = py
        .allow_threads(|| {
            let candidates: Vec<Candidate> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| Candidate {
                    id: &ids[i],
                    text: t,
                    stratum: by.as_ref().map(|b| b[i].as_str()),
                })
                .collect();
            draw(&candidates, &base, &params)
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    drawn
        .iter()
        .map(|d| {
            let dict = PyDict::new(py);
            dict.set_item("index", d.index)?;
            dict.set_item("id", &ids[d.index])?;
            dict.set_item("weight", d.weight)?;
            Ok(dict)
        })
        .collect()
}
