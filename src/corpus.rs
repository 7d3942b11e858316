//! Reading documents: JSON Lines, CSV/TSV with a header, a folder with one subfolder per label,
//! and plain `.txt` files.
//!
//! Every error names the file and, for line formats, the 1-based line. JSON Lines are streamed
//! record by record, so scoring a large file holds one record at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::StanceError;

/// One article, with its optional metadata and (for training data) its label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub id: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    pub label: Option<String>,
    pub text: String,
}

/// The sorted distinct labels of `docs` and each document's index into them (documents without
/// a label get index 0; training data always has one).
pub fn label_indices(docs: &[Document]) -> (Vec<String>, Vec<usize>) {
    let labels: Vec<String> = docs
        .iter()
        .filter_map(|d| d.label.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let y = docs
        .iter()
        .map(|d| {
            d.label
                .as_ref()
                .and_then(|l| labels.binary_search(l).ok())
                .unwrap_or(0)
        })
        .collect();
    (labels, y)
}

/// The names of the fields (JSON keys or CSV columns) to read. Defaults to `text`, `label`,
/// `id`, `title`, `source` and `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    pub text: String,
    pub label: String,
    pub id: String,
    pub title: String,
    pub source: String,
    pub date: String,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            text: "text".into(),
            label: "label".into(),
            id: "id".into(),
            title: "title".into(),
            source: "source".into(),
            date: "date".into(),
        }
    }
}

/// The input format, from the path: a directory is a label-per-subfolder corpus; `.jsonl`,
/// `.ndjson` and `.json` are JSON Lines; `.csv` and `.tsv` are delimited with a header; anything
/// else is one plain-text article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
    Tsv,
    Folder,
    Text,
}

impl Format {
    /// Guesses the format of `path`.
    pub fn of(path: &Path) -> Format {
        if path.is_dir() {
            return Format::Folder;
        }
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            Some("csv") => Format::Csv,
            Some("tsv" | "tab") => Format::Tsv,
            _ => Format::Text,
        }
    }
}

