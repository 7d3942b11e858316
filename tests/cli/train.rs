//! `stance train` on every input format, its options, its summary, and byte-identical output.

use crate::common;

use common::{repo, stance, stdout_of, train_command, train_examples, train_model};
use predicates::str::contains;
use stance::Model;

#[test]
fn trains_from_jsonl_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let summary = train_model(&repo("data/examples.jsonl"), &out, &[]);
    assert!(summary.contains("trained on 48 documents"), "{summary}");
    // One line per label with its document count.
    let counts: Vec<Vec<&str>> = summary
        .lines()
        .map(|l| l.split_whitespace().collect())
        .filter(|w: &Vec<&str>| w.len() == 2 && (w[0] == "russian" || w[0] == "western"))
        .collect();
    assert_eq!(counts, [["russian", "24"], ["western", "24"]], "{summary}");
    assert!(summary.contains("vocabulary:") && summary.contains("iterations, final loss"));
    let model = Model::load(&out).unwrap();
    assert_eq!(model.labels(), ["russian", "western"]);
    let t = model.training();
    assert_eq!(t.documents, 48);
    assert_eq!(t.per_label["russian"], 24);
    assert_eq!(t.data_sha256.len(), 64);
    assert!(t.sources.len() >= 6, "sources recorded: {:?}", t.sources);
}

#[test]
fn trains_from_csv_tsv_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    for data in [
        "data/examples.csv",
        "data/examples.tsv",
        "data/folder-corpus",
    ] {
        let out = dir.path().join("m.json");
        let summary = train_model(&repo(data), &out, &[]);
        assert!(summary.contains("trained on 8 documents"), "{summary}");
        assert_eq!(Model::load(&out).unwrap().labels(), ["russian", "western"]);
    }
}

#[test]
fn several_data_files_are_combined() {
    let dir = tempfile::tempdir().unwrap();
    let summary = train_model(
        &repo("data/examples.csv"),
        &dir.path().join("m.json"),
        &["--data", "data/examples.jsonl"],
    );
    assert!(summary.contains("trained on 56 documents"), "{summary}");
}

#[test]
fn same_data_and_parameters_give_a_byte_identical_file() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (ma, mb) = (train_examples(a.path()), train_examples(b.path()));
    assert_eq!(std::fs::read(ma).unwrap(), std::fs::read(mb).unwrap());
}

#[test]
fn a_model_round_trips_bit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = train_examples(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(Model::load(&path).unwrap().to_json().unwrap(), bytes);
}

#[test]
fn the_file_starts_with_format_and_version_and_holds_the_featurizer() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(train_examples(dir.path())).unwrap();
    assert!(
        // A model without a spelling normaliser is written as version 3 (tests/cli/spelling.rs).
        text.starts_with(r#"{"format":"stance-model","version":3,"#),
        "{}",
        &text[..80]
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in ["mask", "tokenizer", "ngram_range", "vocabulary", "tfidf"] {
        assert!(
            v["featurizer"].get(key).is_some(),
            "featurizer.{key} missing"
        );
    }
    assert_eq!(
        common::unpacked_terms(&v["vocabulary"]).len(),
        common::unpacked(&v["idf"]).len()
    );
    assert_eq!(
        v["weights"].as_array().unwrap().len(),
        1,
        "binary: one weight vector"
    );
}

#[test]
fn options_shape_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    train_model(
        &repo("data/examples.jsonl"),
        &out,
        &[
            "--max-df",
            "0.9",
            "--max-features",
            "300",
            "--ngram-range",
            "1..3",
            "--c",
            "4",
            "--no-stop-words",
            "--numbers",
            "keep",
            "--no-sublinear-tf",
            "--mask-outlet",
            "Example Wire",
        ],
    );
    let model = Model::load(&out).unwrap();
    let p = model.featurizer().params();
    assert_eq!(model.featurizer().n_features(), 300);
    assert_eq!((p.ngram_range.min(), p.ngram_range.max()), (1, 3));
    assert!(!p.tfidf.sublinear_tf);
    assert!((model.training().logistic.alpha - 0.25).abs() < 1e-12);
    assert!(model
        .featurizer()
        .vocabulary()
        .iter()
        .any(|t| t.split(' ').count() == 3));
    let tokenizer = stance::text::tokenize::Tokenizer::new(&p.tokenizer);
    let kept = stance::text::stopwords::ENGLISH
        .iter()
        .filter(|w| {
            model
                .featurizer()
                .vocabulary()
                .get(&tokenizer.stem(w))
                .is_some()
        })
        .count();
    assert!(kept > 10, "stop words kept: {kept}");
    assert!(p.mask.rules.iter().any(|r| r.name == "outlet:Example Wire"));
}

#[test]
fn three_labels_train_a_multinomial_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::three_label_corpus(dir.path());
    let out = dir.path().join("m.json");
    common::train_model(&data, &out, &[]);
    let model = Model::load(&out).unwrap();
    assert_eq!(model.labels(), ["neutral", "russian", "western"]);
    assert_eq!(model.classifier().weights().len(), 3);
    let scored = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--model"])
            .arg(&out)
            .arg("data/articles/russian-ministry-statement.txt"),
    );
    let v: serde_json::Value = serde_json::from_str(scored.trim()).unwrap();
    let sum: f64 = v["probabilities"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-9);
}

