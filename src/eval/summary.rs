//! The record `stance cv` prints: every grouping's folds and pooled figures, the leakage
//! estimate against the random split, the calibrated figures, and the dev sets. JSON through
//! its `Serialize`, text through its `Display`.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::eval::cv::{CvResult, FoldResult, UncertaintySplit};
use crate::eval::dev::DevReport;
use crate::eval::folds::GroupBy;
use crate::eval::metrics::{Metrics, MIN_DOCUMENTS, MIN_PER_LABEL};
use crate::model::calibration::Calibration;

/// The expected calibration error above which a summary of a run without a preset suggests
/// the default model's settings.
pub const ECE_HINT: f64 = 0.1;

/// Every grouping's cross-validation, as `stance cv` prints it.
#[derive(Debug, Serialize)]
pub struct CvSummary<'a> {
    pub labels: &'a [String],
    /// Documents cross-validated.
    #[serde(skip)]
    pub documents: usize,
    /// Folds per grouping.
    #[serde(skip)]
    pub folds: usize,
    pub runs: Vec<RunSummary<'a>>,
    /// The groupings the data could not support, each with the reason.
    pub skipped: Vec<SkippedRun<'a>>,
    /// One entry per dev set (absent without one).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub dev: &'a [DevRun],
    /// Whether the text suggests the default model's settings: no preset was named and a
    /// run's ECE is above [`ECE_HINT`].
    #[serde(skip)]
    pub suggest_preset: bool,
}

/// A grouping that could not run, and why.
#[derive(Debug, Serialize)]
pub struct SkippedRun<'a> {
    pub group_by: GroupBy,
    pub reason: &'a str,
}

/// A dev set's figures, with its path.
#[derive(Debug, Serialize)]
pub struct DevRun {
    pub path: PathBuf,
    #[serde(flatten)]
    pub report: DevReport,
}

/// One fold's figures: `metrics` is null, and `withheld` says why, when they rest on too few
/// documents ([`Metrics::too_few`]).
#[derive(Debug, Serialize)]
pub struct FoldSummary<'a> {
    pub fold: usize,
    pub n_train: usize,
    pub n: usize,
    pub metrics: Option<&'a Metrics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

/// One grouping's cross-validation.
#[derive(Debug, Serialize)]
pub struct RunSummary<'a> {
    pub group_by: GroupBy,
    pub pooled: &'a Metrics,
    pub folds: Vec<FoldSummary<'a>>,
    /// Over the folds whose figures are shown; null when no fold has enough documents.
    pub macro_f1_mean: Option<f64>,
    pub macro_f1_sd: Option<f64>,
    /// Random-split macro-F1 minus this run's, when a random split was run.
    pub leakage_estimate: Option<f64>,
    pub uncertainty: &'a UncertaintySplit,
    pub calibrated: Option<CalibratedSummary>,
    pub notes: &'a [String],
}

/// The pooled figures after a calibration fitted on the same out-of-fold predictions.
#[derive(Debug, Serialize)]
pub struct CalibratedSummary {
    pub map: Calibration,
    pub pooled: Metrics,
}

impl<'a> CvSummary<'a> {
    /// The summary of `runs` (each grouping's cross-validation of `documents` documents with
    /// true labels `y` among `labels`), the groupings `skipped`, and the `dev` sets.
    /// `preset_given`: whether the training options named a preset (if not, a poorly
    /// calibrated run suggests one).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        labels: &'a [String],
        y: &[usize],
        documents: usize,
        folds: usize,
        runs: &'a [(GroupBy, CvResult)],
        skipped: &'a [(GroupBy, String)],
        dev: &'a [DevRun],
        preset_given: bool,
    ) -> Self {
        let random = runs
            .iter()
            .find(|(g, _)| *g == GroupBy::None)
            .map(|(_, r)| r.pooled.macro_f1);
        let worst_ece = runs.iter().map(|(_, r)| r.pooled.ece).fold(0.0, f64::max);
        CvSummary {
            labels,
            documents,
            folds,
            runs: runs
                .iter()
                .map(|(g, r)| RunSummary::new(*g, r, labels, y, random))
                .collect(),
            skipped: skipped
                .iter()
                .map(|(g, reason)| SkippedRun {
                    group_by: *g,
                    reason,
                })
                .collect(),
            dev,
            suggest_preset: !preset_given && worst_ece > ECE_HINT,
        }
    }
}

impl<'a> RunSummary<'a> {
    fn new(
        group_by: GroupBy,
        r: &'a CvResult,
        labels: &[String],
        y: &[usize],
        random: Option<f64>,
    ) -> Self {
        // Over the folds whose figures are shown; null when none is.
        let shown: Vec<f64> = r
            .folds
            .iter()
            .filter(|f| f.metrics.too_few().is_none())
            .map(|f| f.metrics.macro_f1)
            .collect();
        let (mean, sd) = mean_sd(&shown);
        let (macro_f1_mean, macro_f1_sd) = if shown.is_empty() {
            (None, None)
        } else {
            (Some(mean), Some(sd))
        };
        RunSummary {
            group_by,
            pooled: &r.pooled,
            folds: r.folds.iter().map(FoldSummary::of).collect(),
            macro_f1_mean,
            macro_f1_sd,
            leakage_estimate: random.map(|rf| rf - r.pooled.macro_f1),
            uncertainty: &r.uncertainty,
            calibrated: r
                .calibrate(labels.len(), y)
                .ok()
                .map(|c| CalibratedSummary {
                    pooled: Metrics::compute(labels, &c.y, &c.calibrated),
                    map: c.map,
                }),
            notes: &r.notes,
        }
    }
}

