//! Counting a training corpus's n-grams on all threads, with no sequential merge of n-grams.
//!
//! 1. Threads tokenize contiguous pieces of the corpus ([`crate::features::workers`]) into stem ids of
//!    their own (a word cache and a [`StemTable`] per thread), so no lock is taken per word.
//! 2. The threads' stem tables are merged into one numbering, and every token is renumbered.
//!    This merge is of the distinct stems; merging per-thread n-gram tables, which this
//!    design replaces, was of every distinct n-gram, far more, on one thread while the others
//!    waited.
//! 3. Each n-gram is counted by the partition that owns its first stem. Stems are dealt out to
//!    partitions by frequency, so that partitions hold similar work, and there are several
//!    partitions per thread, so a thread that finishes early takes the next one. Partitions
//!    share no n-gram, so their counts are final.
//!
//! The vocabulary chosen from the counts is ordered by term string, so nothing depends on the
//! number of threads, pieces or partitions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::features::fit::ngram_counts::{NgramCounts, Rows, StemTable};
use crate::features::ngrams::NgramRange;
use crate::features::word_cache::WordCache;
use crate::features::workers::{pieces, PerWorker};

/// Partitions per thread: enough that uneven partitions even out across threads, few enough
/// that each document is visited by few of them.
const PARTITIONS_PER_THREAD: usize = 4;

/// The most partitions (at most 256: a token's partition is kept as a byte). Each reads every
/// token and keeps a row end per document and a root slot per stem, so on many cores their
/// number is capped rather than grown with the threads.
const MAX_PARTITIONS: usize = 32;

/// A node of one partition's trie: `(partition, node)`.
pub type NodeRef = (u32, u32);

/// One piece of the corpus as stem ids, first in the numbering of the thread that tokenized
/// it, then in the common one.
struct Tokenized {
    worker: usize,
    tokens: Vec<u32>,
    /// Where each document's tokens end.
    ends: Vec<usize>,
}

/// The n-gram counts of a corpus, in partitions by first stem.
#[derive(Debug)]
pub struct CorpusCounts {
    stems: StemTable,
    parts: Vec<NgramCounts>,
}

impl CorpusCounts {
    /// Counts the n-grams in `range` of every text. `tokenize(text, cache, stems, out)` appends
    /// the stem ids of a text's tokens to `out`, numbering stems in `stems`; it runs with this
    /// thread's state locked, so it must not run rayon work itself. `sources[i]` is the source
    /// of `texts[i]` (0 where missing), for `min_sources`; `keep_rows` keeps each document's
    /// counts.
    pub fn count<F>(
        texts: &[&str],
        sources: &[u32],
        range: NgramRange,
        min_sources: usize,
        keep_rows: bool,
        tokenize: F,
    ) -> Self
    where
        F: Fn(&str, &mut WordCache, &mut StemTable, &mut Vec<u32>) + Sync,
    {
        let threads = rayon::current_num_threads();
        let workers: PerWorker<(WordCache, StemTable)> = PerWorker::new();
        let mut pieces: Vec<Tokenized> = pieces(texts)
            .into_par_iter()
            .map(|docs| {
                let mut state = workers.get();
                let (cache, stems) = &mut *state;
                let mut piece = Tokenized {
                    worker: workers.index(),
                    tokens: Vec::new(),
                    ends: Vec::with_capacity(docs.len()),
                };
                for d in docs {
                    tokenize(texts[d], cache, stems, &mut piece.tokens);
                    piece.ends.push(piece.tokens.len());
                }
                piece
            })
            .collect();

        // Which thread tokenized which piece varies from run to run, and so do these ids;
        // nothing that comes out of counting depends on them.
        let mut stems = StemTable::default();
        let maps: Vec<Vec<u32>> = workers
            .into_states()
            .iter()
            .map(|(_, table)| table.names().iter().map(|s| stems.id(s)).collect())
            .collect();
        pieces.par_iter_mut().for_each(|piece| {
            let map = &maps[piece.worker];
            for t in &mut piece.tokens {
                *t = map[*t as usize];
            }
        });

        let n_parts = if threads > 1 {
            (threads * PARTITIONS_PER_THREAD).min(MAX_PARTITIONS)
        } else {
            1
        };
        // Each token's partition, as a byte: every partition reads all of them, and a byte
        // read in order costs less than a look-up by stem id. One partition reads none.
        let owned_by: Vec<Vec<u8>> = if n_parts == 1 {
            vec![Vec::new(); pieces.len()]
        } else {
            let owner = owners(&pieces, stems.names().len(), n_parts);
            pieces
                .par_iter()
                .map(|piece| piece.tokens.iter().map(|&t| owner[t as usize]).collect())
                .collect()
        };
        let parts: Vec<NgramCounts> = (0..n_parts as u8)
            .into_par_iter()
            .map(|p| {
                let mut counts = NgramCounts::new(min_sources, keep_rows);
                let mut d = 0;
                for (piece, owned_by) in pieces.iter().zip(&owned_by) {
                    let mut start = 0;
                    for &end in &piece.ends {
                        let source = sources.get(d).copied().unwrap_or(0);
                        let tokens = &piece.tokens[start..end];
                        if n_parts == 1 {
                            counts.add_document(tokens, |_| true, source, range);
                        } else {
                            let owned_by = &owned_by[start..end];
                            counts.add_document(tokens, |i| owned_by[i] == p, source, range);
                        }
                        start = end;
                        d += 1;
                    }
                }
                counts
            })
            .collect();
        CorpusCounts { stems, parts }
    }

