//! Argument definitions and dispatch for the `stance` binary.

mod adapt;
mod agreement;
mod annotate;
mod bench;
mod cv;
mod eval;
mod explain;
mod flags;
mod inspect;
mod options;
mod output;
mod records;
mod report;
mod report_validation;
mod sample;
mod score;
mod signals;
mod train;
mod training_data;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use stance::model::default_model::{default_model, DEFAULT_MODEL_NAME};
use stance::Model;

pub use flags::as_flags;

/// Source-stance classifier for news articles.
#[derive(Debug, Parser)]
#[command(name = "stance", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a model on labelled data and write it to a file.
    Train(train::TrainArgs),
    /// Score articles (and paragraphs) with a model; the built-in default without --model.
    Score(score::ScoreArgs),
    /// Evaluate a model on labelled data: accuracy, F1, AUC, log loss, Brier, calibration.
    Eval(eval::EvalArgs),
    /// Explain one article's score: exact per-term and per-paragraph contributions, what-if
    /// swaps, and an HTML view.
    Explain(explain::ExplainArgs),
    /// Print the model card: training summary, parameters, top terms, leakage check.
    Inspect(inspect::InspectArgs),
    /// Benchmark the featurizer, trainer and scorer on a corpus, one thread against N.
    Bench(bench::BenchArgs),
    /// Cross-validate training options, at random and grouped by outlet or month.
    Cv(cv::CvArgs),
    /// Aggregate scored articles by outlet and month into an HTML page with plots, CSV and
    /// JSON: shares with 95% intervals, time series, terms, opposing paragraphs, calibration.
    Report(report::ReportArgs),
    /// Draw texts to label from a corpus: at random (stratified, with weights) for validation,
    /// or uncertain and diverse ones for `stance adapt`.
    Sample(sample::SampleArgs),
    /// Label texts in the browser with the model in the loop: a local page on 127.0.0.1
    /// behind a token, every answer appended to a JSON Lines log before it is acknowledged.
    Annotate(annotate::AnnotateArgs),
    /// Adapt a model to your corpus from a labelled sample (from `stance sample`), choosing by
    /// cross-validation between the model, models nudged toward the sample, and the sample alone.
    Adapt(adapt::AdaptArgs),
}

/// Runs a parsed command line. Every command writes its output through the one buffered
/// writer handed to it here, never to stdout directly (see [`output`]).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    signals::install()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = match cli.command {
        Command::Train(args) => train::run(args, &mut out),
        Command::Score(args) => score::run(args, &mut out),
        Command::Cv(args) => cv::run(args, &mut out),
        Command::Bench(args) => bench::run(args, &mut out),
        Command::Eval(args) => eval::run(args, &mut out),
        Command::Inspect(args) => inspect::run(args, &mut out),
        Command::Explain(args) => explain::run(args, &mut out),
        Command::Report(args) => report::run(args, &mut out),
        Command::Annotate(args) => annotate::run(args, &mut out),
        Command::Sample(args) => sample::run(args, &mut out),
        Command::Adapt(args) => adapt::run(args, &mut out),
    };
    // Flushed before an error is printed, so that the output a failure follows comes first.
    let flushed = out.flush();
    let code = result?;
    flushed?;
    Ok(code)
}

/// Loads `--model PATH`, or the embedded default model.
pub fn load_model(path: Option<&PathBuf>) -> anyhow::Result<Model> {
    match path {
        Some(p) => Model::load(p).context("loading model"),
        None => default_model().with_context(|| format!("loading {DEFAULT_MODEL_NAME}")),
    }
}

/// Parses `--threads N`: at least 1 and at most the library's cap
/// ([`stance::features::max_threads`]).
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: i128 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number"))?;
    stance::features::check_threads(n).map_err(|e| e.to_string())
}

/// Runs the rest of the command on `threads` threads (`--threads N`; all cores, or
/// `RAYON_NUM_THREADS`, when not given). For commands that work in the process's global
/// pool, whose output writer cannot move into a pool of their own.
pub fn use_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("starting the thread pool")?;
    }
    Ok(())
}

/// Refuses `-` (standard input) named more than once: the second would read nothing, or
/// the middle of the first.
pub fn stdin_once(inputs: &[PathBuf]) -> anyhow::Result<()> {
    let n = inputs.iter().filter(|p| p.as_os_str() == "-").count();
    if n > 1 {
        anyhow::bail!("- (standard input) is named {n} times; it can be read only once");
    }
    Ok(())
}

/// A warning on stderr, as `stance: warning: ...`, the library's parameters named as flags. A
/// closed stderr must not turn into a panic, so a failed write is dropped.
pub fn warn(message: std::fmt::Arguments) {
    let message = as_flags(&message.to_string());
    let _ = writeln!(std::io::stderr().lock(), "stance: warning: {message}");
}

/// Whether an error is a closed output pipe (`stance score big.jsonl | head`), which is not a
/// failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
