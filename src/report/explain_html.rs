//! The self-contained HTML view of an explanation: the article with every weighted word shaded
//! by its contribution on a diverging scale, a badge per paragraph, and a header with the label,
//! probability, evidence and top terms. Inline CSS only; no script, fonts or network.
//! It lives with the report's HTML, whose escaping and palette it shares.

use std::fmt::Write;

use crate::model::Model;
use crate::predict::explain::{Explanation, SwapEffect};
use crate::report::html::{escape, PALETTE};

/// Escaped text of `range`, with the parts that masking removed struck through.
fn plain(text: &str, range: std::ops::Range<usize>, masked: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    for m in masked
        .iter()
        .filter(|m| m.end > range.start && m.start < range.end)
    {
        let (a, b) = (m.start.max(range.start), m.end.min(range.end));
        if a > at {
            out.push_str(&escape(&text[at..a]));
        }
        let _ = write!(
            out,
            "<span class=\"masked\" title=\"masked: not read by the model\">{}</span>",
            escape(&text[a.max(at)..b])
        );
        at = b.max(at);
    }
    if at < range.end {
        out.push_str(&escape(&text[at..range.end]));
    }
    out
}

/// Words whose weight is below this share of the strongest word's are not shaded.
const MIN_SHADE: f64 = 0.1;

fn colour(label: usize, alpha: f64) -> String {
    let (r, g, b) = PALETTE[label % PALETTE.len()];
    format!("rgba({r},{g},{b},{alpha:.2})")
}

/// Renders the page of an explanation `e` of `text` with its swap effects, listing the `top`
/// terms, under `title`: the page of `stance explain --html` and of Python's `explain_html`.
pub fn render(
    model: &Model,
    text: &str,
    e: &Explanation,
    swaps: &[SwapEffect],
    top: usize,
    title: &str,
) -> String {
    render_labels(model, text, e, swaps, top, title, false)
}

/// [`render`], with every label's logit decomposed when `all_labels` (`explain --all-labels`),
/// not only the predicted label's.
pub fn render_labels(
    model: &Model,
    text: &str,
    e: &Explanation,
    swaps: &[SwapEffect],
    top: usize,
    title: &str,
    all_labels: bool,
) -> String {
    let labels = model.labels();
    let shading = shading(labels, e);
    let mut h = String::new();
    head(&mut h, title);
    header(&mut h, labels, e, title, all_labels);
    legend_and_terms(&mut h, labels, e, top);
    what_if(&mut h, labels, swaps);
    h.push_str("</header>\n<main>\n");
    paragraphs(&mut h, text, e, &shading);
    h.push_str("</main>\n</body></html>\n");
    h
}

/// How each token of the text is shaded.
struct Shading {
    /// For each token: the label it pushes toward and how hard.
    push: Vec<(usize, f64)>,
    /// For each token: the terms covering it, with their contributions (its tooltip).
    notes: Vec<Vec<String>>,
    /// The strongest push (at least a tiny positive number), that shades scale to.
    max: f64,
}

fn shading(labels: &[String], e: &Explanation) -> Shading {
    let binary = labels.len() == 2;
    // Each token's share of the contributions of the features that cover it (an n-gram's
    // contribution is split evenly over its words), toward each label.
    let mut token_weight: Vec<Vec<f64>> = vec![vec![0.0; labels.len()]; e.tokens.len()];
    let mut token_notes: Vec<Vec<String>> = vec![Vec::new(); e.tokens.len()];
    for t in &e.terms {
        for span in &t.spans {
            let covered: Vec<usize> = e
                .tokens
                .iter()
                .enumerate()
                .filter(|(_, (s, _))| s.start >= span.start && s.end <= span.end)
                .map(|(i, _)| i)
                .collect();
            for &i in &covered {
                for (l, c) in t.contributions.iter().enumerate() {
                    token_weight[i][l] += c / covered.len() as f64;
                }
                let best = (0..labels.len())
                    .max_by(|&a, &b| t.contributions[a].total_cmp(&t.contributions[b]))
                    .unwrap_or(0);
                let note = format!(
                    "{} → {} {:+.3}",
                    t.term, labels[best], t.contributions[best]
                );
                if !token_notes[i].contains(&note) {
                    token_notes[i].push(note);
                }
            }
        }
    }
    // For each token: the label it pushes toward and how hard.
    let push: Vec<(usize, f64)> = token_weight
        .iter()
        .map(|w| {
            let best = (0..w.len())
                .max_by(|&a, &b| w[a].total_cmp(&w[b]))
                .unwrap_or(0);
            (
                best,
                if binary {
                    w[best].abs()
                } else {
                    w[best].max(0.0)
                },
            )
        })
        .collect();
    let max = push.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-12);
    Shading {
        push,
        notes: token_notes,
        max,
    }
}

