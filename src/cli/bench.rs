//! `stance bench`: featurizer, trainer and scorer throughput on a corpus, with one thread and
//! with N, measured in one process so the figures can be compared as ratios.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use stance::corpus::label_indices;
use stance::ngrams::NgramRange;
use stance::train::{train, TrainParams};
use stance::Model;

use super::options::DataArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Threads for the parallel run (the first run always uses one).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Word n-gram range, MIN..MAX.
    #[arg(long, default_value = "1..2")]
    ngram_range: String,
    /// Articles timed one by one for the scoring percentiles.
    #[arg(long, default_value_t = 1000)]
    score_sample: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// One run's figures, under the keys `--format json` promises.
#[derive(Debug, Serialize)]
struct Figures {
    bytes: usize,
    docs: usize,
    tokens: usize,
    threads: usize,
    tokenize_mb_s: f64,
    fit_mb_s: f64,
    transform_mb_s: f64,
    train_s: f64,
    score_p50_us: f64,
    score_p99_us: f64,
    model_load_ms: f64,
}

fn mb_s(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / 1e6 / seconds.max(1e-9)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Peak resident memory of this process so far, in MB (Linux), if known.
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn run_once(
    docs: &[stance::corpus::Document],
    params: &TrainParams,
    threads: usize,
    score_sample: usize,
) -> anyhow::Result<Figures> {
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let sources = vec![0u32; texts.len()];

    let t = Instant::now();
    let featurizer = params
        .featurizer
        .fit_vocabulary(&texts, &sources)
        .context("fitting the vocabulary")?;
    let fit_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let tokens: usize = texts
        .par_iter()
        .map(|text| {
            let mut n = 0;
            featurizer.for_each_raw_token(text, |_, _| n += 1);
            n
        })
        .sum();
    let tokenize_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let matrix = featurizer.transform_many(&texts);
    let transform_s = t.elapsed().as_secs_f64();
    if matrix.n_rows() != texts.len() {
        bail!(
            "transform produced {} rows for {} documents",
            matrix.n_rows(),
            texts.len()
        );
    }

    let (labels, _) = label_indices(docs);
    if labels.len() < 2 {
        bail!("bench needs labelled data with at least two labels to time training and scoring");
    }
    let t = Instant::now();
    let (model, _) = train(docs, params, &mut |_| {}).context("training")?;
    let train_s = t.elapsed().as_secs_f64();

    let step = (docs.len() / score_sample.max(1)).max(1);
    let mut times: Vec<f64> = docs
        .iter()
        .step_by(step)
        .map(|d| {
            let t = Instant::now();
            let p = model.predict(&d.text);
            let us = t.elapsed().as_secs_f64() * 1e6;
            std::hint::black_box(p);
            us
        })
        .collect();
    times.sort_by(f64::total_cmp);

    let json = model.to_json()?;
    let t = Instant::now();
    let loaded = Model::from_json(&json, std::path::Path::new("<bench>"))?;
    let model_load_ms = t.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(loaded);

    Ok(Figures {
        bytes,
        docs: docs.len(),
        tokens,
        threads,
        tokenize_mb_s: mb_s(bytes, tokenize_s),
        fit_mb_s: mb_s(bytes, fit_s),
        transform_mb_s: mb_s(bytes, transform_s),
        train_s,
        score_p50_us: percentile(&times, 0.5),
        score_p99_us: percentile(&times, 0.99),
        model_load_ms,
    })
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    let mut params = TrainParams::default();
    params.featurizer.ngram_range = args.ngram_range.parse::<NgramRange>()?;
    let docs = args.data.read()?;
    let pool = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("starting a thread pool")
    };
    let single = pool(1)?.install(|| run_once(&docs, &params, 1, args.score_sample))?;
    let parallel = pool(args.threads)?
        .install(|| run_once(&docs, &params, args.threads, args.score_sample))?;
    let peak = peak_memory_mb();
    match args.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&single)?;
            v["parallel"] = serde_json::to_value(&parallel)?;
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        OutputFormat::Text => {
            println!(
                "{} documents, {:.1} MB, {} tokens; n-grams {}",
                single.docs,
                single.bytes as f64 / 1e6,
                single.tokens,
                params.featurizer.ngram_range
            );
            println!(
                "{:<22} {:>12} {:>12} {:>8}",
                "",
                "1 thread",
                format!("{} threads", parallel.threads),
                "ratio"
            );
            let row = |name: &str, a: f64, b: f64| {
                println!("{name:<22} {a:>12.2} {b:>12.2} {:>8.2}", b / a.max(1e-12))
            };
            row(
                "tokenize MB/s",
                single.tokenize_mb_s,
                parallel.tokenize_mb_s,
            );
            row("vocabulary fit MB/s", single.fit_mb_s, parallel.fit_mb_s);
            row(
                "transform MB/s",
                single.transform_mb_s,
                parallel.transform_mb_s,
            );
            row("train s", single.train_s, parallel.train_s);
            row("score p50 us", single.score_p50_us, parallel.score_p50_us);
            row("score p99 us", single.score_p99_us, parallel.score_p99_us);
            row(
                "model load ms",
                single.model_load_ms,
                parallel.model_load_ms,
            );
            if let Some(mb) = peak {
                println!("peak memory: {mb:.0} MB");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
