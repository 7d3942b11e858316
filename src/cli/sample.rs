//! `stance sample`: draw texts to label from a corpus, into a CSV or JSON Lines file with an
//! empty `label` to fill in, which `stance adapt --data` reads back once it is filled.
//!
//! The inputs are read with the same record readers as `stance score` (see [`super::records`]);
//! the choice of records is [`stance::sample`]'s. Each output record holds the id, the kept
//! fields, the text, the model's label (`predicted`) and its probabilities (`p_<label>`), the
//! inclusion weight (random sampling only) and `label`, empty.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::value::RawValue;

use stance::io::atomic::AtomicFile;
use stance::io::cell::Cell;
use stance::io::corpus::Keep;
use stance::sample::{draw, Candidate, SampleParams, Strategy};
use stance::Model;

use super::records::{Item, Kept, RecordArgs, Records};

/// The columns `sample` writes itself; a kept field of one of these names is written as
/// `input_<name>`.
const OWN_COLUMNS: &[&str] = &["id", "text", "predicted", "weight", "label"];

/// `--strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Uniform, or stratified by --by (proportional allocation), with inclusion weights: for
    /// validation.
    Random,
    /// The texts the model is least sure of, near-duplicates kept apart: for adaptation.
    Uncertain,
    /// Uncertain texts spread over the corpus (diversity first): for adaptation.
    Diverse,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SampleFormat {
    /// CSV with a header row (opens in a spreadsheet).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// How many texts to draw.
    #[arg(long, value_name = "N")]
    n: usize,
    /// How to choose them.
    #[arg(long, value_enum, default_value = "random")]
    strategy: StrategyArg,
    /// Stratify a random sample by this field (JSON key or CSV column); kept in the output.
    #[arg(long, value_name = "FIELD")]
    by: Option<String>,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Model file that scores the texts; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Output format; by the extension of --out when omitted (.jsonl JSON Lines, else CSV).
    #[arg(long, value_enum)]
    format: Option<SampleFormat>,
    /// Where to write the sample (written whole or not at all).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Copy these input fields (comma-separated) into the output, after the id.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,...")]
    keep: Vec<String>,
    #[command(flatten)]
    records: RecordArgs,
    /// Articles, read as `stance score` reads them (.jsonl, .csv, .tsv, a folder, - for stdin).
    #[arg(value_name = "PATH", required = true)]
    inputs: Vec<PathBuf>,
}

/// One record of the population as read.
struct Record {
    id: String,
    text: String,
    kept: Kept,
}

