//! Atomic file output: write to a temporary file beside the target, then rename over it, so a
//! reader (or a crash) never sees half a model file and the previous file survives any failure.
//!
//! The temporary file is created up front, so an unwritable destination fails before any
//! expensive work (as fastText opens its output before training).
//!
//! A signal ends a process without running destructors, so every temporary file is also kept in
//! a process-wide list: a signal handler sets [`interrupt_flag`] and calls [`abandon_pending`],
//! which removes them all and stops any later commit. Catching the signals is the binary's job,
//! not this module's.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::StanceError;

/// Set once the process is being interrupted; from then on no file is created or committed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The temporary files of every [`AtomicFile`] not yet committed or dropped. Creating,
/// committing and abandoning hold this lock, so a commit either renames before an interrupt
/// takes effect or not at all.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while holding the lock leaves the list itself intact.
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The flag that stops every later create and commit once set. Storing `true` into it is
/// async-signal-safe, so a signal handler can set it the moment a signal arrives, before any
/// thread gets to run [`abandon_pending`].
pub fn interrupt_flag() -> &'static AtomicBool {
    &INTERRUPTED
}

/// Sets [`interrupt_flag`] and removes the temporary file of every pending [`AtomicFile`], so
/// that the process can exit leaving each target as it was. Meant for a signal-handling thread
/// just before the process ends.
pub fn abandon_pending() {
    INTERRUPTED.store(true, Ordering::SeqCst);
    for temp in pending().drain(..) {
        let _ = std::fs::remove_file(temp);
    }
}

fn interrupted(target: &Path) -> StanceError {
    StanceError::Interrupted {
        path: target.to_path_buf(),
    }
}

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
        let mut pending = pending();
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(interrupted(target));
        }
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
        pending.push(temp.clone());
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
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(io);
        drop(file);
        // The lock keeps `abandon_pending` out until the rename is done or refused.
        let mut pending = pending();
        pending.retain(|p| *p != self.temp);
        let result = written
            .and_then(|()| {
                if INTERRUPTED.load(Ordering::SeqCst) {
                    Err(interrupted(&self.target))
                } else {
                    Ok(())
                }
            })
            .and_then(|()| std::fs::rename(&self.temp, &self.target).map_err(io));
        if result.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        result
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let mut pending = pending();
            pending.retain(|p| *p != self.temp);
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
