//! `stance report`'s library half: aggregate scored articles by outlet and by month or week,
//! with the uncertainty of every share, and render them as one self-contained HTML page, a
//! tidy CSV and JSON.
//!
//! The stages, one file each: `read` reads records (scored ones as `stance score` writes
//! them, or raw ones it scores with a model), `record` turns one into what the report needs,
//! `aggregate` sums them (`wilson` intervals, `reliability` and confusion, [`coverage`]
//! of the abstain threshold, `terms` per outlet), and [`table`], `plots` and `html` write
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

pub mod adjusted;
pub(crate) mod aggregate;
mod agreement;
mod contributions;
pub mod coverage;
pub mod date;
pub mod domain;
pub(crate) mod error;
pub mod explain_html;
pub(crate) mod html;
mod html_validation;
pub mod number;
pub(crate) mod plots;
pub(crate) mod read;
pub(crate) mod record;
pub(crate) mod reliability;
pub mod table;
pub(crate) mod terms;
pub mod validation;
pub(crate) mod validation_read;
pub(crate) mod wilson;

use std::path::PathBuf;

use crate::eval::own_data::OwnTrainingData;
use crate::io::corpus::{read_labelled, FieldNames};
use crate::model::evidence::UncertaintyPolicy;
use crate::model::fitted::Model;

use aggregate::ReportBuilder;
pub use aggregate::{GroupStats, Report, SharesOf};
pub use agreement::{agreement, Agreement, Disagreement, PairAgreement};
pub use date::TimeUnit;
use domain::{DomainCounter, InputDomain};
pub use error::ReportError;
pub use html::render_html;
pub use record::{Fields, NONE_GROUP};
pub use table::to_csv;
use validation::{Collector, Matched, ValidationParams};
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
    /// Which documents the label shares count; defaults to every labelled one.
    pub shares: SharesOf,
    /// The model's language (ISO 639-1): a record without a label in another language is
    /// counted as not in it.
    pub language: String,
    /// Leave out, counted in [`Report::notes`], the records whose date cannot be read when the
    /// report needs dates; defaults to `false`: such records are an error naming the file.
    pub skip_bad: bool,
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
            shares: SharesOf::default(),
            language: model.language().code().to_string(),
            skip_bad: false,
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

/// Whether the report's inputs, read as labelled documents (text, the true label's field, and
/// `source`), are `model`'s own training data, as `stance eval` warns. `None` when they are
/// not, or cannot be read as labelled documents (scored records, stdin, a missing label).
pub fn own_training_data(
    paths: &[PathBuf],
    fields: &Fields,
    model: &Model,
) -> Option<OwnTrainingData> {
    let names = FieldNames {
        text: fields.text.clone(),
        label: fields.label.clone().unwrap_or_else(|| "label".into()),
        delimiter: fields.delimiter,
        ..FieldNames::default()
    };
    let mut docs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            return None;
        }
        docs.extend(read_labelled(path, &names).ok()?);
    }
    OwnTrainingData::check(model, &docs)
}

/// Reads every record of `paths` (scored, or raw and scored with `model`) and aggregates them.
pub fn report_files(
    paths: &[PathBuf],
    params: &ReportParams,
    model: Option<&Model>,
) -> Result<Report, ReportError> {
    report_files_validated(paths, params, model, None)
}

/// [`report_files`], with the model measured on a validation sample of the same corpus (its
/// files, and how) and the shares adjusted ([`validation`]). With a model that has a
/// training profile, each input is also checked against it ([`domain`]).
pub fn report_files_validated(
    paths: &[PathBuf],
    params: &ReportParams,
    model: Option<&Model>,
    validation: Option<(&[PathBuf], ValidationParams)>,
) -> Result<Report, ReportError> {
    params.check()?;
    let sample = match validation {
        Some((files, _)) => Some(validation_read::read_sample(files, &params.fields.id)?),
        None => None,
    };
    let mut collector = sample.as_ref().map(Collector::new);
    let new_counter = || model.and_then(|m| m.profile()).and_then(DomainCounter::new);
    let mut counters: Vec<Option<DomainCounter>> = paths.iter().map(|_| new_counter()).collect();
    let mut builder = ReportBuilder::new(params);
    // Records come input by input, in order: the input is the first from the current one named
    // like the record's file (a file given twice is counted in its first place).
    let mut input = 0;
    let mut repeats = crate::io::repeats::RepeatedIds::default();
    let notes = read::read_all(
        paths,
        &params.fields,
        params.time,
        model,
        params.skip_bad,
        &mut |s| {
            repeats.see(&s.record.id, || {
                format!("{}:{}", s.at.path.display(), s.at.line)
            });
            if let Some(i) = (input..paths.len()).find(|&i| paths[i].as_path() == s.at.path) {
                input = i;
            }
            if let Some(c) = counters.get_mut(input).and_then(Option::as_mut) {
                c.add(&s.record.evidence);
            }
            if let Some(c) = collector.as_mut() {
                let r = &s.record;
                c.add(&r.id, || Matched {
                    group: r.groups.clone(),
                    predicted: r.label,
                })
                .map_err(|m| s.at.error(m))?;
            }
            builder.add(s)
        },
    )?;
    let mut report = builder.finish()?;
    report.repeated_ids = repeats;
    report.notes.extend(notes);
    report.domain = paths
        .iter()
        .zip(&counters)
        .filter_map(|(p, c)| InputDomain::new(p, c.as_ref()?))
        .collect();
    if let (Some(sample), Some(collector), Some((_, vp))) = (&sample, collector, validation) {
        report.validation = Some(validation::validate(&mut report, sample, collector, vp)?);
    }
    Ok(report)
}
