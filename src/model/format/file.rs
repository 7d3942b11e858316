//! The model file: the versioned JSON form of a [`Model`], and the checks that refuse an
//! inconsistent one.
//!
//! The file is JSON, written by serde from `ModelFile`, with the format name and version as its
//! first fields. It holds everything that shapes features (masking rules, tokenizer settings,
//! n-gram range, vocabulary filters, vocabulary, IDF), the weights, intercepts and labels, and a
//! training summary. It has no timestamps, so the same data and parameters give a byte-identical
//! file. Floats are written in shortest round-trip form and read back with serde_json's
//! `float_roundtrip`, so weights come back bit-exact.
//!
//! Loading checks the format name and version before anything else, then every shape and value,
//! and refuses an inconsistent file with a message naming the problem. The checks that a model
//! built in memory must pass too (labels, weights, calibration, uncertainty policy) are shared
//! with [`Model::new`] and [`LinearModel::new`], so neither can build a model that loading
//! would refuse.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::StanceError;
use crate::features::featurizer::{Featurizer, FeaturizerParams};
use crate::features::tfidf::Tfidf;
use crate::model::adaptation::Adaptation;
use crate::model::calibration::Calibration;
use crate::model::evidence::UncertaintyPolicy;
use crate::model::fitted::{CalibrationInfo, Model, TrainingSummary};
use crate::model::format::terms::SavedTerms;
use crate::model::logistic::LinearModel;
use crate::model::profile::TrainingProfile;

/// The format name at the top of every model file.
pub const FORMAT_NAME: &str = "stance-model";

/// The largest IDF a model file may hold (a corpus of e^1000 documents).
pub const MAX_IDF: f64 = 1e3;

/// The largest weight magnitude a model file may hold; trained weights are orders smaller.
pub const MAX_WEIGHT: f64 = 1e6;

/// The newest model-file version this build reads and writes.
///
/// Version 4 adds a spelling normaliser (`featurizer.spelling`) and an adapted model's second
/// TF-IDF block (`adaptation.new_features`), which shape features, so an older build must
/// refuse such a file; a model without either is still written as version 3, so
/// that its file, and every older build's reading of it, stay as they were. Version 3 writes
/// the vocabulary as its stems and each term's stem ids (`format::terms`); version 2 packed
/// IDF and weights as base64 of their bits (`format::floats`); version 1 wrote terms as
/// strings and floats as JSON numbers. All four are read.
pub const FORMAT_VERSION: u64 = 4;

/// The first version whose vocabulary is stems and stem ids.
const PACKED_TERMS_VERSION: u64 = 3;

/// The first version with a spelling normaliser.
const SPELLING_VERSION: u64 = 4;

/// The first version with an adapted model's second TF-IDF block (`adaptation.new_features`),
/// which shapes features as the normaliser does.
const SECOND_BLOCK_VERSION: u64 = 4;

/// The version a model with these featurizer settings is written as: the oldest that can hold
/// them.
pub(crate) fn version_for(featurizer: &FeaturizerParams) -> u64 {
    if featurizer.spelling.is_some() {
        SPELLING_VERSION
    } else {
        PACKED_TERMS_VERSION
    }
}

/// The oldest model-file version this build reads.
pub const OLDEST_FORMAT_VERSION: u64 = 1;

/// The serialized form of a model, field order as written.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ModelFile {
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
    /// Quantiles of the training documents' evidence; absent in older files (no
    /// out-of-domain warning then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<TrainingProfile>,
    pub training: TrainingSummary,
    /// What `stance adapt` recorded (base, sample, new-term block, choice); adapted models only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<Adaptation>,
}

/// Only the header, read first so that a file of another version is refused by its version and
/// not by whatever else changed.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

/// Why `labels` cannot be a model's labels, if they cannot: fewer than two, or an empty or
/// repeated one.
pub(crate) fn labels_problem(labels: &[String]) -> Option<String> {
    let n_labels = labels.len();
    if n_labels < 2 {
        return Some(format!("{n_labels} label(s); a model needs at least two"));
    }
    if labels.iter().collect::<HashSet<_>>().len() != n_labels
        || labels.iter().any(|l| l.is_empty())
    {
        return Some("labels are empty or repeated".into());
    }
    None
}

