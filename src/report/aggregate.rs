//! The aggregates: per group, per outlet, per outlet and time bucket, and overall, each with
//! its documents, the share of each predicted label with its 95% Wilson interval, the mean
//! probability of each label and the uncertain rate; the distribution of p(label) per outlet;
//! and, from labelled records, accuracy, the confusion matrices, the reliability diagram and
//! the coverage grid. `ReportBuilder` takes records one at a time and keeps only what these
//! need, so a large input's texts and explanations are never all in memory at once.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::eval::metrics::argmax;
use crate::model::evidence::{Evidence, UncertaintyPolicy};
use crate::report::adjusted::Adjusted;
use crate::report::coverage::{
    coverage, default_knowns, default_signals, Coverage, Grid, Labelled,
};
use crate::report::date::TimeUnit;
use crate::report::domain::InputDomain;
use crate::report::error::ReportError;
use crate::report::read::Scored;
use crate::report::record::{ReportRecord, ALL_GROUP, NONE_GROUP};
use crate::report::reliability::{reliability, Confusion, Reliability};
use crate::report::terms::{TermSums, TopTerm};
use crate::report::validation::Validation;
use crate::report::wilson::Share;
use crate::report::ReportParams;

/// One label's part of a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelStats {
    pub label: String,
    /// Documents predicted with this label, of the group's documents that the shares count
    /// ([`GroupStats::counted`]).
    pub share: Share,
    /// The mean probability of this label over the group's documents.
    pub mean_probability: f64,
    /// The share corrected for the model's errors on a validation sample (`--validation`);
    /// absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Adjusted>,
}

/// The aggregates of one group of documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    /// The group's values, one per field it is grouped by.
    pub key: Vec<String>,
    pub documents: usize,
    /// The documents the label shares count: those with a label, or only the certain ones
    /// ([`SharesOf`]); never those without a label.
    pub counted: usize,
    /// Documents not in the model's language: no label, and not in the shares.
    pub not_in_language: usize,
    pub labels: Vec<LabelStats>,
    pub uncertain: Share,
    /// Right predictions of the documents with a true label; `None` without any.
    pub accuracy: Option<Share>,
}

/// Running sums for a [`GroupStats`].
#[derive(Debug, Clone, Default)]
struct Sums {
    documents: usize,
    counted: usize,
    not_in_language: usize,
    counts: Vec<usize>,
    probabilities: Vec<f64>,
    uncertain: usize,
    labelled: usize,
    correct: usize,
}

impl Sums {
    fn add(&mut self, r: &Counted, correct: Option<bool>) {
        let (r, counted, foreign) = (r.record, r.counted, r.foreign);
        if self.counts.is_empty() {
            self.counts = vec![0; r.probabilities.len()];
            self.probabilities = vec![0.0; r.probabilities.len()];
        }
        self.documents += 1;
        self.not_in_language += usize::from(foreign);
        if let Some(label) = r.label.filter(|_| counted) {
            self.counted += 1;
            self.counts[label] += 1;
        }
        for (s, p) in self.probabilities.iter_mut().zip(&r.probabilities) {
            *s += p;
        }
        self.uncertain += usize::from(r.uncertain);
        if let Some(c) = correct {
            self.labelled += 1;
            self.correct += usize::from(c);
        }
    }

    fn stats(&self, key: Vec<String>, labels: &[String]) -> GroupStats {
        GroupStats {
            key,
            documents: self.documents,
            counted: self.counted,
            not_in_language: self.not_in_language,
            labels: labels
                .iter()
                .enumerate()
                .map(|(i, l)| LabelStats {
                    label: l.clone(),
                    share: Share::new(self.counts.get(i).copied().unwrap_or(0), self.counted),
                    mean_probability: self.probabilities.get(i).copied().unwrap_or(0.0)
                        / self.documents.max(1) as f64,
                    adjusted: None,
                })
                .collect(),
            uncertain: Share::new(self.uncertain, self.documents),
            accuracy: (self.labelled > 0).then(|| Share::new(self.correct, self.labelled)),
        }
    }
}

/// A record and how the shares take it.
struct Counted<'r> {
    record: &'r ReportRecord,
    /// Whether the label shares count it (when it has a label).
    counted: bool,
    /// Whether it is not in the model's language.
    foreign: bool,
}

impl<'r> Counted<'r> {
    fn new(record: &'r ReportRecord, params: &ReportParams) -> Self {
        let foreign = record.label.is_none()
            && record
                .language
                .as_deref()
                .is_some_and(|l| l != params.language);
        Counted {
            record,
            counted: match params.shares {
                SharesOf::Labelled => true,
                SharesOf::Certain => !record.uncertain,
            },
            foreign,
        }
    }
}

