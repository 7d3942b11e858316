//! Fixed-width values packed as base64 in model files: the common part of
//! [`crate::model::format::floats`] (IDF and weights) and [`crate::model::format::terms`] (stem ids).
//!
//! Both write `{"<type>le_base64": "..."}`: each value's little-endian bytes, end to end, in
//! base64 (standard alphabet, padded). Reading refuses an object with another key, a repeated
//! key or none, and text that is not base64 or whose bytes are not a whole number of values,
//! with the key in the message.

use std::borrow::Cow;
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

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

/// Reads `{"<key>": "<base64>"}` from `map`, `key` being `fields[0]`: the string is decoded by
/// `unpack` where the parser holds it, without a copy. Another key, a repeated key or none is
/// refused.
pub(crate) fn read_map<'de, A: MapAccess<'de>, T>(
    mut map: A,
    fields: &'static [&'static str],
    unpack: fn(&str) -> Result<T, String>,
) -> Result<T, A::Error> {
    let key = fields[0];
    let mut value = None;
    while let Some(found) = map.next_key::<Cow<'de, str>>()? {
        if found != key {
            return Err(de::Error::unknown_field(&found, fields));
        }
        if value.is_some() {
            return Err(de::Error::duplicate_field(key));
        }
        value = Some(map.next_value_seed(Unpacked(unpack))?);
    }
    value.ok_or_else(|| de::Error::missing_field(key))
}

/// Decodes the packed string with its function, borrowed from the parser.
struct Unpacked<T>(fn(&str) -> Result<T, String>);

impl<'de, T> DeserializeSeed<'de> for Unpacked<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T> Visitor<'_> for Unpacked<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a base64 string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.0)(text).map_err(E::custom)
    }
}
