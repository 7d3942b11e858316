//! `stance adapt` and its library function: strength to infinity gives the base's predictions,
//! strength 0 a fit on the sample alone, `auto` turns away from a base that knows nothing of
//! the sample's labels, the model records its provenance (and `inspect` shows it), the same
//! sample gives the same bytes, and bad samples are refused by name.

use std::path::Path;

use stance::adapt::{adapt, adapt_with_base_data, AdaptParams, Strength};
use stance::model::logistic::LogisticParams;
use stance::{default_model, read_labelled, Document, FieldNames, Model};

use crate::common::{repo, stance, stdout_of};

fn examples() -> Vec<Document> {
    read_labelled(&repo("data/examples.jsonl"), &FieldNames::default()).unwrap()
}

/// The raw logit of the first output for a text.
fn logit(model: &Model, text: &str) -> f64 {
    model
        .classifier()
        .logits(&model.featurizer().transform(text))[0]
}

/// Texts to compare on: the examples, and texts with words the base has never seen.
fn probes(docs: &[Document]) -> Vec<String> {
    let mut texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
    texts.push("Zorblatt quexfrond Kiev regime zorblatt quexfrond".into());
    texts.push("The invasion of Ukraine, quexfrond said in Kyiv.".into());
    texts
}

#[test]
fn infinite_strength_keeps_the_base_up_to_the_refit_intercept() {
    let base = default_model().unwrap();
    let mut docs = examples();
    // Words new to the base, in at least two documents, so that new terms join the vocabulary.
    for d in docs.iter_mut().take(6) {
        d.text.push_str(" Zorblatt quexfrond announced.");
    }
    let params = AdaptParams {
        strength: Strength::Fixed(f64::INFINITY),
        ..AdaptParams::default()
    };
    let (adapted, report) = adapt(&base, "base", &docs, &params).unwrap();
    assert!(report.new_terms > 0, "new terms joined the vocabulary");
    let texts = probes(&docs);
    let shift = logit(&adapted, &texts[0]) - logit(&base, &texts[0]);
    for t in &texts {
        let d = logit(&adapted, t) - logit(&base, t) - shift;
        assert!(
            d.abs() < 1e-9,
            "{t:?}: logit differs from the base's by {d} beyond the intercept"
        );
    }
    // A finite but strong prior stays within a small tolerance of it.
    let strong = AdaptParams {
        strength: Strength::Fixed(1e7),
        ..AdaptParams::default()
    };
    let (near, _) = adapt(&base, "base", &docs, &strong).unwrap();
    let shift = logit(&near, &texts[0]) - logit(&base, &texts[0]);
    for t in &texts {
        let d = logit(&near, t) - logit(&base, t) - shift;
        assert!(d.abs() < 1e-3, "{t:?}: strength 1e7 is {d} from the base");
    }
}

#[test]
fn zero_strength_is_a_fit_on_the_sample_alone() {
    let base = default_model().unwrap();
    let docs = examples();
    let params = AdaptParams {
        strength: Strength::Fixed(0.0),
        ..AdaptParams::default()
    };
    let (adapted, _) = adapt(&base, "base", &docs, &params).unwrap();
    // The trainer's own L2 fit, on the same rows, with no prior.
    let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
    let x = adapted.featurizer().transform_many(&texts);
    let y: Vec<usize> = docs
        .iter()
        .map(|d| usize::from(d.label.as_deref() == Some("western")))
        .collect();
    let labels = vec!["russian".to_string(), "western".to_string()];
    let scratch = LogisticParams {
        alpha: 1.0,
        tolerance: 1e-9,
        max_iter: 5000,
        ..LogisticParams::default()
    };
    let (fitted, _) = scratch.fit(&x, &y, &labels, &mut |_, _| {}).unwrap();
    for t in probes(&docs) {
        let row = adapted.featurizer().transform(&t);
        let ours = adapted.classifier().logits(&row)[0];
        let theirs = fitted.logits(&row)[0];
        assert!((ours - theirs).abs() < 1e-4, "{t:?}: {ours} vs {theirs}");
    }
}

