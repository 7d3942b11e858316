//! `stance bench`: featurizer, trainer and scorer throughput on a corpus, with one thread and
//! with N, measured in one process so the figures can be compared as ratios.
//!
//! `--export-matrix` writes the training matrix in svmlight format, so that another trainer
//! (scikit-learn, in `scripts/compare-sklearn.sh`) can be timed on exactly the same features.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;

use stance::atomic::AtomicFile;
use stance::corpus::label_indices;
use stance::ngrams::NgramRange;
use stance::tokenize::Tokenizer;
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
    /// Times each pass over the corpus (tokenize, fit, transform, train, mask, fit+transform)
    /// this many times and reports the median, so one disturbance on a shared machine does
    /// not decide a figure.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Also report masking alone, fit+transform in one pass with its peak memory, the matrix's
    /// size, L-BFGS iterations and final loss, the training settings, the whole `train`, and
    /// the trained model's load time.
    #[arg(long)]
    extended: bool,
    /// Write the training matrix of the one-thread run (one pass of fit+transform) and its
    /// labels to PATH in svmlight/libsvm format: `label idx:value ...`, 0-based feature
    /// indices, the label being the index of the document's label in sorted order. Values
    /// are printed so that they parse back to the same numbers.
    #[arg(long, value_name = "PATH")]
    export_matrix: Option<PathBuf>,
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
    /// More figures for the side-by-side with scikit-learn (`--extended`); not part of the
    /// stable key set.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extended: Option<Extended>,
}

