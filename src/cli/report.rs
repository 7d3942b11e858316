//! `stance report`: aggregate scored articles by outlet and month (or week) into one
//! self-contained HTML page, a tidy CSV and JSON. This file parses the arguments, calls
//! [`stance::report::report_files`] and writes the files; everything else is the library's.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use stance::io::atomic::{check_distinct, Output};
use stance::io::date::DateFormat;
use stance::report::coverage::CoveragePoint;
use stance::report::number::{setting_flags, three_digits};
use stance::report::table::to_csv_delimited;
use stance::report::validation::ValidationParams;
use stance::report::{
    own_training_data, render_html, report_files_validated, ReportParams, SharesOf, TimeUnit,
};

use super::options::UncertaintyArgs;
use super::output::{open_output, write_json};

/// Which documents the shares count (`--shares`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Shares {
    /// Every document with a label.
    Labelled,
    /// Only the certain ones.
    Certain,
}

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
    /// Cell delimiter of the --csv output (one ASCII character, `tab` or `\t` for a tab): `;`
    /// for a European spreadsheet; a comma by default.
    #[arg(long, value_name = "CHAR", value_parser = super::options::delimiter, requires = "csv")]
    out_delimiter: Option<u8>,
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
    /// The field holding each record's date: ISO (2022-02-24, 2022-02 or a timestamp) unless
    /// --date-format says otherwise. Read only for a time series or a month/week group.
    #[arg(long, default_value = "date", value_name = "NAME")]
    date_field: String,
    /// How the dates are written, strftime-style (`%d/%m/%Y` for 24/02/2022); ISO 8601 when
    /// not given.
    #[arg(long, value_name = "FMT")]
    date_format: Option<String>,
    /// Leave out (counted and named per file) the records whose date does not read, and the
    /// labelled validation ids that match no scored record, instead of failing.
    #[arg(long)]
    skip_bad: bool,
    /// Cell delimiter of CSV/TSV input (one ASCII character, `tab` or `\t` for a tab): `;`
    /// for a European spreadsheet export (default `,` for CSV, tab for TSV).
    #[arg(long, value_name = "CHAR", value_parser = super::options::delimiter)]
    delimiter: Option<u8>,
    /// The field holding the true label; by default `input_label` in scored records (a label
    /// kept by `score --keep label`) and `label` in raw ones.
    #[arg(long, value_name = "NAME")]
    label_field: Option<String>,
    /// The id field.
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_field: String,
    /// The text field of raw records (and of scored ones that kept it, for paragraph snippets).
    /// Several, comma-separated (`headline,body`, at most 4), are joined with a blank line.
    #[arg(long, default_value = "text", value_name = "NAME[,NAME]", value_parser = super::options::text_fields)]
    text_field: String,
    /// For a two-label model, the label whose share and probability are plotted; the first
    /// label (in sorted order) by default.
    #[arg(long, value_name = "LABEL")]
    focus: Option<String>,
    /// Which documents the label shares count: every labelled one (uncertain ones included),
    /// or only the certain ones. Documents without a label (a tie, or a text not in the
    /// model's language) are never counted.
    #[arg(long, value_enum, default_value = "labelled")]
    shares: Shares,
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
    /// A labelled random sample of the same corpus (CSV, TSV or JSON Lines with the id field,
    /// `label` and optionally `weight`, as `stance sample --strategy random` writes it):
    /// measures the model on it and adds adjusted shares. Repeat or comma-separate for more
    /// files. Rows with an empty label are skipped and counted.
    #[arg(long, value_delimiter = ',', value_name = "LABELLED")]
    validation: Vec<PathBuf>,
    /// The page's title; the input file names by default.
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// Threads to score raw records with; all cores by default.
    #[arg(long, value_name = "N", value_parser = super::parse_threads)]
    threads: Option<usize>,
    /// Inter-annotator agreement instead of a report: Cohen's kappa per pair of annotators,
    /// Krippendorff's alpha, and the texts they disagree on, from `stance annotate` label logs
    /// (--json writes it as JSON).
    #[arg(long, value_name = "LABELS.jsonl", num_args = 1.., conflicts_with_all = ["html", "csv", "inputs"])]
    agreement: Vec<PathBuf>,
    /// Scored records (`stance score --format jsonl|csv` output) or raw ones (JSON Lines, CSV
    /// or TSV with a text field), or - for JSON Lines on stdin.
    #[arg(value_name = "PATH", required_unless_present = "agreement")]
    inputs: Vec<PathBuf>,
}

