//! The library's typed errors.
//!
//! Every error that a user can cause names what was wrong: the file and, for line formats, the
//! line; the parameter and the value that was refused. The binary adds context and maps these to
//! exit codes; the library never panics on user input.

use std::path::PathBuf;

/// A parameter value that was refused when a configuration was checked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    #[error("alpha must be finite and >= 0, got {0:?}")]
    Alpha(f64),
    #[error("C must be finite and > 0, got {0:?}")]
    C(f64),
    #[error("n-gram range must satisfy 1 <= min <= max <= 5, got {min}..{max}")]
    NgramRange { min: usize, max: usize },
    #[error("cannot parse n-gram range {0:?}: expected MIN..MAX such as 1..2")]
    NgramSyntax(String),
    #[error("min_df {0} is not a document count (>= 1) or a fraction in (0, 1]")]
    MinDf(String),
    #[error("max_df {0} is not a document count (>= 1) or a fraction in (0, 1]")]
    MaxDf(String),
    #[error("min_df {min} is above max_df {max}: no term can be kept")]
    DfRange { min: u64, max: u64 },
    #[error("calibration folds must be at least 2, got {0}")]
    CalibrationFolds(usize),
    #[error("max_features must be >= 1, got {0}")]
    MaxFeatures(usize),
    #[error("unknown penalty {0:?}; known: l2, l1, elasticnet")]
    Penalty(String),
    #[error("l1_ratio must be in [0, 1], got {0:?}")]
    L1Ratio(f64),
    #[error("prior_tokens must be finite and >= 0, got {0:?}")]
    PriorTokens(f64),
    #[error("l1_ratio applies to the elasticnet penalty only")]
    L1RatioWithout,
    #[error("unknown solver {0:?}; known: cd, owlqn")]
    Solver(String),
    #[error("a solver can be chosen for the l1 and elasticnet penalties only (l2 uses L-BFGS)")]
    SolverWithout,
    #[error("max_iter must be >= 1, got {0}")]
    MaxIter(u64),
    #[error("tolerance must be finite and > 0, got {0:?}")]
    Tolerance(f64),
    #[error("min_sources must be >= 1, got {0}")]
    MinSources(usize),
    #[error("masking rule {name:?} has an invalid pattern: {reason}")]
    MaskPattern { name: String, reason: String },
    #[error("unknown language {0:?}; known: english, russian")]
    Language(String),
    #[error("unknown spelling lists {0:?}; known: none, standard, standard+places")]
    SpellingLists(String),
    #[error("spelling map: {0}")]
    Spelling(String),
    #[error("unknown preset {0:?}; known: default, textbook")]
    Preset(String),
    #[error("alpha and C are the same setting (C = 1/alpha): give one")]
    AlphaAndC,
    #[error("keep_unweighted_terms applies to the l1 and elasticnet penalties only (an l2 model weighs every term)")]
    KeepUnweightedWithout,
    #[error("{0} applies only with calibrate")]
    NeedsCalibrate(&'static str),
    #[error("threads must be between 1 and {max} (4 per core, and at least {min}), got {got}")]
    Threads { got: i128, max: usize, min: usize },
}

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StanceError {
    #[error("document {document}: label {label:?} is not one of the model's labels ({})", known.join(", "))]
    UnknownLabel {
        document: String,
        label: String,
        known: Vec<String>,
    },
    // The I/O error is part of the message rather than a `source`, so that a printed error
    // chain does not repeat it.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: is a directory, expected a file")]
    IsDirectory { path: PathBuf },
    #[error("{path}:{line}: not valid UTF-8 text")]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{path}: the file is empty")]
    EmptyFile { path: PathBuf },
    #[error("{path}: the table has a header but no rows")]
    HeaderOnly { path: PathBuf },
    #[error("{path}:{line}: malformed JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{path}:{line}: missing or non-string field {field:?}{}",
        fields_hint(field, role, found)
    )]
    MissingField {
        path: PathBuf,
        line: usize,
        field: String,
        /// What the field holds (`text`, `label`), which is also its option's name.
        role: &'static str,
        /// The record's fields, to say what there is when the field is absent.
        found: Vec<String>,
    },
    #[error("{path}:{line}: {message}")]
    Csv {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },
    #[error("{path}:{line}: the line is longer than the {} MiB limit for one record", *limit >> 20)]
    LineTooLong {
        path: PathBuf,
        line: usize,
        limit: usize,
    },
    #[error("{path}: the text is larger than the {} MiB limit for one article", *limit >> 20)]
    TextTooLong { path: PathBuf, limit: usize },
    #[error("{path}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); stance reads UTF-8, convert it first (iconv -f UTF-16 -t UTF-8)")]
    Utf16 { path: PathBuf },
    #[error(
        "{path}:{line}: contains a NUL byte (a binary file, or UTF-16 without a byte-order mark?)"
    )]
    NulByte { path: PathBuf, line: usize },
    #[error("{}: the text is empty or only whitespace", at(path, *line))]
    EmptyText { path: PathBuf, line: Option<usize> },
    #[error("{path}:{line}: field {field:?} is empty")]
    EmptyField {
        path: PathBuf,
        line: usize,
        field: String,
    },
    #[error("{path}:{line}: field {field:?} must be a string, not {found}")]
    FieldType {
        path: PathBuf,
        line: usize,
        field: String,
        found: &'static str,
    },
    #[error("{path}:{line}: field {field:?} appears more than once")]
    DuplicateField {
        path: PathBuf,
        line: usize,
        field: String,
    },
    #[error("{path}:1: the header has no {column:?} column; columns found: {}; name the {role} column with `{role}_field`{}", column_list(found), delimiter_hint(found))]
    MissingColumn {
        path: PathBuf,
        column: String,
        /// What the column holds (`text`, `label`, `id`), which also names its parameter.
        role: &'static str,
        found: Vec<String>,
    },
    #[error("{path}: {} {field:?} to keep; {} found: {}", if *header { "the header has no column" } else { "no record has a field" }, if *header { "columns" } else { "fields" }, column_list(found))]
    NoKeptField {
        path: PathBuf,
        field: String,
        /// Whether `found` is a table's header (else the fields seen in any JSON record).
        header: bool,
        found: Vec<String>,
    },
    #[error("{path}:1: the header names the column {column:?} more than once")]
    DuplicateColumn { path: PathBuf, column: String },
    #[error("the training data holds no documents")]
    EmptyCorpus,
    #[error("training document {} has no label", document_name(*document, id.as_deref()))]
    MissingLabel { document: usize, id: Option<String> },
    #[error("the training matrix has {rows} rows but {labels} labels were given; there must be one label per row")]
    RowCountMismatch { rows: usize, labels: usize },
    #[error("the training data has a single label ({0:?}); at least two are needed")]
    SingleLabel(String),
    #[error("the training data has {found} distinct labels; at most {max} are supported (is the label field really a label, not an id?)")]
    TooManyLabels { found: usize, max: usize },
    #[error("no term survives the vocabulary filters (min_df, max_df, min_sources); loosen them")]
    EmptyVocabulary,
    #[error("alpha {alpha:?} leaves no term with a non-zero weight, so the model would score nothing; try a smaller alpha")]
    NoWeightedTerm { alpha: f64 },
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("{path}: not a stance model file: {message}")]
    ModelFormat { path: PathBuf, message: String },
    #[error("{path}: model format version {found} is not supported (this build reads versions {oldest} to {newest}); retrain the model with this version of stance")]
    ModelVersion {
        path: PathBuf,
        found: u64,
        oldest: u64,
        newest: u64,
    },
    #[error("{path}: inconsistent model file: {message}")]
    ModelInconsistent { path: PathBuf, message: String },
    #[error("the L-BFGS optimiser failed: {0}")]
    Optimizer(String),
    #[error("calibration: no cross-validation fold produced predictions to fit it on")]
    NoOutOfFoldPredictions,
    #[error("cannot encode the model as JSON: {0}")]
    ModelEncoding(String),
    #[error("not a valid model: {0}")]
    InvalidModel(String),
    #[error("{path}: not written: the run was interrupted")]
    Interrupted { path: PathBuf },
    #[error("{path}: is both {first} and {second}; give each output its own path")]
    SamePath {
        path: PathBuf,
        first: String,
        second: String,
    },
    #[error("{path}: {size} bytes is over the {} MiB limit for a model file", *limit >> 20)]
    ModelTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: not a regular file; a model is read from a file")]
    NotRegularFile { path: PathBuf },
}

