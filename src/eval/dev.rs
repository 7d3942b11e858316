//! Out-of-domain evaluation: a model trained on the whole corpus, scored on a labelled dev set
//! of another genre or other sources, with the two figures that in-corpus splits hide.
//!
//! - **Length drift**: for each true label, the mean probability of that label in each quarter
//!   of its documents sorted by length. A model that learned the newsroom's register rather
//!   than framing drifts: its long documents slide toward one label.
//! - **Paragraph agreement**: the share of documents whose label is the label of the mean of
//!   their paragraphs' logits. An article score that its own paragraphs contradict is not
//!   explained by them.
//!
//! Labels of the dev set that the model does not know are refused: such documents could never
//! be scored right, and counting them would hide that the dev set does not fit the model.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::StanceError;
use crate::eval::metrics::{argmax, Metrics};
use crate::io::corpus::Document;
use crate::model::Model;

/// Length quarters per label.
pub const QUARTERS: usize = 4;

/// One label's drift: the mean probability of the label in each length quarter of the
/// documents that truly have it, shortest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelDrift {
    pub label: String,
    pub documents: usize,
    /// Mean words per document in each quarter.
    pub mean_words: Vec<f64>,
    /// Mean p(label) in each quarter.
    pub mean_probability: Vec<f64>,
    /// The longest quarter's mean minus the shortest's.
    pub drift: f64,
}

/// A model's figures on one dev set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DevReport {
    pub metrics: Metrics,
    pub drift: Vec<LabelDrift>,
    /// Share of documents whose label equals the label of their paragraphs' mean logit.
    pub paragraph_agreement: f64,
}

/// Scores `docs` with `model` and computes the dev-set figures.
pub fn evaluate_dev(model: &Model, docs: &[Document]) -> Result<DevReport, StanceError> {
    let labels = model.labels();
    let mut y = Vec::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let label = d.label.as_deref().unwrap_or("");
        let index =
            labels
                .iter()
                .position(|l| l == label)
                .ok_or_else(|| StanceError::UnknownLabel {
                    document: d.id.clone().unwrap_or_else(|| format!("#{}", i + 1)),
                    label: label.to_string(),
                    known: labels.to_vec(),
                })?;
        y.push(index);
    }
    if docs.is_empty() {
        return Err(StanceError::EmptyCorpus);
    }
    let scored: Vec<(Vec<f64>, bool)> = docs
        .par_iter()
        .map(|d| {
            let s = model.score(&d.text, true);
            let article = s.prediction.probabilities;
            let agrees = match mean_logits(s.paragraphs.iter().map(|p| &p.prediction.probabilities))
            {
                Some(mean) => argmax(&mean) == argmax(&article),
                // No paragraph: nothing contradicts the article.
                None => true,
            };
            (article, agrees)
        })
        .collect();
    let probabilities: Vec<Vec<f64>> = scored.iter().map(|(p, _)| p.clone()).collect();
    let agreeing = scored.iter().filter(|(_, a)| *a).count();
    let words: Vec<usize> = docs
        .iter()
        .map(|d| d.text.split_whitespace().count())
        .collect();
    let drift = (0..labels.len())
        .filter_map(|l| label_drift(&labels[l], l, &y, &words, &probabilities))
        .collect();
    Ok(DevReport {
        metrics: Metrics::compute(labels, &y, &probabilities),
        drift,
        paragraph_agreement: agreeing as f64 / docs.len() as f64,
    })
}

/// The mean of the paragraphs' logits, as log probabilities (a softmax ignores the shift, and
/// for two labels their difference is the logit); `None` without paragraphs.
fn mean_logits<'a>(paragraphs: impl Iterator<Item = &'a Vec<f64>>) -> Option<Vec<f64>> {
    let mut sum: Option<Vec<f64>> = None;
    let mut n = 0.0;
    for p in paragraphs {
        // A probability that underflowed to 0 is as far as the paragraph can go; clamping keeps
        // one such paragraph from outvoting every other with an infinite logit.
        let logs = p.iter().map(|v| v.max(1e-300).ln());
        match &mut sum {
            Some(s) => s.iter_mut().zip(logs).for_each(|(a, b)| *a += b),
            None => sum = Some(logs.collect()),
        }
        n += 1.0;
    }
    sum.map(|s| s.into_iter().map(|v| v / n).collect())
}

fn label_drift(
    name: &str,
    label: usize,
    y: &[usize],
    words: &[usize],
    probabilities: &[Vec<f64>],
) -> Option<LabelDrift> {
    // Sorted by length, ties by input order, so quarters are reproducible.
    let mut docs: Vec<usize> = (0..y.len()).filter(|&i| y[i] == label).collect();
    if docs.len() < QUARTERS {
        return None;
    }
    docs.sort_by_key(|&i| (words[i], i));
    let quarter = |q: usize| &docs[q * docs.len() / QUARTERS..(q + 1) * docs.len() / QUARTERS];
    let mean = |idx: &[usize], f: &dyn Fn(usize) -> f64| {
        idx.iter().map(|&i| f(i)).sum::<f64>() / idx.len() as f64
    };
    let mean_words: Vec<f64> = (0..QUARTERS)
        .map(|q| mean(quarter(q), &|i| words[i] as f64))
        .collect();
    let mean_probability: Vec<f64> = (0..QUARTERS)
        .map(|q| mean(quarter(q), &|i| probabilities[i][label]))
        .collect();
    Some(LabelDrift {
        label: name.to_string(),
        documents: docs.len(),
        drift: mean_probability[QUARTERS - 1] - mean_probability[0],
        mean_words,
        mean_probability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_logits_average_log_probabilities() {
        let p = [vec![0.5, 0.5], vec![0.1, 0.9], vec![0.2, 0.8]];
        let m = mean_logits(p.iter()).unwrap();
        // Two of three paragraphs lean to label 1, and so does their mean logit.
        assert_eq!(argmax(&m), 1);
        let logit = m[1] - m[0];
        let expect = ((0.9f64 / 0.1).ln() + (0.8f64 / 0.2).ln()) / 3.0;
        assert!((logit - expect).abs() < 1e-12);
        assert!(mean_logits(std::iter::empty()).is_none());
    }

    #[test]
    fn drift_is_longest_quarter_minus_shortest() {
        let y = vec![0; 8];
        let words = vec![1, 2, 3, 4, 5, 6, 7, 8];
        let p: Vec<Vec<f64>> = (0..8)
            .map(|i| vec![0.1 * i as f64, 1.0 - 0.1 * i as f64])
            .collect();
        let d = label_drift("a", 0, &y, &words, &p).unwrap();
        assert_eq!(d.mean_words, vec![1.5, 3.5, 5.5, 7.5]);
        assert!((d.mean_probability[0] - 0.05).abs() < 1e-12);
        assert!((d.drift - 0.6).abs() < 1e-12);
        assert!(label_drift("a", 0, &y[..3], &words[..3], &p[..3]).is_none());
    }
}
