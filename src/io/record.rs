//! One JSON Lines record, read into a [`Document`], and the fields a caller asked to keep.
//!
//! Only the fields a document needs are kept, and those named by [`Keep`] (`stance score
//! --keep`), as their raw JSON text; the JSON is read straight into them without building a
//! tree, so a record's other fields cost no memory however large they are, and serde_json's
//! depth limit (128) applies to them as to the rest. A field that a document needs
//! and that appears twice is refused instead of one copy silently winning. Reading lines and their limits
//! is [`crate::io::lines`]'s job; this module sees one line at a time.

use std::fmt;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::StanceError;
use crate::io::cell::Cell;
use crate::io::corpus::{Document, FieldNames, MAX_TEXT_FIELDS};
use crate::io::json_lines::{json_error, line_text};

/// The fields read, in this order: text, label, id, title, source, date, then the further
/// text fields of `--text-field a,b` (unused ones named "" and never read).
const SLOTS: usize = 5 + MAX_TEXT_FIELDS;

/// A field's value as found in the record.
#[derive(Debug, Clone, PartialEq)]
enum FieldValue {
    Text(String),
    Number(String),
    Null,
    /// Anything else, by what it is ("an array"); its contents were skipped, not kept.
    Other(&'static str),
}

impl FieldValue {
    fn kind(&self) -> &'static str {
        match self {
            FieldValue::Text(_) => "a string",
            FieldValue::Number(_) => "a number",
            FieldValue::Null => "null",
            FieldValue::Other(kind) => kind,
        }
    }
}

/// Which of a record's fields to keep besides those a [`Document`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Keep {
    /// None; the default.
    #[default]
    Nothing,
    /// These, wherever a record has them.
    Fields(Vec<String>),
    /// Every field but the text and the id.
    All,
}

/// A JSON Lines record: its document, and the fields kept, in the record's order, as their
/// (compacted) JSON text.
#[derive(Debug, Clone)]
pub struct JsonRecord {
    pub document: Document,
    pub kept: Vec<(String, Cell)>,
    /// Every key of the record, in order, when asked for (to say which fields there are).
    pub keys: Option<Vec<String>>,
}

/// The wanted fields of one record, and the first of them that appeared twice.
#[derive(Debug, Default)]
struct RawRecord {
    values: [Option<FieldValue>; SLOTS],
    duplicate: Option<String>,
    kept: Vec<(String, Box<RawValue>)>,
    keys: Option<Vec<String>>,
}

/// Parses one line (without its newline handling: trailing whitespace is fine) into a document.
/// `path` and `line` name it in errors. With `need_label`, the label must be a non-empty string.
#[cfg(test)]
pub fn parse_document(
    bytes: &[u8],
    fields: &FieldNames,
    need_label: bool,
    path: &Path,
    line: usize,
) -> Result<Document, StanceError> {
    parse_record(bytes, fields, &Keep::Nothing, false, need_label, path, line).map(|r| r.document)
}

/// [`parse_document`], also keeping the fields `keep` names, and with `want_keys` listing every
/// key of the record.
pub fn parse_record(
    bytes: &[u8],
    fields: &FieldNames,
    keep: &Keep,
    want_keys: bool,
    need_label: bool,
    path: &Path,
    line: usize,
) -> Result<JsonRecord, StanceError> {
    let text = line_text(bytes, path, line)?;
    let texts = fields.text_fields();
    let mut names = [""; SLOTS];
    names[..6].copy_from_slice(&[
        texts[0],
        &fields.label,
        &fields.id,
        &fields.title,
        &fields.source,
        &fields.date,
    ]);
    names[6..5 + texts.len()].copy_from_slice(&texts[1..]);
    let mut de = serde_json::Deserializer::from_str(text);
    let wanted = Wanted {
        names: &names,
        keep,
        want_keys,
    };
    let raw = wanted
        .deserialize(&mut de)
        .and_then(|raw| de.end().map(|()| raw))
        .map_err(|e| json_error(path, line, &e))?;
    let path = || path.to_path_buf();
    if let Some(field) = raw.duplicate {
        return Err(StanceError::DuplicateField {
            path: path(),
            line,
            field,
        });
    }
    let (kept, keys, json) = (raw.kept, raw.keys, text);
    let [text, label, id, title, source, date, more @ ..] = raw.values;
    let wrong_type = |field: &str, value: &FieldValue| StanceError::FieldType {
        path: path(),
        line,
        field: field.to_string(),
        found: value.kind(),
    };
    // Only a record that lacks a field pays for listing its keys, by reading it again.
    let missing = |field: &str, role: &'static str| StanceError::MissingField {
        path: path(),
        line,
        field: field.to_string(),
        role,
        found: keys_of(json),
    };
    let string = |field: &str, value: Option<FieldValue>| match value {
        None | Some(FieldValue::Null) => Ok(None),
        Some(FieldValue::Text(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(field, &other)),
    };
    // `--text-field a,b`: the fields present, joined by a blank line.
    let mut parts = Vec::with_capacity(texts.len());
    for (name, value) in texts.iter().zip(std::iter::once(text).chain(more)) {
        if let Some(s) = string(name, value)? {
            parts.push(s);
        }
    }
    if parts.is_empty() {
        return Err(missing(texts[0], "text"));
    }
    let text = parts.join("\n\n");
    if text.trim().is_empty() {
        return Err(StanceError::EmptyText {
            path: path(),
            line: Some(line),
        });
    }
    // Labels are compared trimmed, so "a " and "a" are one label.
    let label = string(&fields.label, label)?.map(|l| l.trim().to_string());
    if need_label {
        match &label {
            None => return Err(missing(&fields.label, "label")),
            Some(l) if l.is_empty() => {
                return Err(StanceError::EmptyField {
                    path: path(),
                    line,
                    field: fields.label.clone(),
                })
            }
            Some(_) => {}
        }
    }
    let id = match id {
        Some(FieldValue::Number(n)) => Some(n),
        other => string(&fields.id, other)?,
    };
    let document = Document {
        id,
        title: string(&fields.title, title)?,
        source: string(&fields.source, source)?,
        date: string(&fields.date, date)?,
        label: label.filter(|l| !l.is_empty()),
        text,
    };
    Ok(JsonRecord {
        document,
        kept: kept.into_iter().map(|(n, v)| (n, Cell::json(v))).collect(),
        keys,
    })
}

