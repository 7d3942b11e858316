//! Training options shared by every command that trains (`train` now, `cv` later), named as a
//! scikit-learn user would expect.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use stance::features::ngrams::NgramRange;
use stance::io::corpus::{read_labelled, Document, FieldNames};
use stance::model::logistic::{ClassWeight, LogisticParams};
use stance::text::language::Language;
use stance::text::mask::MaskRules;
use stance::text::stopwords::StopWords;
use stance::text::tokenize::NumberPolicy;
use stance::train::{CalibrationParams, CheckedTrainParams, TrainParams};
use stance::ParamError;

/// Where the labelled data is and how to read it.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Labelled data: JSON Lines, CSV/TSV with a header, or a folder of <label>/*.txt.
    /// Repeat for several files.
    #[arg(long = "data", required = true, value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Field (JSON key or CSV column) holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Field holding the label.
    #[arg(long, default_value = "label")]
    pub label_field: String,
    /// Field holding the document id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// Field holding the source (outlet), used by --min-sources and the training summary.
    #[arg(long, default_value = "source")]
    pub source_field: String,
    /// Field holding the date (YYYY-MM-DD).
    #[arg(long, default_value = "date")]
    pub date_field: String,
}

impl DataArgs {
    /// Reads every --data source, in order.
    pub fn read(&self) -> anyhow::Result<Vec<Document>> {
        let fields = FieldNames {
            text: self.text_field.clone(),
            label: self.label_field.clone(),
            id: self.id_field.clone(),
            source: self.source_field.clone(),
            date: self.date_field.clone(),
            ..FieldNames::default()
        };
        let mut docs = Vec::new();
        for path in &self.data {
            docs.extend(read_labelled(path, &fields).context("reading training data")?);
        }
        Ok(docs)
    }
}

/// Featurizer and classifier options.
#[derive(Debug, Args)]
pub struct TrainOptions {
    /// Ignore terms in fewer documents: a count (2) or a fraction of documents (0.001).
    #[arg(long, default_value = "2")]
    pub min_df: String,
    /// Ignore terms in more documents: a count or a fraction (1.0 keeps all).
    #[arg(long, default_value = "1.0")]
    pub max_df: String,
    /// Keep only the N terms with the highest document frequency.
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Keep only terms used by at least N distinct sources (outlets).
    #[arg(long, default_value_t = 1)]
    pub min_sources: usize,
    /// Word n-gram range, MIN..MAX.
    #[arg(long, default_value = "1..2")]
    pub ngram_range: String,
    /// L2 penalty (alpha = 1/C).
    #[arg(long, conflicts_with = "c", allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// Inverse regularisation strength, as scikit-learn's C (C = 1/alpha).
    #[arg(long, allow_negative_numbers = true)]
    pub c: Option<f64>,
    /// Keep stop words (the default drops scikit-learn's English list).
    #[arg(long)]
    pub no_stop_words: bool,
    /// A file of stop words, one per line, instead of the built-in list.
    #[arg(long, conflicts_with = "no_stop_words")]
    pub stop_words: Option<PathBuf>,
    /// Snowball stemming language: english or russian.
    #[arg(long, default_value = "english")]
    pub language: String,
    /// Do not stem.
    #[arg(long)]
    pub no_stem: bool,
    /// Numbers: drop, keep or placeholder.
    #[arg(long, default_value = "drop")]
    pub numbers: String,
    /// Use raw term counts instead of 1 + ln(tf).
    #[arg(long)]
    pub no_sublinear_tf: bool,
    /// Weight every document equally instead of balancing the labels.
    #[arg(long)]
    pub no_balanced: bool,
    /// L-BFGS iteration limit.
    #[arg(long, default_value_t = 500)]
    pub max_iter: u64,
    /// L-BFGS gradient-norm tolerance.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
    /// Turn off every masking rule.
    #[arg(long)]
    pub no_mask: bool,
    /// Also mask this outlet name (repeatable).
    #[arg(long, value_name = "NAME")]
    pub mask_outlet: Vec<String>,
    /// Also mask matches of a regular expression, given as NAME=REGEX (repeatable).
    #[arg(long, value_name = "NAME=REGEX")]
    pub mask_rule: Vec<String>,
    /// Drop the built-in masking rule with this name (repeatable).
    #[arg(long, value_name = "NAME")]
    pub unmask: Vec<String>,
    /// Train on passages of at least N words (whole paragraphs) instead of whole documents, so
    /// that document length cannot stand in for the label; 0 trains on whole documents.
    #[arg(long, visible_alias = "passage-words", default_value_t = 0)]
    pub chunk_words: usize,
    /// Seed, recorded in the model (the trainer is deterministic).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl TrainOptions {
    /// Turns the options into checked training parameters, without calibration.
    pub fn params(&self) -> anyhow::Result<CheckedTrainParams> {
        self.params_with(None)
    }

