//! Paragraph splitting for per-paragraph scores.
//!
//! Paragraphs are separated by line breaks (blank lines or single newlines; scraped text uses
//! both). A paragraph longer than [`MAX_PARAGRAPH_BYTES`] that has more sentences than
//! [`WINDOW_SENTENCES`] is cut into windows of that many sentences: texts whose breaks were
//! flattened into one line (all of the corpus's RT articles) still get paragraph scores, and the
//! result does not depend on blank lines alone.
//!
//! A sentence ends at `.`, `!` or `?` (optionally followed by closing quotes or brackets), then
//! whitespace, then an upper-case letter, a digit or an opening quote, unless the word before the
//! full stop is an abbreviation (`U.S.`, `Mr.`, `Gen.`, `Jan.`) or a single letter (initials).

use std::ops::Range;

/// Paragraphs longer than this many bytes are split into sentence windows.
pub const MAX_PARAGRAPH_BYTES: usize = 600;

/// Sentences per window when a long paragraph is split.
pub const WINDOW_SENTENCES: usize = 3;

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "cmdr", "adm",
    "gov", "sen", "rep", "rev", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp",
    "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mt", "ft", "approx", "est", "fig", "al",
];

/// The byte ranges of the paragraphs of `text`, trimmed of surrounding whitespace, in order.
/// Text with no visible characters has no paragraphs.
pub fn split_paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let range = trim_range(text, line_start..line_start + line.len());
        line_start += line.len();
        if range.is_empty() {
            continue;
        }
        if range.len() > MAX_PARAGRAPH_BYTES {
            let sentences = split_sentences(text, range.clone());
            if sentences.len() > WINDOW_SENTENCES {
                for window in sentences.chunks(WINDOW_SENTENCES) {
                    out.push(window[0].start..window[window.len() - 1].end);
                }
                continue;
            }
        }
        out.push(range);
    }
    out
}

/// The sentence ranges inside `range` of `text`.
pub fn split_sentences(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let s = &text[range.clone()];
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b'.' | b'!' | b'?') {
            let mut end = i + 1;
            // Closing quotes and brackets belong to the sentence they end.
            while end < bytes.len() {
                let rest = &s[end..];
                let c = rest.chars().next().unwrap_or(' ');
                if matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»') {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let after = &s[end..];
            let ws = after.len() - after.trim_start().len();
            let next = after.trim_start().chars().next();
            let starts_sentence = ws > 0
                && matches!(next, Some(c) if c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'' | '«'));
            if starts_sentence && !(b == b'.' && is_abbreviation(&s[start..i])) {
                out.push(range.start + start..range.start + end);
                start = end + ws;
                i = start;
                continue;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    if start < bytes.len() {
        let r = trim_range(text, range.start + start..range.end);
        if !r.is_empty() {
            out.push(r);
        }
    }
    out
}

/// Whether the text before a full stop ends in an abbreviation or an initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let last = word.rsplit('.').next().unwrap_or("");
    if last.chars().count() == 1 && last.chars().all(char::is_alphabetic) {
        return true; // `U.S.`, `J. Smith`
    }
    ABBREVIATIONS.contains(&last.to_lowercase().as_str())
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    range.start + lead..range.start + lead + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> Vec<&str> {
        split_paragraphs(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn splits_on_blank_and_single_newlines() {
        assert_eq!(
            parts("One.\n\nTwo.\r\nThree.\n\n\n"),
            ["One.", "Two.", "Three."]
        );
        assert!(parts("  \n\t\n").is_empty());
    }

    #[test]
    fn flattened_text_is_windowed_by_sentences() {
        let sentence =
            "The U.S. envoy met Mr. Lavrov in Geneva on Monday and said talks went on for hours. ";
        let text = sentence.repeat(9);
        let p = parts(&text);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p
            .iter()
            .all(|s| s.starts_with("The U.S. envoy") && s.ends_with("hours.")));
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let text = "Gen. Smith met the U.S. team. Then \"They left.\" Finally 3 went.";
        let s: Vec<&str> = split_sentences(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            s,
            [
                "Gen. Smith met the U.S. team.",
                "Then \"They left.\"",
                "Finally 3 went."
            ]
        );
    }

    #[test]
    fn spans_lie_on_char_boundaries() {
        let text = "Киев заявил. «Нет» — ответил он! Ещё.\n\nПотом.";
        for r in split_paragraphs(text) {
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }
}