/// Why `weights` and `intercepts` cannot be the classifier of `n_labels` labels over `d`
/// features, if they cannot: the wrong number or length of vectors, or a value that is not
/// finite or beyond [`MAX_WEIGHT`].
pub(crate) fn weights_problem(
    n_labels: usize,
    weights: &[Vec<f64>],
    intercepts: &[f64],
    d: usize,
) -> Option<String> {
    let outputs = if n_labels == 2 { 1 } else { n_labels };
    if weights.len() != outputs || intercepts.len() != outputs {
        return Some(format!(
            "{} weight vectors and {} intercepts for {n_labels} labels (expected {outputs} of each)",
            weights.len(),
            intercepts.len()
        ));
    }
    if let Some(w) = weights.iter().find(|w| w.len() != d) {
        return Some(format!(
            "a weight vector has {} entries for {d} vocabulary terms",
            w.len()
        ));
    }
    if let Some(v) = weights
        .iter()
        .flatten()
        .chain(intercepts)
        .find(|v| !v.is_finite() || v.abs() > MAX_WEIGHT)
    {
        return Some(format!(
            "weight or intercept {v} is not a finite number within ±{MAX_WEIGHT:e}"
        ));
    }
    None
}

/// Why a calibration cannot go with `n_labels` labels, if it cannot: Platt scaling needs two
/// labels, temperature scaling more, and every parameter must be finite.
pub(crate) fn calibration_problem(c: &CalibrationInfo, n_labels: usize) -> Option<String> {
    let fits = matches!(
        (&c.map, n_labels),
        (Calibration::Platt { .. }, 2) | (Calibration::Temperature { .. }, 3..)
    );
    (!fits || !c.map.is_valid())
        .then(|| "the calibration does not fit the labels or is not finite".into())
}

/// Why an adaptation record cannot go with `featurizer`, if it cannot: its new features must
/// be ascending feature numbers of the vocabulary, and exactly the featurizer's second block.
pub(crate) fn adaptation_problem(a: &Adaptation, featurizer: &Featurizer) -> Option<String> {
    let d = featurizer.n_features();
    if a.new_features.windows(2).any(|w| w[0] >= w[1])
        || a.new_features.last().is_some_and(|&f| f as usize >= d)
    {
        return Some(format!(
            "the adaptation's new features are not ascending feature numbers below {d}"
        ));
    }
    let tfidf = featurizer.tfidf();
    let block = (0..d).filter(|&f| tfidf.in_second_block(f)).count();
    if block != a.new_features.len()
        || a.new_features
            .iter()
            .any(|&f| !tfidf.in_second_block(f as usize))
    {
        return Some("the adaptation's new features are not the featurizer's second block".into());
    }
    None
}

/// Why an uncertainty policy cannot be a model's, if it cannot.
pub(crate) fn uncertainty_problem(policy: &UncertaintyPolicy) -> Option<String> {
    (!policy.is_valid()).then(|| format!("uncertainty policy {policy:?} is out of range"))
}

