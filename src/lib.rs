//! `stance`: a source-stance classifier for news articles.
//!
//! Train on labelled articles, save the model, load it and score new text:
//!
//! ```
//! use stance::{read_labelled, train, FieldNames, Model, TrainParams};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples.jsonl");
//! let docs = read_labelled(data.as_ref(), &FieldNames::default())?;
//! let (model, _report) = train(&docs, &TrainParams::default().check()?, &mut |_| {})?;
//! let dir = tempfile::tempdir()?;
//! model.save(&dir.path().join("model.json"))?;
//! let model = Model::load(&dir.path().join("model.json"))?;
//! let score = model.score("The Kiev regime shelled Donetsk again, the ministry said.", true);
//! // No label on an exact tie or for a text not in the model's language.
//! let label = score.prediction.label_name().unwrap_or("none");
//! println!("{label} ({:?})", score.prediction.probabilities);
//! # assert_eq!(label, "russian");
//! # Ok(())
//! # }
//! ```
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
//! [`train()`] runs stages 1-3 on labelled documents, and calibrates on out-of-fold
//! predictions when [`TrainParams::calibration`] asks; [`eval`] measures how well a
//! configuration generalises (cross-validation, metrics); [`io`] reads corpora and writes files;
//! [`report`] aggregates scored articles by outlet and month into a page of plots, CSV and JSON.
//!
//! Stages depend one way, each on those before it only:
//! `error` < [`io`] < [`text`] < [`features`] < [`model`] < [`predict`] < [`train`](mod@train) < [`eval`]
//! < [`sample`] < [`adapt`] < [`annotate`] < [`report`] < the CLI. So the model stage holds what
//! a model is and how it is saved, and the `impl Model` blocks that score and explain text are
//! in [`predict`]; out-of-fold fitting is training's, and cross-validation scores it.
//! `scripts/check-stages.sh` checks the order (CI runs it).
//!
//! The types a user names are re-exported here: the [`Model`], its parameters
//! ([`TrainParams`], checked into [`CheckedTrainParams`]), the readers and [`Document`], the
//! predictions ([`ArticleScore`], [`Prediction`], [`Explanation`]) and the errors
//! ([`StanceError`], [`ParamError`]).

#![forbid(unsafe_code)]

pub mod adapt;
pub mod annotate;
pub(crate) mod error;
pub mod eval;
pub mod features;
pub mod io;
pub mod model;
pub mod predict;
pub mod report;
pub mod sample;
pub mod text;
pub mod train;

pub use error::{ParamError, StanceError};
pub use io::corpus::{read_labelled, read_text, read_text_file, Document, FieldNames};
pub use model::default_model::default_model;
pub use model::Model;
pub use predict::explain::Explanation;
pub use predict::score::{ArticleScore, ParagraphScore, Prediction};
pub use train::{
    train, CalibrationParams, CheckedTrainParams, Preset, Stage, TrainOverrides, TrainParams,
};