/// The keys of a record that has already been read once without error.
fn keys_of(text: &str) -> Vec<String> {
    let names = [""; SLOTS];
    let wanted = Wanted {
        names: &names,
        keep: &Keep::Nothing,
        want_keys: true,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    wanted
        .deserialize(&mut de)
        .ok()
        .and_then(|raw| raw.keys)
        .unwrap_or_default()
}

/// Reads a record's object, keeping the wanted fields and skipping everything else.
struct Wanted<'a> {
    names: &'a [&'a str; SLOTS],
    keep: &'a Keep,
    want_keys: bool,
}

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = RawRecord;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRecord, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Wanted<'_> {
    type Value = RawRecord;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord, A::Error> {
        let mut raw = RawRecord {
            keys: self.want_keys.then(Vec::new),
            ..RawRecord::default()
        };
        let seed = || Key {
            names: self.names,
            keep: self.keep,
            want_name: self.want_keys,
        };
        while let Some(key) = map.next_key_seed(seed())? {
            if let (Some(keys), Some(name)) = (&mut raw.keys, &key.name) {
                keys.push(name.clone());
            }
            let value = if key.kept {
                let kept: Box<RawValue> = map.next_value()?;
                // RawValue skips nested values without serde_json's depth limit; the limit
                // applies to a kept field as to any other.
                serde_json::from_str::<Skip>(kept.get()).map_err(de::Error::custom)?;
                let name = key.name.unwrap_or_default();
                if raw.kept.iter().any(|(n, _)| *n == name) {
                    raw.duplicate.get_or_insert(name.clone());
                }
                let value = (key.slots != 0)
                    .then(|| serde_json::from_str::<FieldValue>(kept.get()))
                    .transpose()
                    .map_err(de::Error::custom)?;
                raw.kept.push((name, kept));
                value
            } else if key.slots & ID_SLOT != 0 {
                // An id is kept as written: 12345678901234567890123 must not become 1.2e22.
                let raw: Box<RawValue> = map.next_value()?;
                Some(field_from_raw(&raw).map_err(de::Error::custom)?)
            } else if key.slots != 0 {
                Some(map.next_value::<FieldValue>()?)
            } else {
                map.next_value::<Skip>()?;
                None
            };
            let Some(value) = value else { continue };
            // Two options may name the same field (--id-field text): each gets the value.
            for (i, slot) in raw.values.iter_mut().enumerate() {
                if key.slots & (1 << i) != 0 {
                    if slot.is_some() {
                        raw.duplicate.get_or_insert(self.names[i].to_string());
                    }
                    *slot = Some(value.clone());
                }
            }
        }
        Ok(raw)
    }
}

/// The bit of the id among the slots (text, label, id, ...).
const ID_SLOT: u16 = 1 << 2;

/// A value read from its raw JSON text: a number as its own text, exactly as written; anything
/// else as [`FieldValue`] reads it.
fn field_from_raw(raw: &RawValue) -> Result<FieldValue, serde_json::Error> {
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Ok(FieldValue::Number(text.to_string()))
    } else {
        serde_json::from_str(text)
    }
}

