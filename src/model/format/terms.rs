//! The vocabulary in model files: each stem once, and each term as its stems' ids, packed.
//!
//! Format version 3 writes
//! `"vocabulary": {"stems": ["aa", "ab", ...], "stem_ids": {"u32le_base64": "..."}}`:
//! - `stems`: every stem of every term, once, sorted by bytes; a stem's id is its position.
//! - `stem_ids`: the terms in feature order, each as the ids of its stems, as little-endian
//!   `u32`s in base64. The last id of each term has bit 31 set.
//!
//! Versions 1 and 2 wrote the terms as an array of strings (`"kiev regim"`), and loading had to
//! read every term as a string and look up each of its stems to index it. Read this way, the
//! term index is built from the ids without a look-up, and only the distinct stems, far fewer
//! than the terms, are strings (`models/FORMAT.md`; load times in `benches/README.md`).
//! Reading accepts both forms; the packed one only in files of version 3 or later.
//!
//! To read the terms elsewhere, e.g. in Python:
//! `ids = numpy.frombuffer(base64.b64decode(s), "<u4")`; a term ends at each id with
//! `ids >> 31 == 1`, and `ids & 0x7fffffff` index `stems`.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::features::index::terms::Terms;
use crate::features::vocabulary::Vocabulary;

/// The bit that marks a term's last stem id.
const TERM_END: u32 = 1 << 31;

/// The key of the packed ids, inside `stem_ids`.
const KEY: &str = "u32le_base64";

/// A vocabulary as a model file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum SavedTerms {
    /// Format versions 1 and 2: each term as its string.
    Strings(Terms),
    /// Format version 3: the stems, and each term as stem ids.
    Stems(StemIds),
}

/// Stems, sorted and distinct, and the terms as ids into them, checked when read: every id is
/// in range, every stem is used, the last term is ended, and no stem is empty or holds a space.
/// (So one vocabulary has one packed form.)
#[derive(Debug, Clone, PartialEq)]
pub struct StemIds {
    stems: Terms,
    /// The ids, the last of each term marked with [`TERM_END`].
    ids: Vec<u32>,
}

impl StemIds {
    /// The ids of every term end to end, and where each term starts (with the end last).
    pub fn flat(&self) -> (Vec<u32>, Vec<u32>) {
        let mut starts = Vec::with_capacity(self.ids.len() / 2 + 2);
        starts.push(0);
        let flat = self
            .ids
            .iter()
            .enumerate()
            .map(|(k, &id)| {
                if id & TERM_END != 0 {
                    starts.push(k as u32 + 1);
                }
                id & !TERM_END
            })
            .collect();
        (flat, starts)
    }

    /// The stems and the ids, giving the stems back.
    pub fn into_stems(self) -> Terms {
        self.stems
    }
}

impl SavedTerms {
    /// The vocabulary these terms are, in either form: from stem ids, the index is built
    /// without a look-up and the term strings are joined from the stems.
    pub(crate) fn into_vocabulary(self) -> Vocabulary {
        match self {
            SavedTerms::Strings(terms) => Vocabulary::from_sorted_terms(terms),
            SavedTerms::Stems(packed) => {
                let (flat, starts) = packed.flat();
                Vocabulary::from_stem_ids(packed.into_stems(), &flat, &starts)
            }
        }
    }

    /// The packed form of a fitted vocabulary, as format version 3 writes it.
    pub fn packed(vocabulary: &Vocabulary) -> Self {
        let index = vocabulary.index();
        let mut ids = Vec::with_capacity(vocabulary.len() * 2);
        index.for_each_term_ids(|term| {
            ids.extend_from_slice(term);
            if let Some(last) = ids.last_mut() {
                *last |= TERM_END;
            }
        });
        SavedTerms::Stems(StemIds {
            stems: index.stems().clone(),
            ids,
        })
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        match self {
            SavedTerms::Strings(terms) => terms.len(),
            SavedTerms::Stems(s) => s.ids.iter().filter(|&&id| id & TERM_END != 0).count(),
        }
    }

    /// Whether there are no terms.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Serialize for SavedTerms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SavedTerms::Strings(terms) => terms.serialize(serializer),
            SavedTerms::Stems(s) => {
                struct Packed<'a>(&'a [u32]);
                impl Serialize for Packed<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        let bytes: Vec<u8> =
                            self.0.iter().flat_map(|id| id.to_le_bytes()).collect();
                        let mut map = serializer.serialize_map(Some(1))?;
                        map.serialize_entry(KEY, &crate::model::format::packed::encode(&bytes))?;
                        map.end()
                    }
                }
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("stems", &s.stems)?;
                map.serialize_entry("stem_ids", &Packed(&s.ids))?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for SavedTerms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SavedTermsVisitor)
    }
}

