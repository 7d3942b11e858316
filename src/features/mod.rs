//! Stages 3-5: stemmed tokens in, L2-normalised TF-IDF rows out.
//!
//! [`ngrams`] forms word n-grams over the stems; [`vocabulary`] decides which n-grams become
//! features, fitted on the training corpus by `fit`; `index` finds a term's feature from
//! stem ids without building its string; `tfidf` weights the counts into [`sparse`] rows.
//! [`featurizer`] chains these stages behind one fitted type. Crate-private speed machinery:
//! `word_cache` stems each distinct word once, and `workers` deals a corpus out to threads
//! in pieces.

pub mod featurizer;
pub(crate) mod fit;
pub(crate) mod index;
pub mod ngrams;
pub mod sparse;
pub(crate) mod tfidf;
pub mod vocabulary;
pub(crate) mod word_cache;
pub(crate) mod workers;
pub use workers::{check_threads, max_threads, MIN_THREAD_CAP};
