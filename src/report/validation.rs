//! `report --validation`: the model measured on a labelled random sample of the corpus being
//! reported on, and the shares corrected for the errors it makes there.
//!
//! The sample's rows are matched to the scored records by id. From the matched pairs come
//! accuracy and macro-F1 with 95% intervals (Wilson for an unweighted accuracy, a seeded
//! bootstrap otherwise), each label's precision and recall, and the confusion matrix; and,
//! through [`adjusted`](super::adjusted), an adjusted share of every label overall and per
//! group. A group with fewer than [`MIN_GROUP_TEXTS`] validation texts is adjusted with the
//! overall error rates, and says so. Inclusion weights weigh every figure but the counts.

use std::collections::{HashMap, HashSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::report::adjusted::{adjusted_shares, method_name, percentile, Bootstrap, Pair};
use crate::report::aggregate::GroupStats;
use crate::report::error::ReportError;
use crate::report::reliability::Confusion;
use crate::report::validation_read::Sample;
use crate::report::wilson::{wilson, Z95};
use crate::report::Report;

/// The fewest validation texts a group needs for its own error rates; a smaller group is
/// adjusted with the overall ones.
pub const MIN_GROUP_TEXTS: usize = 30;

/// Ids named in an error or a note, at most.
const IDS_SHOWN: usize = 5;

/// What a scored record brings to validation: its group and its predicted label.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub group: Vec<String>,
    /// `None` for a record the model gave no label (a tie, another language).
    pub predicted: Option<usize>,
}

/// Keeps the scored records whose ids the sample labels, as the report reads them.
#[derive(Debug, Default)]
pub struct Collector {
    wanted: HashSet<String>,
    found: HashMap<String, Matched>,
}

impl Collector {
    pub fn new(sample: &Sample) -> Self {
        Collector {
            wanted: sample.rows.iter().map(|r| r.id.clone()).collect(),
            found: HashMap::new(),
        }
    }

    /// Keeps one scored record if the sample labels it; an id scored twice is an error, as the
    /// label would not say which of the two it is.
    pub fn add(&mut self, id: &str, matched: impl FnOnce() -> Matched) -> Result<(), String> {
        if !self.wanted.contains(id) {
            return Ok(());
        }
        if self.found.insert(id.to_string(), matched()).is_some() {
            return Err(format!(
                "id {id:?}, labelled in the validation sample, names two scored records"
            ));
        }
        Ok(())
    }
}

/// An estimate with its 95% interval and how the interval was made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// `wilson` or `bootstrap`.
    pub interval: &'static str,
}

/// One label's figures on the sample (weighted); `None` where undefined (no text of it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelFigures {
    pub label: String,
    /// Validation texts with this true label.
    pub support: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// Which error rates a group's adjusted shares use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValidation {
    pub key: Vec<String>,
    /// Validation texts in the group.
    pub texts: usize,
    /// Whether it has [`MIN_GROUP_TEXTS`] and so its own rates.
    pub own_rates: bool,
}

/// The model on the user's corpus, as the validation sample measures it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Validation {
    /// Labelled texts matched to scored records.
    pub texts: usize,
    /// Rows with an empty label, skipped.
    pub unlabelled: usize,
    /// Labelled texts whose scored record has no label (a tie, or not in the model's
    /// language): left out of every figure.
    pub no_model_label: usize,
    /// Labelled ids that match no scored record (skipped only when asked), and a few of them.
    pub unmatched: usize,
    pub unmatched_ids: Vec<String>,
    /// Whether rows carry unequal inclusion weights.
    pub weighted: bool,
    pub accuracy: Estimate,
    pub macro_f1: Estimate,
    pub per_label: Vec<LabelFigures>,
    pub confusion: Confusion,
    pub method: &'static str,
    pub min_group_texts: usize,
    pub groups: Vec<GroupValidation>,
    /// Which figure to quote, in one sentence.
    pub quote: String,
    pub bootstrap_replicates: usize,
    pub seed: u64,
}

/// How validation runs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ValidationParams {
    /// Count and name labelled ids that match no scored record instead of failing.
    pub skip_unmatched: bool,
    pub bootstrap: Bootstrap,
}

