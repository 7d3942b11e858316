//! Properties of the public API on generated text (proptest): every span the pipeline hands out
//! (masked ranges, tokens, paragraphs, sentences, passages, explained terms) lies on UTF-8
//! boundaries inside the text; per-term contributions plus the intercept sum to the logit;
//! scoring never panics and always gives a probability distribution; and a model file
//! round-trips byte-identically.
//!
//! Texts mix Latin and Cyrillic letters, typographic apostrophes, hyphens and dashes, digits,
//! punctuation, line breaks and outlet markers, and also include arbitrary Unicode. The models
//! are trained once, in-process, on the invented examples in `data/examples.jsonl`.

use crate::common;

use std::io::Cursor;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use stance::features::ngrams::NgramRange;
use stance::features::vocabulary::DocFreq;
use stance::io::corpus::{Document, FieldNames, JsonLines};
use stance::model::calibration::Calibration;
use stance::model::evidence::UncertaintyPolicy;
use stance::model::fitted::CalibrationInfo;
use stance::text::mask::{MaskRules, Masker};
use stance::text::paragraphs::{split_paragraphs, split_sentences};
use stance::text::passages::passage_spans;
use stance::text::tokenize::{NumberPolicy, Tokenizer, TokenizerConfig};
use stance::train::{train, TrainParams};
use stance::Model;

fn examples() -> Vec<Document> {
    let bytes = std::fs::read(common::repo("data/examples.jsonl")).unwrap();
    JsonLines::new(
        Path::new("examples.jsonl"),
        Cursor::new(bytes),
        &FieldNames::default(),
        true,
    )
    .collect::<Result<_, _>>()
    .unwrap()
}

fn fit(docs: &[Document], params: &TrainParams) -> Model {
    train(docs, &params.clone().check().unwrap(), &mut |_| {})
        .unwrap()
        .0
}

fn small_params() -> TrainParams {
    let mut params = TrainParams::default();
    params.featurizer.vocabulary.min_df = DocFreq::Count(1);
    params
}

/// Two labels, the default pipeline.
fn binary_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| fit(&examples(), &small_params()))
}

/// Three labels (every third example relabelled `neutral`), with other n-gram and number
/// settings.
fn three_label_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut docs = examples();
        for d in docs.iter_mut().step_by(3) {
            d.label = Some("neutral".into());
        }
        let mut params = small_params();
        params.featurizer.ngram_range = NgramRange::new(1, 3).unwrap();
        params.featurizer.tokenizer.numbers = NumberPolicy::Placeholder;
        fit(&docs, &params)
    })
}

/// Compiled once: compiling the default rules costs more than a test case in a debug build.
fn default_masker() -> &'static Masker {
    static MASKER: OnceLock<Masker> = OnceLock::new();
    MASKER.get_or_init(|| MaskRules::default_rules().compile().unwrap())
}

fn models() -> [&'static Model; 2] {
    [binary_model(), three_label_model()]
}

/// Words and markers that mean something to masking, the tokenizer, the sentence splitter or
/// the example models' vocabulary.
const PIECES: &[&str] = &[
    "Kiev",
    "Kyiv",
    "regime",
    "Russia's",
    "Russia’s",
    "O’Brien",
    "isn't",
    "‘invasion’",
    "pro-Russian",
    "forces—Kyiv",
    "–",
    "U.S.",
    "Mr.",
    "Gen.",
    "J.",
    "said.",
    "end!",
    "why?",
    "\"Quote.\"",
    "(Reuters)",
    "(AP Photo/X)",
    "MOSCOW,",
    "February 12. /TASS/:",
    "KYIV, Ukraine —",
    "READ MORE:",
    "https://example.com/a",
    "a@b.org",
    "@handle",
    "© 2022",
    "sanctions",
    "shelling",
    "the",
    "and",
    "2022",
    "G7",
    "13",
    "Киевский",
    "режим",
    "«специальная»",
    "операция",
    "ёж",
    "İstanbul",
    "ΣΟΦΊΑ",
    "naïve",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u{a0}",
    "\u{2028}",
    " ",
];

/// Text from a mixed alphabet, from known pieces, or arbitrary Unicode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Zа-яА-ЯёЁ0-9'’‘ʼ`´\\-‐–—.,!?;:()«»\"“”/@ \n\t\r]{0,300}",
        prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|p| p.join(" ")),
        prop::collection::vec((prop::sample::select(PIECES), "[ \n.,’-]{0,2}"), 0..80)
            .prop_map(|p| p.into_iter().map(|(w, s)| format!("{w}{s}")).collect()),
        any::<String>(),
    ]
}