#[test]
fn russian_language_setting_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ru.jsonl");
    std::fs::write(
        &data,
        "{\"text\":\"Киевский режим продолжает обстрелы Донбасса\",\"label\":\"russian\"}\n\
         {\"text\":\"Киевский режим и западные кураторы\",\"label\":\"russian\"}\n\
         {\"text\":\"Российское вторжение в Украину продолжается\",\"label\":\"western\"}\n\
         {\"text\":\"Вторжение России осуждают в Киеве\",\"label\":\"western\"}\n",
    )
    .unwrap();
    let out = dir.path().join("m.json");
    common::train_model(&data, &out, &["--language", "russian", "--no-stop-words"]);
    let model = Model::load(&out).unwrap();
    let stemmer = stance::text::language::Language::Russian.stemmer();
    let vocabulary = model.featurizer().vocabulary();
    for word in ["режим", "вторжение", "киевский"] {
        let stem = stemmer.stem(word);
        assert!(
            vocabulary.get(&stem).is_some(),
            "{stem} not in {:?}",
            vocabulary.iter().collect::<Vec<_>>()
        );
    }
    assert!(vocabulary.get("вторжение").is_none(), "words are stemmed");
}

#[test]
fn invalid_options_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    for (flag, value, message) in [
        ("--ngram-range", "3..1", "3..1"),
        ("--alpha", "-1", "alpha"),
        ("--min-df", "0", "min_df"),
        ("--language", "klingon", "klingon"),
        ("--numbers", "sometimes", "sometimes"),
        ("--mask-rule", "bad=(", "bad"),
    ] {
        train_command(&repo("data/examples.jsonl"), &out)
            .args([flag, value])
            .assert()
            .failure()
            .stderr(contains(message));
    }
    assert!(!out.exists());
}

#[test]
fn files_without_calibration_or_uncertainty_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = train_examples(dir.path());
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let map = v.as_object_mut().unwrap();
    map.remove("uncertainty");
    map.remove("calibration");
    let old = dir.path().join("old.json");
    std::fs::write(&old, v.to_string()).unwrap();
    let model = Model::load(&old).unwrap();
    assert!(model.calibration().is_none());
    assert_eq!(
        *model.uncertainty(),
        stance::model::evidence::UncertaintyPolicy::default()
    );
}

#[test]
fn calibrate_stores_a_calibration_that_score_uses() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cal.json");
    let summary = train_model(
        &repo("data/examples.jsonl"),
        &out,
        &["--calibrate", "--calibration-folds", "3"],
    );
    assert!(summary.contains("calibration: Platt"), "{summary}");
    let model = Model::load(&out).unwrap();
    let c = model.calibration().unwrap();
    assert_eq!((c.folds, c.group_by.as_str()), (3, "source"));
    let text =
        std::fs::read_to_string(repo("data/articles/russian-ministry-statement.txt")).unwrap();
    let row = model.featurizer().transform(&text);
    let logits = model.classifier().logits(&row);
    // Scoring calibrates the logits, then cools them by the text's length (evidence.rs).
    let prediction = model.predict(&text);
    let mut expected = c.map.apply(&logits);
    model
        .uncertainty()
        .cool(&mut expected, &prediction.evidence);
    assert_eq!(prediction.probabilities, expected);
    assert_ne!(
        model.predict(&text).probabilities,
        model.classifier().probabilities_from_logits(&logits)
    );
}

#[test]
fn chunked_training_records_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    train_model(&repo("data/examples.jsonl"), &out, &["--chunk-words", "30"]);
    let t = Model::load(&out).unwrap().training().clone();
    assert_eq!(t.passage_words, 30);
    assert_eq!(t.documents, 48);
    assert!(t.rows > 48, "passages: {}", t.rows);
}

#[test]
fn the_model_file_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let train_with = |threads: &str| {
        let out = dir.path().join(format!("m{threads}.json"));
        train_command(&repo("data/examples.jsonl"), &out)
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "--min-df",
                "1",
                "--chunk-words",
                "30",
                "--calibrate",
                "--calibration-folds",
                "3",
            ])
            .assert()
            .success();
        std::fs::read(out).unwrap()
    };
    assert!(
        train_with("1") == train_with("2"),
        "1 and 2 threads gave different model files"
    );
}

#[test]
fn threads_on_train_and_cv_change_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let three = common::three_label_corpus(dir.path());
    // Binary and multinomial, both solved by coordinate descent (the default for l1).
    for (name, data) in [("two", repo("data/examples.jsonl")), ("three", three)] {
        let train_with = |threads: &str| {
            let out = dir.path().join(format!("{name}{threads}.json"));
            let summary = train_model(
                &data,
                &out,
                &["--penalty", "l1", "--alpha", "0.05", "--threads", threads],
            );
            assert!(summary.contains("coordinate descent:"), "{summary}");
            std::fs::read(out).unwrap()
        };
        assert!(
            train_with("1") == train_with("2"),
            "{name}: --threads 1 and 2 gave different model files"
        );
        let cv_with = |threads: &str| {
            stdout_of(
                stance()
                    .args(["cv", "--min-df", "1", "--folds", "3"])
                    .args([
                        "--penalty",
                        "l1",
                        "--alpha",
                        "0.05",
                        "--group-by",
                        "none",
                        "--format",
                        "json",
                        "--threads",
                        threads,
                        "--data",
                        data.to_str().unwrap(),
                    ]),
            )
        };
        assert_eq!(cv_with("1"), cv_with("2"), "{name}: cv figures differ");
    }
    for args in [&["train", "--out", "m.json"][..], &["cv"]] {
        common::fails_with(
            stance()
                .args(args)
                .args(["--threads", "0", "--data", "x.jsonl"]),
            "--threads",
        );
    }
}
