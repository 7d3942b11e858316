//! The model card: what a model is, what it was trained on, and which terms drive it, with a
//! leakage check that flags top terms that look like outlet markers the masking should have
//! caught.

use std::collections::HashSet;

use serde::Serialize;

use crate::model::fitted::Model;
use crate::text::mask::DEFAULT_OUTLETS;
use crate::text::tokenize::Tokenizer;

/// A term with its weight toward one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopTerm {
    pub term: String,
    /// The words behind the term in the training data, when the model recorded them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    pub weight: f64,
    /// Why this term looks like an outlet marker, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspect: Option<String>,
}

/// The terms pushing hardest toward one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelTerms {
    pub label: String,
    pub terms: Vec<TopTerm>,
}

/// Outlet names (built-in ones and any added with `outlet:NAME` rules) as the model's
/// tokenizer turns them into terms: `"Russia Today"` becomes `"russia today"`.
pub fn outlet_stems(model: &Model) -> HashSet<String> {
    let params = model.featurizer().params();
    let tokenizer = Tokenizer::new(&params.tokenizer);
    let added = params
        .mask
        .rules
        .iter()
        .filter_map(|r| r.name.strip_prefix("outlet:"));
    DEFAULT_OUTLETS
        .iter()
        .copied()
        .chain(added)
        .map(|name| {
            let tokens = tokenizer.tokens(name, &[]);
            let stems: Vec<String> = tokens
                .iter()
                .map(|t| tokenizer.stem(&t.word).into_owned())
                .collect();
            stems.join(" ")
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Why a term looks like an outlet marker: an outlet name, a URL or handle fragment, a
/// byline, credit or promo word. `outlets` holds stemmed outlet names.
pub fn suspect_reason(term: &str, outlets: &HashSet<String>) -> Option<String> {
    const URL_PARTS: &[&str] = &[
        "http",
        "https",
        "www",
        "com",
        "html",
        "co uk",
        "org",
        "twitter com",
        "pic",
    ];
    const BYLINE: &[&str] = &[
        "copyright",
        "reserv",
        "right reserv",
        "photo",
        "getti",
        "imag",
        "byline",
        "correspond",
        "report by",
        "edit by",
        "contribut report",
        "newslett",
        "subscrib",
        "click",
        "share",
        "follow",
        "tweet",
        "facebook",
        "instagram",
        "telegram channel",
    ];
    let words: Vec<&str> = term.split(' ').collect();
    // Outlet names are at most a few words long; longer windows cannot match.
    let longest = outlets
        .iter()
        .map(|o| o.split(' ').count())
        .max()
        .unwrap_or(0);
    for n in (1..=words.len().min(longest)).rev() {
        for window in words.windows(n) {
            let phrase = window.join(" ");
            if outlets.contains(&phrase) {
                return Some(format!("outlet name ({phrase})"));
            }
        }
    }
    if URL_PARTS.iter().any(|u| term == *u || words.contains(u)) {
        return Some("URL part".into());
    }
    if BYLINE.iter().any(|b| term == *b || words.contains(b)) {
        return Some("byline, credit or promo word".into());
    }
    None
}

impl Model {
    /// The `n` terms with the largest weights toward each label. In a binary model a negative
    /// weight pushes toward the first label and a positive one toward the second
    /// (the model card's terms).
    pub fn top_terms(&self, n: usize) -> Vec<LabelTerms> {
        let model = self;
        let c = model.classifier();
        let outlets = outlet_stems(model);
        let vocabulary = model.featurizer().vocabulary();
        let pick = |label: &str, mut scored: Vec<(usize, f64)>| {
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            LabelTerms {
                label: label.to_string(),
                terms: scored
                    .into_iter()
                    .take(n)
                    .filter(|(_, w)| *w > 0.0)
                    .map(|(i, w)| TopTerm {
                        term: vocabulary.term(i).to_string(),
                        surface: model.surface_form(vocabulary.term(i)).map(str::to_string),
                        weight: w,
                        suspect: suspect_reason(vocabulary.term(i), &outlets),
                    })
                    .collect(),
            }
        };
        if c.is_binary() {
            let w = &c.weights()[0];
            vec![
                pick(
                    &c.labels()[0],
                    w.iter().enumerate().map(|(i, v)| (i, -v)).collect(),
                ),
                pick(&c.labels()[1], w.iter().copied().enumerate().collect()),
            ]
        } else {
            c.labels()
                .iter()
                .zip(c.weights())
                .map(|(l, w)| pick(l, w.iter().copied().enumerate().collect()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_outlet_names_urls_and_credits() {
        let outlets: HashSet<String> = ["reuter", "rt", "bbc", "russia today"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            suspect_reason("reuter said", &outlets),
            Some("outlet name (reuter)".into())
        );
        assert_eq!(
            suspect_reason("rt report", &outlets),
            Some("outlet name (rt)".into())
        );
        assert_eq!(suspect_reason("www", &outlets), Some("URL part".into()));
        assert!(suspect_reason("getti imag", &outlets).is_some());
        assert!(suspect_reason("kiev regim", &outlets).is_none());
        assert!(suspect_reason("russia invas", &outlets).is_none());
        assert!(suspect_reason("russia today said", &outlets).is_some());
    }
}
