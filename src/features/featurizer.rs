//! The featurizer: the pipeline from raw text to a TF-IDF row,
//! `mask -> tokenize -> spelling -> stop words -> stem -> n-grams -> vocabulary -> tf-idf`.
//!
//! [`FeaturizerParams`] is the unfitted, checked configuration; [`FeaturizerParams::fit`] is the
//! only way to get a [`Featurizer`], which is the only type that can transform text. Everything
//! that shapes features lives in the params plus the fitted vocabulary and IDF, all of which are
//! saved in the model file, so scoring reproduces training exactly.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{ParamError, StanceError};
use crate::features::fit::corpus_counts::CorpusCounts;
use crate::features::fit::ngram_counts::Rows;
use crate::features::ngrams::NgramRange;
use crate::features::sparse::{CsrMatrix, SparseRow};
use crate::features::tfidf::{Tfidf, TfidfParams};
use crate::features::vocabulary::{Vocabulary, VocabularyParams};
use crate::features::word_cache::{WordCache, STOP_WORD};
use crate::features::workers::{pieces, PerWorker};
use crate::text::mask::{MaskRules, Masker};
use crate::text::spelling::{Normaliser, Spelling};
use crate::text::tokenize::{Tokenizer, TokenizerConfig};

/// Everything that shapes features before fitting. Each part documents its own defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeaturizerParams {
    pub mask: MaskRules,
    pub tokenizer: TokenizerConfig,
    pub ngram_range: NgramRange,
    pub vocabulary: VocabularyParams,
    pub tfidf: TfidfParams,
    /// One spelling for words written several ways, applied before stop words and stemming;
    /// `None` (the default) keeps every spelling. Last, and absent from files without one, so
    /// that those stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spelling: Option<Spelling>,
}

/// How many n-gram terms a text had, and how many of them are in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TermCoverage {
    pub terms: usize,
    pub known: usize,
}

/// The compiled, unfitted front half of the pipeline (mask, tokenize, spelling, stem,
/// n-grams), shared by fitting and transforming.
#[derive(Debug)]
struct Analyzer {
    masker: Masker,
    tokenizer: Tokenizer,
    /// Empty when the model has no spelling normaliser.
    spelling: Normaliser,
    /// The spellings of stop words that are variants (`defence` -> `defense`): a word is a stop
    /// word when its spelling is a stop word or the spelling of one, so that a stop list
    /// written in either spelling drops both.
    respelled_stop_words: rustc_hash::FxHashSet<String>,
    ngram_range: NgramRange,
}

impl Analyzer {
    /// Compiles the masking rules; the other parameters are checked by the caller.
    fn new(params: &FeaturizerParams) -> Result<Self, StanceError> {
        let spelling = params
            .spelling
            .as_ref()
            .map(Spelling::normaliser)
            .unwrap_or_default();
        let respelled_stop_words = params
            .tokenizer
            .stop_words
            .to_set()
            .iter()
            .filter_map(|w| {
                let n = spelling.normalise(w);
                (n != w).then(|| n.to_string())
            })
            .collect();
        Ok(Analyzer {
            masker: params.mask.compile()?,
            tokenizer: Tokenizer::new(&params.tokenizer),
            spelling,
            respelled_stop_words,
            ngram_range: params.ngram_range,
        })
    }

    /// The stem of a folded word's spelling, or `None` for a stop word.
    fn stem_of<'a>(&'a self, word: &'a str) -> Option<std::borrow::Cow<'a, str>> {
        let spelled = self.spelling.normalise(word);
        if self.tokenizer.is_stop_word(spelled) || self.respelled_stop_words.contains(spelled) {
            return None;
        }
        Some(self.tokenizer.stem(spelled))
    }

    /// Calls `f` with the span, id and folded word of every token of `text` that is not a
    /// stop word. `cache` keeps each distinct word's id, which `id_of` makes from the stem of
    /// its spelling on the word's first occurrence, so spelling, Snowball and the stop-word
    /// lookup run once per distinct word. Fitting, scoring and explaining all read text through here.
    fn for_each_word_id(
        &self,
        text: &str,
        cache: &mut WordCache,
        mut id_of: impl FnMut(&str) -> u32,
        mut f: impl FnMut(Range<usize>, u32, &str),
    ) {
        let masked = self.masker.mask(text);
        self.tokenizer
            .for_each_token_with_stop_words(text, &masked, |span, word| {
                let id = cache.get_or_insert(word, |w| match self.stem_of(w) {
                    None => STOP_WORD,
                    Some(stem) => id_of(&stem),
                });
                if id != STOP_WORD {
                    f(span, id, word);
                }
            });
    }
}

