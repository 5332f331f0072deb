//! Adopting northstar on a repository of specs written without it (RFCs
//! with their title as the body's first heading), through a kind by
//! location: the config says where documents are and how to read them,
//! and a config that cannot work is refused at once, naming the value.

use crate::common::Repo;

const RFC_SCHEMA: &str = r#"{"type": "object", "properties": {"stage": {"type": "string"}, "start-date": {"type": "string"}}}"#;

fn rfcs(title: &str, id: &str) -> Repo {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        &format!(
            "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    id: \"{id}\"\n    title: \"{title}\"\n"
        ),
    )
    .file("schema/rfc.schema.json", RFC_SCHEMA)
    .file(
        "text/0042-pattern-matching.md",
        "---\nstage: accepted\nstart-date: 2026-03-01\n---\n\n<!-- a comment first -->\n\n## Summary\n\nx\n\n# Pattern Matching for Templates\n\n## Motivation\n\ny\n",
    );
    repo
}

#[test]
fn a_kind_by_location_takes_its_title_from_the_first_heading() {
    let repo = rfcs("#", "{stem}");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = repo.run(&["list", "rfc", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(list[0]["id"], "0042-pattern-matching", "{list:#}");
    // The level-1 heading, though a level-2 one comes first.
    assert_eq!(
        list[0]["title"], "Pattern Matching for Templates",
        "{list:#}"
    );
}

#[test]
fn a_title_or_id_template_that_cannot_work_is_a_config_error() {
    for (title, id, message) in [
        (
            "{h1}",
            "{stem}",
            "`title: {h1}` names no field: write a field's name, or `\"#\"` for the body's first heading",
        ),
        (
            "#",
            "rfc-{nme}",
            "`id` template `rfc-{nme}` has an unknown placeholder `{nme}`: use `{stem}`, `{dir}` or `{field:NAME}`",
        ),
    ] {
        let repo = rfcs(title, id);
        let run = repo.run(&["check"]);
        assert_eq!(run.code, 2, "{title} {id}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{title} {id}: {}", run.stderr);
        // At the value's line in the config.
        let line = if title == "{h1}" { 8 } else { 7 };
        assert!(
            run.stderr.contains(&format!("northstar.yaml:{line}:")),
            "{title} {id}: {}",
            run.stderr
        );
    }
}