struct SavedTermsVisitor;

impl<'de> Visitor<'de> for SavedTermsVisitor {
    type Value = SavedTerms;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("{\"stems\": [...], \"stem_ids\": {...}} or an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<SavedTerms, A::Error> {
        Terms::deserialize(SeqAccessDeserializer::new(seq)).map(SavedTerms::Strings)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SavedTerms, A::Error> {
        let (mut stems, mut ids): (Option<Terms>, Option<Vec<u32>>) = (None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "stems" if stems.is_none() => stems = Some(map.next_value()?),
                "stem_ids" if ids.is_none() => ids = Some(map.next_value::<PackedIds>()?.0),
                "stems" => return Err(de::Error::duplicate_field("stems")),
                "stem_ids" => return Err(de::Error::duplicate_field("stem_ids")),
                _ => return Err(de::Error::unknown_field(&key, &["stems", "stem_ids"])),
            }
        }
        let stems = stems.ok_or_else(|| de::Error::missing_field("stems"))?;
        let ids = ids.ok_or_else(|| de::Error::missing_field("stem_ids"))?;
        check(&stems, &ids).map_err(de::Error::custom)?;
        Ok(SavedTerms::Stems(StemIds { stems, ids }))
    }
}

/// Why `stems` and `ids` are not a vocabulary, if they are not.
fn check(stems: &Terms, ids: &[u32]) -> Result<(), String> {
    if let Some((i, stem)) = stems
        .iter()
        .enumerate()
        .find(|(_, s)| s.is_empty() || s.contains(' '))
    {
        return Err(format!("stem {i} ({stem:?}) is empty or holds a space"));
    }
    if let Some(i) = (1..stems.len()).find(|&i| stems.get(i - 1) >= stems.get(i)) {
        return Err(format!(
            "the stems are not sorted and distinct: {:?} before {:?}",
            stems.get(i - 1),
            stems.get(i)
        ));
    }
    let mut used = vec![false; stems.len()];
    for &id in ids {
        let Some(u) = used.get_mut((id & !TERM_END) as usize) else {
            return Err(format!(
                "stem id {} is out of range for {} stems",
                id & !TERM_END,
                stems.len()
            ));
        };
        *u = true;
    }
    if let Some(i) = used.iter().position(|&u| !u) {
        return Err(format!("stem {i} ({:?}) is used by no term", stems.get(i)));
    }
    if ids.last().is_some_and(|&id| id & TERM_END == 0) {
        return Err("the last term's stem ids are not ended (bit 31 of its last id)".into());
    }
    Ok(())
}

/// `{"u32le_base64": "..."}`, decoded.
struct PackedIds(Vec<u32>);

impl<'de> Deserialize<'de> for PackedIds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PackedIdsVisitor)
    }
}

struct PackedIdsVisitor;

