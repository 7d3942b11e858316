//! Training data as `train` and `cv` read it: every `--data` path in order, remembering which
//! file each document came from, so that messages can point at a file and line; the check for
//! labels spelled two ways (a warning, or an error under `--strict-labels`); and each path's
//! SHA-256 for the model file.

use std::path::{Path, PathBuf};

use anyhow::bail;

use stance::io::corpus::{Document, FieldNames};
use stance::train::data::record_lines;
use stance::train::labels::{label_variants, LabelVariants};

use super::options::{DataArgs, DatedFile};

/// The documents of every `--data` path, in order, and where each came from.
pub struct TrainingData {
    pub docs: Vec<Document>,
    /// Each path with the index of its first document.
    files: Vec<(PathBuf, usize)>,
    fields: FieldNames,
}

/// Whether a command needs the documents' dates (`cv --group-by month`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dates {
    /// Not needed: a date that does not read is a warning, and its document counts as undated.
    Optional,
    /// Needed: dates that do not read are an error naming the file, or with `skip_bad` their
    /// documents are left out, counted and named.
    Needed { skip_bad: bool },
}

impl TrainingData {
    /// Reads `data`, then checks its labels: labels that differ only in case or surrounding
    /// whitespace are a warning on stderr, or an error with `strict_labels`. `dates` says what
    /// a date that does not read means.
    pub fn read(
        data: &DataArgs,
        strict_labels: bool,
        dates: Dates,
    ) -> anyhow::Result<TrainingData> {
        let mut docs = Vec::new();
        let mut files = Vec::new();
        let mut refused = Vec::new();
        let fields = data.fields();
        for (path, mut file) in data.data.iter().zip(data.read_dated()?) {
            if let Some(message) = file.message() {
                match dates {
                    Dates::Optional => {
                        super::warn(format_args!("{message}; those documents count as undated"));
                        file.undate();
                    }
                    Dates::Needed { skip_bad: false } => refused.push(message),
                    Dates::Needed { skip_bad: true } => {
                        super::warn(format_args!(
                            "{message}; --skip-bad left those {} documents out",
                            file.bad.len()
                        ));
                        drop_bad_dates(path, &fields, &mut file);
                    }
                }
            }
            files.push((path.clone(), docs.len()));
            docs.extend(file.docs);
        }
        if !refused.is_empty() {
            bail!(
                "{}; this needs every date, so pass --date-format, or --skip-bad to leave those documents out",
                refused.join("; ")
            );
        }
        let data = TrainingData {
            docs,
            files,
            fields: data.fields(),
        };
        let variants = label_variants(&data.docs);
        if !variants.is_empty() {
            let problems: Vec<String> = variants.iter().map(|v| data.describe(v)).collect();
            if strict_labels {
                bail!(
                    "{}; --strict-labels refuses labels spelled more than one way: make them one",
                    problems.join("; ")
                );
            }
            for p in problems {
                super::warn(format_args!(
                    "{p}, so they are trained as different labels; make them one, or pass --strict-labels to refuse such data"
                ));
            }
        }
        Ok(data)
    }

    /// "labels "pro" (20 documents) and "Pro" (1 document, the first at FILE:LINE) differ only
    /// in case or surrounding whitespace".
    fn describe(&self, v: &LabelVariants) -> String {
        let count = |n: usize| format!("{n} document{}", if n == 1 { "" } else { "s" });
        let mut parts = Vec::new();
        for (k, s) in v.spellings.iter().enumerate() {
            if k == 0 {
                parts.push(format!("{:?} ({})", s.label, count(s.count)));
            } else {
                parts.push(format!(
                    "{:?} ({}, the first at {})",
                    s.label,
                    count(s.count),
                    self.origin(s.first)
                ));
            }
        }
        let last = parts.pop().unwrap_or_default();
        format!(
            "labels {} and {last} differ only in case or surrounding whitespace",
            parts.join(", ")
        )
    }

    /// Where document `i` is: `FILE:LINE` for a line format, the `.txt` file for a folder
    /// (after [`drop_bad_dates`], every document has its id, so that this is not asked).
    pub fn origin(&self, i: usize) -> String {
        match self.files.iter().rev().find(|(_, start)| *start <= i) {
            Some((path, start)) => {
                self.locate(path, *start, record_lines(path, &self.fields).as_deref(), i)
            }
            None => format!("document {}", i + 1),
        }
    }

    /// Every document's origin ([`TrainingData::origin`]), reading each file's lines once.
    pub fn origins(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.docs.len());
        for (k, (path, start)) in self.files.iter().enumerate() {
            let end = self.files.get(k + 1).map_or(self.docs.len(), |f| f.1);
            let lines = record_lines(path, &self.fields);
            out.extend((*start..end).map(|i| self.locate(path, *start, lines.as_deref(), i)));
        }
        out
    }

    /// Document `i`, the `i - start`th record of `path` whose records start on `lines`: its
    /// line, else (a folder) its id, which is its file, else its record number.
    fn locate(&self, path: &Path, start: usize, lines: Option<&[usize]>, i: usize) -> String {
        match lines.and_then(|l| l.get(i - start)) {
            Some(line) => format!("{}:{line}", path.display()),
            None => self.docs[i]
                .id
                .clone()
                .unwrap_or_else(|| format!("{}, record {}", path.display(), i - start + 1)),
        }
    }
}

/// Leaves out the documents whose date did not read, after naming every document without an
/// id by its line (`FILE:LINE`), since the documents' places in the file no longer tell it.
fn drop_bad_dates(path: &Path, fields: &FieldNames, file: &mut DatedFile) {
    let lines = record_lines(path, fields);
    for (i, doc) in file.docs.iter_mut().enumerate() {
        if doc.id.is_none() {
            doc.id = Some(match lines.as_ref().and_then(|l| l.get(i)) {
                Some(line) => format!("{}:{line}", path.display()),
                None => format!("{}, record {}", path.display(), i + 1),
            });
        }
    }
    let bad: std::collections::HashSet<usize> = file.bad.iter().copied().collect();
    let docs = std::mem::take(&mut file.docs);
    file.docs = docs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .map(|(_, d)| d)
        .collect();
    file.bad.clear();
}