/// The model as JSON bytes (compact, newline-terminated).
pub(crate) fn to_json(model: &Model) -> Result<Vec<u8>, StanceError> {
    let file = ModelFile {
        format: FORMAT_NAME.to_string(),
        version: version_for(model.featurizer.params()).max(
            if model
                .adaptation
                .as_ref()
                .is_some_and(|a| !a.new_features.is_empty())
            {
                SECOND_BLOCK_VERSION
            } else {
                0
            },
        ),
        crate_version: env!("CARGO_PKG_VERSION").to_string(),
        labels: model.classifier.labels().to_vec(),
        featurizer: model.featurizer.params().clone(),
        vocabulary: SavedTerms::packed(model.featurizer.vocabulary()),
        idf: model.featurizer.tfidf().idf().to_vec(),
        weights: model.classifier.weights().to_vec(),
        intercepts: model.classifier.intercepts().to_vec(),
        calibration: model.calibration.clone(),
        uncertainty: model.uncertainty,
        surface_forms: model.surface_forms.clone(),
        profile: model.profile.clone(),
        training: model.training.clone(),
        adaptation: model.adaptation.clone(),
    };
    let mut bytes =
        serde_json::to_vec(&file).map_err(|e| StanceError::ModelEncoding(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The largest model file read, in bytes: 1 GiB. The default model is 7 MB, and one trained on
/// a million documents with every n-gram kept stays in the hundreds of megabytes; the limit
/// keeps `--model /dev/zero` or a wrong huge file from being read until memory runs out.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

/// Loads and checks a model file: a regular file (symlinks followed) of at most
/// [`MAX_MODEL_BYTES`], checked before it is read.
pub(crate) fn load(path: &Path) -> Result<Model, StanceError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| StanceError::io(path, e))?;
    if meta.is_dir() {
        return Err(StanceError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if !meta.is_file() {
        return Err(StanceError::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    let too_large = |size: u64| StanceError::ModelTooLarge {
        path: path.to_path_buf(),
        size,
        limit: MAX_MODEL_BYTES,
    };
    if meta.len() > MAX_MODEL_BYTES {
        return Err(too_large(meta.len()));
    }
    // Read through the limit too, in case the file grows after the check.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| StanceError::io(path, e))?;
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    from_json(&bytes, path)
}

/// Parses and checks model JSON; `origin` names it in errors.
pub(crate) fn from_json(bytes: &[u8], origin: &Path) -> Result<Model, StanceError> {
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
    from_file(file, origin)
}

/// Checks every shape and value of a parsed file and builds the model.
fn from_file(file: ModelFile, origin: &Path) -> Result<Model, StanceError> {
    let bad = |message: String| StanceError::ModelInconsistent {
        path: origin.to_path_buf(),
        message,
    };
    let n_labels = file.labels.len();
    if let Some(m) = labels_problem(&file.labels) {
        return Err(bad(m));
    }
    // Older builds cannot read a packed vocabulary, so a file that has one and claims an
    // older version is not what it says (and `format_version` would report that version).
    if matches!(file.vocabulary, SavedTerms::Stems(_)) && file.version < PACKED_TERMS_VERSION {
        return Err(bad(format!(
            "the vocabulary is stems and stem ids, which needs format version {PACKED_TERMS_VERSION} or later; the file says version {}",
            file.version
        )));
    }
    if file
        .adaptation
        .as_ref()
        .is_some_and(|a| !a.new_features.is_empty())
        && file.version < SECOND_BLOCK_VERSION
    {
        return Err(bad(format!(
            "the adaptation's new terms form a second TF-IDF block, which needs format version {SECOND_BLOCK_VERSION} or later; the file says version {}",
            file.version
        )));
    }
    if file.featurizer.spelling.is_some() && file.version < SPELLING_VERSION {
        return Err(bad(format!(
            "the featurizer has a spelling normaliser, which needs format version {SPELLING_VERSION} or later; the file says version {}",
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
    if let Some(m) = weights_problem(n_labels, &file.weights, &file.intercepts, d) {
        return Err(bad(m));
    }
    if let Some(m) = file
        .calibration
        .as_ref()
        .and_then(|c| calibration_problem(c, n_labels))
    {
        return Err(bad(m));
    }
    if let Some(m) = uncertainty_problem(&file.uncertainty) {
        return Err(bad(m));
    }
    if let Some(m) = file.profile.as_ref().and_then(TrainingProfile::problem) {
        return Err(bad(m));
    }
    let mut tfidf = Tfidf::from_idf(file.featurizer.tfidf, file.idf);
    if let Some(a) = &file.adaptation {
        tfidf = tfidf.with_second_block(&a.new_features);
    }
    let featurizer =
        Featurizer::from_parts(file.featurizer, || file.vocabulary.into_vocabulary(), tfidf)
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
    if let Some(m) = file
        .adaptation
        .as_ref()
        .and_then(|a| adaptation_problem(a, &featurizer))
    {
        return Err(bad(m));
    }
    Ok(Model {
        featurizer,
        classifier: LinearModel::from_checked(file.labels, file.weights, file.intercepts),
        calibration: file.calibration,
        uncertainty: file.uncertainty,
        surface_forms: file.surface_forms,
        profile: file.profile,
        training: file.training,
        adaptation: file.adaptation,
        format_version: file.version,
    })
}