/// Reads every document of a training source, requiring a non-empty label on each.
pub fn read_labelled(path: &Path, fields: &FieldNames) -> Result<Vec<Document>, StanceError> {
    let docs = match Format::of(path) {
        Format::Folder => read_folder(path)?,
        Format::Text => {
            return Err(StanceError::Input {
                path: path.to_path_buf(),
                message: "training data must be JSON Lines (.jsonl), CSV (.csv), TSV (.tsv) or a folder with one subfolder per label".into(),
            })
        }
        Format::JsonLines => JsonLines::open(path, fields, true)?.collect::<Result<Vec<_>, _>>()?,
        Format::Csv => read_delimited(path, fields, b',', true)?,
        Format::Tsv => read_delimited(path, fields, b'\t', true)?,
    };
    if docs.is_empty() {
        return Err(StanceError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    Ok(docs)
}

/// Opens a file for reading, naming it in any error.
fn open(path: &Path) -> Result<File, StanceError> {
    if path.is_dir() {
        return Err(StanceError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    File::open(path).map_err(|e| StanceError::io(path, e))
}

/// Reads a whole plain-text file as one article's text.
pub fn read_text_file(path: &Path) -> Result<String, StanceError> {
    let mut bytes = Vec::new();
    open(path)?
        .read_to_end(&mut bytes)
        .map_err(|e| StanceError::io(path, e))?;
    text_from_bytes(path, bytes)
}

/// Decodes a whole text as UTF-8 (a leading byte-order mark is dropped), naming the line of the
/// first invalid byte.
pub fn text_from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<String, StanceError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        StanceError::NotUtf8 {
            path: path.to_path_buf(),
            line,
        }
    })
}

/// A streaming JSON Lines reader: one [`Document`] per non-blank line.
pub struct JsonLines<R> {
    path: PathBuf,
    reader: R,
    fields: FieldNames,
    need_label: bool,
    line: usize,
    buf: Vec<u8>,
    seen_any: bool,
    done: bool,
}

impl JsonLines<BufReader<File>> {
    /// Opens `path`. With `need_label`, every record must carry a non-empty label.
    pub fn open(path: &Path, fields: &FieldNames, need_label: bool) -> Result<Self, StanceError> {
        Ok(JsonLines::new(
            path,
            BufReader::new(open(path)?),
            fields,
            need_label,
        ))
    }
}

impl<R: BufRead> JsonLines<R> {
    /// Reads JSON Lines from any buffered reader; `path` names it in errors.
    pub fn new(path: &Path, reader: R, fields: &FieldNames, need_label: bool) -> Self {
        JsonLines {
            path: path.to_path_buf(),
            reader,
            fields: fields.clone(),
            need_label,
            line: 0,
            buf: Vec::new(),
            seen_any: false,
            done: false,
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<Document, StanceError> {
        let path = || self.path.clone();
        let line = self.line;
        let text =
            std::str::from_utf8(bytes).map_err(|_| StanceError::NotUtf8 { path: path(), line })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let value: Value = serde_json::from_str(text).map_err(|e| StanceError::Json {
            path: path(),
            line,
            message: e.to_string(),
        })?;
        let Value::Object(map) = value else {
            return Err(StanceError::Json {
                path: path(),
                line,
                message: "expected a JSON object".into(),
            });
        };
        let optional = |key: &str| -> Result<Option<String>, StanceError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(Value::Number(n)) if key == self.fields.id => Ok(Some(n.to_string())),
                Some(_) => Err(StanceError::Json {
                    path: path(),
                    line,
                    message: format!("field {key:?} must be a string"),
                }),
            }
        };
        let missing = |field: &str| StanceError::MissingField {
            path: path(),
            line,
            field: field.to_string(),
        };
        let text = match map.get(&self.fields.text) {
            Some(Value::String(s)) => s.clone(),
            _ => return Err(missing(&self.fields.text)),
        };
        // Labels are compared trimmed, so "a " and "a" are one label.
        let label = optional(&self.fields.label)?.map(|l| l.trim().to_string());
        if self.need_label && label.as_deref().is_none_or(|l| l.trim().is_empty()) {
            return Err(missing(&self.fields.label));
        }
        Ok(Document {
            id: optional(&self.fields.id)?,
            title: optional(&self.fields.title)?,
            source: optional(&self.fields.source)?,
            date: optional(&self.fields.date)?,
            label,
            text,
        })
    }

    /// The 1-based number of the line last read.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Document, StanceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(StanceError::io(&self.path, e)));
                }
                Ok(0) => {
                    self.done = true;
                    if !self.seen_any {
                        return Some(Err(StanceError::EmptyFile {
                            path: self.path.clone(),
                        }));
                    }
                    return None;
                }
                Ok(_) => {
                    self.line += 1;
                    if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    self.seen_any = true;
                    let bytes = std::mem::take(&mut self.buf);
                    let doc = self.parse(&bytes);
                    self.buf = bytes;
                    return Some(doc);
                }
            }
        }
    }
}

/// Reads a CSV or TSV file with a header row.
fn read_delimited(
    path: &Path,
    fields: &FieldNames,
    delimiter: u8,
    need_label: bool,
) -> Result<Vec<Document>, StanceError> {
    // TSV has no quoting: a text that starts with `"` is just text.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(delimiter != b'\t')
        .from_reader(BufReader::new(open(path)?));
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
        match e.kind() {
            csv::ErrorKind::Utf8 { .. } => StanceError::NotUtf8 {
                path: path.to_path_buf(),
                line,
            },
            _ => StanceError::Csv {
                path: path.to_path_buf(),
                line,
                message: e.to_string(),
            },
        }
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    if headers.is_empty() {
        return Err(StanceError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let text_col = column(&fields.text).ok_or_else(|| StanceError::Csv {
        path: path.to_path_buf(),
        line: 1,
        message: format!("the header has no {:?} column", fields.text),
    })?;
    let label_col = column(&fields.label);
    if need_label && label_col.is_none() {
        return Err(StanceError::Csv {
            path: path.to_path_buf(),
            line: 1,
            message: format!("the header has no {:?} column", fields.label),
        });
    }
    let (id_col, title_col, source_col, date_col) = (
        column(&fields.id),
        column(&fields.title),
        column(&fields.source),
        column(&fields.date),
    );
    let mut docs = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::to_string);
        let label = get(label_col)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
        if need_label && label.is_none() {
            return Err(StanceError::MissingField {
                path: path.to_path_buf(),
                line,
                field: fields.label.clone(),
            });
        }
        docs.push(Document {
            id: get(id_col),
            title: get(title_col),
            source: get(source_col),
            date: get(date_col),
            label,
            text: get(Some(text_col)).unwrap_or_default(),
        });
    }
    Ok(docs)
}