fn assert_spans(text: &str, spans: &[Range<usize>], what: &str, disjoint: bool) {
    for s in spans {
        assert!(
            s.start <= s.end && s.end <= text.len(),
            "{what} {s:?} outside {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{what} {s:?} not on a UTF-8 boundary of {text:?}"
        );
    }
    if disjoint {
        assert!(
            spans.windows(2).all(|w| w[0].end <= w[1].start),
            "{what}s out of order or overlapping: {spans:?}"
        );
    }
}

fn assert_distribution(p: &[f64], n: usize) {
    assert_eq!(p.len(), n);
    assert!(
        p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "{p:?}"
    );
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
}

proptest! {
    #[test]
    fn tokens_and_spans_lie_on_utf8_boundaries(text in text()) {
        let masked = default_masker().mask(&text);
        assert_spans(&text, &masked, "masked span", true);
        let configs = [
            TokenizerConfig::default(),
            TokenizerConfig {
                numbers: NumberPolicy::Keep,
                min_chars: 1,
                stem: false,
                ..TokenizerConfig::default()
            },
        ];
        for config in &configs {
            let tokens: Vec<_> = Tokenizer::new(config)
                .tokens(&text, &masked)
                .into_iter()
                .map(|t| t.span)
                .collect();
            assert_spans(&text, &tokens, "token", true);
            prop_assert!(tokens.iter().all(|t| !t.is_empty()));
        }
        let paragraphs = split_paragraphs(&text);
        assert_spans(&text, &paragraphs, "paragraph", true);
        for p in &paragraphs {
            prop_assert!(!p.is_empty());
            let sentences = split_sentences(&text, p.clone());
            assert_spans(&text, &sentences, "sentence", true);
            prop_assert!(sentences.iter().all(|s| p.start <= s.start && s.end <= p.end));
        }
        for min_words in [0, 5, 60] {
            assert_spans(&text, &passage_spans(&text, min_words), "passage", true);
        }
        let stemmed: Vec<_> = binary_model()
            .featurizer()
            .id_tokens(&text)
            .into_iter()
            .map(|t| t.span)
            .collect();
        assert_spans(&text, &stemmed, "stemmed token", true);
    }

    #[test]
    fn contributions_sum_to_the_logit(text in text()) {
        for model in models() {
            let e = model.explain(&text);
            // The explanation's own spans point into the text too.
            assert_spans(&text, &e.masked, "masked span", true);
            let tokens: Vec<_> = e.tokens.iter().map(|(span, _)| span.clone()).collect();
            assert_spans(&text, &tokens, "explained token", true);
            for term in &e.terms {
                assert_spans(&text, &term.spans, "term occurrence", false);
            }
            let n_labels = model.labels().len();
            prop_assert_eq!(e.logits.len(), n_labels);
            for l in 0..n_labels {
                let parts: Vec<f64> = e.terms.iter().map(|t| t.contributions[l]).collect();
                let sum = parts.iter().sum::<f64>() + e.intercepts[l];
                let scale =
                    1.0 + parts.iter().map(|c| c.abs()).sum::<f64>() + e.intercepts[l].abs();
                prop_assert!(
                    (sum - e.logits[l]).abs() <= 1e-12 * scale,
                    "label {}: {} vs logit {}", l, sum, e.logits[l]
                );
            }
            // The logits are the ones the score came from (these models are uncalibrated), then
            // cooled by the text's length.
            let raw = if n_labels == 2 { vec![e.logits[1]] } else { e.logits.clone() };
            let mut p = model.classifier().probabilities_from_logits(&raw);
            model.uncertainty().cool(&mut p, &e.score.prediction.evidence);
            let scored = &e.score.prediction.probabilities;
            prop_assert!(
                p.iter().zip(scored).all(|(a, b)| (a - b).abs() < 1e-12),
                "{:?} from the logits, {:?} scored", p, scored
            );
        }
    }

    #[test]
    fn scoring_never_panics(text in text()) {
        for model in models() {
            let n = model.labels().len();
            let score = model.score(&text, true);
            assert_distribution(&score.prediction.probabilities, n);
            // No label only on an exact tie or a text in another language, and then uncertain.
            prop_assert!(score.prediction.label.is_none_or(|l| l < n));
            prop_assert!(score.prediction.label.is_some() || score.prediction.uncertain);
            let evidence = score.prediction.evidence;
            prop_assert!(evidence.signal.is_finite() && evidence.signal >= 0.0);
            prop_assert!((0.0..=1.0).contains(&evidence.known));
            for p in &score.paragraphs {
                assert_distribution(&p.prediction.probabilities, n);
            }
            // `predict` does not check the language; `score` withholds the label of a text
            // in another one, and only that.
            let mut alone = model.predict(&text);
            if score.foreign {
                prop_assert!(score.prediction.label.is_none() && score.prediction.uncertain);
                alone.label = None;
                alone.uncertain = true;
            }
            prop_assert_eq!(&alone, &score.prediction);
            let spans: Vec<_> = score.paragraphs.iter().map(|p| p.span.clone()).collect();
            prop_assert_eq!(spans, split_paragraphs(&text));
        }
    }
}

