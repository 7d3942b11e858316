//! One annotator's session over a corpus: the texts, the model in the loop, the queue and the
//! label log, and the operations the web page and scripts call (next, label, skip, undo,
//! progress, the model's guess). No HTTP here: [`super::server`] translates requests into
//! these calls.
//!
//! Answers are ordered by one lock: a label is checked, queued for the log and applied to the
//! queue under it, and the caller waits for the disk after releasing it, so the file's order is
//! the order answers were applied in and a slow `fsync` holds up no one else's answer.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::AnnotateError;
use super::queue::{order, Queue};
use crate::io::label_log::{now_rfc3339, Action, LabelLog, LogRecord, Replay, Standing};
use crate::sample::Strategy;
use crate::text::paragraphs::split_paragraphs;
use crate::Model;

/// A text to annotate: its id, the text and the input fields kept to show beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub fields: Vec<(String, String)>,
}

/// Retrains the model on the standing labels: from the base, the texts and their labels, a new
/// model or why there is none (shown on the page).
pub type Adapter = dyn Fn(&Model, &[&str], &[&str]) -> Result<Model, String> + Send + Sync;

/// How a session runs.
pub struct SessionParams {
    /// The labels offered, in button order; the model's labels when empty.
    pub labels: Vec<String>,
    /// Who answers; written on every record.
    pub annotator: String,
    pub strategy: Strategy,
    /// Labels wanted in all (progress is shown against it; the queue ends there); all texts
    /// when `None`.
    pub target: Option<usize>,
    /// Seeds the random strategy.
    pub seed: u64,
    /// Retrain after every this many new labels, with this adapter.
    pub retrain: Option<(usize, Arc<Adapter>)>,
}

/// The model in use and the name answers record it by.
struct InUse {
    model: Arc<Model>,
    version: String,
}

/// What the queue, the counts and the retraining share, under one lock.
struct State {
    queue: Queue,
    standing: Standing,
    /// Labels given since the last retraining started.
    since_retrain: usize,
    retraining: bool,
    retrains: usize,
    last_retrain_error: Option<String>,
}

/// An annotation session; shared by the server's worker threads.
pub struct Session {
    items: Vec<Item>,
    index: HashMap<String, usize>,
    labels: Vec<String>,
    annotator: String,
    strategy: Strategy,
    target: Option<usize>,
    seed: u64,
    retrain: Option<(usize, Arc<Adapter>)>,
    base: Arc<Model>,
    model: RwLock<Arc<InUse>>,
    log: LabelLog,
    state: Mutex<State>,
}

/// A text handed out, as `GET /api/next` answers it.
#[derive(Debug, Serialize)]
pub struct Next<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// The text's paragraphs, as shown.
    pub paragraphs: Vec<&'a str>,
    pub fields: Vec<(&'a str, &'a str)>,
    /// The model the text was chosen with.
    pub model: String,
}

/// How far the annotator is, as `GET /api/progress` answers it.
#[derive(Debug, Serialize)]
pub struct Progress {
    pub annotator: String,
    pub labels: Vec<String>,
    pub labelled: usize,
    pub counts: Vec<(String, usize)>,
    pub skipped: usize,
    pub target: usize,
    pub remaining: usize,
    pub model: String,
    pub retrains: usize,
    pub retraining: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retrain_error: Option<String>,
}

/// The model's guess for one text, with each paragraph cut into pieces coloured by the label
/// its words push toward.
#[derive(Debug, Serialize)]
pub struct Guess {
    /// `None` on a tie or for a text not in the model's language.
    pub label: Option<String>,
    pub probabilities: Vec<(String, f64)>,
    pub uncertain: bool,
    /// Per paragraph: `[text, label index or null, strength 0..1]` pieces.
    pub paragraphs: Vec<Vec<(String, Option<usize>, f64)>>,
}

/// Why an answer was refused; the server maps each to a status.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// 400: a label not offered, or a malformed answer.
    BadRequest(String),
    /// 404: an id not in the input.
    UnknownId(String),
    /// 500: the log could not be written; nothing was acknowledged.
    Storage(String),
}

fn version_of(name: &str, model: &Model) -> String {
    let digest = model
        .to_json()
        .map(|bytes| {
            let hash = Sha256::digest(&bytes);
            hash.iter().take(6).map(|b| format!("{b:02x}")).collect()
        })
        .unwrap_or_else(|_| "unknown".to_string());
    format!("{name} sha256:{digest}")
}

