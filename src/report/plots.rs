//! The report's plots, drawn with `plotters`' SVG backend into strings that the page inlines.
//!
//! The backend writes text as SVG `<text>` elements, which the browser lays out with its own
//! fonts: `plotters` is built without its `ttf` feature, so nothing here reads a font file and
//! label widths are its rough estimate (0.7 em per byte). Every label is escaped by the backend.

use plotters::coord::ranged1d::SegmentValue;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::aggregate::{OutletReport, Report};
use crate::report::coverage::Coverage;
use crate::report::error::ReportError;
use crate::report::html::PALETTE;
use crate::report::reliability::Reliability;
use crate::report::wilson::Share;

const FONT: &str = "sans-serif";

/// The colour of label `label`.
pub fn colour(label: usize) -> RGBColor {
    let (r, g, b) = PALETTE[label % PALETTE.len()];
    RGBColor(r, g, b)
}

fn fail<E: std::fmt::Debug>(plot: &'static str) -> impl Fn(E) -> ReportError {
    move |e| ReportError::Plot {
        plot,
        message: format!("{e:?}"),
    }
}

/// Runs `draw` on an SVG canvas of `size` and returns the SVG text.
fn svg(
    plot: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(fail(plot))?;
        draw(&root)?;
        root.present().map_err(fail(plot))?;
    }
    Ok(out)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// The axis range of `n` categories `0..n`: plotters' integer ranges include their end, so
/// `0..n` would leave an empty slot, and `0..0` collapses, so one category gets a slot either
/// side.
fn categories(n: i32) -> std::ops::Range<i32> {
    if n <= 1 {
        -1..1
    } else {
        0..n - 1
    }
}

/// The index of a label among the report's labels.
fn label_index(report: &Report, label: &str) -> usize {
    report.labels.iter().position(|l| l == label).unwrap_or(0)
}

/// Each plotted label's name, index among the report's labels, and colour.
fn plotted(report: &Report) -> impl Iterator<Item = (&String, usize, RGBColor)> {
    report.plotted.iter().map(|name| {
        let l = label_index(report, name);
        (name, l, colour(l))
    })
}

/// A share at category `at` with its interval and the documents it is of; `None` without data.
#[derive(Debug, Clone, Copy)]
struct Point {
    at: i32,
    share: f64,
    low: f64,
    high: f64,
    n: usize,
}

fn interval(at: i32, s: Share) -> Option<Point> {
    Some(Point {
        at,
        share: s.share?,
        low: s.low?,
        high: s.high?,
        n: s.total,
    })
}

/// Points of fewer documents than this are drawn hollow, and the plot says so.
pub const HOLLOW_BELOW: usize = 5;

/// A point's marker: its area grows with its documents (radius 3 to 8), hollow under
/// [`HOLLOW_BELOW`].
fn marker<X>(at: X, n: usize, c: RGBColor) -> Circle<X, i32> {
    let radius = (3.0 + (n as f64).sqrt().min(5.0)).round() as i32;
    let style = if n < HOLLOW_BELOW {
        c.stroke_width(2)
    } else {
        c.filled()
    };
    Circle::new(at, radius, style)
}

/// The legend as a strip above the plot, outside the data: one coloured dot and name per
/// entry, then `note`.
fn legend_strip(
    plot: &'static str,
    area: &DrawingArea<SVGBackend, Shift>,
    entries: &[(&str, RGBColor)],
    note: &str,
) -> Result<(), ReportError> {
    let mut x = 12;
    let y = 12;
    for (name, c) in entries {
        area.draw(&Circle::new((x + 5, y), 5, c.filled()))
            .map_err(fail(plot))?;
        area.draw(&Text::new(name.to_string(), (x + 14, y - 6), (FONT, 12)))
            .map_err(fail(plot))?;
        x += 30 + 7 * name.len() as i32;
    }
    if !note.is_empty() {
        area.draw(&Text::new(
            note.to_string(),
            (x + 4, y - 6),
            (FONT, 11).into_font().color(&BLACK.mix(0.6)),
        ))
        .map_err(fail(plot))?;
    }
    Ok(())
}

/// The legend's entries: none for one plotted label (the axis names it), else every one.
fn legend_entries(report: &Report) -> Vec<(&str, RGBColor)> {
    if report.plotted.len() < 2 {
        return Vec::new();
    }
    plotted(report)
        .map(|(name, _, c)| (name.as_str(), c))
        .collect()
}

