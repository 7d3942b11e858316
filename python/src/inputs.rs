//! Python sequences in, Rust strings out, with the CLI's rules for bad input: a text that is
//! empty or only whitespace is refused (as `stance score` refuses such a record), and every
//! error names the argument and the item: by its position, or in a pandas Series by its index
//! label (and position), since that is how the caller finds it.

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
                    "{name}{} must be str, got {}",
                    item_at(values, i),
                    type_name(&item)
                )))
            }
        }
    }
    Ok(out)
}

/// How an item is named in a message: `[3]` by position, or in a pandas Series `['b']
/// (position 3)` by its index label.
pub fn item_at(values: &Bound<'_, PyAny>, i: usize) -> String {
    let label = values
        .hasattr("iloc")
        .ok()
        .filter(|&series| series)
        .and_then(|_| values.getattr("index").ok())
        .and_then(|index| index.get_item(i).ok())
        // A str label quoted ('b'), any other as `str` gives it (9, not np.int64(9)).
        .and_then(|label| {
            let shown = if label.is_instance_of::<PyString>() {
                label.repr()
            } else {
                label.str()
            };
            shown.ok().map(|s| s.to_string())
        });
    match label {
        Some(label) => format!("[{label}] (position {i})"),
        None => format!("[{i}]"),
    }
}

/// Any hashable values (a pandas index of integers, say), each converted with `str`, as ids,
/// groups or labels; `None`, NaN and unhashable values are refused by their position. With
/// `n`, there must be that many.
pub fn hashable_strings(
    name: &str,
    values: Option<&Bound<'_, PyAny>>,
    n: Option<usize>,
) -> PyResult<Option<Vec<String>>> {
    let Some(values) = values.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if values.is_instance_of::<PyString>() {
        return Err(PyValueError::new_err(format!(
            "{name} must be a sequence, not one str (wrap it in a list)"
        )));
    }
    let iter = values.try_iter().map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be a sequence, got {}",
            type_name(values)
        ))
    })?;
    let mut out = Vec::with_capacity(n.unwrap_or(0));
    for (i, item) in iter.enumerate() {
        let item = item?;
        let nan = item.extract::<f64>().is_ok_and(f64::is_nan);
        if item.is_none() || nan || item.hash().is_err() {
            return Err(PyValueError::new_err(format!(
                "{name}{} must be a hashable value that is not None or NaN, got {}",
                item_at(values, i),
                item.repr()
                    .map_or_else(|_| type_name(&item), |r| r.to_string())
            )));
        }
        out.push(item.str()?.to_cow()?.into_owned());
    }
    if let Some(n) = n.filter(|&n| n != out.len()) {
        return Err(PyValueError::new_err(format!(
            "{name} has {} items but there are {n} texts",
            out.len()
        )));
    }
    Ok(Some(out))
}

/// [`strings`], each also required to hold some text.
pub fn texts(name: &str, values: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let texts = strings(name, values)?;
    if let Some(i) = texts.iter().position(|t| t.trim().is_empty()) {
        return Err(PyValueError::new_err(format!(
            "{name}{}: the text is empty or only whitespace",
            item_at(values, i)
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
