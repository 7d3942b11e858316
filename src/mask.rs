//! Outlet-marker masking, the first stage of the pipeline.
//!
//! Labels in news corpora come from the outlet, so anything that names or fingerprints the outlet
//! (datelines, agency tags, outlet names, URLs and handles, promo and share lines, site footers)
//! would let a model learn *who* wrote a text instead of *how* it frames the war. Masking finds
//! those spans so the tokenizer skips them.
//!
//! Masking never rewrites the text: it returns byte ranges, so every token that survives still
//! points into the original text (which is what highlighting and explanations need).
//!
//! The rules are data ([`MaskRules`]): named regular expressions, a default set that users can
//! extend or trim, saved in the model file and recompiled when a model is loaded.

use std::ops::Range;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::ParamError;

/// One named masking rule: every match of `pattern` is removed before tokenizing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskRule {
    pub name: String,
    /// A regular expression in the syntax of the `regex` crate.
    pub pattern: String,
}

impl MaskRule {
    /// A rule from a name and a pattern.
    pub fn new(name: &str, pattern: &str) -> Self {
        MaskRule {
            name: name.to_string(),
            pattern: pattern.to_string(),
        }
    }
}

/// The masking rules, as plain data. Defaults to [`MaskRules::default_rules`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskRules {
    pub rules: Vec<MaskRule>,
}

/// Outlet names masked by default. Case-sensitive on purpose: `AP`, `RT` and `Mirror` are
/// outlets when capitalised like that and ordinary words otherwise.
pub const DEFAULT_OUTLETS: &[&str] = &[
    "ABC News",
    "Al Jazeera",
    "AFP",
    "Agence France-Presse",
    "AP",
    "Associated Press",
    "BBC",
    "BBC News",
    "Bloomberg",
    "CBS News",
    "CBS",
    "CNN",
    "Daily Express",
    "Daily Mail",
    "Daily Mirror",
    "Express.co.uk",
    "Fox News",
    "Global Times",
    "Guardian",
    "HuffPost",
    "Huffington Post",
    "Interfax",
    "Kyiv Independent",
    "Kyiv Post",
    "MailOnline",
    "Mirror",
    "NBC News",
    "NBC",
    "New York Times",
    "NYT",
    "Press TV",
    "PressTV",
    "Reuters",
    "RIA Novosti",
    "RIA",
    "RT",
    "Russia Today",
    "Sputnik",
    "TASS",
    "Ukrinform",
    "Washington Post",
    "Xinhua",
];

/// The most masking rules a model may have.
pub const MAX_RULES: usize = 256;

/// The largest compiled size of one rule, in bytes.
pub const RULE_SIZE_LIMIT: usize = 2 << 20;

const MONTH: &str = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?";

impl Default for MaskRules {
    fn default() -> Self {
        MaskRules::default_rules()
    }
}

