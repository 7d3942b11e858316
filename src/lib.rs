//! `stance`: a source-stance classifier for news articles.
//!
//! Text flows through the pipeline in this order, one module per stage:
//!
//! 1. [`mask`]: outlet markers (datelines, agency tags, outlet names, links, promo lines) are
//!    found and skipped, so a model learns framing rather than who published the text.
//! 2. [`tokenize`]: Unicode words with byte spans, lower-cased and folded, stop words
//!    ([`stopwords`]) and numbers dropped by policy, stemmed by Snowball ([`language`]).
//! 3. [`ngrams`]: word n-grams over the stems.
//! 4. [`vocabulary`]: which terms become features, fitted on the training corpus from
//!    [`ngram_counts`] (partitioned over threads by [`corpus_counts`]) and kept as [`terms`]; a
//!    [`term_index`] finds a term's feature from stem ids ([`str_map`] maps words and stems to
//!    ids).
//! 5. [`tfidf`]: sublinear TF, smoothed training-corpus IDF, L2-normalised [`sparse`] rows.
//!    [`featurizer`] chains stages 1-5.
//! 6. [`logistic`]: logistic regression (binary or multinomial) trained by L-BFGS on the sparse
//!    [`objective`].
//! 7. [`calibration`]: Platt or temperature scaling fitted on grouped out-of-fold predictions.
//! 8. [`model`]: the fitted featurizer and classifier, saved as a versioned JSON file
//!    ([`atomic`] writes, IDF and weights as [`packed_floats`]), with the [`default_model`]
//!    embedded in the binary.
//! 9. [`score`]: article and [`paragraphs`] probabilities, with the [`evidence`] behind them;
//!    [`explain`] breaks a score into exact per-term contributions.
//!
//! [`corpus`] reads the input formats (through [`lines`], which bounds and checks raw lines, and
//! [`record`], which reads one JSON Lines record) and [`train`] runs stages 1-7 on labelled
//! documents (or on their [`chunks`]). [`stream`] scores a stream of records in parallel, in
//! bounded batches, keeping input order; [`workers`] splits a corpus into pieces that threads
//! take as they become free.
//! [`folds`], [`cv`] and [`metrics`] measure how well a configuration generalises; [`inspect`]
//! makes the model card.

pub mod atomic;
pub mod calibration;
pub mod chunks;
pub mod corpus;
pub mod corpus_counts;
pub mod cv;
pub mod default_model;
pub mod error;
pub mod evidence;
pub mod explain;
pub mod featurizer;
pub mod folds;
pub mod inspect;
pub mod language;
pub mod lines;
pub mod logistic;
pub mod mask;
pub mod metrics;
pub mod model;
pub mod ngram_counts;
pub mod ngrams;
pub mod objective;
pub(crate) mod packed;
pub mod packed_floats;
pub mod packed_terms;
pub mod paragraphs;
pub mod record;
pub mod score;
pub(crate) mod slot_index;
pub mod sparse;
pub mod stopwords;
pub mod str_map;
pub mod stream;
pub mod term_index;
pub mod terms;
pub mod tfidf;
pub mod tokenize;
pub mod train;
pub mod vocabulary;
pub mod workers;

pub use error::{ParamError, StanceError};
pub use model::Model;