/// Which documents the label shares count. Documents without a label (a tie, or a text not in
/// the model's language) are never counted: a share of them would be invented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SharesOf {
    /// Every document with a label, uncertain ones included (the default).
    #[default]
    Labelled,
    /// Only the certain ones.
    Certain,
}

impl SharesOf {
    /// How the report says it: "labelled documents" or "certain documents".
    pub fn describe(self) -> &'static str {
        match self {
            SharesOf::Labelled => "labelled documents (uncertain ones included)",
            SharesOf::Certain => "certain documents only",
        }
    }
}

/// Counts of p(label) in equal bins of [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub label: String,
    pub counts: Vec<usize>,
}

/// Everything the report shows about one outlet (the values of the non-time `--by` fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutletReport {
    pub name: String,
    pub stats: GroupStats,
    /// One entry per time bucket with documents, in calendar order; undated documents are
    /// left out (and counted in `undated`).
    pub series: Vec<GroupStats>,
    pub undated: usize,
    pub histograms: Vec<Histogram>,
    /// Per label, the terms pushing this outlet's documents toward it (raw records only). The
    /// report's labels are sorted, so this map is in label order.
    pub terms: BTreeMap<String, Vec<TopTerm>>,
    pub confusion: Option<Confusion>,
    /// Paragraphs framed against their article's label.
    pub opposing_paragraphs: usize,
}

/// A paragraph framed against its article, for the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpposingLine {
    pub id: String,
    pub outlet: String,
    pub paragraph: usize,
    pub start: usize,
    pub end: usize,
    pub article_label: String,
    pub article_probability: f64,
    pub label: String,
    pub probability: f64,
    /// `1 - p(article's label)` for the paragraph: how far it leans away from its article.
    pub opposition: f64,
    pub signal: f64,
    pub snippet: Option<String>,
}

/// How many records lack each `--by` field (they are in its "(none)" group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    pub field: String,
    pub documents: usize,
}

/// The whole report, as the page, the CSV and the JSON show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Records whose id an earlier one had (in any input): each is counted, so a warning says
    /// so.
    #[serde(skip_serializing_if = "crate::io::repeats::RepeatedIds::is_empty")]
    pub repeated_ids: crate::io::repeats::RepeatedIds,
    pub labels: Vec<String>,
    pub by: Vec<String>,
    /// The `--by` fields that name an outlet (all but `month` and `week`).
    pub outlet_fields: Vec<String>,
    pub time_unit: Option<TimeUnit>,
    /// The labels plotted: the focus label for two labels (the other is its complement), every
    /// label for more.
    pub plotted: Vec<String>,
    /// Which documents the shares count.
    pub shares: SharesOf,
    /// The language the model reads (ISO 639-1); `overall.not_in_language` counts the others.
    pub language: String,
    pub overall: GroupStats,
    pub groups: Vec<GroupStats>,
    pub outlets: Vec<OutletReport>,
    pub missing: Vec<Missing>,
    pub undated: usize,
    /// The time buckets with documents, in calendar order.
    pub buckets: Vec<String>,
    pub bins: usize,
    /// Documents whose paragraph scores the report had.
    pub with_paragraphs: usize,
    /// Documents whose term contributions the report had (raw records it scored).
    pub with_terms: usize,
    pub opposing: Vec<OpposingLine>,
    pub opposing_total: usize,
    pub labelled: usize,
    pub reliability: Option<Reliability>,
    pub confusion: Option<Confusion>,
    pub coverage: Option<Coverage>,
    /// The policy the records were flagged under, as far as the report knows it.
    pub policy: UncertaintyPolicy,
    /// How many different cut-offs the records carried (`cv --predictions` writes each
    /// record's: one per fold). Each record's flag is checked against its own; when every
    /// record carried the same one, it is `policy`, in place of the model's or the options'.
    pub recorded_policies: usize,
    /// Records whose `uncertain` flag differs from what `policy` gives their probabilities and
    /// evidence: scored with another model or other settings, or (from CSV, which lacks the
    /// weighted-term count) a guess.
    pub flags_differ: usize,
    /// The model measured on a labelled sample of this corpus (`--validation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
    /// Per input, how it compares with the model's training data; empty for a model without
    /// a training profile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domain: Vec<InputDomain>,
    /// What the reader left out and why (records with unreadable dates under --skip-bad).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    /// One sentence on which documents the shares count, and how many are not in the model's
    /// language: said on the page and on stdout alike.
    pub fn shares_note(&self) -> String {
        let o = &self.overall;
        let mut note = format!(
            "Shares count {}: {} of {} documents",
            self.shares.describe(),
            o.counted,
            o.documents
        );
        if o.not_in_language > 0 {
            note += &format!(
                "; {} not in the model's language ({}) have no label and are left out",
                o.not_in_language, self.language
            );
        }
        note + "."
    }
}

