//! Training: labelled documents in, a [`Model`] out. Fits the featurizer, then the classifier,
//! records the training summary that goes into the model file, and, when asked, fits a
//! calibration on out-of-fold predictions (`out_of_fold`, `calibrate`); [`folds`] plans the
//! folds, at random or grouped by outlet or month.
//!
//! Parameters are checked once, as linfa's `ParamGuard` does: [`TrainParams::check`] turns them
//! into [`CheckedTrainParams`], the only parameters [`train`] takes, and nothing under it checks
//! them again.

mod calibrate;
pub mod data;
pub mod folds;
pub mod labels;
pub(crate) mod out_of_fold;
mod overrides;
mod preset;

pub use calibrate::{fit_oof_calibration, OofCalibration};
pub use overrides::{StopWordList, TrainOverrides};
pub use preset::Preset;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Deref;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ParamError, StanceError};
use crate::features::featurizer::FeaturizerParams;
use crate::io::corpus::{label_indices, Document};
use crate::model::evidence::{UncertaintyPolicy, DEFAULT_PRIOR_TOKENS};
use crate::model::fitted::{Model, TrainingSummary};
use crate::model::logistic::{FitReport, LogisticParams, Penalty};
use crate::model::profile::TrainingProfile;
use crate::text::passages::passage_spans;
use crate::train::folds::{FoldPlan, GroupBy};

/// Everything training needs besides the data. Each part documents its own defaults; a
/// [`Preset`] is another set of them, and [`TrainOverrides`] what a user changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainParams {
    pub featurizer: FeaturizerParams,
    pub logistic: LogisticParams,
    /// Recorded in the model; seeds any random choice (the trainer itself makes none).
    pub seed: u64,
    /// Train on passages of at least this many words instead of whole documents (see
    /// [`crate::text::passages`]); `0` (the default) trains on whole documents.
    /// (Saved under its old name, `chunk_words`.)
    #[serde(default, rename = "chunk_words")]
    pub passage_words: usize,
    /// Fit a calibration on out-of-fold predictions and store it in the model, so that scores
    /// are calibrated probabilities; `None` (the default) stores none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationParams>,
    /// Keep a sparse (L1, elastic-net) model's whole vocabulary instead of only the terms it
    /// weighs, and skip the second fit that dropping them needs. Defaults to `false`.
    #[serde(default)]
    pub keep_unweighted_terms: bool,
    /// How many tokens a text needs to keep half its logit when scored (see
    /// [`crate::model::evidence`]); `0` turns cooling off. Defaults to
    /// [`DEFAULT_PRIOR_TOKENS`]; `None` means the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_tokens: Option<f64>,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            featurizer: FeaturizerParams::default(),
            logistic: LogisticParams::default(),
            seed: 0,
            passage_words: 0,
            calibration: None,
            keep_unweighted_terms: false,
            prior_tokens: Some(DEFAULT_PRIOR_TOKENS),
        }
    }
}

/// How the calibration is fitted: Platt scaling (two labels) or temperature scaling (more) on
/// the out-of-fold predictions of a cross-validation of the same parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalibrationParams {
    /// Folds of the cross-validation; at least 2. Defaults to `5`.
    pub folds: usize,
    /// How documents are grouped into folds. Defaults to [`GroupBy::Source`].
    pub group_by: GroupBy,
}

impl Default for CalibrationParams {
    fn default() -> Self {
        CalibrationParams {
            folds: 5,
            group_by: GroupBy::Source,
        }
    }
}

impl TrainParams {
    /// Checks every parameter (compiling the masking rules to check them), so that a bad value
    /// is refused before any data is read or any work done.
    pub fn check(self) -> Result<CheckedTrainParams, ParamError> {
        self.featurizer.check()?;
        self.featurizer.mask.compile()?;
        self.logistic.check()?;
        if let Some(p) = self.prior_tokens {
            if !p.is_finite() || p < 0.0 {
                return Err(ParamError::PriorTokens(p));
            }
        }
        if let Some(c) = &self.calibration {
            if c.folds < 2 {
                return Err(ParamError::CalibrationFolds(c.folds));
            }
        }
        Ok(CheckedTrainParams(self))
    }
}

