//! The scored record: how a score is written out, as one JSON object (`stance score --format
//! jsonl`) or as CSV rows (`--format csv`), with the input fields the caller keeps.
//!
//! A JSON record lists `id`, the kept fields at top level under their own names, then `label`,
//! `probabilities` {label: p}, `evidence`, `uncertain` and, when asked for, `paragraphs`. CSV
//! rows have the columns of [`csv_header`]. A kept field whose name is one of the output's own
//! names (see [`kept_name`]) is written as `input_<name>`, in both formats alike, so that a
//! table's true `label` column survives as `input_label` next to the predicted `label`.
//!
//! How a kept value is read and what type it has is the caller's business: anything
//! serializable goes into the JSON, and the CSV takes text.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::io::cell::formula_safe;
use crate::model::evidence::Evidence;
use crate::predict::score::{ArticleScore, ParagraphScore, Prediction};

/// The names of the output's own keys and columns, besides `id` and `p_<label>`.
pub const OUTPUT_NAMES: &[&str] = &[
    "label",
    "probabilities",
    "evidence",
    "uncertain",
    "paragraphs",
    "signal",
    "tokens",
    "known",
    "paragraph",
    "paragraph_start",
    "paragraph_end",
];

/// The name a kept field is written under: its own, or `input_<name>` when that is one of the
/// output's names (`id`, [`OUTPUT_NAMES`], `p_<label>` for a label of the model). The id field
/// itself is never kept: it is the `id`.
pub fn kept_name<'a>(name: &'a str, labels: &[String]) -> Cow<'a, str> {
    let clashes = name == "id"
        || OUTPUT_NAMES.contains(&name)
        || name
            .strip_prefix("p_")
            .is_some_and(|l| labels.iter().any(|x| x == l));
    if clashes {
        format!("input_{name}").into()
    } else {
        name.into()
    }
}

/// The names the kept fields are written under, in order: [`kept_name`]'s, and where two
/// would still be the same (a table with two `x` columns, or `label` beside `input_label`), the
/// later ones get `_2`, `_3`, ... so that no value is lost and no key repeats.
pub fn written_names<S: AsRef<str>>(kept: &[S], labels: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(kept.len());
    for k in kept {
        let base = kept_name(k.as_ref(), labels).into_owned();
        let mut name = base.clone();
        let mut n = 1;
        while names.contains(&name) || kept.iter().any(|o| o.as_ref() == name && name != base) {
            n += 1;
            name = format!("{base}_{n}");
        }
        names.push(name);
    }
    names
}

/// One article's score as a JSON object, in the key order of the module docs. Kept fields
/// that are `None` (the record lacks them) are written as `null`.
pub struct ScoredRecord<'a, V> {
    pub id: &'a str,
    pub kept: &'a [(String, Option<V>)],
    pub labels: &'a [String],
    pub score: &'a ArticleScore,
    /// Whether to write the paragraphs (`paragraphs` in the JSON).
    pub paragraphs: bool,
}

impl<V: Serialize> Serialize for ScoredRecord<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &self.score.prediction;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", self.id)?;
        let names: Vec<&str> = self.kept.iter().map(|(n, _)| n.as_str()).collect();
        for (name, (_, value)) in written_names(&names, self.labels).iter().zip(self.kept) {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("label", &self.labels[p.label])?;
        map.serialize_entry("probabilities", &ByLabel(self.labels, &p.probabilities))?;
        map.serialize_entry("evidence", &p.evidence)?;
        map.serialize_entry("uncertain", &p.uncertain)?;
        if self.paragraphs {
            let paragraphs: Vec<ParagraphLine> = self
                .score
                .paragraphs
                .iter()
                .map(|q| ParagraphLine::new(self.labels, q))
                .collect();
            map.serialize_entry("paragraphs", &paragraphs)?;
        }
        map.end()
    }
}

/// One paragraph's score as JSON: `index`, byte offsets `start` and `end` into the article,
/// `label`, `probabilities`, `evidence`, `uncertain`.
#[derive(serde::Serialize)]
pub struct ParagraphLine<'a> {
    index: usize,
    start: usize,
    end: usize,
    label: &'a str,
    probabilities: ByLabel<'a>,
    evidence: &'a Evidence,
    uncertain: bool,
}