/// What the builder keeps of every record.
struct Kept {
    outlet: usize,
    uncertain: bool,
    truth: Option<String>,
    label: usize,
    probabilities: Vec<f64>,
    evidence: Evidence,
    /// The cut-offs the record says it was flagged under (`cv --predictions` writes them).
    policy: Option<UncertaintyPolicy>,
}

/// Takes records one at a time ([`ReportBuilder::add`]) and makes the [`Report`].
pub(crate) struct ReportBuilder<'p> {
    params: &'p ReportParams,
    labels: Option<Vec<String>>,
    /// Outlet names in order of first appearance; sorted at the end.
    outlets: Vec<String>,
    outlet_index: BTreeMap<String, usize>,
    groups: BTreeMap<Vec<String>, Sums>,
    outlet_sums: Vec<Sums>,
    series: Vec<BTreeMap<String, Sums>>,
    undated: Vec<usize>,
    histograms: Vec<Vec<Vec<usize>>>,
    opposing: Vec<OpposingLine>,
    opposing_per_outlet: Vec<usize>,
    overall: Sums,
    missing: Vec<usize>,
    with_paragraphs: usize,
    terms: TermSums,
    kept: Vec<Kept>,
}

impl<'p> ReportBuilder<'p> {
    pub(crate) fn new(params: &'p ReportParams) -> Self {
        ReportBuilder {
            params,
            labels: None,
            outlets: Vec::new(),
            outlet_index: BTreeMap::new(),
            groups: BTreeMap::new(),
            outlet_sums: Vec::new(),
            series: Vec::new(),
            undated: Vec::new(),
            histograms: Vec::new(),
            opposing: Vec::new(),
            opposing_per_outlet: Vec::new(),
            overall: Sums::default(),
            missing: vec![0; params.fields.by.len()],
            with_paragraphs: 0,
            terms: TermSums::default(),
            kept: Vec::new(),
        }
    }

    fn outlet_name(&self, r: &ReportRecord) -> String {
        let parts: Vec<&str> = self
            .params
            .fields
            .by
            .iter()
            .zip(&r.groups)
            .filter(|(f, _)| TimeUnit::from_name(f).is_none())
            .map(|(_, v)| v.as_str())
            .collect();
        if parts.is_empty() {
            "all documents".to_string()
        } else {
            parts.join(" · ")
        }
    }

    /// Adds one record; its labels must be the first record's.
    pub(crate) fn add(&mut self, s: Scored) -> Result<(), ReportError> {
        let labels = self.labels.get_or_insert_with(|| s.labels.to_vec()).clone();
        if labels.as_slice() != s.labels {
            return Err(ReportError::Labels {
                path: s.at.path.to_path_buf(),
                line: s.at.line,
                found: s.labels.join(", "),
                expected: labels.join(", "),
            });
        }
        let bins = self.params.bins.max(1);
        let k = labels.len();
        let r = s.record;
        let name = self.outlet_name(&r);
        let outlet = match self.outlet_index.get(&name) {
            Some(&i) => i,
            None => {
                let i = self.outlets.len();
                self.outlet_index.insert(name.clone(), i);
                self.outlets.push(name.clone());
                self.outlet_sums.push(Sums::default());
                self.series.push(BTreeMap::new());
                self.undated.push(0);
                self.histograms.push(vec![vec![0; bins]; k]);
                self.opposing_per_outlet.push(0);
                i
            }
        };
        // No label is never right.
        let correct = r
            .truth
            .as_ref()
            .map(|t| r.label.is_some_and(|l| *t == labels[l]));
        let c = Counted::new(&r, self.params);
        self.overall.add(&c, correct);
        self.outlet_sums[outlet].add(&c, correct);
        self.groups
            .entry(r.groups.clone())
            .or_default()
            .add(&c, correct);
        match &r.time {
            Some(bucket) => self.series[outlet]
                .entry(bucket.clone())
                .or_default()
                .add(&c, correct),
            None => self.undated[outlet] += 1,
        }
        for (m, g) in self.missing.iter_mut().zip(&r.groups) {
            *m += usize::from(g == NONE_GROUP);
        }
        for (l, p) in r.probabilities.iter().enumerate() {
            let b = ((p * bins as f64) as usize).min(bins - 1);
            self.histograms[outlet][l][b] += 1;
        }
        self.with_paragraphs += usize::from(r.has_paragraphs);
        self.opposing_per_outlet[outlet] += r.opposing.len();
        let top = r.label.unwrap_or_else(|| argmax(&r.probabilities));
        for q in &r.opposing {
            self.opposing.push(OpposingLine {
                id: r.id.clone(),
                outlet: name.clone(),
                paragraph: q.index,
                start: q.start,
                end: q.end,
                article_label: labels[top].clone(),
                article_probability: r.probabilities[top],
                label: labels[q.label].clone(),
                probability: q.p_label,
                opposition: 1.0 - q.p_article_label,
                signal: q.signal,
                snippet: q.snippet.clone(),
            });
        }
        // Only the strongest are shown; keeping a bounded number keeps memory flat.
        let keep = self.params.top_paragraphs;
        if self.opposing.len() > 4 * keep.max(64) {
            sort_opposing(&mut self.opposing);
            self.opposing.truncate(keep);
        }
        if !s.terms.is_empty() {
            self.terms.add(outlet, s.terms);
        }
        self.kept.push(Kept {
            outlet,
            uncertain: r.uncertain,
            truth: r.truth,
            label: top,
            probabilities: r.probabilities,
            evidence: r.evidence,
            policy: r.policy,
        });
        Ok(())
    }

