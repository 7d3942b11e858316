//! The report as one self-contained HTML page: inline CSS and inline SVG plots, no script, no
//! fonts, images or style sheets from anywhere else, so it opens offline and can be mailed.
//! Every value that came from the input (group values, ids, labels, paragraph text, terms) is
//! escaped here; the plots' labels are escaped by the SVG backend.

use std::fmt::Write;

use crate::report::aggregate::{GroupStats, OutletReport, Report};
use crate::report::coverage::{Coverage, CoveragePoint};
use crate::report::error::ReportError;
use crate::report::html_validation;
use crate::report::number::setting_flags;
use crate::report::plots;
use crate::report::reliability::Confusion;
use crate::report::wilson::Share;

/// One colour per label, in label order: the report's plots and `stance explain`'s page share it,
/// so a label has the same colour in both.
pub const PALETTE: [(u8, u8, u8); 6] = [
    (200, 40, 40),
    (30, 90, 200),
    (20, 140, 70),
    (150, 60, 170),
    (200, 120, 0),
    (90, 90, 90),
];

/// Escapes text for HTML element content and attribute values (the report's page and `stance
/// explain`'s share it).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font:15px/1.5 system-ui,sans-serif;max-width:78rem;margin:1.5rem auto;padding:0 1rem;color:#222;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem} .meta{color:#555;font-size:.9rem}
nav a{margin-right:1rem} table{border-collapse:collapse;font-size:.85rem;margin:.4rem 0}
th,td{padding:.15rem .55rem;border-bottom:1px solid #eee;text-align:right;vertical-align:top} td{white-space:nowrap}
th{background:#f6f6f6} td.k,th.k{text-align:left} .ci{color:#777;font-size:.8em}
.plots{display:flex;flex-wrap:wrap;gap:.8rem} .plots svg{border:1px solid #eee}
.outlets{display:flex;flex-wrap:wrap;column-gap:3rem} .terms{display:flex;gap:1.5rem} .terms div{min-width:14rem} .terms ol{margin:.2rem 0;padding-left:1.4rem;font-size:.85rem}
.snippet{white-space:normal;text-align:left;max-width:36rem;font-size:.85rem} .note{background:#f7f7f0;border-left:4px solid #cc9;padding:.4rem .8rem}
";

/// Outlets that get plots, terms and a confusion matrix of their own: the largest, so that a
/// report grouped by a field with thousands of values (`--by id`) stays a page. Every outlet is
/// in the tables.
pub const MAX_PLOTTED_OUTLETS: usize = 40;

/// The [`MAX_PLOTTED_OUTLETS`] outlets with the most documents, in name order.
fn shown_outlets(report: &Report) -> Vec<&OutletReport> {
    let mut by_size: Vec<&OutletReport> = report.outlets.iter().collect();
    by_size.sort_by(|a, b| {
        b.stats
            .documents
            .cmp(&a.stats.documents)
            .then(a.name.cmp(&b.name))
    });
    by_size.truncate(MAX_PLOTTED_OUTLETS);
    by_size.sort_by(|a, b| a.name.cmp(&b.name));
    by_size
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", 100.0 * v))
        .unwrap_or_else(|| "–".into())
}

/// `62.5% [30.6–86.3]`.
fn share_cell(s: &Share) -> String {
    match (s.share, s.low, s.high) {
        (Some(v), Some(lo), Some(hi)) => interval_cell(v, lo, hi),
        _ => "–".into(),
    }
}

/// A share and its interval as percentages: `62.5% [30.6–86.3]`.
pub(crate) fn interval_cell(v: f64, lo: f64, hi: f64) -> String {
    format!(
        "{:.1}% <span class=\"ci\">[{:.1}–{:.1}]</span>",
        100.0 * v,
        100.0 * lo,
        100.0 * hi
    )
}

/// An SVG from the plotting backend, without its XML namespace (HTML does not need it).
fn inline(svg: String) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn stats_table(h: &mut String, report: &Report, head: &[String], rows: &[&GroupStats]) {
    let labelled = rows.iter().any(|g| g.accuracy.is_some());
    h.push_str("<table><tr>");
    for f in head {
        let _ = write!(h, "<th class=\"k\">{}</th>", escape(f));
    }
    h.push_str("<th>documents</th>");
    for l in &report.labels {
        let _ = write!(
            h,
            "<th>{} share [95% CI]</th><th>mean p({})</th>",
            escape(l),
            escape(l)
        );
    }
    h.push_str("<th>uncertain</th>");
    if labelled {
        h.push_str("<th>accuracy [95% CI]</th>");
    }
    h.push_str("</tr>\n");
    for g in rows {
        h.push_str("<tr>");
        for k in &g.key {
            let _ = write!(h, "<td class=\"k\">{}</td>", escape(k));
        }
        let _ = write!(h, "<td>{}</td>", g.documents);
        for l in &g.labels {
            let _ = write!(
                h,
                "<td>{}</td><td>{:.3}</td>",
                share_cell(&l.share),
                l.mean_probability
            );
        }
        let _ = write!(h, "<td>{}</td>", share_cell(&g.uncertain));
        if labelled {
            let _ = write!(
                h,
                "<td>{}</td>",
                g.accuracy
                    .as_ref()
                    .map(share_cell)
                    .unwrap_or_else(|| "–".into())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

pub(crate) fn confusion_table(h: &mut String, c: &Confusion) {
    h.push_str("<table><tr><th class=\"k\">true ↓ / predicted →</th>");
    for p in &c.predicted {
        let _ = write!(h, "<th>{}</th>", escape(p));
    }
    h.push_str("</tr>");
    for (t, row) in c.truths.iter().zip(&c.counts) {
        let _ = write!(h, "<tr><td class=\"k\">{}</td>", escape(t));
        for (p, n) in c.predicted.iter().zip(row) {
            let style = if p == t {
                " style=\"font-weight:bold\""
            } else {
                ""
            };
            let _ = write!(h, "<td{style}>{n}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>\n");
}

fn coverage_section(h: &mut String, c: &Coverage, flags_differ: usize) -> Result<(), ReportError> {
    let target = format!("{:.0}%", c.target * 100.0);
    h.push_str("<div class=\"note\">");
    match &c.pick {
        Some(p) => {
            let _ = write!(
                h,
                "<p>For <b>{target} coverage</b>: <code>{}</code> keeps {} of the labelled documents as certain, {} right (accuracy on the uncertain rest: {}).</p>",
                setting_flags(p),
                pct(p.coverage.share),
                pct(p.accuracy_certain.share),
                pct(p.accuracy_uncertain.share)
            );
        }
        None => {
            let best = c
                .points
                .iter()
                .max_by_key(|p| p.coverage.count)
                .map(|p| {
                    format!(
                        " (the grid's highest is {}, with <code>{}</code>)",
                        pct(p.coverage.share),
                        setting_flags(p)
                    )
                })
                .unwrap_or_default();
            let _ = write!(
                h,
                "<p>No setting on the grid reaches {target} coverage{best}: {} of {} labelled documents are uncertain at any setting, for fewer than 4 tokens or no weighted term.</p>",
                c.always_uncertain,
                c.accuracy_all.total,
            );
        }
    }
    let p = &c.current;
    if flags_differ > 0 {
        let _ = writeln!(
            h,
            "<p><b>{flags_differ} records' uncertain flags differ from what this setting gives them</b>: were they scored with another model, or other <code>--uncertain-band</code>/<code>--min-signal</code>/<code>--min-known</code>? Pass the same <code>--model</code> and flags to the report.</p>"
        );
    }
    let _ = writeln!(
        h,
        "<p>The records' own setting (<code>{}</code>) covers {}: accuracy {} on the certain, {} on the uncertain; {} on all labelled documents.</p></div>",
        setting_flags(p),
        pct(p.coverage.share),
        pct(p.accuracy_certain.share),
        pct(p.accuracy_uncertain.share),
        pct(c.accuracy_all.share)
    );
    let _ = writeln!(
        h,
        "<div class=\"plots\">{}</div>",
        inline(plots::coverage(c)?)
    );
    coverage_grid(h, c);
    Ok(())
}

/// The coverage grid as tables, one per minimum known share (that of the pick, or the records'
/// own, open): one row per band, one column per minimum signal.
fn coverage_grid(h: &mut String, c: &Coverage) {
    let mut bands: Vec<f64> = c.points.iter().map(|p| p.band).collect();
    bands.sort_by(f64::total_cmp);
    bands.dedup();
    let mut signals: Vec<f64> = c.points.iter().map(|p| p.min_signal).collect();
    signals.sort_by(f64::total_cmp);
    signals.dedup();
    let mut knowns: Vec<f64> = c.points.iter().map(|p| p.min_known).collect();
    knowns.sort_by(f64::total_cmp);
    knowns.dedup();
    let open = c.pick.as_ref().map_or(c.min_known, |p| p.min_known);
    h.push_str("<h3>Coverage / accuracy on the certain, per setting</h3>\n");
    for k in &knowns {
        let _ = write!(
            h,
            "<details{}><summary>min known {k}</summary><table><tr><th class=\"k\">band ↓ / min signal →</th>",
            if *k == open { " open" } else { "" }
        );
        for s in &signals {
            let _ = write!(h, "<th>{s}</th>");
        }
        h.push_str("</tr>");
        for b in &bands {
            let _ = write!(h, "<tr><td class=\"k\">{b}</td>");
            for s in &signals {
                let at =
                    |p: &&CoveragePoint| p.band == *b && p.min_signal == *s && p.min_known == *k;
                match c.points.iter().find(at) {
                    Some(p) => {
                        let _ = write!(
                            h,
                            "<td>{} / {}</td>",
                            pct(p.coverage.share),
                            pct(p.accuracy_certain.share)
                        );
                    }
                    None => h.push_str("<td>–</td>"),
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table></details>\n");
    }
}

fn terms_section(h: &mut String, report: &Report, outlet: &OutletReport) {
    let _ = write!(
        h,
        "<div class=\"outlet\"><h3>{}</h3><div class=\"terms\">",
        escape(&outlet.name)
    );
    for (label, terms) in &outlet.terms {
        let _ = write!(h, "<div><b>toward {}</b><ol>", escape(label));
        for t in terms {
            let _ = write!(
                h,
                "<li>{} <span class=\"ci\">{:+.3} in {} doc{}</span></li>",
                escape(&t.surface),
                t.contribution,
                t.documents,
                if t.documents == 1 { "" } else { "s" }
            );
        }
        if terms.is_empty() {
            h.push_str("<li class=\"ci\">none</li>");
        }
        h.push_str("</ol></div>");
    }
    let _ = report;
    h.push_str("</div></div>\n");
}

/// Renders the page; `title` names the input (file names, say).
pub fn render_html(report: &Report, title: &str) -> Result<String, ReportError> {
    let mut h = String::new();
    header(&mut h, report, title);
    html_validation::domain_warnings(&mut h, report);
    html_validation::validation_section(&mut h, report);
    overall_section(&mut h, report);
    let shown = shown_outlets(report);
    outlets_section(&mut h, report, &shown)?;
    time_section(&mut h, report, &shown)?;
    distribution_section(&mut h, report, &shown)?;
    terms_sections(&mut h, report, &shown);
    paragraphs_section(&mut h, report);
    labelled_sections(&mut h, report, &shown)?;
    if let Some(c) = &report.coverage {
        h.push_str("<section id=\"coverage\"><h2>Accuracy against coverage</h2>\n");
        h.push_str("<p>How to use this: pick the setting whose coverage you can live with, score with its flags (<code>stance score --uncertain-band B --min-signal S --min-known K</code>), and report the certain documents only.</p>\n");
        coverage_section(&mut h, c, report.flags_differ)?;
        h.push_str("</section>\n");
    }
    groups_section(&mut h, report);
    h.push_str("</body></html>\n");
    Ok(without_controls(h))
}

/// The page's head, title line and navigation.
fn header(h: &mut String, report: &Report, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>stance report: {}</title>\n<style>\n{STYLE}</style></head><body>\n",
        escape(title)
    );
    let _ = write!(
        h,
        "<header><h1>Stance report</h1><p class=\"meta\">{} · {} documents · labels {} · grouped by {}{}</p>\n<nav><a href=\"#groups\">groups</a><a href=\"#time\">time series</a><a href=\"#distribution\">distribution</a><a href=\"#terms\">terms</a><a href=\"#paragraphs\">paragraphs</a>{}</nav></header>\n",
        escape(title),
        report.overall.documents,
        escape(&report.labels.join(", ")),
        escape(&report.by.join(", ")),
        report
            .time_unit
            .map(|u| format!(" · time series by {}", u.name()))
            .unwrap_or_default(),
        if report.labelled > 0 {
            "<a href=\"#reliability\">reliability</a><a href=\"#confusion\">confusion</a><a href=\"#coverage\">coverage</a>"
        } else {
            ""
        }
    );
}

/// Every document's figures and the fields some lack.
fn overall_section(h: &mut String, report: &Report) {
    h.push_str("<section id=\"overall\"><h2>All documents</h2>\n");
    stats_table(h, report, &["".to_string()], &[&report.overall]);
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&report.shares_note()));
    let missing: Vec<String> = report
        .missing
        .iter()
        .filter(|m| m.documents > 0)
        .map(|m| format!("{} lack {:?} (group “(none)”)", m.documents, m.field))
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}.</p>", escape(&missing.join("; ")));
    }
    h.push_str("</section>\n");
}

/// The share per outlet: its plot and table.
fn outlets_section(
    h: &mut String,
    report: &Report,
    shown: &[&OutletReport],
) -> Result<(), ReportError> {
    h.push_str("<section id=\"outlets\"><h2>Share per outlet</h2>\n");
    if shown.len() < report.outlets.len() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} outlets: the plots, terms and confusion matrices show the {} with the most documents; the tables show all.</p>",
            report.outlets.len(),
            shown.len()
        );
    }
    let _ = writeln!(
        h,
        "<div class=\"plots\">{}</div>",
        inline(plots::shares(report, shown)?)
    );
    let outlet_rows: Vec<&GroupStats> = report.outlets.iter().map(|o| &o.stats).collect();
    let outlet_head = vec![if report.outlet_fields.is_empty() {
        "outlet".to_string()
    } else {
        report.outlet_fields.join(" · ")
    }];
    stats_table(h, report, &outlet_head, &outlet_rows);
    h.push_str("</section>\n");
    Ok(())
}

/// The time series per outlet, or why there is none.
fn time_section(
    h: &mut String,
    report: &Report,
    shown: &[&OutletReport],
) -> Result<(), ReportError> {
    h.push_str("<section id=\"time\"><h2>Time series per outlet</h2>\n");
    match report.time_unit {
        Some(unit) if !report.buckets.is_empty() => {
            let _ = write!(
                h,
                "<p class=\"meta\">Share of documents predicted {} per {}, with 95% Wilson intervals.{}</p><div class=\"plots\">",
                escape(&report.plotted.join(", ")),
                unit.name(),
                if report.undated > 0 {
                    format!(" {} undated documents are left out.", report.undated)
                } else {
                    String::new()
                }
            );
            for o in shown {
                if !o.series.is_empty() {
                    h.push_str(&inline(plots::series(report, o)?));
                }
            }
            h.push_str("</div>\n");
        }
        Some(_) => h.push_str(
            "<p class=\"note\">No document has a date, so there is no time series.</p>\n",
        ),
        None => h.push_str("<p class=\"note\">No time series was asked for.</p>\n"),
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The distribution of the plotted probability per outlet.
fn distribution_section(
    h: &mut String,
    report: &Report,
    shown: &[&OutletReport],
) -> Result<(), ReportError> {
    let _ = write!(
        h,
        "<section id=\"distribution\"><h2>Distribution of p({}) per outlet</h2><div class=\"plots\">",
        escape(&report.plotted.join(", "))
    );
    for o in shown {
        h.push_str(&inline(plots::distribution(report, o)?));
    }
    h.push_str("</div></section>\n");
    Ok(())
}

/// The terms that push each shown outlet's documents.
fn terms_sections(h: &mut String, report: &Report, shown: &[&OutletReport]) {
    h.push_str("<section id=\"terms\"><h2>Terms that push each outlet's documents</h2>\n");
    if report.with_terms == 0 {
        h.push_str("<p class=\"note\">Term contributions come from scoring the texts: give the report raw records (with their text) and it scores them itself.</p>\n");
    } else {
        let _ = writeln!(h, "<p class=\"meta\">Each term's exact contribution to the logit (TF-IDF value × weight), summed over the outlet's documents ({} scored here), shown as written in the texts.</p>", report.with_terms);
        h.push_str("<div class=\"outlets\">");
        for o in shown {
            terms_section(h, report, o);
        }
        h.push_str("</div>");
    }
    h.push_str("</section>\n");
}

/// The paragraphs framed against their article.
fn paragraphs_section(h: &mut String, report: &Report) {
    h.push_str("<section id=\"paragraphs\"><h2>Paragraphs framed against their article</h2>\n");
    if report.with_paragraphs == 0 {
        h.push_str("<p class=\"note\">No paragraph scores: score with <code>stance score --paragraphs</code>, or give the report raw records.</p>\n");
    } else {
        let _ = write!(
            h,
            "<p class=\"meta\">{} paragraphs, in the {} articles scored by paragraph, are predicted against their article's label, both certain; the {} leaning furthest from it (by 1 − p(article's label)):</p>\n<table><tr><th class=\"k\">id</th><th class=\"k\">outlet</th><th>¶</th><th>article</th><th>paragraph</th><th class=\"k\">text</th></tr>\n",
            report.opposing_total,
            report.with_paragraphs,
            report.opposing.len()
        );
        for (i, p) in report.opposing.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr id=\"paragraph-{}\"><td class=\"k\"><a href=\"#paragraph-{}\"><code>{}</code></a></td><td class=\"k\">{}</td><td>{}</td><td>{} {:.2}</td><td>{} {:.2}</td><td class=\"snippet\">{}</td></tr>",
                i + 1,
                i + 1,
                escape(&p.id),
                escape(&p.outlet),
                p.paragraph,
                escape(&p.article_label),
                p.article_probability,
                escape(&p.label),
                p.probability,
                p.snippet.as_deref().map(escape).unwrap_or_else(|| format!("<span class=\"ci\">bytes {}–{}</span>", p.start, p.end))
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
}

/// With true labels: the reliability diagram and the confusion matrices.
fn labelled_sections(
    h: &mut String,
    report: &Report,
    shown: &[&OutletReport],
) -> Result<(), ReportError> {
    if let (Some(r), Some(c)) = (&report.reliability, &report.confusion) {
        let _ = writeln!(
            h,
            "<section id=\"reliability\"><h2>Reliability</h2><p class=\"meta\">{} documents with a true label. Expected calibration error {:.3}: within each bin, how far the share right is from the mean probability.</p><div class=\"plots\">{}</div></section>",
            report.labelled,
            r.ece,
            inline(plots::reliability(r)?)
        );
        h.push_str("<section id=\"confusion\"><h2>Confusion matrices</h2><div class=\"outlets\"><div><h3>All documents</h3>\n");
        confusion_table(h, c);
        h.push_str("</div>");
        for o in shown {
            if let Some(c) = &o.confusion {
                let _ = write!(h, "<div><h3>{}</h3>", escape(&o.name));
                confusion_table(h, c);
                h.push_str("</div>");
            }
        }
        h.push_str("</div></section>\n");
    }
    Ok(())
}

/// Every group, last and folded when long: with --by source,month it is outlets x months rows.
fn groups_section(h: &mut String, report: &Report) {
    let _ = writeln!(
        h,
        "<section id=\"groups\"><h2>Groups</h2><details{}><summary>{} groups by {}</summary>",
        if report.groups.len() <= 30 {
            " open"
        } else {
            ""
        },
        report.groups.len(),
        escape(&report.by.join(", "))
    );
    let rows: Vec<&GroupStats> = report.groups.iter().collect();
    stats_table(h, report, &report.by, &rows);
    h.push_str("</details></section>\n");
}

/// The page with every control character but newline, tab and carriage return turned into a
/// space: a NUL or escape from the input must not reach the HTML raw, and the plots' SVG text
/// is drawn by a library that passes them through.
fn without_controls(page: String) -> String {
    if !page
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return page;
    }
    page.chars()
        .map(|c| match c {
            '\n' | '\t' | '\r' => c,
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
