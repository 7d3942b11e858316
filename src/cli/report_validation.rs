//! `stance report --validation`'s lines on stdout: the model's figures on the validation
//! sample, which figure to quote, and the raw and adjusted shares overall and per group.

use std::io::Write;

use stance::report::adjusted::Adjusted;
use stance::report::validation::Estimate;
use stance::report::Report;

fn estimate(e: &Estimate) -> String {
    format!(
        "{:.1}% [{:.1}, {:.1}] ({})",
        100.0 * e.value,
        100.0 * e.low,
        100.0 * e.high,
        e.interval
    )
}

fn adjusted(a: Option<&Adjusted>) -> String {
    match a.map(|a| (a.share, a.low, a.high)) {
        Some((Some(v), Some(lo), Some(hi))) => {
            format!("{:.1}% [{:.1}, {:.1}]", 100.0 * v, 100.0 * lo, 100.0 * hi)
        }
        Some((Some(v), _, _)) => format!("{:.1}% (no interval)", 100.0 * v),
        _ => "-".into(),
    }
}

/// Prints the validation figures, if the report has a validation sample.
pub fn print(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    let Some(v) = &report.validation else {
        return Ok(());
    };
    writeln!(
        out,
        "\nvalidation: {} labelled texts{}; accuracy {}, macro-F1 {}",
        v.texts,
        if v.weighted { " (weighted)" } else { "" },
        estimate(&v.accuracy),
        estimate(&v.macro_f1)
    )?;
    if v.unlabelled > 0 {
        writeln!(out, "{} unlabelled validation rows skipped", v.unlabelled)?;
    }
    if v.unmatched > 0 {
        writeln!(
            out,
            "{} validation ids match no scored record, skipped: {}",
            v.unmatched,
            v.unmatched_ids.join(", ")
        )?;
    }
    for l in &v.per_label {
        let pct = |x: Option<f64>| x.map_or("-".into(), |x| format!("{:.1}%", 100.0 * x));
        writeln!(
            out,
            "  {:<16} texts {:>5}  precision {:>6}  recall {:>6}",
            l.label,
            l.support,
            pct(l.precision),
            pct(l.recall)
        )?;
    }
    writeln!(
        out,
        "confusion (rows true, columns predicted {}):",
        v.confusion.predicted.join(", ")
    )?;
    for (t, row) in v.confusion.truths.iter().zip(&v.confusion.counts) {
        let cells: Vec<String> = row.iter().map(|n| format!("{n:>6}")).collect();
        writeln!(out, "  {t:<16}{}", cells.join(""))?;
    }
    writeln!(out, "{}", v.quote)?;
    writeln!(
        out,
        "\n{:<32} {:>10} {:<10} {:>8} {:>24}",
        "group",
        "validation",
        "label",
        "raw",
        format!("adjusted ({}) [95% CI]", v.method)
    )?;
    let texts = std::iter::once(v.texts).chain(v.groups.iter().map(|g| g.texts));
    for (g, n) in std::iter::once(&report.overall)
        .chain(&report.groups)
        .zip(texts)
    {
        let name: String = g
            .key
            .join(" · ")
            .chars()
            .filter(|c| !c.is_control())
            .take(32)
            .collect();
        for l in &g.labels {
            writeln!(
                out,
                "{:<32} {:>10} {:<10} {:>7.1}% {:>24}",
                name,
                n,
                l.label,
                100.0 * l.share.share.unwrap_or(0.0),
                adjusted(l.adjusted.as_ref())
            )?;
        }
        if let Some(note) = g
            .labels
            .iter()
            .find_map(|l| l.adjusted.as_ref()?.note.as_ref())
        {
            writeln!(out, "{:<32} ({note})", "")?;
        }
    }
    Ok(())
}
