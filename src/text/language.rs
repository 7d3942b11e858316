//! The stemming language: a plain serde enum saved in the model file, from which the Snowball
//! stemmer is rebuilt when a model is loaded (so no function pointer ever needs restoring).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParamError;

/// Language of the Snowball stemmer. Defaults to `English`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    English,
    Russian,
}

impl Language {
    /// The ISO 639-1 code: the language a model of this stemming language reads, which
    /// `crate::text::detect` compares a text's language with.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Russian => "ru",
        }
    }

    /// The name for a sentence: "English".
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Russian => "Russian",
        }
    }

    /// Builds the Snowball stemmer for this language.
    pub fn stemmer(self) -> rust_stemmers::Stemmer {
        rust_stemmers::Stemmer::create(match self {
            Language::English => rust_stemmers::Algorithm::English,
            Language::Russian => rust_stemmers::Algorithm::Russian,
        })
    }
}

impl FromStr for Language {
    type Err = ParamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "english" | "en" => Ok(Language::English),
            "russian" | "ru" => Ok(Language::Russian),
            _ => Err(ParamError::Language(s.to_string())),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Language::English => "english",
            Language::Russian => "russian",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_stemmer_handles_cyrillic() {
        let stemmer = Language::Russian.stemmer();
        assert_eq!(stemmer.stem("украинской"), "украинск");
    }

    #[test]
    fn parses_names_and_refuses_unknown() {
        assert_eq!("Russian".parse::<Language>(), Ok(Language::Russian));
        assert!("klingon".parse::<Language>().is_err());
    }
}
