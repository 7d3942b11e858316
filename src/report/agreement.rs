//! Inter-annotator agreement over `stance annotate` label logs (`stance report --agreement`):
//! Cohen's kappa for each pair of annotators, Krippendorff's alpha (nominal) over all of them,
//! and every text they disagree on.
//!
//! Each annotator's standing answers count (labels not undone; the newest when a text was
//! labelled twice; skips are not labels). Only texts labelled by two or more annotators say
//! anything about agreement. A figure from fewer than `MIN_ITEMS` (10) such texts is not given.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::io::label_log::Replay;

/// The fewest texts labelled by both (or by two or more) annotators that a figure is given for.
pub const MIN_ITEMS: usize = 10;

/// Agreement between two annotators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    pub first: String,
    pub second: String,
    /// Texts both labelled.
    pub items: usize,
    /// The share of those they gave the same label; `None` under `MIN_ITEMS` (10).
    pub observed: Option<f64>,
    /// Cohen's kappa; `None` under `MIN_ITEMS` (10), or when chance agreement is 1 (both gave
    /// one label throughout).
    pub kappa: Option<f64>,
}

/// A text the annotators labelled differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    pub id: String,
    /// Each annotator's label, by annotator name.
    pub labels: BTreeMap<String, String>,
    /// The start of the text, when a label record holds it.
    pub text: Option<String>,
}

/// Agreement over every annotator in the logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub annotators: Vec<String>,
    /// The labels used, sorted.
    pub labels: Vec<String>,
    /// Texts labelled by two or more annotators.
    pub items: usize,
    /// Krippendorff's alpha (nominal) over those texts; `None` under `MIN_ITEMS` (10) or when
    /// every label given is the same.
    pub alpha: Option<f64>,
    pub pairs: Vec<PairAgreement>,
    pub disagreements: Vec<Disagreement>,
    pub min_items: usize,
}

/// Agreement over the answers in `logs` (read with [`crate::io::label_log::read_log`]).
pub fn agreement(logs: &[Replay]) -> Agreement {
    // id -> annotator -> label, in the order texts were first labelled.
    let mut by_id: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut first_seen: Vec<String> = Vec::new();
    let mut annotators: Vec<String> = Vec::new();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for log in logs {
        for (_, r) in &log.records {
            if let Some(text) = &r.text {
                texts.insert(r.id.clone(), text.chars().take(160).collect());
            }
        }
        for (annotator, standing) in log.by_annotator() {
            if !annotators.contains(&annotator) {
                annotators.push(annotator.clone());
            }
            for (id, label) in standing.labels() {
                let entry = by_id.entry(id.to_string()).or_insert_with(|| {
                    first_seen.push(id.to_string());
                    BTreeMap::new()
                });
                entry.insert(annotator.clone(), label.to_string());
            }
        }
    }
    let units: Vec<(&String, &BTreeMap<String, String>)> = first_seen
        .iter()
        .filter_map(|id| by_id.get_key_value(id))
        .filter(|(_, m)| m.len() >= 2)
        .collect();
    let mut labels: Vec<String> = units
        .iter()
        .flat_map(|(_, m)| m.values().cloned())
        .collect();
    labels.sort();
    labels.dedup();
    let pairs = pairs(&annotators, &units);
    let alpha = (units.len() >= MIN_ITEMS)
        .then(|| krippendorff_alpha(&units, &labels))
        .flatten();
    let disagreements = units
        .iter()
        .filter(|(_, m)| {
            let mut v = m.values();
            let first = v.next();
            v.any(|l| Some(l) != first)
        })
        .map(|(id, m)| Disagreement {
            id: id.to_string(),
            labels: (*m).clone(),
            text: texts.get(*id).cloned(),
        })
        .collect();
    Agreement {
        annotators,
        labels,
        items: units.len(),
        alpha,
        pairs,
        disagreements,
        min_items: MIN_ITEMS,
    }
}

fn pairs(
    annotators: &[String],
    units: &[(&String, &BTreeMap<String, String>)],
) -> Vec<PairAgreement> {
    let mut out = Vec::new();
    for (i, a) in annotators.iter().enumerate() {
        for b in &annotators[i + 1..] {
            let both: Vec<(&str, &str)> = units
                .iter()
                .filter_map(|(_, m)| Some((m.get(a)?.as_str(), m.get(b)?.as_str())))
                .collect();
            let enough = both.len() >= MIN_ITEMS;
            out.push(PairAgreement {
                first: a.clone(),
                second: b.clone(),
                items: both.len(),
                observed: enough.then(|| observed(&both)),
                kappa: enough.then(|| cohen_kappa(&both)).flatten(),
            });
        }
    }
    out
}

