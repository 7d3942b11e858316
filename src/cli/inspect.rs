//! `stance inspect`: the model card, with the leakage check on the top terms.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use stance::features::featurizer::FeaturizerParams;
use stance::model::adaptation::Adaptation;
use stance::model::default_model::DEFAULT_MODEL_NAME;
use stance::model::fitted::{CalibrationInfo, TrainingSummary};
use stance::predict::inspect::LabelTerms;

use super::output::{formats, write_json, OutputFormat, TEXT_OR_JSON};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<std::path::PathBuf>,
    /// Terms to show per label.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
    format: OutputFormat,
}

/// The model card, as `--format json` prints it.
#[derive(Serialize)]
struct Card<'a> {
    model: &'a str,
    format_version: u64,
    labels: &'a [String],
    training: &'a TrainingSummary,
    featurizer: &'a FeaturizerParams,
    vocabulary_size: usize,
    calibration: Option<&'a CalibrationInfo>,
    /// What `stance adapt` recorded, for an adapted model.
    #[serde(skip_serializing_if = "Option::is_none")]
    adaptation: Option<AdaptationCard<'a>>,
    uncertainty: Cutoffs,
    top_terms: &'a [LabelTerms],
    suspect_terms: Vec<Suspect<'a>>,
}

/// When a score is flagged uncertain, and how scores are cooled by length: the model's policy
/// with the fixed token minimum beside it.
#[derive(Serialize)]
struct Cutoffs {
    /// Less signal than this is uncertain.
    min_signal: f64,
    /// A smaller share of known terms is uncertain.
    min_known: f64,
    /// Fewer tokens than this is uncertain.
    min_tokens: usize,
    /// A top probability within this of a coin toss is uncertain.
    band: f64,
    /// Tokens that keep half the logit (0: no cooling).
    prior_tokens: f64,
}

/// An adapted model's record, as `--format json` prints it: the new terms counted, not listed.
#[derive(Serialize)]
struct AdaptationCard<'a> {
    base_sha256: &'a str,
    sample_sha256: &'a str,
    sample_documents: usize,
    new_terms: usize,
    chosen: &'a str,
    folds: usize,
    group_by: &'a str,
    seed: u64,
    rule: &'a str,
    candidates: &'a [stance::model::adaptation::CandidateScore],
}

impl<'a> AdaptationCard<'a> {
    fn of(a: &'a Adaptation) -> Self {
        AdaptationCard {
            base_sha256: &a.base_sha256,
            sample_sha256: &a.sample_sha256,
            sample_documents: a.sample_documents,
            new_terms: a.new_features.len(),
            chosen: &a.chosen,
            folds: a.folds,
            group_by: &a.group_by,
            seed: a.seed,
            rule: &a.rule,
            candidates: &a.candidates,
        }
    }
}

/// The text card's lines on an adapted model.
fn write_adaptation(out: &mut dyn Write, a: &Adaptation) -> std::io::Result<()> {
    writeln!(
        out,
        "
adapted from base model sha256 {}",
        a.base_sha256
    )?;
    writeln!(
        out,
        "  sample: {} documents, sha256 {}; {} new terms",
        a.sample_documents,
        a.sample_sha256,
        a.new_features.len()
    )?;
    writeln!(
        out,
        "  kept {} of {} candidates ({}-fold cross-validation, grouped by {}, seed {}): {}",
        a.chosen,
        a.candidates.len(),
        a.folds,
        a.group_by,
        a.seed,
        a.rule
    )?;
    for c in &a.candidates {
        let auc = c.auc.map_or("-".into(), |x| {
            format!("{:.3} [{:.3}, {:.3}]", x[1], x[0], x[2])
        });
        writeln!(
            out,
            "  {:<14} log loss {:.4}  macro-F1 {:.3} [{:.3}, {:.3}]  AUC {auc}",
            c.name, c.log_loss, c.macro_f1[1], c.macro_f1[0], c.macro_f1[2]
        )?;
    }
    Ok(())
}

/// A top term that looks like an outlet marker.
#[derive(Serialize)]
struct Suspect<'a> {
    label: &'a str,
    term: &'a str,
    reason: &'a str,
}