    /// The number of partitions.
    pub fn n_parts(&self) -> usize {
        self.parts.len()
    }

    /// The number of nodes of partition `part` (its root included).
    pub fn n_nodes(&self, part: usize) -> usize {
        self.parts[part].n_nodes()
    }

    /// Every n-gram with its document frequency and distinct sources (up to `min_sources`).
    pub fn candidates(&self) -> impl ParallelIterator<Item = (NodeRef, u64, usize)> + '_ {
        self.parts
            .par_iter()
            .enumerate()
            .flat_map_iter(|(p, counts)| {
                (1..counts.n_nodes() as u32)
                    .map(move |n| ((p as u32, n), counts.df(n), counts.n_sources(n)))
            })
    }

    /// An n-gram as its stems joined by single spaces.
    #[cfg(test)]
    pub fn term(&self, (part, node): NodeRef) -> String {
        self.parts[part as usize].term(node, self.stems.names())
    }

    /// Appends an n-gram, as [`CorpusCounts::term`] gives it, to `out`.
    pub fn write_term(&self, (part, node): NodeRef, out: &mut String) {
        self.parts[part as usize].write_term(node, self.stems.names(), out)
    }

    /// Each partition's rows, if rows were kept.
    pub fn take_rows(&mut self) -> Vec<Rows> {
        self.parts.iter_mut().map(NgramCounts::take_rows).collect()
    }
}

