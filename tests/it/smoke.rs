//! The example repository and the base fixture check clean.

use crate::common::{Repo, run_in};
use std::path::Path;

#[test]
fn example_repo_checks_clean_under_deny_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    let run = run_in(&root, &["check", "--deny", "warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
}

#[test]
fn base_fixture_checks_clean() {
    let repo = Repo::base();
    assert_eq!(repo.diagnostics(), Vec::<serde_json::Value>::new());
}
