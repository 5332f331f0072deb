//! The `northstar` binary: parses arguments and hands over to the library.

use clap::Parser;

/// mimalloc: rendering a large site is allocation-bound, and mimalloc is
/// markedly faster at many small, short-lived allocations on every
/// platform (bench/README.md, "Findings").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = northstar::cmd::Cli::parse();
    ExitCode::from(northstar::cmd::run(cli))
}
