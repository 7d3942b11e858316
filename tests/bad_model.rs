//! Every class of bad model file, for every command that loads one (`score`, `explain`, `eval`,
//! `inspect`): a message naming the file and the problem, a non-zero exit code, no panic.

mod common;

use std::path::Path;

use common::{as_version_1, fails_with, stance, train_examples, write_file};
use serde_json::Value;

/// Runs every model-loading command with `--model model`, each expected to fail with `message`.
fn model_commands_fail(model: &Path, message: &str) {
    let article = "data/articles/western-kyiv-briefing.txt";
    let commands: [&[&str]; 4] = [
        &["score", article],
        &["explain", article],
        &["eval", "--data", "data/examples.jsonl"],
        &["inspect"],
    ];
    for args in commands {
        let stderr = fails_with(
            stance()
                .arg(args[0])
                .arg("--model")
                .arg(model)
                .args(&args[1..]),
            message,
        );
        let name = model.file_name().unwrap().to_string_lossy();
        assert!(stderr.contains(name.as_ref()), "{args:?}: {stderr}");
    }
}

/// A good model's JSON text and value.
fn good_model(dir: &Path) -> (String, Value) {
    let text = std::fs::read_to_string(train_examples(dir)).unwrap();
    let value = serde_json::from_str(&text).unwrap();
    (text, value)
}

/// A good model in the form of format version 1 (which still loads), whose IDF and weights are
/// JSON numbers that a test can change one at a time.
fn good_model_v1(dir: &Path) -> (String, Value) {
    let (_, mut value) = good_model(dir);
    as_version_1(&mut value);
    (value.to_string(), value)
}

#[test]
fn truncated() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = good_model(dir.path());
    for (name, cut) in [("half.json", text.len() / 2), ("head.json", 30)] {
        let path = write_file(dir.path(), name, &text.as_bytes()[..cut]);
        model_commands_fail(&path, "the file is truncated");
    }
    let empty = write_file(dir.path(), "empty.json", b"");
    model_commands_fail(&empty, "the file is empty");
}

#[test]
fn a_wrong_version() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = good_model(dir.path());
    v["version"] = 3.into();
    let path = write_file(dir.path(), "v3.json", v.to_string().as_bytes());
    model_commands_fail(&path, "model format version 3 is not supported");
    v["version"] = 0.into();
    let path = write_file(dir.path(), "v0.json", v.to_string().as_bytes());
    model_commands_fail(&path, "(this build reads versions 1 to 2)");
    v["version"] = "one".into();
    let path = write_file(dir.path(), "vstr.json", v.to_string().as_bytes());
    model_commands_fail(&path, "not a stance model file");
}

#[test]
fn nan_or_infinite_weights() {
    let dir = tempfile::tempdir().unwrap();
    let (text, v) = good_model_v1(dir.path());
    // JSON has no NaN or infinity; these are what other writers put in their place.
    let first = format!("\"weights\":[[{}", v["weights"][0][0]);
    for (name, literal, message) in [
        ("nan.json", "NaN", "not valid model JSON"),
        ("inf.json", "Infinity", "not valid model JSON"),
        ("overflow.json", "1e999", "number out of range"),
        ("huge.json", "1e300", "is not a finite number within"),
    ] {
        assert!(text.contains(&first));
        let bad = text.replacen(&first, &format!("\"weights\":[[{literal}"), 1);
        let path = write_file(dir.path(), name, bad.as_bytes());
        model_commands_fail(&path, message);
    }
}

#[test]
fn vectors_whose_lengths_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base) = good_model_v1(dir.path());
    type Change = fn(&mut Value);
    let cases: [(&str, Change, &str); 4] = [
        (
            "short-idf.json",
            |v| {
                v["idf"].as_array_mut().unwrap().pop();
            },
            "IDF values for",
        ),
        (
            "short-weights.json",
            |v| {
                v["weights"][0].as_array_mut().unwrap().pop();
            },
            "a weight vector has",
        ),
        (
            "two-intercepts.json",
            |v| v["intercepts"].as_array_mut().unwrap().push(0.5.into()),
            "1 weight vectors and 2 intercepts for 2 labels",
        ),
        (
            "extra-term.json",
            |v| v["vocabulary"].as_array_mut().unwrap().push("zzz".into()),
            "IDF values for",
        ),
    ];
    for (name, change, message) in cases {
        let mut v = base.clone();
        change(&mut v);
        let path = write_file(dir.path(), name, v.to_string().as_bytes());
        model_commands_fail(&path, message);
    }
}

#[test]
fn duplicate_fields_and_empty_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (text, mut v) = good_model(dir.path());
    let twice = text.replacen("\"labels\":", "\"labels\":[\"x\",\"y\"],\"labels\":", 1);
    let path = write_file(dir.path(), "twice.json", twice.as_bytes());
    model_commands_fail(&path, "duplicate field `labels`");
    v["labels"][0] = "".into();
    let path = write_file(dir.path(), "empty-label.json", v.to_string().as_bytes());
    model_commands_fail(&path, "labels are empty or repeated");
}