fn observed(pairs: &[(&str, &str)]) -> f64 {
    pairs.iter().filter(|(x, y)| x == y).count() as f64 / pairs.len() as f64
}

/// Cohen's kappa of paired labels: `(p_o - p_e) / (1 - p_e)`; `None` when `p_e` is 1.
pub fn cohen_kappa(pairs: &[(&str, &str)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let mut first: BTreeMap<&str, f64> = BTreeMap::new();
    let mut second: BTreeMap<&str, f64> = BTreeMap::new();
    for (x, y) in pairs {
        *first.entry(x).or_default() += 1.0;
        *second.entry(y).or_default() += 1.0;
    }
    let p_e: f64 = first
        .iter()
        .map(|(l, c)| c / n * second.get(l).copied().unwrap_or(0.0) / n)
        .sum();
    if (1.0 - p_e).abs() < 1e-12 {
        return None;
    }
    Some((observed(pairs) - p_e) / (1.0 - p_e))
}

/// Krippendorff's alpha for nominal data from the coincidence matrix: `1 - (n - 1) ·
/// Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k`, over units with two or more values; `None` when every
/// value is the same (no disagreement is possible).
fn krippendorff_alpha(
    units: &[(&String, &BTreeMap<String, String>)],
    labels: &[String],
) -> Option<f64> {
    let index = |l: &str| labels.iter().position(|x| x == l);
    let k = labels.len();
    let mut o = vec![vec![0.0f64; k]; k];
    for (_, m) in units {
        let values: Vec<usize> = m.values().filter_map(|l| index(l)).collect();
        let m_u = values.len() as f64;
        for (i, &c) in values.iter().enumerate() {
            for (j, &d) in values.iter().enumerate() {
                if i != j {
                    o[c][d] += 1.0 / (m_u - 1.0);
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let (mut disagree_o, mut disagree_e) = (0.0, 0.0);
    for c in 0..k {
        for d in 0..k {
            if c != d {
                disagree_o += o[c][d];
                disagree_e += n_c[c] * n_c[d];
            }
        }
    }
    (disagree_e > 0.0).then(|| 1.0 - (n - 1.0) * disagree_o / disagree_e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_matches_a_worked_example() {
        // 50 items: both yes 20, a yes b no 5, a no b yes 10, both no 15 (Wikipedia's example):
        // p_o = 0.7, p_e = 0.5, kappa = 0.4.
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n(("yes", "yes"), 20));
        pairs.extend(std::iter::repeat_n(("yes", "no"), 5));
        pairs.extend(std::iter::repeat_n(("no", "yes"), 10));
        pairs.extend(std::iter::repeat_n(("no", "no"), 15));
        let k = cohen_kappa(&pairs).unwrap();
        assert!((k - 0.4).abs() < 1e-12, "{k}");
        assert_eq!(cohen_kappa(&[("a", "a"), ("a", "a")]), None);
    }

    #[test]
    fn alpha_matches_krippendorffs_nominal_example() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal example
        // with missing values: 4 coders, 12 units; alpha = 0.743.
        let data: [[Option<u8>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                None,
                None,
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                None,
                Some(3),
            ],
            [
                None,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
        ];
        let ids: Vec<String> = (0..12).map(|u| format!("u{u}")).collect();
        let maps: Vec<BTreeMap<String, String>> = (0..12)
            .map(|u| {
                (0..4)
                    .filter_map(|c| data[c][u].map(|v| (format!("c{c}"), v.to_string())))
                    .collect()
            })
            .collect();
        let units: Vec<(&String, &BTreeMap<String, String>)> = ids
            .iter()
            .zip(&maps)
            .filter(|(_, m)| m.len() >= 2)
            .collect();
        let labels: Vec<String> = (1..=5).map(|v| v.to_string()).collect();
        let alpha = krippendorff_alpha(&units, &labels).unwrap();
        assert!((alpha - 0.743).abs() < 5e-4, "{alpha}");
    }
}
