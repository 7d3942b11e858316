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

use std::cell::RefCell;
use std::ops::Range;
use std::sync::{Arc, Weak};

use rayon::prelude::*;
use regex_automata::util::iter::Searcher;
use regex_automata::{meta, Anchored, Input};
use serde::{Deserialize, Serialize};

use crate::error::ParamError;

/// One named masking rule: every match of `pattern` is removed before tokenizing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskRule {
    pub name: String,
    /// A regular expression in the syntax of the `regex` crate.
    pub pattern: String,
    /// A speed hint: a regular expression that matches somewhere in every text `pattern`
    /// matches in (typically a rare literal the pattern contains). Texts without it skip the
    /// rule. It must never change what is masked; omitted, the rule always runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

impl MaskRule {
    /// A rule from a name and a pattern.
    pub fn new(name: &str, pattern: &str) -> Self {
        MaskRule {
            name: name.to_string(),
            pattern: pattern.to_string(),
            requires: None,
        }
    }

    /// The same rule with a [`MaskRule::requires`] hint.
    pub fn requiring(mut self, gate: &str) -> Self {
        self.requires = Some(gate.to_string());
        self
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

/// The largest compiled size of all rules together, in bytes: with many rules, each gets an
/// equal share of it (at most [`RULE_SIZE_LIMIT`]), so a model file cannot make loading cost
/// hundreds of megabytes by listing many rules each just under the per-rule limit.
pub const TOTAL_SIZE_LIMIT: usize = 32 << 20;

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
                )
                .requiring(r"(?i)\.(?:com|co\.uk|org|net|ru|tv|ir|in)"),
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
                )
                .requiring(r"(?i)can also be accessed at"),
                MaskRule::new(
                    "copyright",
                    r"(?i)(?:©|\(c\)|copyright)\s*\d{4}[^\n.]{0,60}\.?",
                ),
                MaskRule::new(
                    "external-links-footer",
                    r"(?i)[^\n.]{0,40}is not responsible for the content of external (?:sites|internet sites)\.?|read about our approach to external linking\.?",
                )
                .requiring(r"(?i)external"),
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
        self.rules.push(MaskRule::new(
            &format!("outlet:{name}"),
            &format!(r"(?-u:\b){}(?-u:\b)(?:['’]s)?", regex::escape(name)),
        ));
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
    /// rules, and any rule whose compiled program would exceed [`RULE_SIZE_LIMIT`] bytes or its
    /// share of [`TOTAL_SIZE_LIMIT`] (a model file is untrusted input, and a pattern such as
    /// `\w{1000}` costs seconds and gigabytes to compile).
    pub fn compile(&self) -> Result<Masker, ParamError> {
        if self.rules.len() > MAX_RULES {
            return Err(ParamError::MaskPattern {
                name: format!("({} rules)", self.rules.len()),
                reason: format!("at most {MAX_RULES} masking rules are allowed"),
            });
        }
        let size_limit = RULE_SIZE_LIMIT.min(TOTAL_SIZE_LIMIT / self.rules.len().max(1));
        // Rules compile on all threads (a model load waits for them); the first failing rule
        // in order is the one reported.
        let results: Vec<Result<CompiledRule, ParamError>> = self
            .rules
            .par_iter()
            .map(|rule| {
                let error = |e: &dyn std::fmt::Display| ParamError::MaskPattern {
                    name: rule.name.clone(),
                    reason: e.to_string(),
                };
                // The `regex` crate's own configuration (`Regex::new` with this size limit),
                // built as the `meta::Regex` underneath it so that searches can take a cache of
                // ours. The pattern is parsed once, which also gives the `regex` crate's message
                // for a bad one; a rule too large gets its message for that too.
                let build = |pattern: &str| {
                    let hir = regex_syntax::parse(pattern).map_err(|e| error(&e))?;
                    let regex = meta::Regex::builder()
                        .configure(
                            meta::Config::new()
                                .nfa_size_limit(Some(size_limit))
                                .hybrid_cache_capacity(2 << 20),
                        )
                        .build_from_hir(&hir)
                        .map_err(|e| match e.size_limit() {
                            Some(limit) => error(&format_args!(
                                "Compiled regex exceeds size limit of {limit} bytes."
                            )),
                            None => error(&e),
                        })?;
                    Ok((hir, regex))
                };
                let gate = match rule.requires.as_deref() {
                    Some(pattern) => Some(build(pattern)?.1),
                    None => None,
                };
                let (hir, regex) = build(&rule.pattern)?;
                let line_start = hir
                    .properties()
                    .look_set_prefix()
                    .contains(regex_syntax::hir::Look::StartLF);
                Ok(CompiledRule {
                    gate,
                    regex,
                    line_start,
                })
            })
            .collect();
        Ok(Masker {
            identity: Arc::new(()),
            compiled: results.into_iter().collect::<Result<_, _>>()?,
        })
    }
}