/// What the plot's hollow points mean, when it has any.
fn hollow_note(points: impl IntoIterator<Item = usize>) -> String {
    if points.into_iter().any(|n| n < HOLLOW_BELOW) {
        format!("hollow: fewer than {HOLLOW_BELOW} documents; larger dots: more documents")
    } else {
        "larger dots: more documents".to_string()
    }
}

/// The share of each plotted label per outlet of `outlets`, with 95% intervals: one row per
/// outlet.
pub fn shares(report: &Report, outlets: &[&OutletReport]) -> Result<String, ReportError> {
    const PLOT: &str = "share per outlet";
    let n = outlets.len() as i32;
    let height = 84 + 26 * n.max(1) as u32 + LEGEND;
    svg(PLOT, (760, height), |root| {
        let (top, plot) = root.split_vertically(LEGEND);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(200)
            .build_cartesian_2d(0f64..1f64, categories(n).into_segmented())
            .map_err(fail(PLOT))?;
        // Each outlet's row names its documents: a share of 3 is not a share of 300.
        let names: Vec<String> = outlets
            .iter()
            .map(|o| format!("{} (n={})", shorten(&o.name, 22), o.stats.documents))
            .collect();
        // Row i from the top is outlet i: the axis counts upward.
        let row = |i: usize| n - 1 - i as i32;
        let label_of = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(r) if (0..n).contains(r) => {
                names.get((n - 1 - r) as usize).cloned().unwrap_or_default()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .y_labels(n.max(1) as usize)
            .y_label_formatter(&label_of)
            .x_desc(format!(
                "share of documents predicted {} (95% Wilson interval)",
                report.plotted.join(", ")
            ))
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .label_style((FONT, 13))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(fail(PLOT))?;
        let mut sizes = Vec::new();
        for (_, l, c) in plotted(report) {
            let points: Vec<Point> = outlets
                .iter()
                .enumerate()
                .filter_map(|(i, o)| interval(row(i), o.stats.labels[l].share))
                .collect();
            chart
                .draw_series(points.iter().map(|p| {
                    let at = SegmentValue::CenterOf(p.at);
                    ErrorBar::new_horizontal(at, p.low, p.share, p.high, c.stroke_width(2), 8)
                }))
                .map_err(fail(PLOT))?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| marker((p.share, SegmentValue::CenterOf(p.at)), p.n, c)),
                )
                .map_err(fail(PLOT))?;
            sizes.extend(points.iter().map(|p| p.n));
        }
        legend_strip(PLOT, &top, &legend_entries(report), &hollow_note(sizes))
    })
}

/// The height of the legend strip above a plot, in pixels.
const LEGEND: u32 = 24;

/// The time series of one outlet: each plotted label's share per bucket, with 95% intervals.
/// `buckets` are every outlet's, so that all outlets share one axis.
pub fn series(report: &Report, outlet: &OutletReport) -> Result<String, ReportError> {
    const PLOT: &str = "time series";
    let buckets = &report.buckets;
    let n = buckets.len() as i32;
    let unit = report.time_unit.map(|u| u.name()).unwrap_or("month");
    svg(PLOT, (560, 250 + LEGEND), |root| {
        let (top, plot) = root.split_vertically(LEGEND);
        let mut chart = ChartBuilder::on(&plot)
            .caption(shorten(&outlet.name, 60), (FONT, 15))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(44)
            .build_cartesian_2d(categories(n).into_segmented(), 0f64..1f64)
            .map_err(fail(PLOT))?;
        // Roughly one label per 60 pixels of a 500-pixel axis.
        let every = (buckets.len() / 8).max(1);
        let label_of = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if (*i as usize).is_multiple_of(every) => {
                buckets.get(*i as usize).cloned().unwrap_or_default()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .x_labels(buckets.len().max(1))
            .x_label_formatter(&label_of)
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .x_desc(unit)
            .y_desc("share")
            .label_style((FONT, 11))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(fail(PLOT))?;
        let mut sizes = Vec::new();
        for (_, l, c) in plotted(report) {
            let points: Vec<Point> = outlet
                .series
                .iter()
                .filter_map(|g| {
                    let i = buckets.iter().position(|b| Some(b) == g.key.first())? as i32;
                    interval(i, g.labels[l].share)
                })
                .collect();
            // A line joins only neighbouring periods: an empty period breaks it.
            for run in runs(&points, buckets) {
                chart
                    .draw_series(LineSeries::new(
                        run.iter().map(|p| (SegmentValue::CenterOf(p.at), p.share)),
                        c.stroke_width(2),
                    ))
                    .map_err(fail(PLOT))?;
            }
            chart
                .draw_series(points.iter().map(|p| {
                    let at = SegmentValue::CenterOf(p.at);
                    ErrorBar::new_vertical(at, p.low, p.share, p.high, c.filled(), 5)
                }))
                .map_err(fail(PLOT))?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| marker((SegmentValue::CenterOf(p.at), p.share), p.n, c)),
                )
                .map_err(fail(PLOT))?;
            sizes.extend(points.iter().map(|p| p.n));
        }
        legend_strip(PLOT, &top, &legend_entries(report), &hollow_note(sizes))
    })
}

