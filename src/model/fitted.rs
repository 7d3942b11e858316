//! The model: a fitted featurizer plus a fitted linear classifier, and its file format.
//!
//! The file is JSON, written by serde from [`ModelFile`], with the format name and version as its
//! first fields. It holds everything that shapes features (masking rules, tokenizer settings,
//! n-gram range, vocabulary filters, vocabulary, IDF), the weights, intercepts and labels, and a
//! training summary. It has no timestamps, so the same data and parameters give a byte-identical
//! file. Floats are written in shortest round-trip form and read back with serde_json's
//! `float_roundtrip`, so weights come back bit-exact.
//!
//! Loading checks the format name and version before anything else, then every shape and value,
//! and refuses an inconsistent file with a message naming the problem.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::StanceError;
use crate::features::featurizer::{Featurizer, FeaturizerParams};
use crate::features::tfidf::Tfidf;
use crate::io::atomic::AtomicFile;
use crate::model::calibration::Calibration;
use crate::model::evidence::UncertaintyPolicy;
use crate::model::format::terms::SavedTerms;
use crate::model::logistic::{LinearModel, LogisticParams};

/// The format name at the top of every model file.
pub const FORMAT_NAME: &str = "stance-model";

/// The largest IDF a model file may hold (a corpus of e^1000 documents).
pub const MAX_IDF: f64 = 1e3;

/// The largest weight magnitude a model file may hold; trained weights are orders smaller.
pub const MAX_WEIGHT: f64 = 1e6;

/// The model-file version this build writes.
///
/// Version 3 writes the vocabulary as its stems and each term's stem ids
/// ([`crate::model::format::terms`]); version 2 packed IDF and weights as base64 of their bits
/// ([`crate::model::format::floats`]); version 1 wrote terms as strings and floats as JSON numbers. All
/// three are read.
pub const FORMAT_VERSION: u64 = 3;

/// The first version whose vocabulary is stems and stem ids.
const PACKED_TERMS_VERSION: u64 = 3;

/// The oldest model-file version this build reads.
pub const OLDEST_FORMAT_VERSION: u64 = 1;

/// What training recorded about itself: enough to know what a model was trained on and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// The number of training documents.
    pub documents: usize,
    /// Documents per label.
    pub per_label: BTreeMap<String, usize>,
    /// Documents per source (outlet); documents without one are counted under `""`.
    pub sources: BTreeMap<String, usize>,
    /// SHA-256 over every training document's source, label and text, in order.
    pub data_sha256: String,
    /// The classifier's parameters.
    pub logistic: LogisticParams,
    /// The seed given to training (recorded; the trainer itself is deterministic).
    pub seed: u64,
    /// Passage length training cut documents into (0: whole documents). Saved under its old
    /// name, `chunk_words`, so that files stay as they were.
    #[serde(default, rename = "chunk_words")]
    pub passage_words: usize,
    /// Training rows: documents, or passages when `passage_words > 0`.
    #[serde(default)]
    pub rows: usize,
    /// L-BFGS iterations run.
    pub iterations: u64,
    /// The objective's value at the end.
    pub final_loss: f64,
    /// Whether the optimiser stopped on its tolerance rather than its iteration limit.
    pub converged: bool,
}

/// The serialized form of a model, field order as written.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    pub version: u64,
    pub crate_version: String,
    pub labels: Vec<String>,
    pub featurizer: FeaturizerParams,
    pub vocabulary: SavedTerms,
    #[serde(with = "crate::model::format::floats")]
    pub idf: Vec<f64>,
    /// One weight vector per output: one for two labels, one per label otherwise.
    #[serde(with = "crate::model::format::floats::nested")]
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// Absent in files written without calibration (and in files from before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationInfo>,
    /// When scores are reported as uncertain; the default policy in older files.
    #[serde(default)]
    pub uncertainty: UncertaintyPolicy,
    /// The most frequent words in the training data behind the strongest terms (`kiev regim` ->
    /// `Kiev regime`), for model cards.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub surface_forms: BTreeMap<String, String>,
    pub training: TrainingSummary,
}

/// A fitted calibration and how it was fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationInfo {
    pub map: Calibration,
    /// The cross-validation whose out-of-fold predictions it was fitted on.
    pub folds: usize,
    pub group_by: String,
    /// Expected calibration error of those predictions before and after calibration.
    pub ece_before: f64,
    pub ece_after: f64,
}

/// Only the header, read first so that a file of another version is refused by its version and
/// not by whatever else changed.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

/// A trained model, ready to score.
#[derive(Debug)]
pub struct Model {
    featurizer: Featurizer,
    classifier: LinearModel,
    calibration: Option<CalibrationInfo>,
    uncertainty: UncertaintyPolicy,
    surface_forms: BTreeMap<String, String>,
    training: TrainingSummary,
    /// The format version the model was read as ([`FORMAT_VERSION`] for a new one).
    format_version: u64,
}

