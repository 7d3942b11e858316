//! Training options shared by every command that trains (`train`, `cv`), named as a
//! scikit-learn user would expect, and the parsers of option values that more than one command
//! takes. Every value is parsed by clap (a `ValueEnum` or a `value_parser`), so a bad one is a
//! usage error (exit code 2) that names the option, the value and what was expected.
//!
//! `--preset NAME` stands for a list of flags (the default model's settings, or scikit-learn's
//! defaults). It is applied by parsing that list with the same parser, and every option the
//! command line gives explicitly (clap's `ValueSource::CommandLine`) is taken from the command
//! line instead: explicit flags beat the preset, the preset beats the defaults.

use std::path::PathBuf;

use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches, ValueEnum};
use stance::features::vocabulary::DocFreq;

use stance::eval::folds::GroupBy;
use stance::features::ngrams::NgramRange;
use stance::io::corpus::{read_labelled, Document, FieldNames};
use stance::model::evidence::UncertaintyPolicy;
use stance::model::logistic::{ClassWeight, LogisticParams, Penalty, Solver};
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

/// `train`'s calibration options (`--calibrate` and its cross-validation), shared with the
/// Python binding so that both take the same names and defaults.
#[derive(Debug, Clone, Args)]
pub struct CalibrationArgs {
    /// Fit Platt (or temperature) scaling on out-of-fold predictions of a grouped
    /// cross-validation and store it, so that scores are calibrated probabilities.
    #[arg(long)]
    calibrate: bool,
    /// Folds of the calibration cross-validation.
    #[arg(long, default_value_t = 5, requires = "calibrate")]
    calibration_folds: usize,
    /// Grouping of the calibration cross-validation: source, month or none.
    #[arg(long, value_enum, default_value = "source", requires = "calibrate")]
    calibration_group_by: Grouping,
    /// Seed of the calibration cross-validation's fold assignment, recorded in the model as
    /// its seed (training itself is deterministic and uses none).
    #[arg(long, default_value_t = 0, requires = "calibrate")]
    calibration_seed: u64,
}

impl CalibrationArgs {
    /// The calibration asked for, if any.
    pub fn params(&self) -> Option<CalibrationParams> {
        self.calibrate.then_some(CalibrationParams {
            folds: self.calibration_folds,
            group_by: self.calibration_group_by.into(),
        })
    }

    /// The seed of the calibration's folds, recorded in the model.
    pub fn seed(&self) -> u64 {
        self.calibration_seed
    }
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

    /// Reads every --data source, in order, one list of documents per source.
    pub fn read_each(&self) -> anyhow::Result<Vec<Vec<Document>>> {
        let fields = self.fields();
        self.data
            .iter()
            .map(|path| read_labelled(path, &fields).context("reading training data"))
            .collect()
    }
}

/// The flags `--preset default` stands for: the settings of the project's default model
/// (models/model-card.md), as `scripts/train-default.sh` trains it. A macro, so that the help
/// text and the preset are one string.
macro_rules! default_preset {
    () => {
        "--penalty l1 --solver owlqn --alpha 0.033333 --max-iter 3000 --no-stem --ngram-range 1..2 \
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

/// A named set of training options (`--preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
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

impl Preset {
    /// The name `--preset` takes.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Textbook => "textbook",
        }
    }

    /// The command-line flags the preset stands for.
    pub fn flags(self) -> &'static str {
        match self {
            Preset::Default => default_preset!(),
            Preset::Textbook => textbook_preset!(),
        }
    }
}

/// The stop-word list of the default model, embedded so that `--stop-words newsroom` (and
/// `--preset default`) works from any directory.
const NEWSROOM_STOP_WORDS: &str = include_str!("../../data/stopwords-newsroom.txt");

/// `--stop-words`: a built-in list by name, or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopWordList {
    English,
    Newsroom,
    None,
    File(PathBuf),
}

/// Built-in names win over files of the same name; `./english` names the file.
fn stop_word_list(s: &str) -> Result<StopWordList, String> {
    Ok(match s {
        "english" => StopWordList::English,
        "newsroom" => StopWordList::Newsroom,
        "none" => StopWordList::None,
        "" => return Err("expected english, newsroom, none or a file".to_string()),
        path => StopWordList::File(PathBuf::from(path)),
    })
}

