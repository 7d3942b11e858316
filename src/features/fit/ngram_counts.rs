//! Training-time n-gram counting: the document frequency (and distinct sources) of every n-gram
//! of a corpus, or of the n-grams one partition of it owns, and each document's n-gram counts.
//! N-grams are nodes of a trie over stem ids ([`StemTable`]). [`crate::features::fit::corpus_counts`] runs
//! one count per partition on all threads.

use crate::features::index::slot_index::{hash, SlotIndex};
use crate::features::index::str_map::StrMap;
use crate::features::ngrams::NgramRange;

/// The trie node of the empty n-gram.
const ROOT: u32 = 0;

/// The hash of the edge from `node` under `stem`.
#[inline]
fn edge_hash(node: u32, stem: u32) -> u32 {
    hash(u64::from(node), u64::from(stem))
}

/// Stems numbered in order of first appearance.
#[derive(Debug, Default)]
pub struct StemTable {
    names: Vec<Box<str>>,
    ids: StrMap,
}

impl StemTable {
    /// The id of `stem`, numbering it if it is new.
    pub fn id(&mut self, stem: &str) -> u32 {
        let next = self.names.len() as u32;
        let id = self.ids.get_or_insert_with(stem, || next);
        if id == next {
            self.names.push(stem.into());
        }
        id
    }

    /// The stems, by id.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }
}

/// The n-gram counts of a corpus, or of the n-grams a partition of the corpus owns: each
/// n-gram is a node of a trie over stem ids.
#[derive(Debug, Default)]
pub struct NgramCounts {
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
    /// Each document's `(node, count)` pairs sorted by node, one after another, and where each
    /// document's pairs end; kept when rows are.
    rows: Option<Rows>,
    scratch: Vec<u32>,
    level: Vec<(u32, u32)>,
}

/// Documents' `(node, count)` pairs, flat.
#[derive(Debug, Default)]
pub struct Rows {
    pairs: Vec<(u32, u32)>,
    ends: Vec<usize>,
}

impl Rows {
    /// The `(node, count)` pairs of document `doc`, sorted by node.
    pub fn get(&self, doc: usize) -> &[(u32, u32)] {
        let start = if doc == 0 { 0 } else { self.ends[doc - 1] };
        &self.pairs[start..self.ends[doc]]
    }

