//! The training parameters a user set, applied over a preset (or the defaults):
//! `overrides.apply(TrainParams::preset(p))`. Each front end fills [`TrainOverrides`] from its
//! own input (the CLI from its flags, Python from keyword arguments), so that a preset is
//! overridden only by what was set, and every setting means the same in both.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::features::ngrams::NgramRange;
use crate::features::vocabulary::DocFreq;
use crate::model::logistic::{ClassWeight, Penalty, Solver};
use crate::text::language::Language;
use crate::text::mask::MaskRules;
use crate::text::spelling::SpellingLists;
use crate::text::stopwords::StopWords;
use crate::text::tokenize::NumberPolicy;
use crate::train::folds::GroupBy;
use crate::{ParamError, StanceError};

use super::{CalibrationParams, TrainParams};

/// A stop-word list by name, or a file of words (one per line, `#` starts a comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StopWordList {
    /// scikit-learn's English list.
    English,
    /// English plus reporting verbs, wire words and outlet names (the default model's list).
    Newsroom,
    /// Keep every word.
    None,
    /// A file of words.
    File(PathBuf),
}

impl StopWordList {
    /// A built-in list by name (`english`, `newsroom`, `none`), any other text a file; built-in
    /// names win over files of the same name (`./english` names the file).
    pub fn parse(s: &str) -> Option<StopWordList> {
        Some(match s {
            "english" => StopWordList::English,
            "newsroom" => StopWordList::Newsroom,
            "none" => StopWordList::None,
            "" => return None,
            path => StopWordList::File(PathBuf::from(path)),
        })
    }

    /// The words, reading the file of a [`StopWordList::File`].
    pub fn resolve(&self) -> Result<StopWords, StanceError> {
        Ok(match self {
            StopWordList::English => StopWords::English,
            StopWordList::Newsroom => StopWords::newsroom(),
            StopWordList::None => StopWords::None,
            StopWordList::File(path) => StopWords::read(path)?,
        })
    }
}

/// Training settings a user gave; `None` (or an empty list) leaves the value underneath.
/// Each field is the [`TrainParams`] value of the same name (see there for its meaning).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainOverrides {
    pub min_df: Option<DocFreq>,
    pub max_df: Option<DocFreq>,
    pub max_features: Option<usize>,
    pub min_sources: Option<usize>,
    pub ngram_range: Option<NgramRange>,
    /// Penalty strength; `C` is its inverse, and giving both is refused.
    pub alpha: Option<f64>,
    #[serde(rename = "C")]
    pub c: Option<f64>,
    pub penalty: Option<Penalty>,
    pub l1_ratio: Option<f64>,
    /// The optimiser for l1 and elasticnet; OWL-QN is kept unnamed in the parameters, as
    /// files from before there was a choice name none.
    pub solver: Option<Solver>,
    pub stop_words: Option<StopWordList>,
    pub language: Option<Language>,
    pub stem: Option<bool>,
    pub numbers: Option<NumberPolicy>,
    pub sublinear_tf: Option<bool>,
    pub class_weight: Option<ClassWeight>,
    pub max_iter: Option<u64>,
    pub tol: Option<f64>,
    /// `Some(false)` turns every masking rule off; the lists below apply after it.
    pub mask: Option<bool>,
    /// Outlet names to mask too.
    pub mask_outlet: Vec<String>,
    /// Extra masking rules, `(name, regex)`.
    pub mask_rule: Vec<(String, String)>,
    /// Built-in masking rules to drop, by name.
    pub unmask: Vec<String>,
    /// [`TrainParams::passage_words`], under the name the model file and the CLI use.
    pub chunk_words: Option<usize>,
    pub keep_unweighted_terms: Option<bool>,
    pub prior_tokens: Option<f64>,
    /// The built-in spelling lists, which set [`crate::features::featurizer::FeaturizerParams::spelling`].
    pub spelling: Option<SpellingLists>,
    /// Fit a calibration; the three settings after it apply only with `Some(true)`.
    pub calibrate: Option<bool>,
    pub calibration_folds: Option<usize>,
    pub calibration_group_by: Option<GroupBy>,
    /// The seed of the calibration's folds, recorded as the model's [`TrainParams::seed`].
    pub calibration_seed: Option<u64>,
}

/// `slot = value` when a value was given.
fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

