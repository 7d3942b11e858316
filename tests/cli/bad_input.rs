//! Every bad input gets a clear message naming the file (and line), a non-zero exit code, and
//! no panic.

use crate::common;

use std::path::Path;

use common::{stance, train_command, train_examples};
use predicates::prelude::*;

fn no_panic() -> impl Predicate<str> {
    predicates::str::contains("panicked").not()
}

fn train_fails(data: &Path, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    train_command(data, &dir.path().join("m.json"))
        .args(["--min-df", "1"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(message).and(no_panic()));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn missing_file() {
    train_fails(Path::new("does-not-exist.jsonl"), "does-not-exist.jsonl");
    stance()
        .args(["score", "does-not-exist.txt"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("does-not-exist.txt").and(no_panic()));
}

#[test]
fn directory_where_a_file_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("folder.jsonl");
    std::fs::create_dir(&sub).unwrap();
    stance()
        .arg("score")
        .arg(&sub)
        .assert()
        .failure()
        .stderr(predicates::str::contains("is a directory").and(no_panic()));
    stance()
        .args(["score", "--model"])
        .arg(dir.path())
        .arg("data/articles/western-kyiv-briefing.txt")
        .assert()
        .failure()
        .stderr(predicates::str::contains("is a directory"));
}

#[test]
fn non_utf8_bytes_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.jsonl",
        b"{\"text\":\"ok\",\"label\":\"a\"}\n{\"text\":\"\xff\xfe\",\"label\":\"b\"}\n",
    );
    train_fails(&p, "bad.jsonl:2: not valid UTF-8");
    let t = write(dir.path(), "bad.txt", b"line one\nline \xc3\x28 two\n");
    stance()
        .arg("score")
        .arg(&t)
        .assert()
        .failure()
        .stderr(predicates::str::contains("bad.txt:2: not valid UTF-8").and(no_panic()));
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    train_fails(
        &write(dir.path(), "empty.jsonl", b""),
        "empty.jsonl: the file is empty",
    );
    train_fails(
        &write(dir.path(), "blank.jsonl", b"\n  \n"),
        "blank.jsonl: the file is empty",
    );
    train_fails(&write(dir.path(), "empty.csv", b""), "empty.csv");
}

#[test]
fn only_one_label() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "one.jsonl",
        b"{\"text\":\"a b\",\"label\":\"x\"}\n{\"text\":\"c d\",\"label\":\"x\"}\n",
    );
    train_fails(&p, "single label");
}

#[test]
fn empty_corpus_after_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "header-only.csv", b"id,label,text\n");
    train_fails(&p, "header-only.csv: the table has a header but no rows");
}

#[test]
fn malformed_json_line_and_missing_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "broken.jsonl",
        b"{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": \"b\", \"label\n",
    );
    train_fails(&p, "broken.jsonl:2: malformed JSON");
    let p = write(
        dir.path(),
        "nolabel.jsonl",
        b"{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\":\"b\"}\n",
    );
    train_fails(&p, "nolabel.jsonl:3: missing or non-string field \"label\"");
    let p = write(
        dir.path(),
        "notext.jsonl",
        b"{\"body\":\"a\",\"label\":\"x\"}\n",
    );
    train_fails(&p, "notext.jsonl:1: missing or non-string field \"text\"");
    let p = write(dir.path(), "score.jsonl", b"{\"text\":\"fine\"}\n[1,2]\n");
    stance()
        .arg("score")
        .arg(&p)
        .assert()
        .failure()
        .stderr(predicates::str::contains("score.jsonl:2").and(no_panic()));
}

#[test]
fn ragged_csv_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "ragged.csv",
        b"id,label,text\n1,a,hello there\n2,b\n",
    );
    train_fails(&p, "ragged.csv:3");
}

