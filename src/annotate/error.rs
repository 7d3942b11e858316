//! The errors of the annotation server and its label log.

use std::path::PathBuf;

use crate::error::StanceError;

/// Everything `stance annotate` can fail with before or while it serves.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnnotateError {
    /// The label log could not be opened, read or written.
    #[error(transparent)]
    Log(#[from] crate::io::label_log::LogError),
    /// A label record names a label the annotation does not allow.
    #[error("{path}:{line}: label {label:?} is not one of the labels being annotated ({})", allowed.join(", "))]
    LogLabel {
        path: PathBuf,
        line: usize,
        label: String,
        allowed: Vec<String>,
    },
    /// The labels to annotate are fewer than two, repeated or empty.
    #[error("labels: {0}")]
    Labels(String),
    /// Two input records share an id, so an answer could not say which one it labels.
    #[error("id {id:?} appears twice in the input ({first} and {second}); ids must be unique")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    /// Nothing to annotate.
    #[error("the input holds no text to annotate")]
    NoItems,
    /// The server could not bind its address.
    #[error("cannot listen on {address}: {message}")]
    Bind { address: String, message: String },
    /// A parameter value that was refused.
    #[error("{parameter}: {message}")]
    Param {
        parameter: &'static str,
        message: String,
    },
    /// An error from the rest of the library (model, reading, adapting).
    #[error(transparent)]
    Stance(#[from] StanceError),
}
