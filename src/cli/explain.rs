//! `stance explain`: exact per-term and per-paragraph contributions for one article, as text,
//! JSON or a self-contained HTML page, with what-if word swaps.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use stance::io::atomic::check_distinct;
use stance::io::corpus::Keep;
use stance::predict::explain::{Explanation, SwapEffect};
use stance::predict::explain_record::ExplanationRecord;
use stance::Model;

use super::output::{formats, open_output, write_json, OutputFormat, TEXT_OR_JSON};
use super::records::{Item, RecordArgs, Records};
use stance::report::explain_html;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The article: a text file, or - for stdin; or a file of records (.jsonl, .csv, .tsv) or a
    /// folder of .txt files, with --id to pick one.
    #[arg(value_name = "PATH|-")]
    input: PathBuf,
    /// The id of the record to explain, in a file holding several (a JSON Lines record
    /// without an id field is FILE:LINE; a file in a folder is its path).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    #[command(flatten)]
    records: RecordArgs,
    /// Terms to show per label.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
    format: OutputFormat,
    /// Decompose every label's logit, not only the predicted label's (text and HTML; the JSON
    /// always holds every label's logits, intercepts and contributions).
    #[arg(long)]
    all_labels: bool,
    /// Also write a self-contained HTML view of the explanation here.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// What-if swaps, as FROM=TO pairs separated by commas (kiev=kyiv,donbass=donbas). FROM
    /// is a word or a phrase ("kiev regime=kyiv government"), matched on word boundaries and
    /// case-insensitively; a swap that matches nothing is reported as 0 replaced.
    #[arg(long, value_delimiter = ',', value_name = "FROM=TO", value_parser = swap)]
    swap: Vec<(String, String)>,
}

/// One `--swap FROM=TO` pair, trimmed; TO may be empty (the words are dropped), FROM must hold
/// a word, since only words are matched.
fn swap(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((a, b)) if a.chars().any(char::is_alphanumeric) => {
            Ok((a.trim().to_string(), b.trim().to_string()))
        }
        Some((a, _)) if !a.trim().is_empty() => Err(format!(
            "FROM holds no word (letters or digits) in {s:?}: only words are matched"
        )),
        _ => Err(format!("expected FROM=TO, got {s:?}")),
    }
}

/// How many record ids an error lists.
const SHOWN_IDS: usize = 5;

/// The article to explain, and the name it goes by: the input's, with the record's id when it
/// holds several.
fn read_input(args: &ExplainArgs) -> anyhow::Result<(String, String)> {
    let input = &args.input;
    let records = Records::new(
        vec![input.clone()],
        args.records.input,
        false,
        args.records.fields(),
        Keep::Nothing,
        false,
    );
    let name = if input == Path::new("-") {
        super::records::STDIN.to_string()
    } else {
        input.display().to_string()
    };
    let mut first = None;
    let mut ids = Vec::new();
    let mut count = 0usize;
    for item in records {
        let (id, text) = match item {
            Item::Article { id, text, .. } => (id, text),
            Item::Bad { error, .. } | Item::Failed { error, .. } => return Err(error.into()),
        };
        count += 1;
        if args.id.as_ref() == Some(&id) {
            return Ok((text, format!("{name} ({id})")));
        }
        if count == 1 {
            first = Some(text);
        }
        if ids.len() < SHOWN_IDS {
            ids.push(id);
        }
    }
    let shown = |ids: &[String]| {
        let more = if count > ids.len() { ", ..." } else { "" };
        format!("{}{more}", ids.join(", "))
    };
    match (&args.id, first) {
        (Some(wanted), _) => anyhow::bail!(
            "{name}: no record has the id {wanted:?} ({count} record(s): {})",
            shown(&ids)
        ),
        (None, Some(text)) if count == 1 => Ok((text, name)),
        _ => anyhow::bail!(
            "{name} holds {count} articles; explain explains one: pass --id ID (ids: {})",
            shown(&ids)
        ),
    }
}

/// The explanation as a readable report.
fn write_text(
    out: &mut dyn Write,
    model: &Model,
    text: &str,
    e: &Explanation,
    effects: &[SwapEffect],
    top: usize,
    all_labels: bool,
) -> std::io::Result<()> {
    let labels = model.labels();
    let p = &e.score.prediction;
    writeln!(
        out,
        "label: {}{}",
        p.label_or_none(),
        if p.uncertain { "  (uncertain)" } else { "" }
    )?;
    for (l, prob) in labels.iter().zip(&p.probabilities) {
        writeln!(out, "  p({l}) = {prob:.4}")?;
    }
    writeln!(
        out,
        "evidence: {} tokens, {:.0}% of terms known, signal {:.3}",
        p.evidence.tokens,
        100.0 * p.evidence.known,
        p.evidence.signal
    )?;
    // The predicted label's logit first; with --all-labels, every other label's after it.
    let decomposed: Vec<usize> = std::iter::once(p.top())
        .chain((0..labels.len()).filter(|&l| all_labels && l != p.top()))
        .collect();
    for &l in &decomposed {
        writeln!(
            out,
            "logit({}) = {:.4} = intercept {:.4} + {} term contributions{}",
            labels[l],
            e.logits[l],
            e.intercepts[l],
            e.terms.len(),
            if model.calibration().is_some() && l == p.top() {
                "; probabilities are calibrated from the logit"
            } else {
                ""
            }
        )?;
    }
    write_terms(out, labels, e, top)?;
    write_paragraphs(out, text, e)?;
    write_what_if(out, labels, p.top(), effects)
}

