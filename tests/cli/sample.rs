//! `stance sample`: a seed gives the same draw, no record is drawn twice, stratified weights sum
//! to the population, near-duplicates are kept apart, and repeated ids are refused.

use std::path::Path;

use crate::common::{repo, stance, stdout_of};

/// `stance sample` on the project's examples, the given options added; returns the CSV rows
/// (header first).
fn sample(out: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    stdout_of(
        stance()
            .arg("sample")
            .arg(repo("data/examples.jsonl"))
            .arg("--out")
            .arg(out)
            .args(extra),
    );
    let mut r = csv::Reader::from_path(out).unwrap();
    let mut rows = vec![r.headers().unwrap().iter().map(String::from).collect()];
    rows.extend(
        r.records()
            .map(|x| x.unwrap().iter().map(String::from).collect()),
    );
    rows
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let c = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[c].clone()).collect()
}

#[test]
fn random_sample_is_seeded_without_repeats_and_weights_sum_to_the_population() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let args = ["--n", "10", "--by", "source", "--seed", "4"];
    let a = sample(&out, &args);
    assert_eq!(a, sample(&out, &args), "the same seed, the same draw");
    let other = sample(&out, &["--n", "10", "--by", "source", "--seed", "5"]);
    assert_ne!(column(&a, "id"), column(&other, "id"));
    let ids = column(&a, "id");
    assert_eq!(ids.len(), 10);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "no id twice: {ids:?}");
    let weights: f64 = column(&a, "weight")
        .iter()
        .map(|w| w.parse::<f64>().unwrap())
        .sum();
    assert!((weights - 48.0).abs() < 1e-9, "weights sum to {weights}");
    for h in [
        "id",
        "source",
        "text",
        "predicted",
        "p_russian",
        "p_western",
        "weight",
        "label",
    ] {
        assert!(a[0].contains(&h.to_string()), "{h} in {:?}", a[0]);
    }
    assert!(column(&a, "label").iter().all(String::is_empty));
}

#[test]
fn uncertain_sample_keeps_near_duplicates_apart() {
    let dir = tempfile::tempdir().unwrap();
    // Ten copies of one uncertain text and ten different texts.
    let mut lines = String::new();
    for i in 0..10 {
        lines += &format!("{{\"id\":\"dup{i}\",\"text\":\"Officials met in the capital on Tuesday to talk about trade, fishing quotas and ports.\"}}\n");
    }
    for (i, w) in [
        "Kiev regime shelling Donbass",
        "Russia's invasion of Ukraine",
        "NATO expansion threat",
        "Zelensky said Kyiv",
        "special military operation",
        "Western sanctions hurt Europe",
        "Ukrainian forces counteroffensive",
        "Kremlin propaganda",
        "neo-Nazi battalions",
        "grain deal Black Sea",
    ]
    .iter()
    .enumerate()
    {
        lines += &format!(
            "{{\"id\":\"t{i}\",\"text\":\"{w} was in the news again today, reporters said.\"}}\n"
        );
    }
    let input = dir.path().join("pool.jsonl");
    std::fs::write(&input, lines).unwrap();
    let out = dir.path().join("s.jsonl");
    for strategy in ["uncertain", "diverse"] {
        stdout_of(
            stance()
                .args(["sample", "--n", "5", "--strategy", strategy, "--out"])
                .arg(&out)
                .arg(&input),
        );
        let text = std::fs::read_to_string(&out).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids.len(), 5);
        let dups = ids.iter().filter(|i| i.starts_with("dup")).count();
        assert!(
            dups <= 1,
            "{strategy}: near-duplicates drawn twice: {ids:?}"
        );
        assert!(
            text.contains("\"weight\":null"),
            "not a probability sample: no weight"
        );
    }
}

#[test]
fn repeated_ids_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dup.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n{\"id\":\"a\",\"text\":\"three\"}\n").unwrap();
    stance()
        .args(["sample", "--n", "2", "--out"])
        .arg(dir.path().join("s.csv"))
        .arg(&input)
        .assert()
        .failure()
        .stderr(predicates::str::contains("id \"a\" occurs twice"));
    assert!(!dir.path().join("s.csv").exists(), "nothing written");
}
