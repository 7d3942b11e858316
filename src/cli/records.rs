//! The articles `stance score` (and `stance explain`) read, in input order: one item per
//! article, per bad record and per input that fails as a whole. This runs on the reader thread
//! of [`stance::io::stream`], one record at a time, so memory stays flat whatever the input's
//! length.
//!
//! What an input holds is decided by [`InputFormat`]: by default by its extension (`.jsonl`
//! JSON Lines, `.csv` CSV, `.tsv` TSV, a folder one article per `.txt` file inside, anything
//! else one article), and stdin (`-`) is JSON Lines when its first byte that is not ASCII
//! whitespace is `{`, else one article.
//!
//! The fields `--keep` names (or every field, `--keep-all`) travel with each article as
//! [`Cell`]s. A kept field that a table's header lacks fails that input at once, listing the
//! columns; one that no record of a JSON Lines input has fails it at its end (a record may well
//! lack an optional field), listing the fields seen.
//!
//! A bad record (malformed JSON, a ragged row, a missing field, an over-long line, a text file
//! that is not UTF-8) ends its input unless bad records are skipped; an input that cannot be
//! read at all (missing, unreadable, UTF-16, a table without its text column, an I/O error
//! midway) ends there and the next input is read either way.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use clap::{Args, ValueEnum};

use stance::io::cell::Cell;
use stance::io::corpus::{
    open_file, read_text, read_text_file, FieldNames, Format, JsonLines, Keep,
};
use stance::io::table::{delimiter_for, Table};
use stance::StanceError;

/// How to read the inputs (`--input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// By extension: .jsonl/.ndjson/.json JSON Lines, .csv CSV, .tsv/.tab TSV, a folder one
    /// article per .txt file in it, any other file one article; stdin is JSON Lines when it
    /// starts with `{` (after blank space), else one article.
    Auto,
    /// Every input, stdin included, is JSON Lines.
    Jsonl,
    /// Every input is CSV with a header row.
    Csv,
    /// Every input is TSV with a header row.
    Tsv,
    /// Every input is one article (a folder: one article per .txt file in it).
    Text,
}

/// How the articles are read: the options `score` and `explain` share.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// How to read the inputs, stdin included.
    #[arg(
        id = "input_format",
        long = "input",
        value_enum,
        default_value = "auto",
        value_name = "FORMAT"
    )]
    pub input: InputFormat,
    /// Field (JSON key or CSV column) holding the text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// Field holding the id (`id` when not given, and then optional); a table that lacks a
    /// column named here is an error. A record without an id is `FILE:LINE`.
    #[arg(long, value_name = "NAME")]
    pub id_field: Option<String>,
    /// Cell delimiter of CSV/TSV input (one ASCII character, `tab` or `\t` for a tab): `;`
    /// for a European spreadsheet export (default `,` for CSV, tab for TSV).
    #[arg(long, value_name = "CHAR", value_parser = super::options::delimiter)]
    pub delimiter: Option<u8>,
}

impl RecordArgs {
    /// The field names given.
    pub fn fields(&self) -> FieldNames {
        FieldNames {
            text: self.text_field.clone(),
            id: self.id_field.clone().unwrap_or_else(|| "id".into()),
            delimiter: self.delimiter,
            ..FieldNames::default()
        }
    }
}

/// The name stdin goes by in error messages.
pub const STDIN: &str = "<stdin>";

/// Any input, read through one buffer.
type Reader = Box<dyn BufRead + Send>;

/// Reads stdin up to its first byte that is not ASCII whitespace, and tells whether that byte
/// is `{` (JSON Lines). Nothing is lost: the bytes read come first in the returned reader.
fn sniff_stdin() -> Result<(bool, Reader), StanceError> {
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
    Ok((
        first == Some(b'{'),
        Box::new(BufReader::new(Cursor::new(blank).chain(reader))),
    ))
}

/// The fields kept for one article, by name; `None` where the record lacks the field.
pub type Kept = Vec<(String, Option<Cell>)>;

/// What the reader found next.
pub enum Item {
    /// An article to score, with its id (the record's, else `path:line` or the path) and the
    /// fields kept.
    Article {
        id: String,
        text: String,
        kept: Kept,
    },
    /// A record that could not be read; with `skip_bad` its input goes on after it.
    Bad { input: usize, error: StanceError },
    /// An input that could not be read, or not to its end.
    Failed { input: usize, error: StanceError },
}

