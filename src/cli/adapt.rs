//! `stance adapt`: fine-tune a model on a labelled sample of the user's corpus (see
//! [`stance::adapt`]), print the candidates' cross-validated figures and which was kept, and
//! write the adapted model.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use stance::adapt::{
    adapt_with_base_data, sha256_hex, AdaptError, AdaptParams, AdaptReport, Strength,
};
use stance::io::atomic::Output;
use stance::model::default_model::DEFAULT_MODEL_JSON;
use stance::Document;
use stance::Model;

use super::options::DataArgs;
use super::training_data::TrainingData;

#[derive(Debug, Args)]
pub struct AdaptArgs {
    /// The base model; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    #[command(flatten)]
    data: DataArgs,
    /// Where to write the adapted model (written whole or not at all).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Pull toward the base's weights: `auto` (chosen by cross-validation on the sample), or a
    /// number (`inf` keeps the base's weights and refits the intercept; 0 fits the sample
    /// alone).
    #[arg(long, default_value = "auto", value_parser = strength)]
    strength: Strength,
    /// Cross-validation folds (at most the smaller label's count are used).
    #[arg(long, default_value_t = 5, value_name = "K")]
    folds: usize,
    /// Seed of the folds and the bootstrap intervals.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Labelled data like the base's training data (the corpus it was trained on): adds a
    /// candidate trained on it pooled with the sample, the sample weighted as much as all of
    /// it (read with the --data field options; strength auto only). Repeat for several files.
    #[arg(long = "base-data", value_name = "PATH")]
    base_data: Vec<PathBuf>,
}

fn strength(s: &str) -> Result<Strength, String> {
    if s == "auto" {
        return Ok(Strength::Auto);
    }
    match s.parse::<f64>() {
        Ok(v) if v >= 0.0 => Ok(Strength::Fixed(v)),
        _ => Err(format!(
            "expected auto or a number >= 0 (inf for the base's weights), got {s:?}"
        )),
    }
}

pub fn run(args: AdaptArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (base, base_sha256) = base_model(&args)?;
    let file = Output::create(&args.out)?;
    let data = TrainingData::read(&args.data, false, super::training_data::Dates::Optional)?;
    let base_data = read_base_data(&args)?;
    let params = AdaptParams {
        strength: args.strength,
        folds: args.folds,
        seed: args.seed,
        ..AdaptParams::default()
    };
    let (model, report) =
        adapt_with_base_data(&base, &base_sha256, &data.docs, &base_data, &params)
            .map_err(with_flags)
            .context("adapting the model")?;
    for note in &report.notes {
        super::warn(format_args!("{note}"));
    }
    render_text(out, &report, data.docs.len(), base_data.len())?;
    model.save_to(file, out)?;
    writeln!(out, "wrote {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}

/// The base model (`--model`, else the built-in one) and the SHA-256 of its file's bytes.
fn base_model(args: &AdaptArgs) -> anyhow::Result<(Model, String)> {
    Ok(match &args.model {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("reading base model {}", path.display()))?;
            (
                Model::from_json(&bytes, path).context("loading model")?,
                sha256_hex(&bytes),
            )
        }
        None => (super::load_model(None)?, sha256_hex(DEFAULT_MODEL_JSON)),
    })
}

/// The `--base-data` documents, read with the `--data` field options (none without the flag).
fn read_base_data(args: &AdaptArgs) -> anyhow::Result<Vec<Document>> {
    if args.base_data.is_empty() {
        return Ok(Vec::new());
    }
    let data = DataArgs {
        data: args.base_data.clone(),
        ..args.data.clone()
    };
    Ok(
        TrainingData::read(&data, false, super::training_data::Dates::Optional)
            .context("reading --base-data")?
            .docs,
    )
}

/// The library's error, with the flag named where the library names its parameter.
fn with_flags(e: AdaptError) -> anyhow::Error {
    match e {
        AdaptError::BaseDataNeedsAuto => anyhow::anyhow!(
            "--base-data needs --strength auto: with a fixed strength it would be ignored"
        ),
        e => anyhow::Error::new(e),
    }
}

/// The candidates' table and the choice, as text.
fn render_text(
    out: &mut dyn Write,
    report: &AdaptReport,
    texts: usize,
    base_texts: usize,
) -> std::io::Result<()> {
    let pooled = if base_texts == 0 {
        String::new()
    } else {
        format!(" (and {base_texts} base-data texts for the pooled candidate)")
    };
    let folds = if report.group_by.to_string() == "none" {
        "stratified".to_string()
    } else {
        format!("grouped by {}", report.group_by)
    };
    writeln!(
        out,
        "{texts} labelled texts{pooled}, {}-fold cross-validation ({folds}), {} new terms",
        report.folds, report.new_terms
    )?;
    writeln!(
        out,
        "{:<14} {:>9} {:>24} {:>24}",
        "candidate", "log loss", "macro-F1 [95% CI]", "AUC [95% CI]"
    )?;
    let interval = |v: &[f64; 3]| format!("{:.3} [{:.3}, {:.3}]", v[1], v[0], v[2]);
    for (i, c) in report.candidates.iter().enumerate() {
        writeln!(
            out,
            "{:<14} {:>9.4} {:>24} {:>24}{}",
            c.name,
            c.log_loss,
            interval(&c.macro_f1),
            c.auc.as_ref().map_or("-".to_string(), interval),
            if i == report.chosen { "  <- kept" } else { "" }
        )?;
    }
    let kept = &report.candidates[report.chosen];
    writeln!(
        out,
        "kept {}: the highest out-of-fold AUC (ties: the lower log loss, then nearer the base); {}",
        kept.name,
        if kept.name == "base-as-is" {
            "the base's own probabilities"
        } else {
            "calibrated on its out-of-fold scores (Platt)"
        }
    )
}
