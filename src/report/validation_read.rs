//! Reading a validation sample: a labelled random sample of the corpus being reported on, as
//! `stance sample --strategy random` writes it and a person fills it in (CSV, TSV or JSON
//! Lines with an id, a `label` and optionally a `weight`).
//!
//! A row whose label is empty is not labelled yet: it is skipped and counted. A weight that is
//! not a positive number, or an id given twice, is an error naming the file and line.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::error::StanceError;
use crate::io::corpus::Format;
use crate::io::json_lines::JsonLineReader;
use crate::io::label_log;
use crate::io::table::{csv_error, csv_with_header, line_of};
use crate::report::error::ReportError;
use crate::report::record::{At, FieldSource};

/// The label and weight fields of a validation sample.
pub const LABEL_FIELD: &str = "label";
pub const WEIGHT_FIELD: &str = "weight";

/// One labelled row of a validation sample.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledRow {
    pub id: String,
    pub label: String,
    /// The inclusion weight; 1 without a weight column.
    pub weight: f64,
    pub path: PathBuf,
    pub line: usize,
}

/// A validation sample as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub rows: Vec<LabelledRow>,
    /// Rows with an empty label, skipped.
    pub unlabelled: usize,
}

impl FieldSource for (&HashMap<String, usize>, &csv::StringRecord) {
    fn text(&self, name: &str, _at: At) -> Result<Option<String>, ReportError> {
        Ok(self
            .0
            .get(name)
            .and_then(|&i| self.1.get(i))
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string))
    }
}

/// Reads every file of `paths`; `id_field` names the id column.
pub fn read_sample(paths: &[PathBuf], id_field: &str) -> Result<Sample, ReportError> {
    let mut sample = Sample::default();
    let mut seen = HashSet::new();
    for path in paths {
        let mut add = |source: &dyn FieldSource, line: usize| {
            let at = At { path, line };
            add_row(source, id_field, at, &mut sample, &mut seen)
        };
        match Format::of(path) {
            Format::JsonLines if label_log::is_label_log(path) => {
                read_label_log(path, &mut sample, &mut seen)?
            }
            Format::JsonLines => read_jsonl(path, &mut add)?,
            Format::Csv => read_table(path, b',', &mut add)?,
            Format::Tsv => read_table(path, b'\t', &mut add)?,
            _ => return Err(ReportError::Format { path: path.clone() }),
        }
    }
    Ok(sample)
}

/// A `stance annotate` label log: its standing labels, each at the line of its label record.
/// (Draw it with `--strategy random`: the other strategies are not probability samples.)
fn read_label_log(
    path: &Path,
    sample: &mut Sample,
    seen: &mut HashSet<String>,
) -> Result<(), ReportError> {
    let as_error = |e: label_log::LogError| {
        ReportError::from(StanceError::Input {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    };
    let replay = label_log::read_log(path).map_err(as_error)?;
    let lines: HashMap<&str, usize> = replay
        .records
        .iter()
        .filter(|(_, r)| r.label.is_some())
        .map(|(line, r)| (r.id.as_str(), *line))
        .collect();
    for doc in label_log::labelled_documents(path).map_err(as_error)? {
        let (Some(id), Some(label)) = (doc.id, doc.label) else {
            continue;
        };
        let line = lines.get(id.as_str()).copied().unwrap_or(0);
        if !seen.insert(id.clone()) {
            return Err(At { path, line }.error(format!(
                "id {id:?} is labelled twice in the validation sample"
            )));
        }
        sample.rows.push(LabelledRow {
            id,
            label,
            weight: 1.0,
            path: path.to_path_buf(),
            line,
        });
    }
    Ok(())
}

fn add_row(
    source: &dyn FieldSource,
    id_field: &str,
    at: At,
    sample: &mut Sample,
    seen: &mut HashSet<String>,
) -> Result<(), ReportError> {
    let id = source
        .text(id_field, at)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| at.error(format!("the validation row has no {id_field:?}")))?;
    let Some(label) = source
        .text(LABEL_FIELD, at)?
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    else {
        sample.unlabelled += 1;
        return Ok(());
    };
    let weight = match source.text(WEIGHT_FIELD, at)? {
        None => 1.0,
        Some(w) => w
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|w| w.is_finite() && *w > 0.0)
            .ok_or_else(|| at.error(format!("weight {w:?} is not a positive number")))?,
    };
    if !seen.insert(id.clone()) {
        return Err(at.error(format!(
            "id {id:?} is labelled twice in the validation sample"
        )));
    }
    sample.rows.push(LabelledRow {
        id,
        label,
        weight,
        path: at.path.to_path_buf(),
        line: at.line,
    });
    Ok(())
}

fn open(path: &Path) -> Result<File, ReportError> {
    File::open(path).map_err(|e| StanceError::io(path, e).into())
}

fn read_jsonl(
    path: &Path,
    add: &mut dyn FnMut(&dyn FieldSource, usize) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let mut lines = JsonLineReader::new(path, BufReader::new(open(path)?));
    while let Some(read) = lines.next_object() {
        let (line, map) = read?;
        add(&map, line)?;
    }
    Ok(())
}

fn read_table(
    path: &Path,
    delimiter: u8,
    add: &mut dyn FnMut(&dyn FieldSource, usize) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let (mut reader, headers) = csv_with_header(path, BufReader::new(open(path)?), delimiter)?;
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_string(), i))
        .collect();
    if !columns.contains_key(LABEL_FIELD) {
        return Err(ReportError::Record {
            path: path.to_path_buf(),
            line: 1,
            message: format!(
                "the validation sample has no {LABEL_FIELD:?} column (columns: {})",
                headers.join(", ")
            ),
        });
    }
    let mut row = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, e, &mut reader).into()),
        }
        // Physical lines, as every other reader counts them (CRLF, quoted newlines).
        let line = line_of(&mut reader, row.position());
        add(&(&columns, &row), line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlabelled_rows_are_counted_and_bad_weights_and_repeats_refused() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("v.csv");
        std::fs::write(&csv, "id,text,label,weight\n1,x,a,2.5\n2,y,,1\n3,z,b,\n").unwrap();
        let s = read_sample(std::slice::from_ref(&csv), "id").unwrap();
        assert_eq!(s.unlabelled, 1);
        assert_eq!(
            s.rows
                .iter()
                .map(|r| (r.id.as_str(), r.label.as_str(), r.weight))
                .collect::<Vec<_>>(),
            [("1", "a", 2.5), ("3", "b", 1.0)]
        );
        let jsonl = dir.path().join("v.jsonl");
        std::fs::write(
            &jsonl,
            "{\"id\": 1, \"label\": \"a\"}\n\n{\"id\": 1, \"label\": \"b\"}\n",
        )
        .unwrap();
        let err = read_sample(&[jsonl], "id").unwrap_err().to_string();
        assert!(
            err.contains("v.jsonl:3") && err.contains("labelled twice"),
            "{err}"
        );
        std::fs::write(&csv, "id,label,weight\n1,a,-1\n").unwrap();
        let err = read_sample(&[csv], "id").unwrap_err().to_string();
        assert!(
            err.contains("v.csv:2") && err.contains("not a positive number"),
            "{err}"
        );
    }
}
