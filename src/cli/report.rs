//! `stance report`: aggregate scored articles by outlet and month (or week) into one
//! self-contained HTML page, a tidy CSV and JSON. This file parses the arguments, calls
//! [`stance::report::report_files`] and writes the files; everything else is the library's.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use stance::io::atomic::{check_distinct, Output};
use stance::report::coverage::CoveragePoint;
use stance::report::{render_html, report_files, to_csv, ReportParams, TimeUnit};

use super::options::UncertaintyArgs;
use super::output::{open_output, write_json};

/// The calendar unit of the time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Time {
    Month,
    Week,
    None,
}

#[derive(Debug, Args)]
// The shared overrides' help, worded for records that were scored already.
#[command(
    mut_arg("uncertain_band", |a| a.help("The uncertainty band the records were scored with, if not the model's (raw records are scored with it)")),
    mut_arg("min_signal", |a| a.help("The minimum signal the records were scored with, if not the model's (raw records are scored with it)")),
    mut_arg("min_known", |a| a.help("The minimum share of known terms the records were scored with, if not the model's (raw records are scored with it)"))
)]
pub struct ReportArgs {
    /// Fields to group by, comma-separated; `month` and `week` are derived from the date
    /// field. A record lacking a field goes to the group "(none)".
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "source",
        value_name = "FIELD,..."
    )]
    by: Vec<String>,
    /// Write the report page here (one self-contained HTML file).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Write the aggregates here as CSV: one row per group and label.
    #[arg(long, value_name = "OUT.csv")]
    csv: Option<PathBuf>,
    /// Write every aggregate here as JSON.
    #[arg(long, value_name = "OUT.json")]
    json: Option<PathBuf>,
    /// Model that scores raw records, and whose uncertainty policy the coverage grid starts
    /// from; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The time series' unit; by default the `month` or `week` in --by, else month.
    #[arg(long, value_enum, value_name = "UNIT")]
    time: Option<Time>,
    /// The field holding each record's date (YYYY-MM-DD).
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_field: String,
    /// The field holding the true label; by default `input_label` in scored records (a label
    /// kept by `score --keep label`) and `label` in raw ones.
    #[arg(long, value_name = "NAME")]
    label_field: Option<String>,
    /// The id field.
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_field: String,
    /// The text field of raw records (and of scored ones that kept it, for paragraph snippets).
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_field: String,
    /// For a two-label model, the label whose share and probability are plotted; the first
    /// label (in sorted order) by default.
    #[arg(long, value_name = "LABEL")]
    focus: Option<String>,
    /// Terms shown per outlet and label.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top_terms: usize,
    /// Opposing paragraphs shown.
    #[arg(long, default_value_t = 20, value_name = "N")]
    top_paragraphs: usize,
    /// Bins of the probability histograms and of the reliability diagram.
    #[arg(long, default_value_t = 10, value_name = "N")]
    bins: usize,
    /// The coverage the page picks an abstain setting for.
    #[arg(long, default_value_t = 0.9, value_name = "SHARE")]
    target_coverage: f64,
    #[command(flatten)]
    uncertainty: UncertaintyArgs,
    /// The bands of the coverage grid, comma-separated; 0 to 0.45 in steps of 0.05 by default.
    #[arg(long, value_delimiter = ',', value_name = "B,...")]
    grid_bands: Vec<f64>,
    /// The minimum signals of the coverage grid, comma-separated; by default 0, the model's and
    /// percentiles of the records' signal.
    #[arg(long, value_delimiter = ',', value_name = "S,...")]
    grid_signals: Vec<f64>,
    /// The minimum known-term shares of the coverage grid, comma-separated; by default 0, the
    /// model's, 0.3 to 0.6 by 0.1 and the 5th and 10th percentiles of the records' known share.
    #[arg(long, value_delimiter = ',', value_name = "K,...")]
    grid_known: Vec<f64>,
    /// The page's title; the input file names by default.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Threads to score raw records with; all cores by default.
    #[arg(long, value_name = "N", value_parser = super::parse_threads)]
    threads: Option<usize>,
    /// Scored records (`stance score --format jsonl|csv` output) or raw ones (JSON Lines, CSV
    /// or TSV with a text field), or - for JSON Lines on stdin.
    #[arg(value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
}

