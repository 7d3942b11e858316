//! Issue 16's paper cuts in `cv`, `eval` and `train`: groupings the data cannot support,
//! empty folds explained, out-of-fold predictions (`cv --predictions`), `eval` on the model's
//! own training data, and labels spelled two ways.

use std::path::{Path, PathBuf};

use crate::common::{fails_with, repo, stance, stdout_of, train_model, write_file};

/// `data/examples.jsonl` rewritten by `edit`, which gets each record and its index.
fn examples_with(dir: &Path, name: &str, edit: impl Fn(usize, &mut serde_json::Value)) -> PathBuf {
    let mut out = String::new();
    for (i, line) in std::fs::read_to_string(repo("data/examples.jsonl"))
        .unwrap()
        .lines()
        .enumerate()
    {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        edit(i, &mut v);
        out.push_str(&v.to_string());
        out.push('\n');
    }
    write_file(dir, name, out.as_bytes())
}

/// `stance cv --min-df 1 --folds <folds> <args> --data <data>`: the small examples need the
/// low document frequency.
fn cv_on(folds: &str, data: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = stance();
    cmd.args(["cv", "--min-df", "1", "--folds", folds])
        .args(args)
        .arg("--data")
        .arg(data);
    cmd
}

fn json_of(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    serde_json::from_str(&stdout_of(cmd)).unwrap()
}

#[test]
fn cv_skips_the_groupings_a_table_without_source_or_date_cannot_support() {
    // data/examples.csv has id, label and text only: the default none,source,month used to
    // fail on the source grouping with "the training data holds no documents".
    let out = cv_on("2", Path::new("data/examples.csv"), &[])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for text in [&stdout, &stderr] {
        assert!(
            text.contains("source: skipped, no document has a source"),
            "{text}"
        );
        assert!(
            text.contains("month: skipped, no document has a date"),
            "{text}"
        );
    }
    assert!(stdout.contains("== grouped by none (2 folds)"), "{stdout}");
    assert!(stdout.contains("pooled"), "{stdout}");

    let v = json_of(&mut cv_on(
        "2",
        Path::new("data/examples.csv"),
        &["--format", "json"],
    ));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["group_by"], "none");
    assert_eq!(
        v["skipped"],
        serde_json::json!([
            {"group_by": "source", "reason": "no document has a source"},
            {"group_by": "month", "reason": "no document has a date"},
        ])
    );

    // Nothing to run at all is a failure, with the reasons.
    fails_with(
        stance().args([
            "cv",
            "--data",
            "data/examples.csv",
            "--min-df",
            "1",
            "--group-by",
            "month,source",
        ]),
        "no grouping could run (month: no document has a date; source: no document has a source)",
    );
}

#[test]
fn cv_skips_a_grouping_in_which_no_fold_can_run_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // One outlet per label and no dates: a label cannot be held out by outlet, and the month
    // fallback has no months, so every document lands in one fold.
    let data = examples_with(dir.path(), "one-outlet.jsonl", |_, v| {
        let outlet = if v["label"] == "western" { "W" } else { "R" };
        v["source"] = outlet.into();
        v.as_object_mut().unwrap().remove("date");
    });
    let out = stdout_of(&mut cv_on("2", &data, &[]));
    assert!(out.contains("source: skipped, no fold could run"), "{out}");
    assert!(
        out.contains("fold 0 skipped: it tests every document, so there is nothing to train on"),
        "{out}"
    );
    assert!(out.contains("== grouped by none (2 folds)"), "{out}");
}

#[test]
fn cv_explains_empty_folds_by_the_number_of_outlets_even_when_each_is_half_and_half() {
    let dir = tempfile::tempdir().unwrap();
    // Three outlets, each with as many western as russian documents.
    let data = examples_with(dir.path(), "mixed.jsonl", |i, v| {
        v["source"] = format!("outlet-{}", (i / 2) % 3).into();
    });
    let json = json_of(&mut cv_on(
        "5",
        &data,
        &["--group-by", "source", "--format", "json"],
    ));
    let notes: Vec<&str> = json["runs"][0]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        ["folds 3 and 4 test no documents: 3 outlets for 5 folds, and a group is never split; use --folds 3 or fewer"],
        "every outlet holds both labels, so no label is missing from a fold that runs"
    );
    assert_eq!(json["runs"][0]["folds"].as_array().unwrap().len(), 3);
    let text = stdout_of(&mut cv_on("5", &data, &["--group-by", "source"]));
    assert!(!text.contains("majority"), "{text}");
    assert!(text.contains("use --folds 3 or fewer"), "{text}");
}

