//! `stance.Model`: a trained model, shared (`Arc`) so that batch calls can run on all cores
//! without the GIL while Python keeps using the object.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use rayon::prelude::*;

use stance::Model;

use crate::errors::{detached, to_py};
use crate::inputs;
use stance::predict::explain_record::ExplanationRecord;
use stance::predict::record::ScoredRecord;

/// A trained model: score, explain and save. Load one with `Model.load(path)`, take the
/// built-in one with `Model.default()`, or train one with `stance.train(...)`.
#[pyclass(module = "stance", name = "Model", frozen)]
pub struct PyModel {
    pub inner: Arc<Model>,
}

/// The built-in model, parsed once per process however often `Model.default()` is called.
static DEFAULT: OnceLock<Arc<Model>> = OnceLock::new();

/// `{from}={to}` swap pairs as `stance explain --swap` takes them.
fn swap_pairs(swaps: Option<Vec<(String, String)>>) -> PyResult<Vec<(String, String)>> {
    let swaps = swaps.unwrap_or_default();
    for (from, _) in &swaps {
        if from.trim().is_empty() {
            return Err(PyValueError::new_err(
                "swaps: the word to replace must not be empty",
            ));
        }
    }
    Ok(swaps
        .into_iter()
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .collect())
}

#[pymethods]
impl PyModel {
    /// The built-in default model (loaded once per process).
    #[staticmethod]
    fn default(py: Python<'_>) -> PyResult<Self> {
        if let Some(model) = DEFAULT.get() {
            return Ok(PyModel {
                inner: Arc::clone(model),
            });
        }
        let model = py.allow_threads(stance::default_model).map_err(to_py)?;
        let model = DEFAULT.get_or_init(|| Arc::new(model));
        Ok(PyModel {
            inner: Arc::clone(model),
        })
    }

