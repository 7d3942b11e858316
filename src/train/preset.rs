//! Named sets of training parameters: the project's default model, and scikit-learn's
//! defaults. A preset is a [`TrainParams`]; a user's settings go over it as
//! [`TrainOverrides`](super::TrainOverrides).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::features::ngrams::NgramRange;
use crate::features::vocabulary::DocFreq;
use crate::model::logistic::{ClassWeight, Penalty, Solver};
use crate::text::stopwords::StopWords;
use crate::text::tokenize::NumberPolicy;
use crate::ParamError;

use super::TrainParams;

/// A named set of training parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// The settings of the project's default model (models/model-card.md): L1 with alpha
    /// 0.033333 and up to 3000 iterations, no stemming, unigrams and bigrams, the newsroom stop
    /// words, and the whole vocabulary kept.
    Default,
    /// scikit-learn's `TfidfVectorizer()` and `LogisticRegression()` defaults, as near as
    /// stance gets: L2 with C = 1 and 100 iterations, unigrams, every term, no stop words, no
    /// stemming, numbers kept, raw counts, unweighted labels. Outlet masking and length cooling
    /// stay on.
    Textbook,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 2] = [Preset::Default, Preset::Textbook];

    /// The preset's name (`default`, `textbook`).
    pub fn name(self) -> &'static str {
        match self {
            Preset::Default => "default",
            Preset::Textbook => "textbook",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, ParamError> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| ParamError::Preset(s.to_string()))
    }
}

impl TrainParams {
    /// The parameters a preset stands for: [`TrainParams::default`] with the preset's changes.
    pub fn preset(preset: Preset) -> TrainParams {
        let mut p = TrainParams::default();
        let (f, l) = (&mut p.featurizer, &mut p.logistic);
        match preset {
            Preset::Default => {
                l.penalty = Penalty::L1;
                l.solver = Some(Solver::Cd);
                l.alpha = 0.033333;
                l.max_iter = 3000;
                f.tokenizer.stem = false;
                f.ngram_range = NgramRange::default();
                f.tokenizer.stop_words = StopWords::newsroom();
                p.keep_unweighted_terms = true;
            }
            Preset::Textbook => {
                l.penalty = Penalty::L2;
                l.alpha = 1.0;
                l.max_iter = 100;
                l.tolerance = 1e-4;
                l.class_weight = ClassWeight::None;
                f.ngram_range = NgramRange::unigrams();
                f.vocabulary.min_df = DocFreq::Count(1);
                f.vocabulary.max_df = DocFreq::Fraction(1.0);
                f.tokenizer.stop_words = StopWords::None;
                f.tokenizer.stem = false;
                f.tokenizer.numbers = NumberPolicy::Keep;
                f.tfidf.sublinear_tf = false;
            }
        }
        p
    }
}