#[test]
fn cv_names_the_folds_that_test_none_of_a_label() {
    let dir = tempfile::tempdir().unwrap();
    // Four western outlets and two russian ones, for four folds.
    let data = examples_with(dir.path(), "outlets.jsonl", |i, v| {
        let s = if v["label"] == "western" {
            format!("w{}", i % 4)
        } else {
            format!("r{}", i % 2)
        };
        v["source"] = s.into();
    });
    let out = stdout_of(&mut cv_on("4", &data, &["--group-by", "source"]));
    assert!(
        out.contains(
            "label \"russian\" has documents in 2 of the 6 outlets; folds 2 and 3 test none of them"
        ),
        "{out}"
    );
    assert!(!out.contains("label \"western\" has documents"), "{out}");
}

/// The byte offsets of `keys` in a JSON line, which must be increasing.
fn assert_key_order(line: &str, keys: &[&str]) {
    let at: Vec<usize> = keys
        .iter()
        .map(|k| {
            line.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no {k} in {line}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{keys:?} out of order in {line}"
    );
}

#[test]
fn cv_predictions_are_the_out_of_fold_predictions_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let preds = dir.path().join("oof.jsonl");
    let json = json_of(
        stance()
            .args([
                "cv",
                "--data",
                "data/examples.jsonl",
                "--min-df",
                "1",
                "--folds",
                "3",
            ])
            .args(["--group-by", "source", "--format", "json", "--predictions"])
            .arg(&preds),
    );
    let text = std::fs::read_to_string(&preds).unwrap();
    let input: Vec<serde_json::Value> = std::fs::read_to_string(repo("data/examples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), input.len());
    let mut correct = 0;
    for (line, doc) in lines.iter().zip(&input) {
        assert_key_order(
            line,
            &[
                "id",
                "source",
                "date",
                "input_label",
                "label",
                "probabilities",
                "evidence",
                "uncertain",
                "fold",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["id"], doc["id"]);
        assert_eq!(v["source"], doc["source"]);
        assert_eq!(v["date"], doc["date"]);
        assert_eq!(v["input_label"], doc["label"]);
        let p = v["probabilities"].as_object().unwrap();
        let (pr, pw) = (
            p["russian"].as_f64().unwrap(),
            p["western"].as_f64().unwrap(),
        );
        assert!((pr + pw - 1.0).abs() < 1e-12);
        assert_eq!(v["label"], if pw > pr { "western" } else { "russian" });
        for k in ["tokens", "known", "signal", "terms"] {
            assert!(v["evidence"][k].is_number(), "{line}");
        }
        assert!(v["uncertain"].is_boolean());
        assert!(v["fold"].as_u64().unwrap() < 3);
        correct += usize::from(v["label"] == v["input_label"]);
    }
    // The file holds the predictions the pooled figures were computed from.
    let pooled = json["runs"][0]["pooled"]["accuracy"].as_f64().unwrap();
    assert_eq!(pooled, correct as f64 / lines.len() as f64);

    // Each prediction is the one a model trained without its fold makes.
    let fold = |v: &serde_json::Value| v["fold"].as_u64().unwrap();
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (mut train, mut test) = (String::new(), String::new());
    for (doc, p) in input.iter().zip(&parsed) {
        let target = if fold(p) == 1 { &mut test } else { &mut train };
        target.push_str(&doc.to_string());
        target.push('\n');
    }
    let train_path = write_file(dir.path(), "train.jsonl", train.as_bytes());
    let test_path = write_file(dir.path(), "test.jsonl", test.as_bytes());
    let model = dir.path().join("fold1.json");
    train_model(&train_path, &model, &[]);
    let scored = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--model"])
            .arg(&model)
            .arg(&test_path),
    );
    let in_fold: Vec<&serde_json::Value> = parsed.iter().filter(|p| fold(p) == 1).collect();
    assert!(!in_fold.is_empty());
    for (s, p) in scored.lines().zip(&in_fold) {
        let s: serde_json::Value = serde_json::from_str(s).unwrap();
        assert_eq!(s["id"], p["id"]);
        assert_eq!(s["probabilities"], p["probabilities"]);
        assert_eq!(s["evidence"], p["evidence"]);
        assert_eq!(s["uncertain"], p["uncertain"]);
    }
}

#[test]
fn cv_predictions_need_one_grouping_and_name_documents_without_an_id() {
    let dir = tempfile::tempdir().unwrap();
    let preds = dir.path().join("oof.jsonl");
    fails_with(
        stance()
            .args(["cv", "--data", "data/examples.jsonl", "--predictions"])
            .arg(&preds),
        "needs a single --group-by (got 3)",
    );
    assert!(!preds.exists());
    // An unwritable path fails before any fold is trained, naming it.
    let err = fails_with(
        stance()
            .args(["cv", "--data", "data/examples.jsonl", "--group-by", "none"])
            .arg("--predictions")
            .arg(dir.path().join("no-such-dir/oof.jsonl")),
        "opening --predictions",
    );
    assert!(err.contains("no-such-dir"), "{err}");
    // A CSV row without an id is named by its file and line, as `score` names records.
    let csv = write_file(
        dir.path(),
        "t.csv",
        std::fs::read_to_string(repo("data/examples.csv"))
            .unwrap()
            .replace("id,label,text", "ref,label,text")
            .as_bytes(),
    );
    stdout_of(
        cv_on("2", &csv, &["--group-by", "none"])
            .arg("--predictions")
            .arg(&preds),
    );
    let text = std::fs::read_to_string(&preds).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], format!("{}:2", csv.display()));
    assert_eq!(first["source"], serde_json::Value::Null);
    assert_eq!(text.lines().count(), 8);
}

