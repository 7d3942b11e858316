//! Stages 6-8: TF-IDF rows in, label probabilities out, and the model file.
//!
//! [`logistic`] is logistic regression (binary or multinomial) trained on the sparse
//! `objective` by L-BFGS (L2), or by coordinate descent (`cd`) or OWL-QN (`owlqn`) under an L1
//! or elastic-net penalty; [`calibration`] maps its logits to calibrated probabilities, and `confidence` names the
//! top label and measures how well its probability is calibrated; [`evidence`]
//! says how much of a text the model used and when a score is uncertain. [`fitted`] holds the
//! [`Model`]: the fitted featurizer plus the classifier, which `format` reads and writes as
//! a versioned JSON file. [`default_model`] is embedded in the binary.

pub mod adaptation;
pub mod calibration;
pub(crate) mod cd;
pub(crate) mod confidence;
pub mod default_model;
pub mod evidence;
pub mod fitted;
pub(crate) mod format;
pub mod logistic;
pub(crate) mod objective;
pub(crate) mod owlqn;
pub(crate) mod profile;

pub use fitted::Model;
pub use format::{FORMAT_NAME, FORMAT_VERSION, MAX_IDF, MAX_WEIGHT, OLDEST_FORMAT_VERSION};