/// The document's head: title and inline style.
fn head(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>stance: {}</title>\n<style>\n\
body{{font:16px/1.6 Georgia,serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222;background:#fff}}\n\
header{{border-bottom:2px solid #ddd;margin-bottom:1rem;padding-bottom:.5rem;font-family:system-ui,sans-serif}}\n\
.verdict{{font-size:1.6rem;font-weight:bold}} .meta{{color:#555;font-size:.9rem}}\n\
.cols{{display:flex;gap:2rem;flex-wrap:wrap}} .cols div{{flex:1;min-width:14rem}} .cols li{{font-size:.9rem}}\n\
.legend span{{padding:0 .4rem;border-radius:3px;margin-right:.5rem}}\n\
.para{{display:flex;gap:.8rem;margin:.6rem 0}} .badge{{flex:0 0 5.5rem;font:12px system-ui,sans-serif;text-align:right;padding-top:.2rem}}\n\
.bar{{height:6px;border-radius:3px;margin-top:2px}} .body{{flex:1;overflow-wrap:anywhere}}\n\
mark{{color:inherit;border-radius:2px;padding:0 1px}} .uncertain{{color:#888}}\n\
.masked{{color:#999;text-decoration:line-through}}\n\
table{{font:13px system-ui,sans-serif;border-collapse:collapse}} td{{padding:0 .6rem}}\n\
</style></head><body>\n",
        escape(title)
    );
}

/// The verdict: label, probability, evidence and the logit's decomposition.
fn header(h: &mut String, labels: &[String], e: &Explanation, title: &str, all_labels: bool) {
    let p = &e.score.prediction;
    let _ = write!(
        h,
        "<header><div class=\"verdict\" style=\"color:{}\">{} <span class=\"meta\">p = {:.3}{}</span></div>\n\
<div class=\"meta\">{} · evidence: {} tokens, {:.0}% of terms known, signal {:.2} · logit({}) {:+.3} = intercept {:+.3} + {} terms</div>\n{}<p class=\"legend\">",
        colour(p.top(), 1.0),
        escape(p.label_or_none()),
        p.probabilities[p.top()],
        if p.uncertain { " · uncertain" } else { "" },
        escape(title),
        p.evidence.tokens,
        100.0 * p.evidence.known,
        p.evidence.signal,
        escape(&labels[p.top()]),
        e.logits[p.top()],
        e.intercepts[p.top()],
        e.terms.len(),
        if all_labels {
            let lines: Vec<String> = (0..labels.len())
                .filter(|&l| l != p.top())
                .map(|l| {
                    format!(
                        "logit({}) {:+.3} = intercept {:+.3} + term contributions",
                        escape(&labels[l]),
                        e.logits[l],
                        e.intercepts[l]
                    )
                })
                .collect();
            format!("<div class=\"meta\">{}</div>\n", lines.join(" · "))
        } else {
            String::new()
        }
    );
}

/// The shading legend and the top terms toward each label.
fn legend_and_terms(h: &mut String, labels: &[String], e: &Explanation, top: usize) {
    for (l, name) in labels.iter().enumerate() {
        let _ = write!(
            h,
            "<span style=\"background:{}\">shaded: pushes toward {}</span>",
            colour(l, 0.35),
            escape(name)
        );
    }
    h.push_str("</p>\n<div class=\"cols\">");
    for (l, name) in labels.iter().enumerate() {
        let _ = write!(h, "<div><b>Top terms toward {}</b><ol>", escape(name));
        for t in e.top_terms(l, top) {
            let _ = write!(
                h,
                "<li>{} <span class=\"meta\">{:+.3}</span></li>",
                escape(&t.surface.join(" / ")),
                t.contributions[l]
            );
        }
        h.push_str("</ol></div>");
    }
    h.push_str("</div>\n");
}

/// The what-if table: how each swap moves every label's probability.
fn what_if(h: &mut String, labels: &[String], swaps: &[SwapEffect]) {
    if !swaps.is_empty() {
        h.push_str("<table><tr><td><b>what if</b></td><td>replaced</td>");
        for name in labels {
            let _ = write!(h, "<td>Δp({})</td>", escape(name));
        }
        h.push_str("</tr>");
        for s in swaps {
            let names: Vec<String> = s.swaps.iter().map(|(a, b)| format!("{a}→{b}")).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td>",
                escape(&names.join(", ")),
                s.replaced
            );
            for d in &s.delta {
                let _ = write!(h, "<td>{d:+.4}</td>");
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>\n");
    }
}

/// Each paragraph with its badge, and its words shaded by the label they push toward.
fn paragraphs(h: &mut String, text: &str, e: &Explanation, shading: &Shading) {
    let mut t_at = 0;
    for q in &e.score.paragraphs {
        let qp = &q.prediction;
        let _ = write!(
            h,
            "<div class=\"para\"><div class=\"badge{}\" data-paragraph=\"{}\" title=\"paragraph {}: p({}) = {:.3}; signal {:.2}\">{} {:.2}<div class=\"bar\" style=\"width:{:.0}%;background:{}\"></div></div><div class=\"body\">",
            if qp.uncertain { " uncertain" } else { "" },
            q.index,
            q.index,
            escape(qp.label_or_none()),
            qp.probabilities[qp.top()],
            qp.evidence.signal,
            escape(qp.label_or_none()),
            qp.probabilities[qp.top()],
            100.0 * qp.probabilities[qp.top()],
            colour(qp.top(), if qp.uncertain { 0.35 } else { 0.9 })
        );
        let mut at = q.span.start;
        while t_at < e.tokens.len() && e.tokens[t_at].0.start < q.span.start {
            t_at += 1;
        }
        while t_at < e.tokens.len() && e.tokens[t_at].0.end <= q.span.end {
            let (span, _) = &e.tokens[t_at];
            let (label, weight) = shading.push[t_at];
            // Faint words are left plain, so that the page shows what matters.
            if weight >= MIN_SHADE * shading.max && !shading.notes[t_at].is_empty() {
                h.push_str(&plain(text, at..span.start, &e.masked));
                let alpha = 0.15 + 0.6 * (weight / shading.max).sqrt();
                let _ = write!(
                    h,
                    "<mark class=\"w\" style=\"background:{}\" title=\"{}\">{}</mark>",
                    colour(label, alpha),
                    escape(&shading.notes[t_at].join("\n")),
                    escape(&text[span.clone()])
                );
                at = span.end;
            }
            t_at += 1;
        }
        h.push_str(&plain(text, at..q.span.end, &e.masked));
        h.push_str("</div></div>\n");
    }
}