/// How many maskers' caches a thread keeps (a process scoring with several models at once).
const CACHED_MASKERS: usize = 4;

thread_local! {
    /// This thread's search caches, most recently used masker first, each with a weak handle
    /// on its masker's identity: the caches of a masker that is gone are dropped the next
    /// time this thread masks (a thread that never masks again keeps at most four maskers'
    /// caches).
    ///
    /// A regex searched without a cache of its caller's takes one from a pool: a thread other
    /// than the pool's first user locks the pool twice per search, and masking runs a search
    /// per line start for each line rule.
    static CACHES: RefCell<Vec<(Weak<()>, Vec<RuleCaches>)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Debug, Clone)]
struct CompiledRule {
    gate: Option<meta::Regex>,
    regex: meta::Regex,
    /// Whether every match starts with `(?m)^`: then it is searched for only at line starts,
    /// and the text between lines is never scanned, which makes datelines and promo lines
    /// cheap.
    line_start: bool,
}

/// One thread's search caches for one rule.
#[derive(Debug)]
struct RuleCaches {
    gate: Option<meta::Cache>,
    regex: meta::Cache,
}

impl CompiledRule {
    fn caches(&self) -> RuleCaches {
        RuleCaches {
            gate: self.gate.as_ref().map(meta::Regex::create_cache),
            regex: self.regex.create_cache(),
        }
    }

    /// Adds the non-empty matches of the rule in `text` to `spans`, exactly as `find_iter` of
    /// the rule's regex would give them.
    fn find(&self, text: &str, caches: &mut RuleCaches, spans: &mut Vec<Range<usize>>) {
        if let (Some(gate), Some(cache)) = (&self.gate, &mut caches.gate) {
            // What `is_match` runs.
            if gate
                .search_half_with(cache, &Input::new(text).earliest(true))
                .is_none()
            {
                return;
            }
        }
        let (re, cache) = (&self.regex, &mut caches.regex);
        if !self.line_start {
            // What `find_iter` runs.
            let mut it = Searcher::new(Input::new(text));
            while let Some(m) = it.advance(|input| Ok(re.search_with(cache, input))) {
                spans.push(m.range());
            }
            return;
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let input = Input::new(text).range(at..).anchored(Anchored::Yes);
            // Like `find_iter`: the next search starts where a match ended, and an empty
            // match (or none) moves on by at least one byte.
            let resume = match re.search_with(cache, &input) {
                Some(m) if !m.is_empty() => {
                    spans.push(m.range());
                    m.end()
                }
                _ => at + 1,
            };
            // The next line start at or after `resume`.
            at = match memchr::memchr(b'\n', &bytes[resume - 1..]) {
                Some(k) => resume + k,
                None => break,
            };
        }
    }
}

/// Compiled masking rules.
#[derive(Debug, Clone)]
pub struct Masker {
    /// Which compiled rules these are, for this thread's caches; clones share the compiled
    /// rules, so they share it and the caches.
    identity: Arc<()>,
    compiled: Vec<CompiledRule>,
}