impl Item {
    /// The bytes the item holds, for the batch limit.
    pub fn size(&self) -> usize {
        match self {
            Item::Article { id, text, kept } => {
                id.len()
                    + text.len()
                    + kept
                        .iter()
                        .map(|(n, c)| n.len() + c.as_ref().map_or(0, Cell::len))
                        .sum::<usize>()
            }
            Item::Bad { .. } | Item::Failed { .. } => 64,
        }
    }
}

/// The input being read.
enum Source {
    Json {
        lines: JsonLines<Reader>,
        /// Which of the named kept fields some record has had, and every key seen while one
        /// has not.
        seen: Vec<bool>,
        keys: Vec<String>,
    },
    Table {
        table: Table<Reader>,
        /// The kept fields and their columns.
        kept: Vec<(String, usize)>,
    },
    Folder {
        files: std::vec::IntoIter<PathBuf>,
    },
}

/// Every input's articles in order. `-` is stdin.
pub struct Records {
    inputs: Vec<PathBuf>,
    next_input: usize,
    current: Option<(usize, Source)>,
    format: InputFormat,
    skip_bad: bool,
    fields: FieldNames,
    keep: Keep,
    /// With `--keep-all` and one set of columns for every article (CSV output), the columns,
    /// taken from the first article; with `--keep NAMES`, the names.
    columns: Arc<OnceLock<Vec<String>>>,
    fixed_columns: bool,
    left_out: HashSet<String>,
}

impl Records {
    /// Reads `inputs` in order, each as `format` says; with `skip_bad`, a bad record does not
    /// end its input. `keep` names the fields to keep; with `fixed_columns`, every article
    /// keeps the same fields (see [`Records::columns`]).
    pub fn new(
        inputs: Vec<PathBuf>,
        format: InputFormat,
        skip_bad: bool,
        fields: FieldNames,
        keep: Keep,
        fixed_columns: bool,
    ) -> Self {
        let columns = Arc::new(OnceLock::new());
        if let Keep::Fields(names) = &keep {
            let _ = columns.set(names.clone());
        }
        Records {
            inputs,
            next_input: 0,
            current: None,
            format,
            skip_bad,
            fields,
            keep,
            columns,
            fixed_columns,
            left_out: HashSet::new(),
        }
    }

    /// The kept fields' names in the order every article has them: the `--keep` names, or with
    /// `--keep-all` the first article's fields once it has been read.
    pub fn columns(&self) -> Arc<OnceLock<Vec<String>>> {
        Arc::clone(&self.columns)
    }

    /// The item for a whole-file article, or the failure to read it. A plain text has no fields
    /// to keep: the kept ones are empty.
    fn whole(&mut self, input: usize, id: String, text: Result<String, StanceError>) -> Item {
        match text {
            Ok(text) => {
                let kept = self.arrange(Vec::new(), &id);
                Item::Article { id, text, kept }
            }
            Err(error) if error.is_bad_record() => Item::Bad { input, error },
            Err(error) => Item::Failed { input, error },
        }
    }

    /// An article's kept fields in output order: the `--keep` names', or with `--keep-all`
    /// the record's own, fitted to the first article's when every article must have the same.
    fn arrange(&mut self, found: Vec<(String, Cell)>, at: &str) -> Kept {
        match &self.keep {
            Keep::Nothing => Vec::new(),
            Keep::Fields(names) => {
                let mut found = found;
                names
                    .iter()
                    .map(|n| {
                        let cell = found
                            .iter()
                            .position(|(f, _)| f == n)
                            .map(|i| found.swap_remove(i).1);
                        (n.clone(), cell)
                    })
                    .collect()
            }
            Keep::All if !self.fixed_columns => {
                found.into_iter().map(|(n, c)| (n, Some(c))).collect()
            }
            Keep::All => {
                let columns = self
                    .columns
                    .get_or_init(|| found.iter().map(|(n, _)| n.clone()).collect());
                let mut kept: Kept = columns.iter().map(|c| (c.clone(), None)).collect();
                for (name, cell) in found {
                    // A name the header repeats fills its copies in turn, not the first twice.
                    let free = |(i, c): (usize, &String)| *c == name && kept[i].1.is_none();
                    match columns.iter().enumerate().position(free) {
                        Some(i) => kept[i].1 = Some(cell),
                        None => {
                            if self.left_out.insert(name.clone()) {
                                super::score::report(format_args!(
                                    "warning: {at}: field {name:?} is left out: --keep-all takes the CSV columns from the first article ({}); name the fields with --keep instead",
                                    columns.join(", ")
                                ));
                            }
                        }
                    }
                }
                kept
            }
        }
    }

