//! `stance bench`: featurizer, trainer and scorer throughput on a corpus, with one thread and
//! with N, measured in one process so the figures can be compared as ratios. Each pass runs
//! with one thread and then N, alternating, so the two columns see the same machine.
//!
//! `--export-matrix` writes the training matrix in svmlight format, so that another trainer
//! (scikit-learn, in `scripts/compare-sklearn.sh`) can be timed on exactly the same features.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use rayon::prelude::*;
use rayon::ThreadPool;
use serde::Serialize;

use stance::features::ngrams::NgramRange;
use stance::io::atomic::{check_distinct, Output};
use stance::io::corpus::label_indices;
use stance::model::logistic::{Penalty, Solver};
use stance::text::tokenize::Tokenizer;
use stance::train::{train, CheckedTrainParams, TrainParams};
use stance::Model;

use super::options::{ngram_range, DataArgs};
use super::output::{formats, open_output, write_json, OutputFormat, TEXT_OR_JSON};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Threads for the parallel column (the other always uses one).
    #[arg(long, default_value_t = 2, value_parser = super::parse_threads)]
    threads: usize,
    /// Word n-gram range, MIN..MAX or MIN,MAX: 1..2 and 1,2 both mean unigrams and bigrams.
    #[arg(long, default_value = "1..2", value_parser = ngram_range)]
    ngram_range: NgramRange,
    /// Articles timed one by one for the scoring percentiles.
    #[arg(long, default_value_t = 1000)]
    score_sample: usize,
    /// Times each pass over the corpus (tokenize, fit, transform, train, mask, fit+transform)
    /// this many times with one thread and N, alternating, and reports the medians, so that
    /// neither one disturbance nor a drift of the machine's speed decides a figure or a ratio.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
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
    /// Penalty strength for the training runs (alpha = 1/C), as `train`'s.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    alpha: f64,
    /// Penalty on the weights for the training runs, as `train`'s: l2, l1 or elasticnet.
    #[arg(long, default_value = "l2")]
    penalty: Penalty,
    /// The L1 share of the elastic-net penalty, as `train`'s.
    #[arg(long, allow_negative_numbers = true)]
    l1_ratio: Option<f64>,
    /// The optimiser for l1 and elasticnet, as `train`'s: cd or owlqn [default: cd].
    #[arg(long)]
    solver: Option<Solver>,
    /// Optimiser iteration limit for the training runs, as `train`'s.
    #[arg(long, default_value_t = 500)]
    max_iter: u64,
    /// Gradient (pseudo-gradient under L1) norm at which training stops, as `train`'s.
    #[arg(long, default_value_t = 1e-4)]
    tol: f64,
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
    /// What that training reached, for any penalty: the objective (weighted log-loss plus
    /// penalty), the optimiser's iterations, and the weights (intercepts excluded) that are
    /// not exactly zero.
    train_objective: f64,
    train_iterations: u64,
    train_nonzero: usize,
    score_p50_us: f64,
    score_p99_us: f64,
    model_load_ms: f64,
    /// More figures for the side-by-side with scikit-learn (`--extended`); not part of the
    /// stable key set.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extended: Option<Extended>,
}

/// Both runs, as `--format json` prints them: the one-thread figures at the top level, the
/// N-thread ones under `parallel`.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    single: &'a Figures,
    parallel: &'a Figures,
}

