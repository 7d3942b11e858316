//! Stage 9: a fitted model applied to text.
//!
//! [`score`] gives an article's label probabilities and, on request, each paragraph's
//! ([`unlabelled`] counts those that got no label, for warnings), and
//! [`record`] writes them out as JSON or CSV with the input fields kept;
//! [`explain`] breaks a score into exact per-term contributions and [`explain_record`] writes
//! them out; [`inspect`] picks the top terms and [`card`] makes the model
//! card.

pub mod card;
pub mod explain;
pub mod explain_record;
pub mod inspect;
pub mod record;
pub mod score;
pub mod unlabelled;
