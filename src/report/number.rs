//! Numbers the report prints for a user to type back: cut-offs to 3 significant digits
//! (`--min-signal 2.77`, not `2.773563852578228`), and the flags of an abstain setting.

use crate::report::coverage::CoveragePoint;

/// `v` to 3 significant digits, without trailing zeros (`2.77`, `0.05`, `0`); whole numbers of
/// more than 3 digits keep them all.
pub fn three_digits(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A coverage point's abstain setting, as the flags that give it.
pub fn setting_flags(p: &CoveragePoint) -> String {
    format!(
        "--uncertain-band {} --min-signal {} --min-known {}",
        three_digits(p.band),
        three_digits(p.min_signal),
        three_digits(p.min_known)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_have_three_significant_digits() {
        assert_eq!(three_digits(2.773563852578228), "2.77");
        assert_eq!(three_digits(0.05), "0.05");
        assert_eq!(three_digits(0.123456), "0.123");
        assert_eq!(three_digits(0.0), "0");
        assert_eq!(three_digits(0.45), "0.45");
        assert_eq!(three_digits(12.345), "12.3");
        assert_eq!(three_digits(0.000123456), "0.000123");
    }
}
