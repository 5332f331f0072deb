//! `northstar lsp`: the language server for editors (see [`crate::lsp`]).

use std::path::Path;

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

/// Runs the server until the editor ends it.
pub(super) fn run(dir: &Path, _args: Args) -> Result<u8, String> {
    crate::lsp::run(dir)
}
