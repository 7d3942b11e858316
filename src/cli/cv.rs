//! `stance cv`: k-fold cross-validation, at random or grouped by outlet or month, with the gap
//! between random and grouped splits reported as the leakage estimate.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use std::path::PathBuf;

use stance::eval::cv::{cross_validate_grouped, CvResult, FoldResult, GroupedCv, UncertaintySplit};
use stance::eval::dev::{evaluate_dev, DevReport};
use stance::eval::folds::GroupBy;
use stance::eval::metrics::{Metrics, MIN_DOCUMENTS, MIN_PER_LABEL};
use stance::io::atomic::check_distinct;
use stance::io::corpus::{label_indices, Document};
use stance::model::calibration::Calibration;
use stance::model::evidence::{Evidence, UncertaintyPolicy};
use stance::predict::score::unique_argmax;

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

/// The expected calibration error above which `cv` without a preset suggests
/// `--preset default`.
const ECE_HINT: f64 = 0.1;

/// Every run, as `--format json` prints it.
#[derive(Serialize)]
struct Report<'a> {
    labels: &'a [String],
    runs: Vec<RunReport<'a>>,
    /// The groupings the data could not support, each with the reason.
    skipped: Vec<SkippedRun<'a>>,
    /// One entry per --dev file (absent without one).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    dev: &'a [DevRun],
}

/// A grouping that could not run, and why.
#[derive(Serialize)]
struct SkippedRun<'a> {
    group_by: GroupBy,
    reason: &'a str,
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

/// A dev set's figures, with its path.
#[derive(Serialize)]
struct DevRun {
    path: PathBuf,
    #[serde(flatten)]
    report: DevReport,
}

/// One fold's figures as `--format json` writes them: `metrics` is null, and `withheld` says
/// why, when they rest on too few documents ([`Metrics::too_few`]).
#[derive(Serialize)]
struct FoldReport<'a> {
    fold: usize,
    n_train: usize,
    n: usize,
    metrics: Option<&'a Metrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withheld: Option<String>,
}

impl<'a> FoldReport<'a> {
    fn of(f: &'a FoldResult) -> Self {
        let withheld = f.metrics.too_few();
        FoldReport {
            fold: f.fold,
            n_train: f.n_train,
            n: f.metrics.n,
            metrics: withheld.is_none().then_some(&f.metrics),
            withheld,
        }
    }
}

/// One grouping's cross-validation.
#[derive(Serialize)]
struct RunReport<'a> {
    group_by: GroupBy,
    pooled: &'a Metrics,
    folds: Vec<FoldReport<'a>>,
    /// Over the folds whose figures are shown; null when no fold has enough documents.
    macro_f1_mean: Option<f64>,
    macro_f1_sd: Option<f64>,
    /// Random-split macro-F1 minus this run's, when a random split was run.
    leakage_estimate: Option<f64>,
    uncertainty: &'a UncertaintySplit,
    calibrated: Option<CalibratedReport>,
    notes: &'a [String],
}

/// The pooled figures after a calibration fitted on the same out-of-fold predictions.
#[derive(Serialize)]
struct CalibratedReport {
    map: Calibration,
    pooled: Metrics,
}

