//! A kept input field's value (`stance score --keep`): a table's cell, or a JSON record's value
//! kept as its own JSON text, compacted.
//!
//! JSON values are not parsed into a tree: the text is kept as read (minus blank space), so
//! numbers keep their spelling and objects their key order when written back out. What the
//! fields are and where they go in the output is the caller's business.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// `text` as a CSV cell that a spreadsheet will not run as a formula: OWASP's rule, a `'` in
/// front of a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return. Every CSV
/// that `stance` writes passes its input-derived text (ids, groups, labels, kept fields, column
/// names) through here; the numbers it writes itself stay numbers.
pub fn formula_safe(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// A kept field's value.
#[derive(Debug, Clone)]
pub enum Cell {
    /// A table's cell.
    Text(String),
    /// A JSON record's value, as compact JSON text.
    Json(Box<RawValue>),
}

impl Cell {
    /// A JSON value, with the blank space outside its strings dropped.
    pub fn json(raw: Box<RawValue>) -> Cell {
        // Compacting valid JSON leaves valid JSON; the original stays if it somehow did not.
        let cell = RawValue::from_string(compact_json(raw.get())).unwrap_or(raw);
        Cell::Json(cell)
    }

    /// The value as a CSV cell: a string as it is ([`formula_safe`]), any other JSON value
    /// as its JSON text (a JSON number stays a number: it is no formula).
    pub fn as_csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => formula_safe(s),
            Cell::Json(raw) => match serde_json::from_str::<String>(raw.get()) {
                Ok(s) => formula_safe(&s).into_owned().into(),
                Err(_) => raw.get().into(),
            },
        }
    }

    /// The bytes it holds.
    pub fn len(&self) -> usize {
        match self {
            Cell::Text(t) => t.len(),
            Cell::Json(j) => j.get().len(),
        }
    }

    /// Whether it holds nothing (an empty cell; JSON text is never empty).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A table's cell is written as a JSON string, a JSON value as itself.
impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Json(raw) => raw.serialize(s),
        }
    }
}

/// JSON text without the blank space outside strings. Key order and number spelling are left
/// as they were.
fn compact_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> Cell {
        Cell::json(RawValue::from_string(s.to_string()).unwrap())
    }

    #[test]
    fn json_is_compacted_outside_strings_only() {
        assert_eq!(
            compact_json(r#"{ "a b" : [1, 2.50 ,"x\" y"] }"#),
            r#"{"a b":[1,2.50,"x\" y"]}"#
        );
        assert_eq!(compact_json(r#""\\" "#), r#""\\""#);
    }

    #[test]
    fn csv_cells_are_strings_as_they_are_and_other_values_as_json() {
        assert_eq!(json(r#""a, \"b\"""#).as_csv(), r#"a, "b""#);
        assert_eq!(
            json(r#"{ "z": 1, "a": [ true ] }"#).as_csv(),
            r#"{"z":1,"a":[true]}"#
        );
        assert_eq!(json("1.50").as_csv(), "1.50");
        assert_eq!(json("null").as_csv(), "null");
        assert_eq!(
            serde_json::to_string(&json(r#"{ "z": 1 }"#)).unwrap(),
            r#"{"z":1}"#
        );
        assert_eq!(
            serde_json::to_string(&Cell::Text("x\"".into())).unwrap(),
            r#""x\"""#
        );
    }
}
