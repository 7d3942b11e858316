//! `stance annotate`: label a corpus in the browser with the model in the loop. Reads the
//! inputs as `score` does, opens (and replays) the label log, and serves the session on
//! 127.0.0.1 until interrupted; the first line on stdout is the URL with its token.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use stance::adapt::sha256_hex;
use stance::annotate::{adapt_retrainer, AnnotationServer, Item, LabelLog, Session, SessionParams};
use stance::model::default_model::DEFAULT_MODEL_JSON;
use stance::sample::Strategy;
use stance::Model;

use super::keep::KeepArgs;
use super::records::{Item as Record, RecordArgs, Records};

/// Worker threads answering requests; answers wait on the disk, not on the CPU.
const WORKERS: usize = 16;

#[derive(Debug, Args)]
#[command(
    mut_arg("keep", |a| a.help("Input fields to show beside each text, comma-separated.")),
    mut_arg("keep_all", |a| a.help("Show every input field but the text and the id beside each text."))
)]
pub struct AnnotateArgs {
    /// The texts to label: JSON Lines, CSV, TSV, text files or folders, read as `score` reads
    /// them.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// The label log (JSON Lines), appended to and resumed from; created if missing.
    #[arg(long, value_name = "LABELS.jsonl")]
    out: PathBuf,
    /// The model in the loop; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The order texts are shown in: uncertain (closest calls first), random (for validation
    /// samples), diverse (uncertain, near-duplicates moved back).
    #[arg(long, default_value = "uncertain", value_name = "STRATEGY")]
    strategy: Strategy,
    /// The labels offered, comma-separated, in button order (keys 1-9); the model's labels
    /// when omitted.
    #[arg(long, value_delimiter = ',', value_name = "LABEL,...")]
    labels: Vec<String>,
    /// Who is labelling; written on every answer. Defaults to $USER.
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Labels wanted; progress is shown against it and the queue ends there. All texts by
    /// default.
    #[arg(long, value_name = "N")]
    n: Option<usize>,
    /// Adapt the model to the labels in the background after every N new labels (`stance
    /// adapt` on the labels so far), so that the queue follows what was learned.
    #[arg(long, value_name = "N")]
    retrain: Option<usize>,
    /// Address to listen on. Anything but a loopback address exposes the labels and the texts
    /// to the network (the token still guards them).
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8765, value_name = "PORT")]
    port: u16,
    /// Seed of the random strategy.
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    #[command(flatten)]
    keep: KeepArgs,
    /// Report each bad input record on stderr and go on; by default one ends the run.
    #[arg(long)]
    skip_bad: bool,
    #[command(flatten)]
    records: RecordArgs,
}

pub fn run(args: AnnotateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if args.retrain == Some(0) {
        anyhow::bail!("--retrain must be at least 1");
    }
    if args.n == Some(0) {
        anyhow::bail!("--n must be at least 1");
    }
    let (model, base_sha256, model_name) = load_model(&args)?;
    check_log_is_no_input(&args.out, &args.inputs)?;
    let items = read_items(&args)?;
    let (log, replay) = LabelLog::open(&args.out)
        .with_context(|| format!("opening the label log {}", args.out.display()))?;
    if let Some(torn) = &replay.torn {
        super::warn(format_args!(
            "{}:{}: the last line was cut off ({} bytes, never acknowledged: the server stopped \
             while writing it); removed, and kept in {}",
            args.out.display(),
            torn.line,
            torn.bytes,
            torn.kept_in.display()
        ));
    }
    let annotator = args
        .annotator
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "annotator".to_string());
    let retrain = args
        .retrain
        .map(|every| (every, adapt_retrainer(base_sha256)));
    let params = SessionParams {
        labels: args.labels.clone(),
        annotator,
        strategy: args.strategy,
        target: args.n,
        seed: args.seed,
        retrain,
    };
    let session = Session::new(items, model, &model_name, log, &replay, params)?;
    let server = AnnotationServer::bind(Arc::new(session), &args.host, args.port)?;
    writeln!(out, "{}", server.url())?;
    out.flush()?;
    if !server.address().ip().is_loopback() {
        super::warn(format_args!(
            "listening on {}, which other machines can reach; only the token guards it",
            server.address()
        ));
    }
    // Runs until SIGINT/SIGTERM, which end the process (src/cli/signals.rs): every label
    // acknowledged is already on disk, so there is nothing to flush then.
    server.run(WORKERS, &AtomicBool::new(false));
    Ok(ExitCode::SUCCESS)
}

/// The model to label with, the SHA-256 of its file (the base that retraining adapts), and
/// the name the page shows.
fn load_model(args: &AnnotateArgs) -> anyhow::Result<(Model, String, String)> {
    let (model, base_sha256) = match &args.model {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
            (
                Model::from_json(&bytes, path).context("loading model")?,
                sha256_hex(&bytes),
            )
        }
        None => (super::load_model(None)?, sha256_hex(DEFAULT_MODEL_JSON)),
    };
    let model_name = match &args.model {
        Some(path) => path.display().to_string(),
        None => "default".to_string(),
    };
    Ok((model, base_sha256, model_name))
}

/// Every input text, with the fields to show; bad records end the run unless skipped.
fn read_items(args: &AnnotateArgs) -> anyhow::Result<Vec<Item>> {
    let keep = args.keep.spec();
    let records = Records::new(
        args.inputs.clone(),
        args.records.input,
        args.skip_bad,
        args.records.fields(),
        keep,
        false,
    );
    let mut items = Vec::new();
    let mut skipped = 0usize;
    for record in records {
        match record {
            Record::Article { id, text, kept, .. } => items.push(Item {
                id,
                text,
                fields: kept
                    .into_iter()
                    .filter_map(|(name, cell)| cell.map(|c| (name, c.as_csv().into_owned())))
                    .collect(),
            }),
            Record::Bad { error, .. } if args.skip_bad => {
                skipped += 1;
                super::warn(format_args!("skipped: {error}"));
            }
            Record::Bad { error, .. } | Record::Failed { error, .. } => return Err(error.into()),
        }
    }
    if skipped > 0 {
        super::warn(format_args!("{skipped} bad record(s) skipped"));
    }
    Ok(items)
}

/// Refuses a label log that is one of the inputs: answers appended to the corpus would corrupt
/// it.
fn check_log_is_no_input(log: &std::path::Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(log_meta) = std::fs::metadata(log) else {
        return Ok(());
    };
    for input in inputs {
        if let Ok(m) = std::fs::metadata(input) {
            if m.dev() == log_meta.dev() && m.ino() == log_meta.ino() {
                anyhow::bail!(
                    "--out {} is the input {}: answers would be appended to the corpus; name a \
                     separate labels file",
                    log.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}