pub fn run(args: ReportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if !args.agreement.is_empty() {
        return super::agreement::run(&args.agreement, args.json.as_deref(), out);
    }
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
    params.fields.date_format = DateFormat::from_option(args.date_format.as_deref())?;
    params.fields.delimiter = args.delimiter;
    params.skip_bad = args.skip_bad;
    params.fields.label = args.label_field.clone();
    params.fields.id = args.id_field.clone();
    params.fields.text = args.text_field.clone();
    params.focus = args.focus.clone();
    params.shares = match args.shares {
        Shares::Labelled => SharesOf::Labelled,
        Shares::Certain => SharesOf::Certain,
    };
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
    let validation = (!args.validation.is_empty()).then(|| {
        let vp = ValidationParams {
            skip_unmatched: args.skip_bad,
            ..ValidationParams::default()
        };
        (args.validation.as_slice(), vp)
    });
    let report =
        pool.install(|| report_files_validated(&args.inputs, &params, Some(&model), validation))?;
    for w in report
        .domain
        .iter()
        .filter_map(|d| d.warning.as_ref().map(|w| (&d.path, w)))
    {
        super::warn(format_args!("{}: {}", w.0, w.1));
    }
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

    if let Some(own) = own_training_data(&args.inputs, &params.fields, &model) {
        super::warn(format_args!("{}", own.warning));
    }
    for note in &report.notes {
        super::warn(format_args!("{note}"));
    }
    // The files first: a closed stdout (`| head`) must not cost the report.
    if let Some(f) = html {
        let page = render_html(&report, &title)?;
        f.commit(page.as_bytes(), out)
            .context("writing the HTML report")?;
    }
    if let Some(f) = csv {
        let bytes = to_csv_delimited(&report, args.out_delimiter.unwrap_or(b','))
            .context("formatting the CSV report")?;
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
    writeln!(out, "{}", report.shares_note())?;
    for m in report.missing.iter().filter(|m| m.documents > 0) {
        writeln!(
            out,
            "{} documents lack {:?}: group \"(none)\"",
            m.documents, m.field
        )?;
    }
    super::report_validation::print(out, &report)?;
    // Two labels: the focus label's share (the other is its complement); more: every label's.
    let shown: Vec<usize> = if report.labels.len() == 2 {
        let focus = report.plotted.first();
        vec![report
            .labels
            .iter()
            .position(|l| Some(l) == focus)
            .unwrap_or(0)]
    } else {
        (0..report.labels.len()).collect()
    };
    write!(out, "\n{:<32} {:>9}", "outlet", "documents")?;
    for &l in &shown {
        write!(
            out,
            " {:>26}",
            format!("share {} [95% CI]", report.labels[l])
        )?;
    }
    writeln!(out, " {:>10}", "uncertain")?;
    for o in &report.outlets {
        let name: String = o
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(32)
            .collect();
        write!(out, "{name:<32} {:>9}", o.stats.documents)?;
        for &l in &shown {
            let s = o.stats.labels[l].share;
            let cell = match s.share {
                Some(share) => format!(
                    "{:.1}% [{:.1}, {:.1}]",
                    100.0 * share,
                    100.0 * s.low.unwrap_or(0.0),
                    100.0 * s.high.unwrap_or(0.0)
                ),
                None => "n/a".to_string(),
            };
            write!(out, " {cell:>26}")?;
        }
        writeln!(
            out,
            " {:>9.1}%",
            100.0 * o.stats.uncertain.share.unwrap_or(0.0)
        )?;
    }
    match report.recorded_policies {
        0 => {}
        1 => writeln!(
            out,
            "\ncut-offs: the records' own (--uncertain-band {} --min-signal {} --min-known {}), as the records carry them, not the model's",
            three_digits(report.policy.band),
            three_digits(report.policy.min_signal),
            three_digits(report.policy.min_known)
        )?,
        n => writeln!(
            out,
            "\ncut-offs: the records carry {n} different ones (cv --predictions: one per fold); each record's flag is checked against its own, and the coverage grid below starts from the model's"
        )?,
    }
    if report.flags_differ > 0 {
        writeln!(
            out,
            "\n{} records' uncertain flags differ from what --uncertain-band {} --min-signal {} gives them: scored with another model or other flags? Pass the same here.",
            report.flags_differ,
            three_digits(report.policy.band),
            three_digits(report.policy.min_signal)
        )?;
    }
    if let Some(c) = &report.coverage {
        match &c.pick {
            Some(p) => writeln!(
                out,
                "\nfor {:.0}% coverage: {} ({})",
                100.0 * c.target,
                setting_flags(p),
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
        let whose = if report.recorded_policies > 1 {
            "the model's setting"
        } else {
            "the records' own setting"
        };
        writeln!(out, "{whose}, {}: {}", setting_flags(p), outcome(p))?;
    }
    Ok(ExitCode::SUCCESS)
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
