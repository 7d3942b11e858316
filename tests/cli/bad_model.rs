//! Every class of bad model file, for every command that loads one (`score`, `explain`, `eval`,
//! `inspect`): a message naming the file and the problem, a non-zero exit code, no panic.

use crate::common;

use std::path::Path;

use common::{
    as_string_vocabulary, as_version_1, as_version_2, fails_with, pack_ids, packed_ids, stance,
    train_examples, write_file,
};
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
    v["version"] = 99.into();
    let path = write_file(dir.path(), "v99.json", v.to_string().as_bytes());
    model_commands_fail(&path, "model format version 99 is not supported");
    v["version"] = 5.into();
    let path = write_file(dir.path(), "v5.json", v.to_string().as_bytes());
    model_commands_fail(&path, "model format version 5 is not supported");
    v["version"] = 0.into();
    let path = write_file(dir.path(), "v0.json", v.to_string().as_bytes());
    model_commands_fail(&path, "(this build reads versions 1 to 4)");
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
    as_string_vocabulary(&mut v);
    v["vocabulary"][1] = v["vocabulary"][0].clone();
    let path = write_file(dir.path(), "dup-terms.json", v.to_string().as_bytes());
    model_commands_fail(&path, "the vocabulary repeats a term");
    // Lookups search the terms in file order, so an unsorted vocabulary is refused as well.
    let (_, mut v) = good_model(dir.path());
    as_string_vocabulary(&mut v);
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
fn version_1_and_2_files_score_as_their_version_3_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let (text, value) = good_model(dir.path());
    let current = write_file(dir.path(), "v3.json", text.as_bytes());
    let score = |model: &Path| {
        common::stdout_of(
            stance()
                .args(["score", "--format", "jsonl", "--paragraphs", "--model"])
                .arg(model)
                .arg("data/articles/western-kyiv-briefing.txt"),
        )
    };
    let mut v2 = value.clone();
    as_version_2(&mut v2);
    for (version, old) in [(1, good_model_v1(dir.path()).0), (2, v2.to_string())] {
        let path = write_file(dir.path(), &format!("v{version}.json"), old.as_bytes());
        let loaded = stance::Model::load(&path).unwrap();
        assert_eq!(loaded.format_version(), version);
        // Saving writes the current version: the same terms, every float's bits unchanged.
        assert_eq!(loaded.to_json().unwrap(), text.as_bytes(), "v{version}");
        assert_eq!(score(&path), score(&current), "v{version}");
    }
    // Term strings joined from the stems are the ones the explanation shows.
    let explain = |model: &Path| {
        common::stdout_of(
            stance()
                .args(["explain", "--format", "json", "--model"])
                .arg(model)
                .arg("data/articles/western-kyiv-briefing.txt"),
        )
    };
    let v1 = write_file(
        dir.path(),
        "v1.json",
        good_model_v1(dir.path()).0.as_bytes(),
    );
    assert_eq!(explain(&v1), explain(&current));
}

#[test]
fn corrupt_packed_vocabularies() {
    let dir = tempfile::tempdir().unwrap();
    let (_, base) = good_model(dir.path());
    let ids = packed_ids(&base["vocabulary"]);
    let n_stems = base["vocabulary"]["stems"].as_array().unwrap().len() as u32;
    let end = 1u32 << 31;
    type Change = Box<dyn Fn(&mut Value)>;
    let with_ids = |ids: Vec<u32>| -> Change {
        Box::new(move |v: &mut Value| v["vocabulary"]["stem_ids"] = pack_ids(&ids))
    };
    // The first two terms' ids, and the rest.
    let first_end = ids.iter().position(|&i| i & end != 0).unwrap() + 1;
    let second_end = first_end + ids[first_end..].iter().position(|&i| i & end != 0).unwrap() + 1;
    let cases: Vec<(&str, Change, String)> = vec![
        (
            "out-of-range.json",
            with_ids([&[n_stems | end][..], &ids[1..]].concat()),
            format!("stem id {n_stems} is out of range for {n_stems} stems"),
        ),
        (
            "unended.json",
            with_ids([&ids[..], &[0]].concat()),
            "the last term's stem ids are not ended".into(),
        ),
        (
            "repeated-term.json",
            with_ids([&ids[..first_end], &ids[..first_end], &ids[second_end..]].concat()),
            "the vocabulary repeats a term or is not in sorted order".into(),
        ),
        (
            "swapped-terms.json",
            with_ids(
                [
                    &ids[first_end..second_end],
                    &ids[..first_end],
                    &ids[second_end..],
                ]
                .concat(),
            ),
            "the vocabulary repeats a term or is not in sorted order".into(),
        ),
        (
            "trigram.json",
            with_ids([&[0, 0, end][..], &ids[first_end..]].concat()),
            "is not a 1..2-gram".into(),
        ),
        (
            "odd-bytes.json",
            Box::new(|v| v["vocabulary"]["stem_ids"]["u32le_base64"] = "AAAAAAA=".into()),
            "not a whole number of 4-byte ids".into(),
        ),
        (
            "bad-base64.json",
            Box::new(|v| v["vocabulary"]["stem_ids"]["u32le_base64"] = "@@".into()),
            "is not valid base64".into(),
        ),
        (
            "unsorted-stems.json",
            Box::new(|v| {
                let stems = v["vocabulary"]["stems"].as_array_mut().unwrap();
                stems.swap(0, 1);
            }),
            "the stems are not sorted and distinct".into(),
        ),
        (
            "spaced-stem.json",
            Box::new(|v| v["vocabulary"]["stems"][0] = "a b".into()),
            "is empty or holds a space".into(),
        ),
        (
            "no-ids.json",
            Box::new(|v| {
                v["vocabulary"].as_object_mut().unwrap().remove("stem_ids");
            }),
            "missing field `stem_ids`".into(),
        ),
        (
            "unused-stem.json",
            Box::new(|v| {
                let stems = v["vocabulary"]["stems"].as_array_mut().unwrap();
                stems.push("zzzz".into());
            }),
            "(\"zzzz\") is used by no term".into(),
        ),
        (
            "packed-v2.json",
            Box::new(|v| v["version"] = 2.into()),
            "needs format version 3 or later; the file says version 2".into(),
        ),
        (
            "extra-key.json",
            Box::new(|v| v["vocabulary"]["terms"] = 1.into()),
            "unknown field `terms`".into(),
        ),
    ];
    for (name, change, message) in cases {
        let mut v = base.clone();
        change(&mut v);
        let path = write_file(dir.path(), name, v.to_string().as_bytes());
        model_commands_fail(&path, &message);
    }
}