/// One row of the text table: a figure with one thread and with N, and their ratio.
fn row(out: &mut dyn Write, name: &str, a: f64, b: f64) -> std::io::Result<()> {
    writeln!(
        out,
        "{name:<22} {a:>12.2} {b:>12.2} {:>8.2}",
        b / a.max(1e-12)
    )
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
    /// The same three for any penalty (`lbfgs_*` name them from before there was a choice):
    /// the objective at the end, the L2 norm of its (pseudo-)gradient, and whether that norm
    /// reached the tolerance.
    gradient_norm: f64,
    converged: bool,
    /// Weights (intercepts excluded) that are not exactly zero.
    nonzero_weights: usize,
    /// The training settings the figures are for, so that a comparison need not assume the
    /// defaults.
    alpha: f64,
    penalty: Penalty,
    l1_ratio: Option<f64>,
    solver: Option<Solver>,
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

/// How many times the default model is loaded in each pool for its median load time.
const LOAD_REPEATS: usize = 5;

/// Times `f` once, in seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

/// The two thread pools compared: one thread, and N.
struct Pools {
    one: ThreadPool,
    many: ThreadPool,
}

impl Pools {
    fn both(&self) -> [&ThreadPool; 2] {
        [&self.one, &self.many]
    }

    /// Times `f` in each pool, alternating (one thread, then N, `repeats` times over), and
    /// returns the last result with the median time in each pool. This machine's speed drifts
    /// by tens of percent within seconds; alternating makes a drift hit both columns alike, so
    /// the ratio between them means something. Each result is dropped before the next run, so
    /// runs do not add up in memory. Results do not depend on the thread count.
    fn timed<T: Send>(&self, repeats: usize, f: impl Fn() -> T + Sync) -> (T, [f64; 2]) {
        let mut times = [Vec::new(), Vec::new()];
        let (mut out, first) = self.one.install(|| timed(&f));
        times[0].push(first);
        for round in 0..repeats.max(1) {
            for (i, pool) in self.both().into_iter().enumerate() {
                if round == 0 && i == 0 {
                    continue;
                }
                drop(out);
                let (next, s) = pool.install(|| timed(&f));
                out = next;
                times[i].push(s);
            }
        }
        let median = |t: &mut Vec<f64>| {
            t.sort_by(f64::total_cmp);
            percentile(t, 0.5)
        };
        let [mut one, mut many] = times;
        (out, [median(&mut one), median(&mut many)])
    }
}

/// Peak memory of `f` in MB and resident memory before it (Linux; zeros if unknown).
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let reset = reset_peak_memory();
    let start = if reset {
        status_mb("VmRSS:").unwrap_or(0.0)
    } else {
        0.0
    };
    let out = f();
    let peak = if reset {
        peak_memory_mb().unwrap_or(0.0)
    } else {
        0.0
    };
    (out, peak, start)
}

/// Everything one bench run measured, in both pools ([0]: one thread, [1]: N).
struct Measured {
    bytes: usize,
    docs: usize,
    threads: [usize; 2],
    featurize_peak_mb: [f64; 2],
    featurize_start_mb: [f64; 2],
    featurizing: Featurizing,
    training: Training,
    score_times: [Vec<f64>; 2],
    score_articles: usize,
    score_article_mean_bytes: f64,
    load_s: [f64; 2],
    trained_load_s: [f64; 2],
    mask_s: [f64; 2],
}

/// What the featurizing passes measured: the token count and each pass's time.
struct Featurizing {
    tokens: usize,
    tokenize_s: [f64; 2],
    fit_s: [f64; 2],
    transform_s: [f64; 2],
}

/// What the training passes measured and reached.
struct Training {
    fit_transform_s: [f64; 2],
    train_s: [f64; 2],
    train_all_s: [f64; 2],
    report: stance::model::logistic::FitReport,
    nonzero_weights: usize,
    features: usize,
    nnz: usize,
    model: Model,
}

/// Times every figure in both pools; returns the one-thread and the N-thread figures.
fn run_both(
    docs: &[stance::io::corpus::Document],
    params: &CheckedTrainParams,
    pools: &Pools,
    repeats: usize,
    score_sample: usize,
    extended: bool,
    export: Option<(Output, &mut dyn Write)>,
) -> anyhow::Result<[Figures; 2]> {
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let sources = vec![0u32; texts.len()];
    // Peak memory of fit+transform first, while the process holds only the corpus.
    let (featurize_peak_mb, featurize_start_mb) = featurize_peaks(&texts, &sources, params, pools)?;
    let featurizing = time_featurizing(&texts, &sources, params, pools, repeats)?;
    let training = time_training(docs, &texts, &sources, params, pools, repeats, export)?;
    let (sample, score_times) = time_scoring(&texts, &training.model, pools, score_sample);
    let (load_s, trained_load_s) = time_loads(&training.model, pools)?;
    let mask_s = match stance::text::mask::MaskRules::compile(&params.featurizer.mask) {
        Ok(mask) if extended => {
            pools
                .timed(repeats, || {
                    texts.par_iter().map(|t| mask.mask(t).len()).sum::<usize>()
                })
                .1
        }
        _ => [f64::NAN; 2],
    };
    let measured = Measured {
        bytes: texts.iter().map(|t| t.len()).sum(),
        docs: docs.len(),
        threads: [1, pools.many.current_num_threads()],
        featurize_peak_mb,
        featurize_start_mb,
        featurizing,
        training,
        score_times,
        score_articles: sample.len(),
        score_article_mean_bytes: sample.iter().map(|t| t.len()).sum::<usize>() as f64
            / sample.len().max(1) as f64,
        load_s,
        trained_load_s,
        mask_s,
    };
    Ok([0, 1].map(|i| measured.figures(i, params, extended)))
}