/// Weighted accuracy and macro-F1 of pairs.
fn accuracy_and_f1(pairs: &[Pair], k: usize) -> (f64, f64, Vec<[f64; 3]>) {
    let mut m = vec![vec![0.0; k]; k];
    for p in pairs {
        m[p.truth][p.predicted] += p.weight;
    }
    let total: f64 = m.iter().flatten().sum();
    let correct: f64 = (0..k).map(|l| m[l][l]).sum();
    let per: Vec<[f64; 3]> = (0..k)
        .map(|l| {
            let predicted: f64 = (0..k).map(|t| m[t][l]).sum();
            let actual: f64 = m[l].iter().sum();
            let precision = if predicted > 0.0 {
                m[l][l] / predicted
            } else {
                f64::NAN
            };
            let recall = if actual > 0.0 {
                m[l][l] / actual
            } else {
                f64::NAN
            };
            let f1 = if m[l][l] > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else if actual > 0.0 || predicted > 0.0 {
                0.0
            } else {
                f64::NAN
            };
            [precision, recall, f1]
        })
        .collect();
    // Macro-F1 over the labels present in the sample.
    let f1s: Vec<f64> = per.iter().map(|x| x[2]).filter(|f| f.is_finite()).collect();
    let macro_f1 = f1s.iter().sum::<f64>() / f1s.len().max(1) as f64;
    (correct / total.max(f64::MIN_POSITIVE), macro_f1, per)
}

/// Accuracy and macro-F1 with their intervals.
fn estimates(pairs: &[Pair], k: usize, weighted: bool, b: Bootstrap) -> (Estimate, Estimate) {
    let (acc, f1, _) = accuracy_and_f1(pairs, k);
    let mut rng = ChaCha8Rng::seed_from_u64(b.seed);
    let (mut accs, mut f1s) = (Vec::new(), Vec::new());
    let mut sample = Vec::with_capacity(pairs.len());
    for _ in 0..b.replicates {
        sample.clear();
        sample.extend((0..pairs.len()).map(|_| pairs[rng.gen_range(0..pairs.len())]));
        let (a, f, _) = accuracy_and_f1(&sample, k);
        accs.push(a);
        f1s.push(f);
    }
    accs.sort_by(f64::total_cmp);
    f1s.sort_by(f64::total_cmp);
    let boot = |value, sorted: &[f64]| Estimate {
        value,
        low: percentile(sorted, 0.025),
        high: percentile(sorted, 0.975),
        interval: "bootstrap",
    };
    let correct = pairs.iter().filter(|p| p.truth == p.predicted).count();
    let accuracy = match wilson(correct, pairs.len(), Z95) {
        Some((low, high)) if !weighted => Estimate {
            value: acc,
            low,
            high,
            interval: "wilson",
        },
        _ => boot(acc, &accs),
    };
    (accuracy, boot(f1, &f1s))
}

/// The ids of the sample that match no scored record, in the sample's order.
fn unmatched(sample: &Sample, found: &HashMap<String, Matched>) -> Vec<String> {
    sample
        .rows
        .iter()
        .filter(|r| !found.contains_key(&r.id))
        .map(|r| r.id.clone())
        .collect()
}

/// Sets every label's adjusted share in `stats` from its counts and these pairs.
fn adjust_group(
    stats: &mut GroupStats,
    pairs: &[Pair],
    labels: &[String],
    b: Bootstrap,
    note: Option<&str>,
) {
    let counts: Vec<usize> = stats.labels.iter().map(|l| l.share.count).collect();
    let adjusted = adjusted_shares(&counts, pairs, labels, b);
    for (l, mut a) in stats.labels.iter_mut().zip(adjusted) {
        if a.share.is_some() {
            if let Some(n) = note {
                a.note = Some(n.to_string());
            }
        }
        l.adjusted = Some(a);
    }
}

