//! One record of the report's input, read into what the report needs of it: its id, its group
//! values, its true label if any, and its score, either as `stance score --format jsonl|csv`
//! wrote it (a scored record) or still to be computed from its text (a raw record).
//!
//! Reading the files and scoring raw records is `read`'s job; this module turns one
//! JSON object or CSV row into a record and says exactly which field is wrong when it cannot.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::StanceError;
use crate::io::date::{BadDates, DateFormat};
use crate::model::evidence::{Evidence, UncertaintyPolicy};
use crate::report::date::TimeUnit;
use crate::report::error::ReportError;

/// The group value of a record that lacks the field: shown, and counted, as a group of its own.
pub const NONE_GROUP: &str = "(none)";

/// The group value of the overall rows in the CSV.
pub const ALL_GROUP: &str = "(all)";

/// A record's own group value, told apart from the placeholders: a value that reads as one
/// (`(none)`, `(all)`, or one of those in quotes, and so on) is put in double quotes, so that a
/// source named `(none)` is not merged with the records that lack a source.
pub fn group_value(value: String) -> String {
    fn looks_like_placeholder(v: &str) -> bool {
        v == NONE_GROUP
            || v == ALL_GROUP
            || v.len() >= 2
                && v.starts_with('"')
                && v.ends_with('"')
                && looks_like_placeholder(&v[1..v.len() - 1])
    }
    if looks_like_placeholder(&value) {
        format!("\"{value}\"")
    } else {
        value
    }
}

/// The longest paragraph snippet kept for the page, in characters.
const SNIPPET_CHARS: usize = 280;

/// Which fields to read, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// The fields to group by; `month` and `week` are derived from the date field.
    pub by: Vec<String>,
    /// The field holding a date; defaults to `date`.
    pub date: String,
    /// How dates are written; defaults to ISO 8601 (`2022-02-24`, `2022-02`, timestamps).
    pub date_format: DateFormat,
    /// The true label's field; `None` reads `input_label` in scored records (how `score --keep
    /// label` writes a kept label) and `label` in raw ones.
    pub label: Option<String>,
    /// The id field; defaults to `id` (else the record is named `FILE:LINE`).
    pub id: String,
    /// The text field of raw records; defaults to `text`.
    pub text: String,
    /// The cell delimiter of CSV and TSV files; defaults to `None`: a comma for `.csv`, a tab
    /// for `.tsv`.
    pub delimiter: Option<u8>,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            by: vec!["source".into()],
            date: "date".into(),
            date_format: DateFormat::Iso,
            label: None,
            id: "id".into(),
            text: "text".into(),
            delimiter: None,
        }
    }
}

/// A paragraph whose predicted label differs from its article's, both of them certain.
#[derive(Debug, Clone, PartialEq)]
pub struct OpposingParagraph {
    pub index: usize,
    /// Byte offsets into the article's text.
    pub start: usize,
    pub end: usize,
    pub label: usize,
    /// The paragraph's probability of its own label, and of its article's label.
    pub p_label: f64,
    pub p_article_label: f64,
    pub signal: f64,
    /// The paragraph's text, shortened, when the record carries its text.
    pub snippet: Option<String>,
}

/// One term's exact contribution to one document's logits (raw records only).
#[derive(Debug, Clone, PartialEq)]
pub struct TermRecord {
    pub feature: u32,
    /// The words that produced it in this document, as written.
    pub surface: String,
    pub contributions: Vec<f64>,
}

/// One scored document, as the report aggregates it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRecord {
    pub id: String,
    /// One value per `--by` field, [`NONE_GROUP`] where the record lacks it.
    pub groups: Vec<String>,
    /// The bucket of the report's time unit, if the record has a date.
    pub time: Option<String>,
    pub truth: Option<String>,
    /// The predicted label, an index into the report's labels; `None` when the record has
    /// none (a tie, or a text not in the model's language).
    pub label: Option<usize>,
    /// The text's language (ISO 639-1) as scoring told it, when it could.
    pub language: Option<String>,
    /// In the report's label order.
    pub probabilities: Vec<f64>,
    pub uncertain: bool,
    pub evidence: Evidence,
    /// Whether paragraph scores came with the record.
    pub has_paragraphs: bool,
    /// The cut-offs the record says it was flagged under, if it says (`cv --predictions`).
    pub policy: Option<UncertaintyPolicy>,
    pub opposing: Vec<OpposingParagraph>,
}