#[test]
fn eval_warns_when_given_the_models_own_training_data() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    train_model(&repo("data/examples.jsonl"), &model, &[]);
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    // The documents' SHA-256, not the files': a model trained from Python lists is the same
    // file as one trained from a file.
    assert_eq!(saved["training"]["data_sha256"].as_str().unwrap().len(), 64);
    assert!(saved["training"].get("data_files").is_none());

    let eval = |data: &Path| {
        let mut cmd = stance();
        cmd.args(["eval", "--model"])
            .arg(&model)
            .arg("--data")
            .arg(data);
        cmd
    };
    let out = eval(&repo("data/examples.jsonl"))
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("these documents are the model's training data"),
        "{stderr}"
    );
    assert!(stderr.contains("stance cv"), "{stderr}");
    let v = json_of(eval(&repo("data/examples.jsonl")).args(["--format", "json"]));
    assert_eq!(v["training_data"]["same_documents"], true);
    assert!(v["training_data"]["warning"]
        .as_str()
        .unwrap()
        .contains("stance cv"));

    // Other data: no warning, and `null` in JSON.
    let out = eval(&repo("data/examples.csv"))
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(String::from_utf8(out.stderr).unwrap().is_empty());
    let v = json_of(eval(&repo("data/examples.csv")).args(["--format", "json"]));
    assert!(v["training_data"].is_null());

    // The same documents in other bytes (keys reordered) are still the training data.
    let reordered = examples_with(dir.path(), "reordered.jsonl", |_, v| {
        let text = v["text"].clone();
        v.as_object_mut().unwrap().remove("text");
        v["text"] = text;
    });
    let out = eval(&reordered).assert().success().get_output().clone();
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("these documents are the model's training data"),);

    // A label that is the model's but for case is named with the model's spelling.
    let upper = examples_with(dir.path(), "upper.jsonl", |_, v| {
        let l = v["label"].as_str().unwrap().to_uppercase();
        v["label"] = l.into();
    });
    fails_with(
        &mut eval(&upper),
        "label \"WESTERN\" (document \"ex-w-01\") is not one of the model's labels: russian, western (labels differ in case: the model has \"western\")",
    );
}

