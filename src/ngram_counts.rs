//! Training-time n-gram counting: the document frequency (and distinct sources) of every n-gram
//! of a corpus, and each document's n-gram counts, in one pass over the text.
//!
//! Each thread counts a contiguous chunk of the corpus with its own tables (stems interned to
//! ids, n-grams as nodes of a trie over stem ids), so no lock is
//! taken per word. The chunks are then merged into the first one. Counts are sums, and the
//! vocabulary chosen from them is ordered by term string, so the result does not depend on how
//! the corpus was split, that is, on the number of threads.

use crate::ngrams::NgramRange;
use crate::slot_index::{hash, SlotIndex};
use crate::str_map::StrMap;

/// The trie node of the empty n-gram.
const ROOT: u32 = 0;

/// The hash of the edge from `node` under `stem`.
#[inline]
fn edge_hash(node: u32, stem: u32) -> u32 {
    hash(u64::from(node), u64::from(stem))
}

/// The most words a [`WordCache`] holds; one that fills up is cleared, which bounds its memory
/// on endless input (a stream of scraped pages) at the cost of stemming some words again.
pub const WORD_CACHE_LIMIT: usize = 1 << 18;

/// The id a [`WordCache`] keeps for a stop word; no stem id reaches it.
pub const STOP_WORD: u32 = u32::MAX - 1;

/// A cache from each distinct folded word to its stem id (or [`STOP_WORD`]), so each word is
/// stemmed once.
#[derive(Debug, Default)]
pub struct WordCache {
    map: StrMap,
}

impl WordCache {
    /// The cached id of `word`, or the id `compute` gives, which is then cached.
    #[inline]
    pub fn get_or_insert(&mut self, word: &str, compute: impl FnOnce(&str) -> u32) -> u32 {
        if self.map.len() >= WORD_CACHE_LIMIT {
            self.map.clear();
        }
        self.map.get_or_insert_with(word, || compute(word))
    }

    /// Forgets every word; for reuse after the ids it maps to have changed meaning.
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// The n-gram counts of one chunk of the corpus (or, after [`merge`], of all of it).
#[derive(Debug, Default)]
pub struct ChunkCounts {
    stems: Vec<Box<str>>,
    stem_ids: StrMap,
    /// The trie: the root's child for each stem id (`ROOT` for none yet), and an index of the
    /// other nodes by their `(parent node, stem)`, which `nodes` holds. The index has 4-byte
    /// slots, sized to the node count (node ids are its entry numbers), and the nodes of
    /// frequent n-grams, created first, share cache lines.
    roots: Vec<u32>,
    children: SlotIndex,
    /// Each node's parent and stem; node 0 is the root.
    nodes: Vec<(u32, u32)>,
    df: Vec<u32>,
    /// Up to `min_sources` distinct sources per node, kept only when `min_sources > 1`.
    sources: Vec<Vec<u32>>,
    min_sources: usize,
    n_docs: u32,
    /// Each document's `(node, count)` pairs sorted by node, when rows are kept.
    rows: Option<Vec<Row>>,
    scratch: Vec<u32>,
    level: Vec<u32>,
}

impl ChunkCounts {
    /// Empty counts; `keep_rows` keeps each document's n-gram counts for building its row.
    pub fn new(min_sources: usize, keep_rows: bool) -> Self {
        ChunkCounts {
            nodes: vec![(ROOT, 0)],
            df: vec![0],
            sources: if min_sources > 1 {
                vec![Vec::new()]
            } else {
                Vec::new()
            },
            min_sources,
            rows: keep_rows.then(Vec::new),
            ..ChunkCounts::default()
        }
    }

    /// The id of a stem in this chunk, interning it.
    pub fn stem_id(&mut self, stem: &str) -> u32 {
        let next = self.stems.len() as u32;
        let id = self.stem_ids.get_or_insert_with(stem, || next);
        if id == next {
            self.stems.push(stem.into());
        }
        id
    }

