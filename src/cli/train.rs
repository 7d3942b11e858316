//! `stance train`: read labelled data, train (and calibrate) with the library's `train`, write
//! the model atomically, print a summary.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use stance::io::atomic::{check_distinct, Output};
use stance::model::logistic::Penalty;
use stance::train::{train, Stage};

use super::options::{CalibrationArgs, DataArgs, TrainOptions};

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Where to write the model file (replaced atomically).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    #[command(flatten)]
    options: TrainOptions,
    #[command(flatten)]
    calibration: CalibrationArgs,
    /// No progress spinner (drawn on stderr, only when stderr is a terminal). The summary on
    /// stdout, warnings and errors are still printed.
    #[arg(long, short)]
    quiet: bool,
    /// Threads to work with; the model and figures are the same for any number [default: all
    /// cores, or RAYON_NUM_THREADS].
    #[arg(long, value_name = "N", value_parser = super::parse_threads)]
    threads: Option<usize>,
}

pub fn run(args: TrainArgs, stdout: &mut dyn Write) -> anyhow::Result<ExitCode> {
    super::use_threads(args.threads)?;
    let params = args.options.params_with(&args.calibration)?;
    // Open the output first, so an unwritable path fails now and not after training.
    let out = Output::create(&args.out)
        .with_context(|| format!("opening output {}", args.out.display()))?;
    check_distinct(&args.data.data, &[("--out", &out)])?;
    let to_stdout = out.is_stdout();
    let started = Instant::now();
    let data = super::training_data::TrainingData::read(
        &args.data,
        args.options.strict_labels(),
        super::training_data::Dates::Optional,
    )?;
    let docs = data.docs;

    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let mut progress = |stage: Stage| match stage {
        Stage::Featurizing(n) => bar.set_message(format!("featurizing {n} documents")),
        Stage::Featurized(v) => bar.set_message(format!("vocabulary of {v} terms; training")),
        Stage::Evaluation(i, loss) => {
            bar.set_message(format!("training: evaluation {i}, loss {loss:.4}"))
        }
        Stage::Calibrating(c) => bar.set_message(format!(
            "calibrating: {}-fold cross-validation grouped by {}",
            c.folds, c.group_by
        )),
    };
    let (model, report) = train(&docs, &params, &mut progress).context("training")?;
    bar.finish_and_clear();
    if let Some(warning) = stance::train::uniform_scores_warning(&model, &docs) {
        super::warn(format_args!("{warning}"));
    }
    model
        .save_to(out, stdout)
        .with_context(|| format!("writing model {}", args.out.display()))?;
    // With the model on stdout (`--out -`), the summary goes to stderr so as not to mix in.
    let mut stderr = std::io::stderr();
    let stdout: &mut dyn Write = if to_stdout { &mut stderr } else { stdout };

    let t = model.training();
    writeln!(
        stdout,
        "trained on {} documents in {:.2} s",
        t.documents,
        started.elapsed().as_secs_f64()
    )?;
    if let Some(preset) = args.options.preset() {
        writeln!(
            stdout,
            "preset {}: {} (flags given override it)",
            preset.name(),
            super::options::preset_flags(preset)
        )?;
    }
    for (label, n) in &t.per_label {
        writeln!(stdout, "  {label:<20} {n:>8}")?;
    }
    writeln!(
        stdout,
        "vocabulary: {} terms",
        model.featurizer().n_features()
    )?;
    writeln!(
        stdout,
        "{}: {} iterations, final loss {:.6}, gradient norm {:.3e}{}",
        model.training().logistic.optimiser(),
        report.iterations,
        report.final_loss,
        report.gradient_norm,
        if report.converged {
            String::new()
        } else {
            format!(
                " (stopped before the gradient norm reached --tol {})",
                model.training().logistic.tolerance
            )
        }
    )?;
    if model.training().logistic.penalty != Penalty::L2 {
        let weighted = (0..model.featurizer().n_features())
            .filter(|&f| model.classifier().weights().iter().any(|w| w[f] != 0.0))
            .count();
        writeln!(stdout, "{weighted} terms with a non-zero weight")?;
    }
    if let Some(c) = model.calibration() {
        writeln!(
            stdout,
            "calibration: {:?} from {}-fold CV grouped by {}; out-of-fold ECE {:.4} -> {:.4}",
            c.map, c.folds, c.group_by, c.ece_before, c.ece_after
        )?;
    }
    writeln!(stdout, "model written to {}", args.out.display())?;
    Ok(ExitCode::SUCCESS)
}