#[test]
fn labels_differing_only_in_case_warn_and_are_refused_under_strict_labels() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 is blank, so the record on line 5 is the fourth one.
    let mut text = String::from("\n");
    for (i, label) in ["pro", "anti", "pro", "Pro", "anti", "pro", "anti", "Pro"]
        .iter()
        .enumerate()
    {
        text.push_str(
            &serde_json::json!({"id": format!("d{i}"), "label": label,
                "text": format!("words of document {i} about {}", label.to_lowercase())})
            .to_string(),
        );
        text.push('\n');
    }
    let data = write_file(dir.path(), "labels.jsonl", text.as_bytes());
    let model = dir.path().join("m.json");
    let out = crate::common::train_command(&data, &model)
        .args(["--min-df", "1"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let expected = format!(
        "labels \"pro\" (3 documents) and \"Pro\" (2 documents, the first at {}:5) differ only in case or surrounding whitespace",
        data.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("--strict-labels"), "{stderr}");

    std::fs::remove_file(&model).unwrap();
    fails_with(
        crate::common::train_command(&data, &model).args(["--min-df", "1", "--strict-labels"]),
        &expected,
    );
    assert!(!model.exists());
    fails_with(&mut cv_on("2", &data, &["--strict-labels"]), &expected);
    // Folder subfolders are not trimmed: " pro" and "pro" are caught too, by file.
    let folder = dir.path().join("folder");
    for (label, name) in [
        ("pro", "a.txt"),
        ("pro", "b.txt"),
        (" pro", "c.txt"),
        ("anti", "d.txt"),
    ] {
        std::fs::create_dir_all(folder.join(label)).unwrap();
        std::fs::write(
            folder.join(label).join(name),
            format!("some words for {name}"),
        )
        .unwrap();
    }
    let err = fails_with(
        crate::common::train_command(&folder, &model).args(["--min-df", "1", "--strict-labels"]),
        "labels \"pro\" (2 documents) and \" pro\" (1 document, the first at ",
    );
    assert!(err.contains("c.txt"), "{err}");
}

#[test]
#[ignore = "needs ../shared"]
fn eval_of_the_default_model_on_its_corpus_warns() {
    let corpus = crate::common::shared().join("corpus/ukraine-media.jsonl");
    let out = stance()
        .args(["eval", "--format", "json", "--data"])
        .arg(&corpus)
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["training_data"]["same_documents"], true);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("these documents are the model's training data"));
}

#[test]
fn cv_predictions_are_null_for_documents_of_a_fold_that_could_not_run() {
    let dir = tempfile::tempdir().unwrap();
    // Western documents in January and February, every russian one in March: with two folds
    // by month, the fold testing March trains on one western month alone and cannot run.
    let data = examples_with(dir.path(), "months.jsonl", |i, v| {
        let date = if v["label"] == "russian" {
            "2022-03-15"
        } else if i % 4 < 2 {
            "2022-01-15"
        } else {
            "2022-02-15"
        };
        v["date"] = date.into();
    });
    let preds = dir.path().join("oof.jsonl");
    let out = stdout_of(
        cv_on("2", &data, &["--group-by", "month"])
            .arg("--predictions")
            .arg(&preds),
    );
    assert!(
        out.contains("fold 0 skipped: its training part holds a single label (\"western\")"),
        "{out}"
    );
    assert!(
        out.contains(
            "label \"russian\" has documents in 1 of the 3 months; fold 1 tests none of them"
        ),
        "{out}"
    );
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&preds)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 48);
    let (ran, null): (Vec<_>, Vec<_>) = rows.iter().partition(|r| !r["label"].is_null());
    assert_eq!(ran.len(), 12);
    assert!(ran
        .iter()
        .all(|r| r["fold"] == 1 && r["input_label"] == "western"));
    for r in &null {
        for k in ["probabilities", "evidence", "uncertain", "fold"] {
            assert!(r[k].is_null(), "{r}");
        }
        assert!(r["id"].is_string() && r["input_label"].is_string());
    }
}
