//! SIGINT and SIGTERM: remove the temporary files of outputs not yet written (see
//! [`stance::io::atomic`]), then die by the signal as if it had not been caught. An interrupted
//! `train` thus leaves the previous model file untouched and no temporary file behind.

use anyhow::Context;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use stance::io::atomic::{abandon_pending, interrupt_flag};

/// Installs the handlers; call first thing, before any output file is opened.
pub fn install() -> anyhow::Result<()> {
    for signal in [SIGINT, SIGTERM] {
        // Set in the handler itself, so a commit racing with the signal sees it at once.
        signal_hook::flag::register(signal, interrupt_flag())
            .context("installing signal handlers")?;
    }
    let mut signals = Signals::new([SIGINT, SIGTERM]).context("installing signal handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                abandon_pending();
                // Ends the process by the signal (a shell sees "interrupted", exit 130/143).
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })
        .context("starting the signal thread")?;
    Ok(())
}
