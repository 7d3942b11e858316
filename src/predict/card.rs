//! The model card as a record: what `stance inspect` prints, as JSON (its `Serialize`) or as
//! text (its `Display`), with the leakage check on the top terms ([`super::inspect`]).

use std::fmt;

use serde::Serialize;

use crate::features::featurizer::FeaturizerParams;
use crate::model::adaptation::{Adaptation, CandidateScore};
use crate::model::fitted::{CalibrationInfo, Model, TrainingSummary};
use crate::predict::inspect::LabelTerms;
use crate::text::stopwords::StopWords;

/// The model card. Its JSON lists the fields below; the text form ([`fmt::Display`]) is the
/// readable card.
#[derive(Debug, Serialize)]
pub struct Card<'a> {
    /// The model's name as the user gave it (a path, or the default model's name).
    pub model: &'a str,
    pub format_version: u64,
    pub labels: &'a [String],
    pub training: &'a TrainingSummary,
    pub featurizer: &'a FeaturizerParams,
    pub vocabulary_size: usize,
    pub calibration: Option<&'a CalibrationInfo>,
    /// What `stance adapt` recorded, for an adapted model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<AdaptationCard<'a>>,
    pub uncertainty: Cutoffs,
    /// How many terms per label were asked for (the text names it).
    #[serde(skip)]
    pub top: usize,
    pub top_terms: Vec<LabelTerms>,
    pub suspect_terms: Vec<Suspect>,
}

/// When a score is flagged uncertain, and how scores are cooled by length: the model's policy
/// with the fixed token minimum beside it.
#[derive(Debug, Serialize)]
pub struct Cutoffs {
    /// Less signal than this is uncertain.
    pub min_signal: f64,
    /// A smaller share of known terms is uncertain.
    pub min_known: f64,
    /// Fewer tokens than this is uncertain.
    pub min_tokens: usize,
    /// A top probability within this of a coin toss is uncertain.
    pub band: f64,
    /// Tokens that keep half the logit (0: no cooling).
    pub prior_tokens: f64,
}

/// An adapted model's record on the card: the new terms counted, not listed.
#[derive(Debug, Serialize)]
pub struct AdaptationCard<'a> {
    pub base_sha256: &'a str,
    pub sample_sha256: &'a str,
    pub sample_documents: usize,
    /// The base data of the pooled candidate (`stance adapt --base-data`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_data_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_data_documents: Option<usize>,
    pub new_terms: usize,
    pub chosen: &'a str,
    pub folds: usize,
    pub group_by: &'a str,
    pub seed: u64,
    pub rule: &'a str,
    pub candidates: &'a [CandidateScore],
}

/// A top term that looks like an outlet marker.
#[derive(Debug, Serialize)]
pub struct Suspect {
    pub label: String,
    pub term: String,
    pub reason: String,
}

impl<'a> Card<'a> {
    /// The card of `model`, named `name`, with the `top` heaviest terms per label.
    pub fn new(model: &'a Model, name: &'a str, top: usize) -> Self {
        let top_terms = model.top_terms(top);
        let suspect_terms = top_terms
            .iter()
            .flat_map(|l| {
                l.terms.iter().filter_map(move |term| {
                    term.suspect.as_ref().map(|reason| Suspect {
                        label: l.label.clone(),
                        term: term.term.clone(),
                        reason: reason.clone(),
                    })
                })
            })
            .collect();
        let u = model.uncertainty();
        Card {
            model: name,
            format_version: model.format_version(),
            labels: model.labels(),
            training: model.training(),
            featurizer: model.featurizer().params(),
            vocabulary_size: model.featurizer().n_features(),
            calibration: model.calibration(),
            adaptation: model.adaptation().map(AdaptationCard::of),
            uncertainty: Cutoffs {
                min_signal: u.min_signal,
                min_known: u.min_known,
                min_tokens: crate::model::evidence::MIN_TOKENS,
                band: u.band,
                prior_tokens: u.prior_tokens,
            },
            top,
            top_terms,
            suspect_terms,
        }
    }
}