    fn child(&mut self, node: u32, stem: u32) -> u32 {
        let next = self.nodes.len() as u32;
        let child = if node == ROOT {
            // The root's children sit in a dense array by stem id: every word starts a walk.
            if self.roots.len() <= stem as usize {
                self.roots.resize(stem as usize + 1, ROOT);
            }
            let slot = &mut self.roots[stem as usize];
            if *slot == ROOT {
                *slot = next;
            }
            *slot
        } else {
            let hash = edge_hash(node, stem);
            let nodes = &self.nodes;
            match self
                .children
                .find(hash, |n| nodes[n as usize] == (node, stem))
            {
                Some(child) => child,
                None => {
                    if !self.children.has_room_for(next) {
                        self.children.grow(
                            next,
                            (1..nodes.len() as u32)
                                .filter(|&n| nodes[n as usize].0 != ROOT)
                                .map(|n| (n, edge_hash(nodes[n as usize].0, nodes[n as usize].1))),
                        );
                    }
                    self.children.insert(hash, next);
                    next
                }
            }
        };
        if child == next {
            self.nodes.push((node, stem));
            self.df.push(0);
            if self.min_sources > 1 {
                self.sources.push(Vec::new());
            }
        }
        child
    }

    /// Counts one document given as the stem ids of its tokens.
    ///
    /// The n-grams are found a length at a time: all unigrams, then all bigrams, and so on.
    /// Before each length's lookups, a pass reads the index slot and the node each lookup will
    /// check first. Those reads do not depend on each other, so their cache misses overlap;
    /// in the lookups themselves each read depends on the one before.
    pub fn add_document(&mut self, stems: &[u32], source: u32, range: NgramRange) {
        self.n_docs += 1;
        let mut seen = std::mem::take(&mut self.scratch);
        let mut level = std::mem::take(&mut self.level);
        seen.clear();
        level.clear();
        // `level[i]` is the node of the n-gram of the current length starting at token `i`.
        level.extend(stems.iter().map(|&stem| self.child(ROOT, stem)));
        if range.min() <= 1 {
            seen.extend_from_slice(&level);
        }
        for len in 1..range.max().min(stems.len()) {
            level.truncate(stems.len() - len);
            let next = &stems[len..];
            let mut touched = 0u32;
            for (&node, &stem) in level.iter().zip(next) {
                let c = self.children.candidate(edge_hash(node, stem));
                touched ^= self.nodes.get(c as usize).map_or(0, |n| n.0);
            }
            std::hint::black_box(touched);
            for (node, &stem) in level.iter_mut().zip(next) {
                *node = self.child(*node, stem);
            }
            if len + 1 >= range.min() {
                seen.extend_from_slice(&level);
            }
        }
        // Sorted, each distinct n-gram of the document is one run: one document frequency.
        radsort::sort(&mut seen);
        let mut row: Row = Vec::new();
        let keep_row = self.rows.is_some();
        for run in seen.chunk_by(|a, b| a == b) {
            let n = run[0] as usize;
            self.df[n] += 1;
            if self.min_sources > 1 {
                let s = &mut self.sources[n];
                if s.len() < self.min_sources && !s.contains(&source) {
                    s.push(source);
                }
            }
            if keep_row {
                row.push((run[0], run.len() as u32));
            }
        }
        if let Some(rows) = &mut self.rows {
            rows.push(row);
        }
        self.scratch = seen;
        self.level = level;
    }

    /// The number of nodes (n-grams and the root).
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// A node's document frequency.
    pub fn df(&self, node: u32) -> u64 {
        u64::from(self.df[node as usize])
    }

    /// How many distinct sources use a node's n-gram, counted up to `min_sources`.
    pub fn n_sources(&self, node: u32) -> usize {
        if self.min_sources > 1 {
            self.sources[node as usize].len()
        } else {
            1
        }
    }

    /// A node's n-gram as its stems joined by single spaces.
    pub fn term(&self, node: u32) -> String {
        let mut stems = Vec::new();
        let mut n = node;
        while n != ROOT {
            let (parent, stem) = self.nodes[n as usize];
            stems.push(&*self.stems[stem as usize]);
            n = parent;
        }
        stems.reverse();
        stems.join(" ")
    }