impl Session {
    /// A session over `items`, logging to `log` (already replayed into `replay`).
    pub fn new(
        items: Vec<Item>,
        model: Model,
        model_name: &str,
        log: LabelLog,
        replay: &Replay,
        params: SessionParams,
    ) -> Result<Session, AnnotateError> {
        if items.is_empty() {
            return Err(AnnotateError::NoItems);
        }
        let mut index = HashMap::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(first) = index.insert(item.id.clone(), i) {
                return Err(AnnotateError::DuplicateId {
                    id: item.id.clone(),
                    first: format!("record {}", first + 1),
                    second: format!("record {}", i + 1),
                });
            }
        }
        let labels = if params.labels.is_empty() {
            model.labels().to_vec()
        } else {
            params.labels.clone()
        };
        check_labels(&labels)?;
        for (line, r) in &replay.records {
            if let Some(label) = r.label.as_ref().filter(|l| !labels.contains(l)) {
                return Err(AnnotateError::LogLabel {
                    path: log.path().to_path_buf(),
                    line: *line,
                    label: label.clone(),
                    allowed: labels.clone(),
                });
            }
        }
        let standing = replay.standing(&params.annotator);
        let answered: HashSet<usize> = standing
            .answered()
            .filter_map(|id| index.get(id).copied())
            .collect();
        let model = Arc::new(model);
        let order = rank(params.strategy, &model, &items, &answered, params.seed);
        let version = version_of(model_name, &model);
        Ok(Session {
            labels,
            annotator: params.annotator,
            strategy: params.strategy,
            target: params.target,
            seed: params.seed,
            retrain: params.retrain,
            base: Arc::clone(&model),
            model: RwLock::new(Arc::new(InUse { model, version })),
            log,
            state: Mutex::new(State {
                queue: Queue::new(order, items.len(), answered),
                standing,
                since_retrain: 0,
                retraining: false,
                retrains: 0,
                last_retrain_error: None,
            }),
            items,
            index,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn in_use(&self) -> Arc<InUse> {
        Arc::clone(
            &self
                .model
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// The labels offered, in button order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The next text to show to `client` (a page's own id; `None` for scripts), or `None`
    /// when the queue is done.
    pub fn next(&self, client: Option<&str>) -> Option<Next<'_>> {
        let version = self.in_use().version.clone();
        let i = {
            let mut state = self.state();
            if self.target_reached(&state) {
                return None;
            }
            state.queue.next(Instant::now(), client)?
        };
        let item = &self.items[i];
        Some(Next {
            id: &item.id,
            text: &item.text,
            paragraphs: split_paragraphs(&item.text)
                .into_iter()
                .map(|r| &item.text[r])
                .collect(),
            fields: item
                .fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            model: version,
        })
    }

    fn target_reached(&self, state: &State) -> bool {
        self.target.is_some_and(|t| state.standing.labelled() >= t)
    }

    /// Records `label` for `id` and returns once it is on disk.
    pub fn label(self: &Arc<Self>, id: &str, label: &str) -> Result<(), Refusal> {
        if !self.labels.iter().any(|l| l == label) {
            return Err(Refusal::BadRequest(format!(
                "label {label:?} is not one of the labels being annotated: {}",
                self.labels.join(", ")
            )));
        }
        self.answer(id, Action::Label, Some(label))
    }

    /// Records a skip of `id` and returns once it is on disk.
    pub fn skip(self: &Arc<Self>, id: &str) -> Result<(), Refusal> {
        self.answer(id, Action::Skip, None)
    }

    fn answer(
        self: &Arc<Self>,
        id: &str,
        action: Action,
        label: Option<&str>,
    ) -> Result<(), Refusal> {
        let &i = self
            .index
            .get(id)
            .ok_or_else(|| Refusal::UnknownId(id.to_string()))?;
        let record = LogRecord {
            id: id.to_string(),
            label: label.map(str::to_string),
            action,
            annotator: self.annotator.clone(),
            time: now_rfc3339(),
            model: self.in_use().version.clone(),
            text: label.map(|_| self.items[i].text.clone()),
        };
        let (done, retrain) = {
            let mut state = self.state();
            let done = self.log.append(&record);
            state.standing.apply(&record);
            state.queue.answer(i);
            let retrain = action == Action::Label && self.note_label(&mut state);
            (done, retrain)
        };
        if retrain {
            self.start_retrain();
        }
        wait(done)
    }

    /// Counts a label toward the next retraining; true when one should start now.
    fn note_label(&self, state: &mut State) -> bool {
        let Some((every, _)) = &self.retrain else {
            return false;
        };
        state.since_retrain += 1;
        if state.since_retrain >= *every && !state.retraining {
            state.since_retrain = 0;
            state.retraining = true;
            return true;
        }
        false
    }

    /// Takes back the annotator's newest standing answer; returns its id, or `None` when
    /// there is nothing to undo.
    pub fn undo(&self) -> Result<Option<String>, Refusal> {
        let (done, id) = {
            let mut state = self.state();
            let Some((id, _)) = state.standing.last() else {
                return Ok(None);
            };
            let id = id.to_string();
            let record = LogRecord {
                id: id.clone(),
                label: None,
                action: Action::Undo,
                annotator: self.annotator.clone(),
                time: now_rfc3339(),
                model: self.in_use().version.clone(),
                text: None,
            };
            let done = self.log.append(&record);
            state.standing.apply(&record);
            if let Some(&i) = self.index.get(&id) {
                state.queue.undo(i);
            }
            (done, id)
        };
        wait(done).map(|()| Some(id))
    }

    /// Counts so far.
    pub fn progress(&self) -> Progress {
        let in_use = self.in_use();
        let state = self.state();
        let counts = self
            .labels
            .iter()
            .map(|l| (l.clone(), state.standing.count_of(l)))
            .collect();
        Progress {
            annotator: self.annotator.clone(),
            labels: self.labels.clone(),
            labelled: state.standing.labelled(),
            counts,
            skipped: state.standing.skips(),
            target: self.target.unwrap_or(self.items.len()),
            remaining: state.queue.remaining(),
            model: in_use.version.clone(),
            retrains: state.retrains,
            retraining: state.retraining,
            retrain_error: state.last_retrain_error.clone(),
        }
    }

    /// The model's guess for `id`, with the words behind it.
    pub fn guess(&self, id: &str) -> Result<Guess, Refusal> {
        let &i = self
            .index
            .get(id)
            .ok_or_else(|| Refusal::UnknownId(id.to_string()))?;
        Ok(super::guess::guess(
            &self.in_use().model,
            &self.items[i].text,
        ))
    }

    /// Retrains in the background on the standing labels; the page never waits on it.
    fn start_retrain(self: &Arc<Self>) {
        let session = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("retrain".into())
            .spawn(move || session.retrain_now());
        if spawned.is_err() {
            self.state().retraining = false;
        }
    }

    fn retrain_now(&self) {
        let Some((_, adapter)) = &self.retrain else {
            return;
        };
        let labelled: Vec<(usize, String)> = self
            .state()
            .standing
            .labels()
            .into_iter()
            .filter_map(|(id, l)| self.index.get(id).map(|&i| (i, l.to_string())))
            .collect();
        let texts: Vec<&str> = labelled
            .iter()
            .map(|(i, _)| self.items[*i].text.as_str())
            .collect();
        let labels: Vec<&str> = labelled.iter().map(|(_, l)| l.as_str()).collect();
        let result = adapter(&self.base, &texts, &labels);
        match result {
            Ok(model) => {
                let model = Arc::new(model);
                let (n, answered) = {
                    let state = self.state();
                    (state.retrains + 1, state.queue.answered().clone())
                };
                let version = version_of(&format!("adapted-{n}"), &model);
                // Ranked outside the lock: scoring every text takes a while. Answers given
                // meanwhile stay answered; the queue skips them.
                let order = rank(self.strategy, &model, &self.items, &answered, self.seed);
                *self
                    .model
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Arc::new(InUse { model, version });
                let mut state = self.state();
                state.queue.reorder(order);
                state.retrains = n;
                state.retraining = false;
                state.last_retrain_error = None;
            }
            Err(e) => {
                let mut state = self.state();
                state.retraining = false;
                state.last_retrain_error = Some(e);
            }
        }
    }

    /// Writes what is queued and stops the log's writer.
    pub fn close(&self) {
        self.log.close();
    }

    /// Whether `id` is answered (labelled or skipped, not undone).
    pub fn is_answered(&self, id: &str) -> bool {
        self.index
            .get(id)
            .is_some_and(|&i| self.state().queue.is_answered(i))
    }
}

fn wait(done: std::sync::mpsc::Receiver<Result<(), String>>) -> Result<(), Refusal> {
    match done.recv() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Refusal::Storage(e)),
        Err(_) => Err(Refusal::Storage("the label log's writer stopped".into())),
    }
}

fn check_labels(labels: &[String]) -> Result<(), AnnotateError> {
    if labels.len() < 2 {
        return Err(AnnotateError::Labels(format!(
            "at least two labels are needed, got {}",
            labels.len()
        )));
    }
    if labels.len() > 9 {
        return Err(AnnotateError::Labels(format!(
            "at most 9 labels (keys 1-9), got {}",
            labels.len()
        )));
    }
    let mut seen = HashSet::new();
    for l in labels {
        if l.trim().is_empty() {
            return Err(AnnotateError::Labels("a label is empty".into()));
        }
        if !seen.insert(l) {
            return Err(AnnotateError::Labels(format!("{l:?} is given twice")));
        }
    }
    Ok(())
}

/// The queue order of the items not `answered`, under `model`.
fn rank(
    strategy: Strategy,
    model: &Model,
    items: &[Item],
    answered: &HashSet<usize>,
    seed: u64,
) -> Vec<usize> {
    let texts: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i.id.as_str(), i.text.as_str()))
        .collect();
    order(strategy, model, &texts, answered, seed)
}
