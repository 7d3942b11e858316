//! Fuzz target: the model-file loader on arbitrary bytes, with a structure-aware mutator.
//!
//! Model files are untrusted input (`stance score --model FILE`), so `Model::from_json` must
//! refuse anything it cannot use with a model error, never panic, and never hand back a model
//! that later panics or produces non-finite probabilities. A model it accepts must also write
//! itself back out in a stable form: loading that output and writing it again gives the same
//! bytes.
//!
//! Byte-level mutations of JSON rarely get past the parser, so the custom mutator parses the
//! input, changes one node of the JSON tree (boundary numbers, awkward strings, removed,
//! duplicated or swapped elements, nodes copied from elsewhere in the file) and writes it back;
//! one time in four, and whenever the input is not JSON, it leaves the work to libFuzzer's own
//! mutations. The seeds in `corpus/model_loader` are small models trained on invented text.

#![no_main]

use std::path::Path;

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use serde_json::Value;
use stance::{Model, StanceError};

/// Texts scored by every model that loads: some structure (paragraphs, a masked outlet name),
/// plus, built per model, its own vocabulary as text so that its weights take part.
const TEXTS: &[&str] = &[
    "",
    "Officials said the talks would resume.\n\nMOSCOW (Sputnik) - The ministry denied it.",
    "Киевский режим заявил. Kyiv's mayor said the bridge was repaired, 12 days later.",
];

fn check_distribution(model: &Model, p: &[f64], label: Option<usize>) {
    assert_eq!(p.len(), model.labels().len());
    assert!(
        p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "probabilities {p:?}"
    );
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
    assert!(label.is_none_or(|l| l < p.len()));
}

fn check_model(model: &Model, text: &str) {
    let score = model.score(text, true);
    check_distribution(
        model,
        &score.prediction.probabilities,
        score.prediction.label,
    );
    assert!(score.prediction.evidence.signal.is_finite());
    for p in &score.paragraphs {
        check_distribution(model, &p.prediction.probabilities, p.prediction.label);
    }
    let e = model.explain(text);
    for (l, logit) in e.logits.iter().enumerate() {
        assert!(logit.is_finite(), "logit {logit}");
        let parts: Vec<f64> = e.terms.iter().map(|t| t.contributions[l]).collect();
        let sum = parts.iter().sum::<f64>() + e.intercepts[l];
        let scale = 1.0 + parts.iter().map(|c| c.abs()).sum::<f64>() + e.intercepts[l].abs();
        assert!(
            (sum - logit).abs() <= 1e-9 * scale,
            "label {l}: contributions sum to {sum}, logit {logit}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let origin = Path::new("fuzz-model.json");
    let model = match Model::from_json(data, origin) {
        Ok(model) => model,
        Err(e) => {
            let _ = e.to_string();
            assert!(
                matches!(
                    e,
                    StanceError::ModelFormat { .. }
                        | StanceError::ModelVersion { .. }
                        | StanceError::ModelInconsistent { .. }
                ),
                "a bad model file gave a non-model error: {e:?}"
            );
            return;
        }
    };
    let first = model.to_json().expect("a loaded model serializes");
    let reloaded = Model::from_json(&first, origin)
        .unwrap_or_else(|e| panic!("a model file this build wrote does not load: {e}"));
    let second = reloaded.to_json().expect("a reloaded model serializes");
    assert!(
        first == second,
        "writing a reloaded model changes its bytes"
    );

    let own_terms = model
        .featurizer()
        .vocabulary()
        .iter()
        .take(64)
        .collect::<Vec<_>>()
        .join(". ");
    for text in TEXTS.iter().copied().chain([own_terms.as_str()]) {
        check_model(&model, text);
    }
    let _ = model.top_terms(5);
});

/// A small deterministic generator (splitmix64): libFuzzer hands the mutator a seed so that a
/// run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// Numbers at and around the loader's limits (weights ±1e6, IDF 1e3, temperature 0.01..100,
/// the uncertainty band 0.5) and the limits of the number types themselves.
const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    3.0,
    5.0,
    6.0,
    0.5,
    0.4999999,
    0.01,
    0.0099,
    100.0,
    100.01,
    1e3,
    1000.0001,
    1e6,
    1000000.1,
    -1e6,
    -1000000.1,
    1e-320,
    1e300,
    -1e300,
    1.7976931348623157e308,
    4294967296.0,
    1e19,
];

const INTEGERS: &[i128] = &[
    0,
    1,
    2,
    5,
    6,
    255,
    256,
    257,
    4294967295,
    4294967296,
    9007199254740993,
    i64::MAX as i128,
    u64::MAX as i128,
    -1,
    i64::MIN as i128,
];

