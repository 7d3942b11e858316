//! The native half of the `stance` Python package (`stance._stance`): PyO3 bindings over the
//! Rust library, which stays the one implementation. This crate converts Python values in and
//! out, releases the GIL around every batch, and maps the library's errors to Python's.
//!
//! What a record looks like is not decided here: scores and explanations are the library's
//! `ScoredRecord` and `ExplanationRecord`, the structs the CLI writes, so `model.score()` gives
//! the dicts of `stance score --format jsonl` and `model.explain()` the dict of
//! `stance explain --format json`. `stance.train` fills the library's `TrainOverrides` from its
//! keyword arguments, as `stance train` does from its options.

mod adapt;
mod errors;
mod folds;
mod inputs;
mod model;
mod report;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod training;

use pyo3::prelude::*;

#[pymodule]
fn _stance(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<model::PyModel>()?;
    m.add_function(wrap_pyfunction!(training::train, m)?)?;
    m.add_function(wrap_pyfunction!(adapt::adapt, m)?)?;
    m.add_function(wrap_pyfunction!(adapt::sample, m)?)?;
    m.add_function(wrap_pyfunction!(training::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(report::validate, m)?)?;
    m.add_function(wrap_pyfunction!(folds::fold_plan, m)?)?;
    #[cfg(feature = "test-hooks")]
    m.add_function(wrap_pyfunction!(test_hooks::panic_for_test, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
