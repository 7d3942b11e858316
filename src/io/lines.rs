//! Raw lines, checked before anything parses them: the limit on one record's length, NUL bytes
//! and UTF-16 byte-order marks.
//!
//! Every line format (JSON Lines, CSV/TSV) and every whole-file text is read through here, so a
//! 100 MB line or a binary file is refused, with its line named, after reading at most the
//! limit, instead of being buffered whole. What the bytes of a line mean (JSON, CSV fields,
//! UTF-8) is [`crate::io::corpus`]'s business, not this module's.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

/// The longest record read, in bytes: one line of JSON Lines or CSV/TSV, or one whole text file
/// or stdin. News articles are tens of kilobytes (the longest in the bundled corpus is 126 KB);
/// 16 MiB leaves room for books while keeping what one record can make the featurizer allocate
/// within a few hundred megabytes.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// Whether `bytes` start with a UTF-16 byte-order mark (either byte order).
pub fn starts_with_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// What [`BoundedLines::read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// The end of the input; nothing was read.
    Eof,
    /// A line, in the buffer with its newline (the last line may lack one).
    Line,
    /// A line longer than the limit. The buffer is left empty and the rest of the line is
    /// skipped by the next read, so a caller that stops here never reads the rest at all.
    TooLong,
}

/// Lines of at most `limit` bytes (not counting the newline) from a buffered reader.
#[derive(Debug)]
pub struct BoundedLines<R> {
    reader: R,
    limit: usize,
    /// The previous line was too long and its remainder is still unread.
    skipping: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// Reads lines of at most `limit` bytes from `reader`.
    pub fn new(reader: R, limit: usize) -> Self {
        BoundedLines {
            reader,
            limit,
            skipping: false,
        }
    }

    /// The longest line accepted, in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Reads the next line into `buf` (cleared first), never holding more than `limit + 1`
    /// bytes of it.
    pub fn read_line(&mut self, buf: &mut Vec<u8>) -> io::Result<LineRead> {
        buf.clear();
        if self.skipping {
            self.reader.skip_until(b'\n')?;
            self.skipping = false;
        }
        let max = self.limit.saturating_add(1) as u64;
        if (&mut self.reader).take(max).read_until(b'\n', buf)? == 0 {
            return Ok(LineRead::Eof);
        }
        if buf.last() == Some(&b'\n') || buf.len() <= self.limit {
            return Ok(LineRead::Line);
        }
        buf.clear();
        self.skipping = true;
        Ok(LineRead::TooLong)
    }
}

/// Why [`CheckedReader`] refused its input; carried inside the [`io::Error`] it returns, so
/// that a parser reading through it (the CSV reader) hands it back intact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineFault {
    #[error("line {line} is longer than {limit} bytes")]
    TooLong { line: usize, limit: usize },
    #[error("line {line} contains a NUL byte")]
    Nul { line: usize },
}

impl LineFault {
    /// The fault inside an I/O error returned by a [`CheckedReader`], if that is what it is.
    pub fn from_io(error: &io::Error) -> Option<LineFault> {
        error.get_ref()?.downcast_ref::<LineFault>().copied()
    }
}

/// Passes bytes through unchanged, but fails on the first line longer than `limit` or holding
/// a NUL byte, for parsers (CSV) whose records may span lines and so cannot be read with
/// [`BoundedLines`].
///
/// Every byte before a fault is passed on, and the fault comes alone from the next read, so
/// nothing is lost around it. After a fault the rest of that line is skipped: a parser started
/// afresh on this reader goes on at the next line, and so one bad record does not cost the
/// later ones.
#[derive(Debug)]
pub struct CheckedReader<R> {
    inner: R,
    limit: usize,
    /// The 1-based line the next byte belongs to, and how long that line is so far.
    line: usize,
    line_len: usize,
    /// A fault was reported and the rest of its line is still to be skipped.
    skipping: bool,
    /// Bytes passed to the parser since it (re)started, and where the current line's content
    /// ends (past its last byte that is not `\r`), for [`CheckedReader::line_at`].
    read: u64,
    content_end: u64,
    /// The line ends passed and not yet passed over by [`CheckedReader::line_at`]: where each
    /// `\n` is and where the content of the line it ends stops; and the lines before them.
    ends: VecDeque<(u64, u64)>,
    passed: usize,
}

impl<R: BufRead> CheckedReader<R> {
    /// Checks the bytes read from `inner`.
    pub fn new(inner: R, limit: usize) -> Self {
        CheckedReader {
            inner,
            limit,
            line: 1,
            line_len: 0,
            skipping: false,
            read: 0,
            content_end: 0,
            ends: VecDeque::new(),
            passed: 0,
        }
    }

    /// The 1-based physical line of a record that the parser says starts at byte `offset`
    /// (counted since it started, or [`CheckedReader::restart`]): line ends before it, and the
    /// blank line ends (`\r`, `\r\n`, `\n`) it starts on, are passed over, as a CSV parser
    /// skips them. The csv crate's own count is one short after a CRLF. Offsets must come in
    /// order: what lies before one is forgotten.
    pub fn line_at(&mut self, mut offset: u64) -> usize {
        while let Some(&(newline, content_end)) = self.ends.front() {
            if content_end > offset {
                break;
            }
            self.ends.pop_front();
            self.passed += 1;
            offset = offset.max(newline + 1);
        }
        self.passed + 1
    }