/// `path:line`, or `path` when there is no line (a whole-file text).
fn at(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

/// The longest column name quoted in a message, in characters, and the most names listed: a
/// JSON Lines file read as CSV has its whole first line (up to 16 MiB) as one "column".
const QUOTED_CHARS: usize = 60;
const LISTED_COLUMNS: usize = 30;

/// Column names for a message, each cut to [`QUOTED_CHARS`], at most [`LISTED_COLUMNS`] of them.
fn column_list(found: &[String]) -> String {
    let mut names: Vec<String> = found
        .iter()
        .take(LISTED_COLUMNS)
        .map(|c| {
            if c.chars().count() > QUOTED_CHARS {
                let cut: String = c.chars().take(QUOTED_CHARS).collect();
                format!("{cut}… ({} bytes)", c.len())
            } else {
                c.clone()
            }
        })
        .collect();
    if found.len() > LISTED_COLUMNS {
        names.push(format!("and {} more", found.len() - LISTED_COLUMNS));
    }
    names.join(", ")
}

/// What a record has instead of a field it lacks, and the parameter that names another.
fn fields_hint(field: &str, role: &str, found: &[String]) -> String {
    if found.iter().any(|f| f == field) {
        return String::new();
    }
    let found = if found.is_empty() {
        "none".to_string()
    } else {
        found.join(", ")
    };
    format!("; the record's fields: {found}; name the {role} field with `{role}_field`")
}

/// A hint when a header read as one column looks split by another delimiter (a semicolon CSV
/// from a European spreadsheet, read with commas).
pub(crate) fn delimiter_hint(found: &[String]) -> String {
    let [only] = found else {
        return String::new();
    };
    [(';', ";"), ('\t', "tab"), ('|', "|"), (',', ",")]
        .iter()
        .find(|(c, _)| only.contains(*c))
        .map(|(_, name)| {
            format!(", or if the cells are separated by {name:?}, pass `delimiter` {name:?}")
        })
        .unwrap_or_default()
}

/// `3 ("ex-w-04")`, or `3` when the document has no id; documents count from 1.
fn document_name(index: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("{} ({id:?})", index + 1),
        None => (index + 1).to_string(),
    }
}

impl StanceError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        StanceError::Io {
            path: path.into(),
            error,
        }
    }

    /// Whether this error condemns one record of a line format (or one whole-file text) rather
    /// than the file it is in: the reader can go on to the next record.
    pub fn is_bad_record(&self) -> bool {
        matches!(
            self,
            StanceError::NotUtf8 { .. }
                | StanceError::Json { .. }
                | StanceError::MissingField { .. }
                | StanceError::Csv { .. }
                | StanceError::LineTooLong { .. }
                | StanceError::TextTooLong { .. }
                | StanceError::NulByte { .. }
                | StanceError::EmptyText { .. }
                | StanceError::EmptyField { .. }
                | StanceError::FieldType { .. }
                | StanceError::DuplicateField { .. }
        )
    }
}
