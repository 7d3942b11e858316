//! The report's aggregates as one tidy CSV: one row per group and label (and the same rows for
//! all documents, with every group field `(all)`), ready for pandas or R. Numbers are written
//! in full precision; an undefined value (a share of no documents) is left empty.

use crate::io::cell::formula_safe;
use crate::report::aggregate::{GroupStats, Report};
use crate::report::record::ALL_GROUP;

/// The columns after the group fields.
const COLUMNS: [&str; 12] = [
    "label",
    "documents",
    "count",
    "share",
    "share_low",
    "share_high",
    "mean_probability",
    "uncertain",
    "uncertain_rate",
    "labelled",
    "correct",
    "accuracy",
];

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn rows(g: &GroupStats, out: &mut csv::Writer<Vec<u8>>) -> csv::Result<()> {
    for l in &g.labels {
        let mut row: Vec<String> = g.key.iter().map(|k| formula_safe(k).into_owned()).collect();
        row.extend([
            formula_safe(&l.label).into_owned(),
            g.documents.to_string(),
            l.share.count.to_string(),
            number(l.share.share),
            number(l.share.low),
            number(l.share.high),
            l.mean_probability.to_string(),
            g.uncertain.count.to_string(),
            number(g.uncertain.share),
            g.accuracy.map(|a| a.total).unwrap_or(0).to_string(),
            g.accuracy.map(|a| a.count.to_string()).unwrap_or_default(),
            number(g.accuracy.and_then(|a| a.share)),
        ]);
        out.write_record(&row)?;
    }
    Ok(())
}

/// The CSV text. A group field named like one of the value columns is prefixed `group_`, so
/// every column name is unique.
pub fn to_csv(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = report
        .by
        .iter()
        .map(|f| {
            if COLUMNS.contains(&f.as_str()) {
                format!("group_{f}")
            } else {
                formula_safe(f).into_owned()
            }
        })
        .collect();
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    out.write_record(&header)?;
    for g in &report.groups {
        rows(g, &mut out)?;
    }
    let mut all = report.overall.clone();
    all.key = vec![ALL_GROUP.to_string(); report.by.len()];
    rows(&all, &mut out)?;
    out.into_inner().map_err(|e| e.into_error().into())
}
