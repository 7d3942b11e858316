//! CSV and TSV tables with a header row, streamed one row at a time.
//!
//! The header is read and checked when the table is opened: the columns the reader needs must
//! be there (a missing one is an error that lists the columns found) and must not repeat.
//! Rows then come one at a time, each as a [`Row`]: the [`Document`] read from the named
//! columns, and the row's other cells, for a caller that keeps them (`stance score --keep`).
//! Every error names the file and the line the row starts on (a quoted cell may span lines).
//!
//! A row that cannot be read (a ragged row, invalid UTF-8, an empty text) is an error for that
//! row only, and the next call reads the next row. So is a line over the limit or with a NUL
//! byte: the CSV parser is started afresh at the next line, so that the rows after it still
//! come out. Only an I/O error ends the table. Line limits and byte checks are `io::lines`'s
//! job.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::StanceError;
use crate::io::corpus::{open_file, Document, FieldNames, MAX_RECORD_BYTES};
use crate::io::lines::{starts_with_utf16_bom, CheckedReader, LineFault};

/// How cells are separated: a comma (`.csv`) or a tab (`.tsv`) unless
/// [`FieldNames::delimiter`] says otherwise.
pub fn delimiter_for(tsv: bool, fields: &FieldNames) -> u8 {
    fields.delimiter.unwrap_or(if tsv { b'\t' } else { b',' })
}

/// One row of a table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The 1-based line the row starts on.
    pub line: usize,
    /// The document read from the named columns.
    pub document: Document,
    cells: csv::StringRecord,
}

impl Row {
    /// The cell in column `index` (see [`Table::columns`]).
    pub fn cell(&self, index: usize) -> Option<&str> {
        self.cells.get(index)
    }
}

/// The columns a reader needs, by index into the header.
#[derive(Debug, Clone)]
struct Columns {
    /// Every text column, in `--text-field` order.
    text: Vec<usize>,
    label: Option<usize>,
    id: Option<usize>,
    title: Option<usize>,
    source: Option<usize>,
    date: Option<usize>,
}

/// A CSV or TSV table being read row by row.
pub struct Table<R: std::io::Read> {
    path: PathBuf,
    /// Taken only while the parser is restarted ([`Table::restart_after`]).
    reader: Option<csv::Reader<CheckedReader<R>>>,
    columns: Vec<String>,
    at: Columns,
    field_names: FieldNames,
    need_label: bool,
    record: csv::StringRecord,
    seen_any: bool,
    done: bool,
    delimiter: u8,
    /// Lines before the one the current CSV parser started on: non-zero once it was started
    /// afresh after a faulty line.
    line_offset: usize,
}

impl Table<BufReader<File>> {
    /// Opens the table at `path`, separated by `delimiter`, and reads its header. With
    /// `need_label`, the label column must exist and every row must fill it.
    pub fn open(
        path: &Path,
        fields: &FieldNames,
        delimiter: u8,
        need_label: bool,
    ) -> Result<Self, StanceError> {
        Table::new(
            path,
            BufReader::new(open_file(path)?),
            fields,
            delimiter,
            need_label,
        )
    }
}

impl<R: BufRead> Table<R> {
    /// Reads a table from any buffered reader (stdin); `path` names it in errors.
    pub fn new(
        path: &Path,
        reader: R,
        fields: &FieldNames,
        delimiter: u8,
        need_label: bool,
    ) -> Result<Self, StanceError> {
        let (reader, header) = csv_with_header(path, reader, delimiter)?;
        let column = |name: &str| header.iter().position(|h| h == name);
        // Only the columns read need be unique; a repeated one would make one copy win silently.
        for name in fields.text_fields().into_iter().chain([
            fields.label.as_str(),
            &fields.id,
            &fields.title,
            &fields.source,
            &fields.date,
        ]) {
            if header.iter().filter(|h| *h == name).count() > 1 {
                return Err(StanceError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                });
            }
        }
        let missing = |role: &'static str, column: &str| StanceError::MissingColumn {
            path: path.to_path_buf(),
            column: column.to_string(),
            role,
            found: header.clone(),
        };
        let text = fields
            .text_fields()
            .into_iter()
            .map(|name| column(name).ok_or_else(|| missing("text", name)))
            .collect::<Result<Vec<_>, _>>()?;
        let label = column(&fields.label);
        if need_label && label.is_none() {
            return Err(missing("label", &fields.label));
        }
        let at = Columns {
            text,
            label,
            id: column(&fields.id),
            title: column(&fields.title),
            source: column(&fields.source),
            date: column(&fields.date),
        };
        Ok(Table {
            path: path.to_path_buf(),
            reader: Some(reader),
            columns: header,
            at,
            field_names: fields.clone(),
            need_label,
            record: csv::StringRecord::new(),
            seen_any: false,
            done: false,
            delimiter,
            line_offset: 0,
        })
    }

    /// The header's column names, in order (a leading byte-order mark removed).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The document in the current record, checked.
    fn document(&self, line: usize) -> Result<Document, StanceError> {
        let get = |c: Option<usize>| c.and_then(|c| self.record.get(c)).map(str::to_string);
        let label = get(self.at.label)
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty());
        if self.need_label && label.is_none() {
            return Err(StanceError::EmptyField {
                path: self.path.clone(),
                line,
                field: self.field_names.label.clone(),
            });
        }
        // `--text-field a,b`: the non-empty cells, joined by a blank line.
        let text = self
            .at
            .text
            .iter()
            .filter_map(|&c| self.record.get(c))
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        if text.trim().is_empty() {
            return Err(StanceError::EmptyText {
                path: self.path.clone(),
                line: Some(line),
            });
        }
        Ok(Document {
            id: get(self.at.id),
            title: get(self.at.title),
            source: get(self.at.source),
            date: get(self.at.date),
            label,
            text,
        })
    }
}

