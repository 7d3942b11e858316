//! The `stance` command line: `train` and `score`, on top of the library.
//!
//! Errors from the library are typed; here they get context, are printed once as a chain, and
//! become exit codes in one place: 0 success (and a closed output pipe), 1 failure, 2 usage.

#![forbid(unsafe_code)]

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // Not eprintln!, which panics when stderr is a closed pipe.
            // The library names its parameters; here they are flags (`text_field` is --text-field).
            let message = cli::as_flags(&format!("{err:#}"));
            let _ = writeln!(std::io::stderr(), "stance: error: {message}");
            ExitCode::FAILURE
        }
    }
}
