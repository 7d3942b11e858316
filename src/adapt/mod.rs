//! Adapting a model to the user's own corpus from a small labelled sample (`stance adapt`).
//!
//! [`adapt`] fine-tunes a base model on labelled documents: prior-centred logistic regression
//! (Chelba & Acero 2004; `fit` has the objective) over the base vocabulary plus the terms new
//! in the sample (`features`). With [`Strength::Auto`] it chooses among candidates from the
//! base as it is, and the base with its intercept refit and recalibrated, through
//! prior strengths from strong to weak to models of the sample alone (over the base's
//! vocabulary with the new terms, and over the sample's own vocabulary and IDF) and, given base
//! data, a model of the base data pooled with the up-weighted sample, by cross-validation on
//! the sample (`select` has the rule). The kept candidate is refit on the whole
//! sample and calibrated by Platt scaling on its out-of-fold logits, so that p > 0.5 is the cut
//! on the user's corpus; the model records its base, its sample and the candidate table
//! ([`Adaptation`]).
//!
//! Two-label base models only; a sample label the base lacks is refused by name (a new label
//! would need weights the base cannot give a prior for).

mod features;
mod fit;
mod select;

pub use features::NEW_TERM_MIN_DF;
pub use select::BOOTSTRAP;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::StanceError;
use crate::eval::metrics::ece;
use crate::features::sparse::CsrMatrix;
use crate::io::corpus::Document;
use crate::model::adaptation::{Adaptation, CandidateScore};
use crate::model::evidence::UncertaintyPolicy;
use crate::model::fitted::{CalibrationInfo, Model, TrainingSummary};
use crate::model::logistic::{LinearModel, LogisticParams};
use crate::train::corpus_sha256;
use crate::train::folds::{FoldPlan, GroupBy};

use self::features::{adapted_featurizer, own_featurizer, Adapted};
use self::fit::{Fitted, Spec};
use self::select::{choose, monotone_platt, oof_probabilities, Oof};

/// How strongly the adapted weights are pulled toward the base's.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Strength {
    /// Chosen by cross-validation on the sample among [`AUTO_STRENGTHS`], the base itself and
    /// the sample alone; the default.
    #[default]
    Auto,
    /// This strength (>= 0): infinity keeps the base's weights, 0 fits the sample alone.
    Fixed(f64),
}

/// The prior strengths `Strength::Auto` tries, strongest first.
///
/// The weak end matters: the base's L1 weights run to about 40, so at strength 0.1 (and the
/// sample's alpha 1) the prior still centres each weight at a tenth of the base's; 0.03 and
/// 0.01 are the near-scratch fits that keep the base's sign as a hint. On the second domain
/// (`../shared/corpus/extra/`) they were kept at N = 50-200 and beat both the sample alone and
/// the stronger priors (models/model-card.md).
pub const AUTO_STRENGTHS: [f64; 10] = [1000.0, 100.0, 30.0, 10.0, 3.0, 1.0, 0.3, 0.1, 0.03, 0.01];

/// The pooled candidate's sample weight, as a share of the base data's total weight: the
/// sample counts as much as all the base data together.
pub const POOLED_SHARE: f64 = 1.0;

/// The L2 penalties of the sample-alone candidates `Strength::Auto` tries.
pub const AUTO_SCRATCH_ALPHAS: [f64; 2] = [1.0, 0.1];

/// What `adapt` does besides the data.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptParams {
    /// Defaults to [`Strength::Auto`].
    pub strength: Strength,
    /// Cross-validation folds; at least 2, and at most the smaller label's count is used.
    /// Defaults to `5`.
    pub folds: usize,
    /// Seeds the folds and the bootstrap; defaults to `0`.
    pub seed: u64,
    /// The L2 penalty toward zero beside the prior (the sample alone's regulariser); > 0.
    /// Defaults to `1.0`.
    pub alpha: f64,
}

impl Default for AdaptParams {
    fn default() -> Self {
        AdaptParams {
            strength: Strength::Auto,
            folds: 5,
            seed: 0,
            alpha: 1.0,
        }
    }
}