/// The examples with their labels swapped: the base is confidently wrong about every one.
fn swapped() -> Vec<Document> {
    let mut docs = examples();
    for d in &mut docs {
        let l = if d.label.as_deref() == Some("russian") {
            "western"
        } else {
            "russian"
        };
        d.label = Some(l.into());
    }
    docs
}

#[test]
fn auto_leaves_a_base_that_is_wrong_about_the_sample() {
    let base = default_model().unwrap();
    let docs = swapped();
    let (model, report) = adapt(&base, "base", &docs, &AdaptParams::default()).unwrap();
    let kept = &report.candidates[report.chosen];
    assert!(
        kept.name.starts_with("scratch") || kept.strength.is_some_and(|s| s <= 1.0),
        "kept {}: {:#?}",
        kept.name,
        report.candidates
    );
    let right = docs
        .iter()
        .filter(|d| model.predict(&d.text).label_name() == d.label.as_deref())
        .count();
    assert!(right >= 40, "{right} of 48 training texts right");
}

#[test]
fn auto_stays_near_the_base_where_the_base_is_right() {
    let base = default_model().unwrap();
    // Labelled as the base labels them: the base is right by construction.
    let mut docs = examples();
    for d in &mut docs {
        d.label = base.predict(&d.text).label_name().map(str::to_string);
    }
    let (_, report) = adapt(&base, "base", &docs, &AdaptParams::default()).unwrap();
    let kept = &report.candidates[report.chosen];
    assert!(
        kept.strength.is_none_or(|s| s >= 10.0),
        "kept {}: {:#?}",
        kept.name,
        report.candidates
    );
}

fn adapt_cli(dir: &Path, data: &Path, out: &str) -> String {
    stdout_of(
        stance()
            .args(["adapt", "--data"])
            .arg(data)
            .arg("--out")
            .arg(dir.join(out)),
    )
}

#[test]
fn the_model_records_its_base_and_sample_and_the_same_sample_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/examples.jsonl");
    let printed = adapt_cli(dir.path(), &data, "a.json");
    assert!(printed.contains("<- kept"), "{printed}");
    assert!(printed.contains("scratch-1"), "{printed}");
    assert!(printed.contains("sample-0.1"), "{printed}");
    adapt_cli(dir.path(), &data, "b.json");
    let a = std::fs::read(dir.path().join("a.json")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.json")).unwrap());
    let card = stdout_of(
        stance()
            .args(["inspect", "--model"])
            .arg(dir.path().join("a.json")),
    );
    let base_sha = stance::adapt::sha256_hex(stance::model::default_model::DEFAULT_MODEL_JSON);
    assert!(
        card.contains(&format!("adapted from base model sha256 {base_sha}")),
        "{card}"
    );
    let json = stdout_of(
        stance()
            .args(["inspect", "--format", "json", "--model"])
            .arg(dir.path().join("a.json")),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["adaptation"]["base_sha256"], base_sha.as_str());
    assert_eq!(v["adaptation"]["sample_documents"], 48);
    assert!(v["adaptation"]["candidates"].as_array().unwrap().len() >= 10);
    // The adapted model scores.
    stdout_of(
        stance()
            .args(["score", "--model"])
            .arg(dir.path().join("a.json"))
            .arg(repo("data/examples.jsonl")),
    );
}