/// The figures `--extended` adds.
#[derive(Debug, Serialize)]
struct Extended {
    /// Masking alone (the rule scan), MB/s.
    mask_mb_s: f64,
    /// Vocabulary fit and training matrix from one pass (`FeaturizerParams::fit`), MB/s.
    fit_transform_mb_s: f64,
    /// Peak resident memory during that fit+transform, MB (Linux; 0 if unknown).
    featurize_peak_mb: f64,
    /// Resident memory when that peak mark was reset, just before the fit, MB (Linux; 0 if
    /// unknown): what the process already held, so the growth can be told from the baseline.
    featurize_start_mb: f64,
    features: usize,
    /// Non-zero entries of the training matrix.
    nnz: usize,
    lbfgs_iterations: u64,
    final_loss: f64,
    lbfgs_converged: bool,
    /// The training settings the figures are for, so that a comparison need not assume the
    /// defaults.
    alpha: f64,
    tolerance: f64,
    max_iter: u64,
    /// The whole `train` (featurize, L-BFGS, evidence and surface-form passes), seconds.
    train_all_s: f64,
    /// Articles in the 4-6 KB band the score percentiles were taken on (all articles if
    /// fewer than 20 are in it).
    score_articles: usize,
    score_article_mean_bytes: f64,
    /// Loading the model this run trained, from memory, ms.
    trained_model_load_ms: f64,
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

/// A line of /proc/self/status, in MB (Linux), if known.
fn status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Peak resident memory of this process so far, in MB (Linux), if known.
fn peak_memory_mb() -> Option<f64> {
    status_mb("VmHWM:")
}

/// Resets the peak-memory mark to the current resident size (Linux), so the next reading is
/// the peak of what follows.
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Times `f` once, in seconds.
/// How many times the default model is loaded for its median load time.
const LOAD_REPEATS: usize = 5;

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

/// Runs `f` `repeats` times (at least once): the last result and the median time. Each result
/// is dropped before the next run, so that runs do not add up in memory.
fn timed_median<T>(repeats: usize, mut f: impl FnMut() -> T) -> (T, f64) {
    let (mut out, first) = timed(&mut f);
    let mut times = vec![first];
    for _ in 1..repeats {
        drop(out);
        let (next, s) = timed(&mut f);
        out = next;
        times.push(s);
    }
    times.sort_by(f64::total_cmp);
    (out, percentile(&times, 0.5))
}

fn run_once(
    docs: &[stance::corpus::Document],
    params: &TrainParams,
    repeats: usize,
    threads: usize,
    score_sample: usize,
    extended: bool,
    export: Option<AtomicFile>,
) -> anyhow::Result<Figures> {
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let sources = vec![0u32; texts.len()];

    // The bare tokenizer pass: no masking, no stemming; the ceiling featurizing works under.
    let tokenizer = Tokenizer::new(&params.featurizer.tokenizer);
    let (tokens, tokenize_s) = timed_median(repeats, || {
        texts
            .par_iter()
            .map(|text| {
                let mut n = 0;
                tokenizer.for_each_token(text, &[], |_, _| n += 1);
                n
            })
            .sum::<usize>()
    });

    let (featurizer, fit_s) = timed_median(repeats, || {
        params.featurizer.fit_vocabulary(&texts, &sources)
    });
    let featurizer = featurizer.context("fitting the vocabulary")?;

    let (matrix, transform_s) = timed_median(repeats, || featurizer.transform_many(&texts));
    if matrix.n_rows() != texts.len() {
        bail!(
            "transform produced {} rows for {} documents",
            matrix.n_rows(),
            texts.len()
        );
    }
    // Neither is needed any more; dropping them now keeps them out of the fit+transform
    // peak-memory figure below.
    drop((matrix, featurizer));

    let (labels, y) = label_indices(docs);
    if labels.len() < 2 || y.len() != docs.len() {
        bail!("bench needs labelled data with at least two labels to time training and scoring");
    }
    // Vocabulary and matrix in one pass, as `train` builds them (scikit-learn's
    // `fit_transform`), with the peak-memory mark reset so that its peak is this step's.
    let reset = reset_peak_memory();
    let featurize_start_mb = if reset {
        status_mb("VmRSS:").unwrap_or(0.0)
    } else {
        0.0
    };
    let (fitted, fit_transform_s) =
        timed_median(repeats, || params.featurizer.fit(&texts, &sources));
    let featurize_peak_mb = if reset {
        peak_memory_mb().unwrap_or(0.0)
    } else {
        0.0
    };
    let (fitted_featurizer, x) = fitted.context("fitting the vocabulary")?;
    // Training proper: L-BFGS on the training matrix, as scikit-learn's `fit` is timed.
    let (trained, train_s) = timed_median(repeats, || {
        params.logistic.fit(&x, &y, &labels, &mut |_, _| {})
    });
    let (_, report) = trained.context("training")?;
    let features = fitted_featurizer.n_features();
    let nnz = x.nnz();
    // After the timings, so that building the text disturbs none of them.
    if let Some(file) = export {
        let path = file.target().display().to_string();
        let mut text = Vec::new();
        x.write_svmlight(&y, &mut text)
            .with_context(|| format!("writing the training matrix to {path}"))?;
        file.commit(&text)
            .with_context(|| format!("writing the training matrix to {path}"))?;
    }
    drop((fitted_featurizer, x));

    let (model, train_all_s) = timed(|| train(docs, params, &mut |_| {}));
    let (model, _) = model.context("training")?;

    // Scoring: articles of about 5 KB, one at a time.
    let band: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| (4000..=6000).contains(&t.len()))
        .collect();
    let pool: Vec<&str> = if band.len() >= 20 {
        band
    } else {
        texts.clone()
    };
    let step = (pool.len() / score_sample.max(1)).max(1);
    let sample: Vec<&str> = pool.iter().copied().step_by(step).collect();
    let mut times: Vec<f64> = sample
        .iter()
        .map(|text| {
            let (p, s) = timed(|| model.predict(text));
            std::hint::black_box(p);
            s * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);

    // The median of several loads: one load is short enough (tens of milliseconds) for a
    // single disturbance on a shared machine to double it.
    let mut loads = Vec::with_capacity(LOAD_REPEATS);
    for _ in 0..LOAD_REPEATS {
        let (loaded, s) = timed(|| {
            Model::from_json(
                stance::default_model::DEFAULT_MODEL_JSON,
                std::path::Path::new(stance::default_model::DEFAULT_MODEL_NAME),
            )
        });
        std::hint::black_box(loaded?);
        loads.push(s);
    }
    loads.sort_by(f64::total_cmp);
    let load_s = percentile(&loads, 0.5);
    let json = model.to_json()?;
    let (loaded, trained_load_s) =
        timed(|| Model::from_json(&json, std::path::Path::new("<bench>")));
    std::hint::black_box(loaded?);

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
        model_load_ms: load_s * 1e3,
        extended: extended.then(|| {
            let mask = stance::mask::MaskRules::compile(&params.featurizer.mask);
            let mask_s = mask
                .map(|m| {
                    timed_median(repeats, || {
                        texts.par_iter().map(|t| m.mask(t).len()).sum::<usize>()
                    })
                    .1
                })
                .unwrap_or(f64::NAN);
            Extended {
                mask_mb_s: mb_s(bytes, mask_s),
                fit_transform_mb_s: mb_s(bytes, fit_transform_s),
                featurize_peak_mb,
                featurize_start_mb,
                features,
                nnz,
                lbfgs_iterations: report.iterations,
                final_loss: report.final_loss,
                lbfgs_converged: report.converged,
                alpha: params.logistic.alpha,
                tolerance: params.logistic.tolerance,
                max_iter: params.logistic.max_iter,
                train_all_s,
                score_articles: sample.len(),
                score_article_mean_bytes: sample.iter().map(|t| t.len()).sum::<usize>() as f64
                    / sample.len().max(1) as f64,
                trained_model_load_ms: trained_load_s * 1e3,
            }
        }),
    })
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    let mut params = TrainParams::default();
    params.featurizer.ngram_range = args.ngram_range.parse::<NgramRange>()?;
    // Created before the data is read, so that an unwritable path fails before any work.
    let export = args
        .export_matrix
        .as_deref()
        .map(|path| {
            AtomicFile::create(path)
                .with_context(|| format!("cannot write the training matrix to {}", path.display()))
        })
        .transpose()?;
    let docs = args.data.read()?;
    let pool = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("starting a thread pool")
    };
    let single = pool(1)?.install(|| {
        run_once(
            &docs,
            &params,
            args.repeat,
            1,
            args.score_sample,
            args.extended,
            export,
        )
    })?;
    let parallel = pool(args.threads)?.install(|| {
        run_once(
            &docs,
            &params,
            args.repeat,
            args.threads,
            args.score_sample,
            args.extended,
            None,
        )
    })?;
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
            if let (Some(a), Some(b)) = (&single.extended, &parallel.extended) {
                row("mask MB/s", a.mask_mb_s, b.mask_mb_s);
                row(
                    "fit+transform MB/s",
                    a.fit_transform_mb_s,
                    b.fit_transform_mb_s,
                );
                row(
                    "featurize peak MB",
                    a.featurize_peak_mb,
                    b.featurize_peak_mb,
                );
                row("whole train s", a.train_all_s, b.train_all_s);
                println!(
                    "{} features, {} non-zeros; L-BFGS {} iterations (converged: {}), final loss {:.6}; scored {} articles of {:.0} bytes on average",
                    a.features, a.nnz, a.lbfgs_iterations, a.lbfgs_converged, a.final_loss, a.score_articles, a.score_article_mean_bytes
                );
            }
            println!("tokenize is the bare tokenizer pass (no masking, no stemming); train is L-BFGS on the featurized corpus; model load is the median of five loads of the built-in default model");
            if let Some(mb) = peak {
                println!("peak memory: {mb:.0} MB");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
