//! `stance`: a source-stance classifier for news articles.
//!
//! Text flows through the pipeline in this order, one folder per stage:
//!
//! 1. [`text`]: outlet markers are masked, the rest is tokenized, folded and stemmed.
//! 2. [`features`]: word n-grams over the stems, a vocabulary fitted on the training corpus,
//!    and sublinear TF-IDF rows, L2-normalised.
//! 3. [`model`]: logistic regression (binary or multinomial) on those rows, calibration, and
//!    the versioned model file.
//! 4. [`predict`]: article and paragraph scores, exact explanations, the model card.
//!
//! [`train`] runs stages 1-3 on labelled documents; [`eval`] measures how well a configuration
//! generalises (grouped folds, cross-validation, metrics); [`io`] reads corpora and writes files.

#![forbid(unsafe_code)]

pub mod error;
pub mod eval;
pub mod features;
pub mod io;
pub mod model;
pub mod predict;
pub mod text;
pub mod train;

pub use error::{ParamError, StanceError};
pub use model::Model;
