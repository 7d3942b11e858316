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
use stance::report::table::to_csv_delimited;
use stance::report::validation::ValidationParams;
use stance::report::{
    own_training_data, render_html, report_files_validated, Report, ReportParams, SharesOf,
    TimeUnit,
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
    let files = Files::open(&args)?;
    let to_stdout = files.to_stdout();
    let mut model = super::load_model(args.model.as_ref())?;
    let params = report_params(&args, &model)?;
    // Raw records are flagged under the same setting as scored ones are assumed to be.
    if args.uncertainty.is_set() {
        model = model.with_uncertainty(params.policy)?;
    }
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
    warn_about(&report, &args.inputs, &params, &model);
    let title = args.title.clone().unwrap_or_else(|| {
        let names: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        names.join(", ")
    });
    // The files first: a closed stdout (`| head`) must not cost the report.
    files.commit(&report, &title, args.out_delimiter.unwrap_or(b','), out)?;
    // With an output on stdout (`--csv -`), the summary goes to stderr so as not to mix in.
    let mut stderr = std::io::stderr();
    let out: &mut dyn Write = if to_stdout { &mut stderr } else { out };
    super::report_text::render_text(out, &report)?;
    Ok(ExitCode::SUCCESS)
}

/// The report parameters the options give, over the model's defaults.
fn report_params(args: &ReportArgs, model: &stance::Model) -> anyhow::Result<ReportParams> {
    let mut params = ReportParams::new(args.by.clone(), model);
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
    Ok(params)
}

/// The report's warnings on stderr: domain shift, repeated ids, the model's own training data
/// among the inputs, and the library's notes.
fn warn_about(report: &Report, inputs: &[PathBuf], params: &ReportParams, model: &stance::Model) {
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
    if let Some(own) = own_training_data(inputs, &params.fields, model) {
        super::warn(format_args!("{}", own.warning));
    }
    for note in &report.notes {
        super::warn(format_args!("{note}"));
    }
}

/// The output files `--html`, `--csv` and `--json` name, opened before any work.
struct Files {
    html: Option<Output>,
    csv: Option<Output>,
    json: Option<Output>,
}

impl Files {
    /// Opens the outputs, and refuses one that is also an input or another output.
    fn open(args: &ReportArgs) -> anyhow::Result<Self> {
        let files = Files {
            html: open_output(args.html.as_deref(), "--html")?,
            csv: open_output(args.csv.as_deref(), "--csv")?,
            json: open_output(args.json.as_deref(), "--json")?,
        };
        check_distinct(&args.inputs, &files.named())?;
        Ok(files)
    }

    fn named(&self) -> Vec<(&'static str, &Output)> {
        let named = [
            ("--html", &self.html),
            ("--csv", &self.csv),
            ("--json", &self.json),
        ];
        named
            .into_iter()
            .filter_map(|(option, o)| o.as_ref().map(|o| (option, o)))
            .collect()
    }

    /// Whether an output is stdout (`--csv -`).
    fn to_stdout(&self) -> bool {
        self.named().iter().any(|(_, o)| o.is_stdout())
    }

    /// Writes the report to each file; `out` is stdout, for an output named `-`.
    fn commit(
        self,
        report: &Report,
        title: &str,
        delimiter: u8,
        out: &mut dyn Write,
    ) -> anyhow::Result<()> {
        if let Some(f) = self.html {
            let page = render_html(report, title)?;
            f.commit(page.as_bytes(), out)
                .context("writing the HTML report")?;
        }
        if let Some(f) = self.csv {
            let bytes = to_csv_delimited(report, delimiter).context("formatting the CSV report")?;
            f.commit(&bytes, out).context("writing the CSV report")?;
        }
        if let Some(f) = self.json {
            let mut bytes = Vec::new();
            write_json(&mut bytes, report)?;
            f.commit(&bytes, out).context("writing the JSON report")?;
        }
        Ok(())
    }
}
