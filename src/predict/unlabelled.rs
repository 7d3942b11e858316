//! The texts of an input that got no label, counted for one warning per input: those not in
//! the model's language (by language found) and the exact ties. `stance score` and the Python
//! package warn with the same words.

use std::collections::BTreeMap;

use crate::predict::score::ArticleScore;
use crate::text::language::Language;

/// Articles scored, and those of them without a label, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unlabelled {
    pub articles: usize,
    /// Texts not in the model's language, per language found (ISO 639-1).
    pub languages: BTreeMap<&'static str, usize>,
    /// Texts whose top labels tie exactly.
    pub ties: usize,
}

impl Unlabelled {
    /// Counts one article's score.
    pub fn add(&mut self, score: &ArticleScore) {
        self.articles += 1;
        match (score.foreign, score.prediction.label) {
            (true, _) => {
                *self
                    .languages
                    .entry(score.language.unwrap_or("?"))
                    .or_default() += 1
            }
            (false, None) => self.ties += 1,
            (false, Some(_)) => {}
        }
    }

    /// Adds another tally's counts.
    pub fn merge(&mut self, other: &Unlabelled) {
        self.articles += other.articles;
        self.ties += other.ties;
        for (l, n) in &other.languages {
            *self.languages.entry(l).or_default() += n;
        }
    }

    /// The warnings, none when every text has a label: "3 of 5 texts in FILE are not English
    /// (ru 2, uk 1); they get no label", and one for ties. `place` is " in FILE", or empty.
    pub fn warnings(&self, language: Language, place: &str) -> Vec<String> {
        let mut out = Vec::new();
        let foreign: usize = self.languages.values().sum();
        if foreign > 0 {
            let mut by: Vec<(&&str, &usize)> = self.languages.iter().collect();
            by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let by: Vec<String> = by.iter().map(|(l, n)| format!("{l} {n}")).collect();
            out.push(format!(
                "{foreign} of {} texts{place} are not {} ({}); they get no label",
                self.articles,
                language.name(),
                by.join(", ")
            ));
        }
        if self.ties > 0 {
            out.push(format!(
                "{} of {} texts{place} tie exactly between labels; they get no label",
                self.ties, self.articles
            ));
        }
        out
    }
}
