//! Reading the report's inputs, one record at a time: JSON Lines, CSV or TSV files (or JSON
//! Lines on stdin), each record either scored already (`stance score --format jsonl|csv`
//! output, told by its `probabilities` field or `p_<label>` columns) or raw (a text to score).
//!
//! Raw records are scored here, paragraphs and all, with every term's exact contribution (as
//! `explain` computes it), in parallel batches. Records reach the sink in
//! input order whatever the number of threads.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::{delimiter_hint, StanceError};
use crate::io::corpus::{text_fields, Format};
use crate::io::date::BadDates;
use crate::io::json_lines::{json_error, line_text, JsonLineReader};
use crate::io::table::{csv_error, csv_with_header, line_of};
use crate::model::evidence::{Evidence, UncertaintyPolicy};
use crate::model::fitted::Model;
use crate::report::contributions::term_contributions;
use crate::report::date::TimeUnit;
use crate::report::error::ReportError;
use crate::report::record::{
    check_evidence, check_sum, label_index, opposing_from_json, probabilities, read_meta, snippet,
    At, FieldSource, Fields, Meta, OpposingParagraph, ReportRecord, TermRecord,
};

/// Raw records scored per parallel batch: enough to keep every core busy, few enough that the
/// batch's explanations (tokens, spans, terms) stay small.
const BATCH: usize = 256;

/// A record as read, before raw ones are scored.
enum Pending {
    Scored {
        labels: Vec<String>,
        record: ReportRecord,
        line: usize,
    },
    Raw {
        meta: Meta,
        text: String,
        line: usize,
    },
}

/// A record of a batch once scored: its labels (`None`: the model's), the record, its terms
/// and its line.
type Done = (Option<Vec<String>>, ReportRecord, Vec<TermRecord>, usize);

/// What the reader hands on: a record, its terms (raw records only), its labels and where it
/// came from.
pub struct Scored<'a> {
    pub labels: &'a [String],
    pub record: ReportRecord,
    pub terms: Vec<TermRecord>,
    pub at: At<'a>,
}

/// Reads every record of `paths` in order and hands each, scored, to `sink`. `model` scores
/// raw records; without one a raw record is an error naming it. A record whose date cannot be
/// read is skipped and counted; the count, once per file, is an error unless `skip_bad`, and
/// otherwise a note returned.
pub fn read_all(
    paths: &[PathBuf],
    fields: &Fields,
    time: Option<TimeUnit>,
    model: Option<&Model>,
    skip_bad: bool,
    sink: &mut dyn FnMut(Scored) -> Result<(), ReportError>,
) -> Result<Vec<String>, ReportError> {
    let mut notes = Vec::new();
    for path in paths {
        let mut batch = Vec::new();
        let mut flush = |batch: &mut Vec<Pending>| flush(path, batch, model, sink);
        let mut push = |pending: Pending| -> Result<(), ReportError> {
            batch.push(pending);
            if batch.len() >= BATCH {
                flush(&mut batch)?;
            }
            Ok(())
        };
        let name = if path == Path::new("-") {
            Path::new("<stdin>")
        } else {
            path.as_path()
        };
        let mut dates = BadDates::new(name);
        if path == Path::new("-") {
            let stdin = BufReader::new(std::io::stdin().lock());
            read_jsonl(name, stdin, fields, time, &mut dates, &mut push)?;
        } else {
            let delimiter = |tsv| delimiter_for(tsv, fields.delimiter);
            match Format::of(path) {
                Format::JsonLines => {
                    let file = open(path)?;
                    let reader = BufReader::new(file);
                    read_jsonl(path, reader, fields, time, &mut dates, &mut push)?
                }
                Format::Csv => {
                    read_csv(path, delimiter(false), fields, time, &mut dates, &mut push)?
                }
                Format::Tsv => {
                    read_csv(path, delimiter(true), fields, time, &mut dates, &mut push)?
                }
                Format::Folder | Format::Text => {
                    return Err(ReportError::Format { path: path.clone() })
                }
            }
        }
        flush(&mut batch)?;
        if let Some(message) = dates.message(&fields.date_format, "`date_format`") {
            if !skip_bad {
                return Err(ReportError::Dates { message });
            }
            notes.push(format!(
                "{message}; `skip_bad` left those {} records out",
                dates.bad
            ));
        }
    }
    Ok(notes)
}

/// The delimiter of a CSV (`tsv` false) or TSV file: the one given, else a comma or a tab.
fn delimiter_for(tsv: bool, given: Option<u8>) -> u8 {
    given.unwrap_or(if tsv { b'\t' } else { b',' })
}

