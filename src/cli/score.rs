//! `stance score`: score articles from files or stdin, streaming results in input order.
//!
//! `.jsonl` files hold one article per line; any other file, and stdin, is one article. A file
//! that fails is reported and the others are still scored; the run then exits non-zero.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use stance::corpus::{read_text_file, text_from_bytes, FieldNames, Format, JsonLines};
use stance::evidence::Evidence;
use stance::score::{ArticleScore, Prediction};
use stance::Model;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// A readable table.
    Text,
    /// One JSON object per article.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Also score each paragraph.
    #[arg(long)]
    paragraphs: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Override the model's uncertainty band: a score whose top probability is within this of a
    /// coin toss is flagged uncertain.
    #[arg(long, value_name = "B")]
    uncertain_band: Option<f64>,
    /// Override the model's minimum signal: a text whose terms contribute less in total is
    /// flagged uncertain.
    #[arg(long, value_name = "S")]
    min_signal: Option<f64>,
    /// Articles: .txt (one article), .jsonl (one per line, `text` and optional `id`/`title`),
    /// or - for stdin. Stdin when none are given.
    #[arg(value_name = "PATH")]
    inputs: Vec<PathBuf>,
}

/// Probabilities as a JSON object in the model's label order.
struct Probabilities<'a>(&'a [String], &'a [f64]);

impl Serialize for Probabilities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (label, p) in self.0.iter().zip(self.1) {
            map.serialize_entry(label, p)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ParagraphLine<'a> {
    index: usize,
    start: usize,
    end: usize,
    label: &'a str,
    probabilities: Probabilities<'a>,
    evidence: &'a Evidence,
    uncertain: bool,
}

#[derive(Serialize)]
struct ArticleLine<'a> {
    id: &'a str,
    label: &'a str,
    probabilities: Probabilities<'a>,
    evidence: &'a Evidence,
    uncertain: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    paragraphs: Option<Vec<ParagraphLine<'a>>>,
}

struct Output<'m, W: Write> {
    model: &'m Model,
    format: OutputFormat,
    paragraphs: bool,
    out: W,
}

impl<W: Write> Output<'_, W> {
    fn header(&mut self) -> std::io::Result<()> {
        if self.format == OutputFormat::Text {
            write!(self.out, "{:<40} {:<12}", "id", "label")?;
            for l in self.model.labels() {
                write!(self.out, " {:>10}", format!("p({l})"))?;
            }
            writeln!(self.out, " {:>8} {:>6}  note", "signal", "known")?;
        }
        Ok(())
    }

    fn write(&mut self, id: &str, text: &str, score: &ArticleScore) -> std::io::Result<()> {
        let labels = self.model.labels();
        match self.format {
            OutputFormat::Jsonl => {
                let line = ArticleLine {
                    id,
                    label: &labels[score.prediction.label],
                    probabilities: Probabilities(labels, &score.prediction.probabilities),
                    evidence: &score.prediction.evidence,
                    uncertain: score.prediction.uncertain,
                    paragraphs: self.paragraphs.then(|| {
                        score
                            .paragraphs
                            .iter()
                            .map(|p| ParagraphLine {
                                index: p.index,
                                start: p.span.start,
                                end: p.span.end,
                                label: &labels[p.prediction.label],
                                probabilities: Probabilities(labels, &p.prediction.probabilities),
                                evidence: &p.prediction.evidence,
                                uncertain: p.prediction.uncertain,
                            })
                            .collect()
                    }),
                };
                serde_json::to_writer(&mut self.out, &line)?;
                writeln!(self.out)?;
            }
            OutputFormat::Text => {
                self.row(&printable(id), &score.prediction)?;
                for p in &score.paragraphs {
                    let snippet = text[p.span.clone()]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let name = format!("  ¶{} {}", p.index, truncate(&printable(&snippet), 32));
                    self.row(&name, &p.prediction)?;
                }
            }
        }
        Ok(())
    }

    fn row(&mut self, name: &str, p: &Prediction) -> std::io::Result<()> {
        write!(
            self.out,
            "{:<40} {:<12}",
            name,
            self.model.labels()[p.label]
        )?;
        for prob in &p.probabilities {
            write!(self.out, " {:>10.4}", prob)?;
        }
        write!(
            self.out,
            " {:>8.3} {:>6.2}",
            p.evidence.signal, p.evidence.known
        )?;
        if p.uncertain {
            write!(self.out, "  uncertain")?;
        }
        writeln!(self.out)
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

pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let mut model = super::load_model(args.model.as_ref())?;
    if args.uncertain_band.is_some() || args.min_signal.is_some() {
        let mut policy = *model.uncertainty();
        policy.band = args.uncertain_band.unwrap_or(policy.band);
        policy.min_signal = args.min_signal.unwrap_or(policy.min_signal);
        if !policy.is_valid() {
            anyhow::bail!("--uncertain-band must be in [0, 0.5) and --min-signal finite and >= 0, got {} and {}", policy.band, policy.min_signal);
        }
        model = model.with_uncertainty(policy);
    }
    let stdout = std::io::stdout();
    let mut output = Output {
        model: &model,
        format: args.format,
        paragraphs: args.paragraphs,
        out: std::io::BufWriter::new(stdout.lock()),
    };
    output.header()?;
    let inputs = if args.inputs.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.inputs.clone()
    };
    let mut failures = Vec::new();
    for path in &inputs {
        if let Err(err) = score_input(path, &mut output) {
            if super::is_broken_pipe(&err) {
                return Err(err);
            }
            output.out.flush()?;
            eprintln!("stance: error: {err:#}");
            failures.push(path.display().to_string());
        }
    }
    output.out.flush()?;
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "stance: {} of {} input(s) failed: {}",
            failures.len(),
            inputs.len(),
            failures.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}

fn score_input<W: Write>(path: &Path, output: &mut Output<'_, W>) -> anyhow::Result<()> {
    let paragraphs = output.paragraphs;
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        let text = text_from_bytes(Path::new("<stdin>"), bytes)?;
        let score = output.model.score(&text, paragraphs);
        output.write("-", &text, &score)?;
        return Ok(());
    }
    match Format::of(path) {
        Format::JsonLines => {
            let file =
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
            score_jsonl(path, BufReader::new(file), output)
        }
        _ => {
            let text = read_text_file(path)?;
            let score = output.model.score(&text, paragraphs);
            output.write(&path.display().to_string(), &text, &score)?;
            Ok(())
        }
    }
}

fn score_jsonl<W: Write>(
    path: &Path,
    reader: impl BufRead,
    output: &mut Output<'_, W>,
) -> anyhow::Result<()> {
    let mut records = JsonLines::new(path, reader, &FieldNames::default(), false);
    while let Some(doc) = records.next() {
        let doc = doc?;
        let id = doc
            .id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", path.display(), records.line()));
        let score = output.model.score(&doc.text, output.paragraphs);
        output.write(&id, &doc.text, &score)?;
    }
    Ok(())
}
