//! `stance eval`, `stance inspect` and `stance cv` on the project's example data.

use crate::common;

use common::{fails_with, stance, stdout_of, train_examples};
use predicates::prelude::*;

#[test]
fn eval_reports_every_figure_under_stable_keys() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let out = stdout_of(
        stance()
            .args([
                "eval",
                "--format",
                "json",
                "--data",
                "data/examples.csv",
                "--model",
            ])
            .arg(&model),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "n",
        "accuracy",
        "macro_f1",
        "roc_auc",
        "log_loss",
        "brier",
        "ece",
        "per_label",
        "confusion",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["n"], 8);
    let confusion: u64 = v["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|c| c.as_u64().unwrap())
        .sum();
    assert_eq!(confusion, 8);
    let text = stdout_of(
        stance()
            .args(["eval", "--data", "data/examples.csv", "--model"])
            .arg(&model),
    );
    assert!(text.contains("macro-F1") && text.contains("confusion"));
}

#[test]
fn eval_refuses_labels_the_model_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("other.jsonl");
    std::fs::write(&data, "{\"text\":\"a b c\",\"label\":\"neutral\"}\n").unwrap();
    stance()
        .args(["eval", "--data"])
        .arg(&data)
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("\"neutral\"")
                .and(predicates::str::contains("panicked").not()),
        );
}