/// `points` (in order, at indices into `buckets`) cut where a period between two of them has
/// no documents, whether or not another outlet's documents put it on the axis.
fn runs<'p>(points: &'p [Point], buckets: &[String]) -> Vec<&'p [Point]> {
    let bucket = |p: &Point| buckets.get(p.at as usize).map(String::as_str);
    let next = |a: &Point, b: &Point| {
        b.at == a.at + 1 && matches!((bucket(a), bucket(b)), (Some(x), Some(y)) if follows(x, y))
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=points.len() {
        if i == points.len() || !next(&points[i - 1], &points[i]) {
            out.push(&points[start..i]);
            start = i;
        }
    }
    out
}

/// Whether period `b` comes right after period `a`: months `2022-01`, `2022-02`, or ISO
/// weeks `2021-W52`, `2022-W01` (a week 52 or 53 may end its year).
fn follows(a: &str, b: &str) -> bool {
    let split = |s: &str, sep: &str| -> Option<(i32, u32)> {
        let (y, n) = s.split_once(sep)?;
        Some((y.parse().ok()?, n.parse().ok()?))
    };
    if let (Some((ya, wa)), Some((yb, wb))) = (split(a, "-W"), split(b, "-W")) {
        return (ya == yb && wb == wa + 1) || (yb == ya + 1 && wb == 1 && wa >= 52);
    }
    match (split(a, "-"), split(b, "-")) {
        (Some((ya, ma)), Some((yb, mb))) => {
            (ya == yb && mb == ma + 1) || (yb == ya + 1 && ma == 12 && mb == 1)
        }
        _ => false,
    }
}

/// The distribution of p(label) over one outlet's documents.
pub fn distribution(report: &Report, outlet: &OutletReport) -> Result<String, ReportError> {
    const PLOT: &str = "distribution";
    let bins = report.bins as f64;
    let max = outlet
        .histograms
        .iter()
        .flat_map(|h| h.counts.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    svg(PLOT, (360, 220), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(shorten(&outlet.name, 40), (FONT, 14))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..1f64, 0f64..(max as f64 * 1.1))
            .map_err(fail(PLOT))?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(4)
            .x_desc(format!("p({})", report.plotted.join(", ")))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, 11))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(fail(PLOT))?;
        let k = outlet.histograms.len().max(1) as f64;
        for (h_i, h) in outlet.histograms.iter().enumerate() {
            let c = colour(label_index(report, &h.label));
            chart
                .draw_series(
                    h.counts
                        .iter()
                        .enumerate()
                        .filter(|(_, &n)| n > 0)
                        .map(|(b, &n)| {
                            // Several labels share a bin side by side.
                            let x0 = b as f64 / bins + h_i as f64 / (bins * k);
                            let x1 = x0 + 1.0 / (bins * k) * 0.9;
                            Rectangle::new([(x0, 0.0), (x1, n as f64)], c.mix(0.8).filled())
                        }),
                )
                .map_err(fail(PLOT))?;
        }
        Ok(())
    })
}

