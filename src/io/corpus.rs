//! Reading documents: JSON Lines, CSV/TSV with a header, a folder with one subfolder per label,
//! and plain `.txt` files.
//!
//! Every error names the file and, for line formats, the 1-based line. JSON Lines are streamed
//! record by record, so scoring a large file holds one record at a time; no record (line or
//! whole text) longer than [`MAX_RECORD_BYTES`] is read whole (see `io::lines`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::StanceError;
use crate::io::json_lines::JsonLineReader;
use crate::io::label_log;
use crate::io::lines::starts_with_utf16_bom;
pub use crate::io::lines::MAX_RECORD_BYTES;
use crate::io::record::parse_record;
pub use crate::io::record::{JsonRecord, Keep};
use crate::io::table::{delimiter_for, Table};

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

/// The names of the fields (JSON keys or CSV columns) to read, and how a table's cells are
/// separated. Defaults to `text`, `label`, `id`, `title`, `source` and `date`, and to the
/// delimiter of the file's extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    pub text: String,
    pub label: String,
    pub id: String,
    pub title: String,
    pub source: String,
    pub date: String,
    /// The cell delimiter of CSV and TSV files (`b';'` for a European spreadsheet export);
    /// defaults to `None`: a comma for `.csv`, a tab for `.tsv`.
    pub delimiter: Option<u8>,
}

/// The most fields `--text-field a,b,...` joins.
pub const MAX_TEXT_FIELDS: usize = 4;

impl FieldNames {
    /// The text fields: `text` split at commas (`--text-field headline,body`), trimmed, at
    /// most [`MAX_TEXT_FIELDS`] (the rest are not read; front ends refuse more). A document's
    /// text is the fields present, joined by a blank line.
    pub fn text_fields(&self) -> Vec<&str> {
        text_fields(&self.text)
    }
}

/// The text fields `spec` names (`headline,body`): see [`FieldNames::text_fields`].
pub fn text_fields(spec: &str) -> Vec<&str> {
    let mut names: Vec<&str> = spec.split(',').map(str::trim).collect();
    names.truncate(MAX_TEXT_FIELDS);
    names
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
            delimiter: None,
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
        Format::JsonLines if label_log::is_label_log(path) => {
            label_log::labelled_documents(path).map_err(|e| match e {
                label_log::LogError::BadRecord {
                    path,
                    line,
                    message,
                } => StanceError::Json {
                    path,
                    line,
                    message,
                },
                label_log::LogError::Io { path, error } => StanceError::Io { path, error },
                other => StanceError::Input {
                    path: path.to_path_buf(),
                    message: match other {
                        label_log::LogError::Unusable { message, .. } => message,
                        other => other.to_string(),
                    },
                },
            })?
        }
        Format::JsonLines => JsonLines::open(path, fields, true)?.collect::<Result<Vec<_>, _>>()?,
        Format::Csv | Format::Tsv => {
            let delimiter = delimiter_for(Format::of(path) == Format::Tsv, fields);
            Table::open(path, fields, delimiter, true)?
                .map(|row| row.map(|r| r.document))
                .collect::<Result<Vec<_>, _>>()
                .or_else(|e| match e {
                    // The empty table is reported below, as for the other formats.
                    StanceError::EmptyFile { .. } => Ok(Vec::new()),
                    e => Err(e),
                })?
        }
    };
    if docs.is_empty() {
        return Err(StanceError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    Ok(docs)
}

/// Opens a file for reading, naming it in any error (a directory included).
pub fn open_file(path: &Path) -> Result<File, StanceError> {
    if path.is_dir() {
        return Err(StanceError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    File::open(path).map_err(|e| StanceError::io(path, e))
}

/// Reads a whole plain-text file as one article's text.
pub fn read_text_file(path: &Path) -> Result<String, StanceError> {
    let file = open_file(path)?;
    // Refuse a big file before reading any of it; `read_text` still stops at the limit for
    // files whose size is not known up front.
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_RECORD_BYTES as u64)
    {
        return Err(StanceError::TextTooLong {
            path: path.to_path_buf(),
            limit: MAX_RECORD_BYTES,
        });
    }
    read_text(path, file)
}

/// Reads one article's whole text from `reader` (a file, or stdin), reading no more than
/// [`MAX_RECORD_BYTES`]; `path` names it in errors.
pub fn read_text(path: &Path, reader: impl Read) -> Result<String, StanceError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_RECORD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StanceError::io(path, e))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(StanceError::TextTooLong {
            path: path.to_path_buf(),
            limit: MAX_RECORD_BYTES,
        });
    }
    text_from_bytes(path, bytes)
}