    /// Loads and checks a model file written by `stance train` or `Model.save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.allow_threads(|| Model::load(&path)).map_err(to_py)?;
        Ok(PyModel {
            inner: Arc::new(model),
        })
    }

    /// A model from the bytes of a model file (`Model.to_bytes()`, or a file's contents).
    #[staticmethod]
    #[pyo3(signature = (data, origin = "<bytes>".to_string()))]
    fn from_bytes(py: Python<'_>, data: &[u8], origin: String) -> PyResult<Self> {
        let data = data.to_vec();
        let model = py
            .allow_threads(move || Model::from_json(&data, origin.as_ref()))
            .map_err(to_py)?;
        Ok(PyModel {
            inner: Arc::new(model),
        })
    }

    /// The model file's bytes: what `save` writes and `from_bytes` reads.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let model = Arc::clone(&self.inner);
        let bytes = py.allow_threads(move || model.to_json()).map_err(to_py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Writes the model file atomically: whole, or not at all.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = Arc::clone(&self.inner);
        py.allow_threads(move || model.save(&path)).map_err(to_py)
    }

    /// The labels, in the order of `predict_proba`'s columns.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.labels().to_vec()
    }

    /// The number of features (terms in the vocabulary).
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.featurizer().n_features()
    }

    /// What training recorded (documents, labels, sources, parameters, convergence), as a dict.
    #[getter]
    fn training<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        pythonize::pythonize(py, self.inner.training())
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Scores each text: one dict per text with the keys and values of a line of
    /// `stance score --format jsonl` (id, label, probabilities, evidence, uncertain, and with
    /// `paragraphs=True` the paragraphs). `ids` gives each record's id; by default it is the
    /// text's position, as a string.
    #[pyo3(signature = (texts, paragraphs = false, ids = None, threads = None))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        paragraphs: bool,
        ids: Option<&Bound<'py, PyAny>>,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyList>> {
        let texts = inputs::texts("texts", texts)?;
        let ids = inputs::column("ids", ids, texts.len())?
            .unwrap_or_else(|| (0..texts.len()).map(|i| i.to_string()).collect());
        let model = Arc::clone(&self.inner);
        let scores = detached(py, threads, || {
            texts
                .par_iter()
                .map(|t| model.score(t, paragraphs))
                .collect::<Vec<_>>()
        })?;
        let records = PyList::empty(py);
        for (id, score) in ids.iter().zip(&scores) {
            let line = ScoredRecord::<()> {
                id,
                kept: &[],
                labels: model.labels(),
                score,
                paragraphs,
            };
            records.append(
                pythonize::pythonize(py, &line)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            )?;
        }
        Ok(records)
    }

    /// Label probabilities: a float64 array of shape (len(texts), len(labels)), columns in
    /// `labels` order.
    #[pyo3(signature = (texts, threads = None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = inputs::texts("texts", texts)?;
        let model = Arc::clone(&self.inner);
        let n_labels = model.labels().len();
        let flat = detached(py, threads, || {
            texts
                .par_iter()
                .map(|t| model.predict(t).probabilities)
                .flatten_iter()
                .collect::<Vec<f64>>()
        })?;
        let array = PyArray1::from_vec(py, flat).reshape([texts.len(), n_labels])?;
        Ok(array.into_any())
    }

    /// The most probable label of each text, by name.
    #[pyo3(signature = (texts, threads = None))]
    fn predict(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        threads: Option<i64>,
    ) -> PyResult<Vec<String>> {
        let texts = inputs::texts("texts", texts)?;
        let model = Arc::clone(&self.inner);
        detached(py, threads, || {
            texts
                .par_iter()
                .map(|t| model.predict(t).label_name().to_string())
                .collect()
        })
    }

    /// The exact explanation of one text's score: the dict of `stance explain --format json`
    /// (probabilities, logits, intercept, every term's contribution, the paragraphs, the
    /// tokens, the masked spans, and the what-if `swaps`, given as (from, to) pairs).
    #[pyo3(signature = (text, top = 10, swaps = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        top: i64,
        swaps: Option<Vec<(String, String)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let top = count("top", top)?;
        let text = one_text(text)?;
        let swaps = swap_pairs(swaps)?;
        let model = Arc::clone(&self.inner);
        let (e, effects) = detached(py, None, || {
            (model.explain(&text), model.swap_effects(&text, &swaps))
        })?;
        pythonize::pythonize(py, &ExplanationRecord::new(&model, &e, &effects, top))
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The self-contained HTML page of `stance explain --html` for one text.
    #[pyo3(signature = (text, top = 10, swaps = None, title = "text".to_string()))]
    fn explain_html(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        top: i64,
        swaps: Option<Vec<(String, String)>>,
        title: String,
    ) -> PyResult<String> {
        let top = count("top", top)?;
        let text = one_text(text)?;
        let swaps = swap_pairs(swaps)?;
        let model = Arc::clone(&self.inner);
        detached(py, None, || {
            let e = model.explain(&text);
            let effects = model.swap_effects(&text, &swaps);
            stance::report::explain_html::render(&model, &text, &e, &effects, top, &title)
        })
    }

    /// Pickles as the model file's bytes (so `copy`, `joblib` and Spark can ship it).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from_bytes = py.get_type::<PyModel>().getattr("from_bytes")?;
        let bytes = self.to_bytes(py)?;
        PyTuple::new(
            py,
            [from_bytes, PyTuple::new(py, [bytes.into_any()])?.into_any()],
        )
    }

    fn __repr__(&self) -> String {
        let t = self.inner.training();
        format!(
            "Model(labels={:?}, n_features={}, documents={})",
            self.inner.labels(),
            self.inner.featurizer().n_features(),
            t.documents
        )
    }
}

/// One text for `explain`, refused as the CLI refuses an empty article.
fn one_text(text: &Bound<'_, PyAny>) -> PyResult<String> {
    let text: String = text.extract().map_err(|_| {
        PyValueError::new_err(format!("text must be str, got {}", inputs::type_name(text)))
    })?;
    if text.trim().is_empty() {
        return Err(PyValueError::new_err(
            "text: the text is empty or only whitespace",
        ));
    }
    Ok(text)
}

/// A count given from Python, where a negative one must be a ValueError rather than the
/// OverflowError of an unsigned parameter.
fn count(name: &str, n: i64) -> PyResult<usize> {
    usize::try_from(n)
        .map_err(|_| PyValueError::new_err(format!("{name} must be 0 or more, got {n}")))
}
