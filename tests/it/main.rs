//! The integration test binary: one module per feature, each running the
//! real `northstar` binary on small plans repositories built in temporary
//! folders.

mod common;
mod rules;
mod smoke;
