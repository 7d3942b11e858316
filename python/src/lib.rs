//! The native half of the `stance` Python package (`stance._stance`): PyO3 bindings over the
//! Rust library, which stays the one implementation. This crate converts Python values in and
//! out, releases the GIL around every batch, and maps the library's errors to Python's.
//!
//! What a record looks like is not decided here: scores and explanations are the library's
//! `ScoredRecord` and `ExplanationRecord`, the structs the CLI writes, so `model.score()` gives
//! the dicts of `stance score --format jsonl` and `model.explain()` the dict of
//! `stance explain --format json`. `stance.train(**params)` takes `stance train`'s options with
//! their defaults and checks, parsed by the CLI's own option parser (compiled in below).

mod errors;
mod folds;
mod inputs;
mod model;
mod training;

use pyo3::prelude::*;

// Modules of the `stance` binary's source compiled into this crate, unchanged, so that the
// option names, defaults and JSON shapes are the CLI's by construction and not a copy. They
// use only the library's public API (`stance::...`); the binary's other modules are not here.
// Not every item of theirs is used here, hence `dead_code`.
#[allow(dead_code)]
#[path = "../../src/cli/html.rs"]
mod cli_html;
#[allow(dead_code)]
#[path = "../../src/cli/options.rs"]
mod cli_options;

#[pymodule]
fn _stance(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::PyModel>()?;
    m.add_function(wrap_pyfunction!(training::train, m)?)?;
    m.add_function(wrap_pyfunction!(training::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(training::train_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(folds::fold_plan, m)?)?;
    m.add_function(wrap_pyfunction!(errors::panic_for_test, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
