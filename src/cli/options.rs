//! Training options shared by every command that trains (`train`, `cv`), named as a
//! scikit-learn user would expect, and the parsers of option values that more than one command
//! takes. Every value is parsed by clap (a `ValueEnum` or a `value_parser`), so a bad one is a
//! usage error (exit code 2) that names the option, the value and what was expected.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use stance::features::vocabulary::DocFreq;

use stance::eval::folds::GroupBy;
use stance::features::ngrams::NgramRange;
use stance::io::corpus::{read_labelled, Document, FieldNames};
use stance::model::logistic::{ClassWeight, LogisticParams, Penalty};
use stance::text::language::Language;
use stance::text::mask::MaskRules;
use stance::text::stopwords::StopWords;
use stance::text::tokenize::NumberPolicy;
use stance::train::{CalibrationParams, CheckedTrainParams, TrainParams};
use stance::ParamError;

/// How cross-validation folds are grouped (`--group-by`, `--calibration-group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Grouping {
    /// Stratified random folds.
    #[value(alias = "random")]
    None,
    /// Each outlet wholly inside one fold.
    #[value(alias = "outlet")]
    Source,
    /// Each calendar month wholly inside one fold.
    Month,
}

impl From<Grouping> for GroupBy {
    fn from(g: Grouping) -> GroupBy {
        match g {
            Grouping::None => GroupBy::None,
            Grouping::Source => GroupBy::Source,
            Grouping::Month => GroupBy::Month,
        }
    }
}

/// What happens to tokens without a letter (`--numbers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Numbers {
    /// Remove them.
    Drop,
    /// Keep them as they are.
    Keep,
    /// Replace each by the single term `0`.
    Placeholder,
}

impl From<Numbers> for NumberPolicy {
    fn from(n: Numbers) -> NumberPolicy {
        match n {
            Numbers::Drop => NumberPolicy::Drop,
            Numbers::Keep => NumberPolicy::Keep,
            Numbers::Placeholder => NumberPolicy::Placeholder,
        }
    }
}

/// The Snowball stemming language (`--language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Stemmer {
    #[value(alias = "en")]
    English,
    #[value(alias = "ru")]
    Russian,
}

impl From<Stemmer> for Language {
    fn from(s: Stemmer) -> Language {
        match s {
            Stemmer::English => Language::English,
            Stemmer::Russian => Language::Russian,
        }
    }
}

/// `--ngram-range`: `MIN..MAX` or `MIN,MAX` (also `MIN..=MAX`, `MIN-MAX`, or one `N` for N..N).
pub fn ngram_range(s: &str) -> Result<NgramRange, ParamError> {
    s.parse()
}

/// `--min-df`: a document count (2) or a fraction of documents (0.001).
fn min_df(s: &str) -> Result<DocFreq, ParamError> {
    s.parse().map_err(|()| ParamError::MinDf(s.to_string()))
}

/// `--max-df`: a document count or a fraction of documents.
fn max_df(s: &str) -> Result<DocFreq, ParamError> {
    s.parse().map_err(|()| ParamError::MaxDf(s.to_string()))
}

/// `--mask-rule NAME=REGEX`; the pattern is compiled (and refused by name) later.
fn mask_rule(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, pattern)) => Ok((name.to_string(), pattern.to_string())),
        None => Err(format!("expected NAME=REGEX, got {s:?}")),
    }
}

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
    /// Cell delimiter of CSV/TSV data (one ASCII character, `tab` or `\t` for a tab): `;` for
    /// a European spreadsheet export. Default: `,` for .csv, tab for .tsv.
    #[arg(long, value_name = "CHAR", value_parser = super::records::delimiter)]
    pub delimiter: Option<u8>,
}

impl DataArgs {
    /// The field names given.
    pub fn fields(&self) -> FieldNames {
        FieldNames {
            text: self.text_field.clone(),
            label: self.label_field.clone(),
            id: self.id_field.clone(),
            source: self.source_field.clone(),
            date: self.date_field.clone(),
            delimiter: self.delimiter,
            ..FieldNames::default()
        }
    }