pub fn run(args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    super::stdin_once(&args.inputs)?;
    let html = open_output(args.html.as_deref(), "--html")?;
    let csv = open_output(args.csv.as_deref(), "--csv")?;
    let json = open_output(args.json.as_deref(), "--json")?;
    let named = [("--html", &html), ("--csv", &csv), ("--json", &json)];
    let outputs: Vec<(&str, &Output)> = named
        .iter()
        .filter_map(|(option, o)| o.as_ref().map(|o| (*option, o)))
        .collect();
    check_distinct(&args.inputs, &outputs)?;
    let to_stdout = outputs.iter().any(|(_, o)| o.is_stdout());
    let mut model = super::load_model(args.model.as_ref())?;
    let mut params = ReportParams::new(args.by.clone(), &model);
    params.time = match args.time {
        Some(Time::Month) => Some(TimeUnit::Month),
        Some(Time::Week) => Some(TimeUnit::Week),
        Some(Time::None) => None,
        None => params.time,
    };
    params.fields.date = args.date_field.clone();
    params.fields.label = args.label_field.clone();
    params.fields.id = args.id_field.clone();
    params.fields.text = args.text_field.clone();
    params.focus = args.focus.clone();
    params.top_terms = args.top_terms;
    params.top_paragraphs = args.top_paragraphs;
    params.bins = args.bins;
    params.target_coverage = args.target_coverage;
    params.policy = args.uncertainty.apply(params.policy)?;
    // Raw records are flagged under the same setting as scored ones are assumed to be.
    if args.uncertainty.is_set() {
        model = model.with_uncertainty(params.policy)?;
    }
    if !args.grid_bands.is_empty() {
        params.bands = args.grid_bands.clone();
    }
    if !args.grid_signals.is_empty() {
        params.min_signals = Some(args.grid_signals.clone());
    }
    if !args.grid_known.is_empty() {
        params.min_knowns = Some(args.grid_known.clone());
    }
    stance::report::coverage::check_grid_size(
        params.bands.len(),
        params.min_signals.as_ref().map(Vec::len),
        params.min_knowns.as_ref().map(Vec::len),
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting a thread pool")?;
    let report = pool.install(|| report_files(&args.inputs, &params, Some(&model)))?;
    if let Some(warning) = report.repeated_ids.warning() {
        super::warn(format_args!("{warning}; each is counted"));
    }
    let title = args.title.clone().unwrap_or_else(|| {
        args.inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    });

    // The files first: a closed stdout (`| head`) must not cost the report.
    if let Some(f) = html {
        let page = render_html(&report, &title)?;
        f.commit(page.as_bytes(), out)
            .context("writing the HTML report")?;
    }
    if let Some(f) = csv {
        let bytes = to_csv(&report).context("formatting the CSV report")?;
        f.commit(&bytes, out).context("writing the CSV report")?;
    }
    if let Some(f) = json {
        let mut bytes = Vec::new();
        write_json(&mut bytes, &report)?;
        f.commit(&bytes, out).context("writing the JSON report")?;
    }
    // With an output on stdout (`--csv -`), the summary goes to stderr so as not to mix in.
    let mut stderr = std::io::stderr();
    let out: &mut dyn Write = if to_stdout { &mut stderr } else { out };
    writeln!(
        out,
        "{} documents, labels {}; {} groups by {}",
        report.overall.documents,
        report.labels.join(", "),
        report.groups.len(),
        report.by.join(", ")
    )?;
    for m in report.missing.iter().filter(|m| m.documents > 0) {
        writeln!(
            out,
            "{} documents lack {:?}: group \"(none)\"",
            m.documents, m.field
        )?;
    }
    let focus = report.plotted.join(",");
    writeln!(
        out,
        "\n{:<32} {:>9} {:>24} {:>10}",
        "outlet",
        "documents",
        format!("share {focus} [95% CI]"),
        "uncertain"
    )?;
    for o in &report.outlets {
        let l = report
            .labels
            .iter()
            .position(|l| Some(l) == report.plotted.first())
            .unwrap_or(0);
        let s = o.stats.labels[l].share;
        writeln!(
            out,
            "{:<32} {:>9} {:>24} {:>9.1}%",
            o.name
                .chars()
                .filter(|c| !c.is_control())
                .take(32)
                .collect::<String>(),
            o.stats.documents,
            format!(
                "{:.1}% [{:.1}, {:.1}]",
                100.0 * s.share.unwrap_or(0.0),
                100.0 * s.low.unwrap_or(0.0),
                100.0 * s.high.unwrap_or(0.0)
            ),
            100.0 * o.stats.uncertain.share.unwrap_or(0.0)
        )?;
    }
    if report.flags_differ > 0 {
        writeln!(
            out,
            "\n{} records' uncertain flags differ from what --uncertain-band {} --min-signal {} gives them: scored with another model or other flags? Pass the same here.",
            report.flags_differ, report.policy.band, report.policy.min_signal
        )?;
    }
    if let Some(c) = &report.coverage {
        match &c.pick {
            Some(p) => writeln!(
                out,
                "\nfor {:.0}% coverage: {} ({})",
                100.0 * c.target,
                setting(p),
                outcome(p)
            )?,
            None => writeln!(
                out,
                "\nno setting on the grid reaches {:.0}% coverage (its highest is {:.1}%); {} of {} labelled documents are uncertain at any setting (fewer than 4 tokens, or no weighted term)",
                100.0 * c.target,
                100.0 * c.points.iter().filter_map(|p| p.coverage.share).fold(0.0, f64::max),
                c.always_uncertain,
                c.accuracy_all.total,
            )?,
        }
        let p = &c.current;
        writeln!(
            out,
            "the records' own setting, {}: {}",
            setting(p),
            outcome(p)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A coverage point's abstain setting, as the flags that give it.
fn setting(p: &CoveragePoint) -> String {
    format!(
        "--uncertain-band {} --min-signal {} --min-known {}",
        p.band, p.min_signal, p.min_known
    )
}

/// A share as a percentage; "n/a" for a share of nothing (no certain document to be right on).
fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "n/a".to_string(), |s| format!("{:.1}%", 100.0 * s))
}

/// What a coverage point's setting gives: its coverage and accuracy on either side.
fn outcome(p: &CoveragePoint) -> String {
    format!(
        "coverage {}, accuracy {} on the certain, {} on the uncertain",
        pct(p.coverage.share),
        pct(p.accuracy_certain.share),
        pct(p.accuracy_uncertain.share)
    )
}