impl MaskRules {
    /// The built-in rules. Order does not matter: all matches are merged.
    ///
    /// Word boundaries are ASCII (`(?-u:\b)`): the markers are ASCII, and a Unicode boundary
    /// keeps the regex engine off its fast path (measured 20x slower on the corpus).
    pub fn default_rules() -> Self {
        let outlets = DEFAULT_OUTLETS
            .iter()
            .map(|o| regex::escape(o))
            .collect::<Vec<_>>()
            .join("|");
        MaskRules {
            rules: vec![
                MaskRule::new("url", r"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>()]+"),
                MaskRule::new(
                    "bare-domain",
                    r"(?i)(?-u:\b)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|co\.uk|org|net|ru|tv|ir|in)(?-u:\b)(?:/[^\s]*)?",
                ),
                MaskRule::new("email", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
                MaskRule::new("handle", r"@\w{2,}"),
                // `MOSCOW, February 12. /TASS/:` and `KYIV, Aug 3 (Reuters) -`
                MaskRule::new(
                    "dateline-agency",
                    &format!(
                        r"(?m)^[\s\p{{Pd}}]*[A-Z][A-Z.'’ -]{{1,40}},\s+{MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?\s*(?:[./]\s*/?[A-Za-z ]{{2,20}}/?|\([^)\n]{{1,30}}\))?\s*[:.\p{{Pd}}]*"
                    ),
                ),
                // `NEW YORK:`, `KYIV, Ukraine —`, `MOSCOW (Sputnik) -`
                MaskRule::new(
                    "dateline",
                    r"(?m)^[\s\p{Pd}]*[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+){0,2})?\s*(?:\([^)\n]{1,30}\)\s*)?(?::|\s\p{Pd})\s",
                ),
                // Scraper metadata such as ` date 2022-02-24` at the top of a page.
                MaskRule::new(
                    "date-field",
                    r"(?i)(?-u:\b)date:?\s+\d{4}-\d{2}-\d{2}(?-u:\b)",
                ),
                MaskRule::new(
                    "agency-tag",
                    r"\((?:Reuters|AP|AFP|Sputnik|TASS|RIA Novosti|Bloomberg|UPI|ANI|IANS|PTI|Interfax|Xinhua)\)\s*[\p{Pd}:]?",
                ),
                MaskRule::new(
                    "photo-credit",
                    r"(?i)\((?:[^()\n]{0,60}/)?(?:AP|AFP|Reuters|Getty|EPA|Sputnik|TASS)(?: Photo| Images)?(?:/[^()\n]{0,60})?\)",
                ),
                MaskRule::new(
                    "outlet",
                    &format!(r"(?-u:\b)(?:The )?(?:{outlets})(?-u:\b)(?:['’]s)?"),
                ),
                MaskRule::new(
                    "promo-line",
                    r"(?im)^[\s\p{Pd}]*(?:also read|read more|read also|more on this|related|watch|listen|follow us|subscribe|share this article|click here)(?-u:\b)[^\n]{0,200}$",
                ),
                MaskRule::new(
                    "promo-phrase",
                    r"(?i)(?-u:\b)(?:also read|read more|read also|share this article|you can share this story on social media|follow [A-Z][a-z]+ on (?:twitter|facebook|instagram))(?-u:\b):?",
                ),
                // The addresses listed after it are caught by `url` and `bare-domain`.
                MaskRule::new(
                    "site-footer",
                    r"(?i)(?:website )?can also be accessed at(?-u:\b)[^\n]*",
                ),
                MaskRule::new(
                    "copyright",
                    r"(?i)(?:©|\(c\)|copyright)\s*\d{4}[^\n.]{0,60}\.?",
                ),
                MaskRule::new(
                    "external-links-footer",
                    r"(?i)[^\n.]{0,40}is not responsible for the content of external (?:sites|internet sites)\.?|read about our approach to external linking\.?",
                ),
                // Month and weekday names date a text rather than frame it, and outlets in a
                // distantly supervised corpus cover different periods (RT: June to October 2022).
                MaskRule::new(
                    "date-words",
                    r"(?-u:\b)(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?-u:\b)\.?",
                ),
                MaskRule::new("breadcrumb", r"(?m)^\s*News\s+/\s+\w+\s*$"),
            ],
        }
    }

    /// No rules at all: nothing is masked.
    pub fn none() -> Self {
        MaskRules { rules: Vec::new() }
    }

    /// Adds a rule that masks an outlet name (literal, case-sensitive, whole words).
    pub fn with_outlet(mut self, name: &str) -> Self {
        self.rules.push(MaskRule {
            name: format!("outlet:{name}"),
            pattern: format!(r"(?-u:\b){}(?-u:\b)(?:['’]s)?", regex::escape(name)),
        });
        self
    }

    /// Adds a rule from a name and a regular expression.
    pub fn with_rule(mut self, name: &str, pattern: &str) -> Self {
        self.rules.push(MaskRule::new(name, pattern));
        self
    }

    /// Removes every rule with this name.
    pub fn without(mut self, name: &str) -> Self {
        self.rules.retain(|r| r.name != name);
        self
    }

    /// Compiles the rules, refusing any pattern that does not parse, more than [`MAX_RULES`]
    /// rules, and any rule whose compiled program would exceed [`RULE_SIZE_LIMIT`] bytes (a
    /// model file is untrusted input, and a pattern such as `\w{1000}` costs seconds and
    /// gigabytes to compile).
    pub fn compile(&self) -> Result<Masker, ParamError> {
        if self.rules.len() > MAX_RULES {
            return Err(ParamError::MaskPattern {
                name: format!("({} rules)", self.rules.len()),
                reason: format!("at most {MAX_RULES} masking rules are allowed"),
            });
        }
        let mut compiled = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let re = regex::RegexBuilder::new(&rule.pattern)
                .size_limit(RULE_SIZE_LIMIT)
                .build()
                .map_err(|e| ParamError::MaskPattern {
                    name: rule.name.clone(),
                    reason: e.to_string(),
                })?;
            compiled.push(re);
        }
        Ok(Masker { compiled })
    }
}