impl FeaturizerParams {
    /// Refuses vocabulary filters no corpus could satisfy and a spelling map that normalising
    /// twice would change. (The masking rules are checked where they are compiled: fitting,
    /// loading, and the training parameters' check.)
    pub fn check(&self) -> Result<(), ParamError> {
        self.vocabulary.check()?;
        self.spelling.as_ref().map_or(Ok(()), Spelling::check)
    }

    /// Checks the parameters, then fits the vocabulary and IDF on `texts`, where `sources[i]` identifies the outlet of
    /// `texts[i]` (used only by `min_sources`), and returns the fitted featurizer together with
    /// the training matrix. The text is read once: the rows are built from the same counts the
    /// vocabulary is chosen from.
    pub fn fit(
        &self,
        texts: &[&str],
        sources: &[u32],
    ) -> Result<(Featurizer, CsrMatrix), StanceError> {
        self.check()?;
        self.fit_checked(texts, sources)
    }

    /// [`FeaturizerParams::fit`] with parameters checked already (by the training parameters'
    /// check).
    pub(crate) fn fit_checked(
        &self,
        texts: &[&str],
        sources: &[u32],
    ) -> Result<(Featurizer, CsrMatrix), StanceError> {
        let (featurizer, matrix) = self.fit_counts(texts, sources, true)?;
        let n_features = featurizer.n_features();
        Ok((
            featurizer,
            matrix.unwrap_or_else(|| CsrMatrix::new(n_features)),
        ))
    }

    /// Checks the parameters, then fits the vocabulary and IDF on `texts` without transforming
    /// them.
    pub fn fit_vocabulary(
        &self,
        texts: &[&str],
        sources: &[u32],
    ) -> Result<Featurizer, StanceError> {
        self.check()?;
        Ok(self.fit_counts(texts, sources, false)?.0)
    }

    fn fit_counts(
        &self,
        texts: &[&str],
        sources: &[u32],
        keep_rows: bool,
    ) -> Result<(Featurizer, Option<CsrMatrix>), StanceError> {
        let analyzer = Analyzer::new(self)?;
        let mut counts = CorpusCounts::count(
            texts,
            sources,
            analyzer.ngram_range,
            self.vocabulary.min_sources,
            keep_rows,
            |text, cache, stems, out| {
                analyzer.for_each_word_id(
                    text,
                    cache,
                    |stem| stems.id(stem),
                    |_, id, _| out.push(id),
                )
            },
        );
        let kept = self
            .vocabulary
            .select(texts.len(), counts.candidates(), |&n, out| {
                counts.write_term(n, out)
            })?;
        let rows = counts.take_rows();
        let mut node_feature: Vec<Vec<u32>> = (0..counts.n_parts())
            .map(|p| vec![u32::MAX; counts.n_nodes(p)])
            .collect();
        for (feature, &(part, node)) in kept.tags.iter().enumerate() {
            node_feature[part as usize][node as usize] = feature as u32;
        }
        let (terms, df) = (kept.terms, kept.df);
        let tfidf = self.tfidf.fit(&df, texts.len());
        // The rows need only the node-to-feature maps, so the term index is built beside them,
        // and the counts are freed there. On one thread, `join` runs this side first, so the
        // counts are gone before the rows are built; on more, the two overlap (peak memory of
        // fit+transform measured 145-155 MB on two threads, 116-117 on one).
        let (vocabulary, matrix) = rayon::join(
            move || {
                let vocabulary = Vocabulary::from_sorted_terms(terms);
                drop(counts);
                vocabulary
            },
            || keep_rows.then(|| training_rows(texts, &rows, &node_feature, &tfidf)),
        );
        Ok((
            Featurizer {
                id: next_featurizer_id(),
                params: self.clone(),
                analyzer,
                vocabulary,
                tfidf,
            },
            matrix,
        ))
    }
}

