//! Splitting a corpus into pieces that threads take as they become free, each thread keeping
//! its own state (a word cache, a stem table) from piece to piece.
//!
//! One piece per thread would let each thread keep its state in a local, but then the slowest
//! thread sets the pace: on a machine shared with other virtual machines, one core often runs
//! markedly slower than the other while both are busy. With several pieces per thread, rayon
//! hands a free thread the next piece. A thread's state is looked up by its index in the pool,
//! so a word is still stemmed about once per thread, not once per piece.
//!
//! The `thread_local` crate's `ThreadLocal` measured as fast, but it makes a state only for the
//! threads that take a piece, and the unit test below holds `PerWorker` to one state for every
//! thread of the pool; so this stays.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::ParamError;

/// The thread cap never goes below this, so that a script asking for a few dozen threads runs
/// on a small machine as on a big one. 64 threads' stacks (2 MiB each) are 128 MiB of address
/// space, far from what makes thread creation fail.
pub const MIN_THREAD_CAP: usize = 64;

/// The most threads a pool may have: 4 per core, and at least [`MIN_THREAD_CAP`]. More only
/// adds stacks and contention (the work is CPU-bound); thousands take seconds to start, and
/// under an address-space limit their stacks abort the process.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(4).max(MIN_THREAD_CAP)
}

/// A thread count as given (`--threads`, Python's `threads=`), checked: at least 1 and at most
/// [`max_threads`].
pub fn check_threads(n: i128) -> Result<usize, ParamError> {
    let max = max_threads();
    match usize::try_from(n) {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ParamError::Threads {
            got: n,
            max,
            min: MIN_THREAD_CAP,
        }),
    }
}

/// Pieces per thread: enough that a thread running a third slower still ends close to the
/// others, few enough that per-piece costs (an output matrix to stack, a lock) stay small.
pub const PIECES_PER_THREAD: usize = 8;

/// One state per thread of the current rayon pool.
#[derive(Debug)]
pub struct PerWorker<S> {
    states: Vec<Mutex<S>>,
}

impl<S: Default> PerWorker<S> {
    /// A fresh state for each thread of the current pool.
    pub fn new() -> Self {
        PerWorker {
            states: (0..rayon::current_num_threads())
                .map(|_| Mutex::default())
                .collect(),
        }
    }
}

impl<S: Default> Default for PerWorker<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> PerWorker<S> {
    /// The index of the calling thread's state: its index in the current pool (0 outside a
    /// pool).
    pub fn index(&self) -> usize {
        rayon::current_thread_index().unwrap_or(0) % self.states.len().max(1)
    }

    /// The calling thread's state. Used from the pool it was made in, no other thread uses
    /// it, so the lock is never waited on (from another pool, threads may share a state and
    /// wait, but never see another's half-done work). The caller must not run rayon work
    /// while holding it: a piece stolen onto this thread would wait on it forever.
    pub fn get(&self) -> MutexGuard<'_, S> {
        debug_assert_eq!(
            self.states.len(),
            rayon::current_num_threads(),
            "used from a pool other than the one it was made for"
        );
        self.states[self.index()]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The states, by thread index.
    pub fn into_states(self) -> Vec<S> {
        self.states
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }
}

/// Splits `texts` into up to `n` contiguous ranges of about equal bytes.
pub fn piece_ranges(texts: &[&str], n: usize) -> Vec<Range<usize>> {
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let per_piece = total / n.max(1) + 1;
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, t) in texts.iter().enumerate() {
        bytes += t.len();
        if bytes >= per_piece {
            ranges.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < texts.len() || ranges.is_empty() {
        ranges.push(start..texts.len());
    }
    ranges
}

/// The pieces to split `texts` into for the current pool.
pub fn pieces(texts: &[&str]) -> Vec<Range<usize>> {
    piece_ranges(texts, rayon::current_num_threads() * PIECES_PER_THREAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_are_capped() {
        assert_eq!(check_threads(1), Ok(1));
        assert_eq!(check_threads(MIN_THREAD_CAP as i128), Ok(MIN_THREAD_CAP));
        for bad in [0, -1, 100_000, i128::from(u64::MAX) + 1] {
            let err = check_threads(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("got {bad}")), "{err}");
        }
    }
    use rayon::prelude::*;

    #[test]
    fn pieces_cover_the_texts_in_order() {
        let texts: Vec<String> = (0..50).map(|i| "x".repeat(i % 7 + 1)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        for n in [1, 2, 5, 64] {
            let ranges = piece_ranges(&refs, n);
            assert!(ranges.len() <= n);
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert_eq!(ranges.last().map(|r| r.end), Some(50));
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
        assert_eq!(piece_ranges(&[], 4), vec![Range { start: 0, end: 0 }]);
    }

    #[test]
    fn each_thread_gets_its_own_state() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let (states, seen) = pool.install(|| {
            let workers: PerWorker<Vec<usize>> = PerWorker::new();
            let seen: Vec<usize> = (0..200usize)
                .into_par_iter()
                .map(|i| {
                    let w = workers.index();
                    workers.get().push(i);
                    w
                })
                .collect();
            (workers.into_states(), seen)
        });
        assert_eq!(states.len(), 3);
        for (i, w) in seen.iter().enumerate() {
            assert!(
                states[*w].contains(&i),
                "item {i} in the state of thread {w}"
            );
        }
        assert_eq!(states.iter().map(Vec::len).sum::<usize>(), 200);
    }
}
