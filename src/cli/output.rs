//! The one output path of every command: the `--format` choice, and how JSON is written.
//!
//! Commands never print. [`super::run`] hands each one a single buffered writer on stdout and
//! flushes it once at the end, so every write returns an `io::Result`; a closed pipe
//! (`stance explain FILE | head`) comes back as a `BrokenPipe` error through `?`, and `main`
//! turns it into a quiet exit 0 in one place.

use std::ffi::OsStr;
use std::io::Write;

use anyhow::Context;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::ValueEnum;
use serde::Serialize;

/// What a command prints. Each command accepts the subset that makes sense for it
/// ([`formats`]): a report or one JSON document. `score`, which streams one article at a time,
/// has formats of its own (text, JSON Lines, CSV; `super::score::ScoreFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable report or table.
    Text,
    /// One JSON document.
    Json,
    /// One JSON object per article, one per line.
    Jsonl,
}

/// Text or one JSON document: the formats of every command but `score`.
pub const TEXT_OR_JSON: &[OutputFormat] = &[OutputFormat::Text, OutputFormat::Json];

/// A `--format` parser that accepts only `allowed`, so that `--help` and the error for a bad
/// value list exactly the formats the command can print.
pub fn formats(allowed: &'static [OutputFormat]) -> FormatParser {
    FormatParser(allowed)
}

/// See [`formats`].
#[derive(Debug, Clone, Copy)]
pub struct FormatParser(&'static [OutputFormat]);

impl FormatParser {
    fn values(&self) -> impl Iterator<Item = PossibleValue> + '_ {
        self.0.iter().filter_map(ValueEnum::to_possible_value)
    }
}

impl TypedValueParser for FormatParser {
    type Value = OutputFormat;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<OutputFormat, clap::Error> {
        // clap's own parser for a list of names gives the usual message and exit code 2.
        let name = PossibleValuesParser::new(self.values()).parse_ref(cmd, arg, value)?;
        self.0
            .iter()
            .copied()
            .find(|f| {
                f.to_possible_value()
                    .is_some_and(|v| v.matches(&name, false))
            })
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values()))
    }
}

/// Writes `value` as pretty-printed JSON and a newline.
///
/// It goes through `serde_json::Value`, whose objects (without serde_json's `preserve_order`)
/// sort their keys, so every object in the output, nested ones included, lists its keys in
/// alphabetical order: the order the JSON output has always had, whatever the order of the
/// struct's fields. The text is built first and then written, because a `serde_json::Error`
/// does not expose the I/O error inside it, and `main` must see a closed pipe as one.
pub fn write_json(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_vec_pretty(&serde_json::to_value(value)?)?;
    text.push(b'\n');
    out.write_all(&text)?;
    Ok(())
}

// How scores are serialized is the library's (so that other front ends write the same
// records); the commands name these types from here.
pub use stance::predict::record::ByLabel;

/// Opens the output an option names (`--html PATH`; `-` is stdout), before any work, so that an
/// unwritable path fails at once. Every output file of every command is opened here.
pub fn open_output(
    path: Option<&std::path::Path>,
    option: &str,
) -> anyhow::Result<Option<stance::io::atomic::Output>> {
    path.map(|p| {
        stance::io::atomic::Output::create(p)
            .with_context(|| format!("opening {option} {}", p.display()))
    })
    .transpose()
}
