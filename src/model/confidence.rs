//! The top label of a probability vector, and how well its confidence is calibrated (the
//! expected calibration error). Scoring names a label with the one, training reports the
//! other before and after calibration, and evaluation uses both.

/// Bins for the expected calibration error.
pub const ECE_BINS: usize = 10;

/// The index of the largest probability (the first of equals).
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = i;
        }
    }
    best
}

/// Expected calibration error of the top-label confidence over [`ECE_BINS`] equal-width bins.
pub fn ece(y: &[usize], probabilities: &[Vec<f64>]) -> f64 {
    let mut count = [0usize; ECE_BINS];
    let mut conf = [0.0; ECE_BINS];
    let mut correct = [0.0; ECE_BINS];
    for (t, p) in y.iter().zip(probabilities) {
        let best = argmax(p);
        let c = p[best];
        let bin = ((c * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        count[bin] += 1;
        conf[bin] += c;
        correct[bin] += f64::from(u8::from(best == *t));
    }
    let n = y.len().max(1) as f64;
    (0..ECE_BINS)
        .filter(|&b| count[b] > 0)
        .map(|b| (count[b] as f64 / n) * ((correct[b] - conf[b]) / count[b] as f64).abs())
        .sum()
}
