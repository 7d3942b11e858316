//! `stance.train` and `stance.evaluate`.
//!
//! `train`'s keyword parameters are `stance train`'s options, named with underscores
//! (`min_df=2`, `ngram_range=(1, 2)`, `no_stem=True`, `calibrate=True`): they are turned into
//! the command line they stand for and parsed by the CLI's own parser (`cli/options.rs`,
//! compiled in), so the names, the defaults, the accepted values and the checks are the CLI's,
//! and a model trained here is byte-identical to `stance train`'s on the same data.

use std::sync::Arc;

use clap::{CommandFactory, Parser};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyTuple};
use rayon::prelude::*;
use serde::Serialize;

use stance::eval::metrics::{ece, Metrics};
use stance::eval::own_data::OwnTrainingData;
use stance::io::corpus::Document;

use crate::cli_options::{CalibrationArgs, TrainOptions};
use crate::errors::{anyhow_to_py, detached, to_py};
use crate::inputs;
use crate::model::PyModel;

/// `stance train`'s options besides the data and the output: `TrainOptions` and
/// `CalibrationArgs`, the structs `cli/train.rs` flattens too.
#[derive(Debug, Parser)]
#[command(name = "stance.train", no_binary_name = true, disable_help_flag = true)]
struct TrainCall {
    #[command(flatten)]
    options: TrainOptions,
    #[command(flatten)]
    calibration: CalibrationArgs,
}

/// The parameter names `train` accepts (the CLI's long options with `_` for `-`) and the CLI's
/// default for each (`None` for a flag or an option without one).
#[pyfunction]
pub fn train_parameters() -> Vec<(String, Option<String>)> {
    TrainCall::command()
        .get_arguments()
        // Hidden options are removed ones kept only to explain their removal (`--seed`).
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| {
            let name = a.get_long()?.replace('-', "_");
            let default = a
                .get_default_values()
                .first()
                .map(|v| v.to_string_lossy().into_owned());
            Some((name, default))
        })
        .collect()
}

/// The command-line arguments that `params` stand for.
fn arguments(params: &Bound<'_, PyDict>) -> PyResult<Vec<String>> {
    let known: Vec<String> = train_parameters().into_iter().map(|(n, _)| n).collect();
    let mut args = Vec::new();
    for (key, value) in params.iter() {
        let key: String = key.extract()?;
        let name = if key == "C" {
            "c".to_string()
        } else {
            key.clone()
        };
        if !known.contains(&name) {
            return Err(PyValueError::new_err(format!(
                "unknown training parameter {key:?}; known: {}",
                known.join(", ")
            )));
        }
        let flag = format!("--{}", name.replace('_', "-"));
        if value.is_none() {
            continue;
        }
        if let Ok(b) = value.downcast::<PyBool>() {
            if b.is_true() {
                args.push(flag);
            }
            continue;
        }
        if let Ok(d) = value.downcast::<PyDict>() {
            // mask_rule={"name": "regex"}
            for (k, v) in d.iter() {
                args.push(flag.clone());
                args.push(format!("{}={}", str_of(&k)?, str_of(&v)?));
            }
            continue;
        }
        if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            let items: Vec<Bound<'_, PyAny>> = value.try_iter()?.collect::<PyResult<_>>()?;
            if name == "ngram_range" {
                if items.len() != 2 {
                    return Err(PyValueError::new_err(format!(
                        "ngram_range must be (min, max), got {} values",
                        items.len()
                    )));
                }
                args.push(flag);
                args.push(format!("{}..{}", str_of(&items[0])?, str_of(&items[1])?));
            } else {
                for item in items {
                    args.push(flag.clone());
                    args.push(str_of(&item)?);
                }
            }
            continue;
        }
        args.push(flag);
        args.push(str_of(&value)?);
    }
    Ok(args)
}

/// A value as its command-line text: `os.fspath` for paths, Python's `str` for the rest
/// (which writes a float so that it reads back as the same float).
fn str_of(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    let os = py.import("os")?;
    if value.hasattr("__fspath__")? {
        return os.call_method1("fspath", (value,))?.str()?.extract();
    }
    value.str()?.extract()
}

