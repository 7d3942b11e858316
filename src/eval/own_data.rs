//! Evaluating a model on its own training data: the common mistake that `stance eval` and the
//! Python `stance.evaluate` warn about.
//!
//! The model records the SHA-256 over its training documents' sources, labels and texts, in
//! order ([`crate::train::corpus_sha256`]); evaluated documents with the same hash are its
//! training data. It is over the documents rather than the files, so a model trained from
//! Python lists and one trained from a file are the same file, and the same documents in another
//! format still count. A subset or a reordering does not match: this catches the mistake, it is
//! not a leak detector.

use serde::Serialize;

use crate::io::corpus::Document;
use crate::model::fitted::Model;
use crate::train::corpus_sha256;

/// What the warning says.
const WARNING: &str = "these documents are the model's training data (the same sources, labels \
                       and texts in the same order): these figures measure how well it fits \
                       them, not how it does on unseen text; run `stance cv` with the training \
                       options for that";

/// Evaluated documents that are the model's training documents, as `eval --format json`
/// writes it (`training_data`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnTrainingData {
    /// Always true when present: the documents' hash is the model's, named so that the JSON
    /// says what was compared.
    pub same_documents: bool,
    /// The warning, as printed on stderr.
    pub warning: &'static str,
}

impl OwnTrainingData {
    /// `Some` when `docs` are `model`'s training documents.
    pub fn check(model: &Model, docs: &[Document]) -> Option<OwnTrainingData> {
        (corpus_sha256(docs) == model.training().data_sha256).then_some(OwnTrainingData {
            same_documents: true,
            warning: WARNING,
        })
    }
}
