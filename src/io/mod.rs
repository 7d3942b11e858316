//! Reading documents and writing files.
//!
//! [`corpus`] reads the input formats through `lines`, which bounds and checks raw lines,
//! `record`, which reads one JSON Lines record, and [`table`], which streams the rows of a
//! CSV/TSV table; [`date`] reads a date field the one way every command does; [`cell`] is the value of an input field kept for the output. [`stream`]
//! processes a stream of records in parallel, in bounded batches, keeping input order.
//! [`atomic`] writes a file whole or not at all. [`repeats`] counts ids seen before.
//! `label_log` is the append-only log of `stance annotate`'s answers: written with one `fsync`
//! per batch, replayed on open.

pub mod atomic;
pub mod cell;
pub mod corpus;
pub mod date;
pub(crate) mod json_lines;
pub(crate) mod label_log;
pub(crate) mod lines;
pub(crate) mod record;
pub mod repeats;
pub mod stream;
pub mod table;
