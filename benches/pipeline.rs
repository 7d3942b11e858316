//! Criterion benchmarks of the pipeline stages on the project's own example corpus
//! (`data/examples.jsonl`, embedded with `include_str!`). Each timed loop checks the count it
//! produced, so a benchmark cannot silently measure nothing. Run with `cargo bench`; CI only
//! checks that they compile (`cargo bench --no-run`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use stance::features::featurizer::FeaturizerParams;
use stance::features::vocabulary::DocFreq;
use stance::io::corpus::{FieldNames, JsonLines};
use stance::train::{train, TrainParams};

const CORPUS: &str = include_str!("../data/examples.jsonl");

fn docs() -> Vec<stance::io::corpus::Document> {
    JsonLines::new(
        std::path::Path::new("data/examples.jsonl"),
        CORPUS.as_bytes(),
        &FieldNames::default(),
        true,
    )
    .collect::<Result<_, _>>()
    .expect("the committed example corpus parses")
}

fn params() -> TrainParams {
    let mut p = TrainParams::default();
    p.featurizer.vocabulary.min_df = DocFreq::Count(1);
    p
}

fn pipeline(c: &mut Criterion) {
    let docs = docs();
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let sources = vec![0u32; texts.len()];
    let params = params();
    let featurizer = params
        .featurizer
        .fit_vocabulary(&texts, &sources)
        .expect("fit");
    let expected_tokens: usize = texts
        .iter()
        .map(|t| {
            let mut n = 0;
            featurizer.for_each_raw_token(t, |_, _| n += 1);
            n
        })
        .sum();
    assert!(expected_tokens > 1000);

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("tokenize", |b| {
        b.iter(|| {
            let mut n = 0;
            for t in &texts {
                featurizer.for_each_raw_token(t, |_, _| n += 1);
            }
            assert_eq!(n, expected_tokens);
        })
    });
    group.bench_function("fit", |b| {
        b.iter(|| {
            let f = FeaturizerParams::fit_vocabulary(&params.featurizer, &texts, &sources)
                .expect("fit");
            assert_eq!(f.n_features(), featurizer.n_features());
        })
    });
    group.bench_function("transform", |b| {
        b.iter(|| {
            let m = featurizer.transform_many(&texts);
            assert_eq!(m.n_rows(), texts.len());
        })
    });
    group.finish();

    let checked = params.clone().check().expect("valid parameters");
    c.bench_function("train", |b| {
        b.iter(|| {
            let (model, _) = train(&docs, &checked, &mut |_| {}).expect("train");
            assert_eq!(model.labels().len(), 2);
        })
    });
    let (model, _) = train(&docs, &checked, &mut |_| {}).expect("train");
    let article = texts[0];
    c.bench_function("score one article", |b| {
        b.iter(|| {
            let p = model.predict(article);
            assert!(p.evidence.tokens > 10);
        })
    });
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
