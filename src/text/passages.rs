//! Training passages: long training documents cut into passages of about the same length.
//!
//! In a distantly supervised corpus length itself leaks the label (the New York Times rows are
//! 365-character abstracts; RT's are full articles). With L2-normalised rows a long document's
//! logit grows with its length, so a model trained on whole documents learns "short means
//! western" through its intercept, and scores a short, plainly russian-framed text as western.
//! Training on passages of at least `min_words` words (whole paragraphs, or the sentence windows
//! of [`crate::text::paragraphs`] for flattened text) gives both labels texts of similar length.

use std::ops::Range;

use crate::text::paragraphs::split_paragraphs;

/// Cuts `text` into consecutive passages of whole paragraphs with at least `min_words` words
/// each; a short remainder joins the passage before it. A text shorter than `min_words` is one
/// passage. `min_words == 0` keeps the text whole.
pub fn passage_spans(text: &str, min_words: usize) -> Vec<Range<usize>> {
    let paragraphs = split_paragraphs(text);
    if min_words == 0 || paragraphs.is_empty() {
        return std::iter::once(0..text.len()).collect();
    }
    let mut passages: Vec<(Range<usize>, usize)> = Vec::new();
    let mut current: Option<(Range<usize>, usize)> = None;
    for p in paragraphs {
        let words = text[p.clone()].split_whitespace().count();
        let (span, n) = match current.take() {
            Some((span, n)) => (span.start..p.end, n + words),
            None => (p, words),
        };
        if n >= min_words {
            passages.push((span, n));
        } else {
            current = Some((span, n));
        }
    }
    if let Some((span, n)) = current {
        match passages.last_mut() {
            Some(last) if n < min_words / 2 => last.0.end = span.end,
            _ => passages.push((span, n)),
        }
    }
    passages.into_iter().map(|(span, _)| span).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_cover_whole_paragraphs_in_order() {
        let para = "one two three four five six seven eight nine ten.";
        let text = [para; 7].join("\n\n");
        let passages = passage_spans(&text, 25);
        assert_eq!(passages.len(), 2, "{passages:?}");
        assert_eq!(passages[0].start, 0);
        assert_eq!(passages[1].end, text.len());
        assert!(passages.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn short_texts_stay_whole() {
        assert_eq!(
            passage_spans("a b c", 100),
            std::iter::once(0..5).collect::<Vec<_>>()
        );
        assert_eq!(passage_spans("a b c", 0).len(), 1);
        assert_eq!(passage_spans("", 10).len(), 1);
    }
}