/// Validates `report`'s model on the sample and sets the adjusted shares of its overall and
/// group figures. `found` holds the scored records the sample's ids matched.
pub fn validate(
    report: &mut Report,
    sample: &Sample,
    collector: Collector,
    params: ValidationParams,
) -> Result<Validation, ReportError> {
    let found = collector.found;
    let missing = unmatched(sample, &found);
    if !missing.is_empty() && !params.skip_unmatched {
        return Err(ReportError::Validation(format!(
            "{} labelled id(s) of the validation sample match no scored record: {}{} (`skip_bad` counts and skips them)",
            missing.len(),
            missing.iter().take(IDS_SHOWN).map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "),
            if missing.len() > IDS_SHOWN { ", ..." } else { "" }
        )));
    }
    let labels = report.labels.clone();
    let k = labels.len();
    let mut pairs = Vec::new();
    let mut groups: HashMap<&[String], Vec<Pair>> = HashMap::new();
    let mut no_model_label = 0;
    for row in &sample.rows {
        let Some(m) = found.get(&row.id) else {
            continue;
        };
        let Some(predicted) = m.predicted else {
            no_model_label += 1;
            continue;
        };
        let truth =
            labels
                .iter()
                .position(|l| *l == row.label)
                .ok_or_else(|| ReportError::Record {
                    path: row.path.clone(),
                    line: row.line,
                    message: format!(
                        "validation label {:?} is not one of the model's labels ({})",
                        row.label,
                        labels.join(", ")
                    ),
                })?;
        let pair = Pair {
            truth,
            predicted,
            weight: row.weight,
        };
        pairs.push(pair);
        groups.entry(&m.group).or_default().push(pair);
    }
    if pairs.is_empty() {
        return Err(ReportError::Validation(
            "no labelled text of the validation sample matches a scored record".into(),
        ));
    }
    let b = params.bootstrap;
    let weighted = pairs.iter().any(|p| p.weight != pairs[0].weight);
    let (accuracy, macro_f1) = estimates(&pairs, k, weighted, b);
    let (_, _, per) = accuracy_and_f1(&pairs, k);
    let finite = |v: f64| v.is_finite().then_some(v);
    let per_label = labels
        .iter()
        .zip(&per)
        .enumerate()
        .map(|(l, (name, [p, r, f]))| LabelFigures {
            label: name.clone(),
            support: pairs.iter().filter(|x| x.truth == l).count(),
            precision: finite(*p),
            recall: finite(*r),
            f1: finite(*f),
        })
        .collect();
    let confusion = Confusion::new(
        sample
            .rows
            .iter()
            .filter_map(|r| Some((r.label.as_str(), found.get(&r.id)?.predicted?))),
        &labels,
    );
    adjust_group(&mut report.overall, &pairs, &labels, b, None);
    let overall_note = format!(
        "fewer than {MIN_GROUP_TEXTS} validation texts in this group: adjusted with the overall error rates"
    );
    let mut group_figures = Vec::with_capacity(report.groups.len());
    for g in &mut report.groups {
        let own = groups.get(g.key.as_slice()).map_or(&[][..], Vec::as_slice);
        let own_rates = own.len() >= MIN_GROUP_TEXTS;
        if own_rates {
            adjust_group(g, own, &labels, b, None);
        } else {
            adjust_group(g, &pairs, &labels, b, Some(&overall_note));
        }
        group_figures.push(GroupValidation {
            key: g.key.clone(),
            texts: own.len(),
            own_rates,
        });
    }
    Ok(Validation {
        texts: pairs.len(),
        unlabelled: sample.unlabelled,
        no_model_label,
        unmatched: missing.len(),
        unmatched_ids: missing.into_iter().take(IDS_SHOWN).collect(),
        weighted,
        accuracy,
        macro_f1,
        per_label,
        confusion,
        method: method_name(k),
        min_group_texts: MIN_GROUP_TEXTS,
        groups: group_figures,
        quote: format!(
            "Quote the adjusted shares with their 95% intervals: the raw shares count the model's errors (accuracy {:.0}% on your {} validation texts) as framing.",
            100.0 * accuracy.value,
            pairs.len()
        ),
        bootstrap_replicates: b.replicates,
        seed: b.seed,
    })
}