#[test]
fn a_vocabulary_with_duplicate_or_unsorted_terms() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = good_model(dir.path());
    v["vocabulary"][1] = v["vocabulary"][0].clone();
    let path = write_file(dir.path(), "dup-terms.json", v.to_string().as_bytes());
    model_commands_fail(&path, "the vocabulary repeats a term");
    // Lookups search the terms in file order, so an unsorted vocabulary is refused as well.
    let (_, mut v) = good_model(dir.path());
    let first = v["vocabulary"][0].clone();
    v["vocabulary"][0] = v["vocabulary"][1].clone();
    v["vocabulary"][1] = first;
    let path = write_file(dir.path(), "unsorted-terms.json", v.to_string().as_bytes());
    model_commands_fail(&path, "is not in sorted order");
}

#[test]
fn sizes_that_claim_billions_of_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base) = good_model(dir.path());
    // The file has no length prefixes: sizes are counted from the arrays themselves, so a claim
    // elsewhere cannot make a reader allocate. Claims that contradict the arrays are refused...
    let mut v = base.clone();
    v["labels"] = (0..3_000)
        .map(|i| format!("l{i}"))
        .collect::<Vec<_>>()
        .into();
    let path = write_file(dir.path(), "labels.json", v.to_string().as_bytes());
    model_commands_fail(&path, "1 weight vectors and 1 intercepts for 3000 labels");
    let mut v = base.clone();
    v["featurizer"]["ngram_range"] = serde_json::json!([1, 4_000_000_000u64]);
    let path = write_file(dir.path(), "ngrams.json", v.to_string().as_bytes());
    model_commands_fail(&path, "n-gram range must satisfy 1 <= min <= max <= 5");
    let mut v = base.clone();
    v["training"]["documents"] = serde_json::json!(-1);
    let path = write_file(dir.path(), "negative.json", v.to_string().as_bytes());
    model_commands_fail(&path, "invalid value: integer `-1`");
    // ...and counts that only describe the training data are shown as they are.
    let mut v = base;
    let huge = serde_json::json!(u64::MAX);
    v["training"]["documents"] = huge.clone();
    v["training"]["rows"] = huge.clone();
    v["featurizer"]["vocabulary"]["max_features"] = huge.clone();
    for count in v["training"]["per_label"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        *count = huge.clone();
    }
    let path = write_file(dir.path(), "claims.json", v.to_string().as_bytes());
    let card = common::stdout_of(stance().arg("inspect").arg("--model").arg(&path));
    assert!(card.contains(&u64::MAX.to_string()), "{card}");
    common::stdout_of(
        stance()
            .arg("score")
            .arg("--model")
            .arg(&path)
            .arg("data/articles/western-kyiv-briefing.txt"),
    );
}

#[test]
fn other_bytes_where_a_model_belongs() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = good_model(dir.path());
    let mut wide = vec![0xFF, 0xFE];
    wide.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let path = write_file(dir.path(), "wide.json", &wide);
    model_commands_fail(&path, "the file is UTF-16");
    let mut nul = text.clone().into_bytes();
    nul[40] = 0;
    let path = write_file(dir.path(), "nul.json", &nul);
    model_commands_fail(&path, "not valid model JSON");
    let deep = text.replacen(
        "\"labels\":",
        &format!(
            "\"labels\":{}{},\"x\":",
            "[".repeat(50_000),
            "]".repeat(50_000)
        ),
        1,
    );
    let path = write_file(dir.path(), "deep.json", deep.as_bytes());
    model_commands_fail(&path, "not a stance model file");
    let dir_model = dir.path().join("folder.json");
    std::fs::create_dir(&dir_model).unwrap();
    model_commands_fail(&dir_model, "is a directory");
    // A 100 MB single line that never closes its string: read (the file is the input), refused.
    let long = format!(
        "{{\"format\":\"stance-model\",\"version\":1,\"crate_version\":\"{}",
        "x".repeat(100 << 20)
    );
    let path = write_file(dir.path(), "long.json", long.as_bytes());
    fails_with(
        stance().arg("inspect").arg("--model").arg(&path),
        "long.json: not a stance model file: the file is truncated",
    );
}

#[test]
fn packed_floats_that_do_not_decode() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base) = good_model(dir.path());
    for (name, packed, message) in [
        ("short.json", "AAAA", "not a whole number of 8-byte floats"),
        ("not-base64.json", "#$%^", "not valid base64"),
    ] {
        let mut v = base.clone();
        v["weights"][0]["f64le_base64"] = packed.into();
        let path = write_file(dir.path(), name, v.to_string().as_bytes());
        model_commands_fail(&path, message);
    }
    let mut v = base.clone();
    v["idf"] = serde_json::json!({"f32": ""});
    let path = write_file(dir.path(), "f32.json", v.to_string().as_bytes());
    model_commands_fail(&path, "unknown field `f32`, expected `f64le_base64`");
}

#[test]
fn a_version_1_file_scores_as_its_version_2_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = good_model(dir.path());
    let (v1_text, _) = good_model_v1(dir.path());
    let v2 = write_file(dir.path(), "v2.json", text.as_bytes());
    let v1 = write_file(dir.path(), "v1.json", v1_text.as_bytes());
    let loaded = stance::Model::load(&v1).unwrap();
    assert_eq!(loaded.format_version(), 1);
    // Saving writes the current version, with every float's bits unchanged.
    assert_eq!(loaded.to_json().unwrap(), text.as_bytes());
    let score = |model: &Path| {
        common::stdout_of(
            stance()
                .args(["score", "--format", "jsonl", "--model"])
                .arg(model)
                .arg("data/articles/western-kyiv-briefing.txt"),
        )
    };
    assert_eq!(score(&v1), score(&v2));
}
