//! The queue: which text an annotator sees next.
//!
//! The order comes from a [`Strategy`] over the model's scores and is recomputed when the model
//! is retrained. Texts the annotator has answered are never handed out; a text handed out is
//! leased for a while, so that two tabs (or two scripts) of one annotator do not get the same
//! text; a text whose answer was undone goes to the front.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// How long a text handed out stays reserved for the client that asked.
pub const LEASE: Duration = Duration::from_secs(120);

/// How the queue orders the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Closest to the decision boundary first (smallest margin between the two most probable
    /// labels): what the model would learn most from.
    #[default]
    Uncertain,
    /// A seeded shuffle: labels for validation, unbiased by the model.
    Random,
    /// Uncertain first, but no two texts in a row whose probabilities are nearly the same and
    /// whose first words match: a cheap guard against near-duplicates.
    Diverse,
}

impl std::str::FromStr for Strategy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "uncertain" => Ok(Strategy::Uncertain),
            "random" => Ok(Strategy::Random),
            "diverse" => Ok(Strategy::Diverse),
            _ => Err(format!(
                "unknown strategy {s:?}; known: uncertain, random, diverse"
            )),
        }
    }
}

/// The order of `probabilities.len()` texts under `strategy`: indices into the input.
pub fn order(
    strategy: Strategy,
    probabilities: &[Vec<f64>],
    texts: &[&str],
    seed: u64,
) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..probabilities.len()).collect();
    match strategy {
        Strategy::Random => idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed)),
        Strategy::Uncertain => idx.sort_by(|&a, &b| {
            margin(&probabilities[a])
                .total_cmp(&margin(&probabilities[b]))
                .then(a.cmp(&b))
        }),
        Strategy::Diverse => {
            idx.sort_by(|&a, &b| {
                margin(&probabilities[a])
                    .total_cmp(&margin(&probabilities[b]))
                    .then(a.cmp(&b))
            });
            idx = spread_near_duplicates(idx, texts);
        }
    }
    idx
}

/// The gap between the two most probable labels.
fn margin(p: &[f64]) -> f64 {
    let (mut first, mut second) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &x in p {
        if x > first {
            second = first;
            first = x;
        } else if x > second {
            second = x;
        }
    }
    first - second
}

/// Moves a text that opens like one already placed (same first 12 words, case folded) to the
/// back, so near-duplicates (wire copies, updates) do not take the front of the queue twice.
fn spread_near_duplicates(order: Vec<usize>, texts: &[&str]) -> Vec<usize> {
    let mut seen = HashSet::new();
    let (mut front, mut back) = (Vec::new(), Vec::new());
    for i in order {
        let key: Vec<String> = texts[i]
            .split_whitespace()
            .take(12)
            .map(str::to_lowercase)
            .collect();
        if seen.insert(key) {
            front.push(i);
        } else {
            back.push(i);
        }
    }
    front.extend(back);
    front
}

/// One annotator's queue over the input.
#[derive(Debug)]
pub struct Queue {
    order: Vec<usize>,
    /// Everything before this position in `order` is answered.
    cursor: usize,
    answered: HashSet<usize>,
    leases: HashMap<usize, Instant>,
    /// Texts whose answer was undone, newest last: shown before the order.
    front: Vec<usize>,
}

impl Queue {
    /// A queue in `order`, with the `answered` texts left out.
    pub fn new(order: Vec<usize>, answered: HashSet<usize>) -> Self {
        Queue {
            order,
            cursor: 0,
            answered,
            leases: HashMap::new(),
            front: Vec::new(),
        }
    }

    /// Replaces the order (after retraining), keeping what is answered and leased.
    pub fn reorder(&mut self, order: Vec<usize>) {
        self.order = order;
        self.cursor = 0;
    }

    /// The next text to show at `now`, leased to the caller; `None` when every text is
    /// answered or leased.
    pub fn next(&mut self, now: Instant) -> Option<usize> {
        while let Some(&i) = self.front.last() {
            if self.answered.contains(&i) {
                self.front.pop();
            } else {
                self.leases.insert(i, now);
                return Some(i);
            }
        }
        while self.cursor < self.order.len() && self.answered.contains(&self.order[self.cursor]) {
            self.cursor += 1;
        }
        let free = |i: &usize| {
            !self.answered.contains(i)
                && self
                    .leases
                    .get(i)
                    .is_none_or(|t| now.duration_since(*t) >= LEASE)
        };
        let found = self.order[self.cursor..].iter().copied().find(free)?;
        self.leases.insert(found, now);
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
        self.front.push(i);
        self.cursor = 0;
    }

    /// Texts not answered.
    pub fn remaining(&self) -> usize {
        self.order.len() - self.answered.len()
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
    fn uncertain_puts_the_closest_call_first() {
        let p = vec![vec![0.9, 0.1], vec![0.55, 0.45], vec![0.3, 0.7]];
        assert_eq!(order(Strategy::Uncertain, &p, &["a", "b", "c"], 0), [1, 2, 0]);
    }

    #[test]
    fn random_is_seeded() {
        let p = vec![vec![0.5, 0.5]; 50];
        let t = vec!["x"; 50];
        let a = order(Strategy::Random, &p, &t, 7);
        assert_eq!(a, order(Strategy::Random, &p, &t, 7));
        assert_ne!(a, order(Strategy::Random, &p, &t, 8));
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn diverse_moves_near_duplicates_back() {
        let p = vec![vec![0.5, 0.5], vec![0.51, 0.49], vec![0.6, 0.4]];
        let t = ["Same opening words here", "same opening words HERE", "Other"];
        assert_eq!(order(Strategy::Diverse, &p, &t, 0), [0, 2, 1]);
    }

    #[test]
    fn leases_answers_and_undo() {
        let now = Instant::now();
        let mut q = Queue::new(vec![0, 1, 2], HashSet::from([1]));
        assert_eq!(q.next(now), Some(0));
        assert_eq!(q.next(now), Some(2), "0 is leased");
        assert_eq!(q.next(now), None);
        assert_eq!(q.next(now + LEASE), Some(0), "the lease ran out");
        q.answer(0);
        q.answer(2);
        assert_eq!(q.remaining(), 0);
        q.undo(2);
        assert_eq!(q.next(now), Some(2));
    }
}
