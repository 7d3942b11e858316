//! The adapted featurizer: the base model's vocabulary plus the terms new in the sample.
//!
//! New terms are the sample's terms under the base's tokenizer and n-gram settings that occur
//! in at least two sample documents ([`NEW_TERM_MIN_DF`]) and are not in the base vocabulary.
//! Each gets the smoothed IDF of the sample, `ln((1 + n) / (1 + df)) + 1` over the sample's `n`
//! documents (scikit-learn's formula, as [`crate::features::tfidf`] uses for training), and the
//! new terms form a second TF-IDF block normalised on its own: a text's entries for base terms
//! are then exactly the base model's, and base weights mean what they meant. The merged
//! vocabulary stays sorted by term, as every vocabulary is, so base features get new numbers;
//! [`Adapted::base_feature`] maps them back.

use crate::error::StanceError;
use crate::features::featurizer::Featurizer;
use crate::features::index::terms::Terms;
use crate::features::tfidf::Tfidf;
use crate::features::vocabulary::{DocFreq, Vocabulary, VocabularyParams};

/// The fewest sample documents a new term must occur in.
pub const NEW_TERM_MIN_DF: u64 = 2;

/// An adapted featurizer and how its features relate to the base's.
pub(crate) struct Adapted {
    pub featurizer: Featurizer,
    /// Feature numbers of the new terms (ascending).
    pub new_features: Vec<u32>,
    /// For each feature, the base's feature number (`None` for a new term).
    pub base_feature: Vec<Option<u32>>,
}

impl Adapted {
    /// `base_values` (one per base feature) laid out over the adapted features, new terms 0.
    pub fn spread(&self, base_values: &[f64]) -> Vec<f64> {
        self.base_feature
            .iter()
            .map(|b| b.map_or(0.0, |b| base_values[b as usize]))
            .collect()
    }
}

/// A featurizer of `texts` alone: the base's text settings (masking, tokenizer, stemming, stop
/// words, n-grams), the sample's vocabulary (terms in at least [`NEW_TERM_MIN_DF`] texts) and its
/// IDF, one block, no feature the base's. The `sample-A` candidates are fitted on it: a model
/// of the sample alone as `stance train` would make it, which ranks the sample's texts by
/// their own term frequencies rather than the news corpus's.
pub(crate) fn own_featurizer(base: &Featurizer, texts: &[&str]) -> Result<Adapted, StanceError> {
    let mut params = base.params().clone();
    params.vocabulary = VocabularyParams {
        min_df: DocFreq::Count(NEW_TERM_MIN_DF),
        ..VocabularyParams::default()
    };
    let featurizer = params.fit_vocabulary(texts, &vec![0u32; texts.len()])?;
    let n = featurizer.vocabulary().len();
    Ok(Adapted {
        featurizer,
        new_features: Vec::new(),
        base_feature: vec![None; n],
    })
}

/// The base featurizer extended by the terms new in `texts` (see the module doc).
pub(crate) fn adapted_featurizer(
    base: &Featurizer,
    texts: &[&str],
) -> Result<Adapted, StanceError> {
    let mut params = base.params().clone();
    params.vocabulary = VocabularyParams {
        min_df: DocFreq::Count(NEW_TERM_MIN_DF),
        ..VocabularyParams::default()
    };
    let sources = vec![0u32; texts.len()];
    let sample = params.fit_vocabulary(texts, &sources)?;
    let base_vocabulary = base.vocabulary();
    let new: Vec<(&str, f64)> = sample
        .vocabulary()
        .iter()
        .zip(sample.tfidf().idf())
        .filter(|(t, _)| base_vocabulary.get(t).is_none())
        .map(|(t, &idf)| (t, idf))
        .collect();
    let d = base_vocabulary.len() + new.len();
    let mut terms = Terms::with_capacity(d);
    let (mut idf, mut base_feature, mut new_features) =
        (Vec::with_capacity(d), Vec::with_capacity(d), Vec::new());
    let base_idf = base.tfidf().idf();
    let mut old = base_vocabulary.iter().enumerate().peekable();
    let mut added = new.iter().peekable();
    loop {
        let take_new = match (old.peek(), added.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some((_, o)), Some((n, _))) => n < o,
        };
        if take_new {
            if let Some(&(t, v)) = added.next() {
                new_features.push(terms.len() as u32);
                terms.push(t);
                idf.push(v);
                base_feature.push(None);
            }
        } else if let Some((j, t)) = old.next() {
            terms.push(t);
            idf.push(base_idf[j]);
            base_feature.push(Some(j as u32));
        }
    }
    let tfidf = Tfidf::from_idf(base.tfidf().params(), idf).with_second_block(&new_features);
    let vocabulary = || Vocabulary::from_sorted_terms(terms);
    let featurizer = Featurizer::from_parts(base.params().clone(), vocabulary, tfidf)?;
    Ok(Adapted {
        featurizer,
        new_features,
        base_feature,
    })
}
