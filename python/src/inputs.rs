//! Python sequences in, Rust strings out, with the CLI's rules for bad input: a text that is
//! empty or only whitespace is refused (as `stance score` refuses such a record), and every
//! error names the argument and the position.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// Every item of `values` (a list, tuple, NumPy array, pandas Series, or any iterable) as a
/// string. A lone `str` is refused: iterating it would score each character.
pub fn strings(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if values.is_instance_of::<PyString>() {
        return Err(PyValueError::new_err(format!(
            "{name} must be a sequence of str, not one str (wrap it in a list)"
        )));
    }
    let iter = values.try_iter().map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be a sequence of str, got {}",
            type_name(values)
        ))
    })?;
    let mut out = Vec::with_capacity(values.len().unwrap_or(0));
    for (i, item) in iter.enumerate() {
        let item = item?;
        match item.downcast::<PyString>() {
            Ok(s) => out.push(s.to_cow()?.into_owned()),
            Err(_) => {
                return Err(PyValueError::new_err(format!(
                    "{name}[{i}] must be str, got {}",
                    type_name(&item)
                )))
            }
        }
    }
    Ok(out)
}

/// [`strings`], each also required to hold some text.
pub fn texts(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let texts = strings(name, values)?;
    if let Some(i) = texts.iter().position(|t| t.trim().is_empty()) {
        return Err(PyValueError::new_err(format!(
            "{name}[{i}]: the text is empty or only whitespace"
        )));
    }
    Ok(texts)
}

/// An optional column of strings, which must have `n` items; `None` for Python's `None`.
pub fn column(
    name: &str,
    values: Option<&Bound<'_, PyAny>>,
    n: usize,
) -> PyResult<Option<Vec<String>>> {
    let Some(values) = values.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let column = strings(name, values)?;
    if column.len() != n {
        return Err(PyValueError::new_err(format!(
            "{name} has {} items but there are {n} texts",
            column.len()
        )));
    }
    Ok(Some(column))
}

/// The Python type name of `value`, for messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}