/// Decodes a whole text as UTF-8 (a leading byte-order mark is dropped), naming the line of the
/// first invalid or NUL byte; a text that is empty or only whitespace is refused.
pub fn text_from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<String, StanceError> {
    let line_of = |bytes: &[u8], at: usize| 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    if starts_with_utf16_bom(&bytes) {
        return Err(StanceError::Utf16 {
            path: path.to_path_buf(),
        });
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(StanceError::NulByte {
            path: path.to_path_buf(),
            line: line_of(&bytes, at),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| StanceError::NotUtf8 {
        path: path.to_path_buf(),
        line: line_of(e.as_bytes(), e.utf8_error().valid_up_to()),
    })?;
    if text.trim().is_empty() {
        return Err(StanceError::EmptyText {
            path: path.to_path_buf(),
            line: None,
        });
    }
    Ok(text)
}

/// A streaming JSON Lines reader: one [`Document`] per non-blank line.
///
/// After an error in one record (bad JSON, a missing field, a line over the length limit) the
/// next call reads the next line, so a caller may skip bad records; after an I/O error, or a
/// UTF-16 file, it ends.
pub struct JsonLines<R> {
    lines: JsonLineReader<R>,
    fields: FieldNames,
    keep: Keep,
    need_label: bool,
}

impl JsonLines<BufReader<File>> {
    /// Opens `path`. With `need_label`, every record must carry a non-empty label.
    pub fn open(path: &Path, fields: &FieldNames, need_label: bool) -> Result<Self, StanceError> {
        Ok(JsonLines::new(
            path,
            BufReader::new(open_file(path)?),
            fields,
            need_label,
        ))
    }
}

impl<R: BufRead> JsonLines<R> {
    /// Reads JSON Lines from any buffered reader; `path` names it in errors.
    pub fn new(path: &Path, reader: R, fields: &FieldNames, need_label: bool) -> Self {
        JsonLines {
            lines: JsonLineReader::new(path, reader),
            fields: fields.clone(),
            keep: Keep::Nothing,
            need_label,
        }
    }

    /// The same reader, also keeping the fields `keep` names (see [`JsonLines::next_record`]).
    pub fn keeping(mut self, keep: Keep) -> Self {
        self.keep = keep;
        self
    }

    /// The 1-based number of the line last read.
    pub fn line(&self) -> usize {
        self.lines.line()
    }

    /// The next record with its kept fields; with `want_keys`, also every key it has.
    pub fn next_record(&mut self, want_keys: bool) -> Option<Result<JsonRecord, StanceError>> {
        Some(self.lines.next_line()?.and_then(|l| {
            parse_record(
                l.bytes,
                &self.fields,
                &self.keep,
                want_keys,
                self.need_label,
                l.path,
                l.number,
            )
        }))
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Document, StanceError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record(false).map(|r| r.map(|r| r.document))
    }
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
    // `metadata` follows symlinks; an entry it cannot follow (a dangling link, a loop, no
    // permission) is an error naming it, not something to skip in silence. Only two levels are
    // read, so a link back up the tree cannot recurse.
    let metadata = |p: &Path| std::fs::metadata(p).map_err(|e| StanceError::io(p, e));
    let mut docs = Vec::new();
    for sub in sorted_entries(dir)? {
        if !metadata(&sub)?.is_dir() {
            continue;
        }
        let label = sub
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for file in sorted_entries(&sub)? {
            if file.extension().and_then(|e| e.to_str()) != Some("txt")
                || !metadata(&file)?.is_file()
            {
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
