//! The articles `stance score` reads, in input order: one item per article, per bad record and
//! per input that fails as a whole. This runs on the reader thread of [`stance::io::stream`], one
//! record at a time.
//!
//! What an input holds is decided by [`InputFormat`]: by default a `.jsonl` file is JSON Lines
//! and any other file one article, and stdin (`-`) is JSON Lines when its first byte that is
//! not ASCII whitespace is `{`, else one article. JSON Lines on stdin are read a line at a time,
//! as a file's are, so `cat big.jsonl | stance score -` runs in bounded memory.
//!
//! A bad record (malformed JSON, a missing field, an over-long line, a text file that is not
//! UTF-8) ends its input unless bad records are skipped; an input that cannot be read at all
//! (missing, unreadable, a directory, UTF-16, an I/O error midway) ends there and the next input
//! is read either way.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use stance::io::corpus::{read_text, read_text_file, FieldNames, Format, JsonLines};
use stance::StanceError;

/// How `stance score` reads its inputs (`--input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// A `.jsonl` file is JSON Lines, any other file one article; stdin is JSON Lines when it
    /// starts with `{` (after blank space), else one article.
    Auto,
    /// Every input, stdin included, is JSON Lines.
    Jsonl,
    /// Every input, stdin included, is one article.
    Text,
}

/// The name stdin goes by in error messages.
const STDIN: &str = "<stdin>";

/// Stdin, with whatever was read from it to decide its format put back in front.
type Stdin = std::io::Chain<Cursor<Vec<u8>>, BufReader<std::io::Stdin>>;

/// Reads stdin up to its first byte that is not ASCII whitespace, and tells whether that byte
/// is `{` (JSON Lines). Nothing is lost: the bytes read come first in the returned reader.
fn sniff_stdin() -> Result<(bool, Stdin), StanceError> {
    let mut reader = BufReader::new(std::io::stdin());
    let mut blank = Vec::new();
    let first = loop {
        let buf = reader.fill_buf().map_err(|e| StanceError::io(STDIN, e))?;
        if buf.is_empty() {
            break None;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let first = buf[i];
                blank.extend_from_slice(&buf[..i]);
                reader.consume(i);
                break Some(first);
            }
            None => {
                let n = buf.len();
                blank.extend_from_slice(buf);
                reader.consume(n);
            }
        }
    };
    Ok((first == Some(b'{'), Cursor::new(blank).chain(reader)))
}

/// The JSON Lines being read, from a file or from stdin.
enum Lines {
    File(JsonLines<BufReader<File>>),
    Stdin(JsonLines<Stdin>),
}

impl Lines {
    fn next(&mut self) -> Option<Result<stance::io::corpus::Document, StanceError>> {
        match self {
            Lines::File(lines) => lines.next(),
            Lines::Stdin(lines) => lines.next(),
        }
    }

    fn line(&self) -> usize {
        match self {
            Lines::File(lines) => lines.line(),
            Lines::Stdin(lines) => lines.line(),
        }
    }
}

/// What the reader found next.
pub enum Item {
    /// An article to score, with its id (the record's, else `path:line` or the path).
    Article { id: String, text: String },
    /// A record that could not be read; with `skip_bad` its input goes on after it.
    Bad { input: usize, error: StanceError },
    /// An input that could not be read, or not to its end.
    Failed { input: usize, error: StanceError },
}

impl Item {
    /// The bytes the item holds, for the batch limit.
    pub fn size(&self) -> usize {
        match self {
            Item::Article { id, text } => id.len() + text.len(),
            Item::Bad { .. } | Item::Failed { .. } => 64,
        }
    }
}

/// Every input's articles in order. `-` is stdin.
pub struct Records {
    inputs: Vec<PathBuf>,
    next_input: usize,
    current: Option<(usize, Lines)>,
    format: InputFormat,
    skip_bad: bool,
    fields: FieldNames,
}

impl Records {
    /// Reads `inputs` in order, each as `format` says; with `skip_bad`, a bad record does not
    /// end its input.
    pub fn new(inputs: Vec<PathBuf>, format: InputFormat, skip_bad: bool) -> Self {
        Records {
            inputs,
            next_input: 0,
            current: None,
            format,
            skip_bad,
            fields: FieldNames::default(),
        }
    }

    /// The item for a whole-file article, or the failure to read it.
    fn whole(input: usize, id: String, text: Result<String, StanceError>) -> Item {
        match text {
            Ok(text) => Item::Article { id, text },
            Err(error) if error.is_bad_record() => Item::Bad { input, error },
            Err(error) => Item::Failed { input, error },
        }
    }
}

impl Iterator for Records {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some((input, lines)) = &mut self.current {
                let input = *input;
                match lines.next() {
                    None => self.current = None,
                    Some(Ok(doc)) => {
                        let id = doc.id.unwrap_or_else(|| {
                            format!("{}:{}", self.inputs[input].display(), lines.line())
                        });
                        return Some(Item::Article { id, text: doc.text });
                    }
                    Some(Err(error)) if error.is_bad_record() => {
                        if !self.skip_bad {
                            self.current = None;
                        }
                        return Some(Item::Bad { input, error });
                    }
                    Some(Err(error)) => {
                        self.current = None;
                        return Some(Item::Failed { input, error });
                    }
                }
                continue;
            }
            let input = self.next_input;
            let path = self.inputs.get(input)?.clone();
            self.next_input += 1;
            if path == Path::new("-") {
                let (starts_with_brace, stdin) = match sniff_stdin() {
                    Ok(sniffed) => sniffed,
                    Err(error) => return Some(Item::Failed { input, error }),
                };
                let json_lines = match self.format {
                    InputFormat::Auto => starts_with_brace,
                    InputFormat::Jsonl => true,
                    InputFormat::Text => false,
                };
                if json_lines {
                    let lines = JsonLines::new(Path::new(STDIN), stdin, &self.fields, false);
                    self.current = Some((input, Lines::Stdin(lines)));
                    continue;
                }
                let text = read_text(Path::new(STDIN), stdin);
                return Some(Records::whole(input, "-".into(), text));
            }
            let json_lines = match self.format {
                InputFormat::Auto => Format::of(&path) == Format::JsonLines,
                InputFormat::Jsonl => true,
                InputFormat::Text => false,
            };
            if json_lines {
                match JsonLines::open(&path, &self.fields, false) {
                    Ok(lines) => self.current = Some((input, Lines::File(lines))),
                    Err(error) => return Some(Item::Failed { input, error }),
                }
            } else {
                let text = read_text_file(&path);
                return Some(Records::whole(input, path.display().to_string(), text));
            }
        }
    }
}
