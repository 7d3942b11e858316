//! `stance report --agreement LABELS.jsonl...`: reads the label logs, calls
//! [`stance::report::agreement`], and prints the figures and the disagreements (or writes them
//! as JSON with `--json`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use stance::annotate::read_log;
use stance::report::{agreement, Agreement};

pub fn run(logs: &[PathBuf], json: Option<&Path>, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let json = super::output::open_output(json, "--json")?;
    // With --json - the JSON is the output; the text would corrupt it.
    let text = !json.as_ref().is_some_and(|o| o.is_stdout());
    let replays = logs
        .iter()
        .map(|p| read_log(p).with_context(|| format!("reading label log {}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let a = agreement(&replays);
    if let Some(file) = json {
        let bytes = serde_json::to_vec_pretty(&a)?;
        file.commit(&bytes, out)?;
    }
    if text {
        print(&a, logs, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn figure(x: Option<f64>, n: usize, min: usize) -> String {
    match x {
        Some(x) => format!("{x:.3}"),
        None if n < min => format!("n/a (n={n}, under {min})"),
        None => "n/a (one label throughout)".to_string(),
    }
}

fn print(a: &Agreement, logs: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<()> {
    let names: Vec<String> = logs
        .iter()
        .map(|p: &PathBuf| Path::display(p).to_string())
        .collect();
    writeln!(out, "agreement over {}", names.join(", "))?;
    writeln!(
        out,
        "annotators: {} · texts labelled by two or more: {}",
        a.annotators.join(", "),
        a.items
    )?;
    if a.annotators.len() < 2 {
        writeln!(out, "one annotator only: agreement needs two (run `stance annotate --annotator NAME` per person on the same texts)")?;
        return Ok(());
    }
    writeln!(
        out,
        "Krippendorff's alpha (nominal): {}",
        figure(a.alpha, a.items, a.min_items)
    )?;
    for p in &a.pairs {
        writeln!(
            out,
            "{} / {}: {} texts, agree {}, Cohen's kappa {}",
            p.first,
            p.second,
            p.items,
            p.observed
                .map_or("n/a".to_string(), |o| format!("{:.1}%", 100.0 * o)),
            figure(p.kappa, p.items, a.min_items)
        )?;
    }
    writeln!(out, "disagreements: {}", a.disagreements.len())?;
    for d in &a.disagreements {
        let labels: Vec<String> = d
            .labels
            .iter()
            .map(|(who, l)| format!("{who}={l}"))
            .collect();
        let text = d
            .text
            .as_deref()
            .unwrap_or("")
            .replace(['\n', '\r', '\t'], " ");
        writeln!(out, "  {}\t{}\t{}", d.id, labels.join(" "), text)?;
    }
    Ok(())
}