/// The TF-IDF rows of the training documents from their n-gram counts: each document's pairs
/// from every partition, mapped to features.
fn training_rows(
    texts: &[&str],
    rows: &[Rows],
    node_feature: &[Vec<u32>],
    tfidf: &Tfidf,
) -> CsrMatrix {
    let n_features = tfidf.idf().len();
    // Several pieces per thread: the term index is built beside this on one thread, and the
    // other threads take over its share.
    let parts: Vec<CsrMatrix> = pieces(texts)
        .into_par_iter()
        .map(|docs| {
            let mut counts: Vec<(u32, u32)> = Vec::new();
            let mut part = CsrMatrix::new(n_features);
            for d in docs {
                counts.clear();
                for (part_rows, features) in rows.iter().zip(node_feature) {
                    counts.extend(part_rows.get(d).iter().filter_map(|&(node, c)| {
                        let f = features[node as usize];
                        (f != u32::MAX).then_some((f, c))
                    }));
                }
                radsort::sort_by_key(&mut counts, |&(f, _)| f);
                part.push(&tfidf.weigh(&counts));
            }
            part
        })
        .collect();
    CsrMatrix::vstack(parts, n_features)
}

static NEXT_FEATURIZER_ID: AtomicU64 = AtomicU64::new(1);

fn next_featurizer_id() -> u64 {
    NEXT_FEATURIZER_ID.fetch_add(1, Ordering::Relaxed)
}

thread_local! {
    /// Each thread's word cache for the featurizer it used last (by id), so that scoring one
    /// text after another stems each distinct word once per thread rather than once per
    /// occurrence. A cache never changes a result, only how often Snowball runs.
    static WORDS: RefCell<(u64, WordCache)> = RefCell::new((0, WordCache::default()));
}

/// A token of a text: its byte span and its stem id in the featurizer's index (one id for
/// every stem that no vocabulary term uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdToken {
    pub span: Range<usize>,
    pub stem: u32,
}

/// Reusable buffers for featurizing many texts on one thread: the word-to-stem-id cache (valid
/// for one featurizer only) and the per-text vectors.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    cache: WordCache,
    stems: Vec<u32>,
    features: Vec<u32>,
    counts: Vec<(u32, u32)>,
}

/// A fitted featurizer: turns any text into a TF-IDF row over the training vocabulary.
#[derive(Debug)]
pub struct Featurizer {
    /// Tells this featurizer's entries in a thread's word cache from another's.
    id: u64,
    params: FeaturizerParams,
    analyzer: Analyzer,
    vocabulary: Vocabulary,
    tfidf: Tfidf,
}

impl Featurizer {
    /// Rebuilds a fitted featurizer from its parameters, its vocabulary (in feature order) and
    /// IDF, compiling the masking rules while `vocabulary` builds the term index (the two costs
    /// of loading a model).
    pub(crate) fn from_parts(
        params: FeaturizerParams,
        vocabulary: impl FnOnce() -> Vocabulary + Send,
        tfidf: Tfidf,
    ) -> Result<Self, StanceError> {
        params.check()?;
        let (vocabulary, analyzer) = rayon::join(vocabulary, || Analyzer::new(&params));
        Ok(Featurizer {
            id: next_featurizer_id(),
            analyzer: analyzer?,
            params,
            vocabulary,
            tfidf,
        })
    }

    /// The same featurizer over only the features in `keep` (ascending feature numbers), each
    /// with its fitted IDF. Rows are then normalised over the kept terms only, so a model must
    /// be trained on the restricted featurizer's rows to score with it (training does).
    pub fn restricted(&self, keep: &[usize]) -> Result<Featurizer, StanceError> {
        let mut terms = crate::features::index::terms::Terms::with_capacity(keep.len());
        for &f in keep {
            terms.push(self.vocabulary.term(f));
        }
        let idf = keep.iter().map(|&f| self.tfidf.idf()[f]).collect();
        Ok(Featurizer {
            id: next_featurizer_id(),
            analyzer: Analyzer::new(&self.params)?,
            params: self.params.clone(),
            vocabulary: Vocabulary::from_sorted_terms(terms),
            tfidf: Tfidf::from_idf(self.tfidf.params(), idf),
        })
    }

    /// The parameters it was fitted with.
    pub fn params(&self) -> &FeaturizerParams {
        &self.params
    }

