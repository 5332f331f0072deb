//! The example repository and the base fixture check clean.

use crate::common::Repo;

#[test]
fn example_repo_checks_clean_under_deny_warnings() {
    let run = Repo::example().run(&["check", "--deny", "warnings"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
}

#[test]
fn base_fixture_checks_clean() {
    let repo = Repo::base();
    assert_eq!(repo.diagnostics(), Vec::<serde_json::Value>::new());
}
