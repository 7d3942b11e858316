//! Adjusted shares: the share of each true label in a group, corrected for the model's errors
//! as a labelled random sample of the same corpus measures them.
//!
//! A classifier's raw share (classify and count) is biased whenever it errs: with true share
//! `p`, true-positive rate `tpr` and false-positive rate `fpr`, the expected share predicted
//! is `q = fpr + (tpr - fpr) p`. Adjusted classify-and-count (ACC; Forman 2008) inverts it:
//! `p = (q - fpr) / (tpr - fpr)`, clipped to [0, 1]. With more than two labels each label is
//! adjusted one against the rest and the shares scaled to sum to 1.
//!
//! The interval is a seeded percentile bootstrap that resamples both the validation sample
//! (the rates' uncertainty, usually the larger part) and the group's documents (the raw
//! share's), so it carries both. Validation rows carry inclusion weights (`stance sample
//! --strategy random --by FIELD` writes them); the rates are weighted by them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// One labelled validation text: its true and predicted label (indices into the report's
/// labels) and its inclusion weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub truth: usize,
    pub predicted: usize,
    pub weight: f64,
}

/// How the bootstrap runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    pub replicates: usize,
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap {
            replicates: 1000,
            seed: 26,
        }
    }
}

/// The name of the method in the output.
pub fn method_name(labels: usize) -> &'static str {
    if labels == 2 {
        "acc"
    } else {
        "acc-one-vs-rest"
    }
}

/// An adjusted share with its 95% bootstrap interval; the share is `None`, with the reason,
/// when it cannot be computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjusted {
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub method: &'static str,
    /// Why there is no share, or how it was made (the overall rates for a small group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Adjusted {
    /// No adjusted share, for `reason`.
    pub fn none(method: &'static str, reason: impl Into<String>) -> Self {
        Adjusted {
            share: None,
            low: None,
            high: None,
            method,
            note: Some(reason.into()),
        }
    }
}

/// The weighted rate of predicting each label among the texts of each true label:
/// `rates[t][l]` = P(predicted l | truth t). `None` for a true label without weight.
fn rates(pairs: &[Pair], k: usize) -> Vec<Option<Vec<f64>>> {
    let mut sums = vec![vec![0.0; k]; k];
    for p in pairs {
        sums[p.truth][p.predicted] += p.weight;
    }
    sums.into_iter()
        .map(|row| {
            let total: f64 = row.iter().sum();
            (total > 0.0).then(|| row.iter().map(|v| v / total).collect())
        })
        .collect()
}

/// Why the shares cannot be adjusted from these rates, if they cannot: a label the sample
/// lacks, or one the model does not tell from the rest.
fn rates_problem(rates: &[Option<Vec<f64>>], labels: &[String]) -> Option<String> {
    if let Some(t) = rates.iter().position(Option::is_none) {
        return Some(format!(
            "the validation sample has no text labelled {:?}",
            labels[t]
        ));
    }
    (0..labels.len()).find_map(|l| {
        let (tpr, fpr) = one_vs_rest(rates, l, None)?;
        (tpr - fpr < MIN_SEPARATION).then(|| {
            format!(
                "on the validation sample the model does not tell {:?} from the rest (true-positive rate {tpr:.2}, false-positive rate {fpr:.2})",
                labels[l]
            )
        })
    })
}

/// The smallest `tpr - fpr` the adjustment divides by: below it, the share is noise.
const MIN_SEPARATION: f64 = 0.05;

/// The true- and false-positive rates of label `l` against the rest; the rest's rates are
/// averaged with the weight of each true label in `prior` (uniform when `None`).
fn one_vs_rest(rates: &[Option<Vec<f64>>], l: usize, prior: Option<&[f64]>) -> Option<(f64, f64)> {
    let tpr = rates[l].as_ref()?[l];
    let (mut fp, mut w) = (0.0, 0.0);
    for (t, r) in rates.iter().enumerate().filter(|(t, _)| *t != l) {
        let weight = prior.map_or(1.0, |p| p[t]);
        fp += weight * r.as_ref()?[l];
        w += weight;
    }
    Some((tpr, if w > 0.0 { fp / w } else { 0.0 }))
}

