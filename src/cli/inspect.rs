//! `stance inspect`: the model card, with the leakage check on the top terms.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use stance::model::default_model::DEFAULT_MODEL_NAME;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<std::path::PathBuf>,
    /// Terms to show per label.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_ref())?;
    let name = args
        .model
        .as_ref()
        .map_or(DEFAULT_MODEL_NAME.to_string(), |p| p.display().to_string());
    let top = model.top_terms(args.top);
    let t = model.training();
    let f = model.featurizer().params();
    let suspects: Vec<(&str, &str, &str)> = top
        .iter()
        .flat_map(|l| {
            l.terms.iter().filter_map(move |term| {
                term.suspect
                    .as_deref()
                    .map(|s| (l.label.as_str(), term.term.as_str(), s))
            })
        })
        .collect();
    match args.format {
        OutputFormat::Json => {
            let card = serde_json::json!({
                "model": name,
                "format_version": model.format_version(),
                "labels": model.labels(),
                "training": t,
                "featurizer": f,
                "vocabulary_size": model.featurizer().n_features(),
                "calibration": model.calibration(),
                "top_terms": top,
                "suspect_terms": suspects.iter().map(|(l, term, why)| serde_json::json!({"label": l, "term": term, "reason": why})).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&card)?);
        }
        OutputFormat::Text => {
            println!("model card: {name}");
            println!("format version: {}", model.format_version());
            println!("labels: {}", model.labels().join(", "));
            println!(
                "\ntraining data: {} documents, sha256 {}",
                t.documents, t.data_sha256
            );
            for (l, n) in &t.per_label {
                println!("  label  {l:<24} {n:>7}");
            }
            for (s, n) in &t.sources {
                println!(
                    "  source {:<24} {n:>7}",
                    if s.is_empty() { "(none)" } else { s }
                );
            }
            println!("\nparameters:");
            println!(
                "  ngram_range {}  min_df {}  max_df {}  max_features {}  min_sources {}",
                f.ngram_range,
                f.vocabulary.min_df,
                f.vocabulary.max_df,
                f.vocabulary
                    .max_features
                    .map_or("all".into(), |m| m.to_string()),
                f.vocabulary.min_sources
            );
            println!(
                "  language {}  stop words {:?}  numbers {:?}  stem {}  sublinear tf {}",
                f.tokenizer.language,
                match &f.tokenizer.stop_words {
                    stance::text::stopwords::StopWords::Custom(w) =>
                        format!("custom ({} words)", w.len()),
                    other => format!("{other:?}").to_lowercase(),
                },
                f.tokenizer.numbers,
                f.tokenizer.stem,
                f.tfidf.sublinear_tf
            );
            println!(
                "  alpha {}  class weight {:?}  max_iter {}  tol {}  seed {}",
                t.logistic.alpha,
                t.logistic.class_weight,
                t.logistic.max_iter,
                t.logistic.tolerance,
                t.seed
            );
            println!(
                "  masking rules: {}",
                f.mask
                    .rules
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!(
                "  L-BFGS: {} iterations, final loss {:.6}, converged {}",
                t.iterations, t.final_loss, t.converged
            );
            match model.calibration() {
                Some(c) => println!(
                    "\ncalibration: {:?}, fitted on {}-fold CV grouped by {}; out-of-fold ECE {:.4} -> {:.4}",
                    c.map, c.folds, c.group_by, c.ece_before, c.ece_after
                ),
                None => println!("\ncalibration: none (probabilities are the raw model's)"),
            }
            println!("\nvocabulary size: {}", model.featurizer().n_features());
            for l in &top {
                println!("\ntop {} terms toward {}:", args.top, l.label);
                for term in &l.terms {
                    let shown = match model.surface_form(&term.term) {
                        Some(s) => format!("{s}  [{}]", term.term),
                        None => term.term.clone(),
                    };
                    println!(
                        "  {:>9.4}  {}{}",
                        term.weight,
                        shown,
                        term.suspect.as_ref().map_or(String::new(), |s| format!(
                            "   <- looks like an outlet marker: {s}"
                        ))
                    );
                }
            }
            if suspects.is_empty() {
                println!("\nleakage check: no top term looks like an outlet marker");
            } else {
                println!("\nleakage check: {} top term(s) look like outlet markers that masking should have caught:", suspects.len());
                for (l, term, why) in &suspects {
                    println!("  {term:?} toward {l}: {why}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
