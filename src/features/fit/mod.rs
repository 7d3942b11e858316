//! Fitting the vocabulary: counting a training corpus's n-grams, their document frequencies
//! and distinct sources, on all threads.
//!
//! [`ngram_counts`] counts one partition's n-grams in a trie over stem ids; [`corpus_counts`]
//! tokenizes the corpus on all threads and runs one count per partition.

pub(crate) mod corpus_counts;
pub(crate) mod ngram_counts;