fn open(path: &Path) -> Result<File, ReportError> {
    if path.is_dir() {
        return Err(StanceError::IsDirectory {
            path: path.to_path_buf(),
        }
        .into());
    }
    File::open(path).map_err(|e| StanceError::io(path, e).into())
}

/// Scores the raw records of `batch` in parallel and hands everything to `sink` in order.
fn flush(
    path: &Path,
    batch: &mut Vec<Pending>,
    model: Option<&Model>,
    sink: &mut dyn FnMut(Scored) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let items = std::mem::take(batch);
    let model_labels: Option<Vec<String>> = model.map(|m| sorted_labels(m.labels()));
    let scored: Vec<Result<Done, ReportError>> = items
        .into_par_iter()
        .map(|item| match item {
            Pending::Scored {
                labels,
                record,
                line,
            } => Ok((Some(labels), record, Vec::new(), line)),
            Pending::Raw { meta, text, line } => {
                let model = model.ok_or_else(|| ReportError::NoModel {
                    path: path.to_path_buf(),
                    line,
                })?;
                let (record, terms) = score_raw(model, meta, &text);
                Ok((None, record, terms, line))
            }
        })
        .collect();
    for result in scored {
        let (labels, record, terms, line) = result?;
        let labels = match &labels {
            Some(l) => l.as_slice(),
            None => model_labels.as_deref().unwrap_or_default(),
        };
        sink(Scored {
            labels,
            record,
            terms,
            at: At { path, line },
        })?;
    }
    Ok(())
}

/// The model's labels, sorted: the report's order, which is also the order of the
/// probabilities in a scored JSON record.
fn sorted_labels(labels: &[String]) -> Vec<String> {
    let mut l = labels.to_vec();
    l.sort();
    l
}

