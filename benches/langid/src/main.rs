//! A paired measurement of whatlang and lingua on short texts: accuracy on the project's own
//! labelled sentences (data/languages.tsv), the rate at which English text is wrongly flagged
//! as "not English" (paragraphs of 20-300 characters from ../shared/corpus, read at run time
//! and never copied), and the time per text, all in one run on the same texts.
//!
//! Run from the repository root: `cargo run --release --manifest-path benches/langid/Cargo.toml`
//! (paths can be given: `-- data/languages.tsv ../shared/corpus/ukraine-media.jsonl
//! ../shared/devsets/government-press-2021.jsonl`).

use std::io::BufRead;
use std::time::Instant;

use lingua::{Language as L, LanguageDetector, LanguageDetectorBuilder};

/// A detector's answer: the ISO 639-1 code when it is sure enough to flag, else `None`.
/// Articles are identified by their first `HEAD` characters (stance's `text::detect::HEAD`);
/// other lengths are measured with `LANGID_HEAD=N` in the environment.
const HEAD: usize = 1000;

fn head_chars() -> usize {
    std::env::var("LANGID_HEAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(HEAD)
}

type Detect<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

fn labelled(path: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect()
}

/// Texts of a JSON Lines file: whole articles and their 20-300 character paragraphs.
fn english(path: &str, articles: usize) -> (Vec<String>, Vec<String>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (mut whole, mut paragraphs) = (Vec::new(), Vec::new());
    for line in std::io::BufReader::new(file).lines().take(articles) {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = v["text"].as_str().unwrap_or("").to_string();
        for p in text.split('\n').map(str::trim) {
            if (20..=300).contains(&p.chars().count()) {
                paragraphs.push(p.to_string());
            }
        }
        if let Some(title) = v["title"].as_str() {
            if title.chars().count() >= 20 {
                paragraphs.push(title.to_string());
            }
        }
        whole.push(text);
    }
    (whole, paragraphs)
}

/// whatlang names languages by ISO 639-3; the labelled set by ISO 639-1.
fn whatlang_code(l: whatlang::Lang) -> String {
    use whatlang::Lang::*;
    match l {
        Eng => "en",
        Rus => "ru",
        Ukr => "uk",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Pol => "pl",
        Por => "pt",
        other => other.code(),
    }
    .to_string()
}

fn whatlang_reliable() -> Detect<'static> {
    Box::new(|t| {
        whatlang::detect(t)
            .filter(|i| i.is_reliable())
            .map(|i| whatlang_code(i.lang()))
    })
}

fn whatlang_confident(min: f64) -> Detect<'static> {
    Box::new(move |t| {
        whatlang::detect(t)
            .filter(|i| i.confidence() >= min)
            .map(|i| whatlang_code(i.lang()))
    })
}

/// whatlang's reliable answer, or its guess when the text's script is not Latin (an English
/// reader cannot read it, however short): the rule stance uses (src/text/detect.rs).
fn whatlang_or_script() -> Detect<'static> {
    Box::new(|t| {
        whatlang::detect(t)
            .filter(|i| i.is_reliable() || i.script() != whatlang::Script::Latin)
            .map(|i| whatlang_code(i.lang()))
    })
}

/// The first `max` characters of a text, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(i, _)| &text[..i])
}

/// The least time per text over `rounds` passes (the machine is shared: the minimum is the
/// least disturbed), and what `count` gave on the last pass.
fn timed(rounds: usize, texts: &[String], mut count: impl FnMut(&str) -> bool) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut n = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        n = texts.iter().filter(|t| count(t)).count();
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / texts.len().max(1) as f64);
    }
    (best, n)
}

fn lingua_code(l: L) -> String {
    l.iso_code_639_1().to_string()
}

fn lingua(detector: &LanguageDetector) -> Detect<'_> {
    Box::new(move |t| detector.detect_language_of(t).map(lingua_code))
}

struct Row {
    name: String,
    correct: usize,
    flagged_foreign: usize,
    foreign: usize,
    english_flagged_labelled: usize,
    english_labelled: usize,
    paragraphs_flagged: usize,
    articles_flagged: usize,
    dev_flagged: usize,
    micros_short: f64,
    micros_article: f64,
}

fn is_foreign(code: &Option<String>) -> bool {
    code.as_deref().is_some_and(|c| c != "en")
}

