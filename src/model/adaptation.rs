//! What `stance adapt` records in an adapted model: its base, its sample, the terms it added,
//! and the candidates it chose among (the adaptation itself is a later stage's, `adapt`).
//!
//! The new terms shape features: they are normalised as a block of their own
//! (`crate::features::tfidf`), so their feature numbers are saved here and loading rebuilds
//! the block from them. The rest is provenance, shown by `stance inspect`.

use serde::{Deserialize, Serialize};

/// An adapted model's provenance and its new-term block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adaptation {
    /// SHA-256 of the base model file's bytes.
    pub base_sha256: String,
    /// SHA-256 of the labelled sample as training sees it (the training summary's `data_sha256`).
    pub sample_sha256: String,
    /// Documents in the sample.
    pub sample_documents: usize,
    /// SHA-256 and size of the base data the `pooled` candidate was fitted with (`stance adapt
    /// --base-data`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_data_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_data_documents: Option<usize>,
    /// Feature numbers of the terms new in the sample (ascending); they form the second
    /// TF-IDF block, normalised on its own, and start with a prior weight of 0.
    pub new_features: Vec<u32>,
    /// The candidate kept (a name from `candidates`).
    pub chosen: String,
    /// Cross-validation folds and how they were grouped.
    pub folds: usize,
    pub group_by: String,
    pub seed: u64,
    /// How the candidate was chosen.
    pub rule: String,
    /// Every candidate's cross-validated figures.
    pub candidates: Vec<CandidateScore>,
}

/// One candidate's out-of-fold figures on the sample (after out-of-fold Platt scaling and
/// length cooling, as scores are made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    /// `base-as-is`, `base` (the base's weights, intercept refit), `prior-S` (prior-centred at
    /// strength S), `scratch-A` (the sample alone, L2 at alpha A), `sample-A` (the same on the sample's own vocabulary and IDF) or `pooled-F` (the base data
    /// pooled with the sample weighted to F times the base data's total weight).
    pub name: String,
    /// Strength of the pull toward the base's weights (`None`: held at them).
    pub strength: Option<f64>,
    /// L2 penalty toward zero (the sample-alone regulariser).
    pub alpha: f64,
    /// Mean out-of-fold log loss.
    pub log_loss: f64,
    /// Bootstrap standard error of the difference between the best AUC and this one's.
    pub auc_se: f64,
    /// Macro-F1 at p > 0.5 and ROC AUC with bootstrap 95% intervals over the sample.
    pub macro_f1: [f64; 3],
    pub auc: Option<[f64; 3]>,
}
