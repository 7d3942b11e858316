//! The label log: an append-only JSON Lines file of answers, the only state `stance annotate`
//! keeps.
//!
//! Each line is one [`LogRecord`]: a label, a skip, or an undo of the annotator's last answer.
//! Nothing is ever rewritten: undo appends a record. Answers reach the disk through one writer
//! thread that appends every answer waiting, then `fsync`s once (group commit), and only then
//! acknowledges them; so a label the server acknowledged survives `kill -9` and a power cut,
//! and many clients cost one `fsync` per batch, not one each. The file is locked (advisory)
//! while a batch is written, so two servers on one file never interleave inside a line.
//!
//! Opening the log replays it. A last line without its newline can only be a batch that was
//! being written when the process died, which was never acknowledged: it is reported, copied
//! to `<log>.torn` and cut off, so that the next append starts on a line of its own. Any other
//! line that is not a record is an error naming the line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Why the log could not be read or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A complete line that is not a record this build wrote.
    #[error("{path}:{line}: not a label record: {message}")]
    BadRecord {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}: not a regular file")]
    NotAFile(PathBuf),
    /// A log whose answers cannot be read as one label per text.
    #[error("{path}: {message}")]
    Unusable { path: PathBuf, message: String },
}

impl LogError {
    fn io(path: &Path, error: std::io::Error) -> Self {
        LogError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The text was given a label.
    Label,
    /// The annotator passed over the text; it is not shown to them again.
    Skip,
    /// The annotator's last answer (label or skip) was taken back.
    Undo,
}

/// One line of the label log, field order as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub id: String,
    /// The label given; absent for skips and undos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub action: Action,
    pub annotator: String,
    /// When the server received the answer, RFC 3339 in UTC.
    pub time: String,
    /// The model the text was queued and shown with (`default sha256:…`, `adapted-2 sha256:…`).
    pub model: String,
    /// The labelled text, on label records only, so that the log is training data by itself
    /// (`stance adapt --data LABELS.jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A last line cut off by a crash, found and removed when the log was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornLine {
    /// Its line number.
    pub line: usize,
    /// Its length in bytes.
    pub bytes: usize,
    /// Where its bytes were kept.
    pub kept_in: PathBuf,
}

/// The answers of one annotator that stand: given and not undone. Counts are kept as answers
/// arrive, so a server asked for progress after every label does not recount the log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Standing {
    /// The ids of the standing answers, oldest first (an id answered twice is here twice).
    order: Vec<String>,
    /// Each id's standing answers, oldest first; the last is the one that counts.
    by_id: HashMap<String, Vec<(Action, Option<String>)>>,
    /// Ids whose answer that counts is each label.
    counts: BTreeMap<String, usize>,
    skips: usize,
}

impl Standing {
    fn count(&mut self, answer: Option<&(Action, Option<String>)>, by: isize) {
        match answer {
            Some((Action::Label, Some(label))) => {
                let n = self.counts.entry(label.clone()).or_default();
                *n = n.saturating_add_signed(by);
            }
            Some((Action::Skip, _)) => self.skips = self.skips.saturating_add_signed(by),
            _ => {}
        }
    }

    /// Applies one record of this annotator.
    pub fn apply(&mut self, record: &LogRecord) {
        let id = &record.id;
        match record.action {
            Action::Undo => {
                // The undo names the answer it takes back: the newest answer for that id.
                let Some(pos) = self.order.iter().rposition(|x| x == id) else {
                    return;
                };
                self.order.remove(pos);
                let Some(stack) = self.by_id.get_mut(id) else {
                    return;
                };
                let old = stack.pop();
                let now = stack.last().cloned();
                if stack.is_empty() {
                    self.by_id.remove(id);
                }
                self.count(old.as_ref(), -1);
                self.count(now.as_ref(), 1);
            }
            action => {
                let answer = (action, record.label.clone());
                let old = self.by_id.get(id).and_then(|s| s.last()).cloned();
                self.count(old.as_ref(), -1);
                self.count(Some(&answer), 1);
                self.by_id.entry(id.clone()).or_default().push(answer);
                self.order.push(id.clone());
            }
        }
    }

    /// The newest standing answer: what an undo would take back.
    pub fn last(&self) -> Option<(&str, Action)> {
        let id = self.order.last()?;
        let action = self.by_id.get(id)?.last()?.0;
        Some((id.as_str(), action))
    }