/// Compiled masking rules.
#[derive(Debug, Clone)]
pub struct Masker {
    compiled: Vec<Regex>,
}

impl Masker {
    /// The masked byte ranges of `text`: sorted, non-overlapping, on character boundaries.
    pub fn mask(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = self
            .compiled
            .iter()
            .flat_map(|re| re.find_iter(text).map(|m| m.range()))
            .filter(|r| !r.is_empty())
            .collect();
        spans.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
        for span in spans {
            match merged.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => merged.push(span),
            }
        }
        merged
    }

    /// The text with masked spans replaced by a space; for display and debugging.
    pub fn masked_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in self.mask(text) {
            out.push_str(&text[at..span.start]);
            out.push(' ');
            at = span.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        MaskRules::default_rules()
            .compile()
            .unwrap()
            .masked_text(text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn default_rules_compile() {
        assert!(MaskRules::default_rules().compile().is_ok());
    }

    #[test]
    fn masks_datelines() {
        assert_eq!(
            masked("MOSCOW, February 12. /TASS/: Lavrov said"),
            "Lavrov said"
        );
        assert_eq!(masked("NEW YORK: Blinken said"), "Blinken said");
        assert_eq!(masked("KYIV, Ukraine — Strikes hit"), "Strikes hit");
        assert_eq!(
            masked("LONDON, March 3 (Reuters) - The minister said"),
            "The minister said"
        );
        assert_eq!(masked("MOSCOW (Sputnik) - Officials"), "Officials");
    }

    #[test]
    fn masks_tags_outlets_links_and_promos() {
        assert_eq!(masked("Kyiv (AP) — Shelling"), "Kyiv Shelling");
        assert_eq!(
            masked("as RT reported, and the BBC's editor said"),
            "as reported, and the editor said"
        );
        assert_eq!(
            masked("see https://example.com/x or mail a@b.org, @someone"),
            "see or mail ,"
        );
        assert_eq!(
            masked("Fact.\nREAD MORE: Some headline\nNext"),
            "Fact. Next"
        );
        assert_eq!(
            masked("End.\n\nPress TV’s website can also be accessed at the following alternate addresses:\n\nwww.presstv.co.uk\n\nSHARE THIS ARTICLE"),
            "End."
        );
    }

    #[test]
    fn ordinary_words_survive() {
        assert_eq!(
            masked("The mirror showed art and a rapid response."),
            "The mirror showed art and a rapid response."
        );
    }

    #[test]
    fn bad_user_pattern_is_refused_with_its_name() {
        let err = MaskRules::none()
            .with_rule("mine", "(")
            .compile()
            .unwrap_err();
        assert!(matches!(err, ParamError::MaskPattern { ref name, .. } if name == "mine"));
    }

    #[test]
    fn spans_are_merged_and_sorted() {
        let m = MaskRules::default_rules().compile().unwrap();
        let spans = m.mask("Reuters Reuters http://x.y/z");
        assert!(spans.windows(2).all(|w| w[0].end < w[1].start));
    }

    #[test]
    fn oversized_rules_are_refused() {
        let err = MaskRules::none()
            .with_rule("huge", r"\w{1000}")
            .compile()
            .unwrap_err();
        assert!(matches!(err, ParamError::MaskPattern { ref name, .. } if name == "huge"));
        let mut many = MaskRules::none();
        for i in 0..=MAX_RULES {
            many = many.with_rule(&format!("r{i}"), "x");
        }
        assert!(many.compile().is_err());
    }
}
