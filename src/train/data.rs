//! The training data as files: the line each record starts on, for messages that point at one
//! document.
//!
//! Reading documents is [`crate::io::corpus`]'s job; this module only reads the same files
//! again, record by record.

use std::path::Path;

use crate::io::corpus::{FieldNames, Format, JsonLines};
use crate::io::table::{delimiter_for, Table};

/// The 1-based line each record of a JSON Lines, CSV or TSV file starts on, in reading order;
/// `None` for a folder or a plain-text file, or when the file cannot be read again as it was
/// the first time (the caller then names the record by its number instead).
pub fn record_lines(path: &Path, fields: &FieldNames) -> Option<Vec<usize>> {
    match Format::of(path) {
        Format::JsonLines => {
            let mut reader = JsonLines::open(path, fields, false).ok()?;
            let mut lines = Vec::new();
            while let Some(record) = reader.next() {
                record.ok()?;
                lines.push(reader.line());
            }
            Some(lines)
        }
        format @ (Format::Csv | Format::Tsv) => {
            let delimiter = delimiter_for(format == Format::Tsv, fields);
            Table::open(path, fields, delimiter, false)
                .ok()?
                .map(|row| row.ok().map(|row| row.line))
                .collect()
        }
        Format::Folder | Format::Text => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_lines_skip_blank_lines_and_follow_quoted_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(&jsonl, "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n").unwrap();
        assert_eq!(
            record_lines(&jsonl, &FieldNames::default()),
            Some(vec![1, 3])
        );
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "label,text\nx,\"two\nlines\"\ny,one\n").unwrap();
        assert_eq!(record_lines(&csv, &FieldNames::default()), Some(vec![2, 4]));
        std::fs::write(&csv, "label,text\r\nx,\"two\r\nlines\"\r\n\r\ny,one\r\n").unwrap();
        assert_eq!(record_lines(&csv, &FieldNames::default()), Some(vec![2, 5]));
    }
}