/// Why a model cannot be adapted to a sample.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdaptError {
    #[error(transparent)]
    Stance(#[from] StanceError),
    #[error("the base model has {0} labels; adapt works on two-label models")]
    NotBinary(usize),
    #[error(
        "every document of the sample is labelled {0:?}; adapting needs examples of both labels"
    )]
    OneLabel(String),
    #[error("label(s) {} are not the base model's ({}); first at {first}. Relabel them, or train a new model with stance train", labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", "), known.join(", "))]
    UnknownLabels {
        labels: Vec<String>,
        known: Vec<String>,
        first: String,
    },
    #[error(
        "label {label:?} has {count} document(s) in the sample; adapting needs at least 2 of each"
    )]
    TooFew { label: String, count: usize },
    #[error("{0} has no label; fill in every label of the sample")]
    Unlabelled(String),
    #[error("folds must be at least 2, got {0}")]
    Folds(usize),
    #[error("strength must be a number >= 0 (inf keeps the base's weights), got {0}")]
    StrengthValue(f64),
    #[error("alpha must be finite and > 0, got {0}")]
    Alpha(f64),
    #[error("base data is pooled only as a candidate of strength auto; with a fixed strength it would be ignored")]
    BaseDataNeedsAuto,
    #[error("base data label(s) {} are not the base model's ({}); first at base-data {first}", labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(", "), known.join(", "))]
    BaseDataLabels {
        labels: Vec<String>,
        known: Vec<String>,
        first: String,
    },
}

/// What adapting did, for printing.
#[derive(Debug, Clone)]
pub struct AdaptReport {
    pub candidates: Vec<CandidateScore>,
    /// Index of the kept candidate.
    pub chosen: usize,
    pub folds: usize,
    pub group_by: GroupBy,
    /// Terms new in the sample that joined the vocabulary.
    pub new_terms: usize,
    /// Notes on the folds (from the fold plan).
    pub notes: Vec<String>,
}

/// The SHA-256 of bytes, in hex (a base model file's, for [`Adaptation::base_sha256`]).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How `doc` (0-based `i`) is named in errors: its id, else its number.
fn doc_name(doc: &Document, i: usize) -> String {
    match &doc.id {
        Some(id) => format!("document {id:?}"),
        None => format!("document {}", i + 1),
    }
}

/// Checks the parameters and the sample's labels against the base's; returns each document's
/// label index.
fn check(base: &Model, docs: &[Document], params: &AdaptParams) -> Result<Vec<usize>, AdaptError> {
    if params.folds < 2 {
        return Err(AdaptError::Folds(params.folds));
    }
    if let Strength::Fixed(s) = params.strength {
        if s.is_nan() || s < 0.0 {
            return Err(AdaptError::StrengthValue(s));
        }
    }
    if !params.alpha.is_finite() || params.alpha <= 0.0 {
        return Err(AdaptError::Alpha(params.alpha));
    }
    let labels = base.labels();
    if labels.len() != 2 {
        return Err(AdaptError::NotBinary(labels.len()));
    }
    if docs.is_empty() {
        return Err(StanceError::EmptyCorpus.into());
    }
    if let Some(i) = docs
        .iter()
        .position(|d| d.label.as_deref().unwrap_or("").is_empty())
    {
        return Err(AdaptError::Unlabelled(doc_name(&docs[i], i)));
    }
    let y = label_indices(labels, docs).map_err(|(unknown, first)| AdaptError::UnknownLabels {
        labels: unknown,
        known: labels.to_vec(),
        first,
    })?;
    for (l, name) in labels.iter().enumerate() {
        let count = y.iter().filter(|&&v| v == l).count();
        if count == 0 {
            return Err(AdaptError::OneLabel(labels[1 - l].clone()));
        }
        if count < 2 {
            return Err(AdaptError::TooFew {
                label: name.clone(),
                count,
            });
        }
    }
    Ok(y)
}

