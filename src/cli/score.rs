//! `stance score`: score articles from files, folders or stdin, in parallel, streaming results
//! in input order, as a table, JSON Lines or CSV, with the input fields asked for kept.
//!
//! What each input holds is decided by its extension or `--input` (see [`super::records`]):
//! JSON Lines, CSV and TSV are read a record (row) at a time, a folder is one article per `.txt`
//! file in it, and any other file, or stdin that is not JSON, is one article. Articles are read
//! on one thread and scored in bounded batches on all cores ([`stance::io::stream`]), so memory
//! stays flat however long the input, and the output is the same with any number of threads. A
//! bad record ends its file (or, with `--skip-bad`, is reported and skipped); a file that fails
//! is reported and the others are still scored; the run then exits non-zero. How a score is
//! written (the JSON record, the CSV columns) is [`stance::predict::record`]'s.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use clap::{Args, ValueEnum};

use stance::io::corpus::Keep;
use stance::io::stream::{map_ordered, BatchLimits};
use stance::model::evidence::Evidence;
use stance::predict::record::{csv_header, csv_rows, kept_name, ScoredRecord};
use stance::predict::score::{ArticleScore, Prediction};
use stance::predict::unlabelled::Unlabelled;
use stance::report::domain::DomainCounter;
use stance::{Model, StanceError};

use super::options::UncertaintyArgs;
use super::records::{Item, Kept, RecordArgs, Records};

/// What `score` prints (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreFormat {
    /// A readable table.
    Text,
    /// One JSON object per article, one per line.
    Jsonl,
    /// CSV with a header row: id, kept fields, label, p_<label> per label, uncertain, signal,
    /// tokens, known.
    Csv,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Also score each paragraph (split on blank lines and single newlines; flattened text in
    /// windows of three sentences). JSON Lines: a `paragraphs` list per article; CSV: a row per
    /// paragraph after its article's, with `paragraph`, `paragraph_start`, `paragraph_end`;
    /// text: an indented line per paragraph.
    #[arg(long)]
    paragraphs: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: ScoreFormat,
    /// Copy these input fields (JSON keys or CSV columns, comma-separated) into the output,
    /// after the id; a name the output uses itself (label, uncertain, ...) is written as
    /// input_<name>. jsonl and csv only.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "FIELD,...",
        conflicts_with = "keep_all"
    )]
    keep: Vec<String>,
    /// Copy every input field but the text and the id into the output (CSV output: the fields
    /// of the first article). jsonl and csv only.
    #[arg(long)]
    keep_all: bool,
    #[command(flatten)]
    uncertainty: UncertaintyArgs,
    /// Report each bad record (a malformed JSON line, a ragged CSV row, a missing or empty
    /// text, ...) on stderr and go on; by default a bad record ends its file.
    #[arg(long)]
    skip_bad: bool,
    /// Cell delimiter of --format csv output (one ASCII character, `tab` or `\t` for a tab):
    /// `;` for a European spreadsheet; a comma by default.
    #[arg(long, value_name = "CHAR", value_parser = super::options::delimiter)]
    out_delimiter: Option<u8>,
    /// Threads to score with; all cores by default.
    #[arg(long, value_name = "N", value_parser = super::parse_threads)]
    threads: Option<usize>,
    #[command(flatten)]
    records: RecordArgs,
    /// Articles: .jsonl (one per line), .csv/.tsv (one per row, with a header), a folder (one
    /// per .txt file in it, sorted, its path the id), any other file (.txt) one article, or -
    /// for stdin (JSON Lines when it starts with `{`, else one article; see --input). Stdin
    /// when none are given.
    #[arg(value_name = "PATH")]
    inputs: Vec<PathBuf>,
}

/// Writes scores in the chosen format.
struct Output<'m> {
    model: &'m Model,
    format: ScoreFormat,
    paragraphs: bool,
    /// The CSV output's delimiter.
    delimiter: u8,
}

