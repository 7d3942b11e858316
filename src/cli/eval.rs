//! `stance eval`: a model's figures on labelled data (any training format), with a warning
//! when the data are the model's own training data (by the SHA-256 of the documents that the
//! model recorded).

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;

use stance::eval::metrics::{ece, Metrics};
use stance::eval::own_data::OwnTrainingData;

use super::options::DataArgs;
use super::output::{formats, write_json, OutputFormat, TEXT_OR_JSON};
use super::training_data::TrainingData;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<std::path::PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
    format: OutputFormat,
}

/// The figures as `--format json` prints them: the metrics' keys and two more.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    metrics: &'a Metrics,
    calibrated: bool,
    /// ECE of the raw model's probabilities, when the model is calibrated.
    ece_uncalibrated: Option<f64>,
    /// Set when the data are (part of) the model's training data; `null` otherwise.
    training_data: Option<&'a OwnTrainingData>,
}

/// Writes metrics as a readable report.
fn write_metrics(out: &mut dyn Write, m: &Metrics, labels: &[String]) -> std::io::Result<()> {
    writeln!(out, "documents: {}", m.n)?;
    for l in &m.per_label {
        writeln!(out, "  {:<16} {:>7}", l.label, l.support)?;
    }
    writeln!(out, "accuracy:  {:.4}", m.accuracy)?;
    writeln!(out, "macro-F1:  {:.4}", m.macro_f1)?;
    writeln!(
        out,
        "ROC AUC:   {}",
        m.roc_auc
            .map_or("n/a (a label is missing)".into(), |a| format!("{a:.4}"))
    )?;
    writeln!(out, "log loss:  {:.4}", m.log_loss)?;
    writeln!(out, "Brier:     {:.4}", m.brier)?;
    writeln!(out, "ECE (10 bins): {:.4}", m.ece)?;
    writeln!(
        out,
        "\n{:<16} {:>9} {:>9} {:>9} {:>9}",
        "label", "precision", "recall", "F1", "support"
    )?;
    for l in &m.per_label {
        writeln!(
            out,
            "{:<16} {:>9.4} {:>9.4} {:>9.4} {:>9}",
            l.label, l.precision, l.recall, l.f1, l.support
        )?;
    }
    writeln!(out, "\nconfusion (rows: true, columns: predicted)")?;
    write!(out, "{:<16}", "")?;
    for l in labels {
        write!(out, " {l:>12}")?;
    }
    writeln!(out)?;
    for (l, row) in labels.iter().zip(&m.confusion) {
        write!(out, "{l:<16}")?;
        for c in row {
            write!(out, " {c:>12}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

pub fn run(args: EvalArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_ref())?;
    let data = TrainingData::read(&args.data, false, super::training_data::Dates::Optional)?;
    let docs = &data.docs;
    let labels = model.labels().to_vec();
    let y = true_labels(&data, &labels)?;
    let (probabilities, raw): (Vec<Vec<f64>>, Vec<Vec<f64>>) = docs
        .par_iter()
        .map(|d| {
            let row = model.featurizer().transform(&d.text);
            let logits = model.classifier().logits(&row);
            (
                model.probabilities_from_logits(&logits),
                model.classifier().probabilities_from_logits(&logits),
            )
        })
        .unzip();
    let overlap = OwnTrainingData::check(&model, docs);
    if let Some(o) = &overlap {
        super::warn(format_args!("{}", o.warning));
    }
    let metrics = Metrics::compute(&labels, &y, &probabilities);
    let ece_uncalibrated = model.calibration().map(|_| ece(&y, &raw));
    match args.format {
        OutputFormat::Json => {
            let report = Report {
                metrics: &metrics,
                calibrated: model.calibration().is_some(),
                ece_uncalibrated,
                training_data: overlap.as_ref(),
            };
            write_json(out, &report)?;
        }
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => {
            write_metrics(out, &metrics, &labels)?;
            match ece_uncalibrated {
                Some(before) => writeln!(
                    out,
                    "\nECE before calibration: {before:.4}, after: {:.4}",
                    metrics.ece
                )?,
                None => writeln!(
                    out,
                    "\nthe model has no calibration (train with --calibrate)"
                )?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Each document's label as an index into the model's `labels`; an error names the first
/// label the model does not know, and where it is.
fn true_labels(data: &TrainingData, labels: &[String]) -> anyhow::Result<Vec<usize>> {
    let docs = &data.docs;
    let mut y = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let label = d.label.as_deref().unwrap_or("");
        match labels.iter().position(|l| l == label) {
            Some(i) => y.push(i),
            None => bail!(
                "{}: label {label:?}{} is not one of the model's labels: {}{}",
                data.origin(i),
                d.id.as_ref()
                    .map_or(String::new(), |id| format!(" (document {id:?})")),
                labels.join(", "),
                labels
                    .iter()
                    .find(|l| l.to_lowercase() == label.to_lowercase())
                    .map_or(String::new(), |l| format!(
                        " (labels differ in case: the model has {l:?})"
                    ))
            ),
        }
    }
    Ok(y)
}
