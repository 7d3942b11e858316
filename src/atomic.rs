//! Atomic file output: write to a temporary file beside the target, then rename over it, so a
//! reader (or a crash) never sees half a model file and the previous file survives any failure.
//!
//! The temporary file is created up front, so an unwritable destination fails before any
//! expensive work (as fastText opens its output before training).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::StanceError;

/// A pending output file; nothing replaces the target until [`AtomicFile::commit`].
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    /// Creates the temporary file next to `target`, failing now if the directory is not
    /// writable or `target` is a directory.
    pub fn create(target: &Path) -> Result<Self, StanceError> {
        if target.is_dir() {
            return Err(StanceError::IsDirectory {
                path: target.to_path_buf(),
            });
        }
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".to_string());
        let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    // A stale file from a killed run with the same pid: ours to replace.
                    File::create(&temp)
                } else {
                    Err(e)
                }
            })
            .map_err(|e| StanceError::io(target, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(file),
        })
    }

    /// The path that will be replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes `bytes`, flushes them to disk and renames the temporary file over the target.
    pub fn commit(mut self, bytes: &[u8]) -> Result<(), StanceError> {
        let mut file = self.file.take().ok_or_else(|| {
            StanceError::io(&self.target, std::io::Error::other("already committed"))
        })?;
        let io = |e| StanceError::io(&self.target, e);
        file.write_all(bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&self.temp, &self.target).map_err(io)?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.json");
        std::fs::write(&target, b"old").unwrap();
        {
            let _pending = AtomicFile::create(&target).unwrap();
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        AtomicFile::create(&target).unwrap().commit(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_destination_fails_early() {
        assert!(AtomicFile::create(Path::new("/nonexistent-dir/m.json")).is_err());
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            AtomicFile::create(dir.path()),
            Err(StanceError::IsDirectory { .. })
        ));
    }
}
