//! How the library's errors and panics reach Python, and how batch work leaves the GIL.
//!
//! File problems become `OSError` (its `FileNotFoundError` and `PermissionError` subclasses where
//! the I/O error says so), everything else a user can cause becomes `ValueError`, always with
//! the library's own message. A Rust panic would be a bug; it still must not abort the
//! interpreter or escape as PyO3's `PanicException` (a `BaseException`, which `except Exception`
//! does not catch), so [`detached`] turns it into a `RuntimeError`.

use std::io::ErrorKind;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::{
    PyFileNotFoundError, PyOSError, PyPermissionError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;

use stance::StanceError;

/// The Python exception for a library error.
pub fn to_py(error: StanceError) -> PyErr {
    let message = error.to_string();
    match &error {
        StanceError::Io { error: io, .. } => match io.kind() {
            ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
            ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
            _ => PyOSError::new_err(message),
        },
        StanceError::IsDirectory { .. }
        | StanceError::Interrupted { .. }
        | StanceError::NotRegularFile { .. }
        | StanceError::ModelTooLarge { .. }
        | StanceError::SamePath { .. } => PyOSError::new_err(message),
        _ => PyValueError::new_err(message),
    }
}

/// Runs `work` without the GIL, on a pool of `threads` threads (rayon's global pool, one
/// thread per core, when `None`), and turns a panic into a `RuntimeError`.
pub fn detached<T, F>(py: Python<'_>, threads: Option<i64>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    // A negative count is a ValueError, not the OverflowError of an unsigned parameter.
    let threads = threads
        .map(|n| stance::features::check_threads(i128::from(n)))
        .transpose()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let pool = match threads {
        None => None,
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PyRuntimeError::new_err(format!("starting {n} threads: {e}")))?,
        ),
    };
    let result = py.allow_threads(move || {
        catch_unwind(AssertUnwindSafe(move || match &pool {
            Some(pool) => pool.install(work),
            None => work(),
        }))
    });
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        PyRuntimeError::new_err(format!(
            "internal error in stance (a bug, please report it): {what}"
        ))
    })
}
