//! Scores with little or no evidence: a text or paragraph with no weighted term is exactly
//! uniform and uncertain, a very short text is uncertain, and a few terms end near neutral
//! instead of at the model's full-document certainty.

use crate::common;

use common::{stance, stdout_of, train_model};

fn score_jsonl(model: &std::path::Path, text: &str) -> serde_json::Value {
    let out = stdout_of(
        stance()
            .args(["score", "--format", "jsonl", "--paragraphs", "--model"])
            .arg(model)
            .arg("-")
            .write_stdin(text.to_string()),
    );
    serde_json::from_str(out.trim()).expect("one JSON line")
}

fn p(v: &serde_json::Value, label: &str) -> f64 {
    v["probabilities"][label].as_f64().expect("a probability")
}

fn sparse_and_dense_models() -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::repo("data/examples.jsonl");
    let l2 = dir.path().join("l2.json");
    train_model(&data, &l2, &["--alpha", "0.1"]);
    let l1 = dir.path().join("l1.json");
    train_model(&data, &l1, &["--penalty", "l1", "--alpha", "0.05"]);
    (dir, vec![l2, l1])
}

#[test]
fn text_without_a_known_term_is_uniform_and_uncertain() {
    let (_dir, models) = sparse_and_dense_models();
    for model in &models {
        for text in [
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "READ MORE: SHARE THIS ARTICLE",
        ] {
            let v = score_jsonl(model, text);
            assert_eq!(p(&v, "russian"), 0.5, "{text:?} with {model:?}: {v}");
            assert_eq!(p(&v, "western"), 0.5, "{text:?} with {model:?}: {v}");
            assert_eq!(v["uncertain"], true, "{text:?}: {v}");
            assert_eq!(v["evidence"]["terms"], 0, "{text:?}: {v}");
        }
        // A paragraph without known terms inside an article with them is neutral too.
        let v = score_jsonl(
            model,
            "The Kyiv government condemned the Russian invasion.\n\nLorem ipsum dolor sit amet.",
        );
        let paragraphs = v["paragraphs"].as_array().unwrap();
        assert_eq!(paragraphs.len(), 2, "{v}");
        assert_eq!(p(&paragraphs[1], "western"), 0.5, "{v}");
        assert_eq!(paragraphs[1]["uncertain"], true, "{v}");
        assert_ne!(p(&v, "western"), 0.5, "{v}");
    }
}

fn logit(v: &serde_json::Value) -> f64 {
    (p(v, "russian") / p(v, "western")).ln()
}

#[test]
fn one_word_is_uncertain_and_keeps_a_fraction_of_its_logit() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::repo("data/examples.jsonl");
    for flags in [
        &["--alpha", "0.1"][..],
        &["--penalty", "l1", "--alpha", "0.05"],
    ] {
        let cooled = dir.path().join("cooled.json");
        train_model(&data, &cooled, flags);
        let raw = dir.path().join("raw.json");
        train_model(&data, &raw, &[flags, &["--prior-tokens", "0"]].concat());
        for word in ["Kiev", "Kyiv"] {
            let v = score_jsonl(&cooled, word);
            assert_eq!(v["uncertain"], true, "{word}: {v}");
            if v["evidence"]["terms"] == 0 {
                continue;
            }
            // One token under the default prior of ten keeps 1/11 of its logit.
            let w = score_jsonl(&raw, word);
            assert!(
                (logit(&v) * 11.0 - logit(&w)).abs() < 1e-9 * logit(&w).abs().max(1.0),
                "{word}: cooled {v}, raw {w}"
            );
            assert!((p(&v, "russian") - 0.5).abs() < (p(&w, "russian") - 0.5).abs());
        }
    }
}