/// The reliability diagram: accuracy against mean top probability per bin, with 95% intervals,
/// and the diagonal of perfect calibration.
pub fn reliability(r: &Reliability) -> Result<String, ReportError> {
    const PLOT: &str = "reliability";
    svg(PLOT, (420, 380), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(fail(PLOT))?;
        chart
            .configure_mesh()
            .x_desc("mean predicted probability of the predicted label")
            .y_desc("share right")
            .label_style((FONT, 12))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(fail(PLOT))?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.4)))
            .map_err(fail(PLOT))?;
        let c = colour(1);
        let points: Vec<(f64, f64, f64, f64)> = r
            .bins
            .iter()
            .filter_map(|b| {
                Some((
                    b.confidence,
                    b.accuracy.share?,
                    b.accuracy.low?,
                    b.accuracy.high?,
                ))
            })
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|&(x, y, _, _)| (x, y)),
                c.stroke_width(2),
            ))
            .map_err(fail(PLOT))?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y, lo, hi)| ErrorBar::new_vertical(x, lo, y, hi, c.filled(), 6)),
            )
            .map_err(fail(PLOT))?;
        Ok(())
    })
}

/// Accuracy on the certain documents against coverage, one point per grid setting, with the
/// frontier (the best accuracy at each coverage; the grid has hundreds of settings, so a
/// curve per known share would not be readable); the model's setting and the pick for the
/// target coverage are marked.
pub fn coverage(c: &Coverage) -> Result<String, ReportError> {
    const PLOT: &str = "coverage";
    let acc = |p: &crate::report::coverage::CoveragePoint| p.accuracy_certain.share;
    let low = c
        .points
        .iter()
        .filter_map(acc)
        .fold(1.0f64, f64::min)
        .min(c.accuracy_all.share.unwrap_or(1.0));
    let y0 = ((low - 0.02) * 50.0).floor() / 50.0;
    svg(PLOT, (560, 380 + LEGEND), |root| {
        let (top, plot) = root.split_vertically(LEGEND);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..1.02f64, y0.max(0.0)..1.005f64)
            .map_err(fail(PLOT))?;
        chart
            .configure_mesh()
            .x_desc("coverage: share of labelled documents not flagged uncertain")
            .y_desc("accuracy on them")
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .y_label_formatter(&|y| format!("{:.1}%", y * 100.0))
            .label_style((FONT, 12))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(fail(PLOT))?;
        let grey = RGBColor(120, 120, 120);
        let xy: Vec<(f64, f64)> = c
            .points
            .iter()
            .filter_map(|p| Some((p.coverage.share?, acc(p)?)))
            .collect();
        chart
            .draw_series(
                xy.iter()
                    .map(|&xy| Circle::new(xy, 2, grey.mix(0.6).filled())),
            )
            .map_err(fail(PLOT))?;
        // The frontier: from the highest coverage down, each setting more accurate than every
        // one covering as much or more.
        let mut by_coverage = xy.clone();
        by_coverage.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
        let mut frontier: Vec<(f64, f64)> = Vec::new();
        for p in by_coverage {
            if frontier.last().is_none_or(|last| p.1 > last.1) {
                frontier.push(p);
            }
        }
        chart
            .draw_series(LineSeries::new(frontier, BLACK.stroke_width(1)))
            .map_err(fail(PLOT))?;
        let mark = |p: &crate::report::coverage::CoveragePoint, colour: RGBColor| {
            p.coverage
                .share
                .zip(acc(p))
                .map(|xy| Circle::new(xy, 7, colour.stroke_width(3)))
        };
        let blue = colour(1);
        chart
            .draw_series(mark(&c.current, blue))
            .map_err(fail(PLOT))?;
        if let Some(pick) = &c.pick {
            let red = colour(0);
            chart.draw_series(mark(pick, red)).map_err(fail(PLOT))?;
        }
        // The legend above the plot, outside the data (the frontier runs where a box would go).
        let pick = format!("pick for {:.0}%", c.target * 100.0);
        let mut entries = vec![
            ("grid", grey),
            ("best at each coverage", BLACK),
            ("model's setting", blue),
        ];
        if c.pick.is_some() {
            entries.push((pick.as_str(), colour(0)));
        }
        legend_strip(PLOT, &top, &entries, "")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_across_year_ends_and_not_across_gaps() {
        assert!(follows("2022-01", "2022-02"));
        assert!(follows("2021-12", "2022-01"));
        assert!(!follows("2022-01", "2022-03"));
        assert!(follows("2021-W52", "2022-W01"));
        assert!(follows("2022-W09", "2022-W10"));
        assert!(!follows("2022-W09", "2022-W11"));
    }
}
