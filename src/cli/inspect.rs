//! `stance inspect`: the model card, with the leakage check on the top terms.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use stance::model::default_model::DEFAULT_MODEL_NAME;
use stance::predict::card::Card;

use super::output::{formats, write_json, OutputFormat, TEXT_OR_JSON};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model file; the built-in default model when omitted.
    #[arg(long, value_name = "PATH")]
    model: Option<std::path::PathBuf>,
    /// Terms to show per label.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = formats(TEXT_OR_JSON))]
    format: OutputFormat,
}

pub fn run(args: InspectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let model = super::load_model(args.model.as_ref())?;
    let name = args
        .model
        .as_ref()
        .map_or(DEFAULT_MODEL_NAME.to_string(), |p| p.display().to_string());
    let card = Card::new(&model, &name, args.top);
    match args.format {
        OutputFormat::Json => write_json(out, &card)?,
        // Jsonl is refused by the --format parser.
        OutputFormat::Text | OutputFormat::Jsonl => write!(out, "{card}")?,
    }
    Ok(ExitCode::SUCCESS)
}
