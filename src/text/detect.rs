//! Which language a text is written in, so that a model reads only text in its own language.
//!
//! whatlang identifies the language from the first [`HEAD`] characters. Its answer is used
//! when whatlang calls it reliable, or when the text's script is not the model language's
//! script (an English model cannot read Cyrillic, however short the text); otherwise the
//! language is unknown and the text is read as it is. Short texts in the model's script are
//! therefore never flagged: a one-line English headline stays English. The choice of
//! whatlang over lingua, the rule and their measured accuracy and speed are in
//! benches/README.md ("Language identification").
//!
//! whatlang's cost is nearly fixed per text (it compares every language's profile), about as
//! much as scoring the article. So a text that plainly is English (at least [`MIN_WORDS`]
//! words of two letters or more, [`ENGLISH_SHARE`] or more of them English stop words) is
//! English without asking it: 94% of the corpus's articles, while no sentence of another
//! language in data/languages.tsv comes near (20% at most).

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use crate::text::language::Language;
use crate::text::stopwords::ENGLISH;

/// The number of characters identified: more adds time and no accuracy on articles.
pub const HEAD: usize = 1000;

/// The fewest words for the stop-word check.
pub const MIN_WORDS: usize = 20;

/// The share of English stop words from which a text is English without whatlang: the
/// corpus's articles have 23% to 70% (1st percentile 31%, median 44%), other languages' texts
/// 0% to 20%.
pub const ENGLISH_SHARE: f64 = 0.35;

/// Whether `head` is plainly English (see the module docs).
fn plainly_english(head: &str) -> bool {
    static STOP: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let stop = STOP.get_or_init(|| ENGLISH.iter().copied().collect());
    let (mut words, mut stops) = (0usize, 0usize);
    let mut lower = String::new();
    for word in head.split(|c: char| !c.is_alphabetic()) {
        if word.chars().nth(1).is_none() {
            continue;
        }
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        words += 1;
        stops += usize::from(stop.contains(lower.as_str()));
    }
    words >= MIN_WORDS && stops as f64 >= ENGLISH_SHARE * words as f64
}

/// The ISO 639-1 code of the language `text` is written in, when it can be told (see the
/// module docs); `None` when it cannot. Languages without a two-letter code are named by
/// their ISO 639-3 code.
pub fn detect(text: &str, model: Language) -> Option<&'static str> {
    let head = text
        .char_indices()
        .nth(HEAD)
        .map_or(text, |(i, _)| &text[..i]);
    if model == Language::English && plainly_english(head) {
        return Some("en");
    }
    let info = whatlang::detect(head)?;
    let script = match model {
        Language::English => whatlang::Script::Latin,
        Language::Russian => whatlang::Script::Cyrillic,
    };
    (info.is_reliable() || info.script() != script).then(|| code(info.lang()))
}

/// ISO 639-1 for the languages that have it, else whatlang's ISO 639-3 code.
fn code(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Rus => "ru",
        Ukr => "uk",
        Bel => "be",
        Bul => "bg",
        Srp => "sr",
        Mkd => "mk",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Pol => "pl",
        Ces => "cs",
        Slk => "sk",
        Slv => "sl",
        Hrv => "hr",
        Nld => "nl",
        Dan => "da",
        Swe => "sv",
        Nob => "nb",
        Fin => "fi",
        Est => "et",
        Lav => "lv",
        Lit => "lt",
        Hun => "hu",
        Ron => "ro",
        Ell => "el",
        Tur => "tr",
        Ara => "ar",
        Heb => "he",
        Pes => "fa",
        Hin => "hi",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Kat => "ka",
        Hye => "hy",
        Aze => "az",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The project's own labelled sentences (data/languages.tsv).
    fn samples() -> Vec<(&'static str, &'static str)> {
        include_str!("../../data/languages.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .collect()
    }

    #[test]
    fn english_sentences_and_headlines_are_never_flagged() {
        for (lang, text) in samples().into_iter().filter(|(l, _)| *l == "en") {
            let got = detect(text, Language::English);
            assert!(
                got.is_none() || got == Some("en"),
                "{lang} {text:?}: {got:?}"
            );
        }
    }

    #[test]
    fn russian_and_ukrainian_are_flagged_however_short() {
        for (lang, text) in samples()
            .into_iter()
            .filter(|(l, _)| *l == "ru" || *l == "uk")
        {
            let got = detect(text, Language::English);
            assert!(got.is_some_and(|c| c != "en"), "{lang} {text:?}: {got:?}");
        }
    }

    #[test]
    fn no_other_language_passes_for_plain_english() {
        let mut by: std::collections::BTreeMap<&str, String> = Default::default();
        for (lang, text) in samples() {
            let all = by.entry(lang).or_default();
            all.push_str(text);
            all.push(' ');
            assert!(lang == "en" || !plainly_english(text), "{lang} {text:?}");
        }
        // All of a language's sentences together are long enough for whatlang to be sure.
        for (lang, all) in by {
            assert!(lang == "en" || !plainly_english(&all), "{lang}");
            assert_eq!(
                detect(&all, Language::English) == Some("en"),
                lang == "en",
                "{lang}"
            );
        }
    }

    #[test]
    fn a_russian_model_reads_russian() {
        let text = "Министр заявил, что зерновой коридор будет открыт до весны.";
        assert_eq!(detect(text, Language::Russian), Some("ru"));
        assert_eq!(detect("", Language::English), None);
    }
}