impl<'a> FoldSummary<'a> {
    fn of(f: &'a FoldResult) -> Self {
        let withheld = f.metrics.too_few();
        FoldSummary {
            fold: f.fold,
            n_train: f.n_train,
            n: f.metrics.n,
            metrics: withheld.is_none().then_some(&f.metrics),
            withheld,
        }
    }
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
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

impl fmt::Display for CvSummary<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "{} documents, labels: {}",
            self.documents,
            self.labels.join(", ")
        )?;
        for s in &self.skipped {
            writeln!(out, "\n== {}: skipped, {}", s.group_by, s.reason)?;
        }
        for r in &self.runs {
            writeln!(out, "\n== grouped by {} ({} folds)", r.group_by, self.folds)?;
            write!(out, "{r}")?;
        }
        self.write_table(out)?;
        for d in self.dev {
            write!(out, "{d}")?;
        }
        Ok(())
    }
}

impl CvSummary<'_> {
    /// The side-by-side table of the groupings, with the leakage estimate.
    fn write_table(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "\n{:<10} {:>10} {:>10} {:>8} {:>8} {:>10}",
            "group_by", "macro_f1", "accuracy", "auc", "ece", "leakage"
        )?;
        for r in &self.runs {
            writeln!(
                out,
                "{:<10} {:>10.4} {:>10.4} {:>8} {:>8.4} {:>10}",
                r.group_by.to_string(),
                r.pooled.macro_f1,
                r.pooled.accuracy,
                r.pooled.roc_auc.map_or("n/a".into(), |a| format!("{a:.4}")),
                r.pooled.ece,
                r.leakage_estimate
                    .map_or("n/a".into(), |l| format!("{l:+.4}"))
            )?;
        }
        for s in &self.skipped {
            writeln!(out, "{:<10} {:>10}", s.group_by.to_string(), "skipped")?;
        }
        if self.suggest_preset {
            let worst_ece = self.runs.iter().map(|r| r.pooled.ece).fold(0.0, f64::max);
            writeln!(out, "ECE {worst_ece:.3} is above {ECE_HINT}: these probabilities are poorly calibrated; the default model's settings (--preset default) usually calibrate far better")?;
        }
        if self.runs.iter().any(|r| r.group_by == GroupBy::None) {
            writeln!(out, "leakage = random-split macro-F1 minus this split's: how much a random split overstates performance on unseen outlets/months")?;
        }
        Ok(())
    }
}

/// One grouping's folds, pooled, uncertain and calibrated figures.
impl fmt::Display for RunSummary<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for note in self.notes {
            writeln!(out, "note: {note}")?;
        }
        for f in &self.folds {
            let name = format!("fold {}", f.fold);
            match f.metrics {
                Some(m) => writeln!(out, "{}", line(&name, m))?,
                None => writeln!(out, "{name:<14} n/a (n={})", f.n)?,
            }
        }
        if let Some(why) = self.folds.iter().find_map(|f| f.withheld.as_ref()) {
            writeln!(
                out,
                "n/a: a fold's figures are not printed when they rest on fewer than {MIN_DOCUMENTS} documents or {MIN_PER_LABEL} of a label (here {why}); use fewer folds or more data"
            )?;
        }
        writeln!(out, "{}", line("pooled", self.pooled))?;
        let u = self.uncertainty;
        let pct = |a: Option<f64>| a.map_or("n/a".to_string(), |a| format!("{:.1}%", 100.0 * a));
        writeln!(
            out,
            "uncertain: {:.1}% of predictions; accuracy {} when certain, {} when uncertain",
            100.0 * u.share,
            pct(u.accuracy_certain),
            pct(u.accuracy_uncertain)
        )?;
        if let Some(cal) = &self.calibrated {
            writeln!(out, "{}", line("calibrated", &cal.pooled))?;
            writeln!(out, "(calibrated: {:?} fitted on these same out-of-fold predictions, so optimistic by what its parameters can fit)", cal.map)?;
        }
        let shown = self.folds.iter().filter(|f| f.metrics.is_some()).count();
        let (m, s) = (
            self.macro_f1_mean.unwrap_or(0.0),
            self.macro_f1_sd.unwrap_or(0.0),
        );
        match shown {
            0 => writeln!(
                out,
                "macro_f1 over folds: n/a (no fold has enough documents)"
            ),
            k if k < self.folds.len() => writeln!(
                out,
                "macro_f1 over the {k} folds with enough documents: {m:.4} ± {s:.4}"
            ),
            _ => writeln!(out, "macro_f1 over folds: {m:.4} ± {s:.4}"),
        }
    }
}

/// A dev set's figures, length drift and paragraph agreement.
impl fmt::Display for DevRun {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.report;
        writeln!(
            out,
            "\n== dev set {} (model trained on all of --data)",
            self.path.display()
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
        )
    }
}
