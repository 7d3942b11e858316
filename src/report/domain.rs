//! The out-of-domain check: does a corpus look like the model's training data?
//!
//! The model file's training profile (`model::profile`) records quantiles of the training
//! documents' known-term share, signal and length. The check counts, per measure, the
//! documents below the training median: about half of text like the training data falls
//! below it. New text from the same corpus falls below it more often, because the vocabulary
//! was fitted on the training documents themselves: 78% of a held-out fifth of the default
//! corpus is below the known-share median of a model trained on the rest. Text from another
//! genre or outlet falls below it almost always.
//!
//! The rule: a corpus is outside when, for the known share or the signal, the lower end of the
//! 95% Wilson interval of its share below the training median is above [`OUTSIDE_SHARE`]
//! (0.85). The interval keeps a handful of documents from firing it (it takes at least 22 all
//! below); the threshold sits between held-out training text (0.78) and the out-of-domain dev
//! set (0.97). Length is counted and shown, not used: short texts are a genre, and the
//! uncertain flag handles them one by one. The figures are in models/model-card.md
//! ("Out-of-domain warning").

use serde::Serialize;

use crate::model::evidence::Evidence;
use crate::model::profile::TrainingProfile;
use crate::report::wilson::{wilson, Z95};

/// The training quantile the check counts documents below: the median.
pub const OUTSIDE_LEVEL: f64 = 0.5;

/// The share of documents below the training median, at the lower end of its 95% interval,
/// above which a corpus counts as outside.
pub const OUTSIDE_SHARE: f64 = 0.85;

/// The fix the warning names.
pub const OUTSIDE_FIX: &str = "label 100-200 texts drawn by `stance sample --strategy random` and run `stance adapt` (and check the shares with `stance report --validation`)";

/// One measure's count of documents below its training percentile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Below {
    /// `known`, `signal` or `tokens`.
    pub measure: &'static str,
    /// The training data's median.
    pub threshold: f64,
    pub documents: usize,
    /// `documents` over all documents checked.
    pub share: f64,
    /// Whether this measure decides the rule (known share and signal do; length does not).
    pub decides: bool,
}

/// The outcome of the check on one corpus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainCheck {
    pub documents: usize,
    /// The share expected below each median for a corpus like the training data.
    pub expected: f64,
    /// The share below it, at the lower end of its 95% interval, above which a corpus is
    /// outside.
    pub threshold: f64,
    pub below: Vec<Below>,
    /// Whether the corpus falls outside the training data (see the module doc).
    pub outside: bool,
}

/// Counts documents below the training percentiles, one at a time.
#[derive(Debug, Clone)]
pub struct DomainCounter {
    thresholds: [f64; 3],
    below: [usize; 3],
    documents: usize,
}

const MEASURES: [(&str, bool); 3] = [("known", true), ("signal", true), ("tokens", false)];

impl DomainCounter {
    /// A counter for `profile`; `None` for a profile without the median.
    pub fn new(profile: &TrainingProfile) -> Option<Self> {
        Some(DomainCounter {
            thresholds: profile.at(OUTSIDE_LEVEL)?,
            below: [0; 3],
            documents: 0,
        })
    }

    /// Counts one document's evidence.
    pub fn add(&mut self, e: &Evidence) {
        self.documents += 1;
        let values = [e.known, e.signal, e.tokens as f64];
        for ((b, v), t) in self.below.iter_mut().zip(values).zip(self.thresholds) {
            *b += usize::from(v < t);
        }
    }

    /// Adds another counter's counts (of the same profile).
    pub fn merge(&mut self, other: &DomainCounter) {
        self.documents += other.documents;
        for (a, b) in self.below.iter_mut().zip(other.below) {
            *a += b;
        }
    }

