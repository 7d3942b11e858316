//! Stage 1-2: text in, stemmed tokens out.
//!
//! Takes raw article text. [`mask`] finds outlet markers (datelines, agency tags, outlet names,
//! links, promo lines) so that they are skipped; [`tokenize`] splits the rest into lower-cased,
//! folded words with byte spans, drops numbers by policy; [`spelling`] gives each word written
//! several ways one spelling (when the model has a normaliser); then [`stopwords`] are dropped
//! and words stemmed with the Snowball stemmer of a [`language`]. Gives tokens to the feature
//! stage.
//!
//! `detect` tells which language a text is in, so that a model reads only its own.
//!
//! [`paragraphs`] splits a text for per-paragraph scores, and [`passages`] cuts long training
//! documents into passages of about the same length.

pub(crate) mod detect;
pub mod language;
pub mod mask;
pub mod paragraphs;
pub mod passages;
pub mod spelling;
pub mod stopwords;
pub mod tokenize;