/// Reads a folder whose subfolders name the labels and hold `.txt` files, in sorted order.
fn read_folder(dir: &Path) -> Result<Vec<Document>, StanceError> {
    let sorted_entries = |p: &Path| -> Result<Vec<PathBuf>, StanceError> {
        let mut v = std::fs::read_dir(p)
            .map_err(|e| StanceError::io(p, e))?
            .map(|e| e.map(|e| e.path()).map_err(|err| StanceError::io(p, err)))
            .collect::<Result<Vec<_>, _>>()?;
        v.sort();
        Ok(v)
    };
    let mut docs = Vec::new();
    for sub in sorted_entries(dir)? {
        if !sub.is_dir() {
            continue;
        }
        let label = sub
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for file in sorted_entries(&sub)? {
            if file.extension().and_then(|e| e.to_str()) != Some("txt") || !file.is_file() {
                continue;
            }
            docs.push(Document {
                id: Some(file.display().to_string()),
                label: Some(label.clone()),
                text: read_text_file(&file)?,
                ..Document::default()
            });
        }
    }
    if docs.is_empty() {
        return Err(StanceError::Input {
            path: dir.to_path_buf(),
            message: "no .txt files in label subfolders (expected DIR/<label>/*.txt)".into(),
        });
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn jsonl(s: &str, need_label: bool) -> Vec<Result<Document, StanceError>> {
        JsonLines::new(
            Path::new("x.jsonl"),
            Cursor::new(s.as_bytes().to_vec()),
            &FieldNames::default(),
            need_label,
        )
        .collect()
    }

    #[test]
    fn reads_records_and_skips_blank_lines() {
        let r = jsonl(
            "{\"text\":\"a\",\"label\":\"x\",\"id\":7}\n\n{\"text\":\"b\",\"label\":\"y\"}\n",
            true,
        );
        assert_eq!(r.len(), 2);
        let d = r[0].as_ref().unwrap();
        assert_eq!(
            (d.id.as_deref(), d.label.as_deref(), d.text.as_str()),
            (Some("7"), Some("x"), "a")
        );
    }

    #[test]
    fn errors_name_the_line() {
        let r = jsonl("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"\n", true);
        assert!(matches!(r[1], Err(StanceError::Json { line: 2, .. })));
        let r = jsonl("{\"text\":\"a\"}\n", true);
        assert!(
            matches!(&r[0], Err(StanceError::MissingField { line: 1, field, .. }) if field == "label")
        );
        let r = jsonl("{\"label\":\"a\"}\n", false);
        assert!(matches!(&r[0], Err(StanceError::MissingField { field, .. }) if field == "text"));
        let r = jsonl("", false);
        assert!(matches!(r[0], Err(StanceError::EmptyFile { .. })));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let mut bytes = b"{\"text\":\"a\"}\n".to_vec();
        bytes.extend_from_slice(b"{\"text\":\"\xff\"}\n");
        let r: Vec<_> = JsonLines::new(
            Path::new("x"),
            Cursor::new(bytes.clone()),
            &FieldNames::default(),
            false,
        )
        .collect();
        assert!(matches!(r[1], Err(StanceError::NotUtf8 { line: 2, .. })));
        assert!(matches!(
            text_from_bytes(Path::new("x"), bytes),
            Err(StanceError::NotUtf8 { line: 2, .. })
        ));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a.JSONL")), Format::JsonLines);
        assert_eq!(Format::of(Path::new("a.tsv")), Format::Tsv);
        assert_eq!(Format::of(Path::new("a.txt")), Format::Text);
    }
}