/// The candidates to try, from the base to the sample alone.
fn candidates(params: &AdaptParams, pooled: bool) -> Vec<Spec> {
    let mut specs = match params.strength {
        Strength::Fixed(s) => vec![Spec {
            strength: s.is_finite().then_some(s),
            alpha: params.alpha,
            as_is: false,
            pooled: None,
            own: false,
        }],
        Strength::Auto => {
            let as_is = Spec {
                strength: None,
                alpha: params.alpha,
                as_is: true,
                pooled: None,
                own: false,
            };
            std::iter::once(as_is)
                .chain(
                    std::iter::once(None)
                        .chain(AUTO_STRENGTHS.iter().map(|&s| Some(s)))
                        .map(|strength| Spec {
                            strength,
                            alpha: params.alpha,
                            as_is: false,
                            pooled: None,
                            own: false,
                        }),
                )
                .chain(AUTO_SCRATCH_ALPHAS.iter().map(|&alpha| Spec {
                    strength: Some(0.0),
                    alpha,
                    as_is: false,
                    pooled: None,
                    own: false,
                }))
                .collect()
        }
    };
    if pooled {
        specs.push(Spec {
            strength: Some(0.0),
            alpha: params.alpha,
            as_is: false,
            pooled: Some(POOLED_SHARE),
            own: false,
        });
    }
    if params.strength == Strength::Auto {
        specs.extend(AUTO_SCRATCH_ALPHAS.iter().map(|&alpha| Spec {
            strength: Some(0.0),
            alpha,
            as_is: false,
            pooled: None,
            own: true,
        }));
    }
    specs
}

/// The base data's label indices; a label the base lacks is refused by name.
fn base_labels(base: &Model, base_data: &[Document]) -> Result<Vec<usize>, AdaptError> {
    let labels = base.labels();
    label_indices(labels, base_data).map_err(|(unknown, first)| AdaptError::BaseDataLabels {
        labels: unknown,
        known: labels.to_vec(),
        first,
    })
}

/// Each document's index in `labels`; else the labels not among them and the first document
/// that has one.
fn label_indices(
    labels: &[String],
    docs: &[Document],
) -> Result<Vec<usize>, (Vec<String>, String)> {
    let mut y = Vec::with_capacity(docs.len());
    let mut unknown = BTreeSet::new();
    let mut first = None;
    for (i, d) in docs.iter().enumerate() {
        let label = d.label.as_deref().unwrap_or("");
        match labels.iter().position(|l| l == label) {
            Some(l) => y.push(l),
            None => {
                unknown.insert(label.to_string());
                first.get_or_insert_with(|| doc_name(d, i));
            }
        }
    }
    match first {
        Some(first) => Err((unknown.into_iter().collect(), first)),
        None => Ok(y),
    }
}

