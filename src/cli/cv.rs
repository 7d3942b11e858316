//! `stance cv`: k-fold cross-validation, at random or grouped by outlet or month, with the gap
//! between random and grouped splits reported as the leakage estimate.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use std::path::PathBuf;

use stance::eval::cv::{cross_validate_grouped, CvResult, GroupedCv};
use stance::eval::dev::evaluate_dev;
use stance::eval::folds::GroupBy;
use stance::eval::summary::{CvSummary, DevRun};
use stance::io::atomic::{check_distinct, Output};
use stance::io::corpus::{label_indices, Document};
use stance::model::evidence::{Evidence, UncertaintyPolicy};
use stance::predict::score::unique_argmax;
use stance::train::CheckedTrainParams;

use super::options::{DataArgs, Grouping, TrainOptions};
use super::output::{formats, open_output, write_json, ByLabel, OutputFormat, TEXT_OR_JSON};
use super::training_data::{Dates, TrainingData};

#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Number of folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Grouping: none (stratified random), source (outlet) or month; comma-separate several to
    /// compare them side by side.
    #[arg(
        long,
        value_enum,
        default_value = "none,source,month",
        value_delimiter = ','
    )]
    group_by: Vec<Grouping>,
    /// Seed for the fold assignment.
    #[arg(long = "cv-seed", default_value_t = 0)]
    cv_seed: u64,
    #[command(flatten)]
    options: TrainOptions,
    /// An out-of-domain dev set (repeatable): a model trained on all of --data is scored on
    /// it for macro-F1, AUC, length drift and paragraph agreement. Read with the same field
    /// names as --data; never trained on.
    #[arg(long, value_name = "PATH")]
    dev: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
    format: OutputFormat,
    /// Write every document's out-of-fold prediction to PATH as JSON Lines, in input order
    /// (as scikit-learn's cross_val_predict): id, source, date, input_label (the true label),
    /// label, probabilities, evidence, uncertain, uncertainty (the cut-offs that decided it,
    /// which `stance report` then uses) and fold. Needs a single --group-by.
    #[arg(long, value_name = "PATH")]
    predictions: Option<PathBuf>,
    /// With --group-by month, leave out (counted and named) the documents whose date does not
    /// read, instead of refusing the data.
    #[arg(long)]
    skip_bad: bool,
    /// Threads to work with; the model and figures are the same for any number [default: all
    /// cores, or RAYON_NUM_THREADS].
    #[arg(long, value_name = "N", value_parser = super::parse_threads)]
    threads: Option<usize>,
}

/// One document's out-of-fold prediction, as `--predictions` writes it: the scored-record
/// schema of `stance score --format jsonl` with `source` and `date` kept, the true label kept
/// as `input_label`, and the fold that tested it. A document whose fold was skipped has
/// `null` for the prediction's fields.
#[derive(Serialize)]
struct PredictionLine<'a> {
    id: &'a str,
    source: Option<&'a str>,
    date: Option<&'a str>,
    input_label: &'a str,
    label: Option<&'a str>,
    probabilities: Option<ByLabel<'a>>,
    evidence: Option<&'a Evidence>,
    uncertain: Option<bool>,
    /// The cut-offs `uncertain` was decided by (the fold's model's), so that `stance report`
    /// checks the flags against them rather than against another model's.
    uncertainty: Option<&'a UncertaintyPolicy>,
    fold: Option<usize>,
}

/// The out-of-fold predictions of `run` as JSON Lines, one line per document of `docs`;
/// `ids` names each document.
fn predictions_jsonl(
    docs: &[Document],
    ids: &[String],
    labels: &[String],
    run: &CvResult,
) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for ((d, id), p) in docs.iter().zip(ids).zip(&run.predictions) {
        let line = PredictionLine {
            id,
            source: d.source.as_deref(),
            date: d.date.as_deref(),
            input_label: d.label.as_deref().unwrap_or(""),
            // An exact tie has no label, as in `score`.
            label: p
                .as_ref()
                .and_then(|p| unique_argmax(&p.probabilities))
                .map(|l| labels[l].as_str()),
            probabilities: p.as_ref().map(|p| ByLabel(labels, &p.probabilities)),
            evidence: p.as_ref().map(|p| &p.evidence),
            uncertain: p.as_ref().map(|p| p.uncertain),
            uncertainty: p.as_ref().map(|p| &p.policy),
            fold: p.as_ref().map(|p| p.fold),
        };
        serde_json::to_writer(&mut bytes, &line)?;
        bytes.push(b'\n');
    }
    Ok(bytes)
}

