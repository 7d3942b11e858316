//! `stance explain`: exact per-term and per-paragraph contributions for one article, as text,
//! JSON or a self-contained HTML page, with what-if word swaps.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use serde_json::json;

use stance::io::atomic::AtomicFile;
use stance::io::corpus::{read_text, read_text_file};
use stance::predict::explain::Explanation;
use stance::Model;

use super::html;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// The article: a text file, or - for stdin.
    #[arg(value_name = "PATH|-")]
    input: PathBuf,
    /// Terms to show per label.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Also write a self-contained HTML view of the explanation here.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// What-if word swaps, as FROM=TO pairs separated by commas (kiev=kyiv,donbass=donbas).
    #[arg(long, value_delimiter = ',', value_name = "FROM=TO")]
    swap: Vec<String>,
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        Ok(read_text(Path::new("<stdin>"), std::io::stdin().lock())?)
    } else {
        Ok(read_text_file(path)?)
    }
}

/// The explanation as one JSON object with stable keys.
pub fn to_json(model: &Model, e: &Explanation, top: usize) -> serde_json::Value {
    let labels = model.labels();
    let by_label = |values: &[f64]| -> serde_json::Map<String, serde_json::Value> {
        labels
            .iter()
            .zip(values)
            .map(|(l, v)| (l.clone(), json!(v)))
            .collect()
    };
    let p = &e.score.prediction;
    json!({
        "label": labels[p.label],
        "probabilities": by_label(&p.probabilities),
        "logits": by_label(&e.logits),
        "intercept": by_label(&e.intercepts),
        "evidence": p.evidence,
        "uncertain": p.uncertain,
        "calibrated": model.calibration().is_some(),
        "top_terms": labels.iter().enumerate().map(|(l, name)| (name.clone(), json!(e.top_terms(l, top).iter().map(|t| json!({
            "feature": t.term, "surface": t.surface, "contribution": t.contributions[l]
        })).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>(),
        "terms": e.terms.iter().map(|t| json!({
            "feature": t.term,
            "index": t.feature,
            "surface": t.surface,
            "spans": t.spans.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
            "value": t.value,
            "contributions": by_label(&t.contributions),
        })).collect::<Vec<_>>(),
        "paragraphs": e.score.paragraphs.iter().map(|q| json!({
            "index": q.index, "start": q.span.start, "end": q.span.end,
            "label": labels[q.prediction.label],
            "probabilities": by_label(&q.prediction.probabilities),
            "evidence": q.prediction.evidence,
            "uncertain": q.prediction.uncertain,
        })).collect::<Vec<_>>(),
        "tokens": e.tokens.iter().map(|(s, stem)| json!({"start": s.start, "end": s.end, "stem": stem})).collect::<Vec<_>>(),
        "masked": e.masked.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
    })
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let swaps: Vec<(String, String)> = args
        .swap
        .iter()
        .map(|s| match s.split_once('=') {
            Some((a, b)) if !a.trim().is_empty() => {
                Ok((a.trim().to_string(), b.trim().to_string()))
            }
            _ => bail!("--swap takes FROM=TO pairs, got {s:?}"),
        })
        .collect::<anyhow::Result<_>>()?;
    let html_out = match &args.html {
        Some(p) => Some(
            AtomicFile::create(p)
                .with_context(|| format!("opening HTML output {}", p.display()))?,
        ),
        None => None,
    };
    let model = super::load_model(args.model.as_ref())?;
    let text = read_input(&args.input)?;
    let e = model.explain(&text);
    let effects = model.swap_effects(&text, &swaps);
    let labels = model.labels();
    match args.format {
        OutputFormat::Json => {
            let mut v = to_json(&model, &e, args.top);
            v["swaps"] = json!(effects.iter().map(|s| json!({
                "swaps": s.swaps.iter().map(|(a, b)| format!("{a}={b}")).collect::<Vec<_>>(),
                "replaced": s.replaced,
                "probabilities": labels.iter().zip(&s.prediction.probabilities).map(|(l, p)| (l.clone(), json!(p))).collect::<serde_json::Map<_, _>>(),
                "delta": labels.iter().zip(&s.delta).map(|(l, p)| (l.clone(), json!(p))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>());
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputFormat::Text => {
            let p = &e.score.prediction;
            println!(
                "label: {}{}",
                labels[p.label],
                if p.uncertain { "  (uncertain)" } else { "" }
            );
            for (l, prob) in labels.iter().zip(&p.probabilities) {
                println!("  p({l}) = {prob:.4}");
            }
            println!(
                "evidence: {} tokens, {:.0}% of terms known, signal {:.3}",
                p.evidence.tokens,
                100.0 * p.evidence.known,
                p.evidence.signal
            );
            let last = labels.len() - 1;
            println!(
                "logit({}) = {:.4} = intercept {:.4} + {} term contributions{}",
                labels[last],
                e.logits[last],
                e.intercepts[last],
                e.terms.len(),
                if model.calibration().is_some() {
                    "; probabilities are calibrated from the logit"
                } else {
                    ""
                }
            );
            for (l, name) in labels.iter().enumerate() {
                println!("\ntop terms toward {name}:");
                for t in e.top_terms(l, args.top) {
                    println!(
                        "  {:+.4}  {:<32} ({} in the text)",
                        t.contributions[l],
                        t.surface.join(" / "),
                        t.spans.len()
                    );
                }
            }
            if !e.score.paragraphs.is_empty() {
                println!("\nparagraphs:");
                for q in &e.score.paragraphs {
                    let snippet: String = text[q.span.clone()]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(60)
                        .collect();
                    println!(
                        "  ¶{:<3} {:<8} {:.3}  {snippet}…{}",
                        q.index,
                        labels[q.prediction.label],
                        q.prediction.probabilities[q.prediction.label],
                        if q.prediction.uncertain {
                            "  (uncertain)"
                        } else {
                            ""
                        }
                    );
                }
            }
            if !effects.is_empty() {
                println!("\nwhat if:");
                for s in &effects {
                    let names: Vec<String> =
                        s.swaps.iter().map(|(a, b)| format!("{a}={b}")).collect();
                    let deltas: BTreeMap<&str, f64> = labels
                        .iter()
                        .map(String::as_str)
                        .zip(s.delta.iter().copied())
                        .collect();
                    println!(
                        "  {:<30} {} word(s) replaced; p({}) moves {:+.4}",
                        names.join(","),
                        s.replaced,
                        labels[last],
                        deltas[labels[last].as_str()]
                    );
                }
            }
        }
    }
    if let Some(out) = html_out {
        let page = html::render(
            &model,
            &text,
            &e,
            &effects,
            args.top,
            &args.input.display().to_string(),
        );
        out.commit(page.as_bytes())
            .context("writing the HTML view")?;
    }
    Ok(ExitCode::SUCCESS)
}