/// The adjusted shares of every label from the raw shares `q` and the sample's rates.
fn adjust(q: &[f64], rates: &[Option<Vec<f64>>], prior: &[f64]) -> Option<Vec<f64>> {
    let k = q.len();
    let mut p = Vec::with_capacity(k);
    for (l, &ql) in q.iter().enumerate() {
        let (tpr, fpr) = one_vs_rest(rates, l, Some(prior))?;
        let sep = tpr - fpr;
        if sep < MIN_SEPARATION {
            return None;
        }
        p.push(((ql - fpr) / sep).clamp(0.0, 1.0));
        if k == 2 {
            // Two labels: the second is the complement, exactly as ACC defines it.
            p.push(1.0 - p[0]);
            return Some(p);
        }
    }
    let total: f64 = p.iter().sum();
    Some(if total > 0.0 {
        p.iter().map(|v| v / total).collect()
    } else {
        vec![1.0 / k as f64; k]
    })
}

/// The prior the rest's false-positive rates are averaged with: the sample's weighted true
/// shares.
fn sample_prior(pairs: &[Pair], k: usize) -> Vec<f64> {
    let mut w = vec![0.0; k];
    for p in pairs {
        w[p.truth] += p.weight;
    }
    let total: f64 = w.iter().sum();
    w.iter().map(|v| v / total.max(f64::MIN_POSITIVE)).collect()
}

/// One binomial draw: inversion for small means, the normal approximation for large ones
/// (where its error is far below the bootstrap's own).
fn binomial(rng: &mut ChaCha8Rng, n: usize, p: f64) -> usize {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - binomial(rng, n, 1.0 - p);
    }
    let nf = n as f64;
    let var = nf * p * (1.0 - p);
    if var >= 25.0 {
        let (u1, u2): (f64, f64) = (rng.gen::<f64>().max(f64::MIN_POSITIVE), rng.gen());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        return (nf * p + z * var.sqrt()).round().clamp(0.0, nf) as usize;
    }
    let u: f64 = rng.gen();
    let ratio = p / (1.0 - p);
    let mut pmf = (1.0 - p).powf(nf);
    let mut cdf = pmf;
    let mut k = 0;
    while cdf < u && k < n {
        pmf *= ratio * (n - k) as f64 / (k + 1) as f64;
        k += 1;
        cdf += pmf;
    }
    k
}

/// Predicted-label counts resampled from `counts`: a multinomial draw of the same total, with
/// probabilities smoothed by half a document per label (Jeffreys), so that a label no document
/// of a small group was given still varies; for a large group the smoothing is negligible.
fn resample_counts(rng: &mut ChaCha8Rng, counts: &[usize]) -> Vec<usize> {
    let mut left: usize = counts.iter().sum();
    let total = left as f64 + 0.5 * counts.len() as f64;
    let mut mass = 1.0;
    let mut out = Vec::with_capacity(counts.len());
    for (i, &c) in counts.iter().enumerate() {
        let p = (c as f64 + 0.5) / total;
        let draw = if i + 1 == counts.len() || mass <= 0.0 {
            left
        } else {
            binomial(rng, left, (p / mass).min(1.0))
        };
        out.push(draw);
        left -= draw;
        mass -= p;
    }
    out
}

fn shares(counts: &[usize]) -> Vec<f64> {
    let n: usize = counts.iter().sum();
    counts.iter().map(|&c| c as f64 / n.max(1) as f64).collect()
}