impl<R: BufRead> Iterator for Table<R> {
    type Item = Result<Row, StanceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let reader = self.reader.as_mut()?;
        match reader.read_record(&mut self.record) {
            Ok(true) => {
                self.seen_any = true;
                let line = line_of(reader, self.record.position());
                if self.line_offset > 0 && self.record.len() != self.columns.len() {
                    // The restarted parser has no header to hold rows to; this is its check.
                    return Some(Err(StanceError::Csv {
                        path: self.path.clone(),
                        line,
                        message: format!(
                            "found a record with {} fields, but the header has {}",
                            self.record.len(),
                            self.columns.len()
                        ),
                    }));
                }
                Some(self.document(line).map(|document| Row {
                    line,
                    document,
                    cells: self.record.clone(),
                }))
            }
            Ok(false) => {
                self.done = true;
                (!self.seen_any).then(|| {
                    Err(StanceError::HeaderOnly {
                        path: self.path.clone(),
                    })
                })
            }
            Err(e) => {
                self.seen_any = true;
                let error = csv_error(&self.path, e, reader);
                match &error {
                    // A ragged row or bad UTF-8 spoils one row.
                    StanceError::Csv { .. } | StanceError::NotUtf8 { .. } => {}
                    // A faulty line leaves the parser mid-record: start it afresh at the next.
                    StanceError::LineTooLong { line, .. } | StanceError::NulByte { line, .. } => {
                        self.restart_after(*line)
                    }
                    // A fault in the reader leaves nothing to go on with.
                    _ => self.done = true,
                }
                Some(Err(error))
            }
        }
    }
}

impl<R: BufRead> Table<R> {
    /// Replaces the CSV parser with a new one that starts at the line after `line`, on the same
    /// checked reader, which skips the rest of the faulty line. The old parser's buffer is empty
    /// when the reader has just failed, so no byte is lost.
    fn restart_after(&mut self, line: usize) {
        let Some(old) = self.reader.take() else {
            return;
        };
        let mut checked = old.into_inner();
        checked.restart();
        self.reader = Some(
            csv::ReaderBuilder::new()
                .delimiter(self.delimiter)
                .quoting(self.delimiter != b'\t')
                .has_headers(false)
                .flexible(true)
                .from_reader(checked),
        );
        self.line_offset = line;
    }
}

/// A CSV reader over `reader` with the corpus's limits: a UTF-16 file is refused up front, and
/// every record is bounded in size and checked for NUL bytes.
pub(crate) fn csv_reader<R: BufRead>(
    path: &Path,
    mut reader: R,
    delimiter: u8,
) -> Result<csv::Reader<CheckedReader<R>>, StanceError> {
    let head = reader.fill_buf().map_err(|e| StanceError::io(path, e))?;
    if starts_with_utf16_bom(head) {
        return Err(StanceError::Utf16 {
            path: path.to_path_buf(),
        });
    }
    // TSV has no quoting: a text that starts with `"` is just text.
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(delimiter != b'\t')
        .from_reader(CheckedReader::new(reader, MAX_RECORD_BYTES)))
}