/// A stop-word file's words: one per line, lower-cased, sorted, without blank lines and
/// `#` comments.
fn parse_stop_words(text: &str) -> StopWords {
    StopWords::Custom(
        text.lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    )
}

/// Featurizer and classifier options, as given on the command line (before a preset).
#[derive(Debug, Clone, Args)]
struct RawTrainOptions {
    /// Start from a named set of options. Flags given on the command line override the
    /// preset's values wherever they stand; the preset overrides the defaults shown here.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Ignore terms in fewer documents: a count (2) or a fraction of documents (0.001).
    #[arg(long, default_value = "2", value_parser = min_df)]
    min_df: DocFreq,
    /// Ignore terms in more documents: a count or a fraction (1.0 keeps all).
    #[arg(long, default_value = "1.0", value_parser = max_df)]
    max_df: DocFreq,
    /// Keep only the N terms with the highest document frequency [default: all terms].
    #[arg(long)]
    max_features: Option<usize>,
    /// Keep only terms used by at least N distinct sources (outlets).
    #[arg(long, default_value_t = 1)]
    min_sources: usize,
    /// Word n-gram range, MIN..MAX or MIN,MAX: 1..2 and 1,2 both mean unigrams and bigrams;
    /// one N means N..N.
    #[arg(long, default_value = "1..2", value_parser = ngram_range)]
    ngram_range: NgramRange,
    /// Penalty strength (alpha = 1/C).
    #[arg(
        long,
        default_value_t = 1.0,
        conflicts_with = "c",
        allow_negative_numbers = true
    )]
    alpha: f64,
    /// Penalty on the weights (never the intercept): l2, l1 (sparse: most weights exactly
    /// zero) or elasticnet (l1_ratio * L1 + (1 - l1_ratio) * L2).
    #[arg(long, default_value = "l2")]
    penalty: Penalty,
    /// The L1 share of the elastic-net penalty, in [0, 1] [default: 0.5].
    #[arg(long, allow_negative_numbers = true)]
    l1_ratio: Option<f64>,
    /// The optimiser for l1 and elasticnet: cd (coordinate descent, liblinear's method) or
    /// owlqn (the reference) [default: cd]. l2 always uses L-BFGS and takes none.
    #[arg(long)]
    solver: Option<Solver>,
    /// Inverse regularisation strength, as scikit-learn's C (C = 1/alpha) [default: 1].
    #[arg(long, allow_negative_numbers = true)]
    c: Option<f64>,
    /// Stop words to drop: english (scikit-learn's list), newsroom (english plus reporting
    /// verbs, wire words and outlet names: data/stopwords-newsroom.txt, built in), none, or a
    /// file of words, one per line ('#' starts a comment; ./english for a file so named).
    #[arg(
        long,
        value_name = "LIST|PATH",
        default_value = "english",
        value_parser = stop_word_list,
        overrides_with = "no_stop_words"
    )]
    stop_words: StopWordList,
    /// Keep stop words: --stop-words none.
    #[arg(long, overrides_with = "stop_words")]
    no_stop_words: bool,
    /// Snowball stemming language.
    #[arg(long, value_enum, default_value = "english", ignore_case = true)]
    language: Stemmer,
    /// Stem (the default; undoes a preset's --no-stem).
    #[arg(long, overrides_with = "no_stem")]
    stem: bool,
    /// Do not stem.
    #[arg(long, overrides_with = "stem")]
    no_stem: bool,
    /// Tokens without a letter (numbers).
    #[arg(long, value_enum, default_value = "drop")]
    numbers: Numbers,
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
    /// Optimiser iteration limit (L-BFGS, or OWL-QN for l1 and elasticnet).
    #[arg(long, default_value_t = 500)]
    max_iter: u64,
    /// Stop when the L2 norm of the objective's gradient (pseudo-gradient under L1) is below
    /// this; the model records the norm reached and whether it got there.
    #[arg(long, default_value_t = 1e-4)]
    tol: f64,
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
    /// Train on passages of at least N words (whole paragraphs) instead of whole documents, so
    /// that document length cannot stand in for the label; 0 trains on whole documents.
    #[arg(long, visible_alias = "passage-words", default_value_t = 0)]
    chunk_words: usize,
    /// With --penalty l1 or elasticnet, keep the whole vocabulary instead of only the weighted
    /// terms (by default the model is fitted again on the weighted terms alone, which makes
    /// the file kilobytes instead of megabytes).
    #[arg(long, overrides_with = "drop_unweighted_terms")]
    keep_unweighted_terms: bool,
    /// Keep only the weighted terms of a sparse model (the default; undoes a preset's
    /// --keep-unweighted-terms).
    #[arg(long, overrides_with = "keep_unweighted_terms")]
    drop_unweighted_terms: bool,
    /// Cool scores by length: a text of N tokens keeps N / (N + PRIOR) of its logit, so one
    /// word cannot score like a whole article; 0 turns it off (a text with no weighted term
    /// is neutral regardless).
    #[arg(long, default_value_t = stance::model::evidence::DEFAULT_PRIOR_TOKENS)]
    prior_tokens: f64,
    /// Removed: the trainer is deterministic and never used it.
    #[arg(long, hide = true, value_name = "SEED")]
    seed: Option<String>,
    /// Refuse labels that differ only in case or surrounding whitespace (`pro`, `Pro`) instead
    /// of warning and training them as separate labels.
    #[arg(long)]
    strict_labels: bool,
}