    /// The number of documents.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

impl NgramCounts {
    /// Empty counts; `keep_rows` keeps each document's n-gram counts for building its row.
    pub fn new(min_sources: usize, keep_rows: bool) -> Self {
        NgramCounts {
            nodes: vec![(ROOT, 0)],
            df: vec![0],
            sources: if min_sources > 1 {
                vec![Vec::new()]
            } else {
                Vec::new()
            },
            min_sources,
            rows: keep_rows.then(Rows::default),
            ..NgramCounts::default()
        }
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

    /// Counts one document given as the stem ids of its tokens: the n-grams that start at the
    /// token positions `owns` accepts (all of them, for counts of the whole corpus).
    ///
    /// The n-grams are found a length at a time: all unigrams, then all bigrams, and so on.
    /// Before each length's lookups, a pass reads the index slot and the node each lookup will
    /// check first. Those reads do not depend on each other, so their cache misses overlap;
    /// in the lookups themselves each read depends on the one before.
    pub fn add_document(
        &mut self,
        stems: &[u32],
        owns: impl Fn(usize) -> bool,
        source: u32,
        range: NgramRange,
    ) {
        let mut seen = std::mem::take(&mut self.scratch);
        let mut level = std::mem::take(&mut self.level);
        seen.clear();
        level.clear();
        // `level` holds, for each owned start `i`, the node of the n-gram of the current
        // length starting at token `i`.
        for (i, &stem) in stems.iter().enumerate() {
            if owns(i) {
                level.push((self.child(ROOT, stem), i as u32));
            }
        }
        if range.min() <= 1 {
            seen.extend(level.iter().map(|&(node, _)| node));
        }
        for len in 1..range.max().min(stems.len()) {
            // Starts are increasing, so the n-grams that still fit in the text are a prefix.
            let fit = level.partition_point(|&(_, i)| i as usize + len < stems.len());
            level.truncate(fit);
            let mut touched = 0u32;
            for &(node, i) in &level {
                let c = self
                    .children
                    .candidate(edge_hash(node, stems[i as usize + len]));
                touched ^= self.nodes.get(c as usize).map_or(0, |n| n.0);
            }
            std::hint::black_box(touched);
            for (node, i) in level.iter_mut() {
                *node = self.child(*node, stems[*i as usize + len]);
            }
            if len + 1 >= range.min() {
                seen.extend(level.iter().map(|&(node, _)| node));
            }
        }
        // Sorted, each distinct n-gram of the document is one run: one document frequency.
        radsort::sort(&mut seen);
        for run in seen.chunk_by(|a, b| a == b) {
            let n = run[0] as usize;
            self.df[n] += 1;
            if self.min_sources > 1 {
                let s = &mut self.sources[n];
                if s.len() < self.min_sources && !s.contains(&source) {
                    s.push(source);
                }
            }
            if let Some(rows) = &mut self.rows {
                rows.pairs.push((run[0], run.len() as u32));
            }
        }
        if let Some(rows) = &mut self.rows {
            rows.ends.push(rows.pairs.len());
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

    /// A node's n-gram as its stems (named by `names`) joined by single spaces.
    #[cfg(test)]
    pub fn term(&self, node: u32, names: &[Box<str>]) -> String {
        let mut term = String::new();
        self.write_term(node, names, &mut term);
        term
    }

    /// Appends a node's n-gram to `out`, without allocating: the stems are found from the
    /// last up, so the walk is repeated once per stem (n-grams are a few stems long).
    pub fn write_term(&self, node: u32, names: &[Box<str>], out: &mut String) {
        let mut depth = 0;
        let mut n = node;
        while n != ROOT {
            depth += 1;
            n = self.nodes[n as usize].0;
        }
        for up in (0..depth).rev() {
            let mut n = node;
            for _ in 0..up {
                n = self.nodes[n as usize].0;
            }
            if up + 1 < depth {
                out.push(' ');
            }
            out.push_str(&names[self.nodes[n as usize].1 as usize]);
        }
    }

    /// Each document's `(node, count)` pairs, if rows were kept.
    pub fn take_rows(&mut self) -> Rows {
        self.rows.take().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn counts(docs: &[&[&str]]) -> (NgramCounts, StemTable) {
        let (mut c, mut stems) = (NgramCounts::new(1, false), StemTable::default());
        for doc in docs {
            let ids: Vec<u32> = doc.iter().map(|s| stems.id(s)).collect();
            c.add_document(&ids, |_| true, 0, NgramRange::default());
        }
        (c, stems)
    }

    fn df_table((c, stems): &(NgramCounts, StemTable)) -> Vec<(String, u64)> {
        let mut t: Vec<_> = (1..c.n_nodes() as u32)
            .map(|n| (c.term(n, stems.names()), c.df(n)))
            .collect();
        t.sort();
        t
    }

    #[test]
    fn document_frequency_counts_each_document_once() {
        let c = counts(&[&["a", "b", "a", "b"], &["b", "a"]]);
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

    #[test]
    fn a_partition_counts_only_the_ngrams_its_first_stems_start() {
        let (mut c, mut stems) = (NgramCounts::new(1, true), StemTable::default());
        let ids: Vec<u32> = ["a", "b", "a", "c"].iter().map(|s| stems.id(s)).collect();
        let a = ids[0];
        c.add_document(&ids, |i| ids[i] == a, 0, NgramRange::default());
        c.add_document(&[], |_| true, 0, NgramRange::default());
        assert_eq!(
            df_table(&(c, stems))
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>(),
            ["a", "a b", "a c"]
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
        /// numbers run far ahead of the number of bigrams in the trie's index, and with the
        /// n-grams split into partitions by first stem: together the partitions count each
        /// n-gram once, with its document frequency, and give each document's counts.
        #[test]
        fn partitions_together_agree_with_brute_force(
            docs in proptest::collection::vec(proptest::collection::vec(0u32..300, 0..40), 1..30),
            min in 1usize..3,
            extra in 0usize..2,
            n_parts in 1u32..4,
        ) {
            let (range, words) = (NgramRange::new(min, min + extra).unwrap(), words_of(&docs));
            let mut stems = StemTable::default();
            let ids: Vec<Vec<u32>> = words
                .iter()
                .map(|d| d.iter().map(|s| stems.id(s)).collect())
                .collect();
            let mut expected: BTreeMap<String, u64> = Default::default();
            let mut expected_rows = Vec::new();
            for doc in &words {
                let mut row: BTreeMap<String, u32> = Default::default();
                for term in range.terms(doc) {
                    *row.entry(term).or_default() += 1;
                }
                for term in row.keys() {
                    *expected.entry(term.clone()).or_default() += 1;
                }
                expected_rows.push(row);
            }
            let mut counted: BTreeMap<String, u64> = Default::default();
            let mut rows: Vec<BTreeMap<String, u32>> = vec![Default::default(); words.len()];
            for p in 0..n_parts {
                let mut c = NgramCounts::new(1, true);
                for doc in &ids {
                    c.add_document(doc, |i| doc[i] % n_parts == p, 0, range);
                }
                for n in (1..c.n_nodes() as u32).filter(|&n| c.df(n) > 0) {
                    let fresh = counted.insert(c.term(n, stems.names()), c.df(n)).is_none();
                    proptest::prop_assert!(fresh, "an n-gram counted by two partitions");
                }
                let part_rows = c.take_rows();
                proptest::prop_assert_eq!(part_rows.len(), words.len());
                for (d, row) in rows.iter_mut().enumerate() {
                    for &(n, k) in part_rows.get(d) {
                        row.insert(c.term(n, stems.names()), k);
                    }
                }
            }
            proptest::prop_assert_eq!(counted, expected);
            proptest::prop_assert_eq!(rows, expected_rows);
        }
    }
}