#[test]
fn missing_truncated_and_wrong_version_model_files() {
    let dir = tempfile::tempdir().unwrap();
    let article = "data/articles/western-kyiv-briefing.txt";
    let score_with = |model: &Path, message: &str| {
        stance()
            .args(["score", "--model"])
            .arg(model)
            .arg(article)
            .assert()
            .failure()
            .stderr(predicates::str::contains(message).and(no_panic()));
    };
    score_with(&dir.path().join("absent.json"), "absent.json");
    let good = std::fs::read(train_examples(dir.path())).unwrap();
    score_with(
        &write(dir.path(), "truncated.json", &good[..good.len() / 2]),
        "truncated",
    );
    let v2 = String::from_utf8(good.clone()).unwrap().replacen(
        &format!("\"version\":{},", stance::model::format::FORMAT_VERSION),
        "\"version\":99,",
        1,
    );
    score_with(
        &write(dir.path(), "v99.json", v2.as_bytes()),
        "model format version 99 is not supported",
    );
    let other =
        String::from_utf8(good.clone())
            .unwrap()
            .replacen("stance-model", "something-else", 1);
    score_with(
        &write(dir.path(), "other.json", other.as_bytes()),
        "not a stance model file",
    );
    let mut v: serde_json::Value = serde_json::from_slice(&good).unwrap();
    common::as_version_1(&mut v);
    v["idf"].as_array_mut().unwrap().pop();
    score_with(
        &write(dir.path(), "short-idf.json", v.to_string().as_bytes()),
        "IDF values for",
    );
    score_with(&write(dir.path(), "empty.json", b""), "empty");
}

#[test]
fn unwritable_out_fails_before_training() {
    let data = Path::new("data/examples.jsonl");
    train_command(data, Path::new("/nonexistent-dir/m.json"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("/nonexistent-dir/m.json").and(no_panic()));
    let dir = tempfile::tempdir().unwrap();
    train_command(data, dir.path())
        .assert()
        .failure()
        .stderr(predicates::str::contains("is a directory"));
}

#[test]
fn training_from_a_plain_text_file_is_refused_clearly() {
    train_fails(
        Path::new("data/articles/western-kyiv-briefing.txt"),
        "training data must be JSON Lines",
    );
}

#[test]
fn tsv_has_no_quoting_and_labels_are_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "q.tsv",
        b"label\ttext\na \t\"unbalanced quote opens here\nb\tplain text here\na\tmore text here\n",
    );
    let out = dir.path().join("m.json");
    let summary = common::train_model(&p, &out, &[]);
    assert!(summary.contains("trained on 3 documents"), "{summary}");
    assert_eq!(
        stance::Model::load(&out).unwrap().training().per_label["a"],
        2
    );
}

#[test]
fn corrupt_values_in_a_model_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(train_examples(dir.path())).unwrap();
    let article = "data/articles/western-kyiv-briefing.txt";
    let mut base: serde_json::Value = serde_json::from_slice(&good).unwrap();
    common::as_version_1(&mut base);
    type Corruption = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Corruption)> = vec![
        ("IDF value", Box::new(|v| v["idf"][0] = 1e308.into())),
        (
            "weight or intercept",
            Box::new(|v| v["weights"][0][0] = 1e300.into()),
        ),
        (
            "not a 1..2-gram",
            Box::new(|v| v["vocabulary"][0] = "a b c d".into()),
        ),
        (
            "repeats a term",
            Box::new(|v| {
                let t = v["vocabulary"][1].clone();
                v["vocabulary"][0] = t;
            }),
        ),
        (
            "weight vector has",
            Box::new(|v| {
                v["weights"][0].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "uncertainty policy",
            Box::new(|v| v["uncertainty"]["band"] = 0.9.into()),
        ),
    ];
    for (message, corrupt) in cases {
        let mut v = base.clone();
        corrupt(&mut v);
        let path = write(dir.path(), "bad-model.json", v.to_string().as_bytes());
        stance()
            .args(["score", "--model"])
            .arg(&path)
            .arg(article)
            .assert()
            .failure()
            .stderr(predicates::str::contains(message).and(no_panic()));
    }
}