/// Folds grouped by source when every label has at least two sources and there are at least as
/// many sources as folds; stratified random folds otherwise.
fn grouping(docs: &[Document], y: &[usize], k: usize) -> GroupBy {
    let mut per_label: [BTreeSet<&str>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for (d, &l) in docs.iter().zip(y) {
        if let Some(s) = d.source.as_deref().filter(|s| !s.trim().is_empty()) {
            per_label[l].insert(s);
        }
    }
    let all: BTreeSet<&str> = per_label.iter().flatten().copied().collect();
    let every_doc = docs
        .iter()
        .all(|d| d.source.as_deref().is_some_and(|s| !s.trim().is_empty()));
    if every_doc && per_label.iter().all(|s| s.len() >= 2) && all.len() >= k {
        GroupBy::Source
    } else {
        GroupBy::None
    }
}

/// How many of a row's features carry a non-zero weight.
fn weighted_terms(x: &crate::features::sparse::CsrMatrix, r: usize, w: &[f64]) -> usize {
    x.row(r).0.iter().filter(|&&j| w[j as usize] != 0.0).count()
}

/// Every candidate's out-of-fold logits.
fn cross_validate(
    base: &Model,
    docs: &[Document],
    y: &[usize],
    plan: &FoldPlan,
    specs: &[Spec],
    base_data: &Labelled,
) -> Result<Vec<Oof>, AdaptError> {
    let n = docs.len();
    let mut oof = vec![
        Oof {
            z: vec![0.0; n],
            terms: vec![0; n]
        };
        specs.len()
    ];
    for f in 0..plan.k {
        let (train, test) = plan.split(f);
        if test.is_empty() {
            continue;
        }
        let texts: Vec<&str> = train.iter().map(|&i| docs[i].text.as_str()).collect();
        let test_texts: Vec<&str> = test.iter().map(|&i| docs[i].text.as_str()).collect();
        let ty: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let b0 = base.classifier().intercepts()[0];
        let views = Views::new(base, &texts, specs)?;
        for own in [false, true] {
            let which: Vec<usize> = (0..specs.len()).filter(|&c| specs[c].own == own).collect();
            if which.is_empty() {
                continue;
            }
            let view = views.get(own);
            let x = view.featurizer.transform_many(&texts);
            let xt = view.featurizer.transform_many(&test_texts);
            let prior = view.spread(&base.classifier().weights()[0]);
            let subset: Vec<Spec> = which.iter().map(|&c| specs[c]).collect();
            let fits = fit_all(view, &x, &ty, &prior, b0, &subset, base_data)?;
            for (&c, fitted) in which.iter().zip(&fits) {
                let z = fitted.logits(&xt);
                for (r, &i) in test.iter().enumerate() {
                    oof[c].z[i] = z[r];
                    oof[c].terms[i] = weighted_terms(&xt, r, &fitted.weights);
                }
            }
        }
    }
    Ok(oof)
}

/// The features candidates are fitted on: the base's vocabulary with the sample's new terms,
/// and (when a candidate asks for it) the sample's own.
struct Views {
    adapted: Adapted,
    own: Option<Adapted>,
}

impl Views {
    fn new(base: &Model, texts: &[&str], specs: &[Spec]) -> Result<Views, AdaptError> {
        Ok(Views {
            adapted: adapted_featurizer(base.featurizer(), texts)?,
            own: if specs.iter().any(|s| s.own) {
                Some(own_featurizer(base.featurizer(), texts)?)
            } else {
                None
            },
        })
    }

    /// The view of `own` candidates (the sample's features), else the adapted base's.
    fn get(&self, own: bool) -> &Adapted {
        match (&self.own, own) {
            (Some(o), true) => o,
            _ => &self.adapted,
        }
    }

    fn take(self, own: bool) -> Adapted {
        match (self.own, own) {
            (Some(o), true) => o,
            (_, _) => self.adapted,
        }
    }
}

/// Labelled documents beside the sample: their texts and label indices.
struct Labelled<'a> {
    texts: Vec<&'a str>,
    y: Vec<usize>,
}

/// Fits every candidate on rows `x` (labels `y`) of the `adapted` featurizer; the pooled
/// candidate stacks the base data's rows under them.
fn fit_all(
    adapted: &Adapted,
    x: &CsrMatrix,
    y: &[usize],
    prior: &[f64],
    b0: f64,
    specs: &[Spec],
    base_data: &Labelled,
) -> Result<Vec<Fitted>, AdaptError> {
    let base_x = (specs.iter().any(|s| s.pooled.is_some()) && !base_data.y.is_empty())
        .then(|| adapted.featurizer.transform_many(&base_data.texts));
    Ok(specs
        .par_iter()
        .map(|&spec| match (spec.pooled, &base_x) {
            (Some(share), Some(base_x)) => {
                let (px, py, ps) = fit::pooled(x, y, base_x, &base_data.y, share);
                fit::fit_weighted(&px, &py, &ps, prior, b0, spec)
            }
            _ => fit::fit(x, y, prior, b0, spec),
        })
        .collect::<Result<_, _>>()?)
}

/// Adapts `base` (whose file's bytes hash to `base_sha256`) to the labelled `docs` (see the
/// module doc). Returns the adapted model and the candidate table.
pub fn adapt(
    base: &Model,
    base_sha256: &str,
    docs: &[Document],
    params: &AdaptParams,
) -> Result<(Model, AdaptReport), AdaptError> {
    adapt_with_base_data(base, base_sha256, docs, &[], params)
}

