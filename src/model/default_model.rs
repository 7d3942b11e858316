//! The default model, embedded in the binary at build time from `models/default.json`.
//!
//! It is trained on `../shared/corpus/ukraine-media.jsonl` by `scripts/train-default.sh`; CI
//! retrains it and checks the result is byte-identical to the committed file.

use std::path::Path;

use crate::error::StanceError;
use crate::model::fitted::Model;

/// The embedded model file's bytes.
pub const DEFAULT_MODEL_JSON: &[u8] = include_bytes!("../../models/default.json");

/// How the embedded model is named in messages.
pub const DEFAULT_MODEL_NAME: &str = "<built-in default model>";

/// Loads the embedded default model.
pub fn default_model() -> Result<Model, StanceError> {
    Model::from_json(DEFAULT_MODEL_JSON, Path::new(DEFAULT_MODEL_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_model_loads_and_round_trips_byte_identically() {
        let model = default_model().unwrap();
        assert!(model.labels().len() >= 2);
        let json = model.to_json().unwrap();
        let first_difference = json
            .iter()
            .zip(DEFAULT_MODEL_JSON)
            .position(|(a, b)| a != b);
        assert!(
            json == DEFAULT_MODEL_JSON,
            "re-serialised default model differs (lengths {} and {}, first difference at byte {first_difference:?}); retrain it with scripts/train-default.sh",
            json.len(),
            DEFAULT_MODEL_JSON.len()
        );
    }
}
