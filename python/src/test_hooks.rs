//! A hook for the test that a panic becomes a `RuntimeError` and does not abort the
//! interpreter. Compiled only with the `test-hooks` feature, which the test build turns on
//! (.ci/run); the wheel users install does not have it.

use pyo3::prelude::*;

use crate::errors::detached;

/// Panics on a worker thread of a batch.
#[pyfunction]
#[pyo3(name = "_panic_for_test")]
pub fn panic_for_test(py: Python<'_>, message: String) -> PyResult<()> {
    detached(py, Some(2), move || {
        use rayon::prelude::*;
        (0..4).into_par_iter().for_each(|i| {
            if i == 3 {
                panic!("{message}");
            }
        });
    })
}
