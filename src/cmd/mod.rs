//! The commands, one module each, behind one clap definition.
//!
//! Exit status (docs/format.md#exit-status): 0 no errors, 1 errors, 2
//! northstar could not run.

mod build;
mod check;
mod diff;
mod init;
mod list;
mod lsp;
mod new;
mod recipe;
mod schema;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// northstar compiles product plans kept as Markdown and YAML in git.
#[derive(Debug, Parser)]
#[command(name = "northstar", version, about, long_about = None)]
pub struct Cli {
    /// Run as if started in DIR (northstar.yaml is searched upward from it).
    #[arg(short = 'C', global = true, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load, validate and cross-check the plans; print diagnostics.
    Check(check::Args),
    /// Check, then render the static site.
    Build(build::Args),
    /// What a change does to the plan, between two revisions.
    Diff(diff::Args),
    /// Create a plans repository, or write out the default templates.
    Init(init::Args),
    /// Serve the site from memory, rebuild on every edit, reload open pages.
    Serve(serve::Args),
    /// Create a new document from its kind's template, with a free id.
    New(new::Args),
    /// Write the JSON Schemas of every kind, for editors.
    Schema(schema::Args),
    /// Query the plan: the documents of a kind.
    List(list::Args),
    /// Run the language server (LSP over stdin and stdout) for editors.
    Lsp(lsp::Args),
}

/// Runs a command; returns the exit status.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.dir, args),
        Command::Build(args) => build::run(&cli.dir, args),
        Command::Diff(args) => diff::run(&cli.dir, args),
        Command::Init(args) => init::run(&cli.dir, args),
        Command::New(args) => new::run(&cli.dir, args),
        Command::Serve(args) => serve::run(&cli.dir, args),
        Command::Schema(args) => schema::run(&cli.dir, args),
        Command::List(args) => list::run(&cli.dir, args),
        Command::Lsp(args) => lsp::run(&cli.dir, args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            2
        }
    }
}
