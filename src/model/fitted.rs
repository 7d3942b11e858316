//! The [`Model`]: a fitted featurizer plus a fitted linear classifier, with what training
//! recorded about it.
//!
//! This file holds what a model is: its parts, the constructors, loading and saving (the file
//! format is in `crate::model::format`). Applying it to text is the next stage's work, in
//! `impl Model` blocks there: `predict`, `score`, `explain`, `swap_effects` and `top_terms`.
//! The constructors run the same checks as loading a file, so a model built in memory is
//! always one that could be saved and loaded again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::StanceError;
use crate::features::featurizer::Featurizer;
use crate::io::atomic::Output;
use crate::model::adaptation::Adaptation;
use crate::model::calibration::Calibration;
use crate::model::evidence::UncertaintyPolicy;
use crate::model::format;
use crate::model::logistic::{LinearModel, LogisticParams};
use crate::model::profile::TrainingProfile;
use crate::text::language::Language;

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
    /// Whether the objective's gradient norm (pseudo-gradient under L1) reached the
    /// tolerance.
    pub converged: bool,
    /// The gradient norm reached; absent in files from before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient_norm: Option<f64>,
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

/// A trained model, ready to score.
#[derive(Debug)]
pub struct Model {
    pub(crate) featurizer: Featurizer,
    pub(crate) classifier: LinearModel,
    pub(crate) calibration: Option<CalibrationInfo>,
    pub(crate) uncertainty: UncertaintyPolicy,
    pub(crate) surface_forms: BTreeMap<String, String>,
    pub(crate) profile: Option<TrainingProfile>,
    pub(crate) training: TrainingSummary,
    /// What `stance adapt` recorded, for an adapted model.
    pub(crate) adaptation: Option<Adaptation>,
    /// The format version the model was read as (for a new one, the version it is written as).
    pub(crate) format_version: u64,
}

impl Model {
    /// Puts fitted parts together; refuses a classifier that does not fit the featurizer's
    /// vocabulary, as loading would.
    pub fn new(
        featurizer: Featurizer,
        classifier: LinearModel,
        training: TrainingSummary,
    ) -> Result<Self, StanceError> {
        let labels = classifier.labels();
        if let Some(m) = format::labels_problem(labels).or_else(|| {
            format::weights_problem(
                labels.len(),
                classifier.weights(),
                classifier.intercepts(),
                featurizer.n_features(),
            )
        }) {
            return Err(StanceError::InvalidModel(m));
        }
        Ok(Model {
            format_version: format::version_for(featurizer.params()),
            featurizer,
            classifier,
            calibration: None,
            uncertainty: UncertaintyPolicy::default(),
            surface_forms: BTreeMap::new(),
            profile: None,
            training,
            adaptation: None,
        })
    }

    /// The same model with an adaptation's record; refuses one whose new-term block is not
    /// the featurizer's.
    pub fn with_adaptation(mut self, adaptation: Adaptation) -> Result<Self, StanceError> {
        if let Some(m) = format::adaptation_problem(&adaptation, &self.featurizer) {
            return Err(StanceError::InvalidModel(m));
        }
        self.adaptation = Some(adaptation);
        Ok(self)
    }

    /// The same model with surface forms for its terms.
    pub fn with_surface_forms(mut self, surface_forms: BTreeMap<String, String>) -> Self {
        self.surface_forms = surface_forms;
        self
    }

    /// The same model with a profile of its training data; refuses an inconsistent one.
    pub fn with_profile(mut self, profile: TrainingProfile) -> Result<Self, StanceError> {
        if let Some(m) = profile.problem() {
            return Err(StanceError::InvalidModel(m));
        }
        self.profile = Some(profile);
        Ok(self)
    }

    /// The profile of the training data, if the model file has one.
    pub fn profile(&self) -> Option<&TrainingProfile> {
        self.profile.as_ref()
    }

    /// The same model with another uncertainty policy; refuses one out of range.
    pub fn with_uncertainty(mut self, policy: UncertaintyPolicy) -> Result<Self, StanceError> {
        if let Some(m) = format::uncertainty_problem(&policy) {
            return Err(StanceError::InvalidModel(m));
        }
        self.uncertainty = policy;
        Ok(self)
    }

    /// The same model with probabilities passed through a fitted calibration; refuses one that
    /// does not fit the labels.
    pub fn with_calibration(mut self, calibration: CalibrationInfo) -> Result<Self, StanceError> {
        if let Some(m) = format::calibration_problem(&calibration, self.labels().len()) {
            return Err(StanceError::InvalidModel(m));
        }
        self.calibration = Some(calibration);
        Ok(self)
    }

    /// Loads and checks a model file.
    pub fn load(path: &Path) -> Result<Self, StanceError> {
        format::load(path)
    }

    /// Parses and checks model JSON; `origin` names it in errors.
    pub fn from_json(bytes: &[u8], origin: &Path) -> Result<Self, StanceError> {
        format::from_json(bytes, origin)
    }

    /// The model as JSON bytes (compact, newline-terminated).
    pub fn to_json(&self) -> Result<Vec<u8>, StanceError> {
        format::to_json(self)
    }

    /// Writes the model to `path` atomically: whole, or not at all, never half a file (`-`
    /// is stdout; see [`Output`]).
    pub fn save(&self, path: &Path) -> Result<(), StanceError> {
        self.save_to(Output::create(path)?, &mut std::io::stdout().lock())
    }

    /// Writes the model to an output opened earlier with [`Output::create`] (open it before
    /// training, so that an unwritable path fails at once); `stdout` takes it for `-`.
    pub fn save_to(&self, out: Output, stdout: &mut dyn std::io::Write) -> Result<(), StanceError> {
        out.commit(&self.to_json()?, stdout)
    }

    /// Label probabilities from raw logits: calibrated when the model has a calibration.
    pub fn probabilities_from_logits(&self, logits: &[f64]) -> Vec<f64> {
        match &self.calibration {
            Some(c) => c.map.apply(logits),
            None => self.classifier.probabilities_from_logits(logits),
        }
    }

    /// The language the model reads: its tokenizer's (the `language` it was trained with,
    /// English unless asked). [`Model::score`] gives a text in another language no label.
    pub fn language(&self) -> Language {
        self.featurizer.params().tokenizer.language
    }

    /// The labels, in probability order.
    pub fn labels(&self) -> &[String] {
        self.classifier.labels()
    }

    /// The fitted featurizer.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The fitted classifier.
    pub fn classifier(&self) -> &LinearModel {
        &self.classifier
    }

    /// The calibration, if the model has one.
    pub fn calibration(&self) -> Option<&CalibrationInfo> {
        self.calibration.as_ref()
    }

    /// When scores are reported as uncertain.
    pub fn uncertainty(&self) -> &UncertaintyPolicy {
        &self.uncertainty
    }

    /// The most frequent training-data words behind a term, if recorded.
    pub fn surface_form(&self, term: &str) -> Option<&str> {
        self.surface_forms.get(term).map(String::as_str)
    }

    /// What training recorded.
    pub fn training(&self) -> &TrainingSummary {
        &self.training
    }

    /// What `stance adapt` recorded, for an adapted model.
    pub fn adaptation(&self) -> Option<&Adaptation> {
        self.adaptation.as_ref()
    }

    /// The format version this model was read as; a new model's is the version saving writes:
    /// [`FORMAT_VERSION`](format::FORMAT_VERSION) with a spelling normaliser, 3 without.
    pub fn format_version(&self) -> u64 {
        self.format_version
    }
}