/// Training parameters that passed [`TrainParams::check`]; read them through `Deref`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedTrainParams(TrainParams);

impl Deref for CheckedTrainParams {
    type Target = TrainParams;
    fn deref(&self) -> &TrainParams {
        &self.0
    }
}

impl CheckedTrainParams {
    /// The parameters, unchecked again.
    pub fn into_inner(self) -> TrainParams {
        self.0
    }

    /// The same parameters without calibration (checked parameters stay checked without it).
    fn without_calibration(&self) -> CheckedTrainParams {
        CheckedTrainParams(TrainParams {
            calibration: None,
            ..self.0.clone()
        })
    }
}

/// The most labels a model may have.
pub(crate) const MAX_LABELS: usize = 100;

/// Refuses more than [`MAX_LABELS`] labels. A model holds one weight vector per label over the
/// whole vocabulary, and L-BFGS several copies of them: thousands of labels (an id column taken
/// for the label) would need memory out of all proportion to the data.
pub(crate) fn check_label_count(labels: usize) -> Result<(), StanceError> {
    if labels > MAX_LABELS {
        return Err(StanceError::TooManyLabels {
            found: labels,
            max: MAX_LABELS,
        });
    }
    Ok(())
}

/// Progress events, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// Featurizing has started for this many documents.
    Featurizing(usize),
    /// The vocabulary is fitted with this many terms.
    Featurized(usize),
    /// The loss was evaluated (count so far, loss); L-BFGS evaluates it once or more per
    /// iteration.
    Evaluation(u64, f64),
    /// The model is trained; the calibration's cross-validation has started.
    Calibrating(CalibrationParams),
}

