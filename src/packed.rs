//! Fixed-width values packed as base64 in model files: the common part of
//! [`crate::packed_floats`] (IDF and weights) and [`crate::packed_terms`] (stem ids).
//!
//! Both write `{"<type>le_base64": "..."}`: each value's little-endian bytes, end to end, in
//! base64 (standard alphabet, padded). Reading refuses text that is not base64, or whose bytes
//! are not a whole number of values, with the key in the message.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `bytes` in base64.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The bytes of the base64 string `text` held under `key`, checked to be whole values of
/// `width` bytes (`what` names them in the message).
pub(crate) fn decode(key: &str, text: &str, width: usize, what: &str) -> Result<Vec<u8>, String> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("{key} is not valid base64 ({e})"))?;
    if bytes.len() % width != 0 {
        return Err(format!(
            "{key} holds {} bytes, not a whole number of {width}-byte {what}",
            bytes.len()
        ));
    }
    Ok(bytes)
}