/// [`adapt`], with labelled `base_data` (the base's training data, or data like it) pooled
/// with the sample as one more candidate (`stance adapt --base-data`; needs
/// [`Strength::Auto`]). The sample's rows weigh [`POOLED_SHARE`] of the base data's total.
pub fn adapt_with_base_data(
    base: &Model,
    base_sha256: &str,
    docs: &[Document],
    base_data: &[Document],
    params: &AdaptParams,
) -> Result<(Model, AdaptReport), AdaptError> {
    let y = check(base, docs, params)?;
    if !base_data.is_empty() && params.strength != Strength::Auto {
        return Err(AdaptError::BaseDataNeedsAuto);
    }
    let pooled = Labelled {
        texts: base_data.iter().map(|d| d.text.as_str()).collect(),
        y: base_labels(base, base_data)?,
    };
    let smaller = (0..2)
        .map(|l| y.iter().filter(|&&v| v == l).count())
        .min()
        .unwrap_or(0);
    let k = params.folds.min(smaller).max(2);
    let group_by = grouping(docs, &y, k);
    let plan = FoldPlan::new(docs, base.labels(), &y, k, group_by, params.seed);
    let specs = candidates(params, !base_data.is_empty());
    let oof = cross_validate(base, docs, &y, &plan, &specs, &pooled)?;
    let tokens: Vec<usize> = docs
        .par_iter()
        .map(|d| base.featurizer().stem_ids(&d.text).len())
        .collect();
    let policy = *base.uncertainty();
    let base_map = |z: f64| base.probabilities_from_logits(&[z]);
    let probabilities: Vec<Vec<f64>> = oof
        .iter()
        .zip(&specs)
        .map(|(o, spec)| {
            let fixed: Option<&dyn Fn(f64) -> Vec<f64>> = spec.as_is.then_some(&base_map);
            oof_probabilities(o, &y, &plan.fold, k, &tokens, &policy, fixed)
        })
        .collect();
    let raw: Vec<Vec<f64>> = oof.iter().map(|o| o.z.clone()).collect();
    let (table, kept) = choose(&specs, &probabilities, &raw, &y, params.seed);
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let views = Views::new(base, &texts, &specs[kept..=kept])?;
    let new_terms = views.adapted.new_features.len();
    let adapted = views.take(specs[kept].own);
    let x = adapted.featurizer.transform_many(&texts);
    let prior = adapted.spread(&base.classifier().weights()[0]);
    let fitted = fit_all(
        &adapted,
        &x,
        &y,
        &prior,
        base.classifier().intercepts()[0],
        &specs[kept..=kept],
        &pooled,
    )?
    .remove(0);
    // The base as it is keeps its own calibration, if it has one; every other candidate is
    // calibrated on its out-of-fold logits.
    let calibration = if specs[kept].as_is {
        base.calibration().cloned()
    } else {
        Some(calibration_info(&oof[kept].z, &y, k, group_by))
    };
    let report = AdaptReport {
        candidates: table.clone(),
        chosen: kept,
        folds: k,
        group_by,
        new_terms,
        notes: plan.notes.clone(),
    };
    let adaptation = Adaptation {
        base_sha256: base_sha256.to_string(),
        sample_sha256: corpus_sha256(docs),
        sample_documents: docs.len(),
        base_data_sha256: (!base_data.is_empty()).then(|| corpus_sha256(base_data)),
        base_data_documents: (!base_data.is_empty()).then_some(base_data.len()),
        new_features: adapted.new_features.clone(),
        chosen: specs[kept].name(),
        folds: k,
        group_by: group_by.to_string(),
        seed: params.seed,
        rule: "highest out-of-fold AUC; ties to the lower log loss, then nearer the base (the base as it is or recalibrated by macro-F1)".into(),
        candidates: table,
    };
    let mut model = assemble(base, docs, adapted, fitted, &specs[kept], params)?;
    if let Some(c) = calibration {
        model = model.with_calibration(c)?;
    }
    let model = if specs[kept].as_is {
        model.with_uncertainty(*base.uncertainty())?
    } else {
        with_sample_policy(model, base, &texts)?
    };
    let model = model.with_adaptation(adaptation)?;
    Ok((model, report))
}

/// Platt scaling on the kept candidate's out-of-fold logits.
fn calibration_info(z: &[f64], y: &[usize], k: usize, group_by: GroupBy) -> CalibrationInfo {
    let positive: Vec<bool> = y.iter().map(|&l| l == 1).collect();
    let map = monotone_platt(z, &positive);
    let raw: Vec<Vec<f64>> = z
        .iter()
        .map(|&v| {
            let p = crate::model::objective::sigmoid(v);
            vec![1.0 - p, p]
        })
        .collect();
    let calibrated: Vec<Vec<f64>> = z.iter().map(|&v| map.apply(&[v])).collect();
    CalibrationInfo {
        folds: k,
        group_by: group_by.to_string(),
        ece_before: ece(y, &raw),
        ece_after: ece(y, &calibrated),
        map,
    }
}

