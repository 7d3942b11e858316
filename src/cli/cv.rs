//! `stance cv`: k-fold cross-validation, at random or grouped by outlet or month, with the gap
//! between random and grouped splits reported as the leakage estimate.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

use stance::eval::cv::{cross_validate, CvResult};
use stance::eval::folds::{FoldPlan, GroupBy};
use stance::eval::metrics::Metrics;
use stance::io::corpus::label_indices;

use super::options::{DataArgs, TrainOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CvArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Number of folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Grouping: none (stratified random), source (outlet) or month; comma-separate several to
    /// compare them side by side.
    #[arg(long, default_value = "none,source,month", value_delimiter = ',')]
    group_by: Vec<String>,
    /// Seed for the fold assignment.
    #[arg(long = "cv-seed", default_value_t = 0)]
    cv_seed: u64,
    #[command(flatten)]
    options: TrainOptions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

fn mean_sd(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = v.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn line(name: &str, m: &Metrics) -> String {
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

pub fn run(args: CvArgs) -> anyhow::Result<ExitCode> {
    if args.folds < 2 {
        bail!("--folds must be at least 2, got {}", args.folds);
    }
    let groupings: Vec<GroupBy> = args
        .group_by
        .iter()
        .map(|g| g.parse())
        .collect::<Result<_, String>>()
        .map_err(anyhow::Error::msg)?;
    let params = args.options.params()?;
    let docs = args.data.read()?;
    let (labels, y) = label_indices(&docs);
    if labels.len() < 2 {
        bail!(
            "cross-validation needs at least two labels, found {}",
            labels.len()
        );
    }
    let mut runs: Vec<(GroupBy, CvResult)> = Vec::new();
    for &g in &groupings {
        let plan = FoldPlan::new(&docs, &labels, &y, args.folds, g, args.cv_seed);
        let result = cross_validate(&docs, &labels, &y, &params, &plan)
            .with_context(|| format!("cross-validating grouped by {g}"))?;
        runs.push((g, result));
    }
    let random = runs
        .iter()
        .find(|(g, _)| *g == GroupBy::None)
        .map(|(_, r)| r.pooled.macro_f1);
    match args.format {
        OutputFormat::Json => {
            let value = serde_json::json!({
                "labels": labels,
                "runs": runs.iter().map(|(g, r)| serde_json::json!({
                    "group_by": g,
                    "pooled": r.pooled,
                    "folds": r.folds,
                    "macro_f1_mean": mean_sd(r.folds.iter().map(|f| f.metrics.macro_f1)).0,
                    "macro_f1_sd": mean_sd(r.folds.iter().map(|f| f.metrics.macro_f1)).1,
                    "leakage_estimate": random.map(|rf| rf - r.pooled.macro_f1),
                    "uncertainty": r.uncertainty,
                    "calibrated": r.calibrate(labels.len(), &y).ok().map(|c| serde_json::json!({
                        "map": c.map,
                        "pooled": Metrics::compute(&labels, &c.y, &c.calibrated),
                    })),
                    "notes": r.notes,
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        OutputFormat::Text => {
            println!("{} documents, labels: {}", docs.len(), labels.join(", "));
            for (g, r) in &runs {
                println!("\n== grouped by {g} ({} folds)", args.folds);
                for note in &r.notes {
                    println!("note: {note}");
                }
                for f in &r.folds {
                    println!("{}", line(&format!("fold {}", f.fold), &f.metrics));
                }
                println!("{}", line("pooled", &r.pooled));
                let u = &r.uncertainty;
                let pct =
                    |a: Option<f64>| a.map_or("n/a".to_string(), |a| format!("{:.1}%", 100.0 * a));
                println!(
                    "uncertain: {:.1}% of predictions; accuracy {} when certain, {} when uncertain",
                    100.0 * u.share,
                    pct(u.accuracy_certain),
                    pct(u.accuracy_uncertain)
                );
                if let Ok(cal) = r.calibrate(labels.len(), &y) {
                    let m = Metrics::compute(&labels, &cal.y, &cal.calibrated);
                    println!("{}", line("calibrated", &m));
                    println!("(calibrated: {:?} fitted on these same out-of-fold predictions, so optimistic by what its parameters can fit)", cal.map);
                }
                let (m, s) = mean_sd(r.folds.iter().map(|f| f.metrics.macro_f1));
                println!("macro_f1 over folds: {m:.4} ± {s:.4}");
            }
            println!(
                "\n{:<10} {:>10} {:>10} {:>8} {:>8} {:>10}",
                "group_by", "macro_f1", "accuracy", "auc", "ece", "leakage"
            );
            for (g, r) in &runs {
                println!(
                    "{:<10} {:>10.4} {:>10.4} {:>8} {:>8.4} {:>10}",
                    g.to_string(),
                    r.pooled.macro_f1,
                    r.pooled.accuracy,
                    r.pooled.roc_auc.map_or("n/a".into(), |a| format!("{a:.4}")),
                    r.pooled.ece,
                    random.map_or("n/a".into(), |rf| format!("{:+.4}", rf - r.pooled.macro_f1))
                );
            }
            if random.is_some() {
                println!("leakage = random-split macro-F1 minus this split's: how much a random split overstates performance on unseen outlets/months");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