pub fn run(args: SampleArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_ref())?;
    let format =
        args.format
            .unwrap_or_else(|| match args.out.extension().and_then(|e| e.to_str()) {
                Some("jsonl" | "ndjson" | "json") => SampleFormat::Jsonl,
                _ => SampleFormat::Csv,
            });
    if args.by.is_some() && args.strategy != StrategyArg::Random {
        anyhow::bail!(
            "--by stratifies a random sample; it does not apply to --strategy uncertain or diverse"
        );
    }
    let file = AtomicFile::create(&args.out)?;
    let keep = kept_fields(&args);
    let population = read_population(&args, &keep)?;
    let strata = strata(&args, &keep, &population);
    let candidates: Vec<Candidate> = population
        .iter()
        .zip(&strata)
        .map(|(r, s)| Candidate {
            id: &r.id,
            text: &r.text,
            stratum: s.as_deref(),
        })
        .collect();
    let params = SampleParams {
        n: args.n,
        strategy: match args.strategy {
            StrategyArg::Random => Strategy::Random,
            StrategyArg::Uncertain => Strategy::Uncertain,
            StrategyArg::Diverse => Strategy::Diverse,
        },
        seed: args.seed,
    };
    let drawn = draw(&candidates, &model, &params).context("drawing the sample")?;
    let bytes = match format {
        SampleFormat::Csv => write_csv(&model, &population, &drawn)?,
        SampleFormat::Jsonl => write_jsonl(&model, &population, &drawn)?,
    };
    file.commit(&bytes)?;
    writeln!(
        out,
        "drew {} of {} texts ({}{}) into {}; fill in the label column, then run stance adapt --data {}",
        drawn.len(),
        population.len(),
        params.strategy,
        args.by.as_ref().map_or(String::new(), |b| format!(", stratified by {b}")),
        args.out.display(),
        args.out.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Every record of the inputs; a bad record or input is an error (a sample's weights assume the
/// whole population was read).
fn read_population(args: &SampleArgs, keep: &[String]) -> anyhow::Result<Vec<Record>> {
    let keep = if keep.is_empty() {
        Keep::Nothing
    } else {
        Keep::Fields(keep.to_vec())
    };
    let format = args.records.input;
    let records = Records::new(
        args.inputs.clone(),
        format,
        false,
        args.records.fields(),
        keep,
        true,
    );
    let mut population = Vec::new();
    for item in records {
        match item {
            Item::Article { id, text, kept, .. } => population.push(Record { id, text, kept }),
            Item::Bad { error, .. } | Item::Failed { error, .. } => {
                return Err(error).context("reading the population to sample from")
            }
        }
    }
    Ok(population)
}

/// A kept field's output name.
fn column_name(name: &str, labels: &[String]) -> String {
    let clashes = OWN_COLUMNS.contains(&name)
        || name
            .strip_prefix("p_")
            .is_some_and(|l| labels.iter().any(|x| x == l));
    if clashes {
        format!("input_{name}")
    } else {
        name.to_string()
    }
}

/// The model's label and probabilities for a text.
fn scored(model: &Model, text: &str) -> (String, Vec<f64>) {
    let p = model.predict(text);
    (
        p.label_name().unwrap_or_default().to_string(),
        p.probabilities,
    )
}

fn write_csv(
    model: &Model,
    population: &[Record],
    drawn: &[stance::sample::Drawn],
) -> anyhow::Result<Vec<u8>> {
    let labels = model.labels();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["id".to_string()];
    if let Some(first) = population.first() {
        header.extend(first.kept.iter().map(|(n, _)| column_name(n, labels)));
    }
    header.extend(["text".to_string(), "predicted".to_string()]);
    header.extend(labels.iter().map(|l| format!("p_{l}")));
    header.extend(["weight".to_string(), "label".to_string()]);
    w.write_record(&header)?;
    for d in drawn {
        let r = &population[d.index];
        let (label, p) = scored(model, &r.text);
        let mut row = vec![r.id.clone()];
        row.extend(r.kept.iter().map(|(_, c)| {
            c.as_ref()
                .map_or(String::new(), |c| c.as_csv().into_owned())
        }));
        row.extend([r.text.clone(), label]);
        row.extend(p.iter().map(|v| v.to_string()));
        row.push(d.weight.map_or(String::new(), |v| v.to_string()));
        row.push(String::new());
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

fn write_jsonl(
    model: &Model,
    population: &[Record],
    drawn: &[stance::sample::Drawn],
) -> anyhow::Result<Vec<u8>> {
    let labels = model.labels();
    let mut bytes = Vec::new();
    for d in drawn {
        let r = &population[d.index];
        let (label, p) = scored(model, &r.text);
        // Written field by field, so that the keys keep the column order.
        let mut fields: Vec<(String, String)> = vec![("id".into(), json(&r.id)?)];
        for (name, cell) in &r.kept {
            let v = match cell {
                None => "null".to_string(),
                Some(Cell::Text(s)) => json(s)?,
                Some(Cell::Json(raw)) => RawValue::get(raw).to_string(),
            };
            fields.push((column_name(name, labels), v));
        }
        fields.push(("text".into(), json(&r.text)?));
        fields.push(("predicted".into(), json(&label)?));
        for (l, v) in labels.iter().zip(&p) {
            fields.push((format!("p_{l}"), json(v)?));
        }
        fields.push(("weight".into(), json(&d.weight)?));
        fields.push(("label".into(), json("")?));
        bytes.push(b'{');
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(json(k)?.as_bytes());
            bytes.push(b':');
            bytes.extend_from_slice(v.as_bytes());
        }
        bytes.push(b'}');
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// A value as JSON text.
fn json<T: serde::Serialize + ?Sized>(v: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string(v)?)
}

/// The fields `--keep` names (trimmed, empty names left out), with the `--by` field added.
fn kept_fields(args: &SampleArgs) -> Vec<String> {
    let mut keep: Vec<String> = args.keep.iter().map(|k| k.trim().to_string()).collect();
    keep.retain(|k| !k.is_empty());
    if let Some(by) = &args.by {
        if !keep.contains(by) {
            keep.push(by.clone());
        }
    }
    keep
}

/// Each record's stratum: its `--by` field as written (empty when missing), or none without
/// `--by`.
fn strata(args: &SampleArgs, keep: &[String], population: &[Record]) -> Vec<Option<String>> {
    let by_column = args
        .by
        .as_ref()
        .and_then(|b| keep.iter().position(|k| k == b));
    population
        .iter()
        .map(|r| {
            by_column.map(|c| {
                r.kept[c]
                    .1
                    .as_ref()
                    .map_or(String::new(), |v| v.as_csv().into_owned())
            })
        })
        .collect()
}