/// The adapted model from its fitted parts, with the base's surface forms.
fn assemble(
    base: &Model,
    docs: &[Document],
    adapted: Adapted,
    fitted: Fitted,
    spec: &Spec,
    params: &AdaptParams,
) -> Result<Model, AdaptError> {
    let classifier = LinearModel::new(
        base.labels().to_vec(),
        vec![fitted.weights],
        vec![fitted.intercept],
    )?;
    let mut per_label = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for d in docs {
        *per_label
            .entry(d.label.clone().unwrap_or_default())
            .or_insert(0) += 1;
        *sources
            .entry(d.source.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    let training = TrainingSummary {
        documents: docs.len(),
        per_label,
        sources,
        data_sha256: corpus_sha256(docs),
        logistic: LogisticParams {
            alpha: spec.alpha,
            ..LogisticParams::default()
        },
        seed: params.seed,
        passage_words: 0,
        rows: docs.len(),
        iterations: fitted.report.iterations,
        final_loss: fitted.report.final_loss,
        converged: fitted.report.converged,
        gradient_norm: Some(fitted.report.gradient_norm),
    };
    let surface_forms = base
        .surface_forms
        .iter()
        .filter(|(t, _)| adapted.featurizer.vocabulary().get(t).is_some())
        .map(|(t, s)| (t.clone(), s.clone()))
        .collect();
    Ok(Model::new(adapted.featurizer, classifier, training)?.with_surface_forms(surface_forms))
}

/// The model with the base's uncertainty band and length cooling, and its signal and
/// known-term floors at the 10th percentile of the sample's evidence under the new model.
fn with_sample_policy(model: Model, base: &Model, texts: &[&str]) -> Result<Model, AdaptError> {
    let evidence: Vec<_> = texts
        .par_iter()
        .map(|t| model.predict(t).evidence)
        .collect();
    let base_policy = base.uncertainty();
    let policy = UncertaintyPolicy {
        prior_tokens: base_policy.prior_tokens,
        ..UncertaintyPolicy::from_training_evidence(&evidence, base_policy.band)
    };
    Ok(model.with_uncertainty(policy)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::corpus::{read_labelled, FieldNames};
    use crate::model::default_model::default_model;

    /// A model of the sample's own features (what a kept `sample-A` candidate becomes) has no
    /// adapted block, saves and loads, and scores as it was fitted.
    #[test]
    fn a_sample_alone_model_on_its_own_features_saves_and_scores_as_fitted() {
        let base = default_model().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples.jsonl");
        let docs = read_labelled(&path, &FieldNames::default()).unwrap();
        let params = AdaptParams::default();
        let y = check(&base, &docs, &params).unwrap();
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        let spec = Spec {
            strength: Some(0.0),
            alpha: 1.0,
            as_is: false,
            pooled: None,
            own: true,
        };
        let own = own_featurizer(base.featurizer(), &texts).unwrap();
        assert!(own.new_features.is_empty() && own.base_feature.iter().all(Option::is_none));
        let x = own.featurizer.transform_many(&texts);
        let prior = own.spread(&base.classifier().weights()[0]);
        assert!(
            prior.iter().all(|&w| w == 0.0),
            "no prior on the sample's own features"
        );
        let fitted = fit::fit(&x, &y, &prior, 0.0, spec).unwrap();
        let z = fitted.logits(&x);
        let model = assemble(&base, &docs, own, fitted, &spec, &params).unwrap();
        let loaded = Model::from_json(&model.to_json().unwrap(), &path).unwrap();
        for (t, &zi) in texts.iter().zip(&z) {
            let again = loaded
                .classifier()
                .logits(&loaded.featurizer().transform(t))[0];
            assert!((again - zi).abs() < 1e-9, "{again} against {zi}");
        }
        let right = (0..y.len())
            .filter(|&i| (z[i] > 0.0) == (y[i] == 1))
            .count();
        assert!(
            right >= 44,
            "{right} of 48 training texts on the right side"
        );
    }
}
