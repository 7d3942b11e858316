//! Training data as `train` and `cv` read it: every `--data` path in order, remembering which
//! file each document came from, so that messages can point at a file and line; the check for
//! labels spelled two ways (a warning, or an error under `--strict-labels`); and each path's
//! SHA-256 for the model file.

use std::path::{Path, PathBuf};

use anyhow::bail;

use stance::io::corpus::{Document, FieldNames};
use stance::train::data::record_lines;
use stance::train::labels::{label_variants, LabelVariants};

use super::options::DataArgs;

/// The documents of every `--data` path, in order, and where each came from.
pub struct TrainingData {
    pub docs: Vec<Document>,
    /// Each path with the index of its first document.
    files: Vec<(PathBuf, usize)>,
    fields: FieldNames,
}

impl TrainingData {
    /// Reads `data`, then checks its labels: labels that differ only in case or surrounding
    /// whitespace are a warning on stderr, or an error with `strict_labels`.
    pub fn read(data: &DataArgs, strict_labels: bool) -> anyhow::Result<TrainingData> {
        let mut docs = Vec::new();
        let mut files = Vec::new();
        for (path, file_docs) in data.data.iter().zip(data.read_each()?) {
            files.push((path.clone(), docs.len()));
            docs.extend(file_docs);
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

    /// Where document `i` is: `FILE:LINE` for a line format, the `.txt` file for a folder.
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
