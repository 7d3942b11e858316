//! Measuring how well a configuration generalises.
//!
//! [`metrics`] scores probabilistic predictions; [`folds`] splits a corpus at random or grouped
//! by outlet or month; [`cv`] trains on each fold and pools the out-of-fold predictions.

pub mod cv;
pub mod folds;
pub mod metrics;