    /// Starts reading input `input` at `path`; an article comes back at once for a plain text.
    fn open(&mut self, input: usize, path: &Path) -> Result<Option<Item>, StanceError> {
        let stdin = path == Path::new("-");
        let (format, reader): (Format, Option<Reader>) = if stdin {
            let (starts_with_brace, reader) = sniff_stdin()?;
            let format = match self.format {
                InputFormat::Auto if starts_with_brace => Format::JsonLines,
                InputFormat::Auto | InputFormat::Text => Format::Text,
                InputFormat::Jsonl => Format::JsonLines,
                InputFormat::Csv => Format::Csv,
                InputFormat::Tsv => Format::Tsv,
            };
            (format, Some(reader))
        } else {
            let format = match (self.format, Format::of(path)) {
                (_, Format::Folder) => Format::Folder,
                (InputFormat::Auto, format) => format,
                (InputFormat::Jsonl, _) => Format::JsonLines,
                (InputFormat::Csv, _) => Format::Csv,
                (InputFormat::Tsv, _) => Format::Tsv,
                (InputFormat::Text, _) => Format::Text,
            };
            (format, None)
        };
        let name = if stdin { Path::new(STDIN) } else { path };
        let open = |reader: Option<Reader>| -> Result<Reader, StanceError> {
            match reader {
                Some(r) => Ok(r),
                None => Ok(Box::new(BufReader::new(open_file(path)?))),
            }
        };
        let source = match format {
            Format::Text => {
                let text = match reader {
                    Some(stdin) => read_text(name, stdin),
                    None => read_text_file(path),
                };
                let id = if stdin {
                    "-".to_string()
                } else {
                    path.display().to_string()
                };
                return Ok(Some(self.whole(input, id, text)));
            }
            Format::Folder => Source::Folder {
                files: text_files(path)?.into_iter(),
            },
            Format::JsonLines => {
                let keep = self.keep.clone();
                let names = match &self.keep {
                    Keep::Fields(names) => names.len(),
                    _ => 0,
                };
                Source::Json {
                    lines: JsonLines::new(name, open(reader)?, &self.fields, false).keeping(keep),
                    seen: vec![false; names],
                    keys: Vec::new(),
                }
            }
            Format::Csv | Format::Tsv => {
                let delimiter = delimiter_for(format == Format::Tsv, &self.fields);
                let table = Table::new(name, open(reader)?, &self.fields, delimiter, false)?;
                let columns = table.columns();
                if self.fields.id != "id" && table.column(&self.fields.id).is_none() {
                    return Err(StanceError::MissingColumn {
                        path: name.to_path_buf(),
                        column: self.fields.id.clone(),
                        role: "id",
                        found: columns.to_vec(),
                    });
                }
                let kept = match &self.keep {
                    Keep::Nothing => Vec::new(),
                    Keep::Fields(names) => names
                        .iter()
                        .map(|n| match table.column(n) {
                            // A repeated column would make one copy win silently.
                            Some(_) if columns.iter().filter(|c| *c == n).count() > 1 => {
                                Err(StanceError::DuplicateColumn {
                                    path: name.to_path_buf(),
                                    column: n.clone(),
                                })
                            }
                            Some(c) => Ok((n.clone(), c)),
                            None => Err(StanceError::NoKeptField {
                                path: name.to_path_buf(),
                                field: n.clone(),
                                header: true,
                                found: columns.to_vec(),
                            }),
                        })
                        .collect::<Result<_, _>>()?,
                    Keep::All => columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| **c != self.fields.text && **c != self.fields.id)
                        .map(|(i, c)| (c.clone(), i))
                        .collect(),
                };
                Source::Table { table, kept }
            }
        };
        self.current = Some((input, source));
        Ok(None)
    }

    /// The next item of the input being read, or `None` at its end.
    fn next_in_current(&mut self) -> Option<Item> {
        let (input, source) = self.current.as_mut()?;
        let input = *input;
        let path = self.inputs[input].clone();
        let name = || {
            if path == Path::new("-") {
                STDIN.to_string()
            } else {
                path.display().to_string()
            }
        };
        let (result, line) = match source {
            Source::Folder { files } => {
                let Some(file) = files.next() else {
                    self.current = None;
                    return None;
                };
                let text = read_text_file(&file);
                let item = self.whole(input, file.display().to_string(), text);
                // A file that fails ends its folder as a bad record ends its file.
                if matches!(item, Item::Failed { .. } | Item::Bad { .. } if !self.skip_bad) {
                    self.current = None;
                }
                return Some(item);
            }
            Source::Json { lines, seen, keys } => {
                let want_keys = seen.iter().any(|s| !s);
                match lines.next_record(want_keys) {
                    None => {
                        let missing = seen.iter().position(|s| !s);
                        let (keys, named) = (std::mem::take(keys), self.keep.clone());
                        self.current = None;
                        let (Some(i), Keep::Fields(names)) = (missing, named) else {
                            return None;
                        };
                        return Some(Item::Failed {
                            input,
                            error: StanceError::NoKeptField {
                                path: PathBuf::from(name()),
                                field: names[i].clone(),
                                header: false,
                                found: keys,
                            },
                        });
                    }
                    Some(record) => {
                        let line = lines.line();
                        let record = record.map(|r| {
                            for k in r.keys.iter().flatten() {
                                if !keys.contains(k) {
                                    keys.push(k.clone());
                                }
                            }
                            if let Keep::Fields(names) = &self.keep {
                                for (name, _) in &r.kept {
                                    if let Some(i) = names.iter().position(|n| n == name) {
                                        seen[i] = true;
                                    }
                                }
                            }
                            (r.document.id, r.document.text, r.kept)
                        });
                        (record, line)
                    }
                }
            }
            Source::Table { table, kept } => match table.next() {
                None => {
                    self.current = None;
                    return None;
                }
                Some(row) => {
                    let line = row.as_ref().map_or(0, |r| r.line);
                    let row = row.map(|r| {
                        let cells = kept
                            .iter()
                            .map(|(n, c)| (n.clone(), Cell::Text(r.cell(*c).unwrap_or("").into())))
                            .collect::<Vec<_>>();
                        (r.document.id, r.document.text, cells)
                    });
                    (row, line)
                }
            },
        };
        match result {
            Ok((id, text, found)) => {
                // An empty id names nothing: the article is named by where it is, as without one.
                let id = id
                    .filter(|id| !id.trim().is_empty())
                    .unwrap_or_else(|| format!("{}:{line}", name()));
                let kept = self.arrange(found, &id);
                Some(Item::Article { id, text, kept })
            }
            Err(error) if error.is_bad_record() => {
                if !self.skip_bad {
                    self.current = None;
                }
                Some(Item::Bad { input, error })
            }
            Err(error) => {
                self.current = None;
                Some(Item::Failed { input, error })
            }
        }
    }
}

/// The `.txt` files directly in `dir`, sorted; none is an error.
fn text_files(dir: &Path) -> Result<Vec<PathBuf>, StanceError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| StanceError::io(dir, e))? {
        let path = entry.map_err(|e| StanceError::io(dir, e))?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("txt") {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(StanceError::Input {
            path: dir.to_path_buf(),
            message: "is a directory without .txt files (each .txt file directly in a folder is one article; subfolders are not read)".into(),
        });
    }
    files.sort();
    Ok(files)
}

impl Iterator for Records {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if self.current.is_some() {
                if let Some(item) = self.next_in_current() {
                    return Some(item);
                }
                continue;
            }
            let input = self.next_input;
            let path = self.inputs.get(input)?.clone();
            self.next_input += 1;
            match self.open(input, &path) {
                Ok(Some(item)) => return Some(item),
                Ok(None) => {}
                Err(error) => return Some(Item::Failed { input, error }),
            }
        }
    }
}
