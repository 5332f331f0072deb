//! The `northstar` binary: parses arguments and hands over to the library.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = northstar::cmd::Cli::parse();
    ExitCode::from(northstar::cmd::run(cli))
}
