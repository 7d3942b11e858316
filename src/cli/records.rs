//! The articles `stance score` reads, in input order: one item per article, per bad record and
//! per input that fails as a whole. This runs on the reader thread of [`stance::io::stream`], one
//! record at a time.
//!
//! A bad record (malformed JSON, a missing field, an over-long line, a text file that is not
//! UTF-8) ends its input unless bad records are skipped; an input that cannot be read at all
//! (missing, unreadable, a directory, UTF-16, an I/O error midway) ends there and the next input
//! is read either way.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use stance::io::corpus::{read_text, read_text_file, FieldNames, Format, JsonLines};
use stance::StanceError;

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

/// Every input's articles in order. `-` is stdin, read as one article.
pub struct Records {
    inputs: Vec<PathBuf>,
    next_input: usize,
    current: Option<(usize, JsonLines<BufReader<File>>)>,
    skip_bad: bool,
    fields: FieldNames,
}

impl Records {
    /// Reads `inputs` in order; with `skip_bad`, a bad record does not end its input.
    pub fn new(inputs: Vec<PathBuf>, skip_bad: bool) -> Self {
        Records {
            inputs,
            next_input: 0,
            current: None,
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
                let text = read_text(Path::new("<stdin>"), std::io::stdin().lock());
                return Some(Records::whole(input, "-".into(), text));
            }
            match Format::of(&path) {
                Format::JsonLines => match JsonLines::open(&path, &self.fields, false) {
                    Ok(lines) => self.current = Some((input, lines)),
                    Err(error) => return Some(Item::Failed { input, error }),
                },
                _ => {
                    let text = read_text_file(&path);
                    return Some(Records::whole(input, path.display().to_string(), text));
                }
            }
        }
    }
}