impl TrainOverrides {
    /// `params` with every setting given here in place of its value. Refuses `alpha` with `C`,
    /// a `C` that is not positive, and calibration settings without `calibrate`; reads a stop
    /// word file; refuses `keep_unweighted_terms` for an L2 model, which has none to drop. The
    /// result is not checked yet ([`TrainParams::check`]).
    pub fn apply(&self, mut params: TrainParams) -> Result<TrainParams, StanceError> {
        let o = self;
        let v = &mut params.featurizer.vocabulary;
        set(&mut v.min_df, o.min_df);
        set(&mut v.max_df, o.max_df);
        set(&mut v.max_features, o.max_features.map(Some));
        set(&mut v.min_sources, o.min_sources);
        set(&mut params.featurizer.ngram_range, o.ngram_range);
        let t = &mut params.featurizer.tokenizer;
        if let Some(list) = &o.stop_words {
            t.stop_words = list.resolve()?;
        }
        set(&mut t.language, o.language);
        set(&mut t.stem, o.stem);
        set(&mut t.numbers, o.numbers);
        set(&mut params.featurizer.tfidf.sublinear_tf, o.sublinear_tf);
        if let Some(lists) = o.spelling {
            params.featurizer.spelling = lists.spelling();
        }
        params.featurizer.mask = o.mask_rules(params.featurizer.mask);
        let l = &mut params.logistic;
        set(&mut l.alpha, o.alpha_given()?);
        set(&mut l.penalty, o.penalty);
        set(&mut l.l1_ratio, o.l1_ratio.map(Some));
        l.solver = solver_for(l.penalty, o.solver);
        set(&mut l.class_weight, o.class_weight);
        set(&mut l.max_iter, o.max_iter);
        set(&mut l.tolerance, o.tol);
        set(&mut params.passage_words, o.chunk_words);
        set(&mut params.keep_unweighted_terms, o.keep_unweighted_terms);
        // Only a sparse model drops terms: asked of an L2 model, keeping them would do nothing.
        if o.keep_unweighted_terms == Some(true) && params.logistic.penalty == Penalty::L2 {
            return Err(ParamError::KeepUnweightedWithout.into());
        }
        set(&mut params.prior_tokens, o.prior_tokens.map(Some));
        o.calibration(&mut params)?;
        Ok(params)
    }

    /// The alpha given, as `alpha` or as `1 / C`.
    fn alpha_given(&self) -> Result<Option<f64>, ParamError> {
        match (self.alpha, self.c) {
            (Some(_), Some(_)) => Err(ParamError::AlphaAndC),
            (_, Some(c)) if c.is_finite() && c > 0.0 => Ok(Some(1.0 / c)),
            (_, Some(c)) => Err(ParamError::C(c)),
            (alpha, None) => Ok(alpha),
        }
    }

    /// The masking rules: `mask` as given (or all off), then the rules dropped and added.
    fn mask_rules(&self, mask: MaskRules) -> MaskRules {
        let mut mask = match self.mask {
            Some(false) => MaskRules::none(),
            Some(true) => MaskRules::default_rules(),
            None => mask,
        };
        for name in &self.unmask {
            mask = mask.without(name);
        }
        for name in &self.mask_outlet {
            mask = mask.with_outlet(name);
        }
        for (name, pattern) in &self.mask_rule {
            mask = mask.with_rule(name, pattern);
        }
        mask
    }

    /// Sets the calibration and its seed, refusing its settings without a calibration.
    fn calibration(&self, params: &mut TrainParams) -> Result<(), ParamError> {
        match self.calibrate {
            Some(true) => {
                params
                    .calibration
                    .get_or_insert_with(CalibrationParams::default);
            }
            Some(false) => params.calibration = None,
            None => {}
        }
        if let Some(c) = &mut params.calibration {
            set(&mut c.folds, self.calibration_folds);
            set(&mut c.group_by, self.calibration_group_by);
            set(&mut params.seed, self.calibration_seed);
            return Ok(());
        }
        let given = [
            ("calibration_folds", self.calibration_folds.is_some()),
            ("calibration_group_by", self.calibration_group_by.is_some()),
            ("calibration_seed", self.calibration_seed.is_some()),
        ];
        match given.into_iter().find(|(_, given)| *given) {
            Some((name, _)) => Err(ParamError::NeedsCalibrate(name)),
            None => Ok(()),
        }
    }
}