pub fn run(args: CvArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    super::use_threads(args.threads)?;
    if args.folds < 2 {
        bail!("--folds must be at least 2, got {}", args.folds);
    }
    let groupings: Vec<GroupBy> = args.group_by.iter().map(|&g| g.into()).collect();
    // One prediction per document, as cross_val_predict gives: with several groupings a
    // document would have several, and a table keyed by id would silently gain rows.
    if args.predictions.is_some() && groupings.len() != 1 {
        bail!(
            "--predictions writes one out-of-fold prediction per document, so it needs a single --group-by (got {}); run cv once per grouping",
            args.group_by.len()
        );
    }
    let params = args.options.params()?;
    // Opened first, so that an unwritable path fails now and not after the folds are trained.
    let predictions_file = open_output(args.predictions.as_deref(), "--predictions")?;
    if let Some(file) = &predictions_file {
        let inputs: Vec<PathBuf> = args.data.data.iter().chain(&args.dev).cloned().collect();
        check_distinct(&inputs, &[("--predictions", file)])?;
    }
    let to_stdout = predictions_file.as_ref().is_some_and(|f| f.is_stdout());
    let dates = if groupings.contains(&GroupBy::Month) {
        Dates::Needed {
            skip_bad: args.skip_bad,
        }
    } else {
        Dates::Optional
    };
    let data = TrainingData::read(&args.data, args.options.strict_labels(), dates)?;
    let docs = &data.docs;
    let (labels, y) = label_indices(docs);
    if labels.len() < 2 {
        bail!(
            "cross-validation needs at least two labels, found {}",
            labels.len()
        );
    }
    let (runs, skipped) = cross_validate_all(&args, &groupings, docs, &labels, &y, &params)?;
    if let (Some(file), Some((_, run))) = (predictions_file, runs.first()) {
        write_predictions(file, &data, &labels, run, out)?;
    }
    // With the predictions on stdout (`--predictions -`), the summary goes to stderr.
    let mut stderr = std::io::stderr();
    let out: &mut dyn Write = if to_stdout { &mut stderr } else { out };
    let dev = dev_runs(&args, docs, &params)?;
    let preset_given = args.options.preset().is_some();
    let (n, folds) = (docs.len(), args.folds);
    let summary = CvSummary::new(&labels, &y, n, folds, &runs, &skipped, &dev, preset_given);
    match args.format {
        OutputFormat::Json => write_json(out, &summary)?,
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => write!(out, "{summary}")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Each grouping's cross-validation, and the groupings that could not run with the reason.
type Runs = (Vec<(GroupBy, CvResult)>, Vec<(GroupBy, String)>);

/// Cross-validates each grouping; one the data cannot support is skipped with a warning, and
/// it is an error when none can run.
fn cross_validate_all(
    args: &CvArgs,
    groupings: &[GroupBy],
    docs: &[Document],
    labels: &[String],
    y: &[usize],
    params: &CheckedTrainParams,
) -> anyhow::Result<Runs> {
    let mut runs: Vec<(GroupBy, CvResult)> = Vec::new();
    let mut skipped: Vec<(GroupBy, String)> = Vec::new();
    for &g in groupings {
        match cross_validate_grouped(docs, labels, y, params, args.folds, g, args.cv_seed)
            .with_context(|| format!("cross-validating grouped by {g}"))?
        {
            GroupedCv::Ran(mut result) => {
                result.notes = result.notes.iter().map(|n| super::as_flags(n)).collect();
                runs.push((g, *result));
            }
            GroupedCv::Skipped(reason) => {
                let reason = super::as_flags(&reason);
                super::warn(format_args!("{g}: skipped, {reason}"));
                skipped.push((g, reason));
            }
        }
    }
    if runs.is_empty() {
        let why: Vec<String> = skipped.iter().map(|(g, r)| format!("{g}: {r}")).collect();
        bail!("no grouping could run ({})", why.join("; "));
    }
    Ok((runs, skipped))
}

/// Writes `run`'s out-of-fold predictions to `file` (`out` is stdout, for `-`).
fn write_predictions(
    file: Output,
    data: &TrainingData,
    labels: &[String],
    run: &CvResult,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let docs = &data.docs;
    let ids: Vec<String> = if docs.iter().all(|d| d.id.is_some()) {
        docs.iter()
            .map(|d| d.id.clone().unwrap_or_default())
            .collect()
    } else {
        // Documents without an id are named by where they are, as `score` names them.
        let origins = data.origins();
        docs.iter()
            .zip(origins)
            .map(|(d, o)| d.id.clone().unwrap_or(o))
            .collect()
    };
    let target = file.path().to_path_buf();
    file.commit(&predictions_jsonl(docs, &ids, labels, run)?, out)
        .with_context(|| format!("writing --predictions {}", target.display()))
}

/// Each `--dev` set scored by a model trained on all of `docs`.
fn dev_runs(
    args: &CvArgs,
    docs: &[Document],
    params: &CheckedTrainParams,
) -> anyhow::Result<Vec<DevRun>> {
    let mut dev = Vec::new();
    if !args.dev.is_empty() {
        let (model, _) = stance::train(docs, params, &mut |_| {})
            .context("training on all of --data for the dev sets")?;
        for path in &args.dev {
            let dev_docs = stance::read_labelled(path, &args.data.fields())
                .with_context(|| format!("reading dev set {}", path.display()))?;
            let report = evaluate_dev(&model, &dev_docs)
                .with_context(|| format!("evaluating dev set {}", path.display()))?;
            dev.push(DevRun {
                path: path.clone(),
                report,
            });
        }
    }
    Ok(dev)
}
