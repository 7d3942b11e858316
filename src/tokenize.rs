//! The tokenizer: splits (masked) text into lower-cased words with byte spans, drops stop words
//! and numbers by policy, and stems with Snowball.
//!
//! Policy, chosen deliberately and saved in the model file:
//! - A word is a run of Unicode letters and digits (`char::is_alphanumeric`), so Cyrillic,
//!   Greek and accented Latin text tokenize like English.
//! - Typographic apostrophes (’ ‘ ʼ `) fold to `'`. An apostrophe between two letters stays
//!   inside the word (`don't`, `o'brien`); a possessive `'s` is dropped (`Russia's` → `russia`),
//!   and quote marks around a word (`'invasion'`) are never part of it.
//! - Hyphens and dashes of every kind split words: `pro-Russian` gives `pro` and `russian` (and
//!   the bigram `pro russian`), so hyphenation habits of one outlet do not become features.
//! - Numbers: a token with no letter is a number. [`NumberPolicy::Drop`] (the default) removes it,
//!   because figures and years mostly date a text rather than frame it; mixed tokens such as
//!   `g7` or `f16` are words.
//! - Words shorter than `min_chars` characters (default 2) are dropped, as in scikit-learn's
//!   default token pattern; this also neutralises `U.S.` versus `US`.
//! - Stop words are matched on the lower-cased word before stemming.

use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::language::Language;
use crate::stopwords::StopWords;

/// What happens to tokens that contain no letter. Defaults to `Drop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberPolicy {
    /// Remove them.
    #[default]
    Drop,
    /// Keep them as they are.
    Keep,
    /// Replace each by the single term `0`, so "how many numbers" can count without the values.
    Placeholder,
}

/// Tokenizer settings, saved in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenizerConfig {
    /// Snowball stemmer language; defaults to English.
    pub language: Language,
    /// Stop words dropped before stemming; defaults to scikit-learn's English list.
    pub stop_words: StopWords,
    /// What to do with numbers; defaults to `Drop`.
    pub numbers: NumberPolicy,
    /// Shortest word kept, in characters; defaults to `2`.
    pub min_chars: usize,
    /// Whether to stem; defaults to `true`.
    pub stem: bool,
}

impl Default for TokenizerConfig {
    fn default() -> Self {
        TokenizerConfig {
            language: Language::English,
            stop_words: StopWords::English,
            numbers: NumberPolicy::Drop,
            min_chars: 2,
            stem: true,
        }
    }
}

/// A word of the text: its byte span in the original text and its lower-cased, folded form
/// (before stemming).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Range<usize>,
    pub word: String,
}

/// A tokenizer built from a [`TokenizerConfig`].
pub struct Tokenizer {
    config: TokenizerConfig,
    stop_words: HashSet<String>,
    stemmer: rust_stemmers::Stemmer,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("config", &self.config)
            .finish()
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '′')
}

impl Tokenizer {
    /// Builds the tokenizer (stop-word set and stemmer) from its settings.
    pub fn new(config: &TokenizerConfig) -> Self {
        Tokenizer {
            stop_words: config.stop_words.to_set(),
            stemmer: config.language.stemmer(),
            config: config.clone(),
        }
    }

    /// The settings this tokenizer was built from.
    pub fn config(&self) -> &TokenizerConfig {
        &self.config
    }

    /// The words of `text` outside the `masked` byte ranges (sorted, as [`crate::mask::Masker`]
    /// returns them), after the number, length and stop-word policies, not yet stemmed.
    pub fn tokens(&self, text: &str, masked: &[Range<usize>]) -> Vec<Token> {
        let mut out = Vec::new();
        self.for_each_token(text, masked, |span, word| {
            out.push(Token {
                span,
                word: word.to_string(),
            })
        });
        out
    }