/// Where a record is, for messages.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub path: &'a Path,
    pub line: usize,
}

impl At<'_> {
    pub fn error(&self, message: impl Into<String>) -> ReportError {
        ReportError::Record {
            path: self.path.to_path_buf(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// A record's fields, from a JSON object or a CSV row.
pub trait FieldSource {
    /// The field's value: `Ok(None)` when absent, null or (in CSV) empty; an error for a value
    /// that is not a string, number or boolean.
    fn text(&self, name: &str, at: At) -> Result<Option<String>, ReportError>;

    /// A text to score: as [`FieldSource::text`], but only a string will do in JSON, as for
    /// every other command that reads texts.
    fn article_text(&self, name: &str, at: At) -> Result<Option<String>, ReportError> {
        self.text(name, at)
    }

    /// The record's field names, when a record chooses its own (JSON); `None` for a table row,
    /// whose columns the header fixed.
    fn keys(&self) -> Option<Vec<String>> {
        None
    }
}

impl FieldSource for Map<String, Value> {
    fn text(&self, name: &str, at: At) -> Result<Option<String>, ReportError> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(Value::Array(_)) => {
                Err(at.error(format!("field {name:?} is an array, not a value")))
            }
            Some(Value::Object(_)) => {
                Err(at.error(format!("field {name:?} is an object, not a value")))
            }
        }
    }

    fn article_text(&self, name: &str, at: At) -> Result<Option<String>, ReportError> {
        let found = match self.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => return Ok(Some(s.clone())),
            Some(Value::Number(_)) => "a number",
            Some(Value::Bool(_)) => "a boolean",
            Some(Value::Array(_)) => "an array",
            Some(Value::Object(_)) => "an object",
        };
        Err(StanceError::FieldType {
            path: at.path.to_path_buf(),
            line: at.line,
            field: name.to_string(),
            found,
        }
        .into())
    }

    fn keys(&self) -> Option<Vec<String>> {
        Some(Map::keys(self).cloned().collect())
    }
}

/// What a record shares whether it is scored or raw: id, groups, time bucket and true label.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub id: String,
    pub groups: Vec<String>,
    pub time: Option<String>,
    pub truth: Option<String>,
}

/// Reads the id, group values, time bucket and true label. `scored` picks the default label
/// field (`input_label` or `label`); `time` is the unit of the time series, if any. The date is
/// read only when the report needs it (a time series, or `month` or `week` in `--by`), and
/// tallied in `dates`; `None` when it cannot be read (or, for weeks, has only a month), so
/// that the caller skips the record or refuses the file.
pub fn read_meta(
    source: &impl FieldSource,
    fields: &Fields,
    scored: bool,
    time: Option<TimeUnit>,
    dates: &mut BadDates,
    at: At,
) -> Result<Option<Meta>, ReportError> {
    let units: Vec<TimeUnit> = fields
        .by
        .iter()
        .filter_map(|f| TimeUnit::from_name(f))
        .chain(time)
        .collect();
    let date = match source.text(&fields.date, at)? {
        Some(s) if !s.trim().is_empty() && !units.is_empty() => {
            let date = dates
                .read(&fields.date_format, &s, Some(at.line))
                .filter(|d| !(d.month_only && units.contains(&TimeUnit::Week)));
            if date.is_none() {
                return Ok(None);
            }
            date
        }
        _ => None,
    };
    let mut groups = Vec::with_capacity(fields.by.len());
    for name in &fields.by {
        let value = match TimeUnit::from_name(name) {
            Some(unit) => date.map(|d| unit.bucket(d)),
            None => source
                .text(name, at)?
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        };
        groups.push(value.map_or_else(|| NONE_GROUP.to_string(), group_value));
    }
    let label_field = match &fields.label {
        Some(l) => l.as_str(),
        None if scored => "input_label",
        None => "label",
    };
    let truth = source
        .text(label_field, at)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let id = source
        .text(&fields.id, at)?
        .unwrap_or_else(|| format!("{}:{}", at.path.display(), at.line));
    Ok(Some(Meta {
        id,
        groups,
        time: time.and_then(|unit| date.map(|d| unit.bucket(d))),
        truth,
    }))
}