/// A key, as the set of wanted fields it names (a bit per slot; 0 when unwanted), and whether
/// it is kept. An unused slot's name is empty and matches no key.
struct Key<'a> {
    names: &'a [&'a str; SLOTS],
    keep: &'a Keep,
    want_name: bool,
}

/// What [`Key`] read.
struct KeyMatch {
    slots: u16,
    kept: bool,
    /// The key, when it is kept or every key is wanted.
    name: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = KeyMatch;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyMatch, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = KeyMatch;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyMatch, E> {
        let slots = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, name)| !name.is_empty() && **name == key)
            .fold(0, |mask, (i, _)| mask | 1 << i);
        // Slots 0 and 2, and 6 on, are the text and the id, which every output has already.
        let kept = match self.keep {
            Keep::Nothing => false,
            Keep::Fields(names) => names.iter().any(|n| n == key),
            Keep::All => slots & !0b11_1010 == 0,
        };
        Ok(KeyMatch {
            slots,
            kept,
            name: (kept || self.want_name).then(|| key.to_string()),
        })
    }
}

impl<'de> serde::Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueKind)
    }
}

/// Keeps strings and numbers; skips the contents of anything else.
struct ValueKind;

impl<'de> Visitor<'de> for ValueKind {
    type Value = FieldValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldValue, E> {
        Ok(FieldValue::Number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FieldValue, E> {
        // Written as serde_json writes it (7.0 stays "7.0"), as ids were before.
        Ok(FieldValue::Number(
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
        ))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Other("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FieldValue, E> {
        Ok(FieldValue::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(FieldValue::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldValue, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(FieldValue::Other("an object"))
    }
}

/// A value read and dropped as it is read. Unlike serde's `IgnoredAny`, which serde_json skips
/// without a depth limit, it goes through `deserialize_any`, so nesting deeper than
/// serde_json's limit is refused as it would be in any other field.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str, need_label: bool) -> Result<Document, StanceError> {
        parse_document(
            line.as_bytes(),
            &FieldNames::default(),
            need_label,
            Path::new("x.jsonl"),
            3,
        )
    }

    #[test]
    fn keeps_the_wanted_fields_and_skips_the_rest() {
        let d = parse(
            r#"{"id":7.0,"meta":{"a":[1,[2,{"b":null}]]},"text":"hi","label":" a ","source":null}"#,
            true,
        )
        .unwrap();
        assert_eq!(d.id.as_deref(), Some("7.0"));
        assert_eq!(d.label.as_deref(), Some("a"));
        assert_eq!((d.text.as_str(), d.source), ("hi", None));
        assert_eq!(
            parse(r#"{"id":7,"text":"hi"}"#, false)
                .unwrap()
                .id
                .as_deref(),
            Some("7")
        );
    }

    #[test]
    fn every_problem_names_the_line_and_field() {
        let cases: [(&str, &str); 9] = [
            (
                r#"{"text":"a","text":"b"}"#,
                r#"x.jsonl:3: field "text" appears more than once"#,
            ),
            (
                r#"{"text":5}"#,
                r#"x.jsonl:3: field "text" must be a string, not a number"#,
            ),
            (
                r#"{"text":"a","label":"x","title":[1]}"#,
                r#"field "title" must be a string, not an array"#,
            ),
            (
                r#"{"text":" \n "}"#,
                "x.jsonl:3: the text is empty or only whitespace",
            ),
            (
                r#"{"text":"a","label":"  "}"#,
                r#"x.jsonl:3: field "label" is empty"#,
            ),
            (
                r#"{"text":"a"}"#,
                r#"x.jsonl:3: missing or non-string field "label""#,
            ),
            (
                r#"[1,2]"#,
                "x.jsonl:3: malformed JSON: invalid type: sequence, expected a JSON object (column",
            ),
            (r#"{"text":"a"} x"#, "trailing characters (column 14)"),
            ("{\"text\":\"a\0\"}", "x.jsonl:3: contains a NUL byte"),
        ];
        for (line, message) in cases {
            let e = parse(line, true).unwrap_err().to_string();
            assert!(e.contains(message), "{line}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let nest = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        for field in ["x", "text"] {
            let deep = format!(r#"{{"text":"a","{field}":{}}}"#, nest(100_000));
            let e = parse(&deep, false).unwrap_err().to_string();
            assert!(e.contains("recursion limit exceeded"), "{e}");
        }
        let e = parse(&nest(100_000), false).unwrap_err().to_string();
        assert!(e.contains("x.jsonl:3: malformed JSON"), "{e}");
        // Within the limit, unused fields are skipped.
        let fine = format!(r#"{{"text":"a","x":{}}}"#, nest(100));
        assert_eq!(parse(&fine, false).unwrap().text, "a");
    }

    #[test]
    fn a_label_is_optional_when_not_needed() {
        let d = parse(r#"{"text":"a","label":""}"#, false).unwrap();
        assert_eq!(d.label, None);
    }
}
