//! The model's guess as the annotation page shows it: the label, the probabilities, and each
//! paragraph cut into pieces coloured by the label its words push toward (the exact per-term
//! contributions of [`crate::predict`]'s explanation, summed per token, so overlapping n-grams
//! add up instead of hiding each other).

use std::ops::Range;

use super::session::Guess;
use crate::text::paragraphs::split_paragraphs;
use crate::Model;

/// At most this many words are coloured, the strongest; the rest of a long text stays plain.
pub const MAX_HIGHLIGHTS: usize = 2000;

/// The guess of `model` for `text`.
pub fn guess(model: &Model, text: &str) -> Guess {
    let e = model.explain(text);
    let labels = model.labels();
    let n_labels = labels.len();
    // Each token's summed contribution to each label's logit.
    let mut per_token = vec![vec![0.0; n_labels]; e.tokens.len()];
    for term in &e.terms {
        for span in &term.spans {
            // Tokens are in text order: find the first inside the span, then walk.
            let first = e.tokens.partition_point(|(r, _)| r.start < span.start);
            for (t, (range, _)) in e.tokens.iter().enumerate().skip(first) {
                if range.end > span.end {
                    break;
                }
                for (l, c) in term.contributions.iter().enumerate() {
                    per_token[t][l] += c;
                }
            }
        }
    }
    let mut pushes: Vec<(Range<usize>, usize, f64)> = e
        .tokens
        .iter()
        .zip(&per_token)
        .filter_map(|((range, _), c)| {
            let (label, &value) = c.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
            (value > 0.0).then(|| (range.clone(), label, value))
        })
        .collect();
    let strongest = pushes.iter().map(|p| p.2).fold(0.0_f64, f64::max);
    // A long text would become a piece per word: keep the strongest pushes only.
    if pushes.len() > MAX_HIGHLIGHTS {
        let mut by_strength: Vec<f64> = pushes.iter().map(|p| p.2).collect();
        by_strength.sort_by(|a, b| b.total_cmp(a));
        let floor = by_strength[MAX_HIGHLIGHTS - 1];
        let mut kept = 0;
        pushes.retain(|p| {
            kept += usize::from(p.2 >= floor);
            p.2 >= floor && kept <= MAX_HIGHLIGHTS
        });
    }
    let paragraphs = split_paragraphs(text)
        .into_iter()
        .map(|para| pieces(text, para, &pushes, strongest))
        .collect();
    let p = &e.score.prediction;
    Guess {
        label: p.label.map(|l| labels[l].clone()),
        probabilities: labels
            .iter()
            .cloned()
            .zip(p.probabilities.clone())
            .collect(),
        uncertain: p.uncertain,
        paragraphs,
    }
}

/// `para` of `text` as plain and coloured pieces; a token whose push is under a twentieth of
/// the strongest stays plain, so the page shows what matters.
fn pieces(
    text: &str,
    para: Range<usize>,
    pushes: &[(Range<usize>, usize, f64)],
    strongest: f64,
) -> Vec<(String, Option<usize>, f64)> {
    let mut out = Vec::new();
    let mut at = para.start;
    let first = pushes.partition_point(|(r, _, _)| r.start < para.start);
    for (range, label, value) in pushes[first..]
        .iter()
        .take_while(|(r, _, _)| r.end <= para.end)
    {
        let strength = if strongest > 0.0 {
            value / strongest
        } else {
            0.0
        };
        if strength < 0.05 || range.start < at {
            continue;
        }
        if range.start > at {
            out.push((text[at..range.start].to_string(), None, 0.0));
        }
        out.push((text[range.clone()].to_string(), Some(*label), strength));
        at = range.end;
    }
    if at < para.end {
        out.push((text[at..para.end].to_string(), None, 0.0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_paragraph_exactly() {
        let model = crate::default_model().unwrap();
        let text =
            "The Kiev regime shelled Donetsk again.\n\nRussia's invasion of Ukraine went on.";
        let g = guess(&model, text);
        assert_eq!(g.paragraphs.len(), 2);
        let joined: Vec<String> = g
            .paragraphs
            .iter()
            .map(|p| p.iter().map(|(t, _, _)| t.as_str()).collect())
            .collect();
        assert_eq!(
            joined,
            [
                "The Kiev regime shelled Donetsk again.",
                "Russia's invasion of Ukraine went on."
            ]
        );
        assert!(g
            .paragraphs
            .iter()
            .flatten()
            .any(|(_, label, s)| label.is_some() && *s > 0.0));
    }
}