    /// The check over the documents counted; `None` before any.
    pub fn check(&self) -> Option<DomainCheck> {
        if self.documents == 0 {
            return None;
        }
        let n = self.documents;
        let below: Vec<Below> = MEASURES
            .iter()
            .zip(self.thresholds.iter().zip(self.below))
            .map(|(&(measure, decides), (&threshold, k))| Below {
                measure,
                threshold,
                documents: k,
                share: k as f64 / n as f64,
                decides,
            })
            .collect();
        let outside = below
            .iter()
            .filter(|b| b.decides)
            .any(|b| wilson(b.documents, n, Z95).is_some_and(|(low, _)| low > OUTSIDE_SHARE));
        Some(DomainCheck {
            documents: n,
            expected: OUTSIDE_LEVEL,
            threshold: OUTSIDE_SHARE,
            below,
            outside,
        })
    }
}

impl DomainCheck {
    /// The counts in words: `of 40 documents, 38 (95%) below it in known (0.764), ...`.
    pub fn figures(&self) -> String {
        let parts: Vec<String> = self
            .below
            .iter()
            .map(|b| {
                format!(
                    "{} ({:.0}%) below it in {} ({:.3})",
                    b.documents,
                    100.0 * b.share,
                    b.measure,
                    b.threshold
                )
            })
            .collect();
        format!(
            "of {} documents, {}; about {:.0}% for text like the training data",
            self.documents,
            parts.join(", "),
            100.0 * self.expected
        )
    }

    /// The warning for an outside corpus, naming the fix; `None` for one inside.
    pub fn warning(&self) -> Option<String> {
        self.outside.then(|| {
            format!(
                "the texts look unlike the model's training data (below the training median: {}); its scores and shares may be wrong here. To check and fix: {OUTSIDE_FIX}",
                self.figures()
            )
        })
    }
}

/// The warning for a corpus of these documents' evidence under `model`'s training profile;
/// `None` when it looks like the training data, or the model has no profile.
pub fn warning_for<'a>(
    model: &crate::model::Model,
    evidence: impl IntoIterator<Item = &'a Evidence>,
) -> Option<String> {
    let mut counter = DomainCounter::new(model.profile()?)?;
    evidence.into_iter().for_each(|e| counter.add(e));
    counter.check()?.warning()
}

/// One input's check, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputDomain {
    pub path: String,
    pub check: DomainCheck,
    /// The warning, when the input falls outside the training data.
    pub warning: Option<String>,
}

impl InputDomain {
    /// The check of `counter` over input `path`; `None` for an input without documents.
    pub fn new(path: &std::path::Path, counter: &DomainCounter) -> Option<Self> {
        let check = counter.check()?;
        Some(InputDomain {
            path: path.display().to_string(),
            warning: check.warning(),
            check,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(known: f64, signal: f64) -> Evidence {
        Evidence {
            tokens: 100,
            known,
            signal,
            terms: 5,
        }
    }

    fn counter() -> DomainCounter {
        let training: Vec<Evidence> = (0..=100)
            .map(|i| doc(0.5 + i as f64 / 200.0, 1.0 + i as f64 / 10.0))
            .collect();
        DomainCounter::new(&TrainingProfile::from_evidence(&training)).unwrap()
    }

    #[test]
    fn a_corpus_like_the_training_data_is_inside_and_one_below_it_outside() {
        let mut like = counter();
        for i in 0..200 {
            like.add(&doc(
                0.5 + (i % 100) as f64 / 200.0,
                1.0 + (i % 100) as f64 / 10.0,
            ));
        }
        let check = like.check().unwrap();
        assert!(!check.outside, "{}", check.figures());
        assert_eq!(check.warning(), None);
        let mut unlike = counter();
        for i in 0..200 {
            // Nearly all know fewer terms than the training median.
            let known = if i % 20 == 0 { 0.9 } else { 0.6 };
            unlike.add(&doc(known, 8.0));
        }
        let check = unlike.check().unwrap();
        assert!(check.outside, "{}", check.figures());
        assert!(check.warning().unwrap().contains("stance adapt"));
        // Twenty documents all below it are not enough to say.
        let mut few = counter();
        for _ in 0..20 {
            few.add(&doc(0.1, 0.1));
        }
        assert!(!few.check().unwrap().outside);
        assert_eq!(counter().check(), None);
    }
}