#[test]
fn bad_samples_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.jsonl");
    std::fs::write(&one, "{\"id\":\"a\",\"label\":\"russian\",\"text\":\"one\"}\n{\"id\":\"b\",\"label\":\"russian\",\"text\":\"two\"}\n").unwrap();
    let new = dir.path().join("new.jsonl");
    std::fs::write(&new, "{\"id\":\"a\",\"label\":\"russian\",\"text\":\"one\"}\n{\"id\":\"b\",\"label\":\"western\",\"text\":\"two\"}\n{\"id\":\"c\",\"label\":\"neutral\",\"text\":\"three\"}\n").unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "{\"id\":\"a\",\"label\":\"russian\",\"text\":\"one\"}\n{\"id\":\"b\",\"label\":\"\",\"text\":\"two\"}\n").unwrap();
    for (data, message) in [
        (&one, "every document of the sample is labelled \"russian\""),
        (&new, "label(s) \"neutral\" are not the base model's (russian, western); first at document \"c\""),
        (&empty, "new.jsonl"),
    ] {
        let out = dir.path().join("m.json");
        let assert = stance()
            .args(["adapt", "--data"])
            .arg(data)
            .arg("--out")
            .arg(&out)
            .assert()
            .failure();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        if data == &empty {
            assert!(stderr.contains("empty.jsonl:2"), "{stderr}");
        } else {
            assert!(stderr.contains(message), "{stderr}");
        }
        assert!(!out.exists());
    }
}

#[test]
fn base_data_enters_the_pooled_candidate_and_is_recorded() {
    let base = default_model().unwrap();
    let docs = examples();
    // The same texts with every label turned around, weighing as much as the sample: a pooled
    // fit that really uses them cannot rank the sample's texts as a fit on the sample can.
    let contrary = swapped();
    let (model, report) =
        adapt_with_base_data(&base, "base", &docs, &contrary, &AdaptParams::default()).unwrap();
    let find = |name: &str| {
        report
            .candidates
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no {name}: {:#?}", report.candidates))
    };
    let (pooled, scratch) = (find("pooled-1"), find("scratch-1"));
    let auc = |c: &stance::model::adaptation::CandidateScore| c.auc.unwrap()[1];
    assert!(
        auc(pooled) < auc(scratch) - 0.2,
        "pooled {} against scratch {}",
        auc(pooled),
        auc(scratch)
    );
    assert_ne!(report.candidates[report.chosen].name, "pooled-1");
    let adaptation = model.adaptation().unwrap();
    assert_eq!(adaptation.base_data_documents, Some(48));
    assert!(adaptation.base_data_sha256.is_some());
    // Without base data there is no pooled candidate and nothing is recorded.
    let (plain, report) = adapt(&base, "base", &docs, &AdaptParams::default()).unwrap();
    assert!(report
        .candidates
        .iter()
        .all(|c| !c.name.starts_with("pooled")));
    assert_eq!(plain.adaptation().unwrap().base_data_documents, None);
}

#[test]
fn base_data_is_refused_where_it_would_be_ignored_or_has_a_label_the_base_lacks() {
    let base = default_model().unwrap();
    let docs = examples();
    let fixed = AdaptParams {
        strength: Strength::Fixed(1.0),
        ..AdaptParams::default()
    };
    let err = adapt_with_base_data(&base, "base", &docs, &docs, &fixed).unwrap_err();
    assert!(err.to_string().contains("strength auto"), "{err}");
    let mut odd = examples();
    odd[3].label = Some("neutral".into());
    let err = adapt_with_base_data(&base, "base", &docs, &odd, &AdaptParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"neutral\"") && err.contains("base-data document"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = repo("data/examples.jsonl");
    let assert = stance()
        .args(["adapt", "--strength", "1", "--data"])
        .arg(&data)
        .arg("--base-data")
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("m.json"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("--base-data needs --strength auto"),
        "{stderr}"
    );
    let printed = stdout_of(
        stance()
            .args(["adapt", "--data"])
            .arg(&data)
            .arg("--base-data")
            .arg(&data)
            .arg("--out")
            .arg(dir.path().join("m.json")),
    );
    assert!(
        printed.contains("pooled-1") && printed.contains("and 48 base-data texts"),
        "{printed}"
    );
}