    /// Calls `f` with the span and folded word of every kept token, without allocating per
    /// token; the hot path of featurizing.
    pub fn for_each_token(
        &self,
        text: &str,
        masked: &[Range<usize>],
        mut f: impl FnMut(Range<usize>, &str),
    ) {
        let mut word = String::new();
        let mut mask_at = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            // Collect one word: alphanumerics, plus apostrophes that sit between two letters.
            word.clear();
            let mut end = start + c.len_utf8();
            let mut has_letter = c.is_alphabetic();
            let mut n_chars = 1;
            push_lower(&mut word, c);
            let mut prev_letter = c.is_alphabetic();
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() {
                    push_lower(&mut word, c);
                    has_letter |= c.is_alphabetic();
                    prev_letter = c.is_alphabetic();
                    n_chars += 1;
                    end = i + c.len_utf8();
                    chars.next();
                } else if is_apostrophe(c) && prev_letter {
                    let after = text[i + c.len_utf8()..].chars().next();
                    match after {
                        Some(n) if n.is_alphabetic() => {
                            word.push('\'');
                            prev_letter = false;
                            end = i + c.len_utf8();
                            chars.next();
                        }
                        _ => break,
                    }
                } else {
                    break;
                }
            }
            let span = start..end;
            while mask_at < masked.len() && masked[mask_at].end <= span.start {
                mask_at += 1;
            }
            if mask_at < masked.len() && masked[mask_at].start < span.end {
                continue;
            }
            if let Some(stripped) = word.strip_suffix("'s") {
                let len = stripped.len();
                word.truncate(len);
                n_chars -= 2;
            }
            if !has_letter {
                match self.config.numbers {
                    NumberPolicy::Drop => continue,
                    NumberPolicy::Keep => {}
                    NumberPolicy::Placeholder => {
                        f(span, "0");
                        continue;
                    }
                }
            }
            if n_chars < self.config.min_chars || self.stop_words.contains(word.as_str()) {
                continue;
            }
            f(span, &word);
        }
    }

    /// The stem of a folded word (the word itself when stemming is off).
    pub fn stem<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        if self.config.stem {
            self.stemmer.stem(word)
        } else {
            std::borrow::Cow::Borrowed(word)
        }
    }
}

fn push_lower(word: &mut String, c: char) {
    if c.is_ascii() {
        word.push(c.to_ascii_lowercase());
    } else {
        word.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Tokenizer::new(&TokenizerConfig::default())
            .tokens(text, &[])
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    #[test]
    fn folds_case_apostrophes_and_possessives() {
        assert_eq!(
            words("Russia’s ‘invasion’ isn't O’Brien's"),
            ["russia", "invasion", "isn't", "o'brien"]
        );
    }

    #[test]
    fn splits_hyphens_and_dashes() {
        assert_eq!(
            words("pro-Russian forces—Kyiv"),
            ["pro", "russian", "forces", "kyiv"]
        );
    }

    #[test]
    fn drops_numbers_and_stop_words_by_default() {
        assert_eq!(
            words("The 24 February 2022 G7 summit"),
            ["february", "g7", "summit"]
        );
    }

    #[test]
    fn number_placeholder_policy() {
        let config = TokenizerConfig {
            numbers: NumberPolicy::Placeholder,
            ..TokenizerConfig::default()
        };
        let t = Tokenizer::new(&config);
        let w: Vec<_> = t
            .tokens("killed 13 people", &[])
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(w, ["killed", "0", "people"]);
    }

    #[test]
    fn cyrillic_words_and_russian_stemming() {
        let config = TokenizerConfig {
            language: Language::Russian,
            stop_words: StopWords::None,
            ..TokenizerConfig::default()
        };
        let t = Tokenizer::new(&config);
        let tokens = t.tokens("Киевский режим, «специальная» операция", &[]);
        let w: Vec<_> = tokens.iter().map(|t| t.word.as_str()).collect();
        assert_eq!(w, ["киевский", "режим", "специальная", "операция"]);
        assert_eq!(t.stem("операция"), "операц");
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Kiev’s “regime” — NATO";
        for token in Tokenizer::new(&TokenizerConfig::default()).tokens(text, &[]) {
            let surface = &text[token.span.clone()];
            assert!(surface.to_lowercase().starts_with(&token.word), "{surface}");
        }
    }

    #[test]
    fn masked_spans_are_skipped() {
        let text = "Lavrov (Reuters) said";
        let t = Tokenizer::new(&TokenizerConfig::default());
        let w: Vec<_> = t
            .tokens(text, &[std::ops::Range { start: 7, end: 16 }])
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(w, ["lavrov", "said"]);
    }

    #[test]
    fn english_stemming() {
        let t = Tokenizer::new(&TokenizerConfig::default());
        assert_eq!(t.stem("regime"), "regim");
        assert_eq!(t.stem("provocations"), "provoc");
    }
}
