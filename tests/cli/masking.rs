//! Outlet markers must not move a score: adding or removing an outlet's name, a dateline or a
//! site footer changes the default model's probability by less than 0.02.

use crate::common;

use std::path::Path;

use common::{repo, shared};
use stance::model::default_model::default_model;

const MAX_SHIFT: f64 = 0.02;

/// The name and text of each `.txt` file in `dir`, in name order.
fn texts_in(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f.display().to_string(), text)
        })
        .collect()
}

/// The example articles in `data/articles`.
fn articles() -> Vec<(String, String)> {
    texts_in(&repo("data/articles"))
}

/// The seed documents in `../shared/seeds` (tests using them are ignored by default).
fn seeds() -> Vec<(String, String)> {
    let texts = texts_in(&shared().join("seeds"));
    assert!(!texts.is_empty(), "no .txt files in ../shared/seeds");
    texts
}

/// A named way of adding an outlet marker to an article.
type Addition = (&'static str, Box<dyn Fn(&str) -> String>);

/// Ways of adding outlet markers to an article, each as a function of its text.
fn additions() -> Vec<Addition> {
    vec![
        (
            "TASS dateline",
            Box::new(|t: &str| format!("MOSCOW, February 12. /TASS/: {t}")),
        ),
        (
            "wire dateline",
            Box::new(|t: &str| format!("NEW YORK: {t}")),
        ),
        (
            "agency dateline",
            Box::new(|t: &str| format!("KYIV, Aug 3 (Reuters) - {t}")),
        ),
        (
            "AP tag",
            Box::new(|t: &str| format!("WASHINGTON (AP) — {t}")),
        ),
        (
            "outlet names",
            Box::new(|t: &str| {
                format!("{t}\nRT, BBC, CNN, Sputnik, TASS, Press TV, The Guardian, HuffPost")
            }),
        ),
        (
            "outlet byline",
            Box::new(|t: &str| format!("{t}\n\nReuters / The New York Times / Daily Mail")),
        ),
        (
            "promo lines",
            Box::new(|t: &str| {
                format!("{t}\n\nREAD MORE: Something else happened today\n\nSHARE THIS ARTICLE")
            }),
        ),
        (
            "site footer",
            Box::new(|t: &str| {
                format!("{t}\n\nOur website can also be accessed at the following addresses:\n\nwww.example-news.tv\nhttps://example.org/mirror\n\nFollow us @examplenews")
            }),
        ),
        (
            "copyright footer",
            Box::new(|t: &str| {
                format!("{t}\n© 2022 BBC. The BBC is not responsible for the content of external sites. Read about our approach to external linking.")
            }),
        ),
    ]
}

fn p_max_shift(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn adding_outlet_markers_moves_scores_by_less_than_0_02() {
    adding_markers_moves_scores_little(articles());
}

#[test]
#[ignore = "needs ../shared"]
fn adding_outlet_markers_moves_scores_by_less_than_0_02_on_the_seeds() {
    adding_markers_moves_scores_little(seeds());
}

fn adding_markers_moves_scores_little(texts: Vec<(String, String)>) {
    let model = default_model().unwrap();
    for (name, text) in texts {
        let base = model.predict(&text).probabilities;
        for (what, add) in additions() {
            let shifted = model.predict(&add(&text)).probabilities;
            let d = p_max_shift(&base, &shifted);
            assert!(
                d < MAX_SHIFT,
                "{name}: adding {what} moved the score by {d:.4}"
            );
        }
    }
}

#[test]
fn removing_the_masked_markers_moves_scores_by_less_than_0_02() {
    removing_markers_moves_scores_little(articles());
}

#[test]
#[ignore = "needs ../shared"]
fn removing_the_masked_markers_moves_scores_by_less_than_0_02_on_the_seeds() {
    removing_markers_moves_scores_little(seeds());
}

fn removing_markers_moves_scores_little(texts: Vec<(String, String)>) {
    let model = default_model().unwrap();
    for (name, text) in texts {
        let spans = model.featurizer().masked_spans(&text);
        let mut stripped = String::new();
        let mut at = 0;
        for s in &spans {
            stripped.push_str(&text[at..s.start]);
            stripped.push(' ');
            at = s.end;
        }
        stripped.push_str(&text[at..]);
        let d = p_max_shift(
            &model.predict(&text).probabilities,
            &model.predict(&stripped).probabilities,
        );
        assert!(
            d < MAX_SHIFT,
            "{name}: removing markers moved the score by {d:.4}"
        );
    }
}

/// A corpus where each label comes from one outlet that names itself in every text.
fn leaky_corpus(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("leaky.jsonl");
    let mut lines = String::new();
    let topics = [
        "grain exports",
        "power cuts",
        "peace talks",
        "prisoner swaps",
        "energy prices",
        "refugees",
    ];
    for (i, topic) in topics.iter().cycle().take(24).enumerate() {
        let (label, outlet) = if i % 2 == 0 {
            ("a", "Reuters")
        } else {
            ("b", "Sputnik")
        };
        let text = format!("{outlet} reported on {topic} and officials commented on {topic} again");
        lines.push_str(&serde_json::json!({"text": text, "label": label}).to_string());
        lines.push('\n');
    }
    std::fs::write(&path, lines).unwrap();
    path
}

#[test]
fn masking_is_what_keeps_outlet_names_from_moving_scores() {
    let dir = tempfile::tempdir().unwrap();
    let data = leaky_corpus(dir.path());
    let shift = |mask_flag: Option<&str>| {
        let out = dir.path().join("m.json");
        // Cooling by length (evidence.rs) would shrink this four-word text's scores and the
        // shift with them: it is turned off to measure what masking alone does.
        let mut flags = vec!["--prior-tokens", "0"];
        flags.extend(mask_flag);
        common::train_model(&data, &out, &flags);
        let model = stance::Model::load(&out).unwrap();
        let text = "officials commented on grain exports";
        p_max_shift(
            &model.predict(text).probabilities,
            &model.predict(&format!("Sputnik: {text}")).probabilities,
        )
    };
    let unmasked = shift(Some("--no-mask"));
    let masked = shift(None);
    assert!(
        unmasked > MAX_SHIFT,
        "without masking the outlet name moves the score by {unmasked:.4}"
    );
    assert!(
        masked < MAX_SHIFT,
        "with masking it moves it by {masked:.4}"
    );
}
