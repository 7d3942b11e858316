//! `--keep FIELD,...` and `--keep-all`: which input fields a command carries beside each text.
//! `score` writes them into its output, `annotate` shows them beside each text; each command
//! words their help for itself (`mut_arg`).

use clap::Args;

use stance::io::corpus::Keep;
use stance::predict::record::kept_name;

/// The input fields to keep, flattened into a command's arguments.
#[derive(Debug, Args)]
pub struct KeepArgs {
    /// Copy these input fields (JSON keys or CSV columns, comma-separated) into the output,
    /// after the id; a name the output uses itself (label, uncertain, ...) is written as
    /// input_<name>. jsonl and csv only.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "FIELD,...",
        conflicts_with = "keep_all"
    )]
    pub keep: Vec<String>,
    /// Copy every input field but the text and the id into the output (CSV output: the fields
    /// of the first article). jsonl and csv only.
    #[arg(long)]
    pub keep_all: bool,
}

impl KeepArgs {
    /// The fields as given.
    pub fn spec(&self) -> Keep {
        if self.keep_all {
            Keep::All
        } else if self.keep.is_empty() {
            Keep::Nothing
        } else {
            Keep::Fields(self.keep.clone())
        }
    }

    /// The fields to write beside a score: the names trimmed, the id field left out (it is the
    /// id already), and no two written under the same name among the model's `labels`.
    pub fn for_output(&self, id_field: &str, labels: &[String]) -> anyhow::Result<Keep> {
        if self.keep_all {
            return Ok(Keep::All);
        }
        let mut names: Vec<String> = Vec::new();
        for name in self.keep.iter().map(|n| n.trim()) {
            if name.is_empty() || name == id_field {
                continue;
            }
            let written = kept_name(name, labels);
            if let Some(other) = names
                .iter()
                .find(|n| *n == name || kept_name(n, labels) == written)
            {
                anyhow::bail!(
                    "--keep names {other:?} and {name:?}, which would both be written as {written:?}"
                );
            }
            names.push(name.to_string());
        }
        Ok(if names.is_empty() {
            Keep::Nothing
        } else {
            Keep::Fields(names)
        })
    }
}