/// A CSV reader over `reader` (see [`csv_reader`]) and its header's column names, a leading
/// byte-order mark removed; a file without a header is empty. Every table reader starts here,
/// so the same header gives the same columns and the same errors in every command.
pub(crate) fn csv_with_header<R: BufRead>(
    path: &Path,
    reader: R,
    delimiter: u8,
) -> Result<(csv::Reader<CheckedReader<R>>, Vec<String>), StanceError> {
    let mut reader = csv_reader(path, reader, delimiter)?;
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => return Err(csv_error(path, e, &mut reader)),
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    if header.is_empty() {
        return Err(StanceError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    Ok((reader, header))
}

/// The physical line a record (or an error) at `position` starts on, counted by the
/// [`CheckedReader`] under `reader`.
pub(crate) fn line_of<R: BufRead>(
    reader: &mut csv::Reader<CheckedReader<R>>,
    position: Option<&csv::Position>,
) -> usize {
    position.map_or(0, |p| reader.get_mut().line_at(p.byte()))
}

/// A CSV reader's error as the library's, naming the file and line.
pub(crate) fn csv_error<R: BufRead>(
    path: &Path,
    e: csv::Error,
    reader: &mut csv::Reader<CheckedReader<R>>,
) -> StanceError {
    let line = line_of(reader, e.position());
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Utf8 { .. } => StanceError::NotUtf8 {
            path: path.to_path_buf(),
            line,
        },
        csv::ErrorKind::Io(e) => match LineFault::from_io(&e) {
            Some(LineFault::TooLong { line, limit }) => StanceError::LineTooLong {
                path: path.to_path_buf(),
                line,
                limit,
            },
            Some(LineFault::Nul { line }) => StanceError::NulByte {
                path: path.to_path_buf(),
                line,
            },
            None => StanceError::io(path, e),
        },
        _ => StanceError::Csv {
            path: path.to_path_buf(),
            line,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn table(s: &str, need_label: bool) -> Result<Table<Cursor<Vec<u8>>>, StanceError> {
        Table::new(
            Path::new("t.csv"),
            Cursor::new(s.as_bytes().to_vec()),
            &FieldNames::default(),
            b',',
            need_label,
        )
    }

    #[test]
    fn rows_stream_with_their_lines_and_cells() {
        let t = table("id,text,source\na,\"one,\n two\",X\nb,three,Y\n", false).unwrap();
        assert_eq!(t.columns(), ["id", "text", "source"]);
        let rows: Vec<Row> = t.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].document.text, "one,\n two");
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].cell(2), Some("Y"));
        assert_eq!(rows[1].document.id.as_deref(), Some("b"));
    }

    #[test]
    fn a_missing_column_lists_the_columns_found() {
        let e = table("id,body\na,b\n", false).err().unwrap().to_string();
        assert!(
            e.contains("t.csv:1: the header has no \"text\" column"),
            "{e}"
        );
        assert!(e.contains("columns found: id, body"), "{e}");
        assert!(e.contains("`text_field`"), "{e}");
        let e = table("id,text\na,b\n", true).err().unwrap().to_string();
        assert!(e.contains("no \"label\" column"), "{e}");
        assert!(e.contains("`label_field`"), "{e}");
    }

    #[test]
    fn a_bad_row_does_not_end_the_table() {
        let rows: Vec<_> = table("id,text\na,x\nb\nc,  \nd,y\n", false)
            .unwrap()
            .collect();
        assert_eq!(rows.len(), 4);
        assert!(matches!(rows[1], Err(StanceError::Csv { line: 3, .. })));
        assert!(matches!(rows[2], Err(StanceError::EmptyText { .. })));
        assert_eq!(rows[3].as_ref().unwrap().document.text, "y");
    }

    #[test]
    fn a_header_alone_is_said_to_be_one() {
        let rows: Vec<_> = table("id,text\n", false).unwrap().collect();
        assert!(matches!(rows[..], [Err(StanceError::HeaderOnly { .. })]));
    }

    /// Each row's line, as the physical line it starts on, for one table written four ways.
    fn lines_of(bytes: &[u8]) -> Vec<usize> {
        Table::new(
            Path::new("t.csv"),
            Cursor::new(bytes.to_vec()),
            &FieldNames::default(),
            b',',
            false,
        )
        .unwrap()
        .map(|row| row.map_or_else(|e| e.to_string(), |r| r.line.to_string()))
        .map(|s| s.parse().unwrap_or(0))
        .collect()
    }

    #[test]
    fn lines_are_physical_with_crlf_bom_and_quoted_newlines() {
        let lf = "id,text\na,one\n\nb,\"two\nlines\"\nc,three\n";
        let crlf = lf.replace('\n', "\r\n");
        let want = vec![2, 4, 6];
        assert_eq!(lines_of(lf.as_bytes()), want, "LF");
        assert_eq!(lines_of(crlf.as_bytes()), want, "CRLF");
        for text in [lf, &crlf] {
            let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
            assert_eq!(lines_of(&bom), want, "BOM");
        }
        // A ragged row's error names the same line either way.
        for text in ["id,text\na,one\nb\n", "id,text\r\na,one\r\nb\r\n"] {
            let rows: Vec<_> = table(text, false).unwrap().collect();
            assert!(
                matches!(rows[1], Err(StanceError::Csv { line: 3, .. })),
                "{text:?}"
            );
        }
    }
}