impl Masker {
    /// The masked byte ranges of `text`: sorted, non-overlapping, on character boundaries.
    pub fn mask(&self, text: &str) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = Vec::new();
        let found = CACHES.try_with(|cell| {
            let Ok(mut list) = cell.try_borrow_mut() else {
                return false;
            };
            list.retain(|(identity, _)| identity.strong_count() > 0);
            // Compared by address: a downgrade per call would write to a counter that every
            // thread masking with this masker shares.
            let mine = Arc::as_ptr(&self.identity);
            let at = match list
                .iter()
                .position(|(identity, _)| identity.as_ptr() == mine)
            {
                Some(at) => at,
                None => {
                    list.truncate(CACHED_MASKERS - 1);
                    list.push((
                        Arc::downgrade(&self.identity),
                        self.compiled.iter().map(CompiledRule::caches).collect(),
                    ));
                    list.len() - 1
                }
            };
            list[..=at].rotate_right(1);
            for (rule, caches) in self.compiled.iter().zip(&mut list[0].1) {
                rule.find(text, caches, &mut spans);
            }
            true
        });
        if found != Ok(true) {
            // Only while this thread's storage is being torn down.
            for rule in &self.compiled {
                rule.find(text, &mut rule.caches(), &mut spans);
            }
        }
        spans.retain(|r| !r.is_empty());
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with the default rules' masked spans replaced by a space, words single-spaced.
    fn masked(text: &str) -> String {
        let masker = MaskRules::default_rules().compile().unwrap();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in masker.mask(text) {
            out.push_str(&text[at..span.start]);
            out.push(' ');
            at = span.end;
        }
        out.push_str(&text[at..]);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn threads_and_maskers_keep_their_own_search_caches() {
        let text = "MOSCOW, February 12. /TASS/: see https://x.org, as RT reported.\n\
                    READ MORE: a headline\nLONDON (Reuters) - Next";
        // More maskers than a thread keeps caches for, each masking differently.
        let maskers: Vec<Masker> = (0..CACHED_MASKERS + 2)
            .map(|i| {
                let mut rules = MaskRules::default_rules();
                rules.rules.rotate_left(i);
                rules.rules.truncate(rules.rules.len() - 2 * i);
                rules.compile().unwrap()
            })
            .collect();
        // Each masker's first use makes its caches.
        let fresh: Vec<Vec<Range<usize>>> = maskers.iter().map(|m| m.mask(text)).collect();
        assert!(fresh.windows(2).any(|w| w[0] != w[1]));
        let check = || {
            for round in 0..3 {
                for (m, expected) in maskers.iter().zip(&fresh).rev().step_by(round + 1) {
                    assert_eq!(&m.mask(text), expected, "round {round}");
                    assert_eq!(&m.clone().mask(text), expected, "a clone, round {round}");
                }
            }
        };
        check();
        std::thread::scope(|s| {
            s.spawn(check);
            s.spawn(check);
        });
        let cached = || CACHES.with(|c| c.borrow().len());
        assert_eq!(cached(), CACHED_MASKERS);
        drop(maskers);
        MaskRules::default_rules().compile().unwrap().mask(text);
        assert_eq!(cached(), 1, "the caches of dropped maskers are released");
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
        assert!(err.to_string().contains("exceeds size limit of"), "{err}");
        let mut many = MaskRules::none();
        for i in 0..=MAX_RULES {
            many = many.with_rule(&format!("r{i}"), "x");
        }
        assert!(many.compile().is_err());
    }

    #[test]
    fn many_large_rules_share_one_budget() {
        // One such rule compiles; 256 of them would cost hundreds of megabytes together.
        let pattern = r"\w{30}";
        assert!(MaskRules::none()
            .with_rule("one", pattern)
            .compile()
            .is_ok());
        let mut many = MaskRules::none();
        for i in 0..MAX_RULES {
            many = many.with_rule(&format!("r{i}"), pattern);
        }
        assert!(matches!(
            many.compile(),
            Err(ParamError::MaskPattern { ref name, .. }) if name == "r0"
        ));
    }
}

#[cfg(test)]
mod search_tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn compiled() -> &'static (Masker, Vec<Regex>) {
        static COMPILED: std::sync::OnceLock<(Masker, Vec<Regex>)> = std::sync::OnceLock::new();
        COMPILED.get_or_init(|| {
            let rules = MaskRules::default_rules();
            let plain = rules
                .rules
                .iter()
                .map(|r| Regex::new(&r.pattern).unwrap())
                .collect();
            (rules.compile().unwrap(), plain)
        })
    }

    #[test]
    fn line_anchored_rules_are_searched_at_line_starts() {
        let rules = MaskRules::default_rules();
        let line_rules: Vec<&str> = rules
            .rules
            .iter()
            .zip(&compiled().0.compiled)
            .filter(|(_, c)| c.line_start)
            .map(|(r, _)| r.name.as_str())
            .collect();
        assert_eq!(
            line_rules,
            ["dateline-agency", "dateline", "promo-line", "breadcrumb"]
        );
    }

    /// Every rule's spans, found the fast way (gates, line starts), equal `find_iter`'s.
    fn check_same_spans(text: &str) {
        let (masker, plain) = compiled();
        for ((rule, compiled), re) in MaskRules::default_rules()
            .rules
            .iter()
            .zip(&masker.compiled)
            .zip(plain)
        {
            let mut fast = Vec::new();
            compiled.find(text, &mut compiled.caches(), &mut fast);
            let plain: Vec<_> = re
                .find_iter(text)
                .map(|m| m.range())
                .filter(|r| !r.is_empty())
                .collect();
            assert_eq!(fast, plain, "rule {} on {text:?}", rule.name);
        }
    }

    #[test]
    fn line_rules_and_gates_find_what_find_iter_finds() {
        for text in [
            "MOSCOW, February 12. /TASS/: talks.\nKYIV, Ukraine — shelling\n\n  NEW YORK: x",
            "\n\nRead more: the Kremlin\nWatch the video\nNews / World\n",
            "See rt.com/news and www.bbc.co.uk.\nThe BBC is not responsible for the content of external sites.",
            "Press TV website can also be accessed at presstv.ir\nLONDON (Reuters) - x",
            "",
            "\n",
            "A\nB: c\n-- D - e",
        ] {
            check_same_spans(text);
        }
    }

    proptest! {
        #[test]
        fn fast_search_equals_find_iter(text in "[A-Za-z .,:/()\\n\\-—’0-9]{0,120}") {
            check_same_spans(&text);
        }
    }
}