    /// Reads every --data source, in order.
    pub fn read(&self) -> anyhow::Result<Vec<Document>> {
        let fields = self.fields();
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
    #[arg(long, default_value = "2", value_parser = min_df)]
    pub min_df: DocFreq,
    /// Ignore terms in more documents: a count or a fraction (1.0 keeps all).
    #[arg(long, default_value = "1.0", value_parser = max_df)]
    pub max_df: DocFreq,
    /// Keep only the N terms with the highest document frequency.
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Keep only terms used by at least N distinct sources (outlets).
    #[arg(long, default_value_t = 1)]
    pub min_sources: usize,
    /// Word n-gram range, MIN..MAX or MIN,MAX: 1..2 and 1,2 both mean unigrams and bigrams.
    #[arg(long, default_value = "1..2", value_parser = ngram_range)]
    pub ngram_range: NgramRange,
    /// Penalty strength (alpha = 1/C).
    #[arg(long, conflicts_with = "c", allow_negative_numbers = true)]
    pub alpha: Option<f64>,
    /// Penalty on the weights (never the intercept): l2, l1 (sparse: most weights exactly
    /// zero) or elasticnet (l1_ratio * L1 + (1 - l1_ratio) * L2).
    #[arg(long, default_value = "l2")]
    pub penalty: Penalty,
    /// The L1 share of the elastic-net penalty, in [0, 1] (default 0.5).
    #[arg(long, allow_negative_numbers = true)]
    pub l1_ratio: Option<f64>,
    /// Inverse regularisation strength, as scikit-learn's C (C = 1/alpha).
    #[arg(long, allow_negative_numbers = true)]
    pub c: Option<f64>,
    /// Keep stop words (the default drops scikit-learn's English list).
    #[arg(long)]
    pub no_stop_words: bool,
    /// A file of stop words, one per line, instead of the built-in list.
    #[arg(long, conflicts_with = "no_stop_words")]
    pub stop_words: Option<PathBuf>,
    /// Snowball stemming language.
    #[arg(long, value_enum, default_value = "english", ignore_case = true)]
    language: Stemmer,
    /// Do not stem.
    #[arg(long)]
    pub no_stem: bool,
    /// Tokens without a letter (numbers).
    #[arg(long, value_enum, default_value = "drop")]
    numbers: Numbers,
    /// Use raw term counts instead of 1 + ln(tf).
    #[arg(long)]
    pub no_sublinear_tf: bool,
    /// Weight every document equally instead of balancing the labels.
    #[arg(long)]
    pub no_balanced: bool,
    /// Optimiser iteration limit (L-BFGS, or OWL-QN for l1 and elasticnet).
    #[arg(long, default_value_t = 500)]
    pub max_iter: u64,
    /// Stop when the L2 norm of the objective's gradient (pseudo-gradient under L1) is below
    /// this; the model records the norm reached and whether it got there.
    #[arg(long, default_value_t = 1e-4)]
    pub tol: f64,
    /// Turn off every masking rule.
    #[arg(long)]
    pub no_mask: bool,
    /// Also mask this outlet name (repeatable).
    #[arg(long, value_name = "NAME")]
    pub mask_outlet: Vec<String>,
    /// Also mask matches of a regular expression, given as NAME=REGEX (repeatable).
    #[arg(long, value_name = "NAME=REGEX", value_parser = mask_rule)]
    pub mask_rule: Vec<(String, String)>,
    /// Drop the built-in masking rule with this name (repeatable).
    #[arg(long, value_name = "NAME")]
    pub unmask: Vec<String>,
    /// Train on passages of at least N words (whole paragraphs) instead of whole documents, so
    /// that document length cannot stand in for the label; 0 trains on whole documents.
    #[arg(long, visible_alias = "passage-words", default_value_t = 0)]
    pub chunk_words: usize,
    /// With --penalty l1 or elasticnet, keep the whole vocabulary instead of only the weighted
    /// terms (by default the model is fitted again on the weighted terms alone, which makes
    /// the file kilobytes instead of megabytes).
    #[arg(long)]
    pub keep_unweighted_terms: bool,
    /// Cool scores by length: a text of N tokens keeps N / (N + PRIOR) of its logit, so one
    /// word cannot score like a whole article; 0 turns it off (a text with no weighted term
    /// is neutral regardless).
    #[arg(long, default_value_t = stance::model::evidence::DEFAULT_PRIOR_TOKENS)]
    pub prior_tokens: f64,
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
        v.min_df = self.min_df;
        v.max_df = self.max_df;
        v.max_features = self.max_features;
        v.min_sources = self.min_sources;
        p.featurizer.ngram_range = self.ngram_range;
        let t = &mut p.featurizer.tokenizer;
        t.language = self.language.into();
        t.stem = !self.no_stem;
        t.numbers = self.numbers.into();
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
        for (name, pattern) in &self.mask_rule {
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
            penalty: self.penalty,
            l1_ratio: self.l1_ratio,
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
        p.keep_unweighted_terms = self.keep_unweighted_terms;
        p.prior_tokens = Some(self.prior_tokens);
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
