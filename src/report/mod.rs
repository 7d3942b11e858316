//! `stance report`'s library half: aggregate scored articles by outlet and by month or week,
//! with the uncertainty of every share, and render them as one self-contained HTML page, a
//! tidy CSV and JSON.
//!
//! The stages, one file each: `read` reads records (scored ones as `stance score` writes
//! them, or raw ones it scores with a model), [`record`] turns one into what the report needs,
//! [`aggregate`] sums them ([`wilson`](mod@wilson) intervals, [`reliability`] and confusion, [`coverage`]
//! of the abstain threshold, [`terms`] per outlet), and [`table`], `plots` and [`html`] write
//! the result. The CLI parses arguments, calls [`report_files`] and writes the files.
//!
//! ```
//! use stance::report::{render_html, report_files, to_csv, ReportParams};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let model = stance::default_model()?;
//! let params = ReportParams::new(vec!["source".into(), "month".into()], &model);
//! // Raw records: the report scores them with the model.
//! let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples.jsonl");
//! let report = report_files(&[data.into()], &params, Some(&model))?;
//! assert_eq!(report.overall.documents, 48);
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("report.html"), render_html(&report, "examples")?)?;
//! std::fs::write(dir.path().join("report.csv"), to_csv(&report)?)?;
//! # Ok(())
//! # }
//! ```

pub mod aggregate;
mod contributions;
pub mod coverage;
pub mod date;
pub mod error;
pub mod explain_html;
pub mod html;
pub(crate) mod plots;
pub(crate) mod read;
pub mod record;
pub mod reliability;
pub mod table;
pub mod terms;
pub mod wilson;

use std::path::PathBuf;

use crate::model::evidence::UncertaintyPolicy;
use crate::model::fitted::Model;

use aggregate::ReportBuilder;
pub use aggregate::{GroupStats, Report};
pub use date::TimeUnit;
pub use error::ReportError;
pub use html::render_html;
pub use record::{Fields, NONE_GROUP};
pub use table::to_csv;
pub use wilson::{wilson, Share};

/// What to aggregate and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParams {
    /// Field names to read; `fields.by` are the groups.
    pub fields: Fields,
    /// The unit of the time series: the `month` or `week` in `--by`, else as set; `None` for
    /// no time series.
    pub time: Option<TimeUnit>,
    /// For two labels, the label whose share and probability are plotted; defaults to the
    /// first label.
    pub focus: Option<String>,
    /// Terms shown per outlet and label; defaults to `10`.
    pub top_terms: usize,
    /// Opposing paragraphs shown; defaults to `20`.
    pub top_paragraphs: usize,
    /// Bins of the p(label) histograms and of the reliability diagram; defaults to `10`.
    pub bins: usize,
    /// The coverage to pick an abstain setting for; defaults to `0.9`.
    pub target_coverage: f64,
    /// The uncertainty policy the records were flagged under (the model's); the coverage grid
    /// varies its band, minimum signal and minimum known share and keeps its prior.
    pub policy: UncertaintyPolicy,
    /// The bands of the coverage grid; defaults to 0 to 0.45 in steps of 0.05.
    pub bands: Vec<f64>,
    /// The minimum signals of the coverage grid; `None` (the default) takes 0, the policy's own
    /// and percentiles of the records' signal.
    pub min_signals: Option<Vec<f64>>,
    /// The minimum known-term shares of the coverage grid; `None` (the default) takes 0, the
    /// policy's own, 0.3 to 0.6 and percentiles of the records' known share.
    pub min_knowns: Option<Vec<f64>>,
}

impl ReportParams {
    /// Groups by `by`, with `model`'s uncertainty policy and every other default. The time
    /// unit is the `month` or `week` named in `by`, else months.
    pub fn new(by: Vec<String>, model: &Model) -> Self {
        let time = by
            .iter()
            .find_map(|f| TimeUnit::from_name(f))
            .or(Some(TimeUnit::Month));
        ReportParams {
            fields: Fields {
                by,
                ..Fields::default()
            },
            time,
            focus: None,
            top_terms: 10,
            top_paragraphs: 20,
            bins: 10,
            target_coverage: 0.9,
            policy: *model.uncertainty(),
            bands: coverage::default_bands(),
            min_signals: None,
            min_knowns: None,
        }
    }

    /// Checks the values a user sets.
    pub fn check(&self) -> Result<(), ReportError> {
        let param = |name, expected, value: String| ReportError::Param {
            name,
            expected,
            value,
        };
        if self.fields.by.is_empty() {
            return Err(ReportError::NoGroups);
        }
        if !(self.target_coverage > 0.0 && self.target_coverage <= 1.0) {
            return Err(param(
                "the target coverage",
                "in (0, 1]",
                self.target_coverage.to_string(),
            ));
        }
        if self.bins == 0 || self.bins > 100 {
            return Err(param("bins", "between 1 and 100", self.bins.to_string()));
        }
        if let Some(b) = self.bands.iter().find(|b| !(0.0..0.5).contains(*b)) {
            return Err(param("every band", "in [0, 0.5)", b.to_string()));
        }
        let signals = self.min_signals.iter().flatten();
        if let Some(s) = signals.into_iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
            return Err(param(
                "every minimum signal",
                "finite and >= 0",
                s.to_string(),
            ));
        }
        let knowns = self.min_knowns.iter().flatten();
        if let Some(k) = knowns.into_iter().find(|k| !(0.0..=1.0).contains(*k)) {
            return Err(param(
                "every minimum known share",
                "in [0, 1]",
                k.to_string(),
            ));
        }
        Ok(())
    }
}

/// Reads every record of `paths` (scored, or raw and scored with `model`) and aggregates them.
pub fn report_files(
    paths: &[PathBuf],
    params: &ReportParams,
    model: Option<&Model>,
) -> Result<Report, ReportError> {
    params.check()?;
    let mut builder = ReportBuilder::new(params);
    let mut repeats = crate::io::repeats::RepeatedIds::default();
    read::read_all(paths, &params.fields, params.time, model, &mut |s| {
        repeats.see(&s.record.id, || {
            format!("{}:{}", s.at.path.display(), s.at.line)
        });
        builder.add(s)
    })?;
    let mut report = builder.finish()?;
    report.repeated_ids = repeats;
    Ok(report)
}
