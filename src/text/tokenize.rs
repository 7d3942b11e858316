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

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::text::language::Language;
use crate::text::stopwords::StopWords;

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
    stop_words: rustc_hash::FxHashSet<String>,
    stemmer: rust_stemmers::Stemmer,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("config", &self.config)
            .finish()
    }
}

/// What scanning learned of a word besides its folded text.
struct WordSoFar<'a> {
    span: &'a Range<usize>,
    /// Characters, apostrophes not counted.
    n_chars: usize,
    has_letter: bool,
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

    /// The words of `text` outside the `masked` byte ranges (sorted, as [`crate::text::mask::Masker`]
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
    ///
    /// The loop walks bytes: ASCII bytes are classified by a table, separators are skipped and
    /// runs of letters and digits copied in tight loops, and only a non-ASCII byte decodes a
    /// `char` for the Unicode rules, so English text never pays for Unicode tables while giving
    /// exactly the tokens the `char` rules define.
    pub fn for_each_token(
        &self,
        text: &str,
        masked: &[Range<usize>],
        f: impl FnMut(Range<usize>, &str),
    ) {
        self.scan::<true>(text, masked, f);
    }

    /// As [`Tokenizer::for_each_token`], but stop words are passed on too: for callers that
    /// keep a decision per distinct word (the featurizer's word cache), which then asks
    /// [`Tokenizer::is_stop_word`] once per word instead of once per token.
    pub fn for_each_token_with_stop_words(
        &self,
        text: &str,
        masked: &[Range<usize>],
        f: impl FnMut(Range<usize>, &str),
    ) {
        self.scan::<false>(text, masked, f);
    }

    /// Whether a folded word is a stop word.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(word)
    }

    fn scan<const DROP_STOP_WORDS: bool>(
        &self,
        text: &str,
        masked: &[Range<usize>],
        mut f: impl FnMut(Range<usize>, &str),
    ) {
        let bytes = text.as_bytes();
        let mut word = String::new();
        let mut mask_at = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Skip ASCII separators in a tight loop; anything else is classified.
            while i < bytes.len() && BYTE_CLASS[bytes[i] as usize] == 0 {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            let (class, len) = classify(text, i);
            if class & ALNUM == 0 {
                i += len;
                continue;
            }
            // Collect one word: alphanumerics, plus apostrophes that sit between two letters.
            let start = i;
            word.clear();
            let mut has_letter = false;
            let mut prev_letter = false;
            let mut n_chars = 0;
            while i < bytes.len() {
                // A run of ASCII letters and digits, copied and lower-cased in one go.
                let run = i;
                let mut letters = 0;
                while i < bytes.len() && BYTE_CLASS[bytes[i] as usize] & ALNUM != 0 {
                    letters |= BYTE_CLASS[bytes[i] as usize] & ALPHA;
                    i += 1;
                }
                if i > run {
                    let at = word.len();
                    word.push_str(&text[run..i]);
                    word[at..].make_ascii_lowercase();
                    n_chars += i - run;
                    has_letter |= letters != 0;
                    prev_letter = BYTE_CLASS[bytes[i - 1] as usize] & ALPHA != 0;
                    continue;
                }
                let (class, len) = classify(text, i);
                if class & ALNUM != 0 {
                    push_lower(&mut word, &text[i..i + len]);
                    has_letter |= class & ALPHA != 0;
                    prev_letter = class & ALPHA != 0;
                    n_chars += 1;
                    i += len;
                } else if class & APOSTROPHE != 0
                    && prev_letter
                    && i + len < bytes.len()
                    && classify(text, i + len).0 & ALPHA != 0
                {
                    word.push('\'');
                    prev_letter = false;
                    i += len;
                } else {
                    break;
                }
            }
            let span = start..i;
            let found = WordSoFar {
                span: &span,
                n_chars,
                has_letter,
            };
            if let Some(token) =
                self.apply_policy(found, &mut word, masked, &mut mask_at, DROP_STOP_WORDS)
            {
                f(span, token);
            }
        }
    }

    /// The word policy, once a word's characters are collected: a masked word, a possessive
    /// `'s`, numbers, short words and stop words. Returns the token to emit, if any. The
    /// tokenizer and the reference it is tested against share it, so they differ only in how
    /// they scan.
    #[inline]
    fn apply_policy<'w>(
        &self,
        found: WordSoFar<'_>,
        word: &'w mut String,
        masked: &[Range<usize>],
        mask_at: &mut usize,
        drop_stop_words: bool,
    ) -> Option<&'w str> {
        let span = found.span;
        while *mask_at < masked.len() && masked[*mask_at].end <= span.start {
            *mask_at += 1;
        }
        if *mask_at < masked.len() && masked[*mask_at].start < span.end {
            return None;
        }
        let mut n_chars = found.n_chars;
        if let Some(stripped) = word.strip_suffix("'s") {
            let len = stripped.len();
            word.truncate(len);
            n_chars -= 1; // the `s`; the apostrophe was never counted
        }
        if !found.has_letter {
            match self.config.numbers {
                NumberPolicy::Drop => return None,
                NumberPolicy::Keep => {}
                NumberPolicy::Placeholder => return Some("0"),
            }
        }
        if n_chars < self.config.min_chars
            || (drop_stop_words && self.stop_words.contains(word.as_str()))
        {
            return None;
        }
        Some(word.as_str())
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