/// Options that a command line sets together: when it sets one of them, the preset sets none.
const OPTION_GROUPS: &[&[&str]] = &[
    &["alpha", "c"],
    &["stop_words", "no_stop_words"],
    &["stem", "no_stem"],
    &["sublinear_tf", "no_sublinear_tf"],
    &["balanced", "no_balanced"],
    &["keep_unweighted_terms", "drop_unweighted_terms"],
];

/// Featurizer and classifier options: the command line's, over its `--preset`'s, over the
/// defaults.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    options: RawTrainOptions,
}

impl TrainOptions {
    /// The preset's options with the command line's explicit ones on top. A preset is parsed
    /// as the flags it stands for, so it cannot mean anything the flags do not.
    fn resolve(user: RawTrainOptions, explicit: &[String]) -> Result<RawTrainOptions, clap::Error> {
        if user.seed.is_some() {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::UnknownArgument,
                "--seed was removed: training is deterministic and never used it. \
                 train --calibrate seeds its folds with --calibration-seed, and cv its folds \
                 with --cv-seed",
            ));
        }
        let Some(preset) = user.preset else {
            return Ok(user);
        };
        let command =
            RawTrainOptions::augment_args(clap::Command::new("preset")).no_binary_name(true);
        let mut matches = command.try_get_matches_from(preset.flags().split_whitespace())?;
        let mut merged = RawTrainOptions::from_arg_matches_mut(&mut matches)?;
        let given = |id: &str| {
            let group = OPTION_GROUPS
                .iter()
                .find(|g| g.contains(&id))
                .copied()
                .unwrap_or(std::slice::from_ref(&id));
            group.iter().any(|g| explicit.iter().any(|e| e == g))
        };
        macro_rules! take_given {
            ($($field:ident),* $(,)?) => {
                $(if given(stringify!($field)) {
                    merged.$field = user.$field.clone();
                })*
            };
        }
        take_given!(
            min_df,
            max_df,
            max_features,
            min_sources,
            ngram_range,
            alpha,
            penalty,
            l1_ratio,
            c,
            stop_words,
            no_stop_words,
            language,
            stem,
            no_stem,
            numbers,
            sublinear_tf,
            no_sublinear_tf,
            balanced,
            no_balanced,
            max_iter,
            tol,
            no_mask,
            mask_outlet,
            mask_rule,
            unmask,
            chunk_words,
            keep_unweighted_terms,
            drop_unweighted_terms,
            prior_tokens,
            strict_labels,
        );
        merged.preset = Some(preset);
        Ok(merged)
    }

    /// Whether labels that differ only in case or whitespace are refused (`--strict-labels`).
    pub fn strict_labels(&self) -> bool {
        self.options.strict_labels
    }

    /// The preset named, if any.
    pub fn preset(&self) -> Option<Preset> {
        self.options.preset
    }

    /// Turns the options into checked training parameters, without calibration.
    pub fn params(&self) -> anyhow::Result<CheckedTrainParams> {
        self.params_with(None, 0)
    }

    /// Turns the options, a calibration and the seed of its folds into checked training
    /// parameters.
    pub fn params_with(
        &self,
        calibration: Option<CalibrationParams>,
        seed: u64,
    ) -> anyhow::Result<CheckedTrainParams> {
        let o = &self.options;
        let mut p = TrainParams::default();
        let v = &mut p.featurizer.vocabulary;
        v.min_df = o.min_df;
        v.max_df = o.max_df;
        v.max_features = o.max_features;
        v.min_sources = o.min_sources;
        p.featurizer.ngram_range = o.ngram_range;
        let t = &mut p.featurizer.tokenizer;
        t.language = o.language.into();
        t.stem = !o.no_stem;
        t.numbers = o.numbers.into();
        t.stop_words = match (&o.stop_words, o.no_stop_words) {
            (_, true) | (StopWordList::None, _) => StopWords::None,
            (StopWordList::English, _) => StopWords::English,
            (StopWordList::Newsroom, _) => parse_stop_words(NEWSROOM_STOP_WORDS),
            (StopWordList::File(path), _) => parse_stop_words(
                &std::fs::read_to_string(path)
                    .with_context(|| format!("reading stop words {}", path.display()))?,
            ),
        };
        p.featurizer.tfidf.sublinear_tf = !o.no_sublinear_tf;
        let mut mask = if o.no_mask {
            MaskRules::none()
        } else {
            MaskRules::default_rules()
        };
        for name in &o.unmask {
            mask = mask.without(name);
        }
        for name in &o.mask_outlet {
            mask = mask.with_outlet(name);
        }
        for (name, pattern) in &o.mask_rule {
            mask = mask.with_rule(name, pattern);
        }
        p.featurizer.mask = mask;
        // clap refuses --alpha with --c, so a --c means the alpha is the default.
        let alpha = match o.c {
            Some(c) if c.is_finite() && c > 0.0 => 1.0 / c,
            Some(c) => return Err(ParamError::C(c).into()),
            None => o.alpha,
        };
        p.logistic = LogisticParams {
            alpha,
            penalty: o.penalty,
            l1_ratio: o.l1_ratio,
            solver: match o.penalty {
                Penalty::L2 => o.solver,
                // OWL-QN is what a file naming no solver used: it stays unnamed, so that
                // its models keep the bytes they had.
                Penalty::L1 | Penalty::ElasticNet => match o.solver.unwrap_or(Solver::Cd) {
                    Solver::Cd => Some(Solver::Cd),
                    Solver::Owlqn => None,
                },
            },
            max_iter: o.max_iter,
            tolerance: o.tol,
            class_weight: if o.no_balanced {
                ClassWeight::None
            } else {
                ClassWeight::Balanced
            },
        };
        p.seed = seed;
        p.passage_words = o.chunk_words;
        p.calibration = calibration;
        p.keep_unweighted_terms = o.keep_unweighted_terms;
        p.prior_tokens = Some(o.prior_tokens);
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

impl FromArgMatches for TrainOptions {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        // Read before the derived parser takes the values out.
        let explicit: Vec<String> = matches
            .ids()
            .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
            .map(|id| id.as_str().to_string())
            .collect();
        let user = RawTrainOptions::from_arg_matches_mut(matches)?;
        Ok(TrainOptions {
            options: Self::resolve(user, &explicit)?,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for TrainOptions {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        RawTrainOptions::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        RawTrainOptions::augment_args_for_update(cmd)
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
        let flags = Preset::Default
            .flags()
            .replace("--stop-words newsroom", &format!("--stop-words {newsroom}"));
        assert_eq!(params("--preset default"), params(&flags));
        assert_eq!(
            params("--preset textbook"),
            params(Preset::Textbook.flags())
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