    /// The report over every record added.
    pub(crate) fn finish(mut self) -> Result<Report, ReportError> {
        let labels = self.labels.take().ok_or(ReportError::NoRecords)?;
        let params = self.params;
        // The records' own cut-offs, when every record carries the same: they, not the
        // model's, are what the records were flagged under.
        let carried = self.carried_policies();
        let policy = match carried[..] {
            [one] if self.kept.iter().all(|k| k.policy.is_some()) => one,
            _ => params.policy,
        };
        let plotted = plotted_labels(&labels, params.focus.as_deref())?;
        let opposing_total: usize = self.opposing_per_outlet.iter().sum();
        sort_opposing(&mut self.opposing);
        self.opposing.truncate(params.top_paragraphs);
        // Outlets in name order, "(none)" parts and all.
        let mut order: Vec<usize> = (0..self.outlets.len()).collect();
        order.sort_by(|&a, &b| self.outlets[a].cmp(&self.outlets[b]));
        let labelled: Vec<&Kept> = self.kept.iter().filter(|k| k.truth.is_some()).collect();
        let outlets = self.outlet_reports(&order, &labels, &plotted, &labelled);
        let buckets: BTreeSet<String> =
            self.series.iter().flat_map(|s| s.keys().cloned()).collect();
        let (reliability, coverage) = labelled_figures(&labelled, &labels, params, &policy);
        let flags_differ = self
            .kept
            .iter()
            .filter(|k| {
                let own = k.policy.unwrap_or(params.policy);
                k.uncertain != own.is_uncertain(&k.probabilities, &k.evidence)
            })
            .count();
        Ok(Report {
            repeated_ids: Default::default(),
            flags_differ,
            validation: None,
            domain: Vec::new(),
            notes: Vec::new(),
            plotted: plotted.iter().map(|&l| labels[l].clone()).collect(),
            shares: params.shares,
            language: params.language.clone(),
            overall: self.overall.stats(vec![ALL_GROUP.into()], &labels),
            groups: self
                .groups
                .iter()
                .map(|(key, sums)| sums.stats(key.clone(), &labels))
                .collect(),
            outlets,
            missing: params
                .fields
                .by
                .iter()
                .zip(&self.missing)
                .map(|(f, &n)| Missing {
                    field: f.clone(),
                    documents: n,
                })
                .collect(),
            undated: self.undated.iter().sum(),
            buckets: buckets.into_iter().collect(),
            bins: params.bins.max(1),
            with_paragraphs: self.with_paragraphs,
            with_terms: self.terms.documents,
            opposing: self.opposing,
            opposing_total,
            labelled: labelled.len(),
            reliability,
            confusion: confusion_of(&labelled, &labels, None),
            coverage,
            policy,
            recorded_policies: carried.len(),
            by: params.fields.by.clone(),
            outlet_fields: params
                .fields
                .by
                .iter()
                .filter(|f| TimeUnit::from_name(f).is_none())
                .cloned()
                .collect(),
            time_unit: params.time,
            labels,
        })
    }

