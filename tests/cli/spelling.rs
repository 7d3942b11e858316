//! `--spelling`: a model with a spelling normaliser scores two spellings of a word alike, keeps
//! place names apart unless asked, saves the map in a version-4 file that reloads to the same
//! scores, and `explain` quotes the text as written.

use std::path::{Path, PathBuf};

use stance::io::corpus::Document;
use stance::text::spelling::SpellingLists;
use stance::train::{train, TrainParams};
use stance::Model;

use crate::common;

use common::{stance, stdout_of, train_model};

/// One side writes Sergey, Defence, Kiev; the other Sergei, Defense, Kyiv: without a
/// normaliser, spelling alone tells the labels apart.
fn corpus() -> Vec<Document> {
    let fillers = [
        "officials met on monday",
        "the talks ended late",
        "a statement followed",
        "the envoy travelled north",
        "reporters gathered outside",
        "the meeting was short",
    ];
    let mut docs = Vec::new();
    for (label, words) in [
        ("east", ["Sergey", "Defence", "Kiev"]),
        ("west", ["Sergei", "Defense", "Kyiv"]),
    ] {
        for (i, filler) in fillers.iter().enumerate() {
            let text = format!(
                "{} said the {} ministry in {} was ready; {filler}.",
                words[i % 3],
                words[(i + 1) % 3],
                words[(i + 2) % 3]
            );
            docs.push(Document {
                id: Some(format!("{label}{i}")),
                title: None,
                source: Some(format!("{label}-{}", i % 2)),
                date: None,
                label: Some(label.to_string()),
                text,
            });
        }
    }
    docs
}

