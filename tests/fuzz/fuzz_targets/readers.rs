//! Fuzz target: the input readers of `stance::io::corpus` on arbitrary bytes.
//!
//! The same bytes go to the streaming JSON Lines reader (from memory, with and without required
//! labels), to the whole-text decoder, and, through a file because the delimited readers take a
//! path, to the training reader as `.jsonl`, `.csv` and `.tsv`. Besides "no panic" it asserts
//! what the readers promise: errors name a line that exists, the UTF-8 error names the line of
//! the first bad byte, and training documents always carry a trimmed, non-empty label.

#![no_main]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::io::corpus::{read_labelled, text_from_bytes, Document, FieldNames, JsonLines};
use stance::StanceError;

/// Where the path-based readers get their input: a RAM-backed directory when there is one,
/// because writing a small file to disk costs milliseconds here and would set the pace.
fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        }
    })
}

/// The 1-based line an error names, if it names one.
fn error_line(e: &StanceError) -> Option<usize> {
    match e {
        StanceError::NotUtf8 { line, .. }
        | StanceError::Json { line, .. }
        | StanceError::MissingField { line, .. }
        | StanceError::Csv { line, .. } => Some(*line),
        _ => None,
    }
}

fn check_error(e: &StanceError, lines: usize) {
    // Display must not panic either: it is what the user sees.
    let _ = e.to_string();
    if let Some(line) = error_line(e) {
        // CSV reports 0 when it knows no position; anything past the end is wrong.
        assert!(line <= lines + 1, "error names line {line} of {lines}: {e}");
    }
}

fn check_labelled(docs: &[Document]) {
    assert!(
        !docs.is_empty(),
        "a training source read as empty without an error"
    );
    for d in docs {
        let label = d.label.as_deref().unwrap_or("");
        assert!(!label.is_empty(), "a training document without a label");
        assert_eq!(label, label.trim(), "an untrimmed label");
    }
}

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let fields = FieldNames::default();

    for need_label in [false, true] {
        let mut reader = JsonLines::new(
            Path::new("fuzz.jsonl"),
            Cursor::new(data),
            &fields,
            need_label,
        );
        let mut items = 0;
        for record in reader.by_ref() {
            items += 1;
            // One item per non-blank line, or the single empty-file error.
            assert!(items <= lines, "{items} items from {lines} lines");
            match record {
                Ok(doc) if need_label => check_labelled(std::slice::from_ref(&doc)),
                Ok(_) => {}
                Err(e) => check_error(&e, lines),
            }
        }
        assert!(reader.line() <= lines);
    }

    match text_from_bytes(Path::new("fuzz.txt"), data.to_vec()) {
        Ok(text) => {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            assert_eq!(text.as_bytes(), body);
        }
        Err(StanceError::NotUtf8 { line, .. }) => {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            let valid = match std::str::from_utf8(body) {
                Ok(_) => panic!("valid UTF-8 refused"),
                Err(e) => e.valid_up_to(),
            };
            let expected = 1 + body[..valid].iter().filter(|&&b| b == b'\n').count();
            assert_eq!(line, expected, "the UTF-8 error names the wrong line");
        }
        Err(e) => panic!("unexpected error from text_from_bytes: {e}"),
    }

    for ext in ["jsonl", "csv", "tsv"] {
        // One file per process and format, removed after each run so that none is left behind.
        let path = scratch_dir().join(format!("stance-fuzz-{}.{ext}", std::process::id()));
        std::fs::write(&path, data).expect("the scratch file can be written");
        let read = read_labelled(&path, &fields);
        let _ = std::fs::remove_file(&path);
        match read {
            Ok(docs) => check_labelled(&docs),
            Err(e) => check_error(&e, lines),
        }
    }
});
