//! Every term's exact contribution to one text's logits, for the per-outlet term sums: the same
//! numbers as [`Model::explain`]'s (TF-IDF value times weight, from the same row), with each
//! term's first surface form only. `explain` also keeps every token's stem as a string and
//! every span of every term, which a report needs none of, and building them for every document
//! of a corpus made the report markedly slower (`benches/README.md`).

use std::collections::HashMap;
use std::ops::Range;

use crate::model::fitted::Model;
use crate::report::record::TermRecord;

/// The contribution of every term of `text` to each label's logit, in the model's label order
/// (for a binary model, `[-c, c]`, as `explain` has it).
pub(crate) fn term_contributions(model: &Model, text: &str) -> Vec<TermRecord> {
    let featurizer = model.featurizer();
    let classifier = model.classifier();
    let tokens = featurizer.id_tokens(text);
    let stems: Vec<u32> = tokens.iter().map(|t| t.stem).collect();
    let (row, _) = featurizer.transform_stem_ids(&stems);
    let mut first: HashMap<u32, Range<usize>> = HashMap::with_capacity(row.indices.len());
    featurizer.for_each_feature(&stems, |feature, window| {
        first
            .entry(feature)
            .or_insert_with(|| tokens[window.start].span.start..tokens[window.end - 1].span.end);
    });
    let weights = classifier.weights();
    let binary = classifier.is_binary();
    row.indices
        .iter()
        .zip(&row.values)
        .map(|(&j, &x)| {
            let contributions = if binary {
                let c = x * weights[0][j as usize];
                vec![-c, c]
            } else {
                weights.iter().map(|w| x * w[j as usize]).collect()
            };
            let surface = first
                .get(&j)
                .and_then(|s| text.get(s.clone()))
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_else(|| featurizer.vocabulary().term(j as usize).to_string());
            TermRecord {
                feature: j,
                surface,
                contributions,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_contributions_and_first_surface_forms_as_explain() {
        let model = crate::default_model().unwrap();
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/articles/mixed-summit-report.txt"
        ))
        .unwrap();
        let ours = term_contributions(&model, &text);
        let explained = model.explain(&text);
        assert!(ours.len() > 20);
        assert_eq!(ours.len(), explained.terms.len());
        for (a, b) in ours.iter().zip(&explained.terms) {
            assert_eq!(a.feature, b.feature);
            assert_eq!(a.contributions, b.contributions);
            assert_eq!(Some(&a.surface), b.surface.first());
        }
    }
}