/// Strings that stress patterns, vocabulary terms, labels and enum tags.
const STRINGS: &[&str] = &[
    "",
    " ",
    "a",
    "a b",
    "a  b",
    " a",
    "a b c d e f",
    "(",
    "\\w{1000}",
    "(?i)\\w{50}",
    "x*",
    "",
    "$",
    "\\b",
    "(?m)^",
    "Киев",
    "kiev regim",
    "western",
    "russian",
    "english",
    "placeholder",
    "keep",
    "custom",
    "platt",
    "temperature",
    "fraction",
    "count",
    "balanced",
    "none",
    "stance-model",
    "\u{0}",
    "\u{feff}",
    "İ",
    "ß'S",
];

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `index`-th node of the tree in depth-first order.
fn node_at(root: &mut Value, index: usize) -> Option<&mut Value> {
    let mut n = index;
    fn walk<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
        if *n == 0 {
            return Some(v);
        }
        *n -= 1;
        match v {
            Value::Array(a) => {
                for c in a.iter_mut() {
                    if let Some(found) = walk(c, n) {
                        return Some(found);
                    }
                }
                None
            }
            Value::Object(o) => {
                for c in o.values_mut() {
                    if let Some(found) = walk(c, n) {
                        return Some(found);
                    }
                }
                None
            }
            _ => None,
        }
    }
    walk(root, &mut n)
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(4) {
        0 => serde_json::Number::from_f64(rng.pick(NUMBERS)).map_or(Value::Null, Value::Number),
        1 => {
            let i = rng.pick(INTEGERS);
            if let Ok(u) = u64::try_from(i) {
                Value::from(u)
            } else {
                Value::from(i as i64)
            }
        }
        2 => Value::from(rng.pick(STRINGS)),
        _ => match rng.below(4) {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 0),
            2 => Value::Array(Vec::new()),
            _ => Value::Object(serde_json::Map::new()),
        },
    }
}

fn mutate(root: &mut Value, rng: &mut Rng) {
    let total = count_nodes(root);
    let target = rng.below(total);
    // A copy of some other node, for splicing (labels into the vocabulary, weights into IDF).
    let donor = node_at(root, rng.below(total)).map(|v| v.clone());
    let Some(node) = node_at(root, target) else {
        return;
    };
    match (rng.below(8), node) {
        (0, node) => *node = random_scalar(rng),
        (1, node) => {
            if let Some(d) = donor {
                *node = d;
            }
        }
        (_, Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(0.0);
            let y = match rng.below(5) {
                0 => x * 2.0,
                1 => -x,
                2 => x + 1.0,
                3 => x.next_up(),
                _ => rng.pick(NUMBERS),
            };
            if let Some(m) = serde_json::Number::from_f64(y) {
                *n = m;
            }
        }
        (_, Value::String(s)) => match rng.below(5) {
            0 => s.push_str(rng.pick(STRINGS)),
            1 => {
                let keep = s.chars().count() / 2;
                *s = s.chars().take(keep).collect();
            }
            2 => *s = s.to_uppercase(),
            3 => *s = format!("{s} {s}"),
            _ => *s = rng.pick(STRINGS).to_string(),
        },
        (_, Value::Array(a)) => {
            let len = a.len();
            match rng.below(6) {
                0 if len > 0 => {
                    a.remove(rng.below(len));
                }
                1 if len > 0 => {
                    let i = rng.below(len);
                    let copy = a[i].clone();
                    a.insert(i, copy);
                }
                2 if len > 1 => {
                    let (i, j) = (rng.below(len), rng.below(len));
                    a.swap(i, j);
                }
                3 => a.truncate(rng.below(len + 1)),
                4 => a.reverse(),
                _ => a.push(donor.unwrap_or_else(|| random_scalar(rng))),
            }
        }
        (_, Value::Object(o)) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            match rng.below(3) {
                0 if !keys.is_empty() => {
                    o.remove(&rng.pick(&keys));
                }
                1 if !keys.is_empty() => {
                    let key = rng.pick(&keys);
                    if let Some(v) = o.remove(&key) {
                        o.insert(format!("{key}{}", rng.pick(STRINGS)), v);
                    }
                }
                _ => {
                    o.insert(
                        rng.pick(STRINGS).to_string(),
                        donor.unwrap_or_else(|| random_scalar(rng)),
                    );
                }
            }
        }
        (_, Value::Bool(b)) => *b = !*b,
        (_, node) => *node = random_scalar(rng),
    }
}

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng(u64::from(seed));
    if rng.below(4) != 0 {
        if let Ok(mut value) = serde_json::from_slice::<Value>(&data[..size]) {
            for _ in 0..=rng.below(3) {
                mutate(&mut value, &mut rng);
            }
            if let Ok(bytes) = serde_json::to_vec(&value) {
                if bytes.len() <= max_size {
                    data[..bytes.len()].copy_from_slice(&bytes);
                    return bytes.len();
                }
            }
        }
    }
    libfuzzer_sys::fuzzer_mutate(data, size, max_size)
});
