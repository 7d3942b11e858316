//! The vocabulary's term strings, kept in one buffer.
//!
//! A model's vocabulary is hundreds of thousands of short strings. As a `Vec<String>` each is its
//! own allocation, and allocating and freeing them is a visible part of loading a model;
//! appending them to one buffer is quicker and takes less memory (figures in
//! `benches/README.md`). It is written as a JSON array of strings: the stems of a
//! model file's vocabulary, and the terms themselves in format versions 1 and 2.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A list of strings stored end to end: term `i` is `text[ends[i - 1]..ends[i]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    text: String,
    ends: Vec<usize>,
}

impl Terms {
    /// An empty list with room for `n` terms.
    pub fn with_capacity(n: usize) -> Self {
        Terms {
            text: String::with_capacity(n * 12),
            ends: Vec::with_capacity(n),
        }
    }

    /// Appends a term.
    pub fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.ends.push(self.text.len());
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Term `i`; panics if `i` is out of range, as slice indexing does.
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The terms in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Terms {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut terms = Terms::default();
        for t in iter {
            terms.push(t.as_ref());
        }
        terms
    }
}

impl Serialize for Terms {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for term in self.iter() {
            seq.serialize_element(term)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(TermsVisitor)
    }
}

struct TermsVisitor;

impl<'de> Visitor<'de> for TermsVisitor {
    type Value = Terms;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Terms, A::Error> {
        let mut terms = Terms::default();
        while seq.next_element_seed(AppendTerm(&mut terms))?.is_some() {}
        Ok(terms)
    }
}

/// Reads one string straight into the buffer, borrowed from the input when it can be.
struct AppendTerm<'a>(&'a mut Terms);

impl<'de> DeserializeSeed<'de> for AppendTerm<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendTerm<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: Error>(self, term: &str) -> Result<(), E> {
        self.0.push(term);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json_like_a_vec_of_strings() {
        let words = ["", "kiev regim", "кремль", "a \"quoted\" \\ term", "z"];
        let terms: Terms = words.iter().collect();
        assert_eq!(terms.len(), words.len());
        assert!(terms.iter().eq(words.iter().copied()));
        let json = serde_json::to_string(&terms).unwrap();
        assert_eq!(json, serde_json::to_string(&words).unwrap());
        let back: Terms = serde_json::from_str(&json).unwrap();
        assert_eq!(back, terms);
        assert_eq!(back.get(2), "кремль");
    }

    #[test]
    fn refuses_what_is_not_an_array_of_strings() {
        for (json, expected) in [
            ("[\"a\", 1]", "invalid type: integer `1`, expected a string"),
            ("{\"a\": 1}", "expected an array of strings"),
            ("[\"a\"", "EOF"),
        ] {
            let e = serde_json::from_str::<Terms>(json).unwrap_err().to_string();
            assert!(e.contains(expected), "{json}: {e}");
        }
    }
}