/// The solver recorded for `penalty` when `asked` is named (or not): coordinate descent for a
/// sparse penalty unless OWL-QN is named (recorded as none, which is what a file from before
/// there was a choice means); for L2 what was named, which the parameter check refuses.
fn solver_for(penalty: Penalty, asked: Option<Solver>) -> Option<Solver> {
    match (penalty, asked) {
        (Penalty::L2, asked) => asked,
        (_, Some(Solver::Owlqn)) => None,
        (_, Some(Solver::Cd) | None) => Some(Solver::Cd),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::io::corpus::{read_labelled, FieldNames};
    use crate::Preset;

    /// The model file's bytes for `overrides` over the defaults, trained on data/examples.jsonl.
    fn model_bytes(overrides: &TrainOverrides) -> Result<Vec<u8>, StanceError> {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples.jsonl");
        let docs = read_labelled(data.as_ref(), &FieldNames::default())?;
        let params = overrides.apply(TrainParams::default())?.check()?;
        crate::train(&docs, &params, &mut |_| {})?.0.to_json()
    }

    /// The fields an override sets (its serde names), read from its serialised form.
    fn set_fields(o: &TrainOverrides) -> BTreeSet<String> {
        let empty = serde_json::to_value(TrainOverrides::default()).unwrap();
        let value = serde_json::to_value(o).unwrap();
        let (empty, value) = (empty.as_object().unwrap(), value.as_object().unwrap());
        value
            .iter()
            .filter(|(k, v)| empty.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Each setting changed from its default, over a context it applies in (the baseline).
    fn flips() -> Vec<(TrainOverrides, TrainOverrides)> {
        let d = TrainOverrides::default;
        // A small alpha: at the default, an l1 fit of the examples weighs no term, and such
        // a model is refused.
        let l1 = || TrainOverrides {
            penalty: Some(Penalty::L1),
            alpha: Some(0.05),
            ..d()
        };
        let calibrated = || TrainOverrides {
            calibrate: Some(true),
            calibration_group_by: Some(GroupBy::None),
            ..d()
        };
        let flip = |o: TrainOverrides| (d(), o);
        vec![
            flip(TrainOverrides {
                min_df: Some(DocFreq::Count(1)),
                ..d()
            }),
            flip(TrainOverrides {
                max_df: Some(DocFreq::Fraction(0.5)),
                ..d()
            }),
            flip(TrainOverrides {
                max_features: Some(20),
                ..d()
            }),
            flip(TrainOverrides {
                min_sources: Some(2),
                ..d()
            }),
            flip(TrainOverrides {
                ngram_range: Some(NgramRange::unigrams()),
                ..d()
            }),
            flip(TrainOverrides {
                alpha: Some(0.5),
                ..d()
            }),
            flip(TrainOverrides {
                c: Some(4.0),
                ..d()
            }),
            flip(l1()),
            (
                l1(),
                TrainOverrides {
                    solver: Some(Solver::Owlqn),
                    ..l1()
                },
            ),
            (
                TrainOverrides {
                    penalty: Some(Penalty::ElasticNet),
                    alpha: Some(0.05),
                    ..d()
                },
                TrainOverrides {
                    penalty: Some(Penalty::ElasticNet),
                    alpha: Some(0.05),
                    l1_ratio: Some(0.9),
                    ..d()
                },
            ),
            flip(TrainOverrides {
                stop_words: Some(StopWordList::None),
                ..d()
            }),
            flip(TrainOverrides {
                language: Some(Language::Russian),
                ..d()
            }),
            flip(TrainOverrides {
                stem: Some(false),
                ..d()
            }),
            flip(TrainOverrides {
                numbers: Some(NumberPolicy::Keep),
                ..d()
            }),
            flip(TrainOverrides {
                sublinear_tf: Some(false),
                ..d()
            }),
            flip(TrainOverrides {
                class_weight: Some(ClassWeight::None),
                ..d()
            }),
            flip(TrainOverrides {
                max_iter: Some(3),
                ..d()
            }),
            flip(TrainOverrides {
                tol: Some(1e-2),
                ..d()
            }),
            flip(TrainOverrides {
                mask: Some(false),
                ..d()
            }),
            flip(TrainOverrides {
                mask_outlet: vec!["Example Wire".into()],
                ..d()
            }),
            flip(TrainOverrides {
                mask_rule: vec![("wire".into(), "Wire".into())],
                ..d()
            }),
            flip(TrainOverrides {
                unmask: vec!["url".into()],
                ..d()
            }),
            flip(TrainOverrides {
                chunk_words: Some(30),
                ..d()
            }),
            (
                l1(),
                TrainOverrides {
                    keep_unweighted_terms: Some(true),
                    ..l1()
                },
            ),
            flip(TrainOverrides {
                prior_tokens: Some(0.0),
                ..d()
            }),
            flip(TrainOverrides {
                spelling: Some(SpellingLists::Standard),
                ..d()
            }),
            flip(calibrated()),
            (
                calibrated(),
                TrainOverrides {
                    calibration_folds: Some(3),
                    ..calibrated()
                },
            ),
            (
                calibrated(),
                TrainOverrides {
                    calibration_group_by: Some(GroupBy::Source),
                    ..calibrated()
                },
            ),
            (
                calibrated(),
                TrainOverrides {
                    calibration_seed: Some(1),
                    ..calibrated()
                },
            ),
        ]
    }

    #[test]
    fn every_setting_changes_the_model() {
        let cases = flips();
        let covered: BTreeSet<String> = cases.iter().flat_map(|(_, o)| set_fields(o)).collect();
        let every: BTreeSet<String> = serde_json::to_value(TrainOverrides::default())
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(covered, every, "a setting without a case here");
        // Baselines repeat: each is trained once.
        let mut baselines: Vec<(TrainOverrides, Vec<u8>)> = Vec::new();
        for (context, flipped) in cases {
            if !baselines.iter().any(|(c, _)| *c == context) {
                baselines.push((context.clone(), model_bytes(&context).unwrap()));
            }
            let base = &baselines.iter().find(|(c, _)| *c == context).unwrap().1;
            let changed = model_bytes(&flipped).unwrap_or_else(|e| panic!("{flipped:?}: {e}"));
            assert_ne!(*base, changed, "{flipped:?} gave the model of {context:?}");
        }
    }

    #[test]
    fn settings_that_would_do_nothing_are_refused() {
        let d = TrainOverrides::default;
        for (o, expected) in [
            (
                TrainOverrides {
                    l1_ratio: Some(0.3),
                    ..d()
                },
                ParamError::L1RatioWithout,
            ),
            (
                TrainOverrides {
                    keep_unweighted_terms: Some(true),
                    ..d()
                },
                ParamError::KeepUnweightedWithout,
            ),
            (
                TrainOverrides {
                    alpha: Some(0.5),
                    c: Some(2.0),
                    ..d()
                },
                ParamError::AlphaAndC,
            ),
            (
                TrainOverrides {
                    calibration_folds: Some(3),
                    ..d()
                },
                ParamError::NeedsCalibrate("calibration_folds"),
            ),
            (
                TrainOverrides {
                    calibration_group_by: Some(GroupBy::Month),
                    ..d()
                },
                ParamError::NeedsCalibrate("calibration_group_by"),
            ),
            (
                TrainOverrides {
                    calibration_seed: Some(1),
                    calibrate: Some(false),
                    ..d()
                },
                ParamError::NeedsCalibrate("calibration_seed"),
            ),
        ] {
            match model_bytes(&o) {
                Err(StanceError::Param(e)) => assert_eq!(e, expected, "{o:?}"),
                other => panic!("{o:?}: {:?}", other.map(|_| "a model")),
            }
        }
    }

    #[test]
    fn sparse_penalties_train_by_coordinate_descent_unless_owlqn_is_named() {
        let solver = |base: TrainParams, penalty, solver| {
            TrainOverrides {
                penalty,
                solver,
                ..TrainOverrides::default()
            }
            .apply(base)
            .unwrap()
            .logistic
            .solver
        };
        let default = TrainParams::preset(Preset::Default);
        assert_eq!(default.logistic.solver, Some(Solver::Cd));
        assert_eq!(solver(default.clone(), None, None), Some(Solver::Cd));
        assert_eq!(solver(default.clone(), None, Some(Solver::Owlqn)), None);
        // Turning the default preset into L2 drops its solver rather than refusing.
        assert_eq!(solver(default, Some(Penalty::L2), None), None);
        let plain = TrainParams::default;
        for penalty in [Penalty::L1, Penalty::ElasticNet] {
            assert_eq!(solver(plain(), Some(penalty), None), Some(Solver::Cd));
        }
        // A solver named for L2 stays, so that the parameter check refuses it.
        let named = solver(plain(), None, Some(Solver::Owlqn));
        assert_eq!(named, Some(Solver::Owlqn));
    }

    #[test]
    fn only_the_settings_given_override_a_preset() {
        let textbook = TrainParams::preset(Preset::Textbook);
        assert_eq!(
            TrainOverrides::default().apply(textbook.clone()).unwrap(),
            textbook
        );
        let stemmed = TrainOverrides {
            stem: Some(true),
            ..TrainOverrides::default()
        }
        .apply(textbook.clone())
        .unwrap();
        assert!(stemmed.featurizer.tokenizer.stem);
        assert_eq!(
            TrainParams {
                featurizer: crate::features::featurizer::FeaturizerParams {
                    tokenizer: textbook.featurizer.tokenizer.clone(),
                    ..stemmed.featurizer.clone()
                },
                ..stemmed
            },
            textbook
        );
    }
}
