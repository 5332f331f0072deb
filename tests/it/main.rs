//! The integration test binary: one module per feature, each running the
//! real `northstar` binary on small plans repositories built in temporary
//! folders.

// A test binary has no public API: `pub` in its modules means "shared
// with the other modules", which is what this lint would flag.
#![allow(unreachable_pub)]

mod adopt;
mod browser;
mod browser_timeline;
mod changelog;
mod ci;
mod cli;
mod common;
mod corpus;
mod diff;
mod git;
mod history;
mod hostile;
mod layers;
mod lsp;
mod markdown_compat;
mod messages;
mod numbers;
mod props;
mod roadmap;
mod rules;
mod scaffold;
mod security;
mod serve;
mod site;
mod smoke;
mod views;