impl<'de> Visitor<'de> for PackedIdsVisitor {
    type Value = PackedIds;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{{\"{KEY}\": \"...\"}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PackedIds, A::Error> {
        crate::model::format::packed::read_map(map, &[KEY], unpack).map(PackedIds)
    }
}

/// The ids packed in `text`.
fn unpack(text: &str) -> Result<Vec<u32>, String> {
    Ok(crate::model::format::packed::decode(KEY, text, 4, "ids")?
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::features::ngrams::NgramRange;

    fn vocabulary(terms: &[&str]) -> Vocabulary {
        let mut sorted = terms.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        Vocabulary::from_sorted_terms(sorted.iter().collect())
    }

    /// Writes `v` packed as JSON and reads it back.
    fn round_trip(v: &Vocabulary) -> (String, Vocabulary) {
        let json = serde_json::to_string(&SavedTerms::packed(v)).unwrap();
        let saved: SavedTerms = serde_json::from_str(&json).unwrap();
        assert_eq!(saved.len(), v.len());
        (json, saved.into_vocabulary())
    }

    #[test]
    fn packs_stems_once_and_marks_each_term_end() {
        let v = vocabulary(&["kiev", "kiev regim", "regim", "west kiev"]);
        let (json, back) = round_trip(&v);
        // Stems kiev=0, regim=1, west=2; ids 0|E, 0 1|E, 1|E, 2 0|E, little-endian.
        let ids: Vec<u32> = vec![1 << 31, 0, 1 | 1 << 31, 1 | 1 << 31, 2, 1 << 31];
        let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(
            json,
            format!(
                r#"{{"stems":["kiev","regim","west"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                crate::model::format::packed::encode(&bytes)
            )
        );
        assert_eq!(back, v);
        assert_eq!(back.get("west kiev"), Some(3));
        assert!(!back.is_unordered());
    }

    #[test]
    fn arrays_of_term_strings_still_load() {
        let saved: SavedTerms = serde_json::from_str(r#"["a", "a b", "b"]"#).unwrap();
        assert_eq!(saved.len(), 3);
        assert_eq!(saved.into_vocabulary(), vocabulary(&["a", "a b", "b"]));
    }

    #[test]
    fn malformed_packed_vocabularies_are_refused_with_the_reason() {
        let ids = |ids: &[u32]| {
            let bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
            crate::model::format::packed::encode(&bytes)
        };
        let end = 1u32 << 31;
        for (json, reason) in [
            (
                format!(
                    r#"{{"stems":["a"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[1 | end])
                ),
                "stem id 1 is out of range for 1 stems",
            ),
            (
                format!(
                    r#"{{"stems":["a"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[0])
                ),
                "not ended",
            ),
            (
                format!(
                    r#"{{"stems":["b","a"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[end])
                ),
                "not sorted and distinct",
            ),
            (
                format!(
                    r#"{{"stems":["a","a"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[end])
                ),
                "not sorted and distinct",
            ),
            (
                format!(
                    r#"{{"stems":[""],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[end])
                ),
                "is empty or holds a space",
            ),
            (r#"{"stems":["a"]}"#.to_string(), "missing field `stem_ids`"),
            (
                r#"{"stem_ids":{"u32le_base64":""}}"#.to_string(),
                "missing field `stems`",
            ),
            (
                r#"{"stems":[],"stems":[],"stem_ids":{"u32le_base64":""}}"#.to_string(),
                "duplicate field `stems`",
            ),
            (
                r#"{"stems":[],"stem_ids":{"u32le_base64":"", "x": 1}}"#.to_string(),
                "unknown field `x`",
            ),
            (
                r#"{"stems":[],"stem_ids":{"u32le_base64":"AAA="}}"#.to_string(),
                "not a whole number of 4-byte ids",
            ),
            (
                format!(
                    r#"{{"stems":["a","b"],"stem_ids":{{"u32le_base64":"{}"}}}}"#,
                    ids(&[end])
                ),
                "stem 1 (\"b\") is used by no term",
            ),
            (
                r#"{"stems":[],"stem_ids":{"u32le_base64":""},"stem_ids":{"u32le_base64":""}}"#
                    .to_string(),
                "duplicate field `stem_ids`",
            ),
            (r#"7"#.to_string(), "or an array of strings"),
        ] {
            let e = serde_json::from_str::<SavedTerms>(&json)
                .unwrap_err()
                .to_string();
            assert!(e.contains(reason), "{json}: {e}");
        }
        let empty: SavedTerms =
            serde_json::from_str(r#"{"stems":[],"stem_ids":{"u32le_base64":""}}"#).unwrap();
        assert!(empty.is_empty());
    }

    fn stem() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "ab", "b", "ba", "c", "é", "кремль", "a'b", "0"])
            .prop_map(str::to_string)
    }

    proptest! {
        /// A vocabulary read back from its packed form has the same terms, in the same order,
        /// and finds the same features in any text as the one indexed from strings.
        #[test]
        fn packed_vocabularies_index_like_their_strings(
            terms in prop::collection::vec(prop::collection::vec(stem(), 1..4), 1..60),
            text in prop::collection::vec(prop::sample::select(vec!["a", "ab", "b", "ba", "c", "é", "кремль", "a'b", "0", "zz"]), 0..40),
        ) {
            let joined: Vec<String> = terms.iter().map(|t| t.join(" ")).collect();
            let v = vocabulary(&joined.iter().map(String::as_str).collect::<Vec<_>>());
            let (_, back) = round_trip(&v);
            prop_assert!(back.terms().iter().eq(v.terms().iter()));
            prop_assert_eq!(back.index().term_lengths(), v.index().term_lengths());
            prop_assert!(!back.is_unordered());
            let walk = |v: &Vocabulary| {
                let ids: Vec<u32> = text.iter().map(|w| v.index().stem_id(w)).collect();
                let mut seen = Vec::new();
                v.index().for_each_feature(&ids, NgramRange::new(1, 3).unwrap(), |f, w| seen.push((f, w)));
                seen
            };
            prop_assert_eq!(walk(&back), walk(&v));
            for (i, t) in v.terms().iter().enumerate() {
                prop_assert_eq!(back.get(t), Some(i as u32));
            }
        }
    }
}