/// Peak memory of fit+transform and the resident memory before it, in each pool, on runs apart
/// from the timed ones: the process then holds only the corpus (as scikit-learn's side does
/// when it is measured), not what the allocator keeps from the passes that follow.
fn featurize_peaks(
    texts: &[&str],
    sources: &[u32],
    params: &CheckedTrainParams,
    pools: &Pools,
) -> anyhow::Result<([f64; 2], [f64; 2])> {
    let mut featurize_peak_mb = [0.0; 2];
    let mut featurize_start_mb = [0.0; 2];
    for (i, pool) in pools.both().into_iter().enumerate() {
        let (fitted, peak, start) =
            pool.install(|| peak_of(|| params.featurizer.fit(texts, sources)));
        // Dropped here, before the other pool's run.
        fitted.context("fitting the vocabulary")?;
        featurize_peak_mb[i] = peak;
        featurize_start_mb[i] = start;
    }
    Ok((featurize_peak_mb, featurize_start_mb))
}

/// The tokenizer, vocabulary fit and transform passes.
fn time_featurizing(
    texts: &[&str],
    sources: &[u32],
    params: &CheckedTrainParams,
    pools: &Pools,
    repeats: usize,
) -> anyhow::Result<Featurizing> {
    // The bare tokenizer pass: no masking, no stemming; the ceiling featurizing works under.
    let tokenizer = Tokenizer::new(&params.featurizer.tokenizer);
    let (tokens, tokenize_s) = pools.timed(repeats, || {
        texts
            .par_iter()
            .map(|text| {
                let mut n = 0;
                tokenizer.for_each_token(text, &[], |_, _| n += 1);
                n
            })
            .sum::<usize>()
    });

    let (featurizer, fit_s) =
        pools.timed(repeats, || params.featurizer.fit_vocabulary(texts, sources));
    let featurizer = featurizer.context("fitting the vocabulary")?;

    let (matrix, transform_s) = pools.timed(repeats, || featurizer.transform_many(texts));
    if matrix.n_rows() != texts.len() {
        bail!(
            "transform produced {} rows for {} documents",
            matrix.n_rows(),
            texts.len()
        );
    }
    // Neither is needed any more; dropping them here keeps them out of the memory the
    // training passes see.
    drop((matrix, featurizer));
    Ok(Featurizing {
        tokens,
        tokenize_s,
        fit_s,
        transform_s,
    })
}

/// Vocabulary and matrix in one pass, training proper on it, and the whole `train`; writes
/// the matrix to `export` after the timings.
fn time_training(
    docs: &[stance::io::corpus::Document],
    texts: &[&str],
    sources: &[u32],
    params: &CheckedTrainParams,
    pools: &Pools,
    repeats: usize,
    export: Option<(Output, &mut dyn Write)>,
) -> anyhow::Result<Training> {
    let (labels, y) = label_indices(docs);
    if labels.len() < 2 || y.len() != docs.len() {
        bail!("bench needs labelled data with at least two labels to time training and scoring");
    }
    // Vocabulary and matrix in one pass, as `train` builds them (scikit-learn's
    // `fit_transform`); its peak memory was taken at the start.
    let (fitted, fit_transform_s) = pools.timed(repeats, || params.featurizer.fit(texts, sources));
    let (fitted_featurizer, x) = fitted.context("fitting the vocabulary")?;
    // Training proper: L-BFGS on the training matrix, as scikit-learn's `fit` is timed.
    let (trained, train_s) = pools.timed(repeats, || {
        params.logistic.fit(&x, &y, &labels, &mut |_, _| {})
    });
    let (trained, report) = trained.context("training")?;
    let nonzero_weights = trained
        .weights()
        .iter()
        .flatten()
        .filter(|w| **w != 0.0)
        .count();
    drop(trained);
    let features = fitted_featurizer.n_features();
    let nnz = x.nnz();
    // After the timings, so that building the text disturbs none of them.
    if let Some((file, stdout)) = export {
        let path = file.path().display().to_string();
        let mut text = Vec::new();
        x.write_svmlight(&y, &mut text)
            .with_context(|| format!("writing the training matrix to {path}"))?;
        file.commit(&text, stdout)
            .with_context(|| format!("writing the training matrix to {path}"))?;
    }
    drop((fitted_featurizer, x));

    let (model, train_all_s) = pools.timed(1, || train(docs, params, &mut |_| {}));
    let (model, _) = model.context("training")?;
    Ok(Training {
        fit_transform_s,
        train_s,
        train_all_s,
        report,
        nonzero_weights,
        features,
        nnz,
        model,
    })
}

