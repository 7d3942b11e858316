//! Training options shared by every command that trains (`train`, `cv`), named as a
//! scikit-learn user would expect, and the parsers of option values that more than one command
//! takes. Every value is parsed by clap (a `ValueEnum` or a `value_parser`), so a bad one is a
//! usage error (exit code 2) that names the option, the value and what was expected.
//!
//! The training options fill the library's `TrainOverrides` (each an `Option`: `None` when not
//! given), applied over `--preset NAME` (the library's `Preset`), or over the library's
//! defaults: explicit flags beat the preset, the preset beats the defaults. The help texts
//! show the defaults of `TrainParams::default()`, the one place they live.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use stance::eval::folds::GroupBy;
use stance::features::ngrams::NgramRange;
use stance::features::vocabulary::DocFreq;
use stance::io::corpus::{read_labelled, Document, FieldNames, MAX_TEXT_FIELDS};
use stance::io::date::{normalize_dates, BadDates, DateFormat};
use stance::model::evidence::{UncertaintyPolicy, DEFAULT_PRIOR_TOKENS};
use stance::model::logistic::{ClassWeight, Penalty, Solver, DEFAULT_L1_RATIO};
use stance::text::language::Language;
use stance::text::spelling::SpellingLists;
use stance::text::tokenize::NumberPolicy;
use stance::train::data::record_lines;
use stance::train::{
    CalibrationParams, CheckedTrainParams, Preset, StopWordList, TrainOverrides, TrainParams,
};
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

/// `--text-field`: one field, or up to [`MAX_TEXT_FIELDS`] comma-separated, none empty.
pub fn text_fields(s: &str) -> Result<String, String> {
    let names: Vec<&str> = s.split(',').map(str::trim).collect();
    if names.iter().any(|n| n.is_empty()) {
        return Err(format!(
            "expected field names separated by commas, got {s:?}"
        ));
    }
    if names.len() > MAX_TEXT_FIELDS {
        return Err(format!(
            "at most {MAX_TEXT_FIELDS} text fields are joined, got {}",
            names.len()
        ));
    }
    Ok(names.join(","))
}

/// `--delimiter`: one ASCII character, or `tab` / `\t`.
pub fn delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match s.as_bytes() {
            [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => Ok(*b),
            _ => Err(format!(
                "expected one ASCII character other than a quote or a newline (or `tab`), got {s:?}"
            )),
        },
    }
}

/// `train`'s calibration options (`--calibrate` and its cross-validation).
#[derive(Debug, Clone, Args)]
pub struct CalibrationArgs {
    /// Fit Platt (or temperature) scaling on out-of-fold predictions of a grouped
    /// cross-validation and store it, so that scores are calibrated probabilities.
    #[arg(long)]
    calibrate: bool,
    #[arg(long, requires = "calibrate", help = with_default(
        "Folds of the calibration cross-validation.",
        CalibrationParams::default().folds,
    ))]
    calibration_folds: Option<usize>,
    #[arg(long, value_enum, requires = "calibrate", help = with_default(
        "Grouping of the calibration cross-validation: source, month or none.",
        CalibrationParams::default().group_by,
    ))]
    calibration_group_by: Option<Grouping>,
    #[arg(long, requires = "calibrate", help = with_default(
        "Seed of the calibration cross-validation's fold assignment, recorded in the model as \
         its seed (training itself is deterministic and uses none).",
        TrainParams::default().seed,
    ))]
    calibration_seed: Option<u64>,
}

impl CalibrationArgs {
    /// Puts the calibration settings given into `overrides`.
    fn set(&self, overrides: &mut TrainOverrides) {
        overrides.calibrate = self.calibrate.then_some(true);
        overrides.calibration_folds = self.calibration_folds;
        overrides.calibration_group_by = self.calibration_group_by.map(GroupBy::from);
        overrides.calibration_seed = self.calibration_seed;
    }
}

