//! Drawing texts to label: a random (optionally stratified) sample for validation, or an
//! uncertain and diverse one for adaptation.
//!
//! [`draw`] takes the population ([`Candidate`]s: an id, a text, and a stratum when sampling is
//! stratified), a model, and [`SampleParams`], and returns the [`Drawn`] records in the order
//! they should be labelled. The same population, model and seed give the same draw; no record
//! is drawn twice, and the population's ids must be distinct (the first repeated one is named).
//!
//! - [`Strategy::Random`] is a probability sample, for validation (`stance report
//!   --validation`): uniform without replacement, or stratified with proportional allocation
//!   (`random`). Each record carries its inclusion weight `N_h / n_h` (its stratum's population
//!   over the number drawn from it), so weighted estimates are unbiased and the weights sum to
//!   the population size.
//! - [`Strategy::Uncertain`] and [`Strategy::Diverse`] are for adaptation (`stance adapt`):
//!   greedy selection by the model's uncertainty with a diversity term that keeps near-duplicates
//!   out (`uncertain`). They are not probability samples, so their records carry no weight.
//!
//! This module owns the choice of records only; reading and writing them is the front ends'.

mod random;
mod uncertain;

use std::collections::HashMap;

use crate::model::Model;

pub use random::allocate;
pub use uncertain::uncertainty;

/// How records are chosen. Defaults to `Random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Uniform without replacement, or stratified with proportional allocation.
    #[default]
    Random,
    /// The records the model is least sure of, with near-duplicates kept apart.
    Uncertain,
    /// Uncertain records spread over the corpus: diversity weighs more than uncertainty.
    Diverse,
}

impl std::str::FromStr for Strategy {
    type Err = SampleError;
    fn from_str(s: &str) -> Result<Self, SampleError> {
        match s {
            "random" => Ok(Strategy::Random),
            "uncertain" => Ok(Strategy::Uncertain),
            "diverse" => Ok(Strategy::Diverse),
            _ => Err(SampleError::Strategy(s.to_string())),
        }
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Strategy::Random => "random",
            Strategy::Uncertain => "uncertain",
            Strategy::Diverse => "diverse",
        })
    }
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleParams {
    /// How many records; at least 1 (fewer are drawn only when the population is smaller).
    pub n: usize,
    pub strategy: Strategy,
    /// Seeds every random choice (ChaCha8); defaults to `0`.
    pub seed: u64,
}

/// One record of the population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// The stratum (`--by` field's value) for stratified random sampling; `None` when not
    /// stratified. Records without the field form one stratum of their own, `""`.
    pub stratum: Option<&'a str>,
}

/// A drawn record: its index in the population, and its inclusion weight for a probability
/// sample (`None` for uncertainty and diversity sampling).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    pub index: usize,
    pub weight: Option<f64>,
}

/// Why a sample cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    #[error("the sample size must be at least 1, got {0}")]
    Size(usize),
    #[error("unknown sampling strategy {0:?}; known: random, uncertain, diverse")]
    Strategy(String),
    #[error("id {id:?} occurs twice (records {first} and {second}); ids must be unique to draw a sample")]
    DuplicateId {
        id: String,
        first: usize,
        second: usize,
    },
    #[error("the population is empty")]
    Empty,
    #[error("{strata} strata for a sample of {n}: a stratified sample needs at least one record from each stratum")]
    TooManyStrata { strata: usize, n: usize },
    #[error(
        "a stratum is given for some records but not others; give one for every record or none"
    )]
    MixedStrata,
}

/// Refuses a population whose ids repeat, naming the first repeat (0-based record numbers).
pub fn check_ids(population: &[Candidate]) -> Result<(), SampleError> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(population.len());
    for (i, c) in population.iter().enumerate() {
        if let Some(&first) = seen.get(c.id) {
            return Err(SampleError::DuplicateId {
                id: c.id.to_string(),
                first,
                second: i,
            });
        }
        seen.insert(c.id, i);
    }
    Ok(())
}

/// Draws a sample from `population` (see the module doc). `model` scores the texts for the
/// uncertainty strategies and is not used by `Random`.
pub fn draw(
    population: &[Candidate],
    model: &Model,
    params: &SampleParams,
) -> Result<Vec<Drawn>, SampleError> {
    if params.n == 0 {
        return Err(SampleError::Size(0));
    }
    if population.is_empty() {
        return Err(SampleError::Empty);
    }
    check_ids(population)?;
    match params.strategy {
        Strategy::Random => random::draw(population, params.n, params.seed),
        Strategy::Uncertain => Ok(uncertain::draw(population, model, params, 0.5)),
        Strategy::Diverse => Ok(uncertain::draw(population, model, params, 2.0)),
    }
}