impl Output<'_> {
    /// The text table's header; the CSV header waits for the kept columns (see `run`).
    fn header(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == ScoreFormat::Text {
            write!(out, "{:<40} {:<12}", "id", "label")?;
            for l in self.model.labels() {
                write!(out, " {:>10}", format!("p({l})"))?;
            }
            writeln!(out, " {:>8} {:>6}  note", "signal", "known")?;
        }
        Ok(())
    }

    /// The CSV header, for these kept columns.
    fn csv_header(&self, kept: &[String]) -> std::io::Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(Vec::new());
        w.write_record(csv_header(kept, self.model.labels(), self.paragraphs))
            .map_err(std::io::Error::other)?;
        w.into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// One article's output, whole, so that articles scored in parallel are written in order,
    /// with its evidence for the out-of-domain check and what it counts toward its input's
    /// warnings.
    fn article(
        &self,
        id: &str,
        text: &str,
        kept: &Kept,
    ) -> (std::io::Result<Vec<u8>>, Evidence, Unlabelled) {
        let mut out = Vec::new();
        let score = self.model.score(text, self.paragraphs);
        let mut unlabelled = Unlabelled::default();
        unlabelled.add(&score);
        let written = self.write(&mut out, id, text, kept, &score).map(|()| out);
        (written, score.prediction.evidence, unlabelled)
    }

    fn write(
        &self,
        out: &mut Vec<u8>,
        id: &str,
        text: &str,
        kept: &Kept,
        score: &ArticleScore,
    ) -> std::io::Result<()> {
        let labels = self.model.labels();
        match self.format {
            ScoreFormat::Jsonl => {
                let record = ScoredRecord {
                    id,
                    kept,
                    labels,
                    score,
                    paragraphs: self.paragraphs,
                };
                serde_json::to_writer(&mut *out, &record)?;
                writeln!(out)?;
            }
            ScoreFormat::Csv => {
                let cells: Vec<Cow<str>> = kept
                    .iter()
                    .map(|(_, c)| c.as_ref().map_or(Cow::Borrowed(""), |c| c.as_csv()))
                    .collect();
                let mut w = csv::WriterBuilder::new()
                    .delimiter(self.delimiter)
                    .from_writer(out);
                for row in csv_rows(id, &cells, score, self.paragraphs) {
                    w.write_record(&row).map_err(std::io::Error::other)?;
                }
                w.flush()?;
            }
            ScoreFormat::Text => {
                let why = match (score.foreign, score.language) {
                    (true, Some(l)) => {
                        format!("no label: not {} ({l})", self.model.language().name())
                    }
                    _ => "no label: a tie".to_string(),
                };
                let row = |out: &mut Vec<u8>, name: &str, p: &Prediction| {
                    self.row(out, name, p, p.label.is_none().then_some(why.as_str()))
                };
                row(out, &printable(id), &score.prediction)?;
                for p in &score.paragraphs {
                    let snippet = text[p.span.clone()]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let name = format!("  ¶{} {}", p.index, truncate(&printable(&snippet), 32));
                    row(out, &name, &p.prediction)?;
                }
            }
        }
        Ok(())
    }

    fn row(
        &self,
        out: &mut impl Write,
        name: &str,
        p: &Prediction,
        why: Option<&str>,
    ) -> std::io::Result<()> {
        write!(out, "{:<40} {:<12}", name, p.label_or_none())?;
        for prob in &p.probabilities {
            write!(out, " {:>10.4}", prob)?;
        }
        write!(out, " {:>8.3} {:>6.2}", p.evidence.signal, p.evidence.known)?;
        if p.uncertain {
            write!(out, "  uncertain")?;
        }
        if let Some(why) = why {
            write!(out, "; {why}")?;
        }
        writeln!(out)
    }
}

/// The fields to keep, from `--keep` / `--keep-all`: the names trimmed, the id field left out
/// (it is the id already), and no two written under the same name.
fn keep_spec(args: &ScoreArgs, model: &Model) -> anyhow::Result<Keep> {
    if args.keep_all {
        return Ok(Keep::All);
    }
    let id_field = args.records.fields().id;
    let mut names: Vec<String> = Vec::new();
    for name in args.keep.iter().map(|n| n.trim()) {
        if name.is_empty() || name == id_field {
            continue;
        }
        let written = kept_name(name, model.labels());
        if let Some(other) = names
            .iter()
            .find(|n| *n == name || kept_name(n, model.labels()) == written)
        {
            anyhow::bail!(
                "--keep names {other:?} and {name:?}, which would both be written as {written:?}"
            );
        }
        names.push(name.to_string());
    }
    Ok(if names.is_empty() {
        Keep::Nothing
    } else {
        Keep::Fields(names)
    })
}

/// Control characters (terminal escapes included) replaced, for the text table.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// What the scoring threads hand back for one item, in input order.
enum Scored {
    Article {
        input: usize,
        id: String,
        bytes: std::io::Result<Vec<u8>>,
        evidence: Evidence,
        unlabelled: Unlabelled,
    },
    Bad {
        input: usize,
        error: StanceError,
    },
    Failed {
        input: usize,
        error: StanceError,
    },
}

/// A message on stderr. A closed stderr must not turn into a panic, so write errors are dropped.
pub(crate) fn report(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "stance: {message}");
}