/// clap's message without its usage and help hints.
fn clap_message(error: &clap::Error) -> String {
    error
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Trains a model on texts and their labels, as `stance train` does.
///
/// `sources` (outlets) feed `min_sources` and calibration folds grouped by source; `dates`
/// (YYYY-MM-DD) feed folds grouped by month; `ids` name documents in errors. Keyword parameters
/// are `stance train`'s options with `_` for `-` and the same defaults: `alpha` (or `c`/`C`),
/// `penalty`, `l1_ratio`, `ngram_range` ((1, 2) or "1..2"), `min_df` and `max_df` (an int is a
/// document count, a float a fraction), `max_features`, `min_sources`, `stop_words` (a file),
/// `no_stop_words`, `language`, `no_stem`, `numbers`, `no_sublinear_tf`, `no_balanced`,
/// `max_iter`, `tol`, `no_mask`, `mask_outlet`, `mask_rule`, `unmask`, `chunk_words`,
/// `keep_unweighted_terms`, `prior_tokens`, `spelling` (`"none"`, `"standard"` or
/// `"standard+places"`), `seed`, `calibrate`, `calibration_folds`, `calibration_group_by`. The same data and parameters give a model file byte-identical to
/// `stance train`'s. Runs on all cores (or `threads`) without the GIL.
#[pyfunction]
#[pyo3(signature = (texts, labels, sources = None, dates = None, ids = None, threads = None, **params))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    sources: Option<&Bound<'_, PyAny>>,
    dates: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
    threads: Option<usize>,
    params: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyModel> {
    let args = match params {
        Some(p) => arguments(p)?,
        None => Vec::new(),
    };
    let call =
        TrainCall::try_parse_from(&args).map_err(|e| PyValueError::new_err(clap_message(&e)))?;
    let checked = call
        .options
        .params_with(call.calibration.params(), call.calibration.seed())
        .map_err(anyhow_to_py)?;

    let texts = inputs::texts("texts", texts)?;
    let n = texts.len();
    let labels = inputs::column("labels", Some(labels), n)?.unwrap_or_default();
    // As the readers do: labels are compared trimmed, and an empty one is refused.
    if let Some(i) = labels.iter().position(|l| l.trim().is_empty()) {
        return Err(PyValueError::new_err(format!("labels[{i}] is empty")));
    }
    let sources = inputs::column("sources", sources, n)?;
    let dates = inputs::column("dates", dates, n)?;
    let ids = inputs::column("ids", ids, n)?;
    let docs: Vec<Document> = texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Document {
            id: ids.as_ref().map(|v| v[i].clone()),
            title: None,
            source: sources.as_ref().map(|v| v[i].clone()),
            date: dates.as_ref().map(|v| v[i].clone()),
            label: Some(labels[i].trim().to_string()),
            text,
        })
        .collect();
    let model = detached(py, threads, move || {
        stance::train(&docs, &checked, &mut |_| {}).map(|(model, _report)| model)
    })?
    .map_err(to_py)?;
    Ok(PyModel {
        inner: Arc::new(model),
    })
}

/// The figures of `stance eval --format json`: the metrics' keys and two more.
#[derive(Serialize)]
struct Evaluation<'a> {
    #[serde(flatten)]
    metrics: &'a Metrics,
    calibrated: bool,
    ece_uncalibrated: Option<f64>,
    training_data: Option<OwnTrainingData>,
}

/// A model's figures on labelled texts: the dict of `stance eval --format json`. With
/// `sources`, the documents are also compared with the model's training documents (sources,
/// labels and texts), as `stance eval` does, and `training_data` warns when they are the same.
#[pyfunction]
#[pyo3(signature = (model, texts, labels, sources = None, threads = None))]
pub fn evaluate<'py>(
    py: Python<'py>,
    model: &PyModel,
    texts: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    sources: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let texts = inputs::texts("texts", texts)?;
    let truth = inputs::column("labels", Some(labels), texts.len())?.unwrap_or_default();
    let sources = inputs::column("sources", sources, texts.len())?;
    let model = Arc::clone(&model.inner);
    let names = model.labels().to_vec();
    let mut y = Vec::with_capacity(truth.len());
    for (i, label) in truth.iter().enumerate() {
        let label = label.trim();
        match names.iter().position(|l| l == label) {
            Some(k) => y.push(k),
            None => {
                return Err(PyValueError::new_err(format!(
                    "labels[{i}]: label {label:?} is not one of the model's labels: {}",
                    names.join(", ")
                )))
            }
        }
    }
    // As `stance eval` computes them: the model's probabilities (calibrated when it is), and
    // the raw classifier's for the ECE before calibration.
    let (probabilities, raw): (Vec<Vec<f64>>, Vec<Vec<f64>>) = detached(py, threads, || {
        texts
            .par_iter()
            .map(|t| {
                let row = model.featurizer().transform(t);
                let logits = model.classifier().logits(&row);
                (
                    model.probabilities_from_logits(&logits),
                    model.classifier().probabilities_from_logits(&logits),
                )
            })
            .unzip()
    })?;
    let metrics = Metrics::compute(&names, &y, &probabilities);
    // As the readers give them to `stance eval`: trimmed labels, empty sources absent.
    let documents: Vec<Document> = texts
        .iter()
        .zip(&truth)
        .enumerate()
        .map(|(i, (text, label))| Document {
            text: text.clone(),
            label: Some(label.trim().to_string()),
            source: sources
                .as_ref()
                .map(|s| s[i].trim().to_string())
                .filter(|s| !s.is_empty()),
            ..Document::default()
        })
        .collect();
    let report = Evaluation {
        metrics: &metrics,
        calibrated: model.calibration().is_some(),
        ece_uncalibrated: model.calibration().map(|_| ece(&y, &raw)),
        training_data: OwnTrainingData::check(&model, &documents),
    };
    pythonize::pythonize(py, &report).map_err(|e| PyValueError::new_err(e.to_string()))
}
