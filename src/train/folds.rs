//! Cross-validation folds, at random or grouped by outlet or by month.
//!
//! Grouping keeps every document of a group (an outlet, a calendar month) inside one fold, so a
//! test fold holds only outlets (or months) that training never saw. Outlet and label are the
//! same thing in distantly supervised corpora, and a label with a single outlet (RT is the only
//! `russian` outlet of the bundled corpus) cannot be held out by outlet without leaving training
//! with no example of it. Such a label's documents are grouped by month instead, so its test
//! documents always come from months unseen in training; [`FoldPlan::notes`] says so.
//!
//! Groups are dealt out per label, largest first, each to the fold holding the fewest documents
//! of that label so far (ties broken by the seeded shuffle), which keeps both labels in every
//! fold where the number of groups allows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::io::corpus::Document;

/// How documents are grouped into folds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Stratified random folds.
    None,
    /// Each outlet wholly inside one fold (the default).
    #[default]
    Source,
    /// Each calendar month wholly inside one fold.
    Month,
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" | "random" => Ok(GroupBy::None),
            "source" | "outlet" => Ok(GroupBy::Source),
            "month" => Ok(GroupBy::Month),
            _ => Err(format!(
                "unknown grouping {s:?}; expected none, source or month"
            )),
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupBy::None => "none",
            GroupBy::Source => "source",
            GroupBy::Month => "month",
        })
    }
}

/// Which fold each document is tested in, and what was done to get there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldPlan {
    pub k: usize,
    pub group_by: GroupBy,
    /// `fold[i]` is the fold in which document `i` is a test document.
    pub fold: Vec<usize>,
    /// Human-readable notes on deliberate choices (fallback groupings, empty folds).
    pub notes: Vec<String>,
}

fn month(doc: &Document) -> String {
    // Only a `YYYY-MM` prefix is a month; anything else is one shared unknown group.
    match doc.date.as_deref().and_then(|d| d.get(..7)) {
        Some(m)
            if m.as_bytes()[4] == b'-'
                && m.bytes()
                    .enumerate()
                    .all(|(i, b)| i == 4 || b.is_ascii_digit()) =>
        {
            m.to_string()
        }
        _ => UNKNOWN_MONTH.to_string(),
    }
}

/// The one group of documents without a usable date.
const UNKNOWN_MONTH: &str = "unknown-date";

/// What a group is, in notes: "outlets", "months", or both when single-outlet labels were
/// grouped by month.
fn group_unit(group_by: GroupBy, keys: &[String]) -> &'static str {
    match group_by {
        GroupBy::None => "documents",
        GroupBy::Month => "months",
        GroupBy::Source if keys.iter().any(|k| k.starts_with("month:")) => {
            "groups (outlets, and months of single-outlet labels)"
        }
        GroupBy::Source => "outlets",
    }
}