    /// The distinct cut-offs the records carry (`cv --predictions` writes them), in order of
    /// first appearance.
    fn carried_policies(&self) -> Vec<UncertaintyPolicy> {
        let mut carried: Vec<UncertaintyPolicy> = Vec::new();
        for p in self.kept.iter().filter_map(|k| k.policy) {
            if !carried.contains(&p) {
                carried.push(p);
            }
        }
        carried
    }

    /// Each outlet's figures, in `order`.
    fn outlet_reports(
        &self,
        order: &[usize],
        labels: &[String],
        plotted: &[usize],
        labelled: &[&Kept],
    ) -> Vec<OutletReport> {
        let params = self.params;
        order
            .iter()
            .map(|&o| OutletReport {
                name: self.outlets[o].clone(),
                stats: self.outlet_sums[o].stats(vec![self.outlets[o].clone()], labels),
                series: self.series[o]
                    .iter()
                    .map(|(bucket, sums)| sums.stats(vec![bucket.clone()], labels))
                    .collect(),
                undated: self.undated[o],
                histograms: plotted
                    .iter()
                    .map(|&l| Histogram {
                        label: labels[l].clone(),
                        counts: self.histograms[o][l].clone(),
                    })
                    .collect(),
                terms: if self.terms.documents == 0 {
                    BTreeMap::new()
                } else {
                    labels
                        .iter()
                        .enumerate()
                        .map(|(l, name)| (name.clone(), self.terms.top(o, l, params.top_terms)))
                        .collect()
                },
                confusion: confusion_of(labelled, labels, Some(o)),
                opposing_paragraphs: self.opposing_per_outlet[o],
            })
            .collect()
    }
}

/// The labels whose share and probability are plotted: for two labels the focus (the first
/// by default), else every label.
fn plotted_labels(labels: &[String], focus: Option<&str>) -> Result<Vec<usize>, ReportError> {
    if labels.len() != 2 {
        return Ok((0..labels.len()).collect());
    }
    let focus = match focus {
        Some(f) => labels
            .iter()
            .position(|l| l == f)
            .ok_or_else(|| ReportError::Param {
                name: "the focus label",
                expected: "one of the records' labels",
                value: format!("{f:?} (labels: {})", labels.join(", ")),
            })?,
        None => 0,
    };
    Ok(vec![focus])
}

/// The confusion matrix of the labelled records, of one outlet's or of all.
fn confusion_of(labelled: &[&Kept], labels: &[String], outlet: Option<usize>) -> Option<Confusion> {
    let pairs: Vec<(&str, usize)> = labelled
        .iter()
        .filter(|k| outlet.is_none_or(|o| k.outlet == o))
        .filter_map(|k| k.truth.as_deref().map(|t| (t, k.label)))
        .collect();
    (!pairs.is_empty()).then(|| Confusion::new(pairs.into_iter(), labels))
}

/// The reliability diagram and the coverage grid of the labelled records (none without).
fn labelled_figures(
    labelled: &[&Kept],
    labels: &[String],
    params: &ReportParams,
    policy: &UncertaintyPolicy,
) -> (Option<Reliability>, Option<Coverage>) {
    let correct = |k: &Kept| k.truth.as_deref() == Some(labels[k.label].as_str());
    if labelled.is_empty() {
        (None, None)
    } else {
        let top: Vec<(f64, bool)> = labelled
            .iter()
            .map(|k| (k.probabilities[k.label], correct(k)))
            .collect();
        let records: Vec<Labelled> = labelled
            .iter()
            .map(|k| Labelled {
                probabilities: &k.probabilities,
                evidence: &k.evidence,
                correct: correct(k),
            })
            .collect();
        let signals = match &params.min_signals {
            Some(s) => s.clone(),
            None => default_signals(
                &labelled
                    .iter()
                    .map(|k| k.evidence.signal)
                    .collect::<Vec<_>>(),
                policy.min_signal,
            ),
        };
        let knowns = match &params.min_knowns {
            Some(k) => k.clone(),
            None => default_knowns(
                &labelled
                    .iter()
                    .map(|k| k.evidence.known)
                    .collect::<Vec<_>>(),
                policy.min_known,
            ),
        };
        let grid = Grid {
            bands: &params.bands,
            signals: &signals,
            knowns: &knowns,
        };
        (
            Some(reliability(&top, params.bins)),
            Some(coverage(&records, policy, &grid, params.target_coverage)),
        )
    }
}

/// Strongest opposition first; ties by id and paragraph, so the page is stable.
fn sort_opposing(lines: &mut [OpposingLine]) {
    lines.sort_by(|a, b| {
        b.opposition
            .total_cmp(&a.opposition)
            .then(a.id.cmp(&b.id))
            .then(a.paragraph.cmp(&b.paragraph))
    });
}