fn mean_sd(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = v.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// One line of figures, or `n/a (n=N)` when they rest on too few documents.
fn line(name: &str, m: &Metrics) -> String {
    if m.too_few().is_some() {
        return format!("{name:<14} n/a (n={})", m.n);
    }
    format!(
        "{name:<14} n={:<6} acc={:.4} macro_f1={:.4} auc={} log_loss={:.4} brier={:.4} ece={:.4}",
        m.n,
        m.accuracy,
        m.macro_f1,
        m.roc_auc.map_or("n/a".into(), |a| format!("{a:.4}")),
        m.log_loss,
        m.brier,
        m.ece
    )
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
    let mut runs: Vec<(GroupBy, CvResult)> = Vec::new();
    let mut skipped: Vec<(GroupBy, String)> = Vec::new();
    for &g in &groupings {
        match cross_validate_grouped(docs, &labels, &y, &params, args.folds, g, args.cv_seed)
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
    if let (Some(file), Some((_, run))) = (predictions_file, runs.first()) {
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
        file.commit(&predictions_jsonl(docs, &ids, &labels, run)?, out)
            .with_context(|| format!("writing --predictions {}", target.display()))?;
    }
    // With the predictions on stdout (`--predictions -`), the summary goes to stderr.
    let mut stderr = std::io::stderr();
    let out: &mut dyn Write = if to_stdout { &mut stderr } else { out };
    let mut dev = Vec::new();
    if !args.dev.is_empty() {
        let (model, _) = stance::train(docs, &params, &mut |_| {})
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
    let random = runs
        .iter()
        .find(|(g, _)| *g == GroupBy::None)
        .map(|(_, r)| r.pooled.macro_f1);
    match args.format {
        OutputFormat::Json => {
            let report = Report {
                labels: &labels,
                runs: runs
                    .iter()
                    .map(|(g, r)| {
                        // Over the folds whose figures are shown; null when none is.
                        let shown: Vec<f64> = r
                            .folds
                            .iter()
                            .filter(|f| f.metrics.too_few().is_none())
                            .map(|f| f.metrics.macro_f1)
                            .collect();
                        let (mean, sd) = mean_sd(shown.iter().copied());
                        let (macro_f1_mean, macro_f1_sd) = if shown.is_empty() {
                            (None, None)
                        } else {
                            (Some(mean), Some(sd))
                        };
                        RunReport {
                            group_by: *g,
                            pooled: &r.pooled,
                            folds: r.folds.iter().map(FoldReport::of).collect(),
                            macro_f1_mean,
                            macro_f1_sd,
                            leakage_estimate: random.map(|rf| rf - r.pooled.macro_f1),
                            uncertainty: &r.uncertainty,
                            calibrated: r.calibrate(labels.len(), &y).ok().map(|c| {
                                CalibratedReport {
                                    pooled: Metrics::compute(&labels, &c.y, &c.calibrated),
                                    map: c.map,
                                }
                            }),
                            notes: &r.notes,
                        }
                    })
                    .collect(),
                skipped: skipped
                    .iter()
                    .map(|(g, reason)| SkippedRun {
                        group_by: *g,
                        reason,
                    })
                    .collect(),
                dev: &dev,
            };
            write_json(out, &report)?;
        }
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => {
            writeln!(
                out,
                "{} documents, labels: {}",
                docs.len(),
                labels.join(", ")
            )?;
            for (g, reason) in &skipped {
                writeln!(out, "\n== {g}: skipped, {reason}")?;
            }
            for (g, r) in &runs {
                writeln!(out, "\n== grouped by {g} ({} folds)", args.folds)?;
                for note in &r.notes {
                    writeln!(out, "note: {note}")?;
                }
                for f in &r.folds {
                    writeln!(out, "{}", line(&format!("fold {}", f.fold), &f.metrics))?;
                }
                if let Some(why) = r.folds.iter().find_map(|f| f.metrics.too_few()) {
                    writeln!(
                        out,
                        "n/a: a fold's figures are not printed when they rest on fewer than {MIN_DOCUMENTS} documents or {MIN_PER_LABEL} of a label (here {why}); use fewer folds or more data"
                    )?;
                }
                writeln!(out, "{}", line("pooled", &r.pooled))?;
                let u = &r.uncertainty;
                let pct =
                    |a: Option<f64>| a.map_or("n/a".to_string(), |a| format!("{:.1}%", 100.0 * a));
                writeln!(
                    out,
                    "uncertain: {:.1}% of predictions; accuracy {} when certain, {} when uncertain",
                    100.0 * u.share,
                    pct(u.accuracy_certain),
                    pct(u.accuracy_uncertain)
                )?;
                if let Ok(cal) = r.calibrate(labels.len(), &y) {
                    let m = Metrics::compute(&labels, &cal.y, &cal.calibrated);
                    writeln!(out, "{}", line("calibrated", &m))?;
                    writeln!(out, "(calibrated: {:?} fitted on these same out-of-fold predictions, so optimistic by what its parameters can fit)", cal.map)?;
                }
                let shown = r.folds.iter().filter(|f| f.metrics.too_few().is_none());
                let (m, s) = mean_sd(shown.clone().map(|f| f.metrics.macro_f1));
                match shown.count() {
                    0 => writeln!(
                        out,
                        "macro_f1 over folds: n/a (no fold has enough documents)"
                    )?,
                    k if k < r.folds.len() => writeln!(
                        out,
                        "macro_f1 over the {k} folds with enough documents: {m:.4} ± {s:.4}"
                    )?,
                    _ => writeln!(out, "macro_f1 over folds: {m:.4} ± {s:.4}")?,
                }
            }
            writeln!(
                out,
                "\n{:<10} {:>10} {:>10} {:>8} {:>8} {:>10}",
                "group_by", "macro_f1", "accuracy", "auc", "ece", "leakage"
            )?;
            for (g, r) in &runs {
                writeln!(
                    out,
                    "{:<10} {:>10.4} {:>10.4} {:>8} {:>8.4} {:>10}",
                    g.to_string(),
                    r.pooled.macro_f1,
                    r.pooled.accuracy,
                    r.pooled.roc_auc.map_or("n/a".into(), |a| format!("{a:.4}")),
                    r.pooled.ece,
                    random.map_or("n/a".into(), |rf| format!("{:+.4}", rf - r.pooled.macro_f1))
                )?;
            }
            for (g, _) in &skipped {
                writeln!(out, "{:<10} {:>10}", g.to_string(), "skipped")?;
            }
            let worst_ece = runs.iter().map(|(_, r)| r.pooled.ece).fold(0.0, f64::max);
            if args.options.preset().is_none() && worst_ece > ECE_HINT {
                writeln!(out, "ECE {worst_ece:.3} is above {ECE_HINT}: these probabilities are poorly calibrated; the default model's settings (--preset default) usually calibrate far better")?;
            }
            if random.is_some() {
                writeln!(out, "leakage = random-split macro-F1 minus this split's: how much a random split overstates performance on unseen outlets/months")?;
            }
            for d in &dev {
                let r = &d.report;
                writeln!(
                    out,
                    "\n== dev set {} (model trained on all of --data)",
                    d.path.display()
                )?;
                writeln!(out, "{}", line("dev", &r.metrics))?;
                for l in &r.drift {
                    let q: Vec<String> = l
                        .mean_probability
                        .iter()
                        .map(|p| format!("{p:.3}"))
                        .collect();
                    writeln!(
                        out,
                        "length drift, true {} ({} documents): mean p({}) by length quarter {} (drift {:+.3})",
                        l.label,
                        l.documents,
                        l.label,
                        q.join(" "),
                        l.drift
                    )?;
                }
                writeln!(
                    out,
                    "paragraph agreement: {:.1}% of documents have the label of their paragraphs' mean logit",
                    100.0 * r.paragraph_agreement
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