/// The top terms toward each label.
fn write_terms(
    out: &mut dyn Write,
    labels: &[String],
    e: &Explanation,
    top: usize,
) -> std::io::Result<()> {
    for (l, name) in labels.iter().enumerate() {
        writeln!(out, "\ntop terms toward {name}:")?;
        for t in e.top_terms(l, top) {
            writeln!(
                out,
                "  {:+.4}  {:<32} ({} in the text)",
                t.contributions[l],
                t.surface.join(" / "),
                t.spans.len()
            )?;
        }
    }
    Ok(())
}

/// Each paragraph's label and probability, with the start of its text.
fn write_paragraphs(out: &mut dyn Write, text: &str, e: &Explanation) -> std::io::Result<()> {
    if !e.score.paragraphs.is_empty() {
        writeln!(out, "\nparagraphs:")?;
        for q in &e.score.paragraphs {
            let snippet: String = text[q.span.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect();
            writeln!(
                out,
                "  ¶{:<3} {:<8} {:.3}  {snippet}…{}",
                q.index,
                q.prediction.label_or_none(),
                q.prediction.probabilities[q.prediction.top()],
                if q.prediction.uncertain {
                    "  (uncertain)"
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}

/// How each swap moves the predicted label's probability.
fn write_what_if(
    out: &mut dyn Write,
    labels: &[String],
    predicted: usize,
    effects: &[SwapEffect],
) -> std::io::Result<()> {
    if !effects.is_empty() {
        writeln!(out, "\nwhat if:")?;
        for s in effects {
            let names: Vec<String> = s.swaps.iter().map(|(a, b)| format!("{a}={b}")).collect();
            let deltas: BTreeMap<&str, f64> = labels
                .iter()
                .map(String::as_str)
                .zip(s.delta.iter().copied())
                .collect();
            if s.replaced == 0 {
                writeln!(
                    out,
                    "  {:<30} 0 replaced: no match in the text, nothing moves",
                    names.join(",")
                )?;
                continue;
            }
            writeln!(
                out,
                "  {:<30} {} replaced; p({}) moves {:+.4}",
                names.join(","),
                s.replaced,
                labels[predicted],
                deltas[labels[predicted].as_str()]
            )?;
        }
    }
    Ok(())
}

/// Says on stderr which swaps match nothing, so that a JSON or HTML reader learns it too.
fn warn_unmatched(effects: &[SwapEffect]) {
    for e in effects
        .iter()
        .filter(|e| e.swaps.len() == 1 && e.replaced == 0)
    {
        let (from, to) = &e.swaps[0];
        // A closed stderr is no reason to fail.
        let _ = writeln!(
            std::io::stderr().lock(),
            "stance: warning: --swap {:?} replaced nothing: {from:?} is not in the text",
            format!("{from}={to}")
        );
    }
}

pub fn run(args: ExplainArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let html_out = open_output(args.html.as_deref(), "--html")?;
    if let Some(html) = &html_out {
        check_distinct(std::slice::from_ref(&args.input), &[("--html", html)])?;
    }
    let model = super::load_model(args.model.as_ref())?;
    let (text, name) = read_input(&args)?;
    let e = model.explain(&text);
    let effects = model.swap_effects(&text, &args.swap);
    warn_unmatched(&effects);
    // With the page on stdout (`--html -`), the explanation goes to stderr so as not to mix in.
    let mut stderr = std::io::stderr();
    let text_out: &mut dyn Write = match html_out.as_ref().is_some_and(|h| h.is_stdout()) {
        true => &mut stderr,
        false => &mut *out,
    };
    let printed = match args.format {
        OutputFormat::Json => write_json(
            text_out,
            &ExplanationRecord::new(&model, &e, &effects, args.top),
        ),
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => write_text(
            text_out,
            &model,
            &text,
            &e,
            &effects,
            args.top,
            args.all_labels,
        )
        .map_err(Into::into),
    };
    // The HTML view is written even when stdout has been closed (`| head`): that is not a
    // failure, and the page is what was asked for.
    if let Some(html) = html_out {
        // The plain page is the Python package's too.
        let page = if args.all_labels {
            explain_html::render_labels(&model, &text, &e, &effects, args.top, &name, true)
        } else {
            explain_html::render(&model, &text, &e, &effects, args.top, &name)
        };
        html.commit(page.as_bytes(), out)
            .context("writing the HTML view")?;
    }
    printed?;
    Ok(ExitCode::SUCCESS)
}
