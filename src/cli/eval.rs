//! `stance eval`: a model's figures on labelled data (any training format).

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use rayon::prelude::*;

use stance::eval::metrics::{ece, Metrics};

use super::options::DataArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<std::path::PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// Prints metrics as a readable report.
pub fn print_metrics(m: &Metrics, labels: &[String]) {
    println!("documents: {}", m.n);
    for l in &m.per_label {
        println!("  {:<16} {:>7}", l.label, l.support);
    }
    println!("accuracy:  {:.4}", m.accuracy);
    println!("macro-F1:  {:.4}", m.macro_f1);
    println!(
        "ROC AUC:   {}",
        m.roc_auc
            .map_or("n/a (a label is missing)".into(), |a| format!("{a:.4}"))
    );
    println!("log loss:  {:.4}", m.log_loss);
    println!("Brier:     {:.4}", m.brier);
    println!("ECE (10 bins): {:.4}", m.ece);
    println!(
        "\n{:<16} {:>9} {:>9} {:>9} {:>9}",
        "label", "precision", "recall", "F1", "support"
    );
    for l in &m.per_label {
        println!(
            "{:<16} {:>9.4} {:>9.4} {:>9.4} {:>9}",
            l.label, l.precision, l.recall, l.f1, l.support
        );
    }
    println!("\nconfusion (rows: true, columns: predicted)");
    print!("{:<16}", "");
    for l in labels {
        print!(" {l:>12}");
    }
    println!();
    for (l, row) in labels.iter().zip(&m.confusion) {
        print!("{l:<16}");
        for c in row {
            print!(" {c:>12}");
        }
        println!();
    }
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_ref())?;
    let docs = args.data.read()?;
    let labels = model.labels().to_vec();
    let mut y = Vec::with_capacity(docs.len());
    for d in &docs {
        let label = d.label.as_deref().unwrap_or("");
        match labels.iter().position(|l| l == label) {
            Some(i) => y.push(i),
            None => bail!(
                "label {label:?} (document {}) is not one of the model's labels: {}",
                d.id.as_deref().unwrap_or("?"),
                labels.join(", ")
            ),
        }
    }
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
    let metrics = Metrics::compute(&labels, &y, &probabilities);
    let ece_uncalibrated = model.calibration().map(|_| ece(&y, &raw));
    match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&metrics)?;
            if let serde_json::Value::Object(map) = &mut v {
                map.insert("calibrated".into(), model.calibration().is_some().into());
                map.insert("ece_uncalibrated".into(), ece_uncalibrated.into());
            }
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputFormat::Text => {
            print_metrics(&metrics, &labels);
            match ece_uncalibrated {
                Some(before) => println!(
                    "\nECE before calibration: {before:.4}, after: {:.4}",
                    metrics.ece
                ),
                None => println!("\nthe model has no calibration (train with --calibrate)"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
