//! `stance.train` and `stance.evaluate`.
//!
//! `train`'s keyword parameters fill the library's `TrainOverrides` (`None`: not set), applied
//! over a `preset` or the library's defaults, as `stance train`'s options do; so a model
//! trained here is byte-identical to `stance train`'s on the same data and settings.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use stance::eval::metrics::{ece, Metrics};
use stance::eval::own_data::OwnTrainingData;
use stance::features::ngrams::NgramRange;
use stance::features::vocabulary::DocFreq;
use stance::io::corpus::Document;
use stance::report::date::Date;
use stance::train::{CheckedTrainParams, Preset, StopWordList, TrainOverrides, TrainParams};
use stance::ParamError;

use crate::errors::{detached, to_py};
use crate::inputs;
use crate::model::PyModel;

/// A setting named by its library (serde) name, such as `"l1"` or `"placeholder"`.
fn named<T: DeserializeOwned>(param: &str, value: Option<String>) -> PyResult<Option<T>> {
    value
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v))
                .map_err(|e| PyValueError::new_err(format!("{param}: {e}")))
        })
        .transpose()
}

/// `min_df`/`max_df`: an int is a document count, a float a fraction of the documents.
fn doc_freq(param: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DocFreq>> {
    let Some(value) = value else { return Ok(None) };
    let refused = || {
        let shown = value.repr().map(|r| r.to_string()).unwrap_or_default();
        let e = match param {
            "min_df" => ParamError::MinDf(shown),
            _ => ParamError::MaxDf(shown),
        };
        PyValueError::new_err(e.to_string())
    };
    let text = if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(refused());
    } else if value.is_instance_of::<pyo3::types::PyInt>() {
        value.extract::<u64>().map_err(|_| refused())?.to_string()
    } else if value.is_instance_of::<pyo3::types::PyFloat>() {
        format!("{:?}", value.extract::<f64>()?)
    } else {
        value.extract::<String>().map_err(|_| refused())?
    };
    text.parse().map(Some).map_err(|()| refused())
}

