//! Accuracy against coverage for the abstain threshold: on labelled records, every setting of
//! an uncertainty band, a minimum signal and a minimum share of known terms on a grid gives a
//! share of documents kept as certain (coverage) and the accuracy on them, so a user can pick
//! `--uncertain-band`, `--min-signal` and `--min-known` for the coverage they need. The
//! known-share cut-off is on the grid because on texts unlike the training documents it, not
//! the band, decides most flags. What no setting can change (fewer than
//! [`MIN_TOKENS`](crate::model::evidence::MIN_TOKENS) tokens,
//! no weighted term) is counted apart.

use serde::Serialize;

use crate::model::evidence::{Evidence, UncertaintyPolicy};
use crate::report::error::ReportError;
use crate::report::wilson::Share;

/// The bands tried by default: 0 to 0.45 in steps of 0.05.
pub fn default_bands() -> Vec<f64> {
    // i * 5 / 100 rather than i * 0.05, so that 0.15 is 0.15 and not 0.15000000000000002.
    (0..10).map(|i| f64::from(i * 5) / 100.0).collect()
}

/// The minimum signals tried by default: 0, the model's own, and the 5th to 50th percentiles
/// of the records' signal, each rounded to three decimals so that the value printed is the one
/// evaluated.
pub fn default_signals(signals: &[f64], current: f64) -> Vec<f64> {
    let mut sorted: Vec<f64> = signals.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mut out = vec![0.0, round3(current)];
    if !sorted.is_empty() {
        for q in [0.05, 0.1, 0.2, 0.3, 0.4, 0.5] {
            let at = ((sorted.len() - 1) as f64 * q).round() as usize;
            out.push(round3(sorted[at]));
        }
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// The minimum known-term shares tried by default: 0 (off), the model's own, 0.3 to 0.6 by
/// 0.1, and the 5th and 10th percentiles of the records' known share (which keep about 95% and
/// 90% of them), rounded to three decimals.
pub fn default_knowns(knowns: &[f64], current: f64) -> Vec<f64> {
    let mut sorted: Vec<f64> = knowns.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mut out = vec![0.0, 0.3, 0.4, 0.5, 0.6, round3(current)];
    if !sorted.is_empty() {
        for q in [0.05, 0.1] {
            let at = ((sorted.len() - 1) as f64 * q).round() as usize;
            // Rounded down, so that the record at the percentile is kept.
            out.push((sorted[at] * 1000.0).floor() / 1000.0);
        }
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One setting of the grid and what it gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveragePoint {
    pub band: f64,
    pub min_signal: f64,
    pub min_known: f64,
    /// Labelled documents kept as certain, of all labelled ones.
    pub coverage: Share,
    /// Accuracy on the certain documents.
    pub accuracy_certain: Share,
    /// Accuracy on the uncertain ones.
    pub accuracy_uncertain: Share,
}

/// The grid, the model's current setting, and the setting picked for the target coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub target: f64,
    /// The records' own (the model's, or the overridden) minimum known share.
    pub min_known: f64,
    pub points: Vec<CoveragePoint>,
    pub current: CoveragePoint,
    /// The most accurate setting whose coverage reaches the target; `None` if none does.
    pub pick: Option<CoveragePoint>,
    /// Accuracy over every labelled document, abstaining on none.
    pub accuracy_all: Share,
    /// Labelled documents uncertain under any band, signal and known share: fewer than 4
    /// tokens, or no weighted term.
    pub always_uncertain: usize,
}

/// A labelled record as the grid needs it.
pub struct Labelled<'a> {
    pub probabilities: &'a [f64],
    pub evidence: &'a Evidence,
    pub correct: bool,
}

fn point(records: &[Labelled], policy: &UncertaintyPolicy) -> CoveragePoint {
    let (mut certain, mut right_certain, mut right_uncertain) = (0, 0, 0);
    for r in records {
        if policy.is_uncertain(r.probabilities, r.evidence) {
            right_uncertain += usize::from(r.correct);
        } else {
            certain += 1;
            right_certain += usize::from(r.correct);
        }
    }
    CoveragePoint {
        band: policy.band,
        min_signal: policy.min_signal,
        min_known: policy.min_known,
        coverage: Share::new(certain, records.len()),
        accuracy_certain: Share::new(right_certain, certain),
        accuracy_uncertain: Share::new(right_uncertain, records.len() - certain),
    }
}

/// The most settings the grid may have. Each setting is one pass over the labelled records and
/// one point in the JSON report; the default grid has at most 10 x 8 x 8 = 640.
pub const MAX_GRID_POINTS: usize = 5000;

/// At most how many values [`default_signals`] and [`default_knowns`] give.
const DEFAULT_AXIS_MAX: usize = 8;

/// Refuses a grid of more than [`MAX_GRID_POINTS`] settings, before any record is read: the
/// number of bands, and of minimum signals and known shares where they are given (`None` for
/// the defaults, counted at their most).
pub fn check_grid_size(
    bands: usize,
    signals: Option<usize>,
    knowns: Option<usize>,
) -> Result<(), ReportError> {
    let (s, k) = (
        signals.unwrap_or(DEFAULT_AXIS_MAX),
        knowns.unwrap_or(DEFAULT_AXIS_MAX),
    );
    let points = bands.saturating_mul(s).saturating_mul(k);
    if points > MAX_GRID_POINTS {
        return Err(ReportError::GridTooLarge {
            bands,
            signals: s,
            knowns: k,
            points,
            max: MAX_GRID_POINTS,
        });
    }
    Ok(())
}

/// The values each grid axis takes.
pub struct Grid<'a> {
    pub bands: &'a [f64],
    pub signals: &'a [f64],
    pub knowns: &'a [f64],
}

/// Evaluates every setting of `grid` on `records`, under `base` otherwise (its prior).
pub fn coverage(
    records: &[Labelled],
    base: &UncertaintyPolicy,
    grid: &Grid,
    target: f64,
) -> Coverage {
    let mut points = Vec::with_capacity(grid.knowns.len() * grid.bands.len() * grid.signals.len());
    for &min_known in grid.knowns {
        for &band in grid.bands {
            for &min_signal in grid.signals {
                let policy = UncertaintyPolicy {
                    band,
                    min_signal,
                    min_known,
                    ..*base
                };
                points.push(point(records, &policy));
            }
        }
    }
    // Of settings with the same outcome, the one closest to the records' own known share (the
    // least change), then the gentlest: the smallest band, then the smallest signal.
    let distance = |p: &CoveragePoint| (p.min_known - base.min_known).abs();
    let pick = points
        .iter()
        .filter(|p| p.coverage.share.is_some_and(|c| c >= target))
        .max_by(|a, b| {
            let acc = |p: &CoveragePoint| p.accuracy_certain.share.unwrap_or(0.0);
            acc(a)
                .total_cmp(&acc(b))
                .then(a.coverage.count.cmp(&b.coverage.count))
                .then(distance(b).total_cmp(&distance(a)))
                .then(b.band.total_cmp(&a.band))
                .then(b.min_signal.total_cmp(&a.min_signal))
        })
        .cloned();
    let correct = records.iter().filter(|r| r.correct).count();
    // What no threshold reaches; `is_uncertain` also flags NaN evidence, which no setting
    // changes either.
    let open = point(
        records,
        &UncertaintyPolicy {
            band: 0.0,
            min_signal: 0.0,
            min_known: 0.0,
            ..*base
        },
    );
    Coverage {
        always_uncertain: records.len() - open.coverage.count,
        target,
        min_known: base.min_known,
        current: point(records, base),
        points,
        pick,
        accuracy_all: Share::new(correct, records.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(signal: f64) -> Evidence {
        Evidence {
            tokens: 50,
            known: 1.0,
            signal,
            terms: 5,
        }
    }

    #[test]
    fn a_wider_band_trades_coverage_for_accuracy() {
        let e = [ev(1.0), ev(1.0), ev(1.0), ev(0.1)];
        let records = [
            Labelled {
                probabilities: &[0.05, 0.95],
                evidence: &e[0],
                correct: true,
            },
            Labelled {
                probabilities: &[0.1, 0.9],
                evidence: &e[1],
                correct: true,
            },
            Labelled {
                probabilities: &[0.42, 0.58],
                evidence: &e[2],
                correct: false,
            },
            Labelled {
                probabilities: &[0.2, 0.8],
                evidence: &e[3],
                correct: false,
            },
        ];
        let base = UncertaintyPolicy::default();
        let grid = Grid {
            bands: &[0.0, 0.1],
            signals: &[0.0, 0.5],
            knowns: &[0.0],
        };
        let c = coverage(&records, &base, &grid, 0.5);
        // band 0, signal 0: all four certain, 2 of 4 right.
        assert_eq!(c.points[0].coverage.count, 4);
        assert_eq!(c.points[0].accuracy_certain.count, 2);
        // band 0.1 drops the 0.58; signal 0.5 drops the weak one: 2 of 2 right.
        assert_eq!(c.points[3].coverage.count, 2);
        assert_eq!(c.points[3].accuracy_certain.share, Some(1.0));
        assert_eq!(c.points[3].accuracy_uncertain.share, Some(0.0));
        // Coverage 0.5 at best accuracy: band 0.1 with signal 0.5 (the only one at 100%).
        let pick = c.pick.unwrap();
        assert_eq!((pick.band, pick.min_signal), (0.1, 0.5));
        assert_eq!(c.accuracy_all.share, Some(0.5));
        assert_eq!(c.always_uncertain, 0);
        // Fewer than 4 tokens: uncertain whatever the band and signal.
        let short = Evidence {
            tokens: 3,
            ..ev(1.0)
        };
        let records = [Labelled {
            probabilities: &[0.05, 0.95],
            evidence: &short,
            correct: true,
        }];
        let grid = Grid {
            bands: &[0.0],
            signals: &[0.0],
            knowns: &[0.0],
        };
        let c = coverage(&records, &base, &grid, 0.9);
        assert_eq!((c.always_uncertain, c.pick), (1, None));
    }

    #[test]
    fn lowering_min_known_is_picked_when_only_it_reaches_the_target() {
        let known = |known| Evidence { known, ..ev(1.0) };
        // Known shares 0.9, 0.9, 0.9, 0.2: under the records' min_known 0.5 the last is
        // uncertain whatever the band, so coverage is at most 3 of 4.
        let e = [known(0.9), known(0.9), known(0.9), known(0.2)];
        let records: Vec<Labelled> = e
            .iter()
            .map(|e| Labelled {
                probabilities: &[0.1, 0.9],
                evidence: e,
                correct: e.known > 0.5,
            })
            .collect();
        let base = UncertaintyPolicy {
            min_known: 0.5,
            ..UncertaintyPolicy::default()
        };
        let grid = Grid {
            bands: &[0.0, 0.1],
            signals: &[0.0],
            knowns: &[0.1, 0.5],
        };
        let c = coverage(&records, &base, &grid, 1.0);
        assert_eq!(c.points.len(), 4);
        assert_eq!(c.current.coverage.count, 3);
        let pick = c.pick.unwrap();
        assert_eq!(
            (pick.band, pick.min_signal, pick.min_known),
            (0.0, 0.0, 0.1)
        );
        assert_eq!((pick.coverage.count, pick.accuracy_certain.count), (4, 3));
        // The 0.2 known share is certain at min_known 0.1, so no record is uncertain at every
        // setting.
        assert_eq!(c.always_uncertain, 0);
        // For 75%, all of min_known 0.5's settings keep 3 of 3 right: the records' own
        // min_known, then the smallest band.
        let c = coverage(&records, &base, &grid, 0.75);
        let pick = c.pick.unwrap();
        assert_eq!((pick.band, pick.min_known), (0.0, 0.5));
    }

    #[test]
    fn known_grid_holds_zero_the_current_fixed_steps_and_percentiles() {
        let knowns: Vec<f64> = (0..=100).map(|i| f64::from(i) / 100.0).collect();
        assert_eq!(
            default_knowns(&knowns, 0.63219),
            [0.0, 0.05, 0.1, 0.3, 0.4, 0.5, 0.6, 0.632]
        );
    }

    #[test]
    fn signal_grid_holds_zero_the_current_and_percentiles() {
        let signals: Vec<f64> = (0..=100).map(f64::from).collect();
        assert_eq!(
            default_signals(&signals, 7.12345),
            [0.0, 5.0, 7.123, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
    }
}