#[test]
fn inspect_prints_a_model_card() {
    let out = stdout_of(stance().args(["inspect", "--top", "5"]));
    let version = format!("format version: {}", default_model_version());
    for part in [
        version.as_str(),
        "labels: russian, western",
        "training data: ",
        "vocabulary size",
        "top 5 terms toward russian",
        "leakage check",
    ] {
        assert!(out.contains(part), "missing {part:?}");
    }
    let json = stdout_of(stance().args(["inspect", "--top", "3", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["top_terms"][0]["terms"].as_array().unwrap().len(), 3);
    assert_eq!(v["format_version"], default_model_version());
}

/// The version models/default.json says it is: 4 with a spelling normaliser, 3 without.
fn default_model_version() -> u64 {
    let text = std::fs::read_to_string(common::repo("models/default.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["version"].as_u64().unwrap()
}

#[test]
fn inspect_flags_outlet_names_a_model_learned() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("leaky.jsonl");
    let mut lines = String::new();
    for i in 0..10 {
        let (label, text) = if i % 2 == 0 {
            ("a", format!("Reuters reported item {i} harvest"))
        } else {
            ("b", format!("Sputnik reported item {i} weather"))
        };
        lines.push_str(&serde_json::json!({"text": text, "label": label}).to_string());
        lines.push('\n');
    }
    std::fs::write(&data, lines).unwrap();
    let model = dir.path().join("m.json");
    common::train_model(&data, &model, &["--no-mask"]);
    let out = stdout_of(
        stance()
            .args(["inspect", "--top", "3", "--model"])
            .arg(&model),
    );
    assert!(
        out.contains("looks like an outlet marker: outlet name (reuter)")
            || out.contains("outlet name (sputnik)"),
        "{out}"
    );
}

#[test]
fn cv_reports_random_and_grouped_splits_side_by_side() {
    let out = stdout_of(stance().args([
        "cv",
        "--data",
        "data/examples.jsonl",
        "--folds",
        "3",
        "--min-df",
        "1",
        "--group-by",
        "none,source",
    ]));
    assert!(out.contains("== grouped by none") && out.contains("== grouped by source"));
    assert!(out.contains("leakage"));
    let json = stdout_of(stance().args([
        "cv",
        "--data",
        "data/examples.jsonl",
        "--folds",
        "3",
        "--min-df",
        "1",
        "--group-by",
        "source",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["runs"][0]["folds"].as_array().unwrap().len(), 3);
}

#[test]
fn cv_results_do_not_depend_on_the_thread_count() {
    let run = |threads: &str| {
        stdout_of(stance().env("RAYON_NUM_THREADS", threads).args([
            "cv",
            "--data",
            "data/examples.jsonl",
            "--folds",
            "3",
            "--min-df",
            "1",
            "--group-by",
            "none,source",
            "--format",
            "json",
        ]))
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn inspect_shows_surface_forms_from_the_training_data() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let json = stdout_of(
        stance()
            .args(["inspect", "--top", "10", "--format", "json", "--model"])
            .arg(&model),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let terms: Vec<&serde_json::Value> = v["top_terms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["terms"].as_array().unwrap())
        .collect();
    assert!(
        terms.iter().all(|t| t.get("surface").is_some()),
        "every top term has a surface form"
    );
    assert!(
        terms.iter().any(|t| t["surface"]
            .as_str()
            .unwrap()
            .chars()
            .any(char::is_uppercase)),
        "surface forms keep the text's case"
    );
}

#[test]
fn bench_reports_the_documented_keys_for_one_and_n_threads() {
    let out = stdout_of(stance().args([
        "bench",
        "--data",
        "data/examples.jsonl",
        "--threads",
        "2",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys = [
        "bytes",
        "docs",
        "tokens",
        "threads",
        "tokenize_mb_s",
        "fit_mb_s",
        "transform_mb_s",
        "train_s",
        "train_objective",
        "train_iterations",
        "train_nonzero",
        "score_p50_us",
        "score_p99_us",
        "model_load_ms",
    ];
    let mut expected: Vec<&str> = keys.to_vec();
    expected.sort_unstable();
    let names = |o: &serde_json::Value| {
        let mut k: Vec<String> = o.as_object().unwrap().keys().cloned().collect();
        k.retain(|k| k != "parallel");
        k.sort_unstable();
        k
    };
    assert_eq!(names(&v), expected, "exactly the documented keys");
    assert_eq!(names(&v["parallel"]), expected);
    assert_eq!(v["docs"], 48);
    assert_eq!(v["threads"], 1);
    assert_eq!(v["parallel"]["threads"], 2);
    assert_eq!(v["tokens"], v["parallel"]["tokens"]);
    assert!(v["tokens"].as_u64().unwrap() > 1000);
    // The same training in both runs, and an L2 fit has no zero weights to speak of.
    assert_eq!(v["train_objective"], v["parallel"]["train_objective"]);
    assert!(v["train_objective"].as_f64().unwrap() > 0.0);
    assert!(v["train_nonzero"].as_u64().unwrap() > 100);
}

#[test]
fn bench_exports_the_training_matrix_as_svmlight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix.svm");
    let out = stdout_of(
        stance()
            .args(["bench", "--data", "data/examples.jsonl", "--threads", "1"])
            .args(["--score-sample", "5", "--extended", "--format", "json"])
            .arg("--export-matrix")
            .arg(&path),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let features = v["features"].as_u64().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len() as u64,
        v["docs"].as_u64().unwrap(),
        "one line per document"
    );
    let mut nnz = 0;
    let mut labels = std::collections::BTreeSet::new();
    for line in &lines {
        let mut parts = line.split(' ');
        labels.insert(parts.next().unwrap().parse::<usize>().unwrap());
        let mut last = None;
        for entry in parts {
            let (i, x) = entry.split_once(':').unwrap();
            let i: u64 = i.parse().unwrap();
            let x: f64 = x.parse().unwrap();
            assert!(
                i < features && last.is_none_or(|l| l < i),
                "{entry} in order"
            );
            assert!(x.is_finite() && x > 0.0, "{entry}");
            last = Some(i);
            nnz += 1;
        }
    }
    assert_eq!(labels.into_iter().collect::<Vec<_>>(), [0, 1]);
    assert_eq!(nnz, v["nnz"].as_u64().unwrap());

    // An unwritable path fails before any work, naming the path.
    fails_with(
        stance()
            .args(["bench", "--data", "data/examples.jsonl", "--export-matrix"])
            .arg(dir.path().join("missing/matrix.svm")),
        "missing/matrix.svm",
    );
}

#[test]
fn bench_refuses_zero_repeats_and_threads() {
    for (flag, message) in [
        ("--repeat", "--repeat must be at least 1"),
        ("--threads", "threads must be between 1 and"),
    ] {
        fails_with(
            stance().args(["bench", "--data", "data/examples.jsonl", flag, "0"]),
            message,
        );
    }
}

#[test]
fn bench_trains_with_the_penalty_it_is_given() {
    let run = |penalty: &str| -> serde_json::Value {
        let out = stdout_of(
            stance()
                .args(["bench", "--data", "data/examples.jsonl", "--threads", "1"])
                .args(["--score-sample", "5", "--repeat", "1", "--extended"])
                .args(["--format", "json", "--alpha", "0.05", "--penalty", penalty])
                .args(["--tol", "1e-6", "--max-iter", "2000"]),
        );
        serde_json::from_str(&out).unwrap()
    };
    let (l2, l1) = (run("l2"), run("l1"));
    assert_eq!(l2["penalty"], "l2");
    assert_eq!(l1["penalty"], "l1");
    for v in [&l1, &l2] {
        assert_eq!(v["alpha"], 0.05);
        assert_eq!(v["tolerance"], 1e-6);
        assert_eq!(v["max_iter"], 2000);
        assert_eq!(v["converged"], v["lbfgs_converged"]);
        assert!(v["gradient_norm"].as_f64().unwrap().is_finite());
    }
    let nonzero = |v: &serde_json::Value| v["nonzero_weights"].as_u64().unwrap();
    let features = l1["features"].as_u64().unwrap();
    assert!(
        0 < nonzero(&l1) && nonzero(&l1) < nonzero(&l2) && nonzero(&l2) <= features,
        "L1 {} and L2 {} non-zero weights of {features}",
        nonzero(&l1),
        nonzero(&l2)
    );
    fails_with(
        stance().args(["bench", "--data", "data/examples.jsonl", "--penalty", "l3"]),
        "l3",
    );
}

#[test]
fn cv_dev_reports_each_dev_set_and_refuses_unknown_labels() {
    let json = stdout_of(stance().args([
        "cv",
        "--data",
        "data/examples.jsonl",
        "--folds",
        "2",
        "--min-df",
        "1",
        "--group-by",
        "none",
        "--dev",
        "data/examples.jsonl",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let dev = &v["dev"][0];
    assert_eq!(dev["path"], "data/examples.jsonl");
    assert_eq!(dev["metrics"]["n"], 48);
    // One drift entry per label, four length quarters each.
    let drift = dev["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 2);
    for d in drift {
        assert_eq!(d["mean_probability"].as_array().unwrap().len(), 4);
    }
    let agreement = dev["paragraph_agreement"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&agreement), "{agreement}");

    let dir = tempfile::tempdir().unwrap();
    let odd = common::write_file(
        dir.path(),
        "odd.jsonl",
        br#"{"id": "x1", "text": "Kyiv said the invasion goes on.", "label": "neutral"}
"#,
    );
    let err = common::fails_with(
        stance()
            .args([
                "cv",
                "--data",
                "data/examples.jsonl",
                "--folds",
                "2",
                "--min-df",
                "1",
            ])
            .args(["--group-by", "none", "--dev"])
            .arg(&odd),
        "x1",
    );
    assert!(
        err.contains("neutral") && err.contains("odd.jsonl"),
        "{err}"
    );
}