/// The adjusted share of every label for documents with predicted-label `counts`, from the
/// validation `pairs`, with bootstrap intervals. Every entry has the reason when it cannot be
/// computed. The interval is the 2.5th to 97.5th percentile of replicates that could be
/// computed; when more than 5% of them cannot, there is no interval.
pub fn adjusted_shares(
    counts: &[usize],
    pairs: &[Pair],
    labels: &[String],
    bootstrap: Bootstrap,
) -> Vec<Adjusted> {
    let k = labels.len();
    let method = method_name(k);
    let all = |reason: String| vec![Adjusted::none(method, reason); k];
    if counts.iter().sum::<usize>() == 0 {
        return all("no documents".into());
    }
    let r = rates(pairs, k);
    if let Some(reason) = rates_problem(&r, labels) {
        return all(reason);
    }
    let prior = sample_prior(pairs, k);
    let Some(point) = adjust(&shares(counts), &r, &prior) else {
        return all("the model does not tell the labels apart on the validation sample".into());
    };
    let mut rng = ChaCha8Rng::seed_from_u64(bootstrap.seed);
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(bootstrap.replicates); k];
    let mut failed = 0;
    let mut sample = Vec::with_capacity(pairs.len());
    for _ in 0..bootstrap.replicates {
        sample.clear();
        sample.extend((0..pairs.len()).map(|_| pairs[rng.gen_range(0..pairs.len())]));
        let q = shares(&resample_counts(&mut rng, counts));
        let r = rates(&sample, k);
        match adjust(&q, &r, &sample_prior(&sample, k)) {
            Some(p) => p.iter().zip(&mut draws).for_each(|(v, d)| d.push(*v)),
            None => failed += 1,
        }
    }
    let enough = failed * 20 <= bootstrap.replicates;
    point
        .iter()
        .zip(draws.iter_mut())
        .map(|(&share, d)| {
            let (low, high) = if enough {
                d.sort_by(f64::total_cmp);
                (Some(percentile(d, 0.025)), Some(percentile(d, 0.975)))
            } else {
                (None, None)
            };
            Adjusted {
                share: Some(share),
                low,
                high,
                method,
                note: (!enough).then(|| {
                    format!("no interval: {failed} of {} bootstrap samples could not be adjusted (too few validation texts of a label)", bootstrap.replicates)
                }),
            }
        })
        .collect()
}