pub fn run(args: ScoreArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    super::stdin_once(&args.inputs)?;
    let mut model = super::load_model(args.model.as_ref())?;
    if args.uncertainty.is_set() {
        let policy = args.uncertainty.apply(*model.uncertainty())?;
        model = model.with_uncertainty(policy)?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting a thread pool")?;
    let keep = keep_spec(&args, &model)?;
    if args.format == ScoreFormat::Text && (keep != Keep::Nothing || args.keep_all) {
        anyhow::bail!("--keep and --keep-all apply to --format jsonl and csv; the text table has no room for input fields");
    }
    if args.out_delimiter.is_some() && args.format != ScoreFormat::Csv {
        anyhow::bail!("--out-delimiter applies to --format csv only");
    }
    let output = Output {
        model: &model,
        format: args.format,
        paragraphs: args.paragraphs,
        delimiter: args.out_delimiter.unwrap_or(b','),
    };
    // The text table's header waits for the first article: with none, there is no table.
    let mut text_header_due = args.format == ScoreFormat::Text;
    let inputs = if args.inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.inputs.clone()
    };
    let mut failed = vec![false; inputs.len()];
    // One out-of-domain count per input; none for a model without a training profile.
    let mut domain: Vec<Option<DomainCounter>> = inputs
        .iter()
        .map(|_| model.profile().and_then(DomainCounter::new))
        .collect();
    let mut counts: Vec<Unlabelled> = inputs.iter().map(|_| Unlabelled::default()).collect();
    let mut skipped = 0usize;
    let records = Records::new(
        inputs.clone(),
        args.records.input,
        args.skip_bad,
        args.records.fields(),
        keep,
        args.format == ScoreFormat::Csv,
    );
    // The CSV header names the kept columns, which `--keep-all` takes from the first article:
    // it is written just before that article's row (or at the end, when there is none).
    let columns: Arc<OnceLock<Vec<String>>> = records.columns();
    let mut csv_header_due = args.format == ScoreFormat::Csv;
    let mut repeats = stance::io::repeats::RepeatedIds::default();
    let score = |item: Item| match item {
        Item::Article {
            input,
            id,
            text,
            kept,
        } => {
            let (bytes, evidence, unlabelled) = output.article(&id, &text, &kept);
            Scored::Article {
                input,
                id,
                bytes,
                evidence,
                unlabelled,
            }
        }
        Item::Bad { input, error } => Scored::Bad { input, error },
        Item::Failed { input, error } => Scored::Failed { input, error },
    };
    let write = |scored: Scored| -> anyhow::Result<()> {
        match scored {
            Scored::Article {
                input,
                id,
                bytes,
                evidence,
                unlabelled,
            } => {
                counts[input].merge(&unlabelled);
                let bytes = bytes?;
                repeats.see(&id, String::new);
                if let Some(c) = domain.get_mut(input).and_then(Option::as_mut) {
                    c.add(&evidence);
                }
                if text_header_due {
                    text_header_due = false;
                    output.header(out)?;
                }
                if csv_header_due {
                    csv_header_due = false;
                    let kept = columns.get().map_or(&[][..], Vec::as_slice);
                    out.write_all(&output.csv_header(kept)?)?;
                }
                out.write_all(&bytes)?;
            }
            // stdout is flushed first, so that on a terminal a message follows the output
            // before it.
            Scored::Bad { error, .. } if args.skip_bad => {
                out.flush()?;
                report(format_args!(
                    "skipped: {}",
                    super::as_flags(&error.to_string())
                ));
                skipped += 1;
            }
            Scored::Bad { input, error } | Scored::Failed { input, error } => {
                out.flush()?;
                report(format_args!(
                    "error: {}",
                    super::as_flags(&error.to_string())
                ));
                failed[input] = true;
            }
        }
        Ok(())
    };
    map_ordered(
        &pool,
        records,
        Item::size,
        BatchLimits::default(),
        score,
        write,
    )?;
    if csv_header_due {
        let kept = columns.get().map_or(&[][..], Vec::as_slice);
        out.write_all(&output.csv_header(kept)?)?;
    }
    out.flush()?;
    for (path, c) in inputs.iter().zip(&counts) {
        let name = if path == std::path::Path::new("-") {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        for w in c.warnings(model.language(), &format!(" in {name}")) {
            report(format_args!("warning: {w}"));
        }
    }
    if args.skip_bad {
        report(format_args!("{skipped} bad record(s) skipped"));
    }
    if let Some(warning) = repeats.warning() {
        super::warn(format_args!("{warning}"));
    }
    for (path, counter) in inputs.iter().zip(&domain) {
        if let Some(w) = counter.as_ref().and_then(|c| c.check()?.warning()) {
            super::warn(format_args!("{}: {w}", path.display()));
        }
    }
    let failures: Vec<String> = inputs
        .iter()
        .zip(&failed)
        .filter(|(_, &f)| f)
        .map(|(p, _)| p.display().to_string())
        .collect();
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        report(format_args!(
            "{} of {} input(s) failed: {}",
            failures.len(),
            inputs.len(),
            failures.join(", ")
        ));
        Ok(ExitCode::FAILURE)
    }
}
