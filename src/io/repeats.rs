//! Ids seen more than once in a stream of records, counted to warn once at the end: rows with
//! one id cannot be told apart downstream, and `report` would count the article twice.
//!
//! Ids are kept as 64-bit hashes, so that a stream of millions of records costs megabytes, not
//! its ids' text; two ids sharing a hash would be one repeat too many, at odds of one in 2^64
//! per pair.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use serde::Serialize;

/// How many records repeated an earlier record's id, and the first such id with where it was.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepeatedIds {
    #[serde(skip)]
    seen: HashSet<u64>,
    /// Records whose id an earlier record had.
    pub count: usize,
    /// The first repeated id, and where the record that repeated it was (`FILE:LINE`).
    pub first: Option<(String, String)>,
}

impl RepeatedIds {
    /// Notes the record with `id`, at `place` (called only for the first repeat; empty when
    /// the id is all there is to name it by).
    pub fn see(&mut self, id: &str, place: impl FnOnce() -> String) {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(id);
        if !self.seen.insert(hash) {
            self.count += 1;
            if self.first.is_none() {
                self.first = Some((id.to_string(), place()));
            }
        }
    }

    /// Whether no id was repeated.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The warning to print, if any id was repeated.
    pub fn warning(&self) -> Option<String> {
        let (id, place) = self.first.as_ref()?;
        let at = if place.is_empty() {
            String::new()
        } else {
            format!(" at {place}")
        };
        Some(format!(
            "{} record(s) repeat an earlier record's id, the first {id:?}{at}; give each record its own id",
            self.count
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_and_the_first_named() {
        let mut r = RepeatedIds::default();
        for (i, id) in ["a", "b", "a", "c", "b", "a"].iter().enumerate() {
            r.see(id, || format!("f:{}", i + 1));
        }
        assert_eq!(r.count, 3);
        assert_eq!(r.first, Some(("a".to_string(), "f:3".to_string())));
        assert!(RepeatedIds::default().warning().is_none());
    }
}