/// The linear-interpolated percentile of sorted values.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let x = q * (sorted.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x - x.floor());
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + f * (sorted[j] - sorted[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    /// A corpus of `n` documents with true share `share` of label 0, predicted with these
    /// rates, and a simple random validation sample of `m` of them.
    fn synthetic(
        rng: &mut ChaCha8Rng,
        n: usize,
        m: usize,
        share: f64,
    ) -> (Vec<usize>, Vec<Pair>, f64) {
        let (tpr, fpr) = (0.8, 0.15);
        let docs: Vec<Pair> = (0..n)
            .map(|_| {
                let truth = usize::from(rng.gen::<f64>() >= share);
                let p0 = if truth == 0 { tpr } else { fpr };
                Pair {
                    truth,
                    predicted: usize::from(rng.gen::<f64>() >= p0),
                    weight: 1.0,
                }
            })
            .collect();
        let mut counts = vec![0; 2];
        docs.iter().for_each(|d| counts[d.predicted] += 1);
        let true_share = docs.iter().filter(|d| d.truth == 0).count() as f64 / n as f64;
        let mut idx: Vec<usize> = (0..n).collect();
        rand::seq::SliceRandom::shuffle(idx.as_mut_slice(), rng);
        let sample = idx[..m].iter().map(|&i| docs[i]).collect();
        (counts, sample, true_share)
    }

    #[test]
    fn the_interval_covers_a_known_prevalence_in_at_least_90_of_100_draws() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut covered = 0;
        let (mut adjusted_sum, mut raw_sum) = (0.0, 0.0);
        for draw in 0..100 {
            let (counts, sample, truth) = synthetic(&mut rng, 3000, 200, 0.3);
            let a = &adjusted_shares(
                &counts,
                &sample,
                &labels(),
                Bootstrap {
                    replicates: 400,
                    seed: draw,
                },
            )[0];
            let (lo, hi) = (a.low.unwrap(), a.high.unwrap());
            covered += usize::from(lo <= truth && truth <= hi);
            adjusted_sum += a.share.unwrap();
            raw_sum += counts[0] as f64 / 3000.0;
        }
        assert!(covered >= 90, "covered {covered} of 100");
        // The raw share is biased (0.3 * 0.8 + 0.7 * 0.15 = 0.345); the adjusted one is not.
        let (adjusted, raw) = (adjusted_sum / 100.0, raw_sum / 100.0);
        assert!(
            (adjusted - 0.3).abs() < 0.01 && (raw - 0.345).abs() < 0.01,
            "{adjusted} {raw}"
        );
    }

    #[test]
    fn acc_inverts_known_rates_exactly_and_refuses_a_blind_model() {
        // tpr 0.8, fpr 0.2 in the sample; a raw share of 0.5 is a true share of 0.5, 0.38 is 0.3.
        let mut pairs = Vec::new();
        for (truth, predicted, n) in [(0, 0, 8), (0, 1, 2), (1, 0, 2), (1, 1, 8)] {
            pairs.extend((0..n).map(|_| Pair {
                truth,
                predicted,
                weight: 1.0,
            }));
        }
        let a = adjusted_shares(&[38, 62], &pairs, &labels(), Bootstrap::default());
        assert!((a[0].share.unwrap() - 0.3).abs() < 1e-12, "{a:?}");
        assert!((a[1].share.unwrap() - 0.7).abs() < 1e-12);
        assert_eq!(a[0].method, "acc");
        // Weights count: the same texts with the wrong predictions weighted up lower the tpr.
        let mut weighted = pairs.clone();
        weighted[8].weight = 3.0; // a (0, 1) pair: tpr 8 / 12
        let w = adjusted_shares(&[38, 62], &weighted, &labels(), Bootstrap::default());
        assert!(w[0].share.unwrap() > 0.3 + 0.05, "{w:?}");
        let blind: Vec<Pair> = (0..20)
            .map(|i| Pair {
                truth: i % 2,
                predicted: 0,
                weight: 1.0,
            })
            .collect();
        let b = adjusted_shares(&[10, 10], &blind, &labels(), Bootstrap::default());
        assert_eq!(b[0].share, None);
        assert!(
            b[0].note.as_deref().unwrap().contains("does not tell"),
            "{b:?}"
        );
        let one: Vec<Pair> = pairs.iter().copied().filter(|p| p.truth == 0).collect();
        let o = adjusted_shares(&[10, 10], &one, &labels(), Bootstrap::default());
        assert!(o[0]
            .note
            .as_deref()
            .unwrap()
            .contains("no text labelled \"b\""));
    }

    #[test]
    fn binomial_draws_have_the_right_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (n, p) in [(10, 0.3), (5000, 0.001), (5000, 0.4), (7, 0.9)] {
            let mean = (0..4000)
                .map(|_| binomial(&mut rng, n, p) as f64)
                .sum::<f64>()
                / 4000.0;
            let sd = (n as f64 * p * (1.0 - p) / 4000.0).sqrt();
            assert!(
                (mean - n as f64 * p).abs() < 5.0 * sd + 1e-9,
                "{n} {p} {mean}"
            );
        }
        let c = resample_counts(&mut rng, &[5, 0, 15]);
        assert_eq!(c.iter().sum::<usize>(), 20);
        // A label no document was given is still drawn now and then.
        let zero = (0..2000)
            .filter(|_| resample_counts(&mut rng, &[0, 6])[0] > 0)
            .count();
        assert!(zero > 0 && zero < 1000, "{zero}");
    }
}