/// The SHA-256 of a corpus as training sees it: each document's source, label and text.
pub fn corpus_sha256(docs: &[Document]) -> String {
    let mut h = Sha256::new();
    for d in docs {
        for part in [
            d.source.as_deref().unwrap_or(""),
            d.label.as_deref().unwrap_or(""),
            &d.text,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Trains a model on labelled documents, calibrated when the parameters ask for it.
pub fn train(
    docs: &[Document],
    params: &CheckedTrainParams,
    progress: &mut dyn FnMut(Stage),
) -> Result<(Model, FitReport), StanceError> {
    let (model, report) = train_uncalibrated(docs, params, progress)?;
    let Some(c) = params.calibration else {
        return Ok((model, report));
    };
    progress(Stage::Calibrating(c));
    // The model's labels are the data's labels, sorted: the same indices.
    let (labels, y) = label_indices(docs);
    let plan = FoldPlan::new(docs, &labels, &y, c.folds, c.group_by, params.seed);
    let info = calibrate::fit_calibration(docs, &labels, &y, &params.without_calibration(), &plan)?;
    Ok((model.with_calibration(info)?, report))
}

/// Trains the model proper: featurizer, classifier, uncertainty policy and surface forms.
fn train_uncalibrated(
    docs: &[Document],
    params: &CheckedTrainParams,
    progress: &mut dyn FnMut(Stage),
) -> Result<(Model, FitReport), StanceError> {
    if docs.is_empty() {
        return Err(StanceError::EmptyCorpus);
    }
    let labels: Vec<String> = docs
        .iter()
        .filter_map(|d| d.label.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if labels.len() < 2 {
        return Err(StanceError::SingleLabel(
            labels.into_iter().next().unwrap_or_default(),
        ));
    }
    check_label_count(labels.len())?;
    let label_index: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let y: Vec<usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            label_index
                .get(d.label.as_deref().unwrap_or(""))
                .copied()
                .ok_or_else(|| StanceError::MissingLabel {
                    document: i,
                    id: d.id.clone(),
                })
        })
        .collect::<Result<_, _>>()?;
    let source_names: BTreeSet<&str> = docs
        .iter()
        .map(|d| d.source.as_deref().unwrap_or(""))
        .collect();
    let source_index: BTreeMap<&str, u32> = source_names
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, i as u32))
        .collect();
    let sources: Vec<u32> = docs
        .iter()
        .map(|d| source_index[d.source.as_deref().unwrap_or("")])
        .collect();

    // Rows: whole documents, or their passages, each with its document's label and source.
    let mut texts: Vec<&str> = Vec::with_capacity(docs.len());
    let mut row_y = Vec::with_capacity(docs.len());
    let mut row_sources = Vec::with_capacity(docs.len());
    for (d, (&label, &source)) in docs.iter().zip(y.iter().zip(&sources)) {
        for span in passage_spans(&d.text, params.passage_words) {
            texts.push(&d.text[span]);
            row_y.push(label);
            row_sources.push(source);
        }
    }
    progress(Stage::Featurizing(texts.len()));
    let (featurizer, x) = params.featurizer.fit_checked(&texts, &row_sources)?;
    progress(Stage::Featurized(featurizer.n_features()));

    let (mut classifier, mut report) =
        params
            .logistic
            .fit_checked(&x, &row_y, &labels, &mut |i, loss| {
                progress(Stage::Evaluation(i, loss))
            })?;
    let mut featurizer = featurizer;
    if params.logistic.penalty != Penalty::L2 && !params.keep_unweighted_terms {
        // A sparse model keeps only the terms it weighs. Rows are L2-normalised over the
        // vocabulary, so dropping terms changes every row's norm: the classifier is fitted
        // again on rows over the kept terms, and that fit is the one saved, so scoring
        // reproduces training exactly. Terms the second fit zeroes stay, as they shape norms.
        let keep: Vec<usize> = (0..featurizer.n_features())
            .filter(|&f| classifier.weights().iter().any(|w| w[f] != 0.0))
            .collect();
        if keep.is_empty() {
            // A model of no terms could not be loaded back: refuse it now, with the way out.
            return Err(StanceError::NoWeightedTerm {
                alpha: params.logistic.alpha,
            });
        }
        if keep.len() < featurizer.n_features() {
            featurizer = featurizer.restricted(&keep)?;
            progress(Stage::Featurized(featurizer.n_features()));
            let x = featurizer.transform_many(&texts);
            (classifier, report) =
                params
                    .logistic
                    .fit_checked(&x, &row_y, &labels, &mut |i, loss| {
                        progress(Stage::Evaluation(i, loss))
                    })?;
        }
    }

    let mut per_label = BTreeMap::new();
    for &l in &y {
        *per_label.entry(labels[l].clone()).or_insert(0) += 1;
    }
    let mut source_counts = BTreeMap::new();
    for d in docs {
        *source_counts
            .entry(d.source.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let summary = TrainingSummary {
        documents: docs.len(),
        per_label,
        sources: source_counts,
        data_sha256: corpus_sha256(docs),
        logistic: params.logistic,
        seed: params.seed,
        passage_words: params.passage_words,
        rows: texts.len(),
        iterations: report.iterations,
        final_loss: report.final_loss,
        converged: report.converged,
        gradient_norm: Some(report.gradient_norm),
    };
    // The uncertainty threshold is set on whole training documents, the scale articles are
    // scored on, even when the classifier was trained on passages.
    let mut model = Model::new(featurizer, classifier, summary)?;
    let evidence: Vec<_> = docs
        .par_iter()
        .map(|d| model.predict(&d.text).evidence)
        .collect();
    let uncertainty = UncertaintyPolicy {
        prior_tokens: params.prior_tokens.unwrap_or(DEFAULT_PRIOR_TOKENS),
        ..UncertaintyPolicy::from_training_evidence(&evidence, UncertaintyPolicy::default().band)
    };
    model = model
        .with_uncertainty(uncertainty)?
        .with_profile(TrainingProfile::from_evidence(&evidence))?;
    let surfaces = surface_forms(&model, &texts, SURFACE_TERMS_PER_LABEL);
    Ok((model.with_surface_forms(surfaces), report))
}

/// How many training documents [`uniform_scores_warning`] scores: enough to see a model that
/// says nothing, few enough to cost little beside training.
pub const UNIFORM_CHECK_DOCS: usize = 200;

/// How close to uniform every probability must be for [`uniform_scores_warning`] to speak.
pub const UNIFORM_TOLERANCE: f64 = 1e-3;

/// A warning when the model scores every training document (of the first
/// [`UNIFORM_CHECK_DOCS`]) within [`UNIFORM_TOLERANCE`] of uniform: settings such as an L2
/// `alpha` of 1e300 or a `prior_tokens` of 1e308 that leave a model which says nothing.
pub fn uniform_scores_warning(model: &Model, docs: &[Document]) -> Option<String> {
    let k = model.labels().len() as f64;
    let uniform = docs.iter().take(UNIFORM_CHECK_DOCS).all(|d| {
        model
            .predict(&d.text)
            .probabilities
            .iter()
            .all(|p| (p - 1.0 / k).abs() < UNIFORM_TOLERANCE)
    });
    let t = model.training();
    (uniform && !docs.is_empty()).then(|| {
        format!(
            "the model scores every training document as uniform (each label within {UNIFORM_TOLERANCE} of 1/{k}): alpha {:?} or prior_tokens {:?} is too large for this data",
            t.logistic.alpha,
            model.uncertainty().prior_tokens
        )
    })
}

/// How many of each label's strongest terms get a recorded surface form.
pub(crate) const SURFACE_TERMS_PER_LABEL: usize = 200;

/// The most frequent surface form (the words as written, whitespace collapsed) of each of the
/// `per_label` strongest terms per label, over `texts`; ties go to the smaller string.
pub(crate) fn surface_forms(
    model: &Model,
    texts: &[&str],
    per_label: usize,
) -> BTreeMap<String, String> {
    let featurizer = model.featurizer();
    let wanted: HashSet<u32> = model
        .top_terms(per_label)
        .iter()
        .flat_map(|l| l.terms.iter())
        .filter_map(|t| featurizer.vocabulary().get(&t.term))
        .collect();
    let counts: HashMap<(u32, String), usize> = texts
        .par_iter()
        .fold(
            HashMap::new,
            |mut counts: HashMap<(u32, String), usize>, text| {
                let tokens = featurizer.id_tokens(text);
                let stems: Vec<u32> = tokens.iter().map(|t| t.stem).collect();
                featurizer.for_each_feature(&stems, |feature, window| {
                    if wanted.contains(&feature) {
                        let span = tokens[window.start].span.start..tokens[window.end - 1].span.end;
                        let surface = text[span].split_whitespace().collect::<Vec<_>>().join(" ");
                        *counts.entry((feature, surface)).or_insert(0) += 1;
                    }
                });
                counts
            },
        )
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_insert(0) += v;
            }
            a
        });
    let mut best: BTreeMap<u32, (usize, String)> = BTreeMap::new();
    for ((feature, surface), n) in counts {
        let entry = best.entry(feature).or_insert((0, String::new()));
        if n > entry.0 || (n == entry.0 && surface < entry.1) {
            *entry = (n, surface);
        }
    }
    best.into_iter()
        .map(|(f, (_, s))| (featurizer.vocabulary().term(f as usize).to_string(), s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::vocabulary::DocFreq;
    use crate::io::corpus::{read_labelled, FieldNames};
    use crate::model::logistic::LinearModel;

    fn examples() -> Vec<Document> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples.jsonl");
        read_labelled(path.as_ref(), &FieldNames::default()).unwrap()
    }

    fn small() -> TrainParams {
        let mut p = TrainParams::default();
        p.featurizer.vocabulary.min_df = DocFreq::Count(1);
        p
    }

    #[test]
    fn check_refuses_min_df_above_max_df_and_too_few_calibration_folds() {
        let mut p = small();
        p.featurizer.vocabulary.min_df = DocFreq::Count(5);
        p.featurizer.vocabulary.max_df = DocFreq::Count(3);
        assert_eq!(p.check(), Err(ParamError::DfRange { min: 5, max: 3 }));
        let mut p = small();
        p.calibration = Some(CalibrationParams {
            folds: 1,
            group_by: GroupBy::None,
        });
        assert_eq!(p.check(), Err(ParamError::CalibrationFolds(1)));
        assert!(small().check().is_ok());
    }

    #[test]
    fn calibration_is_part_of_training_and_the_model_saves_atomically() {
        let docs = examples();
        let mut p = small();
        p.calibration = Some(CalibrationParams {
            folds: 2,
            group_by: GroupBy::Source,
        });
        let (model, _) = train(&docs, &p.check().unwrap(), &mut |_| {}).unwrap();
        let c = model.calibration().expect("a calibration was asked for");
        assert_eq!((c.folds, c.group_by.as_str()), (2, "source"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        model.save(&path).unwrap();
        let loaded = Model::load(&path).unwrap();
        assert_eq!(loaded.to_json().unwrap(), model.to_json().unwrap());
        let p = loaded.predict(&docs[0].text);
        assert_eq!(p.label_name(), p.label.map(|l| loaded.labels()[l].as_str()));
        assert_eq!(p.labels(), loaded.labels());
    }

    #[test]
    fn constructors_refuse_what_loading_refuses() {
        let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(LinearModel::new(labels(&["a", "b"]), vec![vec![0.5, -0.5]], vec![0.0]).is_ok());
        for (l, w, b) in [
            (labels(&["a"]), vec![vec![1.0]], vec![0.0]),
            (labels(&["a", "a"]), vec![vec![1.0]], vec![0.0]),
            (
                labels(&["a", "b"]),
                vec![vec![1.0], vec![1.0]],
                vec![0.0, 0.0],
            ),
            (labels(&["a", "b"]), vec![vec![f64::NAN]], vec![0.0]),
            (labels(&["a", "b"]), vec![vec![]], vec![0.0]),
            (
                labels(&["a", "b", "c"]),
                vec![vec![1.0], vec![1.0, 2.0], vec![1.0]],
                vec![0.0; 3],
            ),
        ] {
            assert!(
                matches!(
                    LinearModel::new(l.clone(), w.clone(), b),
                    Err(StanceError::InvalidModel(_))
                ),
                "{l:?} {w:?}"
            );
        }
        // A classifier over another vocabulary than the featurizer's.
        let (model, _) = train(&examples(), &small().check().unwrap(), &mut |_| {}).unwrap();
        let d = model.featurizer().n_features();
        let docs = examples();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let featurizer = small()
            .featurizer
            .fit_vocabulary(&texts, &vec![0; texts.len()])
            .unwrap();
        assert_eq!(featurizer.n_features(), d);
        let wrong =
            LinearModel::new(model.labels().to_vec(), vec![vec![0.1; d + 1]], vec![0.0]).unwrap();
        let err = Model::new(featurizer, wrong, model.training().clone()).unwrap_err();
        assert!(err.to_string().contains("weight vector has"), "{err}");
        let bad_uncertainty = UncertaintyPolicy {
            band: f64::NAN,
            ..UncertaintyPolicy::default()
        };
        assert!(model.with_uncertainty(bad_uncertainty).is_err());
    }

    fn unlabelled_doc(id: Option<&str>, label: Option<&str>, text: &str) -> Document {
        Document {
            id: id.map(String::from),
            label: label.map(String::from),
            text: text.to_string(),
            ..Document::default()
        }
    }

    #[test]
    fn a_document_without_a_label_is_named_not_called_an_empty_corpus() {
        let docs = [
            unlabelled_doc(Some("a1"), Some("a"), "kyiv said the shelling stopped"),
            unlabelled_doc(Some("b1"), Some("b"), "the kiev regime shelled donbass"),
            unlabelled_doc(Some("odd"), None, "no label here"),
        ];
        let err = train(&docs, &TrainParams::default().check().unwrap(), &mut |_| {})
            .expect_err("an unlabelled document is refused");
        assert!(
            matches!(&err, StanceError::MissingLabel { document: 2, id: Some(id) } if id == "odd"),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "training document 3 (\"odd\") has no label"
        );
    }
}