impl<'a> AdaptationCard<'a> {
    fn of(a: &'a Adaptation) -> Self {
        AdaptationCard {
            base_sha256: &a.base_sha256,
            sample_sha256: &a.sample_sha256,
            sample_documents: a.sample_documents,
            base_data_sha256: a.base_data_sha256.as_deref(),
            base_data_documents: a.base_data_documents,
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

impl fmt::Display for Card<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(out, "model card: {}", self.model)?;
        writeln!(out, "format version: {}", self.format_version)?;
        writeln!(out, "labels: {}", self.labels.join(", "))?;
        if let Some(a) = &self.adaptation {
            write!(out, "{a}")?;
        }
        let t = self.training;
        writeln!(
            out,
            "\ntraining data: {} documents, sha256 {}",
            t.documents, t.data_sha256
        )?;
        for (l, n) in &t.per_label {
            writeln!(out, "  label  {l:<24} {n:>7}")?;
        }
        for (s, n) in &t.sources {
            let s = if s.is_empty() { "(none)" } else { s };
            writeln!(out, "  source {s:<24} {n:>7}")?;
        }
        self.write_parameters(out)?;
        match self.calibration {
            Some(c) => writeln!(out,
                "\ncalibration: {:?}, fitted on {}-fold CV grouped by {}; out-of-fold ECE {:.4} -> {:.4}",
                c.map, c.folds, c.group_by, c.ece_before, c.ece_after
            )?,
            None => writeln!(out, "\ncalibration: none (probabilities are the raw model's)")?,
        }
        writeln!(out, "\nvocabulary size: {}", self.vocabulary_size)?;
        self.write_terms(out)
    }
}

impl Card<'_> {
    /// The text card's parameter lines: features, optimiser and uncertainty cutoffs.
    fn write_parameters(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t, f) = (self.training, self.featurizer);
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
                StopWords::Custom(w) => format!("custom ({} words)", w.len()),
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
        let rules: Vec<&str> = f.mask.rules.iter().map(|r| r.name.as_str()).collect();
        writeln!(out, "  masking rules: {}", rules.join(", "))?;
        writeln!(
            out,
            "  optimiser: {} iterations, final loss {:.6}, gradient norm {}, converged {}",
            t.iterations,
            t.final_loss,
            t.gradient_norm
                .map_or("not recorded".to_string(), |g| format!("{g:.3e}")),
            t.converged
        )?;
        let u = &self.uncertainty;
        writeln!(
            out,
            "  uncertain below: signal {:.4}, known share {:.4}, {} tokens; within {} of a coin toss; cooling prior {} tokens",
            u.min_signal, u.min_known, u.min_tokens, u.band, u.prior_tokens
        )
    }

    /// The text card's top terms per label and the leakage check.
    fn write_terms(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.top_terms {
            writeln!(out, "\ntop {} terms toward {}:", self.top, l.label)?;
            for term in &l.terms {
                let shown = match &term.surface {
                    Some(s) => format!("{s}  [{}]", term.term),
                    None => term.term.clone(),
                };
                let suspect = term.suspect.as_ref().map_or(String::new(), |s| {
                    format!("   <- looks like an outlet marker: {s}")
                });
                writeln!(out, "  {:>9.4}  {shown}{suspect}", term.weight)?;
            }
        }
        if self.suspect_terms.is_empty() {
            writeln!(
                out,
                "\nleakage check: no top term looks like an outlet marker"
            )
        } else {
            writeln!(out, "\nleakage check: {} top term(s) look like outlet markers that masking should have caught:", self.suspect_terms.len())?;
            for s in &self.suspect_terms {
                writeln!(out, "  {:?} toward {}: {}", s.term, s.label, s.reason)?;
            }
            Ok(())
        }
    }
}

/// The text card's lines on an adapted model.
impl fmt::Display for AdaptationCard<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(out, "\nadapted from base model sha256 {}", self.base_sha256)?;
        writeln!(
            out,
            "  sample: {} documents, sha256 {}; {} new terms",
            self.sample_documents, self.sample_sha256, self.new_terms
        )?;
        if let (Some(sha), Some(n)) = (self.base_data_sha256, self.base_data_documents) {
            writeln!(
                out,
                "  base data (the pooled candidate's): {n} documents, sha256 {sha}"
            )?;
        }
        writeln!(
            out,
            "  kept {} of {} candidates ({}-fold cross-validation, grouped by {}, seed {}): {}",
            self.chosen,
            self.candidates.len(),
            self.folds,
            self.group_by,
            self.seed,
            self.rule
        )?;
        for c in self.candidates {
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
}