/// A small corpus drawn from the pieces, each document with a few words so that training has a
/// vocabulary, and two or three labels.
fn corpus() -> impl Strategy<Value = Vec<Document>> {
    let doc = (
        prop::collection::vec(prop::sample::select(PIECES), 3..25),
        "[a-zа-я]{2,8}",
    )
        .prop_map(|(pieces, word)| format!("{} {word} {word}s", pieces.join(" ")));
    (prop::collection::vec(doc, 4..10), 2usize..=3).prop_map(|(texts, n_labels)| {
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Document {
                label: Some(["a", "b", "c"][i % n_labels].to_string()),
                source: Some(format!("s{}", i % 2)),
                text,
                ..Document::default()
            })
            .collect()
    })
}

fn round_trip(model: &Model) -> Result<(), TestCaseError> {
    let first = model.to_json().unwrap();
    let loaded = Model::from_json(&first, Path::new("first.json")).unwrap();
    let second = loaded.to_json().unwrap();
    prop_assert!(
        first == second,
        "the re-serialised model differs at byte {:?}",
        first.iter().zip(&second).position(|(a, b)| a != b)
    );
    Ok(())
}

proptest! {
    // Each case trains a model and loads it twice. The default masking rules take a quarter
    // of a second to compile in a debug build, so cases use a few rules of their own, and the
    // default rules are covered by the example models' round trip below.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_model_file_round_trips_byte_identically(
        docs in corpus(),
        outlet in "[A-Z][a-z]{1,8}( [A-Z][a-zé]{1,8})?",
        ngram_max in 1usize..=3,
        numbers in prop::sample::select(&[NumberPolicy::Drop, NumberPolicy::Keep, NumberPolicy::Placeholder][..]),
        alpha in prop::sample::select(&[1e-4, 0.01, 1.0, 3.7][..]),
        platt in (-1e3f64..1e3, -1e3f64..1e3),
        temperature in 0.01f64..100.0,
        band in 0.0f64..0.5,
        min_signal in 0.0f64..1e3,
        min_known in 0.0f64..=1.0,
    ) {
        let mut params = small_params();
        params.featurizer.mask = MaskRules::none()
            .with_outlet(&outlet)
            .with_rule("digits", r"\d+");
        params.featurizer.ngram_range = NgramRange::new(1, ngram_max).unwrap();
        params.featurizer.tokenizer.numbers = numbers;
        params.logistic.alpha = alpha;
        params.logistic.max_iter = 50;
        let model = fit(&docs, &params);
        round_trip(&model)?;
        // Arbitrary floats in the calibration and the uncertainty policy round-trip bit-exactly.
        let map = if model.labels().len() == 2 {
            Calibration::Platt { a: platt.0, b: platt.1 }
        } else {
            Calibration::Temperature { t: temperature }
        };
        let model = model
            .with_calibration(CalibrationInfo {
                map,
                folds: 3,
                group_by: "source".into(),
                ece_before: platt.0.abs(),
                ece_after: min_known,
            })
            .unwrap()
            .with_uncertainty(UncertaintyPolicy { min_signal, band, min_known, prior_tokens: band * 100.0 })
            .unwrap();
        round_trip(&model)?;
    }
}

#[test]
fn the_example_models_round_trip_byte_identically() {
    for model in models() {
        round_trip(model).unwrap();
    }
}
