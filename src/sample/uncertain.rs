//! Uncertainty sampling with a diversity term, as in Prodigy's `textcat.teach` and small-text's
//! query strategies: the texts the model is least sure of, kept apart from one another.
//!
//! Each text's uncertainty is `u = 1 - (p_top - p_second)` (1 at a coin toss, 0 when certain).
//! The `pool` most uncertain texts are kept (ties in seeded random order), and from them the
//! sample is chosen greedily: each step takes the text with the highest
//! `u - beta * max_sim`, where `max_sim` is the largest cosine similarity of its TF-IDF row to
//! a text already drawn (rows are L2-normalised, so a dot product). A text within
//! [`DUPLICATE_SIM`] of one drawn is a near-duplicate and is taken only when nothing else is
//! left. `uncertain` uses `beta = 0.5` and a pool of 20 per record drawn; `diverse` uses
//! `beta = 2` (diversity first: a k-center walk over the uncertain texts) and a pool of 100 per
//! record drawn.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{Candidate, Drawn, SampleParams};
use crate::model::Model;

/// Cosine similarity at and above which two texts count as near-duplicates.
pub const DUPLICATE_SIM: f64 = 0.9;

/// The margin uncertainty of a probability vector: 1 at a coin toss, 0 when certain.
pub fn uncertainty(p: &[f64]) -> f64 {
    let mut sorted = p.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    match sorted.as_slice() {
        [top, second, ..] => 1.0 - (top - second),
        _ => 0.0,
    }
}

/// Draws `params.n` records by uncertainty with diversity weight `beta` (see the module doc),
/// in the order chosen.
pub(super) fn draw(
    population: &[Candidate],
    model: &Model,
    params: &SampleParams,
    beta: f64,
) -> Vec<Drawn> {
    let u: Vec<f64> = population
        .par_iter()
        .map(|c| uncertainty(&model.predict(c.text).probabilities))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let keys: Vec<u64> = (0..population.len()).map(|_| rng.gen()).collect();
    let mut order: Vec<usize> = (0..population.len()).collect();
    order.sort_by(|&a, &b| u[b].total_cmp(&u[a]).then(keys[a].cmp(&keys[b])));
    let per_draw = if beta > 1.0 { 100 } else { 20 };
    order.truncate(params.n.saturating_mul(per_draw).max(1000));
    let texts: Vec<&str> = order.iter().map(|&i| population[i].text).collect();
    let rows = model.featurizer().transform_many(&texts);
    let mut max_sim = vec![0.0f64; order.len()];
    let mut taken = vec![false; order.len()];
    let mut dense = vec![0.0f64; rows.n_cols()];
    let mut drawn = Vec::with_capacity(params.n.min(order.len()));
    while drawn.len() < params.n.min(order.len()) {
        let score = |j: usize| u[order[j]] - beta * max_sim[j];
        let fresh = (0..order.len()).filter(|&j| !taken[j] && max_sim[j] < DUPLICATE_SIM);
        let best = best_by(fresh, score)
            .or_else(|| best_by((0..order.len()).filter(|&j| !taken[j]), score));
        let Some(best) = best else { break };
        taken[best] = true;
        drawn.push(Drawn {
            index: order[best],
            weight: None,
        });
        let (idx, val) = rows.row(best);
        for (&f, &v) in idx.iter().zip(val) {
            dense[f as usize] = v;
        }
        max_sim.par_iter_mut().enumerate().for_each(|(j, m)| {
            let (ji, jv) = rows.row(j);
            let sim: f64 = ji
                .iter()
                .zip(jv)
                .map(|(&f, &v)| v * dense[f as usize])
                .sum();
            *m = m.max(sim);
        });
        for &f in idx {
            dense[f as usize] = 0.0;
        }
    }
    drawn
}

/// The first index with the highest score.
fn best_by(candidates: impl Iterator<Item = usize>, score: impl Fn(usize) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for j in candidates {
        let s = score(j);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((j, s));
        }
    }
    best.map(|(j, _)| j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncertainty_is_one_at_a_coin_toss() {
        assert_eq!(uncertainty(&[0.5, 0.5]), 1.0);
        assert!((uncertainty(&[0.9, 0.1]) - 0.2).abs() < 1e-12);
        assert!((uncertainty(&[0.2, 0.7, 0.1]) - 0.5).abs() < 1e-12);
    }
}
