//! Ordered parallel processing of a stream in bounded batches.
//!
//! A reader thread pulls items from the source and groups them into batches of at most
//! [`BatchLimits::items`] items and [`BatchLimits::bytes`] bytes; each batch is mapped in
//! parallel on a rayon pool, and the calling thread hands the results to a sink in input order.
//! At most three batches are alive at once (one being read, one waiting, one being mapped), so
//! memory follows the batch limits and never the length of the stream, and the output is the
//! same whatever the number of threads. What the items are (records, errors) is the caller's
//! business.

use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

/// How big one batch may grow. The defaults (1024 items, 4 MiB) give each of a few dozen cores
/// some tens of news articles per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Items per batch; defaults to `1024`.
    pub items: usize,
    /// Bytes per batch, as the caller's `size` counts them; defaults to 4 MiB. A single item
    /// bigger than this makes a batch of its own.
    pub bytes: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            items: 1024,
            bytes: 4 << 20,
        }
    }
}

/// Maps every item of `source` with `map`, in parallel on `pool`, and feeds the results to
/// `sink` on the calling thread in the order of the source. `size` tells how many bytes an item
/// holds, for the batch limit.
///
/// The source runs on a thread of its own (it may block on I/O). When `sink` fails, mapping
/// stops and the error is returned at once; the reader thread ends at its next hand-over
/// rather than being waited for, so a reader blocked on a slow input cannot hold up the exit.
pub fn map_ordered<T, U, E>(
    pool: &rayon::ThreadPool,
    source: impl Iterator<Item = T> + Send + 'static,
    size: impl Fn(&T) -> usize + Send + 'static,
    limits: BatchLimits,
    map: impl Fn(T) -> U + Sync + Send,
    mut sink: impl FnMut(U) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send + 'static,
    U: Send,
{
    let items = limits.items.max(1);
    // One batch waiting in the channel while one is mapped and one is read.
    let (tx, rx) = sync_channel::<Vec<T>>(1);
    let reader = std::thread::spawn(move || {
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        for item in source {
            bytes = bytes.saturating_add(size(&item));
            batch.push(item);
            if batch.len() >= items || bytes >= limits.bytes {
                if tx.send(std::mem::take(&mut batch)).is_err() {
                    return;
                }
                bytes = 0;
            }
        }
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    });
    for batch in rx.iter() {
        let mapped: Vec<U> = pool.install(|| batch.into_par_iter().map(&map).collect());
        for result in mapped {
            sink(result)?;
        }
    }
    // The channel closed: the reader finished, or panicked, which must not pass for the end of
    // the input.
    if let Err(panic) = reader.join() {
        std::panic::resume_unwind(panic);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    fn run(threads: usize, n: u64, limits: BatchLimits) -> Vec<u64> {
        let mut out = Vec::new();
        map_ordered(
            &pool(threads),
            0..n,
            |_| 100,
            limits,
            // Uneven work, so that later items of a batch often finish first.
            |i| {
                std::hint::black_box((0..(i * 7919) % 5000).sum::<u64>());
                i
            },
            |i| {
                out.push(i);
                Ok::<_, ()>(())
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn results_come_in_input_order_with_any_thread_count() {
        let expected: Vec<u64> = (0..5000).collect();
        let limits = BatchLimits {
            items: 64,
            bytes: 1000,
        };
        assert_eq!(run(1, 5000, limits), expected);
        assert_eq!(run(4, 5000, limits), expected);
        assert_eq!(run(3, 5000, BatchLimits::default()), expected);
        assert!(run(2, 0, limits).is_empty());
    }

    #[test]
    fn a_failing_sink_stops_the_stream() {
        let mut seen = 0;
        let result = map_ordered(
            &pool(2),
            0u64..,
            |_| 1,
            BatchLimits {
                items: 10,
                bytes: 100,
            },
            |i| i,
            |i| {
                seen += 1;
                if i == 25 {
                    Err(i)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((result, seen), (Err(25), 26));
    }
}
