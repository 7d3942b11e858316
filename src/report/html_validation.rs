//! The report page's top: the out-of-domain warning of each input outside the model's
//! training data, and the validation section (the model on the user's own labelled sample,
//! and the adjusted shares beside the raw ones). Everything from the input is escaped.

use std::fmt::Write;

use crate::report::adjusted::Adjusted;
use crate::report::aggregate::{GroupStats, Report};
use crate::report::html::{confusion_table, escape, interval_cell};
use crate::report::validation::{Estimate, Validation};

/// Inline styles of the warning box: the page's style sheet is shared with other helpers'
/// sections, so these stay here.
const WARNING_STYLE: &str =
    "border:2px solid #c62;background:#fff4ec;padding:.6em 1em;margin:1em 0";

/// A warning box per input outside the training data.
pub(crate) fn domain_warnings(h: &mut String, report: &Report) {
    for d in report.domain.iter().filter(|d| d.check.outside) {
        let _ = writeln!(
            h,
            "<div class=\"warning\" id=\"out-of-domain\" style=\"{WARNING_STYLE}\"><b>Out of domain: {}</b>. {}</div>",
            escape(&d.path),
            escape(d.warning.as_deref().unwrap_or_default())
        );
    }
}

fn estimate(e: &Estimate) -> String {
    format!(
        "{:.1}% <span class=\"ci\">[{:.1}–{:.1}, {}]</span>",
        100.0 * e.value,
        100.0 * e.low,
        100.0 * e.high,
        e.interval
    )
}

fn adjusted_cell(a: Option<&Adjusted>) -> String {
    let Some(a) = a else {
        return "–".into();
    };
    let note = a
        .note
        .as_deref()
        .map(|n| format!(" <span class=\"ci\" title=\"{0}\">({0})</span>", escape(n)))
        .unwrap_or_default();
    match (a.share, a.low, a.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{}{note}", interval_cell(v, lo, hi)),
        (Some(v), _, _) => format!("{:.1}%{note}", 100.0 * v),
        _ => format!("–{note}"),
    }
}

fn raw_cell(g: &GroupStats, l: usize) -> String {
    g.labels[l]
        .share
        .share
        .map_or("–".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// Raw and adjusted shares of every label, overall and per group.
fn shares_table(h: &mut String, report: &Report, v: &Validation) {
    h.push_str("<table><tr><th class=\"k\">group</th><th>documents</th><th>validation texts</th>");
    for l in &report.labels {
        let l = escape(l);
        let _ = write!(h, "<th>raw {l}</th><th>adjusted {l} [95% CI]</th>");
    }
    h.push_str("</tr>\n");
    let texts = std::iter::once(v.texts).chain(v.groups.iter().map(|g| g.texts));
    let rows = std::iter::once(&report.overall).chain(&report.groups);
    for (g, n) in rows.zip(texts) {
        let _ = write!(
            h,
            "<tr><td class=\"k\">{}</td><td>{}</td><td>{n}</td>",
            escape(&g.key.join(" · ")),
            g.documents
        );
        for (l, s) in g.labels.iter().enumerate() {
            let _ = write!(
                h,
                "<td>{}</td><td>{}</td>",
                raw_cell(g, l),
                adjusted_cell(s.adjusted.as_ref())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// The validation section, if the report has a validation sample.
pub(crate) fn validation_section(h: &mut String, report: &Report) {
    let Some(v) = &report.validation else {
        return;
    };
    let _ = writeln!(
        h,
        "<section id=\"validation\"><h2>On your corpus: the validation sample</h2>\n<p><b>{}</b></p>",
        escape(&v.quote)
    );
    let _ = writeln!(
        h,
        "<p>{} labelled texts{}{}{}: accuracy {}, macro-F1 {}.</p>",
        v.texts,
        if v.weighted {
            ", weighted by inclusion"
        } else {
            ""
        },
        if v.unlabelled > 0 {
            format!(" ({} unlabelled rows skipped)", v.unlabelled)
        } else {
            String::new()
        },
        if v.unmatched > 0 {
            format!(
                " ({} ids matching no scored record skipped: {})",
                v.unmatched,
                escape(&v.unmatched_ids.join(", "))
            )
        } else {
            String::new()
        },
        estimate(&v.accuracy),
        estimate(&v.macro_f1)
    );
    h.push_str("<table><tr><th class=\"k\">label</th><th>texts</th><th>precision</th><th>recall</th><th>F1</th></tr>\n");
    let pct = |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.1}%", 100.0 * x));
    for l in &v.per_label {
        let _ = writeln!(
            h,
            "<tr><td class=\"k\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&l.label),
            l.support,
            pct(l.precision),
            pct(l.recall),
            pct(l.f1)
        );
    }
    h.push_str("</table>\n<h3>Confusion on the validation sample</h3>\n");
    confusion_table(h, &v.confusion);
    let _ = writeln!(
        h,
        "<h3>Adjusted shares</h3>\n<p class=\"note\">Adjusted classify-and-count ({}): the raw share corrected by the error rates measured on the sample, with 95% bootstrap intervals ({} replicates, seed {}) that resample both the sample and the documents. A group with fewer than {} validation texts uses the overall error rates.</p>",
        v.method, v.bootstrap_replicates, v.seed, v.min_group_texts
    );
    shares_table(h, report, v);
    h.push_str("</section>\n");
}
