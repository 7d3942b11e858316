//! The terms that push an outlet's documents each way: every term's exact contribution
//! (TF-IDF value times weight, as `explain` computes it) summed over the outlet's documents,
//! shown by the words that produced it in the texts rather than by its stems.

use std::collections::HashMap;

use serde::Serialize;

use crate::report::record::TermRecord;

/// A term's sums over one outlet's documents.
#[derive(Debug, Clone, Default)]
struct TermSum {
    contributions: Vec<f64>,
    documents: usize,
}

/// Sums per outlet, and the surface forms of every term over all documents.
#[derive(Debug, Default)]
pub struct TermSums {
    outlets: Vec<HashMap<u32, TermSum>>,
    surfaces: HashMap<u32, HashMap<String, usize>>,
    /// Documents whose terms were added.
    pub documents: usize,
}

/// One of the terms that push an outlet toward a label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopTerm {
    /// Up to three surface forms, the most frequent first (`Kiev regime / kiev regime`).
    pub surface: String,
    /// Summed contribution to the label's logit over the outlet's documents.
    pub contribution: f64,
    /// How many of the outlet's documents hold the term.
    pub documents: usize,
}

impl TermSums {
    /// Adds one document of outlet `outlet`.
    pub fn add(&mut self, outlet: usize, terms: Vec<TermRecord>) {
        if self.outlets.len() <= outlet {
            self.outlets.resize_with(outlet + 1, HashMap::new);
        }
        self.documents += 1;
        let sums = &mut self.outlets[outlet];
        for t in terms {
            let sum = sums.entry(t.feature).or_default();
            if sum.contributions.is_empty() {
                sum.contributions = vec![0.0; t.contributions.len()];
            }
            for (s, c) in sum.contributions.iter_mut().zip(&t.contributions) {
                *s += c;
            }
            sum.documents += 1;
            *self
                .surfaces
                .entry(t.feature)
                .or_default()
                .entry(t.surface)
                .or_default() += 1;
        }
    }

    fn surface(&self, feature: u32) -> String {
        let Some(forms) = self.surfaces.get(&feature) else {
            return String::new();
        };
        let mut forms: Vec<(&String, &usize)> = forms.iter().collect();
        forms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        forms
            .iter()
            .take(3)
            .map(|(f, _)| f.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The `n` terms pushing outlet `outlet` hardest toward label `label`, strongest first
    /// (ties by feature, for a stable page).
    pub fn top(&self, outlet: usize, label: usize, n: usize) -> Vec<TopTerm> {
        let Some(sums) = self.outlets.get(outlet) else {
            return Vec::new();
        };
        let mut terms: Vec<(u32, &TermSum)> = sums
            .iter()
            .filter(|(_, s)| s.contributions.get(label).is_some_and(|&c| c > 0.0))
            .map(|(&f, s)| (f, s))
            .collect();
        terms.sort_by(|a, b| {
            b.1.contributions[label]
                .total_cmp(&a.1.contributions[label])
                .then(a.0.cmp(&b.0))
        });
        terms
            .into_iter()
            .take(n)
            .map(|(f, s)| TopTerm {
                surface: self.surface(f),
                contribution: s.contributions[label],
                documents: s.documents,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(feature: u32, surface: &str, c: f64) -> TermRecord {
        TermRecord {
            feature,
            surface: surface.into(),
            contributions: vec![-c, c],
        }
    }

    #[test]
    fn sums_over_documents_and_names_by_surface() {
        let mut sums = TermSums::default();
        sums.add(0, vec![term(1, "Kiev", 0.5), term(2, "Kyiv", -0.2)]);
        sums.add(0, vec![term(1, "kiev", 0.25), term(2, "Kyiv", -0.3)]);
        sums.add(1, vec![term(1, "Kiev", 9.0)]);
        let toward_second = sums.top(0, 1, 5);
        assert_eq!(toward_second.len(), 1);
        assert_eq!(toward_second[0].contribution, 0.75);
        assert_eq!(toward_second[0].documents, 2);
        // "Kiev" twice over all documents, "kiev" once.
        assert_eq!(toward_second[0].surface, "Kiev / kiev");
        let toward_first = sums.top(0, 0, 5);
        assert_eq!(
            (
                toward_first[0].surface.as_str(),
                toward_first[0].contribution
            ),
            ("Kyiv", 0.5)
        );
        assert!(sums.top(7, 0, 5).is_empty());
    }
}
