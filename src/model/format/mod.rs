//! The model file's packed encodings: float arrays as base64 of their IEEE 754 bits
//! ([`floats`]) and the vocabulary as stems and packed stem ids ([`terms`]), over one base64
//! reader and writer ([`packed`]).

pub(crate) mod floats;
pub(crate) mod packed;
pub(crate) mod terms;
