//! Measuring how well a configuration generalises.
//!
//! [`metrics`] scores probabilistic predictions; [`cv`] scores the out-of-fold predictions of
//! training on each fold (the folds, at random or grouped by outlet or month, are the training
//! stage's, [`folds`]);
//! [`dev`] scores an out-of-domain dev set for length drift and paragraph agreement;
//! [`own_data`] tells when evaluated documents are the model's own training data.

pub mod cv;
pub mod dev;
pub mod metrics;
pub mod own_data;

// The folds are the training stage's (calibration fits on out-of-fold predictions); they are
// named from here too, where cross-validation uses them.
pub use crate::train::folds;
