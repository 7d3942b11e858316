//! The integration tests, one test crate (linked once, not once per file), as ripgrep has: each
//! module drives the `stance` binary or the public library API. `tests/memory.rs` stays a crate
//! of its own, because its counting allocator must see only its own test's allocations.
//!
//! Tests needing `../shared` or Chromium are `#[ignore = "needs ..."]`; CI runs them with
//! `cargo test -- --include-ignored`.

#[path = "../common/mod.rs"]
mod common;

mod adapt;
mod annotate;
mod annotate_browser;
mod bad_data;
mod bad_input;
mod bad_model;
mod browser;
mod cv_eval_cuts;
mod eval_inspect;
mod explain;
mod honest_report;
mod hostile;
mod inputs;
mod interrupt;
mod languages;
mod linfa_agreement;
mod masking;
mod neutral;
mod one_reader;
mod output;
mod paper_cuts;
mod presets;
mod properties;
mod report;
mod sample;
mod score;
mod seeds;
mod spelling;
mod streaming;
mod swaps;
mod tables;
mod train;
mod validation;
