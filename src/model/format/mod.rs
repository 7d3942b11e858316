//! The model file: its versioned JSON form and the checks that refuse an inconsistent one
//! ([`file`]), and its packed encodings: float arrays as base64 of their IEEE 754 bits
//! (`floats`) and the vocabulary as stems and packed stem ids (`terms`), over one base64 reader
//! and writer (`packed`).

mod file;
pub(crate) mod floats;
pub(crate) mod packed;
pub(crate) mod terms;

pub(crate) use file::{
    adaptation_problem, calibration_problem, from_json, labels_problem, load, to_json,
    uncertainty_problem, version_for, weights_problem,
};
pub use file::{FORMAT_NAME, FORMAT_VERSION, MAX_IDF, MAX_WEIGHT, OLDEST_FORMAT_VERSION};
