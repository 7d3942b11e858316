//! Writing an output: the one helper every output path goes through ([`Output`]).
//!
//! A regular file is written atomically: to a temporary file beside the target, then renamed
//! over it, so a reader (or a crash) never sees half a file and the previous file survives any
//! failure. Every temporary name is unique in the process (pid, a counter and a random part), so
//! two outputs of one run never share one.
//!
//! The other kinds of path are handled on purpose rather than replaced:
//! - `-`, `/dev/stdout`, `/dev/fd/1` and `/proc/self/fd/1` mean stdout, written through the
//!   caller's writer, so that the order with the rest of standard output is kept;
//! - a symlink is followed: the file it points to is replaced, in that file's directory, and the
//!   link stays a link;
//! - a character device, FIFO or socket (`/dev/null`, a named pipe, `/dev/stderr`) is opened
//!   and written through, never removed.
//!
//! [`check_distinct`] refuses a run whose outputs share a file with each other or with an input.
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::error::StanceError;

/// Set once the process is being interrupted; from then on no file is created or committed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Numbers the temporary files of this process, so that no two share a name.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many symlinks are followed before a path is refused as a loop (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

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
    /// writable or `target` is a directory. `target` is replaced as it is: a symlink or a device
    /// there is replaced too, so outputs named by a user go through [`Output::create`].
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
            .unwrap_or_else(|| "output".to_string());
        let mut pending = pending();
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(interrupted(target));
        }
        let (temp, file) = create_temp(&dir, &name).map_err(|e| StanceError::io(target, e))?;
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

/// Creates a new temporary file in `dir` under a name no other output of this process (or,
/// with the random part, of a killed earlier one with the same pid) uses.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..8 {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(
            ".{name}.tmp-{}-{n}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Where an output path leads, after following symlinks.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    Stdout,
    /// A device, FIFO or socket: opened and written through.
    Through(PathBuf),
    /// A regular file, or none yet: replaced atomically.
    Replace(PathBuf),
}

/// Whether `path` names standard output itself rather than a file.
fn is_stdout_name(path: &Path) -> bool {
    path == Path::new("-")
        || ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
            .iter()
            .any(|p| path == Path::new(p))
}

/// Whether `path` names one of the process's own descriptors, which are written through even
/// when they lead to a regular file: replacing that file would cut it off from the descriptor.
fn is_descriptor_name(path: &Path) -> bool {
    path == Path::new("/dev/stderr")
        || path.starts_with("/dev/fd")
        || path.starts_with("/proc/self/fd")
}

/// Follows `path` through its symlinks to what an output there should do.
fn resolve(path: &Path) -> Result<Destination, StanceError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        if is_stdout_name(&current) {
            return Ok(Destination::Stdout);
        }
        if is_descriptor_name(&current) {
            return Ok(Destination::Through(current));
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::Replace(current))
            }
            Err(e) => return Err(StanceError::io(path, e)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current).map_err(|e| StanceError::io(path, e))?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
        } else if kind.is_dir() {
            return Err(StanceError::IsDirectory {
                path: path.to_path_buf(),
            });
        } else if kind.is_file() {
            return Ok(Destination::Replace(current));
        } else {
            return Ok(Destination::Through(current));
        }
    }
    Err(StanceError::io(
        path,
        std::io::Error::other(format!("more than {MAX_SYMLINKS} levels of symlinks")),
    ))
}

/// What makes two paths the same file: the device and inode of an existing file, or the
/// canonical path of one not yet made.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Stdout,
    Inode(u64, u64),
    Path(PathBuf),
}

/// The identity of an existing file at `path` (symlinks followed), if there is one.
fn inode(path: &Path) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| Identity::Inode(m.dev(), m.ino()))
}

/// The identity of a file to be replaced: its inode if it exists, else its canonical path (the
/// canonical directory joined with its name).
fn replaced_identity(path: &Path) -> Option<Identity> {
    inode(path).or_else(|| {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = std::fs::canonicalize(dir).ok()?;
        Some(Identity::Path(dir.join(path.file_name()?)))
    })
}

enum Sink {
    Stdout,
    Through(File),
    Atomic(AtomicFile),
}