/// `text[start..end]` with its white space collapsed and cut to `SNIPPET_CHARS`, if those
/// offsets are a slice of `text`.
pub fn snippet(text: &str, start: usize, end: usize) -> Option<String> {
    let part = text.get(start..end)?;
    let words: Vec<&str> = part.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= SNIPPET_CHARS {
        Some(joined)
    } else {
        let cut: String = joined.chars().take(SNIPPET_CHARS - 1).collect();
        Some(format!("{cut}…"))
    }
}

/// A probability object `{label: p}` as (sorted labels, probabilities in that order).
pub fn probabilities(
    value: &Value,
    what: &str,
    at: At,
) -> Result<(Vec<String>, Vec<f64>), ReportError> {
    let Value::Object(map) = value else {
        return Err(at.error(format!("{what} is not an object of label: probability")));
    };
    if map.len() < 2 {
        return Err(at.error(format!("{what} names fewer than two labels")));
    }
    let mut pairs = Vec::with_capacity(map.len());
    for (label, p) in map {
        let p = p
            .as_f64()
            .filter(|p| p.is_finite() && (0.0..=1.0).contains(p))
            .ok_or_else(|| at.error(format!("{what}: p({label}) = {p} is not a probability")))?;
        pairs.push((label.clone(), p));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    let (labels, probabilities): (Vec<String>, Vec<f64>) = pairs.into_iter().unzip();
    check_sum(&probabilities, what, at)?;
    Ok((labels, probabilities))
}

/// How far the probabilities of a scored record may sum from 1: `score` writes them in full,
/// and this leaves room for a table rounded to three decimals.
pub const SUM_TOLERANCE: f64 = 0.01;

/// Refuses probabilities that do not sum to 1 (within [`SUM_TOLERANCE`]): they were not
/// written by `score`, and every share and calibration figure would be wrong.
pub fn check_sum(probabilities: &[f64], what: &str, at: At) -> Result<(), ReportError> {
    let sum: f64 = probabilities.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(at.error(format!(
            "{what} sum to {sum:?}, not 1: not probabilities as stance score writes them"
        )));
    }
    Ok(())
}

/// Refuses evidence no text can have: a known share outside [0, 1], a negative signal.
pub fn check_evidence(e: &Evidence, at: At) -> Result<(), ReportError> {
    if !(0.0..=1.0).contains(&e.known) {
        return Err(at.error(format!("the known share {:?} is not in [0, 1]", e.known)));
    }
    if e.signal < 0.0 || e.signal.is_nan() {
        return Err(at.error(format!("the signal {:?} is negative", e.signal)));
    }
    Ok(())
}

/// The index of the label named `name`.
pub fn label_index(
    labels: &[String],
    name: &str,
    what: &str,
    at: At,
) -> Result<usize, ReportError> {
    labels.iter().position(|l| l == name).ok_or_else(|| {
        at.error(format!(
            "{what} {name:?} is not among the probabilities' labels ({})",
            labels.join(", ")
        ))
    })
}

