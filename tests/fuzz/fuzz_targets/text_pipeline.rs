//! Fuzz target: the front of the pipeline on arbitrary text, through the public API only.
//!
//! Masking, the tokenizer (three configurations), the paragraph and sentence splitters, training
//! passages, and scoring and explaining with two models: the embedded default model (binary,
//! Platt-calibrated, the real masking rules) and a three-label model trained once, in-process,
//! on the repository's invented examples. Besides "no panic" it asserts what the modules
//! document: spans lie on character boundaries inside the text, are sorted and do not overlap;
//! tokens never touch masked text; paragraphs are trimmed and together hold every visible
//! character; probabilities are a distribution; contributions plus intercept give the logit.
//!
//! Reading the input as text is the job of the readers target; this one skips invalid UTF-8.

#![no_main]

use std::io::Cursor;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::features::ngrams::NgramRange;
use stance::features::vocabulary::DocFreq;
use stance::io::corpus::{FieldNames, JsonLines};
use stance::model::default_model::default_model;
use stance::predict::explain::swap_words;
use stance::text::mask::{MaskRules, Masker};
use stance::text::paragraphs::{split_paragraphs, split_sentences};
use stance::text::passages::passage_spans;
use stance::text::stopwords::StopWords;
use stance::text::tokenize::{NumberPolicy, Tokenizer, TokenizerConfig};
use stance::train::{train, TrainParams};
use stance::Model;

struct Fixture {
    masker: Masker,
    tokenizers: Vec<Tokenizer>,
    models: Vec<Model>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        masker: MaskRules::default_rules()
            .compile()
            .expect("the default masking rules compile"),
        tokenizers: vec![
            Tokenizer::new(&TokenizerConfig::default()),
            Tokenizer::new(&TokenizerConfig {
                numbers: NumberPolicy::Placeholder,
                stop_words: StopWords::None,
                min_chars: 1,
                stem: false,
                ..TokenizerConfig::default()
            }),
            Tokenizer::new(&TokenizerConfig {
                language: stance::text::language::Language::Russian,
                numbers: NumberPolicy::Keep,
                stop_words: StopWords::Custom(vec!["и".into(), "The".into()]),
                min_chars: 3,
                stem: true,
            }),
        ],
        models: vec![
            default_model().expect("the embedded default model loads"),
            three_label_model(),
        ],
    })
}

/// A multinomial model with other tokenizer and n-gram settings than the default one, trained
/// on `data/examples.jsonl` with every third document relabelled `neutral`.
fn three_label_model() -> Model {
    let bytes = include_bytes!("../../../data/examples.jsonl");
    let docs: Vec<_> = JsonLines::new(
        Path::new("examples.jsonl"),
        Cursor::new(&bytes[..]),
        &FieldNames::default(),
        true,
    )
    .enumerate()
    .map(|(i, d)| {
        let mut d = d.expect("the example corpus parses");
        if i % 3 == 0 {
            d.label = Some("neutral".into());
        }
        d
    })
    .collect();
    let mut params = TrainParams::default();
    params.featurizer.vocabulary.min_df = DocFreq::Count(1);
    params.featurizer.ngram_range = NgramRange::new(1, 3).expect("1..3 is a valid range");
    params.featurizer.tokenizer.numbers = NumberPolicy::Placeholder;
    params.logistic.max_iter = 50;
    let params = params.check().expect("valid parameters");
    train(&docs, &params, &mut |_| {})
        .expect("the example corpus trains")
        .0
}

fn check_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} not on character boundaries"
    );
}

/// Non-empty, in bounds, on boundaries, sorted and non-overlapping.
fn check_spans<'a>(text: &str, spans: impl IntoIterator<Item = &'a Range<usize>>, what: &str) {
    let mut previous_end = 0;
    for span in spans {
        check_span(text, span, what);
        assert!(!span.is_empty(), "empty {what} {span:?}");
        assert!(
            span.start >= previous_end,
            "{what} {span:?} overlaps or precedes the one ending at {previous_end}"
        );
        previous_end = span.end;
    }
}