/// Scores a raw record: its article, paragraphs and terms, in sorted label order.
fn score_raw(model: &Model, meta: Meta, text: &str) -> (ReportRecord, Vec<TermRecord>) {
    let labels = model.labels();
    let sorted = sorted_labels(labels);
    // order[i]: the model's index of the report's i-th label.
    let order: Vec<usize> = sorted
        .iter()
        .map(|l| labels.iter().position(|m| m == l).unwrap_or(0))
        .collect();
    let reorder = |v: &[f64]| -> Vec<f64> { order.iter().map(|&i| v[i]).collect() };
    let to_report = |i: usize| order.iter().position(|&o| o == i).unwrap_or(0);
    let score = model.score(text, true);
    let p = &score.prediction;
    let probabilities = reorder(&p.probabilities);
    let opposing = if p.uncertain {
        Vec::new()
    } else if let Some(label) = p.label.map(to_report) {
        score
            .paragraphs
            .iter()
            .filter_map(|q| {
                let ql = q.prediction.label.map(to_report)?;
                (!q.prediction.uncertain && ql != label).then_some((q, ql))
            })
            .map(|(q, ql)| {
                let qp = reorder(&q.prediction.probabilities);
                OpposingParagraph {
                    index: q.index,
                    start: q.span.start,
                    end: q.span.end,
                    label: ql,
                    p_label: qp[ql],
                    p_article_label: qp[label],
                    signal: q.prediction.evidence.signal,
                    snippet: snippet(text, q.span.start, q.span.end),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let terms = term_contributions(model, text)
        .into_iter()
        .map(|t| TermRecord {
            contributions: reorder(&t.contributions),
            ..t
        })
        .collect();
    let record = report_record(
        meta,
        (p.label.map(to_report), score.language.map(str::to_string)),
        probabilities,
        p.uncertain,
        p.evidence,
        Some(opposing),
    );
    (record, terms)
}

/// Reads JSON Lines, one object per non-blank line.
fn read_jsonl(
    path: &Path,
    reader: impl BufRead,
    fields: &Fields,
    time: Option<TimeUnit>,
    dates: &mut BadDates,
    push: &mut dyn FnMut(Pending) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let mut lines = JsonLineReader::new(path, reader);
    while let Some(read) = lines.next_line() {
        let l = read?;
        let line = l.number;
        let text = line_text(l.bytes, path, line)?;
        let mut map: Map<String, Value> =
            serde_json::from_str(text).map_err(|e| json_error(path, line, &e))?;
        id_as_written(&mut map, text, &fields.id);
        if let Some(pending) = json_record(&map, fields, time, dates, At { path, line })? {
            push(pending)?;
        }
    }
    Ok(())
}

/// A numeric id as its JSON text: `12345678901234567890123` and `…124` are two ids, which a
/// float would make one.
fn id_as_written(map: &mut Map<String, Value>, line: &str, id: &str) {
    if !matches!(map.get(id), Some(Value::Number(_))) {
        return;
    }
    let raw: Result<std::collections::HashMap<String, Box<serde_json::value::RawValue>>, _> =
        serde_json::from_str(line);
    if let Some(written) = raw
        .ok()
        .and_then(|r| r.get(id).map(|v| v.get().trim().to_string()))
    {
        map.insert(id.to_string(), Value::String(written));
    }
}

/// One JSON object: scored when it has `probabilities`, else raw; `None` when its date cannot
/// be read (tallied in `dates`).
fn json_record(
    map: &Map<String, Value>,
    fields: &Fields,
    time: Option<TimeUnit>,
    dates: &mut BadDates,
    at: At,
) -> Result<Option<Pending>, ReportError> {
    let Some(probs) = map.get("probabilities") else {
        return raw(map, fields, time, dates, at);
    };
    let Some(meta) = read_meta(map, fields, true, time, dates, at)? else {
        return Ok(None);
    };
    let (labels, probabilities) = probabilities(probs, "\"probabilities\"", at)?;
    let label = match map.get("label") {
        Some(Value::Null) => None,
        label => {
            let name = label.and_then(Value::as_str).ok_or_else(|| {
                at.error("a scored record needs the predicted \"label\" as a string or null")
            })?;
            Some(label_index(&labels, name, "the predicted label", at)?)
        }
    };
    let language = map
        .get("language")
        .and_then(Value::as_str)
        .map(str::to_string);
    let uncertain = map
        .get("uncertain")
        .and_then(Value::as_bool)
        .ok_or_else(|| at.error("a scored record needs \"uncertain\" as a boolean"))?;
    let evidence: Evidence = map
        .get("evidence")
        .cloned()
        .ok_or_else(|| {
            at.error(
                "a scored record needs its \"evidence\" (stance score --format jsonl writes it)",
            )
        })
        .and_then(|e| {
            serde_json::from_value(e).map_err(|e| at.error(format!("\"evidence\": {e}")))
        })?;
    check_evidence(&evidence, at)?;
    // `cv --predictions` records the cut-offs that decided `uncertain`.
    let policy: Option<UncertaintyPolicy> = match map.get("uncertainty") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .map_err(|e| at.error(format!("\"uncertainty\": {e}")))?,
        ),
    };
    let text = map.get(&fields.text).and_then(Value::as_str);
    let opposing = match map.get("paragraphs") {
        None | Some(Value::Null) => None,
        Some(value) => Some(match label {
            Some(label) if !uncertain => opposing_from_json(value, &labels, label, text, at)?,
            _ => Vec::new(),
        }),
    };
    let mut record = report_record(
        meta,
        (label, language),
        probabilities,
        uncertain,
        evidence,
        opposing,
    );
    record.policy = policy;
    Ok(Some(Pending::Scored {
        record,
        labels,
        line: at.line,
    }))
}

/// A raw record: its metadata and text, to be scored; `None` when its date cannot be read.
fn raw(
    source: &impl FieldSource,
    fields: &Fields,
    time: Option<TimeUnit>,
    dates: &mut BadDates,
    at: At,
) -> Result<Option<Pending>, ReportError> {
    let Some(meta) = read_meta(source, fields, false, time, dates, at)? else {
        return Ok(None);
    };
    // `--text-field a,b`: the fields present, joined by a blank line.
    let names = text_fields(&fields.text);
    let (mut parts, mut present) = (Vec::new(), false);
    for name in &names {
        if let Some(t) = source.article_text(name, at)? {
            present = true;
            if !t.trim().is_empty() {
                parts.push(t);
            }
        }
    }
    if parts.is_empty() {
        // The errors of every other reader of texts (`crate::io`), for the same record.
        let path = at.path.to_path_buf();
        return Err(match source.keys() {
            Some(found) if !present => StanceError::MissingField {
                path,
                line: at.line,
                field: names[0].to_string(),
                role: "text",
                found,
            },
            _ => StanceError::EmptyText {
                path,
                line: Some(at.line),
            },
        }
        .into());
    }
    let text = parts.join("\n\n");
    Ok(Some(Pending::Raw {
        meta,
        text,
        line: at.line,
    }))
}

/// A CSV row, by column name.
struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Row<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.columns
            .get(name)
            .and_then(|&i| self.record.get(i))
            .filter(|s| !s.trim().is_empty())
    }

    fn number(&self, name: &str, at: At) -> Result<f64, ReportError> {
        let s = self
            .get(name)
            .ok_or_else(|| at.error(format!("column {name:?} is empty")))?;
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| at.error(format!("column {name:?} holds {s:?}, not a number")))
    }
}