    /// Ids answered (labelled or skipped) and not undone.
    pub fn answered(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// Each labelled id's label (the newest, for an id labelled twice), in order of first
    /// answer.
    pub fn labels(&self) -> Vec<(&str, &str)> {
        let mut seen = HashSet::new();
        self.order
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| match self.by_id.get(id)?.last()? {
                (Action::Label, Some(label)) => Some((id.as_str(), label.as_str())),
                _ => None,
            })
            .collect()
    }

    /// How many ids stand labelled.
    pub fn labelled(&self) -> usize {
        self.counts.values().sum()
    }

    /// How many ids stand labelled with `label`.
    pub fn count_of(&self, label: &str) -> usize {
        self.counts.get(label).copied().unwrap_or(0)
    }

    /// Standing skips.
    pub fn skips(&self) -> usize {
        self.skips
    }
}

/// The log as read from disk.
#[derive(Debug, Default)]
pub struct Replay {
    /// Every record, in file order, with its line number.
    pub records: Vec<(usize, LogRecord)>,
    /// A torn last line that was removed.
    pub torn: Option<TornLine>,
}

impl Replay {
    /// The standing answers of `annotator`.
    pub fn standing(&self, annotator: &str) -> Standing {
        let mut s = Standing::default();
        for (_, r) in self
            .records
            .iter()
            .filter(|(_, r)| r.annotator == annotator)
        {
            s.apply(r);
        }
        s
    }

    /// Every annotator's standing answers, by name.
    pub fn by_annotator(&self) -> Vec<(String, Standing)> {
        let mut out: Vec<(String, Standing)> = Vec::new();
        for (_, r) in &self.records {
            match out.iter_mut().find(|(a, _)| *a == r.annotator) {
                Some((_, s)) => s.apply(r),
                None => {
                    let mut s = Standing::default();
                    s.apply(r);
                    out.push((r.annotator.clone(), s));
                }
            }
        }
        out
    }
}

/// Reads the log at `path` without changing it (for `report --agreement` and training):
/// a torn last line is an error here, since only the server may cut it off.
pub fn read_log(path: &Path) -> Result<Replay, LogError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| LogError::io(path, e))?;
    let complete = complete_prefix(&bytes);
    if complete < bytes.len() {
        return Err(LogError::BadRecord {
            path: path.to_path_buf(),
            line: count_lines(&bytes[..complete]) + 1,
            message: "the last line is cut off (the server was killed while writing it); \
                      start `stance annotate` on the file once to remove it"
                .into(),
        });
    }
    Ok(Replay {
        records: parse(path, &bytes)?,
        torn: None,
    })
}

