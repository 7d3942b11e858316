//! The report's typed errors: each names the file and, for line formats, the line.

use std::path::PathBuf;

use crate::error::StanceError;

/// Everything building a report can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Reading a file failed (I/O, UTF-8, an over-long line, malformed JSON or CSV).
    #[error(transparent)]
    Read(#[from] StanceError),
    #[error("{path}: the report reads JSON Lines (.jsonl), CSV (.csv) or TSV (.tsv), or - for JSON Lines on stdin")]
    Format { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    Record {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Dates of one file that could not be read, counted, named and refused (no `skip_bad`).
    #[error("{message}; or pass `skip_bad` to leave those records out")]
    Dates { message: String },
    #[error("{path}:{line}: the record's labels ({found}) differ from the first record's ({expected}); a report covers one model's scores")]
    Labels {
        path: PathBuf,
        line: usize,
        found: String,
        expected: String,
    },
    #[error("{path}:{line}: a raw record (no \"probabilities\") needs a model to score it")]
    NoModel { path: PathBuf, line: usize },
    #[error("no records to report on")]
    NoRecords,
    #[error("the coverage grid of {bands} bands x {signals} minimum signals x {knowns} known shares is {points} settings, over the limit of {max}; give fewer `grid_bands`, `grid_signals` or `grid_known` values")]
    GridTooLarge {
        bands: usize,
        signals: usize,
        knowns: usize,
        points: usize,
        max: usize,
    },
    #[error("`by` is empty: name at least one field to group by (source, month, ...)")]
    NoGroups,
    #[error("drawing the {plot} plot: {message}")]
    Plot { plot: &'static str, message: String },
    #[error("`validation`: {0}")]
    Validation(String),
    #[error("{name} must be {expected}, got {value}")]
    Param {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
}