/// Scoring articles of about 5 KB one at a time: the articles scored and each pool's sorted
/// times in microseconds.
fn time_scoring<'t>(
    texts: &[&'t str],
    model: &Model,
    pools: &Pools,
    score_sample: usize,
) -> (Vec<&'t str>, [Vec<f64>; 2]) {
    let band: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|t| (4000..=6000).contains(&t.len()))
        .collect();
    let candidates: Vec<&str> = if band.len() >= 20 {
        band
    } else {
        texts.to_vec()
    };
    let step = (candidates.len() / score_sample.max(1)).max(1);
    let sample: Vec<&str> = candidates.iter().copied().step_by(step).collect();
    let score_times = pools.both().map(|pool| {
        pool.install(|| {
            let mut times: Vec<f64> = sample
                .iter()
                .map(|text| {
                    let (p, s) = timed(|| model.predict(text));
                    std::hint::black_box(p);
                    s * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times
        })
    });
    (sample, score_times)
}

/// Load times, in seconds: the default model's (the median of several loads: one load is
/// short enough, tens of milliseconds, for a single disturbance on a shared machine to double
/// it), and the trained model's.
fn time_loads(model: &Model, pools: &Pools) -> anyhow::Result<([f64; 2], [f64; 2])> {
    let (loaded, load_s) = pools.timed(LOAD_REPEATS, || {
        Model::from_json(
            stance::model::default_model::DEFAULT_MODEL_JSON,
            std::path::Path::new(stance::model::default_model::DEFAULT_MODEL_NAME),
        )
    });
    std::hint::black_box(loaded?);
    let json = model.to_json()?;
    let (loaded, trained_load_s) = pools.timed(1, || {
        Model::from_json(&json, std::path::Path::new("<bench>"))
    });
    std::hint::black_box(loaded?);
    Ok((load_s, trained_load_s))
}

impl Measured {
    /// The figures of pool `i` (0: one thread, 1: N).
    fn figures(&self, i: usize, params: &CheckedTrainParams, extended: bool) -> Figures {
        let (bytes, f, t) = (self.bytes, &self.featurizing, &self.training);
        Figures {
            bytes,
            docs: self.docs,
            tokens: f.tokens,
            threads: self.threads[i],
            tokenize_mb_s: mb_s(bytes, f.tokenize_s[i]),
            fit_mb_s: mb_s(bytes, f.fit_s[i]),
            transform_mb_s: mb_s(bytes, f.transform_s[i]),
            train_s: t.train_s[i],
            train_objective: t.report.final_loss,
            train_iterations: t.report.iterations,
            train_nonzero: t.nonzero_weights,
            score_p50_us: percentile(&self.score_times[i], 0.5),
            score_p99_us: percentile(&self.score_times[i], 0.99),
            model_load_ms: self.load_s[i] * 1e3,
            extended: extended.then(|| Extended {
                mask_mb_s: mb_s(bytes, self.mask_s[i]),
                fit_transform_mb_s: mb_s(bytes, t.fit_transform_s[i]),
                featurize_peak_mb: self.featurize_peak_mb[i],
                featurize_start_mb: self.featurize_start_mb[i],
                features: t.features,
                nnz: t.nnz,
                lbfgs_iterations: t.report.iterations,
                final_loss: t.report.final_loss,
                lbfgs_converged: t.report.converged,
                gradient_norm: t.report.gradient_norm,
                converged: t.report.converged,
                nonzero_weights: t.nonzero_weights,
                alpha: params.logistic.alpha,
                penalty: params.logistic.penalty,
                l1_ratio: params.logistic.l1_ratio,
                solver: params.logistic.solver,
                tolerance: params.logistic.tolerance,
                max_iter: params.logistic.max_iter,
                train_all_s: t.train_all_s[i],
                score_articles: self.score_articles,
                score_article_mean_bytes: self.score_article_mean_bytes,
                trained_model_load_ms: self.trained_load_s[i] * 1e3,
            }),
        }
    }
}

pub fn run(args: BenchArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    let params = train_params(&args)?;
    // Created before the data is read, so that an unwritable path fails before any work.
    let export = open_output(args.export_matrix.as_deref(), "--export-matrix")?;
    if let Some(file) = &export {
        check_distinct(&args.data.data, &[("--export-matrix", file)])?;
    }
    let to_stdout = export.as_ref().is_some_and(|f| f.is_stdout());
    let docs = args.data.read()?;
    let pool = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("starting a thread pool")
    };
    let pools = Pools {
        one: pool(1)?,
        many: pool(args.threads)?,
    };
    let [single, parallel] = run_both(
        &docs,
        &params,
        &pools,
        args.repeat,
        args.score_sample,
        args.extended,
        export.map(|file| (file, &mut *out as &mut dyn Write)),
    )?;
    // With the matrix on stdout (`--export-matrix -`), the figures go to stderr.
    let mut stderr = std::io::stderr();
    let out: &mut dyn Write = if to_stdout { &mut stderr } else { out };
    let peak = peak_memory_mb();
    match args.format {
        OutputFormat::Json => {
            let report = Report {
                single: &single,
                parallel: &parallel,
            };
            write_json(out, &report)?;
        }
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => {
            let ngrams = params.featurizer.ngram_range;
            render_text(out, &single, &parallel, ngrams, peak)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The training parameters the bench options give.
fn train_params(args: &BenchArgs) -> anyhow::Result<CheckedTrainParams> {
    let mut params = TrainParams::default();
    params.featurizer.ngram_range = args.ngram_range;
    params.logistic.alpha = args.alpha;
    params.logistic.penalty = args.penalty;
    params.logistic.l1_ratio = args.l1_ratio;
    params.logistic.solver = match args.penalty {
        Penalty::L2 => args.solver,
        // OWL-QN is what a file naming no solver used: it stays unnamed, so that
        // its models keep the bytes they had.
        Penalty::L1 | Penalty::ElasticNet => match args.solver.unwrap_or(Solver::Cd) {
            Solver::Cd => Some(Solver::Cd),
            Solver::Owlqn => None,
        },
    };
    params.logistic.max_iter = args.max_iter;
    params.logistic.tolerance = args.tol;
    Ok(params.check()?)
}

/// The text table: each figure with one thread and with N, and their ratio.
fn render_text(
    out: &mut dyn Write,
    single: &Figures,
    parallel: &Figures,
    ngram_range: NgramRange,
    peak: Option<f64>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} documents, {:.1} MB, {} tokens; n-grams {}",
        single.docs,
        single.bytes as f64 / 1e6,
        single.tokens,
        ngram_range
    )?;
    writeln!(
        out,
        "{:<22} {:>12} {:>12} {:>8}",
        "",
        "1 thread",
        format!("{} threads", parallel.threads),
        "ratio"
    )?;
    let (a, b) = (single, parallel);
    row(out, "tokenize MB/s", a.tokenize_mb_s, b.tokenize_mb_s)?;
    row(out, "vocabulary fit MB/s", a.fit_mb_s, b.fit_mb_s)?;
    row(out, "transform MB/s", a.transform_mb_s, b.transform_mb_s)?;
    row(out, "train s", a.train_s, b.train_s)?;
    writeln!(
        out,
        "train reached objective {:.6} in {} iterations, {} non-zero weights",
        a.train_objective, a.train_iterations, a.train_nonzero
    )?;
    row(out, "score p50 us", a.score_p50_us, b.score_p50_us)?;
    row(out, "score p99 us", a.score_p99_us, b.score_p99_us)?;
    row(out, "model load ms", a.model_load_ms, b.model_load_ms)?;
    if let (Some(a), Some(b)) = (&single.extended, &parallel.extended) {
        row(out, "mask MB/s", a.mask_mb_s, b.mask_mb_s)?;
        let (x, y) = (a.fit_transform_mb_s, b.fit_transform_mb_s);
        row(out, "fit+transform MB/s", x, y)?;
        row(
            out,
            "featurize peak MB",
            a.featurize_peak_mb,
            b.featurize_peak_mb,
        )?;
        row(out, "whole train s", a.train_all_s, b.train_all_s)?;
        writeln!(out,
            "{} features, {} non-zeros; L-BFGS {} iterations (converged: {}), final loss {:.6}; scored {} articles of {:.0} bytes on average",
            a.features, a.nnz, a.lbfgs_iterations, a.lbfgs_converged, a.final_loss, a.score_articles, a.score_article_mean_bytes
        )?;
    }
    writeln!(out, "tokenize is the bare tokenizer pass (no masking, no stemming); train is L-BFGS on the featurized corpus; model load is the median of five loads of the built-in default model")?;
    if let Some(mb) = peak {
        writeln!(out, "peak memory: {mb:.0} MB")?;
    }
    Ok(())
}
