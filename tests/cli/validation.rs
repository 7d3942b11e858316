//! `report --validation` (the model measured on a labelled sample of the corpus, and the
//! adjusted shares) and the out-of-domain warning of `score` and `report`, end to end on the
//! project's example data and on invented off-domain text.

use crate::common;

use std::path::{Path, PathBuf};

use common::{fails_with, repo, stance, stdout_of, write_file};

/// Standard error of a successful command, as text.
fn stderr_of(cmd: &mut assert_cmd::Command) -> String {
    let err = cmd.assert().success().get_output().stderr.clone();
    String::from_utf8(err).unwrap()
}
use serde_json::Value;

/// A validation CSV of the examples: `rows` of (id, label, weight); an empty label is an
/// unlabelled row.
fn sample(dir: &Path, rows: &[(&str, &str, &str)]) -> PathBuf {
    let mut csv = String::from("id,label,weight\n");
    for (id, label, w) in rows {
        csv.push_str(&format!("{id},{label},{w}\n"));
    }
    write_file(dir, "validation.csv", csv.as_bytes())
}

/// The examples' ids and labels, as a labelled sample of every one.
fn example_labels() -> Vec<(String, String)> {
    std::fs::read_to_string(repo("data/examples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn validation_gives_figures_adjusted_shares_and_counts_unlabelled_rows() {
    let dir = tempfile::tempdir().unwrap();
    let labels = example_labels();
    let mut rows: Vec<(&str, &str, &str)> = labels
        .iter()
        .map(|(i, l)| (i.as_str(), l.as_str(), "1"))
        .collect();
    rows[0].1 = ""; // not labelled yet
    let v = sample(dir.path(), &rows);
    let (json, html) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let out = stdout_of(
        stance()
            .args(["report", "--by", "source", "--validation"])
            .arg(&v)
            .arg("--json")
            .arg(&json)
            .arg("--html")
            .arg(&html)
            .arg("data/examples.jsonl"),
    );
    assert!(out.contains("validation: 47 labelled texts"), "{out}");
    assert!(
        out.contains("1 unlabelled validation rows skipped"),
        "{out}"
    );
    assert!(out.contains("Quote the adjusted shares"), "{out}");
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let val = &r["validation"];
    assert_eq!(val["texts"], 47);
    assert_eq!(val["unlabelled"], 1);
    let acc = val["accuracy"]["value"].as_f64().unwrap();
    let (lo, hi) = (
        val["accuracy"]["low"].as_f64().unwrap(),
        val["accuracy"]["high"].as_f64().unwrap(),
    );
    assert!(
        lo <= acc && acc <= hi && val["accuracy"]["interval"] == "wilson",
        "{val}"
    );
    let total: u64 = val["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 47);
    for entry in r["overall"]["labels"].as_array().unwrap() {
        let a = &entry["adjusted"];
        assert_eq!(a["method"], "acc", "{entry}");
        assert!(a.get("share").is_some() && a.get("low").is_some(), "{a}");
    }
    // Every group has fewer than 30 validation texts: each says it used the overall rates.
    for g in r["groups"].as_array().unwrap() {
        let note = g["labels"][0]["adjusted"]["note"].as_str().unwrap_or("");
        assert!(
            note.contains("overall error rates") || g["labels"][0]["adjusted"]["share"].is_null(),
            "{g}"
        );
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("id=\"validation\"") && page.contains("Adjusted shares"));
    // Without --validation the field is absent, as before.
    let plain = dir.path().join("plain.json");
    stance()
        .args(["report", "--json"])
        .arg(&plain)
        .arg("data/examples.jsonl")
        .assert()
        .success();
    let p: Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert!(p.get("validation").is_none() && p["overall"]["labels"][0].get("adjusted").is_none());
}

#[test]
fn validation_ids_that_match_nothing_and_unknown_labels_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let v = sample(
        dir.path(),
        &[
            ("ex-w-01", "western", "1"),
            ("nope-1", "western", "1"),
            ("nope-2", "russian", "2"),
        ],
    );
    let err = fails_with(
        stance()
            .args(["report", "--validation"])
            .arg(&v)
            .arg("data/examples.jsonl"),
        "2 labelled id(s) of the validation sample match no scored record",
    );
    assert!(err.contains("\"nope-1\", \"nope-2\""), "{err}");
    let out = stdout_of(
        stance()
            .args(["report", "--skip-bad", "--validation"])
            .arg(&v)
            .arg("data/examples.jsonl"),
    );
    assert!(
        out.contains("2 validation ids match no scored record, skipped: nope-1, nope-2"),
        "{out}"
    );
    let bad = sample(dir.path(), &[("ex-w-01", "neutral", "1")]);
    fails_with(
        stance()
            .args(["report", "--validation"])
            .arg(&bad)
            .arg("data/examples.jsonl"),
        "validation.csv:2: validation label \"neutral\" is not one of the model's labels (russian, western)",
    );
}

/// Invented texts far from news about the war: 24 recipes and match reports (the rule needs
/// at least 22 documents to be sure).
fn off_domain(dir: &Path) -> PathBuf {
    let dishes = [
        "lentil soup",
        "apple crumble",
        "risotto",
        "banana bread",
        "pancakes",
        "tomato salad",
        "carrot cake",
        "onion tart",
        "pea soup",
        "plum pie",
        "rice pudding",
        "corn muffins",
    ];
    let teams = ["Riverside Rovers", "Hilltop United", "Northside Athletic"];
    let mut lines = String::new();
    for (i, d) in dishes.iter().enumerate() {
        let text = format!(
            "To make the {d}, preheat the oven and whisk two eggs with a cup of flour, a pinch of salt and some butter. Stir gently, season with pepper and fresh basil, bake for twenty minutes until golden, then let it cool before serving with cream."
        );
        lines.push_str(&serde_json::json!({"id": format!("r{i}"), "text": text}).to_string());
        lines.push('\n');
    }
    for (i, t) in teams.iter().cycle().take(12).enumerate() {
        let text = format!(
            "{t} came from behind to win three goals to two on Saturday. The striker scored twice after half time, the goalkeeper saved a penalty in stoppage time, and the coach praised the midfield for its pressing and passing in the second half."
        );
        lines.push_str(&serde_json::json!({"id": format!("s{i}"), "text": text}).to_string());
        lines.push('\n');
    }
    write_file(dir, "off.jsonl", lines.as_bytes())
}

#[test]
fn the_out_of_domain_warning_fires_on_recipes_and_sport_and_not_on_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let off = off_domain(dir.path());
    let err = stderr_of(stance().args(["score", "--format", "jsonl"]).arg(&off));
    assert_eq!(
        err.matches("look unlike the model's training data").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("off.jsonl")
            && err.contains("`stance sample --strategy random`")
            && err.contains("`stance adapt`"),
        "{err}"
    );
    let ok = stderr_of(stance().args(["score", "--format", "jsonl", "data/examples.jsonl"]));
    assert!(!ok.contains("unlike"));
    // The report: on stderr, in the JSON per input, and at the top of the page.
    let (json, html) = (dir.path().join("r.json"), dir.path().join("r.html"));
    let err = stderr_of(
        stance()
            .args(["report", "--json"])
            .arg(&json)
            .arg("--html")
            .arg(&html)
            .arg("data/examples.jsonl")
            .arg(&off),
    );
    assert_eq!(err.matches("look unlike").count(), 1);
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let domain = r["domain"].as_array().unwrap();
    assert_eq!(domain.len(), 2);
    assert_eq!(
        (
            domain[0]["check"]["outside"].as_bool(),
            domain[1]["check"]["outside"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert_eq!(domain[1]["check"]["documents"], 24);
    let page = std::fs::read_to_string(&html).unwrap();
    let warning = page.find("id=\"out-of-domain\"").unwrap();
    assert!(warning < page.find("id=\"overall\"").unwrap());
}

#[test]
fn a_model_without_a_training_profile_gives_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::train_examples(dir.path());
    let mut m: Value = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    assert!(m.get("profile").is_some(), "training records a profile");
    m.as_object_mut().unwrap().remove("profile");
    let old = write_file(dir.path(), "old.json", m.to_string().as_bytes());
    let off = off_domain(dir.path());
    let err = stderr_of(
        stance()
            .args(["score", "--format", "jsonl", "--model"])
            .arg(&old)
            .arg(&off),
    );
    assert!(!err.contains("unlike"));
}
