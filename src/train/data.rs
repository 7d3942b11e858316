//! The training data as files: each `--data` path's SHA-256, which the model records so that
//! `stance eval` can tell when it is given the model's own training data, and the line each
//! record starts on, for messages that point at one document.
//!
//! Reading documents is [`crate::io::corpus`]'s job; this module only looks at the same files
//! again, byte for byte (digests) or record by record (lines).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::StanceError;
use crate::io::corpus::{FieldNames, Format, JsonLines};
use crate::model::fitted::{DataFile, DataKind};

/// Hex of a finished SHA-256.
fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds a file's bytes to `h`; returns how many there were.
fn hash_file(path: &Path, h: &mut Sha256) -> Result<u64, StanceError> {
    let mut file = BufReader::new(File::open(path).map_err(|e| StanceError::io(path, e))?);
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| StanceError::io(path, e))?;
        if n == 0 {
            return Ok(total);
        }
        h.update(&buf[..n]);
        total += n as u64;
    }
}

/// The `.txt` files a label-per-subfolder corpus is read from, in the order they are read,
/// with their paths relative to `dir`.
fn folder_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, StanceError> {
    let sorted = |p: &Path| -> Result<Vec<PathBuf>, StanceError> {
        let mut v = std::fs::read_dir(p)
            .map_err(|e| StanceError::io(p, e))?
            .map(|e| e.map(|e| e.path()).map_err(|err| StanceError::io(p, err)))
            .collect::<Result<Vec<_>, _>>()?;
        v.sort();
        Ok(v)
    };
    let metadata = |p: &Path| std::fs::metadata(p).map_err(|e| StanceError::io(p, e));
    let mut files = Vec::new();
    for sub in sorted(dir)? {
        if !metadata(&sub)?.is_dir() {
            continue;
        }
        for file in sorted(&sub)? {
            if file.extension().and_then(|e| e.to_str()) != Some("txt")
                || !metadata(&file)?.is_file()
            {
                continue;
            }
            let rel = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, file));
        }
    }
    Ok(files)
}

/// The SHA-256 of one `--data` path. A file's is the SHA-256 of its bytes (what `sha256sum`
/// prints). A label-per-subfolder corpus has no bytes of its own, so its digest is the SHA-256
/// over each `.txt` file read, in reading order, as its path relative to the folder
/// (`label/name.txt`) and its bytes, each preceded by its length as a little-endian `u64`:
/// renaming, relabelling, adding or editing a file changes it, and moving the folder does not.
pub fn digest(path: &Path) -> Result<DataFile, StanceError> {
    let mut h = Sha256::new();
    if Format::of(path) == Format::Folder {
        let mut bytes = 0;
        let files = folder_files(path)?;
        for (rel, file) in &files {
            h.update((rel.len() as u64).to_le_bytes());
            h.update(rel.as_bytes());
            let len = std::fs::metadata(file)
                .map_err(|e| StanceError::io(file, e))?
                .len();
            h.update(len.to_le_bytes());
            let read = hash_file(file, &mut h)?;
            if read != len {
                return Err(StanceError::Input {
                    path: file.clone(),
                    message: "the file changed while it was being read".into(),
                });
            }
            bytes += read;
        }
        return Ok(DataFile {
            kind: DataKind::Folder,
            sha256: hex(h),
            bytes,
            files: Some(files.len()),
        });
    }
    let bytes = hash_file(path, &mut h)?;
    Ok(DataFile {
        kind: DataKind::File,
        sha256: hex(h),
        bytes,
        files: None,
    })
}

/// The 1-based line each record of a JSON Lines, CSV or TSV file starts on, in reading order;
/// `None` for a folder or a plain-text file, or when the file cannot be read again as it was
/// the first time (the caller then names the record by its number instead).
pub fn record_lines(path: &Path, fields: &FieldNames) -> Option<Vec<usize>> {
    match Format::of(path) {
        Format::JsonLines => {
            let mut reader = JsonLines::open(path, fields, false).ok()?;
            let mut lines = Vec::new();
            while let Some(record) = reader.next() {
                record.ok()?;
                lines.push(reader.line());
            }
            Some(lines)
        }
        format @ (Format::Csv | Format::Tsv) => {
            let tab = format == Format::Tsv;
            let bytes = std::fs::read(path).ok()?;
            // As the corpus reader reads it: TSV has no quoting.
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(if tab { b'\t' } else { b',' })
                .quoting(!tab)
                .from_reader(bytes.as_slice());
            // The csv crate's own line numbers are one short after a CRLF line end (a record
            // is taken to start at the `\n` of the `\r\n` before it), so lines are counted
            // here from each record's byte offset, past the line ends it starts on.
            let (mut lines, mut line, mut at) = (Vec::new(), 1, 0);
            for record in reader.records() {
                let mut start = record.ok()?.position()?.byte() as usize;
                while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                line += bytes
                    .get(at..start)?
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                at = start;
                lines.push(line);
            }
            Some(lines)
        }
        Format::Folder | Format::Text => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_digest_is_the_sha256_of_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, b"abc").unwrap();
        let d = digest(&path).unwrap();
        // SHA-256("abc"), FIPS 180-2's first example.
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((d.kind, d.bytes, d.files), (DataKind::File, 3, None));
    }

    #[test]
    fn a_folder_digest_follows_names_and_contents_not_the_folder_path() {
        let make = |root: &Path, name: &str, text: &str| {
            let dir = root.join("pro");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), text).unwrap();
            std::fs::write(root.join("README.md"), "not read").unwrap();
            digest(root).unwrap()
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = make(a.path(), "x.txt", "one text");
        assert_eq!(first, make(b.path(), "x.txt", "one text"));
        assert_eq!(
            (first.kind, first.files, first.bytes),
            (DataKind::Folder, Some(1), 8)
        );
        let c = tempfile::tempdir().unwrap();
        assert_ne!(first.sha256, make(c.path(), "y.txt", "one text").sha256);
        let d = tempfile::tempdir().unwrap();
        assert_ne!(first.sha256, make(d.path(), "x.txt", "one text!").sha256);
    }

    #[test]
    fn record_lines_skip_blank_lines_and_follow_quoted_newlines() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(&jsonl, "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n").unwrap();
        assert_eq!(
            record_lines(&jsonl, &FieldNames::default()),
            Some(vec![1, 3])
        );
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "label,text\nx,\"two\nlines\"\ny,one\n").unwrap();
        assert_eq!(record_lines(&csv, &FieldNames::default()), Some(vec![2, 4]));
        std::fs::write(&csv, "label,text\r\nx,\"two\r\nlines\"\r\n\r\ny,one\r\n").unwrap();
        assert_eq!(record_lines(&csv, &FieldNames::default()), Some(vec![2, 5]));
    }
}
