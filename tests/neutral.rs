//! Scores with little or no evidence: a text or paragraph with no weighted term is exactly
//! uniform and uncertain, a very short text is uncertain, and a few terms end near neutral
//! instead of at the model's full-document certainty.

mod common;

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

#[test]
fn one_word_is_uncertain_and_near_neutral() {
    let (_dir, models) = sparse_and_dense_models();
    for model in &models {
        for word in ["Kiev", "Kyiv"] {
            let v = score_jsonl(model, word);
            assert_eq!(v["uncertain"], true, "{word}: {v}");
            let terms = v["evidence"]["terms"].as_u64().unwrap();
            assert!(terms <= 1, "{word}: {v}");
            // One token under a prior of three: at most a quarter of the way from uniform to
            // certainty.
            for label in ["russian", "western"] {
                assert!((p(&v, label) - 0.5).abs() <= 0.125 + 1e-12, "{word}: {v}");
            }
        }
    }
}