impl Model {
    /// Puts fitted parts together.
    pub fn new(featurizer: Featurizer, classifier: LinearModel, training: TrainingSummary) -> Self {
        Model {
            featurizer,
            classifier,
            calibration: None,
            uncertainty: UncertaintyPolicy::default(),
            surface_forms: BTreeMap::new(),
            training,
            format_version: FORMAT_VERSION,
        }
    }

    /// The same model with surface forms for its terms.
    pub fn with_surface_forms(mut self, surface_forms: BTreeMap<String, String>) -> Self {
        self.surface_forms = surface_forms;
        self
    }

    /// The most frequent training-data words behind a term, if recorded.
    pub fn surface_form(&self, term: &str) -> Option<&str> {
        self.surface_forms.get(term).map(String::as_str)
    }

    /// The same model with another uncertainty policy.
    pub fn with_uncertainty(mut self, policy: UncertaintyPolicy) -> Self {
        self.uncertainty = policy;
        self
    }

    /// When scores are reported as uncertain.
    pub fn uncertainty(&self) -> &UncertaintyPolicy {
        &self.uncertainty
    }

    /// The same model with probabilities passed through a fitted calibration.
    pub fn with_calibration(mut self, calibration: CalibrationInfo) -> Self {
        self.calibration = Some(calibration);
        self
    }

    /// The calibration, if the model has one.
    pub fn calibration(&self) -> Option<&CalibrationInfo> {
        self.calibration.as_ref()
    }

    /// Label probabilities from raw logits: calibrated when the model has a calibration.
    pub fn probabilities_from_logits(&self, logits: &[f64]) -> Vec<f64> {
        match &self.calibration {
            Some(c) => c.map.apply(logits),
            None => self.classifier.probabilities_from_logits(logits),
        }
    }

    /// The fitted featurizer.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The fitted classifier.
    pub fn classifier(&self) -> &LinearModel {
        &self.classifier
    }

    /// The labels, in probability order.
    pub fn labels(&self) -> &[String] {
        &self.classifier.labels
    }

    /// What training recorded.
    pub fn training(&self) -> &TrainingSummary {
        &self.training
    }

    /// The format version this model was read as; a new model's is [`FORMAT_VERSION`], and
    /// saving always writes that.
    pub fn format_version(&self) -> u64 {
        self.format_version
    }

