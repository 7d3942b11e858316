//! Labelling a corpus in the browser with the model in the loop (`stance annotate`).
//!
//! A [`Session`] holds the texts, the model, the queue (`stance sample`'s strategies) and the append-only
//! label log ([`LabelLog`]); an [`AnnotationServer`] serves one session to a web page and
//! scripts on 127.0.0.1 behind a random token. Every answer is on disk before it is
//! acknowledged; undo appends a record; a restart replays the log and resumes. The log is
//! read back by [`read_log`] for inter-annotator agreement and for training.
//!
//! This stage sits after `report`: it uses the model's scores and explanations, `sample`'s
//! strategies for the queue and, when asked to retrain, `adapt` ([`adapt_retrainer`]).

mod error;
mod guess;
mod queue;
mod retrain;
mod server;
mod session;

pub use crate::io::label_log::{
    read_log, Action, LabelLog, LogError, LogRecord, Replay, Standing, TornLine,
};
pub use error::AnnotateError;
pub use retrain::adapt_retrainer;
pub use server::AnnotationServer;
pub use session::{Adapter, Guess, Item, Next, Progress, Refusal, Session, SessionParams};