pub fn run(args: InspectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
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
            let card = Card {
                model: &name,
                format_version: model.format_version(),
                labels: model.labels(),
                training: t,
                featurizer: f,
                vocabulary_size: model.featurizer().n_features(),
                calibration: model.calibration(),
                adaptation: model.adaptation().map(AdaptationCard::of),
                uncertainty: Cutoffs {
                    min_signal: model.uncertainty().min_signal,
                    min_known: model.uncertainty().min_known,
                    min_tokens: stance::model::evidence::MIN_TOKENS,
                    band: model.uncertainty().band,
                    prior_tokens: model.uncertainty().prior_tokens,
                },
                top_terms: &top,
                suspect_terms: suspects
                    .iter()
                    .map(|&(label, term, reason)| Suspect {
                        label,
                        term,
                        reason,
                    })
                    .collect(),
            };
            write_json(out, &card)?;
        }
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => {
            writeln!(out, "model card: {name}")?;
            writeln!(out, "format version: {}", model.format_version())?;
            writeln!(out, "labels: {}", model.labels().join(", "))?;
            if let Some(a) = model.adaptation() {
                write_adaptation(out, a)?;
            }
            writeln!(
                out,
                "\ntraining data: {} documents, sha256 {}",
                t.documents, t.data_sha256
            )?;
            for (l, n) in &t.per_label {
                writeln!(out, "  label  {l:<24} {n:>7}")?;
            }
            for (s, n) in &t.sources {
                writeln!(
                    out,
                    "  source {:<24} {n:>7}",
                    if s.is_empty() { "(none)" } else { s }
                )?;
            }
            writeln!(out, "\nparameters:")?;
            writeln!(
                out,
                "  ngram_range {}  min_df {}  max_df {}  max_features {}  min_sources {}",
                f.ngram_range,
                f.vocabulary.min_df,
                f.vocabulary.max_df,
                f.vocabulary
                    .max_features
                    .map_or("all".into(), |m| m.to_string()),
                f.vocabulary.min_sources
            )?;
            writeln!(
                out,
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
            )?;
            writeln!(
                out,
                "  penalty {:?}  alpha {}  class weight {:?}  max_iter {}  tol {}  seed {}",
                t.logistic.penalty,
                t.logistic.alpha,
                t.logistic.class_weight,
                t.logistic.max_iter,
                t.logistic.tolerance,
                t.seed
            )?;
            writeln!(
                out,
                "  spelling: {}",
                f.spelling
                    .as_ref()
                    .map_or("none (every spelling its own term)".into(), |s| {
                        format!("{} ({} variants mapped)", s.lists.name(), s.map.len())
                    })
            )?;
            writeln!(
                out,
                "  masking rules: {}",
                f.mask
                    .rules
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
            writeln!(
                out,
                "  optimiser: {} iterations, final loss {:.6}, gradient norm {}, converged {}",
                t.iterations,
                t.final_loss,
                t.gradient_norm
                    .map_or("not recorded".to_string(), |g| format!("{g:.3e}")),
                t.converged
            )?;
            let u = model.uncertainty();
            writeln!(
                out,
                "  uncertain below: signal {:.4}, known share {:.4}, {} tokens; within {} of a coin toss; cooling prior {} tokens",
                u.min_signal,
                u.min_known,
                stance::model::evidence::MIN_TOKENS,
                u.band,
                u.prior_tokens
            )?;
            match model.calibration() {
                Some(c) => writeln!(out,
                    "\ncalibration: {:?}, fitted on {}-fold CV grouped by {}; out-of-fold ECE {:.4} -> {:.4}",
                    c.map, c.folds, c.group_by, c.ece_before, c.ece_after
                )?,
                None => writeln!(out, "\ncalibration: none (probabilities are the raw model's)")?,
            }
            writeln!(
                out,
                "\nvocabulary size: {}",
                model.featurizer().n_features()
            )?;
            for l in &top {
                writeln!(out, "\ntop {} terms toward {}:", args.top, l.label)?;
                for term in &l.terms {
                    let shown = match model.surface_form(&term.term) {
                        Some(s) => format!("{s}  [{}]", term.term),
                        None => term.term.clone(),
                    };
                    writeln!(
                        out,
                        "  {:>9.4}  {}{}",
                        term.weight,
                        shown,
                        term.suspect.as_ref().map_or(String::new(), |s| format!(
                            "   <- looks like an outlet marker: {s}"
                        ))
                    )?;
                }
            }
            if suspects.is_empty() {
                writeln!(
                    out,
                    "\nleakage check: no top term looks like an outlet marker"
                )?;
            } else {
                writeln!(out, "\nleakage check: {} top term(s) look like outlet markers that masking should have caught:", suspects.len())?;
                for (l, term, why) in &suspects {
                    writeln!(out, "  {term:?} toward {l}: {why}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
