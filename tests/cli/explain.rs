//! `stance explain`: contributions sum to the logit, surface forms and spans point into the
//! text, swaps, JSON keys, and HTML escaping.

use crate::common;

use std::path::Path;

use common::{repo, shared, stance, stdout_of, train_examples};
use stance::model::default_model::default_model;

/// The texts of the files in `dir`, in name order.
fn texts_in(dir: &Path) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// The example articles in `data/articles`.
fn articles() -> Vec<String> {
    texts_in(&repo("data/articles"))
}

/// The seed documents in `../shared/seeds` (tests using them are ignored by default).
fn seeds() -> Vec<String> {
    let texts = texts_in(&shared().join("seeds"));
    assert!(!texts.is_empty(), "no .txt files in ../shared/seeds");
    texts
}

#[test]
fn contributions_plus_intercept_sum_to_the_logit() {
    contributions_sum_to_the_logit(articles());
}

#[test]
#[ignore = "needs ../shared"]
fn contributions_plus_intercept_sum_to_the_logit_on_the_seeds() {
    contributions_sum_to_the_logit(seeds());
}

fn contributions_sum_to_the_logit(texts: Vec<String>) {
    let model = default_model().unwrap();
    for text in texts {
        let e = model.explain(&text);
        for l in 0..model.labels().len() {
            let sum: f64 =
                e.terms.iter().map(|t| t.contributions[l]).sum::<f64>() + e.intercepts[l];
            assert!(
                (sum - e.logits[l]).abs() < 1e-9,
                "label {l}: {sum} vs logit {}",
                e.logits[l]
            );
        }
        // And the logit gives the (uncalibrated) probability.
        let raw = model.classifier().probabilities_from_logits(&[e.logits[1]]);
        let row = model.featurizer().transform(&text);
        assert_eq!(raw, model.classifier().probabilities(&row));
    }
}

#[test]
fn multinomial_contributions_sum_too() {
    multinomial_contributions_sum(articles());
}

#[test]
#[ignore = "needs ../shared"]
fn multinomial_contributions_sum_too_on_the_seeds() {
    multinomial_contributions_sum(seeds());
}

fn multinomial_contributions_sum(texts: Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let data = common::three_label_corpus(dir.path());
    let out = dir.path().join("m.json");
    common::train_model(&data, &out, &[]);
    let model = stance::Model::load(&out).unwrap();
    for text in texts {
        let e = model.explain(&text);
        for l in 0..3 {
            let sum: f64 =
                e.terms.iter().map(|t| t.contributions[l]).sum::<f64>() + e.intercepts[l];
            assert!((sum - e.logits[l]).abs() < 1e-9);
        }
    }
}

#[test]
fn surfaces_and_spans_are_the_words_in_the_text() {
    surfaces_and_spans_are_words_of(articles());
}

#[test]
#[ignore = "needs ../shared"]
fn surfaces_and_spans_are_the_words_in_the_text_on_the_seeds() {
    surfaces_and_spans_are_words_of(seeds());
}

fn surfaces_and_spans_are_words_of(texts: Vec<String>) {
    let model = default_model().unwrap();
    for text in texts {
        let e = model.explain(&text);
        for t in &e.terms {
            assert!(!t.spans.is_empty(), "{} has no span", t.term);
            for s in &t.spans {
                assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
                let words = t.term.split(' ').count();
                assert!(
                    text[s.clone()]
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .count()
                        >= words
                );
            }
        }
        for (span, _) in &e.tokens {
            assert!(span.start < span.end && span.end <= text.len());
        }
    }
}

#[test]
fn json_has_the_documented_keys_and_swaps() {
    let out = stdout_of(stance().args([
        "explain",
        "--format",
        "json",
        "--swap",
        "kiev=kyiv,donbass=donbas",
        "data/articles/russian-ministry-statement.txt",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "label",
        "probabilities",
        "intercept",
        "terms",
        "paragraphs",
        "tokens",
        "swaps",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let term = &v["terms"][0];
    for key in ["feature", "surface", "spans", "contributions"] {
        assert!(term.get(key).is_some(), "terms[].{key}");
    }
    assert_eq!(
        v["swaps"].as_array().unwrap().len(),
        3,
        "two swaps and both together"
    );
}

#[test]
fn html_escapes_the_article_and_marks_words_and_paragraphs() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_examples(dir.path());
    let article = dir.path().join("evil.txt");
    std::fs::write(&article, "The Kiev regime <script>alert('x')</script> & the special military operation.\n\nRussia's invasion of Ukraine; Kyiv said & more.").unwrap();
    let html = dir.path().join("out.html");
    stance()
        .args(["explain", "--model"])
        .arg(&model)
        .arg(&article)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script>"), "article markup must be escaped");
    assert!(page.contains("&lt;script&gt;") && page.contains("&amp;"));
    assert!(page.contains("<mark class=\"w\""));
    assert_eq!(page.matches("data-paragraph=").count(), 2);
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "self-contained"
    );
}