/// A letter or digit (`char::is_alphanumeric`).
const ALNUM: u8 = 1;
/// A letter (`char::is_alphabetic`).
const ALPHA: u8 = 2;
/// One of the apostrophes [`is_apostrophe`] folds to `'`.
const APOSTROPHE: u8 = 4;

/// A byte that starts or continues a non-ASCII character, which must be decoded.
const NON_ASCII: u8 = 8;

/// The class of every byte value: ASCII bytes classified at compile time by the same rules as
/// `char`, and every byte from 0x80 marked [`NON_ASCII`].
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c >= 0x80 {
            table[b] = NON_ASCII;
        } else if c.is_ascii_alphabetic() {
            table[b] = ALNUM | ALPHA;
        } else if c.is_ascii_digit() {
            table[b] = ALNUM;
        } else if c == b'\'' || c == b'`' {
            table[b] = APOSTROPHE;
        }
        b += 1;
    }
    table
};

/// The class and UTF-8 length of the character at byte `i` (a character boundary) of `text`.
#[inline]
fn classify(text: &str, i: usize) -> (u8, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (BYTE_CLASS[b as usize], 1);
    }
    let Some(c) = text[i..].chars().next() else {
        return (0, 1);
    };
    let class = if c.is_alphabetic() {
        ALNUM | ALPHA
    } else if c.is_alphanumeric() {
        ALNUM
    } else if is_apostrophe(c) {
        APOSTROPHE
    } else {
        0
    };
    (class, c.len_utf8())
}

/// Appends the lower-cased form of one character, given as its UTF-8 slice.
#[inline]
fn push_lower(word: &mut String, c: &str) {
    match c.as_bytes() {
        [b] => word.push(b.to_ascii_lowercase() as char),
        _ => {
            for ch in c.chars() {
                word.extend(ch.to_lowercase());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn push_lower_char(word: &mut String, c: char) {
        word.extend(c.to_lowercase());
    }

    /// The tokenizer as first written, one `char` at a time: the byte-table fast path must
    /// give exactly its tokens.
    fn reference_tokens(
        t: &Tokenizer,
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
            push_lower_char(&mut word, c);
            let mut prev_letter = c.is_alphabetic();
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() {
                    push_lower_char(&mut word, c);
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
            let found = WordSoFar {
                span: &span,
                n_chars,
                has_letter,
            };
            if let Some(token) = t.apply_policy(found, &mut word, masked, &mut mask_at, true) {
                f(span, token);
            }
        }
    }

    proptest! {
        #[test]
        fn fast_path_equals_the_char_at_a_time_reference(
            text in "([a-zA-Z0-9]{1,8}|[ .,'`’‘ʼ′\\-—\n]|[а-яА-ЯёÉéß]{1,4}|İ|ǅ|Ⅻ|٣){0,40}"
        ) {
            for config in [
                TokenizerConfig::default(),
                TokenizerConfig { numbers: NumberPolicy::Keep, min_chars: 1, ..TokenizerConfig::default() },
            ] {
                let t = Tokenizer::new(&config);
                let mut fast = Vec::new();
                t.for_each_token(&text, &[], |span, w| fast.push((span, w.to_string())));
                let mut reference = Vec::new();
                reference_tokens(&t, &text, &[], |span, w| reference.push((span, w.to_string())));
                prop_assert_eq!(fast, reference);
            }
        }
    }

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
    fn a_possessive_keeps_a_two_letter_word() {
        assert_eq!(
            words("UK's sanctions, EU’s envoy"),
            ["uk", "sanctions", "eu", "envoy"]
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