/// The partition of each stem id (`n_parts` at most [`MAX_PARTITIONS`]): stems in order of
/// falling frequency, each to the partition with the fewest tokens so far (ties to the lower
/// partition and the lower stem id). Stem ids depend on which thread tokenized which piece, so
/// the deal can differ between runs; the counts cannot.
fn owners(pieces: &[Tokenized], n_stems: usize, n_parts: usize) -> Vec<u8> {
    debug_assert!(n_parts <= MAX_PARTITIONS);
    // One frequency table per rayon task, not per piece: a few per thread.
    let frequency = pieces
        .par_iter()
        .fold(
            || vec![0u64; n_stems],
            |mut f, piece| {
                for &t in &piece.tokens {
                    f[t as usize] += 1;
                }
                f
            },
        )
        .reduce(
            || vec![0u64; n_stems],
            |mut a, b| {
                for (total, n) in a.iter_mut().zip(b) {
                    *total += n;
                }
                a
            },
        );
    let mut order: Vec<u32> = (0..n_stems as u32).collect();
    order.sort_unstable_by_key(|&s| (Reverse(frequency[s as usize]), s));
    let mut load: BinaryHeap<Reverse<(u64, u8)>> =
        (0..n_parts as u8).map(|p| Reverse((0, p))).collect();
    let mut owner = vec![0u8; n_stems];
    for s in order {
        if let Some(Reverse((tokens, p))) = load.pop() {
            owner[s as usize] = p;
            load.push(Reverse((tokens + frequency[s as usize], p)));
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Sorted lists, not maps, so that an n-gram counted twice shows.
    type Table = Vec<(String, u64, usize)>;
    type DocRows = Vec<Vec<(String, u32)>>;

    /// Counts `texts` (words split on spaces, each its own stem) on `threads` threads: each
    /// n-gram's document frequency and distinct sources, and each document's counts.
    fn count(
        texts: &[String],
        sources: &[u32],
        range: NgramRange,
        threads: usize,
    ) -> (Table, DocRows) {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut counts = pool.install(|| {
            CorpusCounts::count(&refs, sources, range, 2, true, |text, _, stems, out| {
                out.extend(
                    text.split(' ')
                        .filter(|w| !w.is_empty())
                        .map(|w| stems.id(w)),
                )
            })
        });
        let mut table: Table = pool
            .install(|| counts.candidates().collect::<Vec<_>>())
            .into_iter()
            .filter(|&(_, df, _)| df > 0)
            .map(|(n, df, s)| (counts.term(n), df, s))
            .collect();
        table.sort();
        let rows = counts.take_rows();
        let doc_rows = (0..texts.len())
            .map(|d| {
                rows.iter()
                    .enumerate()
                    .flat_map(|(p, r)| r.get(d).iter().map(move |&(n, k)| ((p as u32, n), k)))
                    .map(|(n, k)| (counts.term(n), k))
                    .collect::<Vec<_>>()
            })
            .map(|mut row| {
                row.sort();
                row
            })
            .collect();
        (table, doc_rows)
    }

    proptest::proptest! {
        /// Any number of threads (so of pieces and partitions) gives the counts of brute-force
        /// window counting, distinct sources (up to `min_sources` = 2) included.
        #[test]
        fn every_thread_count_gives_the_brute_force_counts(
            docs in proptest::collection::vec(proptest::collection::vec(0u32..50, 0..30), 1..25),
            min in 1usize..3,
            extra in 0usize..3,
        ) {
            let range = NgramRange::new(min, min + extra).unwrap();
            let texts: Vec<String> = docs
                .iter()
                .map(|d| d.iter().map(|w| format!("w{w}")).collect::<Vec<_>>().join(" "))
                .collect();
            let sources: Vec<u32> = (0..texts.len() as u32).map(|d| d % 3).collect();
            let mut df: BTreeMap<String, (u64, BTreeSet<u32>)> = Default::default();
            let mut expected_rows: DocRows = Vec::new();
            for (text, &source) in texts.iter().zip(&sources) {
                let words: Vec<String> = text.split(' ').filter(|w| !w.is_empty()).map(String::from).collect();
                let mut row: BTreeMap<String, u32> = Default::default();
                for term in range.terms(&words) {
                    *row.entry(term).or_default() += 1;
                }
                for term in row.keys() {
                    let e = df.entry(term.clone()).or_default();
                    e.0 += 1;
                    e.1.insert(source);
                }
                expected_rows.push(row.into_iter().collect());
            }
            let expected: Table = df.into_iter().map(|(t, (d, s))| (t, d, s.len().min(2))).collect();
            for threads in 1..4 {
                let (table, rows) = count(&texts, &sources, range, threads);
                proptest::prop_assert_eq!(&table, &expected, "{} threads", threads);
                proptest::prop_assert_eq!(&rows, &expected_rows, "{} threads", threads);
            }
        }
    }

    #[test]
    fn frequent_stems_are_dealt_to_the_least_loaded_partition() {
        let piece = Tokenized {
            worker: 0,
            // Stem 0: 5 tokens, stem 1: 3, stem 2: 2, stem 3: 1.
            tokens: vec![0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3],
            ends: vec![11],
        };
        assert_eq!(owners(&[piece], 4, 2), [0, 1, 1, 0]);
    }
}
