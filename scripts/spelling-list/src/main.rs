//! Writes stance's British -> American spelling list (`data/spelling-en-gb-us.tsv`) from
//! VarCon, as packaged by the `varcon` crate (crate-ci/typos). Run from the repository root:
//!
//!     cargo run --release --manifest-path scripts/spelling-list/Cargo.toml > data/spelling-en-gb-us.tsv
//!
//! Rules, per VarCon entry (one word form in its spellings):
//! - the target is the entry's preferred American spelling (tag none; an entry with two is
//!   skipped, one with none falls back to its first "equal" American spelling);
//! - a source is any other spelling that is British (-ise or -ize) and preferred, equal or an
//!   accepted variant there; archaic entries, and clusters VarCon has not verified beyond
//!   SCOWL size 60, are skipped;
//! - words must be lower-case letters only (proper nouns are stance's own list) (tokens never hold spaces, hyphens or
//!   dots, and a possessive is cut before normalising);
//! - a word that is a preferred American spelling anywhere is never a source, so no American
//!   word is rewritten, and a source with two different targets is dropped.

use std::collections::{BTreeMap, BTreeSet};

use varcon::{Category, Tag};

/// The largest SCOWL size (level) of an unverified cluster that is used: 60 is SCOWL's default
/// dictionary size; unverified clusters at 70 already hold fragments (`ret` -> `ert`).
const MAX_UNVERIFIED_LEVEL: usize = 60;

/// A lower-case word of letters: proper nouns (capitalised in VarCon) are left to stance's own
/// name list, and VarCon's capitalised clusters hold abbreviations (`Acre` -> `Acer`).
fn is_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| c.is_alphabetic() && !c.is_uppercase())
}

fn main() {
    let mut american: BTreeSet<String> = BTreeSet::new();
    let mut pairs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for cluster in varcon::VARCON {
        for entry in cluster.entries {
            // Unverified clusters of rare words hold fragments and oddities (`fred` ->
            // `ferd`, level 95); unverified common ones are sound (`rouble` -> `ruble`, 50).
            let usable =
                (cluster.verified || cluster.level <= MAX_UNVERIFIED_LEVEL) && !entry.archaic;
            let us_tag = |tag: Option<Tag>| {
                move |v: &&varcon::Variant| {
                    v.types
                        .iter()
                        .any(|t| t.category == Category::American && t.tag == tag)
                }
            };
            let preferred: Vec<_> = entry.variants.iter().filter(us_tag(None)).collect();
            for v in &preferred {
                american.insert(v.word.to_lowercase());
            }
            if !usable {
                continue;
            }
            let target = match preferred.as_slice() {
                [one] => *one,
                [] => match entry.variants.iter().find(us_tag(Some(Tag::Eq))) {
                    Some(v) => v,
                    None => continue,
                },
                _ => continue,
            };
            let to = target.word.to_string();
            if !is_word(&to) {
                continue;
            }
            for v in entry.variants {
                let british = v.types.iter().any(|t| {
                    matches!(t.category, Category::BritishIse | Category::BritishIze)
                        && matches!(t.tag, None | Some(Tag::Eq) | Some(Tag::Variant))
                });
                let from = v.word.to_string();
                if british && from != to && is_word(&from) {
                    pairs.entry(from).or_default().insert(to.clone());
                }
            }
        }
    }
    for line in [
        "# British -> American spellings, one pair a line: BRITISH<TAB>AMERICAN.",
        "# Generated from VarCon (varcon crate 1.0.5) by scripts/spelling-list; see data/README.md.",
        "# VarCon: Copyright 2000-2018 by Kevin Atkinson; Copyright 2016 by Benjamin Titze;",
        "# from the Ispell word lists, Copyright 1993, Geoff Kuenning. Used under their permission",
        "# notices, reproduced in data/spelling-en-gb-us.LICENSE.",
    ] {
        println!("{line}");
    }
    for (from, to) in &pairs {
        if to.len() == 1 && !american.contains(from) {
            if let Some(to) = to.iter().next() {
                println!("{from}\t{to}");
            }
        }
    }
}