fn write_corpus(dir: &Path) -> PathBuf {
    let path = dir.join("spelling.jsonl");
    let lines: String = corpus()
        .iter()
        .map(|d| {
            serde_json::json!({"id": d.id, "source": d.source, "label": d.label, "text": d.text})
                .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    path
}

/// Sentences in two spellings: names and British/American spelling, then places.
const SPELLING_PAIRS: &[(&str, &str)] = &[
    (
        "Foreign Minister Sergey Lavrov said NATO wants to fight.",
        "Foreign Minister Sergei Lavrov said NATO wants to fight.",
    ),
    (
        "The Defence Ministry said it was ready.",
        "The Defense Ministry said it was ready.",
    ),
];
const PLACE_PAIRS: &[(&str, &str)] = &[(
    "Officials in Kiev said the talks ended.",
    "Officials in Kyiv said the talks ended.",
)];

fn model_with(lists: SpellingLists) -> Model {
    let mut params = TrainParams::default();
    params.featurizer.vocabulary.min_df = stance::features::vocabulary::DocFreq::Count(1);
    params.featurizer.spelling = lists.spelling();
    // Weakly regularised and uncooled, so that spelling moves short sentences far.
    params.logistic.alpha = 0.01;
    params.prior_tokens = Some(0.0);
    let checked = params.check().unwrap();
    train(&corpus(), &checked, &mut |_| {}).unwrap().0
}

/// The largest difference in any label's probability between the two sides of `pairs`.
fn largest_gap(model: &Model, pairs: &[(&str, &str)]) -> f64 {
    pairs
        .iter()
        .flat_map(|(a, b)| {
            let (pa, pb) = (model.predict(a), model.predict(b));
            pa.probabilities
                .iter()
                .zip(&pb.probabilities)
                .map(|(x, y)| (x - y).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0, f64::max)
}

#[test]
fn a_normaliser_makes_spelling_variants_score_alike() {
    let plain = model_with(SpellingLists::None);
    assert!(
        largest_gap(&plain, SPELLING_PAIRS) > 0.1,
        "spelling decides"
    );
    assert!(largest_gap(&plain, PLACE_PAIRS) > 0.1);
    let places = model_with(SpellingLists::StandardPlaces);
    assert_eq!(largest_gap(&places, SPELLING_PAIRS), 0.0);
    assert_eq!(largest_gap(&places, PLACE_PAIRS), 0.0);
}

#[test]
fn standard_keeps_place_names_apart() {
    let standard = model_with(SpellingLists::Standard);
    assert_eq!(largest_gap(&standard, SPELLING_PAIRS), 0.0);
    assert!(
        largest_gap(&standard, PLACE_PAIRS) > 0.1,
        "Kiev/Kyiv is framing"
    );
}

#[test]
fn a_model_with_a_normaliser_is_version_4_and_reloads_to_the_same_scores() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_with(SpellingLists::Standard);
    assert_eq!(model.format_version(), 4);
    let path = dir.path().join("m.json");
    model.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(r#"{"format":"stance-model","version":4,"#));
    let loaded = Model::load(&path).unwrap();
    assert_eq!(loaded.to_json().unwrap(), text.as_bytes());
    for (a, b) in SPELLING_PAIRS.iter().chain(PLACE_PAIRS) {
        for t in [a, b] {
            assert_eq!(loaded.predict(t), model.predict(t), "{t}");
        }
    }
    // The map is what scoring reads: a file whose map lost a pair scores that pair apart.
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["featurizer"]["spelling"]["map"]
        .as_object_mut()
        .unwrap()
        .remove("sergey");
    let edited = common::write_file(dir.path(), "edited.json", v.to_string().as_bytes());
    let edited = Model::load(&edited).unwrap();
    assert!(largest_gap(&edited, &SPELLING_PAIRS[..1]) > 0.0);
}

#[test]
fn a_file_without_a_normaliser_stays_version_3() {
    let model = model_with(SpellingLists::None);
    assert_eq!(model.format_version(), 3);
    let json = String::from_utf8(model.to_json().unwrap()).unwrap();
    assert!(json.starts_with(r#"{"format":"stance-model","version":3,"#));
    assert!(!json.contains("\"spelling\""));
}

/// A change to a model file's JSON.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

#[test]
fn a_normaliser_in_a_file_claiming_version_3_or_a_bad_map_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let json = model_with(SpellingLists::Standard).to_json().unwrap();
    let good: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let cases: [(&str, Edit, &str); 3] = [
        (
            "v3.json",
            Box::new(|v| v["version"] = 3.into()),
            "needs format version 4 or later; the file says version 3",
        ),
        (
            "chain.json",
            Box::new(|v| v["featurizer"]["spelling"]["map"]["defense"] = "defenz".into()),
            "a spelling must not be a variant",
        ),
        (
            "upper.json",
            Box::new(|v| v["featurizer"]["spelling"]["map"]["Kiev"] = "kyiv".into()),
            "is not a pair of lower-case words",
        ),
    ];
    for (name, change, message) in cases {
        let mut v = good.clone();
        change(&mut v);
        let path = common::write_file(dir.path(), name, v.to_string().as_bytes());
        stance()
            .args(["score", "--model"])
            .arg(&path)
            .arg("-")
            .write_stdin("Kiev")
            .assert()
            .failure()
            .stderr(predicates::str::contains(message));
    }
}

#[test]
fn train_spelling_flag_and_explain_swap_on_surface_forms() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_corpus(dir.path());
    let out = dir.path().join("m.json");
    train_model(&data, &out, &["--spelling", "standard"]);
    let article = common::write_file(
        dir.path(),
        "a.txt",
        b"Sergey said the Defence ministry in Kiev was ready.",
    );
    let json = stdout_of(
        stance()
            .args(["explain", "--format", "json", "--model"])
            .arg(&out)
            .args(["--swap", "Sergey=Sergei,Kiev=Kyiv"])
            .arg(&article),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let swaps = v["swaps"].as_array().unwrap();
    let delta = |i: usize| swaps[i]["delta"]["east"].as_f64().unwrap();
    assert_eq!(delta(0), 0.0, "Sergey=Sergei: {}", swaps[0]);
    assert!(delta(1).abs() > 0.05, "Kiev=Kyiv: {}", swaps[1]);
    // Terms are the normalised spellings; what is quoted from the text is as written.
    let terms = v["terms"].as_array().unwrap();
    let sergei = terms
        .iter()
        .find(|t| t["feature"] == "sergei")
        .expect("the term sergei");
    assert_eq!(sergei["surface"][0], "Sergey");
    assert!(terms.iter().all(|t| t["feature"] != "sergey"));
    let bad = stance()
        .args(["train", "-q", "--spelling", "british", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("x.json"))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(bad).unwrap().contains("standard+places"));
}