fn visible(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn lowered_alphanumerics(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn check_masking(text: &str, masker: &Masker) -> Vec<Range<usize>> {
    let masked = masker.mask(text);
    check_spans(text, &masked, "masked span");
    // Merged spans: touching ones are joined, so neighbours are strictly apart.
    assert!(masked.windows(2).all(|w| w[0].end < w[1].start));
    masked
}

fn check_tokens(text: &str, masked: &[Range<usize>], tokenizer: &Tokenizer) {
    let tokens = tokenizer.tokens(text, masked);
    check_spans(text, tokens.iter().map(|t| &t.span), "token");
    for token in &tokens {
        let surface = &text[token.span.clone()];
        assert!(
            masked
                .iter()
                .all(|m| m.end <= token.span.start || m.start >= token.span.end),
            "token {surface:?} overlaps masked text"
        );
        assert!(
            surface.chars().next().is_some_and(char::is_alphanumeric)
                && surface.chars().last().is_some_and(char::is_alphanumeric),
            "token {surface:?} does not start and end with a letter or digit"
        );
        assert!(
            !surface.chars().any(char::is_whitespace),
            "token {surface:?} holds whitespace"
        );
        if token.word == "0" && tokenizer.config().numbers == NumberPolicy::Placeholder {
            continue;
        }
        // The word is the surface lower-cased, apostrophes folded, a possessive `'s` dropped.
        let (word, surface) = (
            lowered_alphanumerics(&token.word),
            lowered_alphanumerics(surface),
        );
        assert!(
            surface == word || surface == format!("{word}s"),
            "word {:?} is not the folded surface {surface:?}",
            token.word
        );
        let _ = tokenizer.stem(&token.word);
    }
}

fn check_paragraphs(text: &str) -> Vec<Range<usize>> {
    let paragraphs = split_paragraphs(text);
    check_spans(text, &paragraphs, "paragraph");
    let mut covered = String::new();
    for p in &paragraphs {
        let s = &text[p.clone()];
        assert_eq!(s, s.trim(), "paragraph {p:?} is not trimmed");
        assert!(!s.contains('\n'), "paragraph {p:?} spans a line break");
        covered.push_str(&visible(s));
        let sentences = split_sentences(text, p.clone());
        check_spans(text, &sentences, "sentence");
        assert!(
            sentences
                .iter()
                .all(|s| p.start <= s.start && s.end <= p.end),
            "a sentence of {p:?} lies outside it"
        );
    }
    assert_eq!(
        covered,
        visible(text),
        "paragraphs lose or repeat visible text"
    );
    for min_words in [0, 3, 60] {
        let chunks = passage_spans(text, min_words);
        for c in &chunks {
            check_span(text, c, "training passage");
        }
        assert!(chunks.windows(2).all(|w| w[0].end <= w[1].start));
    }
    paragraphs
}

/// `label` is `None` only on an exact tie or a text not in the model's language.
fn check_distribution(model: &Model, p: &[f64], label: Option<usize>) {
    assert_eq!(p.len(), model.labels().len());
    assert!(
        p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "probabilities {p:?}"
    );
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
    if let Some(label) = label {
        assert!(p.iter().all(|&v| v <= p[label]), "label {label} of {p:?}");
    }
}

fn check_scoring(text: &str, paragraphs: &[Range<usize>], model: &Model) {
    let score = model.score(text, true);
    let article = &score.prediction;
    check_distribution(model, &article.probabilities, article.label);
    assert!(article.evidence.signal.is_finite() && article.evidence.signal >= 0.0);
    assert!((0.0..=1.0).contains(&article.evidence.known));
    assert_eq!(model.predict(text), *article);
    let spans: Vec<Range<usize>> = score.paragraphs.iter().map(|p| p.span.clone()).collect();
    assert_eq!(
        spans, paragraphs,
        "scored paragraphs are not the split ones"
    );
    for (i, p) in score.paragraphs.iter().enumerate() {
        assert_eq!(p.index, i);
        check_distribution(model, &p.prediction.probabilities, p.prediction.label);
    }

    let e = model.explain(text);
    check_spans(
        text,
        e.tokens.iter().map(|(span, _)| span),
        "explained token",
    );
    for term in &e.terms {
        for span in &term.spans {
            check_span(text, span, "term occurrence");
        }
    }
    for (l, logit) in e.logits.iter().enumerate() {
        let parts: Vec<f64> = e.terms.iter().map(|t| t.contributions[l]).collect();
        let sum = parts.iter().sum::<f64>() + e.intercepts[l];
        let scale = 1.0 + parts.iter().map(|c| c.abs()).sum::<f64>() + e.intercepts[l].abs();
        assert!(
            (sum - logit).abs() <= 1e-9 * scale,
            "label {l}: contributions sum to {sum}, logit {logit}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    let masked = check_masking(text, &f.masker);
    for tokenizer in &f.tokenizers {
        check_tokens(text, &masked, tokenizer);
    }
    let paragraphs = check_paragraphs(text);
    for model in &f.models {
        check_scoring(text, &paragraphs, model);
    }
    let (swapped, n) = swap_words(text, "kiev", "Kyiv");
    assert!(n > 0 || swapped == text);
});