fn measure(
    name: &str,
    detect: &Detect,
    set: &[(String, String)],
    paragraphs: &[String],
    articles: &[String],
    dev: &[String],
) -> Row {
    let mut row = Row {
        name: name.to_string(),
        correct: 0,
        flagged_foreign: 0,
        foreign: 0,
        english_flagged_labelled: 0,
        english_labelled: 0,
        paragraphs_flagged: 0,
        articles_flagged: 0,
        dev_flagged: 0,
        micros_short: 0.0,
        micros_article: 0.0,
    };
    for (code, text) in set {
        let got = detect(text);
        row.correct += usize::from(got.as_deref() == Some(code.as_str()));
        if code == "en" {
            row.english_labelled += 1;
            row.english_flagged_labelled += usize::from(is_foreign(&got));
        } else {
            row.foreign += 1;
            row.flagged_foreign += usize::from(is_foreign(&got));
        }
    }
    (row.micros_short, row.paragraphs_flagged) =
        timed(3, paragraphs, |p| is_foreign(&detect(p)));
    (row.micros_article, row.articles_flagged) =
        timed(3, articles, |a| is_foreign(&detect(head(a, head_chars()))));
    row.dev_flagged = dev
        .iter()
        .filter(|a| is_foreign(&detect(head(a, head_chars()))))
        .count();
    row
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.to_string());
    let set = labelled(&arg(0, "data/languages.tsv"));
    let (articles, paragraphs) = english(&arg(1, "../shared/corpus/ukraine-media.jsonl"), 2000);
    let (dev, _) = english(&arg(2, "../shared/devsets/government-press-2021.jsonl"), usize::MAX);
    println!(
        "{} labelled texts ({} not English), {} English paragraphs and titles of 20-300 chars \
         and {} articles from the corpus's first 2000 lines, {} devset documents",
        set.len(),
        set.iter().filter(|(c, _)| c != "en").count(),
        paragraphs.len(),
        articles.len(),
        dev.len()
    );
    let languages = [
        L::English,
        L::Russian,
        L::Ukrainian,
        L::German,
        L::French,
        L::Spanish,
        L::Italian,
        L::Polish,
        L::Portuguese,
    ];
    let start = Instant::now();
    let lingua_plain = LanguageDetectorBuilder::from_languages(&languages)
        .with_preloaded_language_models()
        .build();
    let load = start.elapsed();
    let lingua_sure = LanguageDetectorBuilder::from_languages(&languages)
        .with_minimum_relative_distance(0.25)
        .with_preloaded_language_models()
        .build();
    let lingua_low = LanguageDetectorBuilder::from_languages(&languages)
        .with_low_accuracy_mode()
        .with_minimum_relative_distance(0.25)
        .with_preloaded_language_models()
        .build();
    let rows = [
        ("whatlang, is_reliable()", whatlang_reliable()),
        ("whatlang, confidence >= 0.5", whatlang_confident(0.5)),
        ("whatlang, is_reliable() or not Latin script", whatlang_or_script()),
        ("lingua 9 languages", lingua(&lingua_plain)),
        ("lingua 9 languages, min distance 0.25", lingua(&lingua_sure)),
        ("lingua 9 languages, low accuracy mode, 0.25", lingua(&lingua_low)),
    ]
    .iter()
    .map(|(name, d)| measure(name, d, &set, &paragraphs, &articles, &dev))
    .collect::<Vec<_>>();
    println!("lingua model load (9 languages, preloaded): {:.0} ms", load.as_secs_f64() * 1e3);
    println!(
        "\n| detector | exact language | foreign flagged | English short flagged | corpus \
         paragraphs flagged | corpus articles flagged | devset flagged | µs/paragraph | µs/article (first {} chars) |",
        head_chars()
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {}/{} | {}/{} | {}/{} | {}/{} | {}/{} | {}/{} | {:.1} | {:.0} |",
            r.name,
            r.correct,
            set.len(),
            r.flagged_foreign,
            r.foreign,
            r.english_flagged_labelled,
            r.english_labelled,
            r.paragraphs_flagged,
            paragraphs.len(),
            r.articles_flagged,
            articles.len(),
            r.dev_flagged,
            dev.len(),
            r.micros_short,
            r.micros_article
        );
    }
}
