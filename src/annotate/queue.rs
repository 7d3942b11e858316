//! The queue: which text an annotator sees next.
//!
//! The order comes from `stance sample`'s strategies over the model's scores and is recomputed when the model
//! is retrained. Texts the annotator has answered are never handed out; a text handed out is
//! leased for a while, so that two tabs (or two scripts) of one annotator do not get the same
//! text; a text whose answer was undone goes to the front.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::sample::{draw, uncertainty, Candidate, SampleParams, Strategy};
use crate::Model;

/// How long a text handed out stays reserved for the client that asked.
pub const LEASE: Duration = Duration::from_secs(120);

/// How many texts the uncertainty strategies choose with their diversity term; the rest
/// follow by uncertainty alone (the greedy diversity walk costs a pass over the pool per text
/// drawn, and the queue is drawn again whenever the model is retrained).
pub const DIVERSE_BATCH: usize = 300;

/// The queue order of `texts` (indices) under `strategy`, leaving out `answered`: `random` is
/// a seeded shuffle; `uncertain` and `diverse` draw their first texts with `stance sample`'s
/// selection, the rest follow by uncertainty.
pub fn order(
    strategy: Strategy,
    model: &Model,
    texts: &[(&str, &str)],
    answered: &HashSet<usize>,
    seed: u64,
) -> Vec<usize> {
    let open: Vec<usize> = (0..texts.len()).filter(|i| !answered.contains(i)).collect();
    if open.is_empty() {
        return open;
    }
    let population: Vec<Candidate> = open
        .iter()
        .map(|&i| Candidate {
            id: texts[i].0,
            text: texts[i].1,
            stratum: None,
        })
        .collect();
    if strategy == Strategy::Random {
        // A seeded shuffle: every text once, in an order no model chose.
        let mut order = open;
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        return order;
    }
    let n = open.len().min(DIVERSE_BATCH);
    let params = SampleParams { n, strategy, seed };
    // Ids are unique (the session checked) and n >= 1, so a draw cannot fail; if it somehow
    // did, plain uncertainty order below still covers every text.
    let drawn: Vec<usize> = draw(&population, model, &params)
        .map(|d| d.into_iter().map(|d| open[d.index]).collect())
        .unwrap_or_default();
    if drawn.len() == open.len() {
        return drawn;
    }
    let taken: HashSet<usize> = drawn.iter().copied().collect();
    let mut rest: Vec<(usize, f64)> = open
        .par_iter()
        .filter(|i| !taken.contains(i))
        .map(|&i| (i, uncertainty(&model.predict(texts[i].1).probabilities)))
        .collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    drawn
        .into_iter()
        .chain(rest.into_iter().map(|(i, _)| i))
        .collect()
}

/// One annotator's queue over the input.
#[derive(Debug)]
pub struct Queue {
    /// The texts not answered when the order was drawn, in order.
    order: Vec<usize>,
    /// Everything before this position in `order` is answered.
    cursor: usize,
    total: usize,
    answered: HashSet<usize>,
    /// Texts handed out: when, and to which client (a page's id, kept across its reloads).
    leases: HashMap<usize, (Instant, Option<String>)>,
    /// Texts whose answer was undone, newest last: shown before the order until answered.
    front: Vec<usize>,
}

impl Queue {
    /// A queue over `total` texts in `order`, with the `answered` ones left out.
    pub fn new(order: Vec<usize>, total: usize, answered: HashSet<usize>) -> Self {
        Queue {
            order,
            cursor: 0,
            total,
            answered,
            leases: HashMap::new(),
            front: Vec::new(),
        }
    }

    /// Replaces the order (after retraining), keeping what is answered, leased and undone.
    pub fn reorder(&mut self, order: Vec<usize>) {
        self.order = order;
        self.cursor = 0;
    }

    fn is_free(&self, i: usize, now: Instant, client: Option<&str>) -> bool {
        !self.answered.contains(&i)
            && self.leases.get(&i).is_none_or(|(t, holder)| {
                now.duration_since(*t) >= LEASE || (client.is_some() && holder.as_deref() == client)
            })
    }

    /// The next text to show at `now`, leased to `client`; `None` when every text is
    /// answered or leased to someone else. A client asking again (a page reloaded) gets back
    /// what it holds.
    pub fn next(&mut self, now: Instant, client: Option<&str>) -> Option<usize> {
        self.front.retain(|i| !self.answered.contains(i));
        while self.cursor < self.order.len() && self.answered.contains(&self.order[self.cursor]) {
            self.cursor += 1;
        }
        let found = self
            .front
            .iter()
            .rev()
            .chain(&self.order[self.cursor..])
            .copied()
            .find(|&i| self.is_free(i, now, client))?;
        self.leases.insert(found, (now, client.map(str::to_string)));
        Some(found)
    }

    /// Marks a text answered.
    pub fn answer(&mut self, i: usize) {
        self.answered.insert(i);
        self.leases.remove(&i);
    }

    /// Puts a text whose answer was undone back at the front.
    pub fn undo(&mut self, i: usize) {
        self.answered.remove(&i);
        self.leases.remove(&i);
        self.front.retain(|&j| j != i);
        self.front.push(i);
    }

    /// The texts answered.
    pub fn answered(&self) -> &HashSet<usize> {
        &self.answered
    }

    /// Texts not answered.
    pub fn remaining(&self) -> usize {
        self.total - self.answered.len()
    }

    /// Whether a text is answered.
    pub fn is_answered(&self, i: usize) -> bool {
        self.answered.contains(&i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_open_text_is_ordered_once_and_random_is_seeded() {
        let model = crate::default_model().unwrap();
        let ids: Vec<String> = (0..40).map(|i| format!("t{i}")).collect();
        let texts: Vec<(&str, &str)> = ids
            .iter()
            .map(|id| {
                (
                    id.as_str(),
                    "The Kiev regime shelled Donetsk, the ministry said.",
                )
            })
            .collect();
        let answered = HashSet::from([3, 7]);
        for strategy in [Strategy::Random, Strategy::Uncertain, Strategy::Diverse] {
            let o = order(strategy, &model, &texts, &answered, 1);
            let mut sorted = o.clone();
            sorted.sort_unstable();
            let expected: Vec<usize> = (0..40).filter(|i| !answered.contains(i)).collect();
            assert_eq!(sorted, expected, "{strategy}");
        }
        let a = order(Strategy::Random, &model, &texts, &answered, 7);
        assert_eq!(a, order(Strategy::Random, &model, &texts, &answered, 7));
        assert_ne!(a, order(Strategy::Random, &model, &texts, &answered, 8));
    }

    #[test]
    fn leases_answers_and_undo() {
        let now = Instant::now();
        let mut q = Queue::new(vec![0, 2], 3, HashSet::from([1]));
        assert_eq!(q.next(now, Some("a")), Some(0));
        assert_eq!(
            q.next(now, Some("a")),
            Some(0),
            "a reload gets its text back"
        );
        assert_eq!(q.next(now, None), Some(2), "0 is leased to a");
        assert_eq!(q.next(now, Some("b")), None);
        assert_eq!(q.next(now + LEASE, None), Some(0), "the lease ran out");
        q.answer(0);
        q.answer(2);
        assert_eq!(q.remaining(), 0);
        q.undo(2);
        assert_eq!(q.next(now, None), Some(2));
    }
}