    /// Each document's `(node, count)` pairs, if rows were kept.
    pub fn take_rows(&mut self) -> Vec<Row> {
        self.rows.take().unwrap_or_default()
    }
}

/// One document's `(node, count)` pairs, sorted by node.
pub type Row = Vec<(u32, u32)>;

/// A chunk's documents after a merge: the map from the chunk's node ids to the merged ids
/// (`None` for the first chunk, whose ids are the merged ones), and its rows, still in the
/// chunk's own ids.
pub type ChunkRows = (Option<Vec<u32>>, Vec<Row>);

/// Merges the chunks into the first: returns the merged counts and each chunk's rows.
pub fn merge(chunks: Vec<ChunkCounts>) -> (ChunkCounts, Vec<ChunkRows>) {
    let mut chunks = chunks.into_iter();
    let Some(mut base) = chunks.next() else {
        return (ChunkCounts::new(1, false), Vec::new());
    };
    let rows = base.take_rows();
    let mut maps = vec![(None, rows)];
    for mut chunk in chunks {
        let stem_map: Vec<u32> = chunk.stems.iter().map(|s| base.stem_id(s)).collect();
        let mut node_map = vec![ROOT; chunk.nodes.len()];
        for n in 1..chunk.nodes.len() {
            // A parent is always created before its children, so it is mapped already.
            let (parent, stem) = chunk.nodes[n];
            let merged = base.child(node_map[parent as usize], stem_map[stem as usize]);
            node_map[n] = merged;
            let m = merged as usize;
            base.df[m] += chunk.df[n];
            if base.min_sources > 1 {
                for &s in &chunk.sources[n] {
                    let into = &mut base.sources[m];
                    if into.len() < base.min_sources && !into.contains(&s) {
                        into.push(s);
                    }
                }
            }
        }
        base.n_docs += chunk.n_docs;
        maps.push((Some(node_map), chunk.take_rows()));
    }
    (base, maps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(docs: &[&[&str]], keep_rows: bool) -> ChunkCounts {
        let mut c = ChunkCounts::new(1, keep_rows);
        for doc in docs {
            let ids: Vec<u32> = doc.iter().map(|s| c.stem_id(s)).collect();
            c.add_document(&ids, 0, NgramRange::default());
        }
        c
    }

    fn df_table(c: &ChunkCounts) -> Vec<(String, u64)> {
        let mut t: Vec<_> = (1..c.n_nodes() as u32)
            .map(|n| (c.term(n), c.df(n)))
            .collect();
        t.sort();
        t
    }

    #[test]
    fn word_cache_tells_words_apart_and_computes_each_once() {
        let mut cache = WordCache::default();
        let mut calls = 0;
        let words = [
            "a",
            "ab",
            "ab\0",
            "fifteen-bytes-x",
            "sixteen-bytes-xy",
            "кремль",
        ];
        for round in 0..2 {
            for (i, w) in words.iter().enumerate() {
                let id = cache.get_or_insert(w, |_| {
                    calls += 1;
                    i as u32
                });
                assert_eq!(id, i as u32, "{w} in round {round}");
            }
        }
        assert_eq!(calls, words.len());
    }

    #[test]
    fn document_frequency_counts_each_document_once() {
        let c = counts(&[&["a", "b", "a", "b"], &["b", "a"]], false);
        assert_eq!(
            df_table(&c),
            [
                ("a".to_string(), 2),
                ("a b".to_string(), 1),
                ("b".to_string(), 2),
                ("b a".to_string(), 2),
            ]
        );
    }

    /// Documents of word numbers as words.
    fn words_of(docs: &[Vec<u32>]) -> Vec<Vec<String>> {
        docs.iter()
            .map(|d| d.iter().map(|w| format!("w{w}")).collect())
            .collect()
    }

    proptest::proptest! {
        /// Against counting every window's string, with enough distinct words that node
        /// numbers run far ahead of the number of bigrams in the trie's index.
        #[test]
        fn counts_agree_with_brute_force(
            docs in proptest::collection::vec(proptest::collection::vec(0u32..300, 0..40), 1..30),
            min in 1usize..3,
            extra in 0usize..2,
        ) {
            let (range, words) = (NgramRange::new(min, min + extra).unwrap(), words_of(&docs));
            let mut c = ChunkCounts::new(1, true);
            let mut expected: std::collections::BTreeMap<String, u64> = Default::default();
            let mut expected_rows = Vec::new();
            for doc in &words {
                let ids: Vec<u32> = doc.iter().map(|s| c.stem_id(s)).collect();
                c.add_document(&ids, 0, range);
                let mut row: std::collections::BTreeMap<String, u32> = Default::default();
                for n in range.min()..=range.max() {
                    for w in doc.windows(n) {
                        *row.entry(w.join(" ")).or_default() += 1;
                    }
                }
                for term in row.keys() {
                    *expected.entry(term.clone()).or_default() += 1;
                }
                expected_rows.push(row);
            }
            let counted: std::collections::BTreeMap<String, u64> = (1..c.n_nodes() as u32)
                .filter(|&n| c.df(n) > 0)
                .map(|n| (c.term(n), c.df(n)))
                .collect();
            proptest::prop_assert_eq!(counted, expected);
            for (row, expected) in c.take_rows().iter().zip(&expected_rows) {
                let row: std::collections::BTreeMap<String, u32> =
                    row.iter().map(|&(n, k)| (c.term(n), k)).collect();
                proptest::prop_assert_eq!(&row, expected);
            }
        }

        /// Counting the corpus in chunks and merging gives the document frequencies, the
        /// distinct sources and the rows of counting it whole, wherever the cuts fall.
        #[test]
        fn merged_chunks_agree_with_the_whole(
            docs in proptest::collection::vec(proptest::collection::vec(0u32..60, 0..30), 1..20),
            cuts in proptest::collection::vec(0usize..20, 0..4),
            min in 1usize..3,
            extra in 0usize..3,
        ) {
            let (range, words) = (NgramRange::new(min, min + extra).unwrap(), words_of(&docs));
            // Sources follow the document's place in the whole corpus.
            let build = |from: usize, to: usize| {
                let mut c = ChunkCounts::new(2, true);
                for (i, d) in words[from..to].iter().enumerate() {
                    let ids: Vec<u32> = d.iter().map(|s| c.stem_id(s)).collect();
                    c.add_document(&ids, ((from + i) % 3) as u32, range);
                }
                c
            };
            let mut whole = build(0, words.len());
            let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(words.len())).collect();
            bounds.extend([0, words.len()]);
            bounds.sort_unstable();
            bounds.dedup();
            let chunks: Vec<ChunkCounts> = bounds.windows(2).map(|w| build(w[0], w[1])).collect();
            let (merged, maps) = merge(chunks);
            let table = |c: &ChunkCounts| {
                let mut t: Vec<_> = (1..c.n_nodes() as u32)
                    .filter(|&n| c.df(n) > 0)
                    .map(|n| (c.term(n), c.df(n), c.n_sources(n)))
                    .collect();
                t.sort();
                t
            };
            proptest::prop_assert_eq!(table(&whole), table(&merged));
            let whole_rows: Vec<Vec<(String, u32)>> = whole
                .take_rows()
                .iter()
                .map(|r| {
                    let mut v: Vec<_> = r.iter().map(|&(n, k)| (whole.term(n), k)).collect();
                    v.sort();
                    v
                })
                .collect();
            let mut merged_rows = Vec::new();
            for (map, rows) in &maps {
                for r in rows {
                    let mut v: Vec<_> = r
                        .iter()
                        .map(|&(n, k)| (merged.term(map.as_ref().map_or(n, |m| m[n as usize])), k))
                        .collect();
                    v.sort();
                    merged_rows.push(v);
                }
            }
            proptest::prop_assert_eq!(whole_rows, merged_rows);
        }
    }

    #[test]
    fn merging_chunks_gives_the_counts_of_the_whole() {
        let docs: &[&[&str]] = &[&["a", "b", "c"], &["c", "b"], &["b", "c", "d"], &["a"]];
        let whole = counts(docs, false);
        let merged = merge(vec![counts(&docs[..1], true), counts(&docs[1..], true)]);
        assert_eq!(df_table(&whole), df_table(&merged.0));
        // Rows come back in the chunks' own node ids with a map into the merged ids.
        assert!(
            merged.1[0].0.is_none(),
            "the first chunk's ids are the merged ones"
        );
        let (Some(map), rows) = &merged.1[1] else {
            panic!("the second chunk has a node map");
        };
        let terms: Vec<String> = rows[0]
            .iter()
            .map(|&(n, _)| merged.0.term(map[n as usize]))
            .collect();
        assert_eq!(terms.len(), 3, "c, b and c b: {terms:?}");
    }
}