/// Fold numbers as a list: "3", "3 and 4", "2, 3 and 4".
fn fold_list(folds: &[usize]) -> String {
    let names: Vec<String> = folds.iter().map(usize::to_string).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// Notes on folds that test nothing, and on labels that some folds do not test, each with
/// the reason: the number of groups, counted from the plan itself (a group holds documents of
/// every label it has, not only of its majority label).
fn coverage_notes(
    fold: &[usize],
    y: &[usize],
    groups: &[(Vec<usize>, usize)],
    k: usize,
    labels: &[String],
    unit: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    let mut tested = vec![vec![0usize; labels.len()]; k];
    for (&f, &l) in fold.iter().zip(y) {
        tested[f][l] += 1;
    }
    let empty: Vec<usize> = (0..k)
        .filter(|&f| tested[f].iter().all(|&n| n == 0))
        .collect();
    if !empty.is_empty() {
        let n = groups.len();
        let why = if n < k {
            format!(
                "{n} {unit} for {k} folds, and a group is never split; use `folds` {n} or fewer"
            )
        } else {
            format!("{n} {unit} for {k} folds, dealt out per label to balance each label's folds; use fewer folds")
        };
        notes.push(format!(
            "fold{} {} test{} no documents: {why}",
            if empty.len() == 1 { "" } else { "s" },
            fold_list(&empty),
            if empty.len() == 1 { "s" } else { "" },
        ));
    }
    for (l, name) in labels.iter().enumerate() {
        let missing: Vec<usize> = (0..k)
            .filter(|&f| tested[f][l] == 0 && !empty.contains(&f))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let holding = groups
            .iter()
            .filter(|(members, _)| members.iter().any(|&i| y[i] == l))
            .count();
        notes.push(format!(
            "label {name:?} has documents in {holding} of the {} {unit}; fold{} {} test{} none of them",
            groups.len(),
            if missing.len() == 1 { "" } else { "s" },
            fold_list(&missing),
            if missing.len() == 1 { "s" } else { "" },
        ));
    }
    notes
}

impl FoldPlan {
    /// Assigns `docs` (with label indices `y` into `labels`) to `k` folds.
    pub fn new(
        docs: &[Document],
        labels: &[String],
        y: &[usize],
        k: usize,
        group_by: GroupBy,
        seed: u64,
    ) -> FoldPlan {
        // More folds than documents would only add empty folds.
        let k = k.clamp(1, docs.len().max(1));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut notes = Vec::new();
        let n_labels = labels.len();
        let name = |l: usize| labels.get(l).map_or("?", |s| s.as_str());
        // Each document's group key, chosen per label.
        let keys: Vec<String> = match group_by {
            GroupBy::None => (0..docs.len()).map(|i| format!("doc-{i}")).collect(),
            GroupBy::Month => docs.iter().map(month).collect(),
            GroupBy::Source => {
                let mut sources_of: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n_labels];
                for (d, &l) in docs.iter().zip(y) {
                    sources_of[l].insert(d.source.as_deref().unwrap_or(""));
                }
                let by_month: Vec<bool> = sources_of.iter().map(|s| s.len() < 2).collect();
                for (l, s) in sources_of.iter().enumerate() {
                    if by_month[l] {
                        notes.push(format!(
                            "label {:?} has a single source ({}), which cannot be held out by source; its documents are grouped by month instead, so its test documents come from months unseen in training",
                            name(l),
                            s.iter().next().copied().unwrap_or("none")
                        ));
                    }
                }
                docs.iter()
                    .zip(y)
                    .map(|(d, &l)| {
                        if by_month[l] {
                            format!("month:{}", month(d))
                        } else {
                            format!("source:{}", d.source.as_deref().unwrap_or(""))
                        }
                    })
                    .collect()
            }
        };
        // Groups, with their majority label and size.
        let mut groups: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for (i, key) in keys.iter().enumerate() {
            let g = groups
                .entry(key)
                .or_insert_with(|| (Vec::new(), vec![0; n_labels]));
            g.0.push(i);
            g.1[y[i]] += 1;
        }
        let mut groups: Vec<(Vec<usize>, usize)> = groups
            .into_values()
            .map(|(members, counts)| {
                let majority = (0..n_labels)
                    .max_by_key(|&l| (counts[l], std::cmp::Reverse(l)))
                    .unwrap_or(0);
                (members, majority)
            })
            .collect();
        groups.shuffle(&mut rng);
        groups.sort_by_key(|g| std::cmp::Reverse(g.0.len()));
        let mut fold = vec![0; docs.len()];
        let mut load = vec![vec![0usize; k]; n_labels];
        for (members, label) in &groups {
            let target = (0..k).min_by_key(|&f| load[*label][f]).unwrap_or(0);
            load[*label][target] += members.len();
            for &i in members {
                fold[i] = target;
            }
        }
        notes.extend(coverage_notes(
            &fold,
            y,
            &groups,
            k,
            labels,
            group_unit(group_by, &keys),
        ));
        FoldPlan {
            k,
            group_by,
            fold,
            notes,
        }
    }

    /// Why `docs` cannot be split by `group_by` at all, if they cannot: grouping by month
    /// needs dates, and grouping by source needs sources.
    pub fn unsupported(docs: &[Document], group_by: GroupBy) -> Option<String> {
        let has = |field: fn(&Document) -> Option<&str>| {
            docs.iter()
                .any(|d| field(d).is_some_and(|v| !v.trim().is_empty()))
        };
        match group_by {
            GroupBy::None => None,
            GroupBy::Source if !has(|d| d.source.as_deref()) => {
                Some("no document has a source".into())
            }
            GroupBy::Source => None,
            GroupBy::Month if !has(|d| d.date.as_deref()) => Some("no document has a date".into()),
            GroupBy::Month if docs.iter().all(|d| month(d) == UNKNOWN_MONTH) => Some(format!(
                "no document has a date of the form YYYY-MM or YYYY-MM-DD (the first is {:?})",
                docs.iter().find_map(|d| d.date.as_deref()).unwrap_or("")
            )),
            GroupBy::Month => None,
        }
    }

    /// The train and test document indices of fold `f`.
    pub fn split(&self, f: usize) -> (Vec<usize>, Vec<usize>) {
        (0..self.fold.len()).partition(|&i| self.fold[i] != f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(source: &str, date: &str) -> Document {
        Document {
            source: Some(source.into()),
            date: Some(date.into()),
            ..Document::default()
        }
    }

    #[test]
    fn source_groups_never_straddle_folds_and_single_source_label_uses_months() {
        let mut docs = Vec::new();
        let mut y = Vec::new();
        for (i, s) in ["A", "B", "C", "D", "E", "F"].iter().enumerate() {
            for m in 1..=4 {
                docs.push(doc(s, &format!("2022-0{m}-01")));
                y.push(0);
                docs.push(doc("RT", &format!("2022-0{}-1{i}", m + 4)));
                y.push(1);
            }
        }
        let labels = vec!["western".to_string(), "russian".to_string()];
        let plan = FoldPlan::new(&docs, &labels, &y, 3, GroupBy::Source, 7);
        for f in 0..3 {
            let (train, test) = plan.split(f);
            let train_sources: BTreeSet<_> = train
                .iter()
                .filter(|&&i| y[i] == 0)
                .map(|&i| docs[i].source.clone())
                .collect();
            let train_months: BTreeSet<_> = train
                .iter()
                .filter(|&&i| y[i] == 1)
                .map(|&i| month(&docs[i]))
                .collect();
            for &i in &test {
                if y[i] == 0 {
                    assert!(!train_sources.contains(&docs[i].source));
                } else {
                    assert!(!train_months.contains(&month(&docs[i])));
                }
            }
            assert!(test.iter().any(|&i| y[i] == 0) && test.iter().any(|&i| y[i] == 1));
        }
        assert!(plan.notes.iter().any(|n| n.contains("single source (RT)")));
    }

    #[test]
    fn notes_count_groups_from_the_plan_when_every_group_holds_both_labels() {
        // Three outlets, each half one label and half the other, for five folds.
        let docs: Vec<_> = (0..12)
            .map(|i| doc(&format!("s{}", i % 3), "2022-01-01"))
            .collect();
        let y: Vec<_> = (0..12).map(|i| (i / 3) % 2).collect();
        let labels = vec!["a".to_string(), "b".to_string()];
        let plan = FoldPlan::new(&docs, &labels, &y, 5, GroupBy::Source, 0);
        assert_eq!(
            plan.notes,
            ["folds 3 and 4 test no documents: 3 outlets for 5 folds, and a group is never split; use `folds` 3 or fewer"]
        );
    }

    #[test]
    fn groupings_without_their_field_are_unsupported() {
        let mut docs = vec![Document::default(), Document::default()];
        assert_eq!(FoldPlan::unsupported(&docs, GroupBy::None), None);
        assert_eq!(
            FoldPlan::unsupported(&docs, GroupBy::Source).as_deref(),
            Some("no document has a source")
        );
        assert_eq!(
            FoldPlan::unsupported(&docs, GroupBy::Month).as_deref(),
            Some("no document has a date")
        );
        docs[1].date = Some("March 2022".into());
        assert!(FoldPlan::unsupported(&docs, GroupBy::Month)
            .unwrap()
            .contains("no document has a date of the form YYYY-MM"));
        docs[0].date = Some("2022-03-01".into());
        docs[0].source = Some("x".into());
        assert_eq!(FoldPlan::unsupported(&docs, GroupBy::Month), None);
        assert_eq!(FoldPlan::unsupported(&docs, GroupBy::Source), None);
    }

    #[test]
    fn same_seed_same_plan() {
        let docs: Vec<_> = (0..20)
            .map(|i| doc(&format!("s{}", i % 7), "2022-01-01"))
            .collect();
        let y: Vec<_> = (0..20).map(|i| i % 2).collect();
        let labels = vec!["a".to_string(), "b".to_string()];
        let plan = |seed| FoldPlan::new(&docs, &labels, &y, 4, GroupBy::None, seed);
        assert_eq!(plan(1), plan(1));
        assert_ne!(plan(1).fold, plan(2).fold);
    }

    #[test]
    fn month_groups_never_straddle_folds() {
        let docs: Vec<_> = (0..60)
            .map(|i| doc(&format!("s{}", i % 5), &format!("2022-{:02}-03", 1 + i % 9)))
            .collect();
        let y: Vec<_> = (0..60).map(|i| (i / 3) % 2).collect();
        let labels = vec!["a".to_string(), "b".to_string()];
        let plan = FoldPlan::new(&docs, &labels, &y, 4, GroupBy::Month, 3);
        for f in 0..4 {
            let (train, test) = plan.split(f);
            let train_months: BTreeSet<_> = train.iter().map(|&i| month(&docs[i])).collect();
            assert!(test
                .iter()
                .all(|&i| !train_months.contains(&month(&docs[i]))));
        }
    }

    #[test]
    fn odd_dates_and_too_many_folds_are_handled() {
        let docs = vec![
            doc("a", "2022-0é-01"),
            doc("b", "２０２２-01"),
            doc("c", "2022-03-01"),
        ];
        assert_eq!(month(&docs[0]), UNKNOWN_MONTH);
        assert_eq!(month(&docs[1]), UNKNOWN_MONTH);
        assert_eq!(month(&docs[2]), "2022-03");
        let labels = vec!["a".to_string(), "b".to_string()];
        let plan = FoldPlan::new(&docs, &labels, &[0, 1, 0], 1000, GroupBy::Month, 0);
        assert_eq!(plan.k, 3);
    }
}