    /// The fitted vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The fitted IDF weights.
    pub fn tfidf(&self) -> &Tfidf {
        &self.tfidf
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// Calls `f` for every token of `text` that masking and the tokenizer keep, without
    /// stemming; the tokenize-only pass of `stance bench`.
    pub fn for_each_raw_token(&self, text: &str, f: impl FnMut(Range<usize>, &str)) {
        let masked = self.analyzer.masker.mask(text);
        self.analyzer.tokenizer.for_each_token(text, &masked, f);
    }

    /// The byte ranges that masking removes from `text`.
    pub fn masked_spans(&self, text: &str) -> Vec<Range<usize>> {
        self.analyzer.masker.mask(text)
    }

    /// Runs `f` with this thread's word cache for this featurizer.
    fn with_word_cache<R>(&self, f: impl FnOnce(&mut WordCache) -> R) -> R {
        WORDS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut cached) => {
                if cached.0 != self.id {
                    cached.1.clear();
                    cached.0 = self.id;
                }
                f(&mut cached.1)
            }
            // Only a re-entrant call (there is none) could find it borrowed.
            Err(_) => f(&mut WordCache::default()),
        })
    }

    /// Calls `f` with the span, stem id and folded word of every token of `text`, stemming
    /// each distinct word once per thread.
    fn for_each_id_token(&self, text: &str, mut f: impl FnMut(Range<usize>, u32, &str)) {
        let index = self.vocabulary.index();
        self.with_word_cache(|cache| {
            self.analyzer
                .for_each_word_id(text, cache, |stem| index.stem_id(stem), &mut f);
        });
    }

    /// The tokens of `text` that masking and the tokenizer keep, with their spans and stem ids.
    pub fn id_tokens(&self, text: &str) -> Vec<IdToken> {
        let mut out = Vec::new();
        self.for_each_id_token(text, |span, stem, _| out.push(IdToken { span, stem }));
        out
    }

    /// [`Featurizer::id_tokens`], each with its stem as a string, for showing: the ids come from
    /// the same walk as scoring's, and only the strings are made again.
    pub(crate) fn id_tokens_with_stems(&self, text: &str) -> Vec<(IdToken, String)> {
        let mut out = Vec::new();
        self.for_each_id_token(text, |span, stem, word| {
            let shown = self
                .analyzer
                .stem_of(word)
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default();
            out.push((IdToken { span, stem }, shown))
        });
        out
    }

    /// The stem ids of the tokens of `text`.
    pub(crate) fn stem_ids(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.for_each_id_token(text, |_, stem, _| out.push(stem));
        out
    }

    /// The TF-IDF row of a sequence of stem ids, with how many n-gram terms there were and how
    /// many of those are in the vocabulary.
    pub(crate) fn transform_stem_ids(&self, stems: &[u32]) -> (SparseRow, TermCoverage) {
        let mut features = Vec::new();
        self.vocabulary
            .index()
            .for_each_feature(stems, self.analyzer.ngram_range, |f, _| features.push(f));
        let coverage = TermCoverage {
            terms: self.analyzer.ngram_range.n_windows(stems.len()),
            known: features.len(),
        };
        let row = self.weigh_features(&mut features, &mut Vec::new());
        (row, coverage)
    }

    /// Calls `f(feature, token_range)` for every n-gram of `stems` (a text's stem ids) that is
    /// in the vocabulary.
    pub(crate) fn for_each_feature(&self, stems: &[u32], f: impl FnMut(u32, Range<usize>)) {
        self.vocabulary
            .index()
            .for_each_feature(stems, self.analyzer.ngram_range, f);
    }

    /// The TF-IDF row of one text.
    pub fn transform(&self, text: &str) -> SparseRow {
        self.transform_stem_ids(&self.stem_ids(text)).0
    }

    /// The TF-IDF row of one text, reusing `scratch` (which must only ever be used with this
    /// featurizer): each distinct word is stemmed once per scratch, not once per occurrence.
    pub(crate) fn transform_with(&self, text: &str, scratch: &mut Scratch) -> SparseRow {
        let index = self.vocabulary.index();
        let Scratch {
            cache,
            stems,
            features,
            counts,
        } = scratch;
        stems.clear();
        self.analyzer.for_each_word_id(
            text,
            cache,
            |stem| index.stem_id(stem),
            |_, id, _| stems.push(id),
        );
        features.clear();
        index.for_each_feature(stems, self.analyzer.ngram_range, |f, _| features.push(f));
        self.weigh_features(features, counts)
    }

    /// The TF-IDF row of feature occurrences (in any order).
    fn weigh_features(&self, features: &mut [u32], counts: &mut Vec<(u32, u32)>) -> SparseRow {
        // A radix sort: a few hundred ids a document, where it measured 1.75x faster than
        // `sort_unstable` and sorting was 8% of transform's instructions.
        radsort::sort(features);
        counts.clear();
        for &f in features.iter() {
            match counts.last_mut() {
                Some((last, c)) if *last == f => *c += 1,
                _ => counts.push((f, 1)),
            }
        }
        self.tfidf.weigh(counts)
    }

    /// The TF-IDF rows of many texts, in parallel, in input order.
    pub fn transform_many(&self, texts: &[&str]) -> CsrMatrix {
        // Contiguous pieces, several per thread, and one scratch per thread, so a word is
        // stemmed about once per thread: Snowball costs thousands of instructions a word, more
        // than all the rest of featurizing it. (rayon's `map_init` would make a new scratch at
        // every split.) Each piece becomes its own matrix, stacked at the end.
        let scratches: PerWorker<Scratch> = PerWorker::new();
        let parts: Vec<CsrMatrix> = pieces(texts)
            .into_par_iter()
            .map(|range| {
                let mut scratch = scratches.get();
                let mut part = CsrMatrix::new(self.n_features());
                for text in &texts[range] {
                    part.push(&self.transform_with(text, &mut scratch));
                }
                part
            })
            .collect();
        CsrMatrix::vstack(parts, self.n_features())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::vocabulary::DocFreq;

    fn params() -> FeaturizerParams {
        FeaturizerParams {
            vocabulary: VocabularyParams {
                min_df: DocFreq::Count(1),
                ..VocabularyParams::default()
            },
            ..FeaturizerParams::default()
        }
    }

    #[test]
    fn fit_then_transform_reproduces_training_rows() {
        let texts = [
            "The Kiev regime sabotaged the Minsk agreements.",
            "Russia's invasion of Ukraine; Kyiv said.",
            "MOSCOW, February 12. /TASS/: the Kiev regime again.",
        ];
        let (f, m) = params().fit(&texts, &[0, 1, 0]).unwrap();
        assert_eq!(m.n_rows(), 3);
        for (i, t) in texts.iter().enumerate() {
            let row = f.transform(t);
            assert_eq!(m.row(i), (&row.indices[..], &row.values[..]));
        }
        assert!(f.vocabulary().get("kiev regim").is_some());
        assert!(
            f.vocabulary().get("tass").is_none(),
            "outlet names are masked"
        );
    }

    #[test]
    fn a_stop_list_drops_both_spellings_of_a_word() {
        use crate::text::spelling::SpellingLists;
        use crate::text::stopwords::StopWords;
        let texts = ["the defence said", "the defense said", "a programme ran"];
        for (stop, dropped) in [
            ("defence", "defense"),
            ("defense", "defense"),
            ("program", "program"),
        ] {
            let mut p = params();
            p.tokenizer.stop_words = StopWords::Custom(vec![stop.to_string(), "the".into()]);
            p.tokenizer.stem = false;
            p.spelling = SpellingLists::Standard.spelling();
            let (f, _) = p.fit(&texts, &[0, 1, 0]).unwrap();
            assert!(f.vocabulary().get(dropped).is_none(), "{stop}");
            assert!(f.vocabulary().get("defence").is_none());
            assert!(f.vocabulary().get("said").is_some());
            // Without the normaliser, the stop list drops only the spelling it names.
            p.spelling = None;
            let (f, _) = p.fit(&texts, &[0, 1, 0]).unwrap();
            let kept = if stop == "defence" {
                "defense"
            } else {
                "programme"
            };
            assert!(f.vocabulary().get(kept).is_some(), "{stop}");
        }
    }

    #[test]
    fn unknown_words_give_an_empty_row() {
        let (f, _) = params()
            .fit(&["alpha beta", "gamma delta"], &[0, 0])
            .unwrap();
        assert_eq!(f.transform("zeta eta").nnz(), 0);
    }
}
