//! northstar: a compiler for product plans kept as Markdown and YAML in git.
//!
//! The pipeline, in module order: [`config`] → [`source`] (the only disk
//! access) → [`parse`] → [`schema`] → [`check`] → [`plan`]; diagnostics are
//! [`diag`] values printed by [`report`]. [`cmd`] holds one module per
//! command.

pub mod atomic;
pub mod check;
pub mod cmd;
pub mod config;
pub mod dates;
pub mod diag;
pub mod diff;
pub mod fingerprint;
pub mod history;
pub mod lsp;
pub mod numbers;
pub mod output;
pub mod parse;
pub mod plan;
pub mod project;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod serve;
pub mod source;
pub mod timings;