impl<'a> ParagraphLine<'a> {
    /// The paragraph `p` of a model with these labels.
    pub fn new(labels: &'a [String], p: &'a ParagraphScore) -> Self {
        ParagraphLine {
            index: p.index,
            start: p.span.start,
            end: p.span.end,
            label: &labels[p.prediction.label],
            probabilities: ByLabel(labels, &p.prediction.probabilities),
            evidence: &p.prediction.evidence,
            uncertain: p.prediction.uncertain,
        }
    }
}

/// Values per label, as a JSON object keyed by label in the model's label order.
pub struct ByLabel<'a>(pub &'a [String], pub &'a [f64]);

impl Serialize for ByLabel<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (label, v) in self.0.iter().zip(self.1) {
            map.serialize_entry(label, v)?;
        }
        map.end()
    }
}

/// The CSV columns: `id`, with paragraphs `paragraph`, `paragraph_start`, `paragraph_end`, the
/// kept fields (named by [`written_names`]), `label`, `p_<label>` for each label, `uncertain`,
/// and the evidence: `signal`, `tokens`, `known`. Names from the input go through
/// [`formula_safe`].
pub fn csv_header(kept: &[String], labels: &[String], paragraphs: bool) -> Vec<String> {
    let mut h = vec!["id".to_string()];
    if paragraphs {
        h.extend(["paragraph", "paragraph_start", "paragraph_end"].map(String::from));
    }
    h.extend(
        written_names(kept, labels)
            .iter()
            .map(|k| formula_safe(k).into_owned()),
    );
    h.push("label".into());
    h.extend(
        labels
            .iter()
            .map(|l| formula_safe(&format!("p_{l}")).into_owned()),
    );
    h.extend(["uncertain", "signal", "tokens", "known"].map(String::from));
    h
}

/// The CSV rows of one article, in the columns of [`csv_header`]: the article's, and with
/// `paragraphs` one more per paragraph (its index and byte span filled in, empty on the
/// article's row). Probabilities are written in full (the shortest text that reads back as
/// the same `f64`).
pub fn csv_rows(
    id: &str,
    kept: &[Cow<str>],
    labels: &[String],
    score: &ArticleScore,
    paragraphs: bool,
) -> Vec<Vec<String>> {
    let row = |paragraph: Option<&ParagraphScore>, p: &Prediction| {
        let mut r = vec![formula_safe(id).into_owned()];
        if paragraphs {
            match paragraph {
                Some(q) => r.extend([q.index, q.span.start, q.span.end].map(|n| n.to_string())),
                None => r.extend(["", "", ""].map(String::from)),
            }
        }
        r.extend(kept.iter().map(|k| k.to_string()));
        r.push(formula_safe(&labels[p.label]).into_owned());
        r.extend(p.probabilities.iter().map(f64::to_string));
        r.push(p.uncertain.to_string());
        r.push(p.evidence.signal.to_string());
        r.push(p.evidence.tokens.to_string());
        r.push(p.evidence.known.to_string());
        r
    };
    let mut rows = vec![row(None, &score.prediction)];
    if paragraphs {
        rows.extend(score.paragraphs.iter().map(|q| row(Some(q), &q.prediction)));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashing_names_get_the_input_prefix() {
        let labels = ["russian".to_string(), "western".to_string()];
        let name = |n| kept_name(n, &labels).into_owned();
        assert_eq!(name("source"), "source");
        assert_eq!(name("label"), "input_label");
        assert_eq!(name("id"), "input_id");
        assert_eq!(name("p_western"), "input_p_western");
        assert_eq!(name("p_other"), "p_other");
        assert_eq!(
            csv_header(&["label".into(), "date".into()], &labels, false),
            [
                "id",
                "input_label",
                "date",
                "label",
                "p_russian",
                "p_western",
                "uncertain",
                "signal",
                "tokens",
                "known"
            ]
        );
    }
}
