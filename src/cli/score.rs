//! `stance score`: score articles from files or stdin, in parallel, streaming results in input
//! order.
//!
//! `.jsonl` files hold one article per line and any other file is one article; stdin is JSON
//! Lines when it starts with `{`, else one article (`--input` overrides both; see
//! [`super::records`]). Articles are read on one thread and scored in bounded batches on all cores
//! ([`stance::io::stream`]), so memory stays flat however long the input, and the output is the
//! same with any number of threads. A bad record ends its file (or, with `--skip-bad`, is
//! reported and skipped); a file that fails is reported and the others are still scored; the
//! run then exits non-zero.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use stance::io::stream::{map_ordered, BatchLimits};
use stance::model::evidence::Evidence;
use stance::predict::score::{ArticleScore, Prediction};
use stance::{Model, StanceError};

use super::output::{formats, ByLabel, OutputFormat, ParagraphLine, TEXT_OR_JSONL};
use super::records::{InputFormat, Item, Records};

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Also score each paragraph.
    #[arg(long)]
    paragraphs: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSONL))]
    format: OutputFormat,
    /// Override the model's uncertainty band: a score whose top probability is within this of a
    /// coin toss is flagged uncertain.
    #[arg(long, value_name = "B")]
    uncertain_band: Option<f64>,
    /// Override the model's minimum signal: a text whose terms contribute less in total is
    /// flagged uncertain.
    #[arg(long, value_name = "S")]
    min_signal: Option<f64>,
    /// Report each bad record (a malformed JSON line, a missing or empty text, ...) on stderr
    /// and go on; by default a bad record ends its file.
    #[arg(long)]
    skip_bad: bool,
    /// Threads to score with; all cores by default.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// How to read the inputs, stdin included.
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    input: InputFormat,
    /// Articles: .txt (one article), .jsonl (one per line, `text` and optional `id`/`title`),
    /// or - for stdin (JSON Lines or one article, see --input). Stdin when none are given.
    #[arg(value_name = "PATH")]
    inputs: Vec<PathBuf>,
}

#[derive(Serialize)]
struct ArticleLine<'a> {
    id: &'a str,
    label: &'a str,
    probabilities: ByLabel<'a>,
    evidence: &'a Evidence,
    uncertain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    paragraphs: Option<Vec<ParagraphLine<'a>>>,
}

/// Writes scores in the chosen format.
struct Output<'m> {
    model: &'m Model,
    format: OutputFormat,
    paragraphs: bool,
}

impl Output<'_> {
    fn header(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == OutputFormat::Text {
            write!(out, "{:<40} {:<12}", "id", "label")?;
            for l in self.model.labels() {
                write!(out, " {:>10}", format!("p({l})"))?;
            }
            writeln!(out, " {:>8} {:>6}  note", "signal", "known")?;
        }
        Ok(())
    }

    /// One article's output, whole, so that articles scored in parallel are written in order.
    fn article(&self, id: &str, text: &str) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let score = self.model.score(text, self.paragraphs);
        self.write(&mut out, id, text, &score)?;
        Ok(out)
    }

    fn write(
        &self,
        out: &mut impl Write,
        id: &str,
        text: &str,
        score: &ArticleScore,
    ) -> std::io::Result<()> {
        let labels = self.model.labels();
        match self.format {
            OutputFormat::Jsonl => {
                let line = ArticleLine {
                    id,
                    label: &labels[score.prediction.label],
                    probabilities: ByLabel(labels, &score.prediction.probabilities),
                    evidence: &score.prediction.evidence,
                    uncertain: score.prediction.uncertain,
                    paragraphs: self.paragraphs.then(|| {
                        score
                            .paragraphs
                            .iter()
                            .map(|p| ParagraphLine::new(labels, p))
                            .collect()
                    }),
                };
                serde_json::to_writer(&mut *out, &line)?;
                writeln!(out)?;
            }
            // Json is refused by the --format parser.
            OutputFormat::Text | OutputFormat::Json => {
                self.row(out, &printable(id), &score.prediction)?;
                for p in &score.paragraphs {
                    let snippet = text[p.span.clone()]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let name = format!("  ¶{} {}", p.index, truncate(&printable(&snippet), 32));
                    self.row(out, &name, &p.prediction)?;
                }
            }
        }
        Ok(())
    }

    fn row(&self, out: &mut impl Write, name: &str, p: &Prediction) -> std::io::Result<()> {
        write!(out, "{:<40} {:<12}", name, self.model.labels()[p.label])?;
        for prob in &p.probabilities {
            write!(out, " {:>10.4}", prob)?;
        }
        write!(out, " {:>8.3} {:>6.2}", p.evidence.signal, p.evidence.known)?;
        if p.uncertain {
            write!(out, "  uncertain")?;
        }
        writeln!(out)
    }
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
    Article(std::io::Result<Vec<u8>>),
    Bad { input: usize, error: StanceError },
    Failed { input: usize, error: StanceError },
}

/// A message on stderr. A closed stderr must not turn into a panic, so write errors are dropped.
fn report(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "stance: {message}");
}

pub fn run(args: ScoreArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut model = super::load_model(args.model.as_ref())?;
    if args.uncertain_band.is_some() || args.min_signal.is_some() {
        let mut policy = *model.uncertainty();
        policy.band = args.uncertain_band.unwrap_or(policy.band);
        policy.min_signal = args.min_signal.unwrap_or(policy.min_signal);
        if !policy.is_valid() {
            anyhow::bail!("--uncertain-band must be in [0, 0.5) and --min-signal finite and >= 0, got {} and {}", policy.band, policy.min_signal);
        }
        model = model.with_uncertainty(policy)?;
    }
    if args.threads == Some(0) {
        anyhow::bail!("--threads must be at least 1");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting a thread pool")?;
    let output = Output {
        model: &model,
        format: args.format,
        paragraphs: args.paragraphs,
    };
    output.header(out)?;
    let inputs = if args.inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.inputs.clone()
    };
    let mut failed = vec![false; inputs.len()];
    let mut skipped = 0usize;
    let records = Records::new(inputs.clone(), args.input, args.skip_bad);
    let score = |item: Item| match item {
        Item::Article { id, text } => Scored::Article(output.article(&id, &text)),
        Item::Bad { input, error } => Scored::Bad { input, error },
        Item::Failed { input, error } => Scored::Failed { input, error },
    };
    let write = |scored: Scored| -> anyhow::Result<()> {
        match scored {
            Scored::Article(bytes) => out.write_all(&bytes?)?,
            // stdout is flushed first, so that on a terminal a message follows the output
            // before it.
            Scored::Bad { error, .. } if args.skip_bad => {
                out.flush()?;
                report(format_args!("skipped: {error}"));
                skipped += 1;
            }
            Scored::Bad { input, error } | Scored::Failed { input, error } => {
                out.flush()?;
                report(format_args!("error: {error}"));
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
    out.flush()?;
    if args.skip_bad {
        report(format_args!("{skipped} bad record(s) skipped"));
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
