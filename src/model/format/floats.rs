//! Float arrays in model files, packed: `{"f64le_base64": "..."}`, the IEEE 754 bits of each
//! value as little-endian bytes, in base64.
//!
//! A model's IDF and weights are hundreds of thousands of floats. Parsing a JSON number of 17
//! significant digits correctly rounded is slow, and as numbers these floats were a large part
//! of loading the default model (figures in `benches/README.md`); decoding base64 is little
//! more than a copy, and the bits come back exactly as written. Reading also accepts a plain
//! array of numbers, the form of format version 1, so older model files still load.
//!
//! To read the values elsewhere, e.g. in Python:
//! `numpy.frombuffer(base64.b64decode(s), "<f8")`.

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// The one key of a packed array.
const KEY: &str = "f64le_base64";

/// The bytes of one value.
const WIDTH: usize = std::mem::size_of::<f64>();

/// Writes `values` packed.
pub fn serialize<S: Serializer>(values: &[f64], serializer: S) -> Result<S::Ok, S::Error> {
    let mut bytes = Vec::with_capacity(values.len() * WIDTH);
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(KEY, &crate::model::format::packed::encode(&bytes))?;
    map.end()
}

/// Reads a packed array, or a plain array of numbers.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
    deserializer.deserialize_any(FloatsVisitor)
}

/// A list of float arrays (one weight vector per output), each packed.
pub(crate) mod nested {
    use super::*;

    /// Writes each array packed, in a JSON array.
    pub fn serialize<S: Serializer>(arrays: &[Vec<f64>], serializer: S) -> Result<S::Ok, S::Error> {
        struct Packed<'a>(&'a [f64]);
        impl serde::Serialize for Packed<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                super::serialize(self.0, serializer)
            }
        }
        let mut seq = serializer.serialize_seq(Some(arrays.len()))?;
        for values in arrays {
            seq.serialize_element(&Packed(values))?;
        }
        seq.end()
    }

    /// Reads a JSON array of arrays, each packed or plain.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<f64>>, D::Error> {
        struct Floats(Vec<f64>);
        impl<'de> serde::Deserialize<'de> for Floats {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                super::deserialize(deserializer).map(Floats)
            }
        }
        let arrays: Vec<Floats> = serde::Deserialize::deserialize(deserializer)?;
        Ok(arrays.into_iter().map(|f| f.0).collect())
    }
}

struct FloatsVisitor;

impl<'de> Visitor<'de> for FloatsVisitor {
    type Value = Vec<f64>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{{\"{KEY}\": \"...\"}} or an array of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element()? {
            values.push(v);
        }
        Ok(values)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<f64>, A::Error> {
        crate::model::format::packed::read_map(map, &[KEY], unpack)
    }
}

/// The values packed in `text`.
fn unpack(text: &str) -> Result<Vec<f64>, String> {
    Ok(
        crate::model::format::packed::decode(KEY, text, WIDTH, "floats")?
            .chunks_exact(WIDTH)
            .map(|b| {
                let mut le = [0u8; WIDTH];
                le.copy_from_slice(b);
                f64::from_le_bytes(le)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct File {
        #[serde(with = "super")]
        one: Vec<f64>,
        #[serde(with = "super::nested")]
        many: Vec<Vec<f64>>,
    }

    fn read(json: &str) -> Result<File, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn packed_arrays_name_their_encoding() {
        let file = File {
            one: vec![1.0],
            many: vec![vec![], vec![-0.5, 2.0]],
        };
        assert_eq!(
            serde_json::to_string(&file).unwrap(),
            r#"{"one":{"f64le_base64":"AAAAAAAA8D8="},"many":[{"f64le_base64":""},{"f64le_base64":"AAAAAAAA4L8AAAAAAAAAQA=="}]}"#
        );
    }

    #[test]
    fn plain_arrays_of_numbers_still_load() {
        let file = read(r#"{"one":[1.5,-2],"many":[[0.25],{"f64le_base64":"AAAAAAAA8D8="}]}"#);
        assert_eq!(
            file,
            Ok(File {
                one: vec![1.5, -2.0],
                many: vec![vec![0.25], vec![1.0]],
            })
        );
    }

    #[test]
    fn malformed_packed_arrays_are_refused_with_the_reason() {
        for (json, reason) in [
            (
                r#"{"one":{"f64le_base64":"AAAA"},"many":[]}"#,
                "not a whole number",
            ),
            (
                r#"{"one":{"f64le_base64":"A*=="},"many":[]}"#,
                "not valid base64",
            ),
            (r#"{"one":{"f64le_base64":3},"many":[]}"#, "invalid type"),
            (r#"{"one":{},"many":[]}"#, "missing field"),
            (r#"{"one":{"f64":""},"many":[]}"#, "unknown field"),
            (
                r#"{"one":{"f64le_base64":"","f64le_base64":""},"many":[]}"#,
                "duplicate field",
            ),
            (r#"{"one":"AAAA","many":[]}"#, "an array of numbers"),
        ] {
            let error = read(json).unwrap_err();
            assert!(error.contains(reason), "{json}: {error}");
        }
    }

    proptest! {
        /// Every bit pattern comes back, NaN payloads and signed zeros included.
        #[test]
        fn values_come_back_bit_exact(
            one in proptest::collection::vec(any::<u64>(), 0..40),
            many in proptest::collection::vec(proptest::collection::vec(any::<u64>(), 0..9), 0..4),
        ) {
            let floats = |bits: &[u64]| bits.iter().map(|&b| f64::from_bits(b)).collect::<Vec<_>>();
            let file = File { one: floats(&one), many: many.iter().map(|m| floats(m)).collect() };
            let back = read(&serde_json::to_string(&file).unwrap()).unwrap();
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&back.one), one);
            prop_assert_eq!(back.many.iter().map(|m| bits(m)).collect::<Vec<_>>(), many);
        }
    }
}
