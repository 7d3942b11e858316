//! `train --preset` and `cv --preset`: a preset is the settings of the project's default model
//! (or scikit-learn's defaults), works from any directory, and flags given override it. `--seed`
//! is gone; `--calibration-seed` is the seed that exists.

use crate::common;

use common::{fails_with, repo, stance, stdout_of};

/// The model file's parameters (featurizer, classifier, passages, cooling), without anything
/// that depends on the data.
fn settings(model: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "featurizer": model["featurizer"],
        "logistic": model["training"]["logistic"],
        "chunk_words": model["training"]["chunk_words"],
        "prior_tokens": model["uncertainty"]["prior_tokens"],
        "calibration": model.get("calibration"),
    })
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn preset_default_has_the_default_models_settings_from_any_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("preset.json");
    // Run from an empty directory: the newsroom stop list must be built in.
    let summary = stdout_of(
        stance()
            .current_dir(dir.path())
            .args(["train", "-q", "--preset", "default", "--data"])
            .arg(repo("data/examples.jsonl"))
            .arg("--out")
            .arg(&out),
    );
    assert!(summary.contains("preset default:"), "{summary}");
    let default_model = read_json(&repo("models/default.json"));
    assert_eq!(settings(&read_json(&out)), settings(&default_model));

    // The same model as the flags scripts/train-default.sh used to spell out, byte for byte.
    let spelled = dir.path().join("spelled.json");
    stdout_of(
        stance()
            .args(["train", "-q", "--data"])
            .arg(repo("data/examples.jsonl"))
            .arg("--out")
            .arg(&spelled)
            .args([
                "--penalty",
                "l1",
                "--alpha",
                "0.033333",
                "--max-iter",
                "3000",
            ])
            .args([
                "--no-stem",
                "--ngram-range",
                "1..2",
                "--keep-unweighted-terms",
            ])
            .args(["--stop-words", "data/stopwords-newsroom.txt"]),
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&spelled).unwrap()
    );
}

#[test]
fn flags_given_override_the_preset_and_the_preset_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let train = |name: &str, args: &[&str]| {
        let out = dir.path().join(name);
        stdout_of(
            stance()
                .args(["train", "-q", "--min-df", "1", "--data"])
                .arg(repo("data/examples.jsonl"))
                .arg("--out")
                .arg(&out)
                .args(args),
        );
        read_json(&out)
    };
    // Before and after --preset alike.
    for args in [
        &[
            "--preset",
            "default",
            "--alpha",
            "0.1",
            "--stem",
            "--stop-words",
            "english",
        ][..],
        &[
            "--alpha",
            "0.1",
            "--stem",
            "--stop-words",
            "english",
            "--preset",
            "default",
        ],
    ] {
        let m = train("over.json", args);
        assert_eq!(m["training"]["logistic"]["alpha"], 0.1, "{args:?}");
        assert_eq!(m["training"]["logistic"]["penalty"], "l1", "{args:?}");
        assert_eq!(m["training"]["logistic"]["max_iter"], 3000, "{args:?}");
        assert_eq!(m["featurizer"]["tokenizer"]["stem"], true, "{args:?}");
        assert_eq!(
            m["featurizer"]["tokenizer"]["stop_words"], "english",
            "{args:?}"
        );
    }
    // scikit-learn's defaults: unigrams, no stop words, raw counts, unbalanced, C = 1.
    let m = train("textbook.json", &["--preset", "textbook"]);
    assert_eq!(m["featurizer"]["ngram_range"], serde_json::json!([1, 1]));
    assert_eq!(m["featurizer"]["tokenizer"]["stop_words"], "none");
    assert_eq!(m["featurizer"]["tfidf"]["sublinear_tf"], false);
    assert_eq!(m["training"]["logistic"]["class_weight"], "none");
    assert_eq!(m["training"]["logistic"]["alpha"], 1.0);
    assert_eq!(m["training"]["logistic"]["max_iter"], 100);
    // Without a preset, the defaults --help shows.
    let m = train("plain.json", &[]);
    assert_eq!(m["training"]["logistic"]["alpha"], 1.0);
    assert!(
        m["training"]["logistic"].get("penalty").is_none(),
        "l2 is the default"
    );
    assert_eq!(m["featurizer"]["tokenizer"]["stem"], true);
    assert_eq!(m["featurizer"]["tokenizer"]["stop_words"], "english");
}

#[test]
fn help_shows_every_default_and_what_the_presets_set() {
    for command in ["train", "cv"] {
        let help = stdout_of(stance().args([command, "--help"]));
        for expected in [
            "--preset <PRESET>",
            "--penalty l1 --alpha 0.033333 --max-iter 3000 --no-stem --ngram-range 1..2 \
             --stop-words newsroom --keep-unweighted-terms",
            "--penalty l2 --alpha 1 --max-iter 100",
            "override the preset's values",
        ] {
            assert!(
                help.contains(expected),
                "{command} --help lacks {expected:?}"
            );
        }
        // Every option that takes a value shows its default (or says it has none).
        let mut option = None;
        let mut shown = std::collections::BTreeMap::new();
        for line in help.lines() {
            let t = line.trim_start();
            if t.starts_with("--") || t.starts_with("-q") {
                option = t.split_whitespace().find(|w| w.starts_with("--"));
                if let Some(o) = option {
                    shown.insert(o.to_string(), t.contains('<'));
                }
            } else if t.contains("[default: ") || t.contains("(default ") {
                if let Some(o) = option {
                    shown.insert(o.to_string(), false);
                }
            }
        }
        let without: Vec<&String> = shown
            .iter()
            .filter(|(o, &takes_value_without_default)| {
                takes_value_without_default
                    && !matches!(
                        o.as_str(),
                        // Required, repeatable, or off unless given.
                        "--data"
                            | "--out"
                            | "--preset"
                            | "--mask-outlet"
                            | "--mask-rule"
                            | "--unmask"
                            | "--dev"
                            | "--predictions"
                            | "--date-format"
                    )
            })
            .map(|(o, _)| o)
            .collect();
        assert!(
            without.is_empty(),
            "{command} --help: no default shown for {without:?}"
        );
    }
}

#[test]
fn seed_is_refused_and_the_calibration_seed_moves_the_folds() {
    for args in [
        &["train", "--out", "/nonexistent/never-written.json"][..],
        &["cv"],
    ] {
        let command = args[0];
        let err = stance()
            .args(args)
            .args(["--seed", "1", "--data", "data/examples.jsonl"])
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8_lossy(&err);
        assert!(
            err.contains("--seed was removed") && err.contains("--calibration-seed"),
            "{command}: {err}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        stance()
            .args([
                "train",
                "--calibration-seed",
                "1",
                "--data",
                "data/examples.jsonl",
            ])
            .arg("--out")
            .arg(dir.path().join("m.json")),
        "--calibrate",
    );
    let calibrated = |seed: &str| {
        let out = dir.path().join(format!("m{seed}.json"));
        stdout_of(
            stance()
                .args(["train", "-q", "--min-df", "1", "--calibrate"])
                .args(["--calibration-group-by", "none", "--calibration-seed", seed])
                .args(["--data", "data/examples.jsonl", "--out"])
                .arg(&out),
        );
        read_json(&out)
    };
    let (a, b) = (calibrated("0"), calibrated("1"));
    assert_eq!(a["training"]["seed"], 0);
    assert_eq!(b["training"]["seed"], 1);
    assert_ne!(a["calibration"]["map"], b["calibration"]["map"]);
    assert_eq!(
        a["weights"], b["weights"],
        "the seed moves the folds, not the model"
    );
}