/// Whether the JSON Lines file at `path` is a label log: its first record has `action` and
/// `annotator` keys. Training data and validation samples read a log as its standing labels.
pub fn is_label_log(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    let first = std::io::BufRead::lines(std::io::BufReader::new(file))
        .map_while(Result::ok)
        .find(|l| !l.trim().is_empty());
    first
        .and_then(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .is_some_and(|v| v.get("action").is_some() && v.get("annotator").is_some())
}

/// A label log's standing labels as documents (id, text, label), in order of first answer. An
/// id that annotators labelled differently is an error naming it: which label is right is a
/// decision for the user (`stance report --agreement` lists them all).
pub fn labelled_documents(path: &Path) -> Result<Vec<crate::io::corpus::Document>, LogError> {
    let replay = read_log(path)?;
    let mut texts: HashMap<&str, &str> = HashMap::new();
    for (_, r) in &replay.records {
        if let Some(t) = &r.text {
            texts.insert(&r.id, t);
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut labels: HashMap<String, (String, String)> = HashMap::new();
    for (annotator, standing) in replay.by_annotator() {
        for (id, label) in standing.labels() {
            match labels.get(id) {
                Some((other, by)) if other != label => {
                    return Err(LogError::Unusable {
                        path: path.to_path_buf(),
                        message: format!(
                            "id {id:?} is labelled {other:?} by {by} and {label:?} by {annotator}; \
                             settle it (stance report --agreement lists every such id)"
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    order.push(id.to_string());
                    labels.insert(id.to_string(), (label.to_string(), annotator.clone()));
                }
            }
        }
    }
    order
        .into_iter()
        .map(|id| {
            let text = texts
                .get(id.as_str())
                .map(|t| t.to_string())
                .ok_or_else(|| LogError::Unusable {
                    path: path.to_path_buf(),
                    message: format!("id {id:?} has a label but no label record with its text"),
                })?;
            let label = labels.remove(&id).map(|(l, _)| l);
            Ok(crate::io::corpus::Document {
                id: Some(id),
                title: None,
                source: None,
                date: None,
                label,
                text,
            })
        })
        .collect()
}

/// The length of the part of `bytes` that ends with a newline.
fn complete_prefix(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<(usize, LogRecord)>, LogError> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: LogRecord = serde_json::from_slice(line).map_err(|e| LogError::BadRecord {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        if record.action == Action::Label && record.label.is_none() {
            return Err(LogError::BadRecord {
                path: path.to_path_buf(),
                line: i + 1,
                message: "a label record without a label".into(),
            });
        }
        out.push((i + 1, record));
    }
    Ok(out)
}

/// An answer waiting for the writer, and where to say it is on disk.
struct Pending {
    line: Vec<u8>,
    ack: mpsc::SyncSender<Result<(), String>>,
}

/// The open log: appends go through one writer thread that batches and `fsync`s.
pub struct LabelLog {
    path: PathBuf,
    tx: Mutex<Option<mpsc::Sender<Pending>>>,
    failed: Arc<AtomicBool>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl LabelLog {
    /// Opens (creating) the log at `path`, replays it, and removes a torn last line (kept in
    /// `<path>.torn`).
    pub fn open(path: &Path) -> Result<(LabelLog, Replay), LogError> {
        let io = |e| LogError::io(path, e);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        if !file.metadata().map_err(io)?.is_file() {
            return Err(LogError::NotAFile(path.to_path_buf()));
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let complete = complete_prefix(&bytes);
        let mut torn = None;
        if complete < bytes.len() {
            let kept_in = PathBuf::from(format!("{}.torn", path.display()));
            let mut keep = OpenOptions::new()
                .append(true)
                .create(true)
                .open(&kept_in)
                .map_err(|e| LogError::io(&kept_in, e))?;
            keep.write_all(&bytes[complete..])
                .and_then(|()| keep.write_all(b"\n"))
                .and_then(|()| keep.sync_all())
                .map_err(|e| LogError::io(&kept_in, e))?;
            file.set_len(complete as u64).map_err(io)?;
            file.sync_all().map_err(io)?;
            torn = Some(TornLine {
                line: count_lines(&bytes[..complete]) + 1,
                bytes: bytes.len() - complete,
                kept_in,
            });
        }
        let records = parse(path, &bytes[..complete])?;
        file.seek(SeekFrom::End(0)).map_err(io)?;
        let (tx, rx) = mpsc::channel();
        let failed = Arc::new(AtomicBool::new(false));
        let writer = {
            let failed = Arc::clone(&failed);
            std::thread::Builder::new()
                .name("label-log".into())
                .spawn(move || write_batches(file, rx, &failed))
                .map_err(io)?
        };
        let log = LabelLog {
            path: path.to_path_buf(),
            tx: Mutex::new(Some(tx)),
            failed,
            writer: Mutex::new(Some(writer)),
        };
        Ok((log, Replay { records, torn }))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues `record` for the disk and returns what to wait on: `Ok` once the record is
    /// written and synced. Call this while holding the lock that orders answers, and wait
    /// after releasing it.
    pub fn append(&self, record: &LogRecord) -> mpsc::Receiver<Result<(), String>> {
        let (ack, done) = mpsc::sync_channel(1);
        if self.failed.load(Ordering::SeqCst) {
            let _ = ack.send(Err(
                "an earlier write to the label log failed; restart the server".into(),
            ));
            return done;
        }
        let mut line = match serde_json::to_vec(record) {
            Ok(line) => line,
            Err(e) => {
                let _ = ack.send(Err(e.to_string()));
                return done;
            }
        };
        line.push(b'\n');
        let sent = match self.tx.lock() {
            Ok(tx) => tx.as_ref().map(|tx| tx.send(Pending { line, ack })),
            Err(_) => None,
        };
        if !matches!(sent, Some(Ok(()))) {
            let (ack, done) = mpsc::sync_channel(1);
            let _ = ack.send(Err("the label log is closed".into()));
            return done;
        }
        done
    }

    /// Writes everything queued, then stops the writer.
    pub fn close(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        if let Some(handle) = self.writer.lock().ok().and_then(|mut w| w.take()) {
            let _ = handle.join();
        }
    }
}

impl Drop for LabelLog {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer thread: takes every answer waiting, appends them in one write under the file
/// lock, syncs, then acknowledges each.
fn write_batches(mut file: File, rx: mpsc::Receiver<Pending>, failed: &AtomicBool) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
            if batch.len() >= 4096 {
                break;
            }
        }
        let bytes: Vec<u8> = batch.iter().flat_map(|p| p.line.iter().copied()).collect();
        let result = if failed.load(Ordering::SeqCst) {
            Err("an earlier write to the label log failed; restart the server".to_string())
        } else {
            write_locked(&mut file, &bytes).map_err(|e| {
                failed.store(true, Ordering::SeqCst);
                format!("writing the label log: {e}")
            })
        };
        for p in batch {
            let _ = p.ack.send(result.clone());
        }
    }
}

fn write_locked(file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
    file.lock()?;
    let written = file.write_all(bytes).and_then(|()| file.sync_data());
    let unlocked = file.unlock();
    written.and(unlocked)
}

/// Now as RFC 3339 in UTC with milliseconds (`2026-12-07T21:03:04.123Z`).
pub fn now_rfc3339() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, action: Action, label: Option<&str>) -> LogRecord {
        LogRecord {
            id: id.into(),
            label: label.map(str::to_string),
            action,
            annotator: "a".into(),
            time: now_rfc3339(),
            model: "m".into(),
            text: label.map(|_| format!("text of {id}")),
        }
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_047), (2022, 2, 24));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn appends_are_acknowledged_after_they_are_on_disk_and_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.jsonl");
        let (log, replay) = LabelLog::open(&path).unwrap();
        assert!(replay.records.is_empty());
        for r in [
            record("1", Action::Label, Some("x")),
            record("2", Action::Skip, None),
            record("2", Action::Undo, None),
            record("3", Action::Label, Some("y")),
        ] {
            log.append(&r).recv().unwrap().unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(on_disk.lines().count(), 4);
        drop(log);
        let (_log, replay) = LabelLog::open(&path).unwrap();
        let s = replay.standing("a");
        assert_eq!(s.labels(), vec![("1", "x"), ("3", "y")]);
        let mut answered: Vec<&str> = s.answered().collect();
        answered.sort_unstable();
        assert_eq!(answered, ["1", "3"]);
        assert_eq!((s.labelled(), s.count_of("x"), s.count_of("y")), (2, 1, 1));
        assert_eq!(s.skips(), 0);
    }

    #[test]
    fn a_torn_last_line_is_kept_aside_and_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.jsonl");
        let good = serde_json::to_string(&record("1", Action::Label, Some("x"))).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"id\":\"2\",\"lab")).unwrap();
        let (log, replay) = LabelLog::open(&path).unwrap();
        let torn = replay.torn.clone().unwrap();
        assert_eq!((torn.line, torn.bytes), (2, 14));
        assert_eq!(replay.records.len(), 1);
        log.append(&record("3", Action::Label, Some("y")))
            .recv()
            .unwrap()
            .unwrap();
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(std::fs::read_to_string(torn.kept_in)
            .unwrap()
            .contains("\"lab"));
        assert_eq!(read_log(&path).unwrap().records.len(), 2);
    }

    #[test]
    fn a_bad_complete_line_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.jsonl");
        std::fs::write(&path, "{\"id\":1}\n").unwrap();
        let err = LabelLog::open(&path).err().unwrap().to_string();
        assert!(err.contains("labels.jsonl:1: not a label record"), "{err}");
    }

    #[test]
    fn undo_takes_back_the_newest_answer_for_its_id() {
        let mut s = Standing::default();
        s.apply(&record("1", Action::Label, Some("x")));
        s.apply(&record("1", Action::Label, Some("y")));
        assert_eq!(s.labels(), vec![("1", "y")]);
        assert_eq!((s.labelled(), s.count_of("x"), s.count_of("y")), (1, 0, 1));
        s.apply(&record("1", Action::Undo, None));
        assert_eq!(s.labels(), vec![("1", "x")]);
        assert_eq!((s.labelled(), s.count_of("x"), s.count_of("y")), (1, 1, 0));
        s.apply(&record("2", Action::Skip, None));
        assert_eq!(
            (s.labelled(), s.skips(), s.last()),
            (1, 1, Some(("2", Action::Skip)))
        );
        s.apply(&record("2", Action::Undo, None));
        s.apply(&record("1", Action::Undo, None));
        assert_eq!((s.labelled(), s.skips(), s.last()), (0, 0, None));
    }
}