    /// A new parser reads on from here: its offsets count from 0 again, on the current line.
    pub fn restart(&mut self) {
        self.read = 0;
        self.content_end = 0;
        self.ends.clear();
        self.passed = self.line - 1;
    }

    /// Checks one byte at offset `at`, counting lines.
    fn check(&mut self, b: u8, at: u64) -> Result<(), LineFault> {
        match b {
            b'\n' => {
                self.line += 1;
                self.line_len = 0;
                self.ends.push_back((at, self.content_end));
                self.content_end = at + 1;
            }
            0 => return Err(LineFault::Nul { line: self.line }),
            _ => {
                if b != b'\r' {
                    self.content_end = at + 1;
                }
                self.line_len += 1;
                if self.line_len > self.limit {
                    return Err(LineFault::TooLong {
                        line: self.line,
                        limit: self.limit,
                    });
                }
            }
        }
        Ok(())
    }

    /// Skips the rest of a faulty line, its newline included; whether its end was reached.
    fn skip_rest_of_line(&mut self) -> io::Result<bool> {
        loop {
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                return Ok(false);
            }
            match available.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.inner.consume(i + 1);
                    self.line += 1;
                    self.line_len = 0;
                    self.skipping = false;
                    return Ok(true);
                }
                None => {
                    let n = available.len();
                    self.inner.consume(n);
                }
            }
        }
    }
}

impl<R: BufRead> Read for CheckedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.skipping && !self.skip_rest_of_line()? {
            return Ok(0);
        }
        let available = self.inner.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        let mut good = 0;
        let mut fault = None;
        for (i, &b) in buf[..n].iter().enumerate() {
            if let Err(f) = self.check(b, self.read + i as u64) {
                fault = Some(f);
                break;
            }
            good += 1;
        }
        self.inner.consume(good);
        self.read += good as u64;
        match fault {
            // The bytes before the fault first; the fault itself on the next read.
            Some(_) if good > 0 => Ok(good),
            Some(fault) => {
                self.skipping = true;
                Err(io::Error::new(io::ErrorKind::InvalidData, fault))
            }
            None => Ok(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn lines(input: &[u8], limit: usize) -> Vec<(LineRead, Vec<u8>)> {
        let mut reader = BoundedLines::new(Cursor::new(input.to_vec()), limit);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let r = reader.read_line(&mut buf).unwrap();
            if r == LineRead::Eof {
                return out;
            }
            out.push((r, buf.clone()));
        }
    }

    #[test]
    fn long_lines_are_refused_and_skipped() {
        let r = lines(b"abc\nabcdef\nxy\nabcdefgh", 4);
        assert_eq!(
            r,
            vec![
                (LineRead::Line, b"abc\n".to_vec()),
                (LineRead::TooLong, vec![]),
                (LineRead::Line, b"xy\n".to_vec()),
                (LineRead::TooLong, vec![]),
            ]
        );
        // Exactly the limit, with or without a newline, is fine.
        assert_eq!(
            lines(b"abcd\nabcd", 4),
            vec![
                (LineRead::Line, b"abcd\n".to_vec()),
                (LineRead::Line, b"abcd".to_vec())
            ]
        );
    }

    #[test]
    fn a_refused_line_is_not_read_further_until_asked() {
        let mut reader = BoundedLines::new(Cursor::new(vec![b'x'; 1000]), 10);
        let mut buf = Vec::new();
        assert_eq!(reader.read_line(&mut buf).unwrap(), LineRead::TooLong);
        assert_eq!(reader.reader.position(), 11);
    }

    #[test]
    fn checked_reader_names_the_line_of_a_fault() {
        let read = |input: &[u8], limit: usize| {
            let mut out = Vec::new();
            CheckedReader::new(Cursor::new(input.to_vec()), limit)
                .read_to_end(&mut out)
                .map_err(|e| LineFault::from_io(&e))
        };
        assert!(read(b"a,b\nc,d\n", 3).is_ok());
        assert_eq!(
            read(b"a,b\nc,d,e\n", 3),
            Err(Some(LineFault::TooLong { line: 2, limit: 3 }))
        );
        assert_eq!(
            read(b"a\n\nb\0\n", 3),
            Err(Some(LineFault::Nul { line: 3 }))
        );
    }

    #[test]
    fn checked_reader_goes_on_at_the_line_after_a_fault() {
        let mut reader = CheckedReader::new(Cursor::new(b"ab\nxxxxxxxx\ncd\n".to_vec()), 4);
        let mut out = Vec::new();
        let fault = reader.read_to_end(&mut out).unwrap_err();
        assert_eq!(
            LineFault::from_io(&fault),
            Some(LineFault::TooLong { line: 2, limit: 4 })
        );
        // What came before the fault is passed on; the rest of the long line is skipped.
        assert_eq!(out, b"ab\nxxxx");
        out.clear();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"cd\n");
    }

    #[test]
    fn utf16_byte_order_marks() {
        assert!(starts_with_utf16_bom(b"\xFF\xFEa\0"));
        assert!(starts_with_utf16_bom(b"\xFE\xFF\0a"));
        assert!(!starts_with_utf16_bom(b"\xEF\xBB\xBFa"));
    }
}