/// The paragraphs of a scored JSON record that oppose its article; `text` (a kept text field)
/// gives their snippets.
pub fn opposing_from_json(
    value: &Value,
    labels: &[String],
    article_label: usize,
    text: Option<&str>,
    at: At,
) -> Result<Vec<OpposingParagraph>, ReportError> {
    let Value::Array(items) = value else {
        return Err(at.error("\"paragraphs\" is not an array"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("paragraph {i}");
        let Value::Object(p) = item else {
            return Err(at.error(format!("{what} is not an object")));
        };
        let number = |key: &str| {
            p.get(key)
                .and_then(Value::as_u64)
                .map(|n| n as usize)
                .ok_or_else(|| at.error(format!("{what}: field {key:?} is missing or not a count")))
        };
        let (names, probs) = probabilities(
            p.get("probabilities").unwrap_or(&Value::Null),
            &format!("{what}'s probabilities"),
            at,
        )?;
        if names != labels {
            return Err(at.error(format!("{what}'s labels differ from its article's")));
        }
        // A paragraph without a label (a tie) opposes nothing.
        if p.get("label").is_some_and(Value::is_null) {
            continue;
        }
        let name = p.get("label").and_then(Value::as_str).ok_or_else(|| {
            at.error(format!(
                "{what}: field \"label\" is missing or not a string"
            ))
        })?;
        let label = label_index(labels, name, &format!("{what}'s label"), at)?;
        let uncertain = p.get("uncertain").and_then(Value::as_bool).ok_or_else(|| {
            at.error(format!(
                "{what}: field \"uncertain\" is missing or not a boolean"
            ))
        })?;
        let signal = p
            .get("evidence")
            .and_then(|e| e.get("signal"))
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN);
        let (index, start, end) = (number("index")?, number("start")?, number("end")?);
        // Offsets are bytes into the kept text: they must lie within it, on characters.
        let fits = match text {
            Some(t) => t.get(start..end).is_some(),
            None => start <= end,
        };
        if !fits {
            return Err(at.error(format!(
                "{what}: offsets {start}..{end} are not a span of the text{}",
                text.map_or(String::new(), |t| format!(
                    " ({} bytes, cut on character boundaries)",
                    t.len()
                ))
            )));
        }
        if label != article_label && !uncertain {
            out.push(OpposingParagraph {
                index,
                start,
                end,
                label,
                p_label: probs[label],
                p_article_label: probs[article_label],
                signal,
                snippet: text.and_then(|t| snippet(t, start, end)),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_collapse_space_and_refuse_bad_offsets() {
        assert_eq!(snippet("a  b\n\nc d", 0, 7).as_deref(), Some("a b c"));
        assert_eq!(snippet("é", 1, 2), None);
        assert_eq!(snippet("abc", 2, 9), None);
        let long = "x ".repeat(500);
        assert_eq!(
            snippet(&long, 0, long.len()).unwrap().chars().count(),
            SNIPPET_CHARS
        );
    }

    #[test]
    fn group_values_and_the_none_group() {
        let map: Map<String, Value> = serde_json::from_str(
            r#"{"id": 7, "source": " Example Wire ", "date": "2022-03-02", "input_label": "a"}"#,
        )
        .unwrap();
        let fields = Fields {
            by: vec!["source".into(), "week".into(), "desk".into()],
            ..Fields::default()
        };
        let at = At {
            path: Path::new("x.jsonl"),
            line: 3,
        };
        let mut dates = BadDates::new(Path::new("x.jsonl"));
        let meta = read_meta(&map, &fields, true, Some(TimeUnit::Month), &mut dates, at)
            .unwrap()
            .unwrap();
        assert_eq!(meta.groups, ["Example Wire", "2022-W09", NONE_GROUP]);
        assert_eq!(
            (
                meta.id.as_str(),
                meta.time.as_deref(),
                meta.truth.as_deref()
            ),
            ("7", Some("2022-03"), Some("a"))
        );
        let bad: Map<String, Value> = serde_json::from_str(r#"{"date": "March 2"}"#).unwrap();
        assert!(read_meta(&bad, &fields, true, None, &mut dates, at)
            .unwrap()
            .is_none());
        assert_eq!((dates.bad, dates.total), (1, 2));
        // Without a time series or a date group the date is not read at all.
        let undated = Fields {
            by: vec!["source".into()],
            ..Fields::default()
        };
        assert!(read_meta(&bad, &undated, true, None, &mut dates, at)
            .unwrap()
            .is_some());
        assert_eq!(dates.total, 2);
    }
}