/// An output named by a user, opened before any work: see the module documentation for what
/// each kind of path does. Nothing reaches the destination until [`Output::commit`].
pub struct Output {
    shown: PathBuf,
    sink: Sink,
    identity: Option<Identity>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output").field("path", &self.shown).finish()
    }
}

impl Output {
    /// Opens the output at `path`: a temporary file beside the file a regular path leads to, or
    /// the device itself. Fails now if it cannot be written.
    pub fn create(path: &Path) -> Result<Self, StanceError> {
        let (sink, identity) = match resolve(path)? {
            Destination::Stdout => (Sink::Stdout, Some(Identity::Stdout)),
            Destination::Through(device) => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(&device)
                    .map_err(|e| StanceError::io(path, e))?;
                // Writing twice to /dev/null is no clash; only a regular file can be garbled.
                (Sink::Through(file), None)
            }
            Destination::Replace(target) => {
                let identity = replaced_identity(&target);
                (Sink::Atomic(AtomicFile::create(&target)?), identity)
            }
        };
        Ok(Output {
            shown: path.to_path_buf(),
            sink,
            identity,
        })
    }

    /// The path as the user gave it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Whether the output goes to standard output.
    pub fn is_stdout(&self) -> bool {
        matches!(self.sink, Sink::Stdout)
    }

    /// Writes `bytes` to the destination: into `stdout` for standard output, straight into a
    /// device, or atomically over a file.
    pub fn commit(self, bytes: &[u8], stdout: &mut dyn Write) -> Result<(), StanceError> {
        let io = |e| StanceError::io(&self.shown, e);
        match self.sink {
            Sink::Stdout => stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(io),
            Sink::Through(mut file) => file
                .write_all(bytes)
                .and_then(|()| file.flush())
                .map_err(io),
            Sink::Atomic(file) => file.commit(bytes),
        }
    }
}

/// Refuses outputs that share a file with each other or with an input: `report in.jsonl
/// --html in.jsonl` would replace its own input, and two outputs on one path would leave only
/// the last. `outputs` pairs each output with the option that named it; `-` among the inputs
/// is standard input, which no output can be.
pub fn check_distinct(inputs: &[PathBuf], outputs: &[(&str, &Output)]) -> Result<(), StanceError> {
    let mut seen: Vec<(String, Identity)> = Vec::new();
    for input in inputs.iter().filter(|p| *p != Path::new("-")) {
        if let Some(id) = inode(input) {
            seen.push((format!("an input ({})", input.display()), id));
        }
    }
    for (option, output) in outputs {
        let Some(id) = &output.identity else { continue };
        if let Some((first, _)) = seen.iter().find(|(_, other)| other == id) {
            return Err(StanceError::SamePath {
                path: output.shown.clone(),
                first: first.clone(),
                second: format!("the {option} output"),
            });
        }
        seen.push((format!("the {option} output"), id.clone()));
    }
    Ok(())
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
    fn two_pending_files_for_one_target_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x");
        let a = AtomicFile::create(&target).unwrap();
        let b = AtomicFile::create(&target).unwrap();
        assert_ne!(a.temp, b.temp);
        b.commit(b"second").unwrap();
        a.commit(b"first").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn outputs_on_one_file_or_on_an_input_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, b"{}").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("in.jsonl", &link).unwrap();
        let out = Output::create(&link).unwrap();
        let err = check_distinct(std::slice::from_ref(&input), &[("--html", &out)]).unwrap_err();
        assert!(err.to_string().contains("is both an input"), "{err}");
        let a = Output::create(&dir.path().join("new")).unwrap();
        let b = Output::create(&dir.path().join(".").join("new")).unwrap();
        assert!(check_distinct(&[], &[("--csv", &a), ("--json", &b)]).is_err());
        let (x, y) = (
            Output::create(Path::new("-")).unwrap(),
            Output::create(Path::new("/dev/stdout")).unwrap(),
        );
        assert!(x.is_stdout() && y.is_stdout());
        assert!(check_distinct(&[], &[("--csv", &x), ("--json", &y)]).is_err());
        // Writing twice to a device is no clash.
        let (n1, n2) = (
            Output::create(Path::new("/dev/null")).unwrap(),
            Output::create(Path::new("/dev/null")).unwrap(),
        );
        assert!(check_distinct(&[], &[("--csv", &n1), ("--json", &n2)]).is_ok());
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