/// A help text with the library's default appended, as clap shows a `default_value`: the
/// defaults live in `TrainParams::default()` alone, and the options are `Option`s so that a
/// preset is overridden only by the options given.
fn with_default(help: &str, default: impl std::fmt::Display) -> String {
    // Without the final period, as clap shows a doc comment.
    let help = help.strip_suffix('.').unwrap_or(help);
    format!("{help} [default: {default}]")
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
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Labelled data: JSON Lines, CSV/TSV with a header, or a folder of <label>/*.txt.
    /// Repeat for several files.
    #[arg(long = "data", required = true, value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Field (JSON key or CSV column) holding the text; several, comma-separated
    /// (`headline,body`, at most 4), are joined with a blank line.
    #[arg(long, default_value = "text", value_name = "NAME[,NAME]", value_parser = text_fields)]
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
    /// Field holding the date: ISO (2022-02-24, 2022-02 or a timestamp) unless
    /// --date-format says otherwise.
    #[arg(long, default_value = "date")]
    pub date_field: String,
    /// How the dates are written, strftime-style (`%d/%m/%Y` for 24/02/2022); ISO 8601 when
    /// not given. Dates that do not read are counted and named once per file.
    #[arg(long, value_name = "FMT")]
    pub date_format: Option<String>,
    /// Cell delimiter of CSV/TSV data (one ASCII character, `tab` or `\t` for a tab): `;` for
    /// a European spreadsheet export (default `,` for .csv, tab for .tsv).
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
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
        Ok(self.read_each()?.into_iter().flatten().collect())
    }

    /// Reads every --data source, in order, one list of documents per source; a file with
    /// dates that do not read is a warning, and those documents count as undated.
    pub fn read_each(&self) -> anyhow::Result<Vec<Vec<Document>>> {
        let files = self.read_dated()?;
        Ok(files
            .into_iter()
            .map(|mut file| {
                if let Some(message) = file.message() {
                    // This file is also built into the Python package, which has no `cli::warn`;
                    // a closed stderr is no reason to fail.
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "stance: warning: {message}; those documents count as undated"
                    );
                }
                file.undate();
                file.docs
            })
            .collect())
    }

    /// Reads every --data source, in order, with its dates read in `--date-format` (see
    /// [`DatedFile`]).
    pub fn read_dated(&self) -> anyhow::Result<Vec<DatedFile>> {
        let fields = self.fields();
        let format = DateFormat::from_option(self.date_format.as_deref())?;
        self.data
            .iter()
            .map(|path| {
                let mut docs = read_labelled(path, &fields).context("reading training data")?;
                let (mut tally, bad) = normalize_dates(&mut docs, &format, path);
                // The line of the first bad date, read again only when there is one.
                if let (Some(&first), Some((line, _))) = (bad.first(), tally.first.as_mut()) {
                    *line = record_lines(path, &fields).and_then(|l| l.get(first).copied());
                }
                Ok(DatedFile {
                    docs,
                    tally,
                    bad,
                    format: format.clone(),
                })
            })
            .collect()
    }
}

/// One --data file's documents, their dates rewritten as ISO where they read, and those that
/// did not.
pub struct DatedFile {
    pub docs: Vec<Document>,
    pub tally: BadDates,
    /// The documents whose date did not read.
    pub bad: Vec<usize>,
    format: DateFormat,
}

impl DatedFile {
    /// "28 of 30 dates in FILE are not YYYY-MM-DD, e.g. line 2: ...", if any date did not read.
    pub fn message(&self) -> Option<String> {
        self.tally.message(&self.format, "--date-format")
    }

    /// Drops the dates that did not read, so that those documents count as undated.
    pub fn undate(&mut self) {
        for &i in &self.bad {
            self.docs[i].date = None;
        }
    }
}

/// The flags `--preset default` stands for: the settings of the project's default model
/// (models/model-card.md), as `scripts/train-default.sh` trains it. A macro, so that the help
/// text and the preset are one string.
macro_rules! default_preset {
    () => {
        "--penalty l1 --alpha 0.033333 --max-iter 3000 --no-stem --ngram-range 1..2 \
         --stop-words newsroom --keep-unweighted-terms"
    };
}

/// The flags `--preset textbook` stands for: scikit-learn's `TfidfVectorizer()` and
/// `LogisticRegression()` defaults, as near as stance gets.
macro_rules! textbook_preset {
    () => {
        "--penalty l2 --alpha 1 --max-iter 100 --tol 0.0001 --ngram-range 1 --min-df 1 \
         --max-df 1.0 --stop-words none --no-stem --numbers keep --no-sublinear-tf --no-balanced"
    };
}

/// A named set of training options (`--preset`): the library's [`Preset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PresetName {
    /// The project's default model (models/default.json).
    #[value(help = concat!("The settings of the project's default model: ", default_preset!()))]
    Default,
    /// scikit-learn's TfidfVectorizer() + LogisticRegression() defaults, as near as stance gets
    /// (outlet masking and length cooling stay on: --no-mask, --prior-tokens 0 turn them off).
    #[value(help = concat!(
        "scikit-learn's TfidfVectorizer() + LogisticRegression() defaults, as near as stance \
         gets: ",
        textbook_preset!(),
        " (outlet masking and length cooling stay on; --no-mask and --prior-tokens 0 turn \
         them off)"
    ))]
    Textbook,
}

impl From<PresetName> for Preset {
    fn from(p: PresetName) -> Preset {
        match p {
            PresetName::Default => Preset::Default,
            PresetName::Textbook => Preset::Textbook,
        }
    }
}

/// The command-line flags a preset stands for (the unit tests check that they mean it).
pub fn preset_flags(preset: Preset) -> &'static str {
    match preset {
        Preset::Default => default_preset!(),
        Preset::Textbook => textbook_preset!(),
    }
}

/// `--stop-words`: a built-in list by name, or a file.
fn stop_word_list(s: &str) -> Result<StopWordList, String> {
    StopWordList::parse(s).ok_or_else(|| "expected english, newsroom, none or a file".to_string())
}

/// `--seed`, removed: refused with the seeds that exist.
fn removed_seed(_: &str) -> Result<String, String> {
    Err(
        "--seed was removed: training is deterministic and never used it. \
         train --calibrate seeds its folds with --calibration-seed, and cv its folds \
         with --cv-seed"
            .to_string(),
    )
}

/// The library's defaults, which the help texts show.
fn defaults() -> TrainParams {
    TrainParams::default()
}

/// The setting of a pair of flags that undo each other (`--stem`, `--no-stem`): clap keeps
/// only the last one given, so at most one is set.
fn flag_pair(yes: bool, no: bool) -> Option<bool> {
    (yes || no).then_some(yes)
}

/// Featurizer and classifier options: the command line's, over its `--preset`'s, over the
/// library's defaults (`TrainParams::default()`, shown in the help). Each is an `Option`, so
/// that only the options given override the preset.
#[derive(Debug, Clone, Args)]
pub struct TrainOptions {
    /// Start from a named set of options. Flags given on the command line override the
    /// preset's values wherever they stand; the preset overrides the defaults shown here.
    #[arg(long, value_enum)]
    preset: Option<PresetName>,
    #[arg(long, value_parser = min_df, help = with_default(
        "Ignore terms in fewer documents: a count (2) or a fraction of documents (0.001).",
        defaults().featurizer.vocabulary.min_df,
    ))]
    min_df: Option<DocFreq>,
    #[arg(long, value_parser = max_df, help = with_default(
        "Ignore terms in more documents: a count or a fraction (1.0 keeps all).",
        defaults().featurizer.vocabulary.max_df,
    ))]
    max_df: Option<DocFreq>,
    /// Keep only the N terms with the highest document frequency [default: all terms].
    #[arg(long)]
    max_features: Option<usize>,
    #[arg(long, help = with_default(
        "Keep only terms used by at least N distinct sources (outlets).",
        defaults().featurizer.vocabulary.min_sources,
    ))]
    min_sources: Option<usize>,
    #[arg(long, value_parser = ngram_range, help = with_default(
        "Word n-gram range, MIN..MAX or MIN,MAX: 1..2 and 1,2 both mean unigrams and bigrams; \
         one N means N..N.",
        defaults().featurizer.ngram_range,
    ))]
    ngram_range: Option<NgramRange>,
    #[arg(long, conflicts_with = "c", allow_negative_numbers = true, help = with_default(
        "Penalty strength (alpha = 1/C).",
        defaults().logistic.alpha,
    ))]
    alpha: Option<f64>,
    #[arg(long, help = with_default(
        "Penalty on the weights (never the intercept): l2, l1 (sparse: most weights exactly \
         zero) or elasticnet (l1_ratio * L1 + (1 - l1_ratio) * L2).",
        name_of(&defaults().logistic.penalty),
    ))]
    penalty: Option<Penalty>,
    #[arg(long, allow_negative_numbers = true, help = with_default(
        "The L1 share of the elastic-net penalty, in [0, 1].",
        DEFAULT_L1_RATIO,
    ))]
    l1_ratio: Option<f64>,
    /// The optimiser for l1 and elasticnet: cd (coordinate descent, liblinear's method) or
    /// owlqn (the reference) [default: cd].
    /// l2 always uses L-BFGS and takes none.
    #[arg(long)]
    solver: Option<Solver>,
    #[arg(long, allow_negative_numbers = true, help = with_default(
        "Inverse regularisation strength, as scikit-learn's C (C = 1/alpha).",
        1.0 / defaults().logistic.alpha,
    ))]
    c: Option<f64>,
    #[arg(
        long,
        value_name = "LIST|PATH",
        value_parser = stop_word_list,
        overrides_with = "no_stop_words",
        help = with_default(
            "Stop words to drop: english (scikit-learn's list), newsroom (english plus \
             reporting verbs, wire words and outlet names: data/stopwords-newsroom.txt, built \
             in), none, or a file of words, one per line ('#' starts a comment; ./english for \
             a file so named).",
            name_of(&defaults().featurizer.tokenizer.stop_words),
        )
    )]
    stop_words: Option<StopWordList>,
    /// Keep stop words: --stop-words none.
    #[arg(long, overrides_with = "stop_words")]
    no_stop_words: bool,
    #[arg(long, value_enum, ignore_case = true, help = with_default(
        "Snowball stemming language.",
        defaults().featurizer.tokenizer.language,
    ))]
    language: Option<Stemmer>,
    /// Stem (the default; undoes a preset's --no-stem).
    #[arg(long, overrides_with = "no_stem")]
    stem: bool,
    /// Do not stem.
    #[arg(long, overrides_with = "stem")]
    no_stem: bool,
    #[arg(long, value_enum, help = with_default(
        "Tokens without a letter (numbers).",
        name_of(&defaults().featurizer.tokenizer.numbers),
    ))]
    numbers: Option<Numbers>,
    /// Use 1 + ln(tf) for term counts (the default; undoes --no-sublinear-tf).
    #[arg(long, overrides_with = "no_sublinear_tf")]
    sublinear_tf: bool,
    /// Use raw term counts instead of 1 + ln(tf).
    #[arg(long, overrides_with = "sublinear_tf")]
    no_sublinear_tf: bool,
    /// Balance the labels' weights (the default; undoes --no-balanced).
    #[arg(long, overrides_with = "no_balanced")]
    balanced: bool,
    /// Weight every document equally instead of balancing the labels.
    #[arg(long, overrides_with = "balanced")]
    no_balanced: bool,
    #[arg(long, help = with_default(
        "Optimiser iteration limit (L-BFGS, or OWL-QN for l1 and elasticnet).",
        defaults().logistic.max_iter,
    ))]
    max_iter: Option<u64>,
    #[arg(long, help = with_default(
        "Stop when the L2 norm of the objective's gradient (pseudo-gradient under L1) is \
         below this; the model records the norm reached and whether it got there.",
        defaults().logistic.tolerance,
    ))]
    tol: Option<f64>,
    /// Turn off every masking rule.
    #[arg(long)]
    no_mask: bool,
    /// Also mask this outlet name (repeatable).
    #[arg(long, value_name = "NAME")]
    mask_outlet: Vec<String>,
    /// Also mask matches of a regular expression, given as NAME=REGEX (repeatable).
    #[arg(long, value_name = "NAME=REGEX", value_parser = mask_rule)]
    mask_rule: Vec<(String, String)>,
    /// Drop the built-in masking rule with this name (repeatable).
    #[arg(long, value_name = "NAME")]
    unmask: Vec<String>,
    #[arg(long, visible_alias = "passage-words", help = with_default(
        "Train on passages of at least N words (whole paragraphs) instead of whole \
         documents, so that document length cannot stand in for the label; 0 trains on whole \
         documents.",
        defaults().passage_words,
    ))]
    chunk_words: Option<usize>,
    /// With --penalty l1 or elasticnet, keep the whole vocabulary instead of only the weighted
    /// terms (by default the model is fitted again on the weighted terms alone, which makes
    /// the file kilobytes instead of megabytes).
    #[arg(long, overrides_with = "drop_unweighted_terms")]
    keep_unweighted_terms: bool,
    /// Keep only the weighted terms of a sparse model (the default; undoes a preset's
    /// --keep-unweighted-terms).
    #[arg(long, overrides_with = "keep_unweighted_terms")]
    drop_unweighted_terms: bool,
    #[arg(long, help = with_default(
        "Cool scores by length: a text of N tokens keeps N / (N + PRIOR) of its logit, so \
         one word cannot score like a whole article; 0 turns it off (a text with no weighted \
         term is neutral regardless).",
        defaults().prior_tokens.unwrap_or(DEFAULT_PRIOR_TOKENS),
    ))]
    prior_tokens: Option<f64>,
    /// Removed: the trainer is deterministic and never used it.
    #[arg(long, hide = true, value_name = "SEED", value_parser = removed_seed)]
    seed: Option<String>,
    /// Refuse labels that differ only in case or surrounding whitespace (`pro`, `Pro`) instead
    /// of warning and training them as separate labels.
    #[arg(long)]
    strict_labels: bool,
    #[arg(long, value_name = "LISTS", value_parser = spelling_lists, help = with_default(
        "One spelling for words written several ways, saved in the model: standard (British \
         to American spelling, and transliterations of Russian and Ukrainian names: \
         Sergey/Sergei), standard+places (also Kiev/Kyiv, Donbass/Donbas, other Ukrainian \
         places and Zelensky/Zelenskyy, a framing choice), or none.",
        defaults().featurizer.spelling.map_or("none", |s| s.lists.name()),
    ))]
    spelling: Option<SpellingLists>,
}

/// `--spelling`: a built-in set of lists by name.
fn spelling_lists(s: &str) -> Result<SpellingLists, String> {
    SpellingLists::from_name(s).map_err(|e| e.to_string())
}

/// A setting's name as the library spells it (its serde name): `english`, `drop`.
fn name_of(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

impl TrainOptions {
    /// The settings given on the command line, without a preset.
    pub fn overrides(&self) -> TrainOverrides {
        TrainOverrides {
            min_df: self.min_df,
            max_df: self.max_df,
            max_features: self.max_features,
            min_sources: self.min_sources,
            ngram_range: self.ngram_range,
            alpha: self.alpha,
            c: self.c,
            penalty: self.penalty,
            l1_ratio: self.l1_ratio,
            solver: self.solver,
            stop_words: match self.no_stop_words {
                true => Some(StopWordList::None),
                false => self.stop_words.clone(),
            },
            language: self.language.map(Language::from),
            stem: flag_pair(self.stem, self.no_stem),
            numbers: self.numbers.map(NumberPolicy::from),
            sublinear_tf: flag_pair(self.sublinear_tf, self.no_sublinear_tf),
            class_weight: flag_pair(self.balanced, self.no_balanced).map(|b| match b {
                true => ClassWeight::Balanced,
                false => ClassWeight::None,
            }),
            max_iter: self.max_iter,
            tol: self.tol,
            mask: self.no_mask.then_some(false),
            mask_outlet: self.mask_outlet.clone(),
            mask_rule: self.mask_rule.clone(),
            unmask: self.unmask.clone(),
            chunk_words: self.chunk_words,
            keep_unweighted_terms: flag_pair(
                self.keep_unweighted_terms,
                self.drop_unweighted_terms,
            ),
            prior_tokens: self.prior_tokens,
            spelling: self.spelling,
            calibrate: None,
            calibration_folds: None,
            calibration_group_by: None,
            calibration_seed: None,
        }
    }

    /// Whether labels that differ only in case or whitespace are refused (`--strict-labels`).
    pub fn strict_labels(&self) -> bool {
        self.strict_labels
    }

    /// The preset named, if any.
    pub fn preset(&self) -> Option<Preset> {
        self.preset.map(Preset::from)
    }

    /// Turns the options into checked training parameters, without calibration.
    pub fn params(&self) -> anyhow::Result<CheckedTrainParams> {
        self.checked(self.overrides())
    }

    /// Turns the options and the calibration options into checked training parameters.
    pub fn params_with(&self, calibration: &CalibrationArgs) -> anyhow::Result<CheckedTrainParams> {
        let mut overrides = self.overrides();
        calibration.set(&mut overrides);
        self.checked(overrides)
    }

    /// `overrides` over the preset (or the defaults), checked.
    fn checked(&self, overrides: TrainOverrides) -> anyhow::Result<CheckedTrainParams> {
        let base = self
            .preset()
            .map_or_else(TrainParams::default, TrainParams::preset);
        let params = overrides.apply(base)?;
        // The library checks; the messages for these two name the flags, as they always did.
        params.check().map_err(|e| match e {
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

/// The uncertainty overrides `stance score` and `stance report` share (`report` words their help
/// for records already scored).
#[derive(Debug, Clone, Args)]
pub struct UncertaintyArgs {
    /// Override the model's uncertainty band: a score whose top probability is within this of a
    /// coin toss is flagged uncertain.
    #[arg(long, value_name = "B")]
    pub uncertain_band: Option<f64>,
    /// Override the model's minimum signal: a text whose terms contribute less in total is
    /// flagged uncertain.
    #[arg(long, value_name = "S")]
    pub min_signal: Option<f64>,
    /// Override the model's minimum share of known terms (0 to 1): a text with a smaller share
    /// of its terms in the vocabulary is flagged uncertain; 0 turns the check off.
    #[arg(long, value_name = "K")]
    pub min_known: Option<f64>,
}

impl UncertaintyArgs {
    /// Whether any override was given.
    pub fn is_set(&self) -> bool {
        self.uncertain_band.is_some() || self.min_signal.is_some() || self.min_known.is_some()
    }

    /// `policy` with the given overrides, refused when the result is out of range.
    pub fn apply(&self, mut policy: UncertaintyPolicy) -> anyhow::Result<UncertaintyPolicy> {
        policy.band = self.uncertain_band.unwrap_or(policy.band);
        policy.min_signal = self.min_signal.unwrap_or(policy.min_signal);
        policy.min_known = self.min_known.unwrap_or(policy.min_known);
        if !policy.is_valid() {
            anyhow::bail!(
                "--uncertain-band must be in [0, 0.5), --min-signal finite and >= 0 and --min-known in [0, 1], got {}, {} and {}",
                policy.band,
                policy.min_signal,
                policy.min_known
            );
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use stance::text::stopwords::StopWords;

    #[test]
    fn delimiters() {
        assert_eq!(delimiter(";"), Ok(b';'));
        assert_eq!(delimiter("tab"), Ok(b'\t'));
        assert_eq!(delimiter("\\t"), Ok(b'\t'));
        assert!(delimiter(";;").is_err());
        assert!(delimiter("é").is_err());
        assert!(delimiter("\"").is_err());
    }

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        options: TrainOptions,
    }

    fn params(args: &str) -> TrainParams {
        let cmd = Cmd::try_parse_from(std::iter::once("t").chain(args.split_whitespace()))
            .unwrap_or_else(|e| panic!("{args}: {e}"));
        TrainParams::clone(&cmd.options.params().unwrap())
    }

    #[test]
    fn a_preset_is_the_flags_it_stands_for() {
        let newsroom = concat!(env!("CARGO_MANIFEST_DIR"), "/data/stopwords-newsroom.txt");
        let flags = preset_flags(Preset::Default)
            .replace("--stop-words newsroom", &format!("--stop-words {newsroom}"));
        assert_eq!(params("--preset default"), params(&flags));
        assert_eq!(
            params("--preset textbook"),
            params(preset_flags(Preset::Textbook))
        );
        assert_ne!(params("--preset default"), params(""));
        assert_ne!(params("--preset textbook"), params(""));
    }

    #[test]
    fn no_preset_keeps_the_library_defaults() {
        let expected = TrainParams {
            prior_tokens: Some(stance::model::evidence::DEFAULT_PRIOR_TOKENS),
            ..TrainParams::default()
        };
        assert_eq!(expected.logistic.alpha, 1.0);
        assert_eq!(params(""), expected);
    }

    #[test]
    fn explicit_flags_override_the_preset_wherever_they_stand() {
        for args in [
            "--preset default --alpha 0.5",
            "--alpha 0.5 --preset default",
        ] {
            let p = params(args);
            assert_eq!(p.logistic.alpha, 0.5, "{args}");
            assert_eq!(p.logistic.penalty, Penalty::L1, "{args}");
            assert!(!p.featurizer.tokenizer.stem, "{args}");
        }
        assert_eq!(params("--preset default --c 4").logistic.alpha, 0.25);
        assert!(params("--preset default --stem").featurizer.tokenizer.stem);
        assert_eq!(
            params("--preset default --stop-words english")
                .featurizer
                .tokenizer
                .stop_words,
            StopWords::English
        );
        assert_eq!(
            params("--preset default --no-stop-words")
                .featurizer
                .tokenizer
                .stop_words,
            StopWords::None
        );
        assert!(!params("--preset default --drop-unweighted-terms").keep_unweighted_terms);
        assert_eq!(
            params("--preset textbook --balanced").logistic.class_weight,
            ClassWeight::Balanced
        );
        assert!(
            params("--preset textbook --sublinear-tf")
                .featurizer
                .tfidf
                .sublinear_tf
        );
        // The last of a pair wins, as in ripgrep.
        assert!(!params("--stem --no-stem").featurizer.tokenizer.stem);
        assert!(params("--no-stem --stem").featurizer.tokenizer.stem);
    }

    #[test]
    fn seed_is_refused_with_the_seeds_that_exist() {
        let err = Cmd::try_parse_from(["t", "--seed", "3"]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("--calibration-seed") && msg.contains("--cv-seed"),
            "{msg}"
        );
    }
}