    /// Turns the options and a calibration into checked training parameters.
    pub fn params_with(
        &self,
        calibration: Option<CalibrationParams>,
    ) -> anyhow::Result<CheckedTrainParams> {
        let mut p = TrainParams::default();
        let v = &mut p.featurizer.vocabulary;
        v.min_df = self
            .min_df
            .parse()
            .map_err(|_| ParamError::MinDf(self.min_df.clone()))?;
        v.max_df = self
            .max_df
            .parse()
            .map_err(|_| ParamError::MaxDf(self.max_df.clone()))?;
        v.max_features = self.max_features;
        v.min_sources = self.min_sources;
        p.featurizer.ngram_range = self.ngram_range.parse::<NgramRange>()?;
        let t = &mut p.featurizer.tokenizer;
        t.language = self.language.parse::<Language>()?;
        t.stem = !self.no_stem;
        t.numbers = match self.numbers.as_str() {
            "drop" => NumberPolicy::Drop,
            "keep" => NumberPolicy::Keep,
            "placeholder" => NumberPolicy::Placeholder,
            other => bail!("--numbers must be drop, keep or placeholder, got {other:?}"),
        };
        t.stop_words = if self.no_stop_words {
            StopWords::None
        } else if let Some(path) = &self.stop_words {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading stop words {}", path.display()))?;
            StopWords::Custom(
                text.lines()
                    .map(|l| l.trim().to_lowercase())
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
            )
        } else {
            StopWords::English
        };
        p.featurizer.tfidf.sublinear_tf = !self.no_sublinear_tf;
        let mut mask = if self.no_mask {
            MaskRules::none()
        } else {
            MaskRules::default_rules()
        };
        for name in &self.unmask {
            mask = mask.without(name);
        }
        for name in &self.mask_outlet {
            mask = mask.with_outlet(name);
        }
        for rule in &self.mask_rule {
            let Some((name, pattern)) = rule.split_once('=') else {
                bail!("--mask-rule must be NAME=REGEX, got {rule:?}");
            };
            mask = mask.with_rule(name, pattern);
        }
        p.featurizer.mask = mask;
        let alpha = match (self.alpha, self.c) {
            (Some(a), _) => a,
            (None, Some(c)) if c.is_finite() && c > 0.0 => 1.0 / c,
            (None, Some(c)) => return Err(ParamError::C(c).into()),
            (None, None) => 1.0,
        };
        p.logistic = LogisticParams {
            alpha,
            max_iter: self.max_iter,
            tolerance: self.tol,
            class_weight: if self.no_balanced {
                ClassWeight::None
            } else {
                ClassWeight::Balanced
            },
        };
        p.seed = self.seed;
        p.passage_words = self.chunk_words;
        p.calibration = calibration;
        // The library checks; the messages for these two name the flags, as they always did.
        p.check().map_err(|e| match e {
            ParamError::DfRange { min, max } => {
                anyhow::anyhow!("--min-df {min} is above --max-df {max}")
            }
            ParamError::CalibrationFolds(n) => {
                anyhow::anyhow!("--calibration-folds must be at least 2, got {n}")
            }
            other => other.into(),
        })
    }
}
