//! Word n-grams over the stemmed tokens.
//!
//! An n-gram's term is its stems joined by single spaces (`kiev regim`); unigrams are the stems
//! themselves. Stop words and masked spans were removed before this stage, so n-grams may join
//! words that had a stop word between them, as in scikit-learn.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParamError;

/// The longest n-gram supported; longer ones only memorise sentences.
pub const MAX_N: usize = 5;

/// An inclusive n-gram range, checked on construction. Defaults to `1..2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "(usize, usize)", into = "(usize, usize)")]
pub struct NgramRange {
    min: usize,
    max: usize,
}

impl NgramRange {
    /// A range `min..=max`; refuses `min == 0`, `min > max` and `max > 5`.
    pub fn new(min: usize, max: usize) -> Result<Self, ParamError> {
        if min == 0 || min > max || max > MAX_N {
            return Err(ParamError::NgramRange { min, max });
        }
        Ok(NgramRange { min, max })
    }

    /// Single words: `1..1`.
    pub fn unigrams() -> Self {
        NgramRange { min: 1, max: 1 }
    }

    /// The shortest n-gram length.
    pub fn min(&self) -> usize {
        self.min
    }

    /// The longest n-gram length.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Calls `f` with the token index range of every n-gram of `n_tokens` tokens, in order of
    /// start position, then length.
    pub fn for_each_window(&self, n_tokens: usize, mut f: impl FnMut(std::ops::Range<usize>)) {
        for start in 0..n_tokens {
            for n in self.min..=self.max {
                if start + n > n_tokens {
                    break;
                }
                f(start..start + n);
            }
        }
    }

    /// How many n-grams `n_tokens` tokens have.
    pub fn n_windows(&self, n_tokens: usize) -> usize {
        (self.min..=self.max)
            .map(|n| (n_tokens + 1).saturating_sub(n))
            .sum()
    }

    /// The n-gram terms of a sequence of stems.
    pub fn terms(&self, stems: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_window(stems.len(), |w| out.push(stems[w].join(" ")));
        out
    }
}

impl Default for NgramRange {
    fn default() -> Self {
        NgramRange { min: 1, max: 2 }
    }
}

impl TryFrom<(usize, usize)> for NgramRange {
    type Error = ParamError;
    fn try_from((min, max): (usize, usize)) -> Result<Self, Self::Error> {
        NgramRange::new(min, max)
    }
}

impl From<NgramRange> for (usize, usize) {
    fn from(r: NgramRange) -> Self {
        (r.min, r.max)
    }
}

impl FromStr for NgramRange {
    type Err = ParamError;

    /// Parses `1..2`, `1..=2`, `1-2`, `1,2` or a single `2` (meaning `2..2`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParamError::NgramSyntax(s.to_string());
        let s2 = s.trim();
        let (a, b) = if let Some((a, b)) = s2.split_once("..=") {
            (a, b)
        } else if let Some((a, b)) = s2.split_once("..") {
            (a, b)
        } else if let Some((a, b)) = s2.split_once(['-', ',']) {
            (a, b)
        } else {
            (s2, s2)
        };
        let min = a.trim().parse().map_err(|_| bad())?;
        let max = b.trim().parse().map_err(|_| bad())?;
        NgramRange::new(min, max)
    }
}

impl fmt::Display for NgramRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unigrams_and_bigrams_in_order() {
        let stems: Vec<String> = ["kiev", "regim", "sabotag"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            NgramRange::new(1, 2).unwrap().terms(&stems),
            ["kiev", "kiev regim", "regim", "regim sabotag", "sabotag"]
        );
        assert_eq!(
            NgramRange::new(2, 3).unwrap().terms(&stems),
            ["kiev regim", "kiev regim sabotag", "regim sabotag"]
        );
    }

    #[test]
    fn parses_and_checks() {
        assert_eq!(
            "1..2".parse::<NgramRange>().unwrap(),
            NgramRange::new(1, 2).unwrap()
        );
        assert_eq!(
            "1..=3".parse::<NgramRange>().unwrap(),
            NgramRange::new(1, 3).unwrap()
        );
        assert_eq!(
            "2".parse::<NgramRange>().unwrap(),
            NgramRange::new(2, 2).unwrap()
        );
        assert!(matches!(
            "2..1".parse::<NgramRange>(),
            Err(ParamError::NgramRange { min: 2, max: 1 })
        ));
        assert!(matches!(
            "0..1".parse::<NgramRange>(),
            Err(ParamError::NgramRange { .. })
        ));
        assert!(matches!(
            "a..b".parse::<NgramRange>(),
            Err(ParamError::NgramSyntax(_))
        ));
    }

    #[test]
    fn invalid_range_is_refused_when_deserializing() {
        assert!(serde_json::from_str::<NgramRange>("[3, 1]").is_err());
        assert!(serde_json::from_str::<NgramRange>("[1, 3]").is_ok());
    }
}
