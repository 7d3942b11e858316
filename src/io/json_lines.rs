//! The lines of a JSON Lines input, the one way every reader takes them: bounded in length,
//! blank ones skipped, a UTF-16 file refused at its first line, an input without a record
//! refused as empty, and each line checked (no NUL byte, valid UTF-8, a leading byte-order
//! mark dropped) before JSON reads it. Training, scoring, the report and its validation sample
//! all read JSON Lines through here, so the same line gives the same error, with the same line
//! number, whichever command reads it.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::StanceError;
use crate::io::lines::{starts_with_utf16_bom, BoundedLines, LineRead, MAX_RECORD_BYTES};

/// One non-blank line of a JSON Lines input, as raw bytes.
pub struct RawLine<'a> {
    /// The input's name in errors.
    pub path: &'a Path,
    /// The 1-based physical line number.
    pub number: usize,
    pub bytes: &'a [u8],
}

/// A JSON object with the line it was read from.
pub type NumberedObject = (usize, Map<String, Value>);

/// The non-blank lines of a JSON Lines input, with their 1-based physical line numbers.
///
/// After a line over the length limit the next call reads the next line, so a caller may skip
/// it; after an I/O error, or a UTF-16 file, it ends.
pub struct JsonLineReader<R> {
    path: PathBuf,
    lines: BoundedLines<R>,
    line: usize,
    buf: Vec<u8>,
    seen_any: bool,
    done: bool,
}

impl<R: BufRead> JsonLineReader<R> {
    /// Reads `reader`, named `path` in errors.
    pub fn new(path: &Path, reader: R) -> Self {
        JsonLineReader {
            path: path.to_path_buf(),
            lines: BoundedLines::new(reader, MAX_RECORD_BYTES),
            line: 0,
            buf: Vec::new(),
            seen_any: false,
            done: false,
        }
    }

    /// The 1-based number of the line last read.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The next non-blank line; `None` at the end.
    pub fn next_line(&mut self) -> Option<Result<RawLine<'_>, StanceError>> {
        if self.done {
            return None;
        }
        loop {
            match self.lines.read_line(&mut self.buf) {
                Err(e) => {
                    self.done = true;
                    return Some(Err(StanceError::io(&self.path, e)));
                }
                Ok(LineRead::Eof) => {
                    self.done = true;
                    if !self.seen_any {
                        return Some(Err(StanceError::EmptyFile {
                            path: self.path.clone(),
                        }));
                    }
                    return None;
                }
                Ok(LineRead::TooLong) => {
                    self.line += 1;
                    self.seen_any = true;
                    return Some(Err(StanceError::LineTooLong {
                        path: self.path.clone(),
                        line: self.line,
                        limit: self.lines.limit(),
                    }));
                }
                Ok(LineRead::Line) => {
                    self.line += 1;
                    // Every line of a UTF-16 file would be refused; say why, once.
                    if self.line == 1 && starts_with_utf16_bom(&self.buf) {
                        self.done = true;
                        return Some(Err(StanceError::Utf16 {
                            path: self.path.clone(),
                        }));
                    }
                    if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    self.seen_any = true;
                    return Some(Ok(RawLine {
                        path: &self.path,
                        number: self.line,
                        bytes: &self.buf,
                    }));
                }
            }
        }
    }

    /// The next non-blank line as a JSON object, with its line number (see [`json_object`]).
    pub fn next_object(&mut self) -> Option<Result<NumberedObject, StanceError>> {
        Some(self.next_line()?.and_then(|l| {
            let object = json_object(l.bytes, l.path, l.number)?;
            Ok((l.number, object))
        }))
    }
}

/// A line's text: no NUL byte, valid UTF-8, without a leading byte-order mark.
pub fn line_text<'a>(bytes: &'a [u8], path: &Path, line: usize) -> Result<&'a str, StanceError> {
    if bytes.contains(&0) {
        return Err(StanceError::NulByte {
            path: path.to_path_buf(),
            line,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| StanceError::NotUtf8 {
        path: path.to_path_buf(),
        line,
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A line read whole as a JSON object (a tree: for readers that look at every field).
pub fn json_object(
    bytes: &[u8],
    path: &Path,
    line: usize,
) -> Result<Map<String, Value>, StanceError> {
    let text = line_text(bytes, path, line)?;
    serde_json::from_str(text).map_err(|e| json_error(path, line, &e))
}

/// A JSON error in line `line` of `path`, its position given as a column only: serde_json
/// reads one line at a time, so its own line is always 1.
pub fn json_error(path: &Path, line: usize, e: &serde_json::Error) -> StanceError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = match full.strip_suffix(&suffix) {
        Some(message) if e.line() == 1 => format!("{message} (column {})", e.column()),
        _ => full,
    };
    StanceError::Json {
        path: path.to_path_buf(),
        line,
        message,
    }
}