/// `ngram_range`: `(min, max)` or text such as `"1..2"`.
fn ngram_range(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<NgramRange>> {
    let Some(value) = value else { return Ok(None) };
    let range = match value.downcast::<PyString>() {
        Ok(s) => s.extract::<String>()?.parse(),
        Err(_) => {
            let refused =
                || PyValueError::new_err("ngram_range must be (min, max) or text such as \"1..2\"");
            match value.extract::<Vec<usize>>().map_err(|_| refused())?[..] {
                [min, max] => NgramRange::new(min, max),
                _ => return Err(refused()),
            }
        }
    };
    range
        .map(Some)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// `stop_words`: `"english"`, `"newsroom"`, `"none"`, or a file (a path, or other text).
fn stop_words(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<StopWordList>> {
    let Some(value) = value else { return Ok(None) };
    if !value.is_instance_of::<PyString>() {
        return Ok(Some(StopWordList::File(value.extract::<PathBuf>()?)));
    }
    StopWordList::parse(&value.extract::<String>()?)
        .map(Some)
        .ok_or_else(|| {
            PyValueError::new_err("stop_words must be english, newsroom, none or a file")
        })
}

/// `mask_rule`: `{name: regex}`, or a sequence of `"NAME=REGEX"` texts.
fn mask_rules(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if let Ok(d) = value.downcast::<PyDict>() {
        return d
            .iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect();
    }
    let rules: Vec<String> = value.extract()?;
    rules
        .into_iter()
        .map(|r| match r.split_once('=') {
            Some((name, pattern)) => Ok((name.to_string(), pattern.to_string())),
            None => Err(PyValueError::new_err(format!(
                "mask_rule: expected NAME=REGEX, got {r:?}"
            ))),
        })
        .collect()
}

/// The overrides over the preset (or the defaults), checked.
fn checked(preset: Option<Preset>, overrides: &TrainOverrides) -> PyResult<CheckedTrainParams> {
    let base = preset.map_or_else(TrainParams::default, TrainParams::preset);
    let params = overrides.apply(base).map_err(to_py)?;
    params.check().map_err(|e| to_py(e.into()))
}

/// Trains a model on texts and their labels, as `stance train` does.
///
/// `sources` (outlets) feed `min_sources` and calibration folds grouped by source; `dates`
/// (YYYY-MM-DD) feed folds grouped by month; `ids` name documents in errors. `threads` caps
/// the threads (all cores by default); training runs without the GIL.
///
/// The other parameters are `stance train`'s options; `None` (the default of each) keeps the
/// `preset`'s value, or the library's default without one (`stance train --help` shows
/// them). `preset`: "default" (the default model's settings) or "textbook" (scikit-learn's
/// defaults). `min_df`, `max_df`: an int is a document count, a float a fraction.
/// `max_features`, `min_sources`: ints. `ngram_range`: (min, max). `alpha`, or `C` = 1/alpha.
/// `penalty`: "l2", "l1" or "elasticnet", with `l1_ratio`. `stop_words`: "english",
/// "newsroom", "none" or a file. `language`: "english" or "russian". `stem`, `sublinear_tf`:
/// bools. `numbers`: "drop", "keep" or "placeholder". `class_weight`: "balanced" or "none".
/// `max_iter`, `tol`. `mask`: False turns masking off; `mask_outlet`, `unmask`: lists of
/// names; `mask_rule`: {name: regex}. `chunk_words`: passage length (0: whole documents).
/// `keep_unweighted_terms`: bool (l1 and elasticnet only). `prior_tokens`: length cooling.
/// `spelling`: "none", "standard" or "standard+places" (one spelling per word, saved in the
/// model).
/// `calibrate`: bool, with `calibration_folds`, `calibration_group_by` ("source", "month" or
/// "none") and `calibration_seed`. The same data and settings give a model file
/// byte-identical to `stance train`'s.
#[pyfunction]
#[pyo3(signature = (
    texts, labels, sources = None, dates = None, ids = None, threads = None, *,
    preset = None, min_df = None, max_df = None, max_features = None, min_sources = None,
    ngram_range = None, alpha = None, C = None, penalty = None, l1_ratio = None,
    stop_words = None, language = None, stem = None, numbers = None, sublinear_tf = None,
    class_weight = None, max_iter = None, tol = None, mask = None, mask_outlet = None,
    mask_rule = None, unmask = None, chunk_words = None, keep_unweighted_terms = None,
    prior_tokens = None, spelling = None, calibrate = None, calibration_folds = None,
    calibration_group_by = None, calibration_seed = None
))]
#[allow(clippy::too_many_arguments, non_snake_case)]
pub fn train(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    sources: Option<&Bound<'_, PyAny>>,
    dates: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
    threads: Option<i64>,
    preset: Option<String>,
    min_df: Option<&Bound<'_, PyAny>>,
    max_df: Option<&Bound<'_, PyAny>>,
    max_features: Option<usize>,
    min_sources: Option<usize>,
    ngram_range: Option<&Bound<'_, PyAny>>,
    alpha: Option<f64>,
    C: Option<f64>,
    penalty: Option<String>,
    l1_ratio: Option<f64>,
    stop_words: Option<&Bound<'_, PyAny>>,
    language: Option<String>,
    stem: Option<bool>,
    numbers: Option<String>,
    sublinear_tf: Option<bool>,
    class_weight: Option<String>,
    max_iter: Option<i64>,
    tol: Option<f64>,
    mask: Option<bool>,
    mask_outlet: Option<Vec<String>>,
    mask_rule: Option<&Bound<'_, PyAny>>,
    unmask: Option<Vec<String>>,
    chunk_words: Option<usize>,
    keep_unweighted_terms: Option<bool>,
    prior_tokens: Option<f64>,
    spelling: Option<String>,
    calibrate: Option<bool>,
    calibration_folds: Option<usize>,
    calibration_group_by: Option<String>,
    calibration_seed: Option<u64>,
) -> PyResult<PyModel> {
    let overrides = TrainOverrides {
        min_df: doc_freq("min_df", min_df)?,
        max_df: doc_freq("max_df", max_df)?,
        max_features,
        min_sources,
        ngram_range: self::ngram_range(ngram_range)?,
        alpha,
        c: C,
        penalty: named("penalty", penalty)?,
        l1_ratio,
        solver: None,
        stop_words: self::stop_words(stop_words)?,
        language: named("language", language)?,
        stem,
        numbers: named("numbers", numbers)?,
        sublinear_tf,
        class_weight: named("class_weight", class_weight)?,
        max_iter: max_iter
            .map(|n| u64::try_from(n).map_err(|_| ParamError::MaxIter(0)))
            .transpose()
            .map_err(|_| {
                PyValueError::new_err(format!(
                    "max_iter must be >= 1, got {}",
                    max_iter.unwrap_or_default()
                ))
            })?,
        tol,
        mask,
        mask_outlet: mask_outlet.unwrap_or_default(),
        mask_rule: mask_rules(mask_rule)?,
        unmask: unmask.unwrap_or_default(),
        chunk_words,
        keep_unweighted_terms,
        prior_tokens,
        spelling: named("spelling", spelling)?,
        calibrate,
        calibration_folds,
        calibration_group_by: named("calibration_group_by", calibration_group_by)?,
        calibration_seed,
    };
    let checked = checked(named("preset", preset)?, &overrides)?;
    let docs = documents(texts, labels, sources, dates, ids)?;
    let (model, warning) = detached(py, threads, move || {
        stance::train(&docs, &checked, &mut |_| {}).map(|(model, _report)| {
            let warning = stance::train::uniform_scores_warning(&model, &docs);
            (model, warning)
        })
    })?
    .map_err(to_py)?;
    if let Some(warning) = warning {
        let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
        PyErr::warn(py, &category, &std::ffi::CString::new(warning)?, 1)?;
    }
    Ok(PyModel {
        inner: Arc::new(model),
    })
}

/// The training documents from Python's columns.
fn documents(
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    sources: Option<&Bound<'_, PyAny>>,
    dates: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<Document>> {
    let texts = inputs::texts("texts", texts)?;
    let n = texts.len();
    let labels = inputs::column("labels", Some(labels), n)?.unwrap_or_default();
    // As the readers do: labels are compared trimmed, and an empty one is refused.
    if let Some(i) = labels.iter().position(|l| l.trim().is_empty()) {
        return Err(PyValueError::new_err(format!("labels[{i}] is empty")));
    }
    let sources = inputs::column("sources", sources, n)?;
    let dates = inputs::column("dates", dates, n)?;
    // Refused as the report refuses them: a month of 13 would make a calibration fold of its own.
    if let Some(dates) = &dates {
        if let Some((i, d)) = dates
            .iter()
            .enumerate()
            .find(|(_, d)| !d.trim().is_empty() && Date::parse(d.trim()).is_none())
        {
            return Err(PyValueError::new_err(format!(
                "dates[{i}]: {d:?} is not a date (YYYY-MM-DD)"
            )));
        }
    }
    let ids = inputs::column("ids", ids, n)?;
    Ok(texts
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
        .collect())
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
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let texts = inputs::texts("texts", texts)?;
    if texts.is_empty() {
        return Err(PyValueError::new_err(
            "no texts to evaluate: accuracy and the other figures need at least one",
        ));
    }
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