    /// The model as JSON bytes (compact, newline-terminated).
    pub fn to_json(&self) -> Result<Vec<u8>, StanceError> {
        let file = ModelFile {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            labels: self.classifier.labels.clone(),
            featurizer: self.featurizer.params().clone(),
            vocabulary: SavedTerms::packed(self.featurizer.vocabulary()),
            idf: self.featurizer.tfidf().idf().to_vec(),
            weights: self.classifier.weights.clone(),
            intercepts: self.classifier.intercepts.clone(),
            calibration: self.calibration.clone(),
            uncertainty: self.uncertainty,
            surface_forms: self.surface_forms.clone(),
            training: self.training.clone(),
        };
        let mut bytes =
            serde_json::to_vec(&file).map_err(|e| StanceError::Training(e.to_string()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Writes the model atomically to a file opened earlier with [`AtomicFile::create`].
    pub fn save(&self, out: AtomicFile) -> Result<(), StanceError> {
        out.commit(&self.to_json()?)
    }

    /// Loads and checks a model file.
    pub fn load(path: &Path) -> Result<Self, StanceError> {
        if path.is_dir() {
            return Err(StanceError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| StanceError::io(path, e))?;
        Model::from_json(&bytes, path)
    }

    /// Parses and checks model JSON; `origin` names it in errors.
    pub fn from_json(bytes: &[u8], origin: &Path) -> Result<Self, StanceError> {
        let format_error = |message: String| StanceError::ModelFormat {
            path: origin.to_path_buf(),
            message,
        };
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(format_error("the file is empty".into()));
        }
        if crate::io::lines::starts_with_utf16_bom(bytes) {
            return Err(format_error(
                "the file is UTF-16; model files are UTF-8 JSON".into(),
            ));
        }
        // Parse the whole file at once, and read the header on its own only to explain a
        // failure: a file of another version is then refused by its version, not by whatever
        // else changed. (A separate header pass first would cost a scan of the whole file.)
        let file: Result<ModelFile, _> = serde_json::from_slice(bytes);
        let header = match &file {
            Ok(f) => Header {
                format: Some(f.format.clone()),
                version: Some(f.version),
            },
            Err(_) => serde_json::from_slice(bytes).map_err(|e: serde_json::Error| {
                if e.is_eof() {
                    format_error(format!("the file is truncated ({e})"))
                } else {
                    format_error(format!("not valid model JSON ({e})"))
                }
            })?,
        };
        if header.format.as_deref() != Some(FORMAT_NAME) {
            return Err(format_error(format!(
                "the \"format\" field is {:?}, expected {FORMAT_NAME:?}",
                header.format.unwrap_or_default()
            )));
        }
        match header.version {
            Some(OLDEST_FORMAT_VERSION..=FORMAT_VERSION) => {}
            Some(found) => {
                return Err(StanceError::ModelVersion {
                    path: origin.to_path_buf(),
                    found,
                    oldest: OLDEST_FORMAT_VERSION,
                    newest: FORMAT_VERSION,
                })
            }
            None => return Err(format_error("the \"version\" field is missing".into())),
        }
        let file = file.map_err(|e| format_error(e.to_string()))?;
        Model::from_file(file, origin)
    }

    /// Checks every shape and value of a parsed file and builds the model.
    fn from_file(file: ModelFile, origin: &Path) -> Result<Self, StanceError> {
        let bad = |message: String| StanceError::ModelInconsistent {
            path: origin.to_path_buf(),
            message,
        };
        let n_labels = file.labels.len();
        if n_labels < 2 {
            return Err(bad(format!(
                "{n_labels} label(s); a model needs at least two"
            )));
        }
        if file.labels.iter().collect::<HashSet<_>>().len() != n_labels
            || file.labels.iter().any(|l| l.is_empty())
        {
            return Err(bad("labels are empty or repeated".into()));
        }
        // Older builds cannot read a packed vocabulary, so a file that has one and claims an
        // older version is not what it says (and `format_version` would report that version).
        if matches!(file.vocabulary, SavedTerms::Stems(_)) && file.version < PACKED_TERMS_VERSION {
            return Err(bad(format!(
                "the vocabulary is stems and stem ids, which needs format version {PACKED_TERMS_VERSION} or later; the file says version {}",
                file.version
            )));
        }
        let d = file.vocabulary.len();
        if d == 0 {
            return Err(bad("the vocabulary is empty".into()));
        }
        if file.idf.len() != d {
            return Err(bad(format!(
                "{} IDF values for {d} vocabulary terms",
                file.idf.len()
            )));
        }
        // Smoothed IDF is at most ln(1 + n) + 1; anything near overflow is corruption.
        if let Some(v) = file
            .idf
            .iter()
            .find(|v| !v.is_finite() || **v <= 0.0 || **v > MAX_IDF)
        {
            return Err(bad(format!("IDF value {v} is not in (0, {MAX_IDF}]")));
        }
        let outputs = if n_labels == 2 { 1 } else { n_labels };
        if file.weights.len() != outputs || file.intercepts.len() != outputs {
            return Err(bad(format!(
                "{} weight vectors and {} intercepts for {n_labels} labels (expected {outputs} of each)",
                file.weights.len(),
                file.intercepts.len()
            )));
        }
        if let Some(w) = file.weights.iter().find(|w| w.len() != d) {
            return Err(bad(format!(
                "a weight vector has {} entries for {d} vocabulary terms",
                w.len()
            )));
        }
        if let Some(v) = file
            .weights
            .iter()
            .flatten()
            .chain(&file.intercepts)
            .find(|v| !v.is_finite() || v.abs() > MAX_WEIGHT)
        {
            return Err(bad(format!(
                "weight or intercept {v} is not a finite number within ±{MAX_WEIGHT:e}"
            )));
        }
        if let Some(c) = &file.calibration {
            let fits = matches!(
                (&c.map, outputs),
                (Calibration::Platt { .. }, 1) | (Calibration::Temperature { .. }, 2..)
            );
            if !fits || !c.map.is_valid() {
                return Err(bad(
                    "the calibration does not fit the labels or is not finite".into(),
                ));
            }
        }
        if !file.uncertainty.is_valid() {
            return Err(bad(format!(
                "uncertainty policy {:?} is out of range",
                file.uncertainty
            )));
        }
        let tfidf = Tfidf::from_idf(file.featurizer.tfidf, file.idf);
        let featurizer = Featurizer::from_saved_terms(file.featurizer, file.vocabulary, tfidf)
            .map_err(|e| bad(format!("featurizer settings: {e}")))?;
        let range = featurizer.params().ngram_range;
        if !featurizer.vocabulary().fits(range) {
            // Found again here, on the failing path only, to name the term.
            let (min_n, max_n) = (range.min(), range.max());
            let term = featurizer.vocabulary().terms().iter().find(|t| {
                let n = t.split(' ').count();
                t.split(' ').any(str::is_empty) || n < min_n || n > max_n
            });
            return Err(bad(format!(
                "vocabulary term {:?} is not a {min_n}..{max_n}-gram of non-empty stems",
                term.map(|t| t.chars().take(60).collect::<String>())
                    .unwrap_or_default()
            )));
        }
        if featurizer.vocabulary().is_unordered() {
            return Err(bad(
                "the vocabulary repeats a term or is not in sorted order".into(),
            ));
        }
        Ok(Model {
            featurizer,
            classifier: LinearModel {
                labels: file.labels,
                weights: file.weights,
                intercepts: file.intercepts,
            },
            calibration: file.calibration,
            uncertainty: file.uncertainty,
            surface_forms: file.surface_forms,
            training: file.training,
            format_version: file.version,
        })
    }
}
