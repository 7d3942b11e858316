//! The Wilson score interval for a binomial proportion: unlike the normal approximation it stays
//! inside [0, 1] and is honest for small counts and for shares near 0 or 1, which a report of
//! a dozen articles per outlet and month is full of.

use serde::Serialize;

/// The two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion `k / n` with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    pub count: usize,
    pub total: usize,
    /// `count / total`; `None` when `total` is 0.
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Share {
    /// `count` of `total`, with its 95% interval.
    pub fn new(count: usize, total: usize) -> Self {
        let (share, low, high) = match wilson(count, total, Z95) {
            Some((lo, hi)) => (Some(count as f64 / total as f64), Some(lo), Some(hi)),
            None => (None, None, None),
        };
        Share {
            count,
            total,
            share,
            low,
            high,
        }
    }
}

/// The Wilson interval of `k` successes in `n` trials at normal quantile `z`; `None` for
/// `n == 0` (no data, no interval) or `k > n`.
pub fn wilson(k: usize, n: usize, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // Clamped because rounding can put an end a hair outside [0, 1] at k = 0 or k = n.
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_values() {
        // 8 of 10: the textbook Wilson interval is 0.4902 to 0.9433 (Newcombe 1998, method 3).
        let (lo, hi) = wilson(8, 10, Z95).unwrap();
        assert!(
            (lo - 0.4902).abs() < 5e-5 && (hi - 0.9433).abs() < 5e-5,
            "{lo} {hi}"
        );
        // 0 of 10: the lower end is exactly 0, the upper z^2 / (n + z^2).
        let (lo, hi) = wilson(0, 10, Z95).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - Z95 * Z95 / (10.0 + Z95 * Z95)).abs() < 1e-12);
        let (lo, hi) = wilson(10, 10, Z95).unwrap();
        assert!((lo - 10.0 / (10.0 + Z95 * Z95)).abs() < 1e-12, "{lo}");
        assert!((hi - 1.0).abs() < 1e-15, "{hi}");
        assert_eq!(wilson(0, 0, Z95), None);
        assert_eq!(wilson(3, 2, Z95), None);
    }

    #[test]
    fn share_of_nothing_is_none() {
        let s = Share::new(0, 0);
        assert_eq!((s.share, s.low, s.high), (None, None, None));
        assert_eq!(Share::new(1, 4).share, Some(0.25));
    }
}
