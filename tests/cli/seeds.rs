//! The seed documents (texts in `../shared/seeds`, manifest in `seeds/manifest.tsv`): the default
//! model must score each right with a margin of at least 0.2. Ignored by default, since it needs
//! `../shared`; CI, which always has it, runs it with `cargo test -- --include-ignored`.

use crate::common;

use common::{repo, shared};
use stance::model::default_model::default_model;

#[test]
#[ignore = "needs ../shared"]
fn default_model_scores_every_seed_right_with_margin() {
    let manifest = std::fs::read_to_string(repo("seeds/manifest.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 5, "the manifest lists the five seeds");
    let shared = shared();
    let model = default_model().unwrap();
    for row in rows {
        let (file, expected) = (row[0], row[3]);
        let text = std::fs::read_to_string(shared.join("seeds").join(file)).unwrap();
        let p = model.predict(&text);
        let label = p.label_name().unwrap_or("no label");
        let prob = p.probabilities[p.top()];
        assert_eq!(label, expected, "{file}: scored {label} ({prob:.3})");
        assert!(
            prob - 0.5 >= 0.2,
            "{file}: margin {:.3} below 0.2",
            prob - 0.5
        );
    }
}
