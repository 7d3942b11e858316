//! Random sampling for validation: uniform without replacement, or stratified with
//! proportional allocation, each record weighted by the inverse of its inclusion probability.
//!
//! Allocation: every stratum gets one record, and the rest of the `n` are shared out in
//! proportion to the strata's sizes by largest remainder (ties to the earlier stratum in sorted
//! order), never more than a stratum holds. A record of stratum `h` then has inclusion
//! probability `n_h / N_h` and weight `N_h / n_h`; the weights of a stratum sum to `N_h`, and
//! all of them to the population size `N`, so a weighted mean estimates the population's.

use std::collections::BTreeMap;

use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{Candidate, Drawn, SampleError};

/// How many records to draw from strata of `sizes` for a sample of `n` (see the module doc).
/// When `n` is at least the population, every record is drawn.
pub fn allocate(sizes: &[usize], n: usize) -> Result<Vec<usize>, SampleError> {
    let total: usize = sizes.iter().sum();
    if n >= total {
        return Ok(sizes.to_vec());
    }
    let strata = sizes.iter().filter(|&&s| s > 0).count();
    if n < strata {
        return Err(SampleError::TooManyStrata { strata, n });
    }
    let mut take: Vec<usize> = sizes.iter().map(|&s| usize::from(s > 0)).collect();
    let mut left = n - strata;
    // Proportional shares of what is left, capped by what each stratum has left.
    let spare: Vec<usize> = sizes.iter().zip(&take).map(|(s, t)| s - t).collect();
    let spare_total: usize = spare.iter().sum();
    let mut remainders = Vec::with_capacity(sizes.len());
    for (h, &s) in spare.iter().enumerate() {
        let exact = left as f64 * s as f64 / spare_total as f64;
        let whole = (exact.floor() as usize).min(s);
        take[h] += whole;
        remainders.push((exact - whole as f64, h));
    }
    left -= take.iter().sum::<usize>() - strata;
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, h) in remainders.iter().cycle().take(remainders.len() * 2) {
        if left == 0 {
            break;
        }
        if take[h] < sizes[h] {
            take[h] += 1;
            left -= 1;
        }
    }
    Ok(take)
}

/// Draws `n` records at random, stratified when the candidates have strata; returned in
/// population order.
pub(super) fn draw(
    population: &[Candidate],
    n: usize,
    seed: u64,
) -> Result<Vec<Drawn>, SampleError> {
    let stratified = population.iter().filter(|c| c.stratum.is_some()).count();
    if stratified != 0 && stratified != population.len() {
        return Err(SampleError::MixedStrata);
    }
    let mut strata: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in population.iter().enumerate() {
        strata.entry(c.stratum.unwrap_or("")).or_default().push(i);
    }
    let members: Vec<Vec<usize>> = strata.into_values().collect();
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let take = allocate(&sizes, n)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut drawn = Vec::with_capacity(n.min(population.len()));
    for (records, &k) in members.iter().zip(&take) {
        let weight = records.len() as f64 / k as f64;
        let mut picked: Vec<usize> = sample(&mut rng, records.len(), k)
            .into_iter()
            .map(|j| records[j])
            .collect();
        picked.sort_unstable();
        drawn.extend(picked.into_iter().map(|index| Drawn {
            index,
            weight: Some(weight),
        }));
    }
    drawn.sort_by_key(|d| d.index);
    Ok(drawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(strata: &[(&'static str, usize)]) -> (Vec<String>, Vec<&'static str>) {
        let mut ids = Vec::new();
        let mut of = Vec::new();
        for &(s, k) in strata {
            for _ in 0..k {
                ids.push(format!("r{}", ids.len()));
                of.push(s);
            }
        }
        (ids, of)
    }

    fn candidates<'a>(ids: &'a [String], of: &[&'a str], stratified: bool) -> Vec<Candidate<'a>> {
        ids.iter()
            .zip(of)
            .map(|(id, s)| Candidate {
                id,
                text: "",
                stratum: stratified.then_some(*s),
            })
            .collect()
    }

    #[test]
    fn allocation_is_proportional_with_one_per_stratum() {
        assert_eq!(allocate(&[80, 15, 5], 20).unwrap(), vec![15, 3, 2]);
        assert_eq!(allocate(&[50, 50], 11).unwrap().iter().sum::<usize>(), 11);
        assert_eq!(allocate(&[3, 1], 10).unwrap(), vec![3, 1]);
        assert_eq!(allocate(&[2, 100], 50).unwrap(), vec![1, 49]);
        assert!(matches!(
            allocate(&[5, 5, 5], 2),
            Err(SampleError::TooManyStrata { strata: 3, n: 2 })
        ));
    }

    #[test]
    fn stratified_weights_sum_to_the_population_and_to_each_stratum() {
        let (ids, of) = population(&[("a", 70), ("b", 23), ("c", 7)]);
        let pop = candidates(&ids, &of, true);
        let drawn = draw(&pop, 25, 3).unwrap();
        assert_eq!(drawn.len(), 25);
        let total: f64 = drawn.iter().map(|d| d.weight.unwrap()).sum();
        assert!((total - 100.0).abs() < 1e-9, "{total}");
        for s in ["a", "b", "c"] {
            let n_h = of.iter().filter(|&&x| x == s).count() as f64;
            let sum: f64 = drawn
                .iter()
                .filter(|d| of[d.index] == s)
                .map(|d| d.weight.unwrap())
                .sum();
            assert!((sum - n_h).abs() < 1e-9, "stratum {s}: {sum} vs {n_h}");
        }
    }

    #[test]
    fn a_seed_gives_the_same_draw_and_no_record_twice() {
        let (ids, of) = population(&[("a", 500)]);
        let pop = candidates(&ids, &of, false);
        let a = draw(&pop, 40, 9).unwrap();
        assert_eq!(a, draw(&pop, 40, 9).unwrap());
        assert_ne!(a, draw(&pop, 40, 10).unwrap());
        let mut idx: Vec<usize> = a.iter().map(|d| d.index).collect();
        idx.dedup();
        assert_eq!(idx.len(), 40);
        assert!(a.iter().all(|d| d.weight == Some(500.0 / 40.0)));
    }

    #[test]
    fn uniform_draw_is_unbiased_over_seeds() {
        // Every record should be drawn about n/N of the time.
        let (ids, of) = population(&[("a", 20)]);
        let pop = candidates(&ids, &of, false);
        let mut hits = [0usize; 20];
        for seed in 0..2000 {
            for d in draw(&pop, 5, seed).unwrap() {
                hits[d.index] += 1;
            }
        }
        // Expected 500 each; binomial sd about 19.
        assert!(hits.iter().all(|&h| (400..600).contains(&h)), "{hits:?}");
    }
}
