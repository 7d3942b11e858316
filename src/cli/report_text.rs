//! `stance report`'s summary on stdout: documents and groups, the share of each label per
//! outlet, the uncertainty cut-offs and the coverage pick.

use std::io::Write;

use stance::report::coverage::CoveragePoint;
use stance::report::number::{setting_flags, three_digits};
use stance::report::Report;

/// Writes the report's text summary.
pub fn render_text(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} documents, labels {}; {} groups by {}",
        report.overall.documents,
        report.labels.join(", "),
        report.groups.len(),
        report.by.join(", ")
    )?;
    writeln!(out, "{}", report.shares_note())?;
    for m in report.missing.iter().filter(|m| m.documents > 0) {
        writeln!(
            out,
            "{} documents lack {:?}: group \"(none)\"",
            m.documents, m.field
        )?;
    }
    super::report_validation::print(out, report)?;
    outlet_table(out, report)?;
    cut_offs(out, report)
}

/// The share of each label (the focus label's alone for two) per outlet, with its interval.
fn outlet_table(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    // Two labels: the focus label's share (the other is its complement); more: every label's.
    let shown: Vec<usize> = if report.labels.len() == 2 {
        let focus = report.plotted.first();
        vec![report
            .labels
            .iter()
            .position(|l| Some(l) == focus)
            .unwrap_or(0)]
    } else {
        (0..report.labels.len()).collect()
    };
    write!(out, "\n{:<32} {:>9}", "outlet", "documents")?;
    for &l in &shown {
        write!(
            out,
            " {:>26}",
            format!("share {} [95% CI]", report.labels[l])
        )?;
    }
    writeln!(out, " {:>10}", "uncertain")?;
    for o in &report.outlets {
        let name: String = o
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(32)
            .collect();
        write!(out, "{name:<32} {:>9}", o.stats.documents)?;
        for &l in &shown {
            let s = o.stats.labels[l].share;
            let cell = match s.share {
                Some(share) => format!(
                    "{:.1}% [{:.1}, {:.1}]",
                    100.0 * share,
                    100.0 * s.low.unwrap_or(0.0),
                    100.0 * s.high.unwrap_or(0.0)
                ),
                None => "n/a".to_string(),
            };
            write!(out, " {cell:>26}")?;
        }
        writeln!(
            out,
            " {:>9.1}%",
            100.0 * o.stats.uncertain.share.unwrap_or(0.0)
        )?;
    }
    Ok(())
}

/// Which uncertainty cut-offs the records carry, and the coverage pick.
fn cut_offs(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    match report.recorded_policies {
        0 => {}
        1 => writeln!(
            out,
            "\ncut-offs: the records' own (--uncertain-band {} --min-signal {} --min-known {}), as the records carry them, not the model's",
            three_digits(report.policy.band),
            three_digits(report.policy.min_signal),
            three_digits(report.policy.min_known)
        )?,
        n => writeln!(
            out,
            "\ncut-offs: the records carry {n} different ones (cv --predictions: one per fold); each record's flag is checked against its own, and the coverage grid below starts from the model's"
        )?,
    }
    if report.flags_differ > 0 {
        writeln!(
            out,
            "\n{} records' uncertain flags differ from what --uncertain-band {} --min-signal {} gives them: scored with another model or other flags? Pass the same here.",
            report.flags_differ,
            three_digits(report.policy.band),
            three_digits(report.policy.min_signal)
        )?;
    }
    if let Some(c) = &report.coverage {
        match &c.pick {
            Some(p) => writeln!(
                out,
                "\nfor {:.0}% coverage: {} ({})",
                100.0 * c.target,
                setting_flags(p),
                outcome(p)
            )?,
            None => writeln!(
                out,
                "\nno setting on the grid reaches {:.0}% coverage (its highest is {:.1}%); {} of {} labelled documents are uncertain at any setting (fewer than 4 tokens, or no weighted term)",
                100.0 * c.target,
                100.0 * c.points.iter().filter_map(|p| p.coverage.share).fold(0.0, f64::max),
                c.always_uncertain,
                c.accuracy_all.total,
            )?,
        }
        let p = &c.current;
        let whose = if report.recorded_policies > 1 {
            "the model's setting"
        } else {
            "the records' own setting"
        };
        writeln!(out, "{whose}, {}: {}", setting_flags(p), outcome(p))?;
    }
    Ok(())
}

/// A share as a percentage; "n/a" for a share of nothing (no certain document to be right on).
fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "n/a".to_string(), |s| format!("{:.1}%", 100.0 * s))
}

/// What a coverage point's setting gives: its coverage and accuracy on either side.
fn outcome(p: &CoveragePoint) -> String {
    format!(
        "coverage {}, accuracy {} on the certain, {} on the uncertain",
        pct(p.coverage.share),
        pct(p.accuracy_certain.share),
        pct(p.accuracy_uncertain.share)
    )
}