impl FieldSource for Row<'_> {
    fn text(&self, name: &str, _at: At) -> Result<Option<String>, ReportError> {
        Ok(self.get(name).map(str::to_string))
    }
}

/// Reads a CSV or TSV file with a header: scored when it has `label`, `uncertain` and
/// `p_<label>` columns (the columns of `stance score --format csv`), else raw.
fn read_csv(
    path: &Path,
    delimiter: u8,
    fields: &Fields,
    time: Option<TimeUnit>,
    dates: &mut BadDates,
    push: &mut dyn FnMut(Pending) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let (mut reader, headers) = csv_with_header(path, BufReader::new(open(path)?), delimiter)?;
    let mut columns = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_string();
        if columns.insert(h.clone(), i).is_some() {
            return Err(StanceError::DuplicateColumn {
                path: path.to_path_buf(),
                column: h,
            }
            .into());
        }
    }
    let mut labels: Vec<String> = columns
        .keys()
        .filter_map(|h| h.strip_prefix("p_").map(str::to_string))
        .collect();
    labels.sort();
    let scored =
        labels.len() >= 2 && columns.contains_key("label") && columns.contains_key("uncertain");
    if !scored
        && !text_fields(&fields.text)
            .iter()
            .all(|t| columns.contains_key(*t))
    {
        let mut found = headers;
        found.truncate(20);
        let hint = delimiter_hint(&found);
        return Err(ReportError::Record {
            path: path.to_path_buf(),
            line: 1,
            message: format!(
                "the header has neither a {:?} column to score nor the label, uncertain and p_<label> columns of scored records; it has: {}{hint}",
                fields.text,
                found.join(", ")
            ),
        });
    }
    let mut any = false;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e, &mut reader).into()),
        }
        let line = line_of(&mut reader, record.position());
        let at = At { path, line };
        let row = Row {
            columns: &columns,
            record: &record,
        };
        any = true;
        if !scored {
            if let Some(pending) = raw(&row, fields, time, dates, at)? {
                push(pending)?;
            }
            continue;
        }
        let Some(meta) = read_meta(&row, fields, true, time, dates, at)? else {
            continue;
        };
        let mut probabilities = Vec::with_capacity(labels.len());
        for l in &labels {
            let p = row.number(&format!("p_{l}"), at)?;
            if !(0.0..=1.0).contains(&p) {
                return Err(at.error(format!("column \"p_{l}\" holds {p}, not a probability")));
            }
            probabilities.push(p);
        }
        check_sum(&probabilities, "the p_ columns", at)?;
        // An empty label: the record has none (`stance score` writes none for a tie).
        let label = match row.get("label").map(str::trim).filter(|l| !l.is_empty()) {
            Some(name) => Some(label_index(&labels, name, "the predicted label", at)?),
            None => None,
        };
        let language = row.get("language").map(|l| l.trim().to_string());
        let uncertain = match row.get("uncertain").map(str::trim) {
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            other => {
                return Err(at.error(format!(
                    "column \"uncertain\" holds {:?}, not true or false",
                    other.unwrap_or("")
                )))
            }
        };
        let signal = row.number("signal", at)?;
        let evidence = Evidence {
            tokens: row.number("tokens", at)? as usize,
            known: row.number("known", at)?,
            signal,
            // The CSV does not carry the weighted-term count; a text with none has no signal.
            terms: usize::from(signal > 0.0),
        };
        check_evidence(&evidence, at)?;
        push(Pending::Scored {
            labels: labels.clone(),
            record: report_record(
                meta,
                (label, language),
                probabilities,
                uncertain,
                evidence,
                None,
            ),
            line,
        })?;
    }
    if !any {
        return Err(StanceError::HeaderOnly {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

/// A record from its metadata and its prediction; `opposing` is `None` when no paragraph scores
/// came with it.
fn report_record(
    meta: Meta,
    (label, language): (Option<usize>, Option<String>),
    probabilities: Vec<f64>,
    uncertain: bool,
    evidence: Evidence,
    opposing: Option<Vec<OpposingParagraph>>,
) -> ReportRecord {
    ReportRecord {
        id: meta.id,
        groups: meta.groups,
        time: meta.time,
        truth: meta.truth,
        label,
        language,
        probabilities,
        uncertain,
        evidence,
        has_paragraphs: opposing.is_some(),
        opposing: opposing.unwrap_or_default(),
        policy: None,
    }
}
