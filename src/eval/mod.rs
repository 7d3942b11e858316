//! Measuring how well a configuration generalises.
//!
//! [`metrics`] scores probabilistic predictions; [`folds`] splits a corpus at random or grouped
//! by outlet or month; [`cv`] trains on each fold and pools the out-of-fold predictions;
//! [`dev`] scores an out-of-domain dev set for length drift and paragraph agreement;
//! [`own_data`] tells when evaluated documents are the model's own training data; [`summary`]
//! is the record `stance cv` prints.

pub mod cv;
pub mod dev;
pub mod folds;
pub mod metrics;
pub mod own_data;
pub mod summary;
