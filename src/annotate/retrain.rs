//! Retraining in the loop: the [`Adapter`] `stance annotate --retrain N` hands its session,
//! which adapts the base model to the standing labels with `stance adapt`'s defaults
//! (strength chosen by cross-validation on the labels, probabilities calibrated on them).

use std::sync::Arc;

use super::session::Adapter;
use crate::adapt::{adapt, AdaptParams};
use crate::io::corpus::Document;
use crate::Model;

/// An adapter for a base whose model file hashes to `base_sha256` (recorded in each adapted
/// model as its base).
pub fn adapt_retrainer(base_sha256: String) -> Arc<Adapter> {
    Arc::new(move |base: &Model, texts: &[&str], labels: &[&str]| {
        let docs: Vec<Document> = texts
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(i, (text, label))| Document {
                id: Some(format!("answer {}", i + 1)),
                title: None,
                source: None,
                date: None,
                label: Some((*label).to_string()),
                text: (*text).to_string(),
            })
            .collect();
        adapt(base, &base_sha256, &docs, &AdaptParams::default())
            .map(|(model, _)| model)
            .map_err(|e| e.to_string())
    })
}
