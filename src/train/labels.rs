//! Labels spelled more than one way: `pro`, `Pro` and `PRO` are three classes to the trainer,
//! which is almost never what a spreadsheet's author meant. Readers already trim the
//! whitespace around labels; this finds labels that differ only in case, so that the CLI can
//! warn or, under `--strict-labels`, refuse.

use std::collections::BTreeMap;

use crate::io::corpus::Document;

/// One spelling of a label: the spelling, how many documents have it, and the index of the
/// first of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelling {
    pub label: String,
    pub count: usize,
    pub first: usize,
}

/// Labels that are the same but for case (after trimming): the most common spelling first
/// (ties: the one seen first), then the others in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelVariants {
    pub spellings: Vec<Spelling>,
}

/// How a label is compared: trimmed and lower-cased (Unicode lower case, so `É` and `é` meet).
fn folded(label: &str) -> String {
    label.trim().to_lowercase()
}

/// Every set of labels in `docs` that differ only in case or surrounding whitespace, in the
/// order of their first document.
pub fn label_variants(docs: &[Document]) -> Vec<LabelVariants> {
    let mut spellings: BTreeMap<&str, Spelling> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(l) = d.label.as_deref() {
            spellings
                .entry(l)
                .or_insert_with(|| Spelling {
                    label: l.to_string(),
                    count: 0,
                    first: i,
                })
                .count += 1;
        }
    }
    let mut by_fold: BTreeMap<String, Vec<Spelling>> = BTreeMap::new();
    for s in spellings.into_values() {
        by_fold.entry(folded(&s.label)).or_default().push(s);
    }
    let mut variants: Vec<LabelVariants> = by_fold
        .into_values()
        .filter(|v| v.len() > 1)
        .map(|mut spellings| {
            spellings.sort_by_key(|s| (std::cmp::Reverse(s.count), s.first));
            LabelVariants { spellings }
        })
        .collect();
    variants.sort_by_key(|v| v.spellings.iter().map(|s| s.first).min());
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(labels: &[&str]) -> Vec<Document> {
        labels
            .iter()
            .map(|l| Document {
                label: Some(l.to_string()),
                ..Document::default()
            })
            .collect()
    }

    #[test]
    fn finds_labels_that_differ_only_in_case_or_whitespace() {
        let v = label_variants(&docs(&["pro", "anti", "Pro", "pro", "ANTI ", "anti", "x"]));
        assert_eq!(v.len(), 2);
        let names = |v: &LabelVariants| -> Vec<(String, usize, usize)> {
            v.spellings
                .iter()
                .map(|s| (s.label.clone(), s.count, s.first))
                .collect()
        };
        assert_eq!(names(&v[0]), [("pro".into(), 2, 0), ("Pro".into(), 1, 2)]);
        assert_eq!(
            names(&v[1]),
            [("anti".into(), 2, 1), ("ANTI ".into(), 1, 4)]
        );
        assert!(label_variants(&docs(&["pro", "anti", "pro"])).is_empty());
    }
}
