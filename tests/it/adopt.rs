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

/// A file the pattern matches is a document even without front matter.
#[test]
fn a_matched_file_without_front_matter_is_a_document() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "text/0043-plain.md",
        "# Plain Markdown Spec\n\nNo front matter at all.\n",
    );
    let run = repo.run(&["list", "rfc", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let titles: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["title"].as_str())
        .collect();
    assert!(titles.contains(&"Plain Markdown Spec"), "{list:#}");
}

const KEP_SCHEMA: &str = r#"{"type": "object", "properties": {"name": {"type": "string"}, "status": {"type": "string"}}}"#;

/// KEP-like: one folder per spec, metadata in `kep.yaml`, the body in a
/// `README.md` beside it.
#[test]
fn what_a_kind_by_location_does_not_find_is_said() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  kep:\n    schema: schema/kep.schema.json\n    files: \"keps/*/kep.yaml\"\n    id: \"kep-{dir}\"\n    title: name\n    body: README.md\n  adr:\n    schema: schema/kep.schema.json\n    files: \"decisions/*.md\"\n",
    )
    .file("schema/kep.schema.json", KEP_SCHEMA)
    .file("keps/1-good/kep.yaml", "name: Good\nstatus: implementable\n")
    .file("keps/1-good/README.md", "# Good\n\n## Summary\n")
    .file("keps/2-shouty/kep.yaml", "name: Shouty\nstatus: provisional\n")
    .file("keps/2-shouty/README.MD", "# Shouty\n");
    let diags = repo.diagnostics();
    let mine: Vec<(String, u64, u64, String)> = diags
        .iter()
        .filter(|d| d["rule"] == "kind-location")
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            (
                "keps/2-shouty/kep.yaml".to_string(),
                1,
                1,
                "no `README.md` beside `keps/2-shouty/kep.yaml`: the document has no body"
                    .to_string()
            ),
            (
                "northstar.yaml".to_string(),
                10,
                3,
                "kind `adr`: `files: decisions/*.md` matches no file".to_string()
            ),
        ],
        "{diags:#?}"
    );
    let shouty = diags
        .iter()
        .find(|d| d["rule"] == "kind-location" && d["file"] == "keps/2-shouty/kep.yaml")
        .expect("shouty");
    assert_eq!(shouty["suggestion"], "rename it `keps/2-shouty/README.md`");
    assert_eq!(
        shouty["notes"][0],
        "`keps/2-shouty/README.MD` differs only in case: file names are compared exactly"
    );
    assert!(diags.iter().all(|d| d["level"] != "error"), "{diags:#?}");
}

/// A kind's `status:` or `target:` naming a field its schema does not
/// declare (a misspelt `release_date`) is a `kind-location` warning at the
/// kind, with the declared field nearest to it; rightly spelt, none.
#[test]
fn a_status_or_target_naming_an_undeclared_field_is_said() {
    let config = |status: &str, target: &str| {
        format!(
            "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    id: \"{{stem}}\"\n    title: \"#\"\n    status: {status}\n    target: {target}\n    lifecycle: {{ accepted: planned }}\n"
        )
    };
    let repo = rfcs("#", "{stem}");
    repo.file(
        "schema/rfc.schema.json",
        r#"{"type": "object", "properties": {"stage": {"type": "string"}, "release-date": {"type": "string"}}}"#,
    )
    .file("northstar.yaml", &config("stag", "release_date"));
    let found = repo.told("kind-location");
    let at = |message: &str, help: &str| {
        (
            "northstar.yaml".to_string(),
            4,
            3,
            message.to_string(),
            help.to_string(),
        )
    };
    assert_eq!(
        found,
        [
            at(
                "kind `rfc`: `status: stag` names a field its schema does not declare",
                "did you mean `status: stage`?"
            ),
            at(
                "kind `rfc`: `target: release_date` names a field its schema does not declare",
                "did you mean `target: release-date`?"
            ),
        ]
    );
    repo.file("northstar.yaml", &config("stage", "release-date"));
    assert_eq!(repo.positions("kind-location"), []);
}

/// A document's own `id:` wins over the template, and the warning says so
/// at that `id:`.
#[test]
fn an_id_that_disagrees_with_the_template_is_said() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  kep:\n    schema: schema/kep.schema.json\n    files: \"keps/*/kep.yaml\"\n    id: \"kep-{dir}\"\n    title: name\n",
    )
    .file("schema/kep.schema.json", KEP_SCHEMA)
    .file("keps/1-good/kep.yaml", "name: Good\nstatus: implementable\n")
    .file("keps/2-own/kep.yaml", "name: Own\nid: kep-custom\nstatus: provisional\n");
    let diags = repo.diagnostics();
    let mine: Vec<&serde_json::Value> = diags
        .iter()
        .filter(|d| d["rule"] == "kind-location")
        .collect();
    assert_eq!(mine.len(), 1, "{diags:#?}");
    let d = mine[0];
    assert_eq!(d["file"], "keps/2-own/kep.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(
        d["message"],
        "`id: kep-custom` differs from `kep-2-own`, which the `id` template of kind `kep` gives"
    );
    assert_eq!(d["level"], "warning");
    let run = repo.run(&["list", "kep", "--format", "json"]);
    assert!(run.stdout.contains("\"kep-custom\""), "{}", run.stdout);
}

/// Two documents whose `{field:NAME}` template gives the same id: the
/// duplicate points at that field in the second, and names the first's.
#[test]
fn a_duplicate_id_from_a_field_points_at_the_field() {
    let repo = rfcs("#", "{field:number}");
    repo.file(
        "schema/rfc.schema.json",
        r#"{"type": "object", "properties": {"number": {"type": "integer"}, "stage": {"type": "string"}}}"#,
    )
    .file(
        "text/0042-pattern-matching.md",
        "---\nstage: accepted\nnumber: 42\n---\n# Pattern Matching\n",
    )
    .file(
        "text/0043-copy.md",
        "---\n# copied from 0042\nstage: draft\nnumber: 42\n---\n# A Copy\n",
    );
    let dup: Vec<serde_json::Value> = repo
        .diagnostics()
        .into_iter()
        .filter(|d| d["rule"] == "duplicate-id")
        .collect();
    assert_eq!(dup.len(), 1, "{dup:#?}");
    assert_eq!(dup[0]["file"], "text/0043-copy.md");
    assert_eq!(
        (&dup[0]["line"], &dup[0]["column"]),
        (&4.into(), &1.into()),
        "{:#}",
        dup[0]
    );
    assert!(
        dup[0]["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("text/0042-pattern-matching.md:3:1")),
        "{:#}",
        dup[0]
    );
}

/// An Ember-style RFC repository: the status is `stage`, mapped onto the
/// lifecycle; the kind has a display name. The site names the kind by it
/// in the header and on home, counts the RFCs by status there, and colours
/// each stage as the lifecycle status it stands for.
#[test]
fn a_kind_s_display_name_and_status_field_show_on_the_site() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    id: \"{stem}\"\n    title: \"#\"\n    name: RFC\n    plural: RFCs\n    status: stage\n    lifecycle:\n      accepted: planned\n      released: shipped\n      exploring: discovery\n",
    )
    .file(
        "text/0043-released.md",
        "---\nstage: released\n---\n# Released Thing\n",
    )
    .file(
        "text/0044-released-too.md",
        "---\nstage: released\n---\n# Another Released Thing\n",
    )
    .file(
        "text/0045-odd.md",
        "---\nstage: parked\n---\n# Parked Thing\n",
    );
    let site = crate::common::build(&repo, &[]);
    let read = |p: &str| site.read(p);

    let home = read("index.html");
    // In the header, by its plural; no empty built-in lists there.
    let header = &home[home.find("<nav aria-label=\"Site\">").expect("nav")..];
    let header = &header[..header.find("</nav>").expect("nav end")];
    assert!(
        header.contains("<a href=\"rfc/index.html\">RFCs</a>"),
        "{header}"
    );
    assert!(!header.contains("Features"), "{header}");
    // RFCs mapped onto the lifecycle are on the roadmap.
    assert!(
        header.contains("<a href=\"roadmap.html\">Roadmap</a>"),
        "{header}"
    );
    // On home: counted by status in lifecycle order, unmapped ones last.
    assert!(
        home.contains("<li><a href=\"rfc/index.html\">RFCs</a> <span class=\"count\">4</span> <span class=\"badge status-planned\">1 planned</span> <span class=\"badge status-shipped\">2 shipped</span> <span class=\"badge status-parked\">1 parked</span></li>"),
        "{home}"
    );
    // Its board on home: later (no RFC has a target), the accepted RFC
    // and the parked one (a value the mapping leaves out counts as
    // open), not the released ones.
    let board = &home[home.find("Roadmap at a glance").expect("board")..];
    let board = &board[..board.find("</section>").expect("board end")];
    assert!(
        board.contains("<h3>Later <span class=\"count\">2</span>"),
        "{board}"
    );
    assert!(board.contains("Pattern Matching for Templates"), "{board}");
    assert!(!board.contains("Released Thing"), "{board}");

    // The page: the kind's name, the stage as written, coloured as planned.
    let page = read("rfc/0042-pattern-matching.html");
    assert!(
        page.contains(">RFC</a> · <span class=\"badge status-planned\">accepted</span>"),
        "{page}"
    );
    // The list: a status column from `stage`.
    let list = read("rfc/index.html");
    assert!(
        list.contains("<h1 class=\"kind-title\">RFCs</h1>"),
        "{list}"
    );
    assert!(list.contains("status-shipped\">released<"), "{list}");
}

/// A status the kind's mapping leaves out is written on the site as it
/// is, and coloured by one class made of it: `in review` was the two
/// classes `status-in` and `review`, and a value with `|` or `/` a class
/// no style sheet can select.
#[test]
fn a_status_outside_the_mapping_is_one_class_name() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    id: \"{stem}\"\n    title: \"#\"\n    name: RFC\n    status: stage\n    lifecycle:\n      accepted: planned\n",
    )
    .file(
        "text/0043-in-review.md",
        "---\nstage: in review\n---\n# Reviewed Thing\n",
    )
    .file(
        "text/0044-odd.md",
        "---\nstage: \"open | parked / maybe\"\n---\n# Odd Thing\n",
    )
    .file(
        "text/0045-in-progress.md",
        "---\nstage: in progress\n---\n# Progressing Thing\n",
    );
    let site = crate::common::build(&repo, &[]);
    // A value no mapping names is not the lifecycle status its class
    // name would spell.
    let progressing = site.read("rfc/0045-in-progress.html");
    assert!(
        progressing.contains("<span class=\"badge status-other-in-progress\">in progress</span>"),
        "{progressing}"
    );
    let page = site.read("rfc/0043-in-review.html");
    assert!(
        page.contains(">RFC</a> · <span class=\"badge status-in-review\">in review</span>"),
        "{page}"
    );
    let page = site.read("rfc/0044-odd.html");
    assert!(
        page.contains(
            "<span class=\"badge status-open-parked-maybe\">open | parked / maybe</span>"
        ),
        "{page}"
    );
    let home = site.read("index.html");
    assert!(
        home.contains("<span class=\"badge status-in-review\">1 in review</span>"),
        "{home}"
    );
    assert!(!home.contains("status-in-progress"), "{home}");
    let list = site.read("rfc/index.html");
    assert!(list.contains("status-in-review\">in review<"), "{list}");
    let roadmap = site.read("roadmap.html");
    assert!(
        roadmap.contains("<li class=\"card status-in-review\""),
        "{roadmap}"
    );
    assert!(roadmap.contains("data-status=\"in-review\""), "{roadmap}");
    for text in [&page, &home, &list, &roadmap] {
        assert!(!text.contains("status-in review"), "{text}");
        assert!(!text.contains("status-open |"), "{text}");
    }
}

/// A lifecycle value northstar does not know is a config error at it.
#[test]
fn a_lifecycle_value_outside_northstar_s_is_a_config_error() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "northstar.yaml",
        "product: Test Product\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    status: stage\n    lifecycle:\n      accepted: plannned\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("northstar.yaml:8:17")
            && run
                .stderr
                .contains("`plannned` is not a lifecycle status (did you mean `planned`?)"),
        "{}",
        run.stderr
    );
}

/// `diff` shows a kind's status from the field its config names.
#[test]
fn diff_shows_the_status_from_the_kind_s_status_field() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    title: \"#\"\n    status: stage\n",
    );
    let git = crate::git::Git::init(repo.path());
    let c0 = git.commit("RFCs", "2026-01-05");
    repo.file(
        "text/0050-new.md",
        "---\nstage: exploring\n---\n# A New Idea\n",
    );
    let run = repo.run(&["diff", &c0, "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let d: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(d["added"][0]["id"], "0050-new", "{d:#}");
    assert_eq!(d["added"][0]["status"], "exploring", "{d:#}");
    let run = repo.run(&["diff", &c0, "--format", "markdown"]);
    assert!(
        run.stdout.contains("| rfc | **A New Idea** | exploring |"),
        "{}",
        run.stdout
    );
}

/// A document whose own `id:` is the one its kind's template gives gets
/// no `kind-location` warning: only one that differs does.
#[test]
fn an_id_written_as_the_template_gives_it_is_not_a_warning() {
    let repo = rfcs("#", "{stem}");
    repo.file(
        "text/0042-pattern-matching.md",
        "---\nid: 0042-pattern-matching\nstage: accepted\n---\n# Pattern Matching\n",
    )
    .file(
        "text/0043-other.md",
        "---\nid: rfc-43\nstage: accepted\n---\n# Other\n",
    );
    assert_eq!(
        repo.positions("kind-location"),
        [("text/0043-other.md".to_string(), 2, 5)]
    );
}

/// KEP-style references by path: `see-also` names other KEPs by folder
/// (from the root with `/`, or relative), checked like ids, linked on the
/// page; a body link to another KEP's folder or README goes to its page.
#[test]
fn references_by_path_are_checked_and_linked() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  kep:\n    schema: schema/kep.json\n    files: \"keps/*/*/kep.yaml\"\n    id: \"{dir}\"\n    title: name\n    body: README.md\n",
    )
    .file(
        "schema/kep.json",
        r#"{"type": "object", "properties": {"name": {"type": "string"}, "see-also": {"type": "array", "items": {"type": "string", "x-ref-path": "kep"}}}}"#,
    )
    .file(
        "keps/sig-a/1-one/kep.yaml",
        "name: One\nsee-also:\n  - /keps/sig-b/2-two\n  - ../../sig-b/2-two/README.md\n  - /keps/sig-b/3-gone\n  - https://docs.example.com/design\n",
    )
    .file(
        "keps/sig-a/1-one/README.md",
        "# One\n\nSee [two](../../sig-b/2-two/) and [its text](../../sig-b/2-two/README.md).\n",
    )
    .file("keps/sig-b/2-two/kep.yaml", "name: Two\n")
    .file("keps/sig-b/2-two/README.md", "# Two\n");
    let broken: Vec<serde_json::Value> = repo
        .diagnostics()
        .into_iter()
        .filter(|d| d["rule"] == "broken-reference")
        .collect();
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0]["file"], "keps/sig-a/1-one/kep.yaml");
    assert_eq!(
        (&broken[0]["line"], &broken[0]["column"]),
        (&5.into(), &5.into())
    );
    assert_eq!(broken[0]["message"], "no document at `/keps/sig-b/3-gone`");

    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let run = repo.run(&[
        "build",
        "--allow-errors",
        "-o",
        site.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let one = std::fs::read_to_string(site.join("kep/1-one.html")).expect("page");
    // The field links to KEP two; the body links too, to its page.
    assert!(
        one.contains("<dd class=\"field-see-also\"><a href=\"../kep/2-two.html\">Two</a>, <a href=\"../kep/2-two.html\">Two</a>, <span class=\"unlinked\">/keps/sig-b/3-gone</span>, <span class=\"unlinked\">https://docs.example.com/design</span></dd>"),
        "{one}"
    );
    assert!(
        one.contains("See <a href=\"../kep/2-two.html\" rel=\"noopener noreferrer\">two</a> and <a href=\"../kep/2-two.html\" rel=\"noopener noreferrer\">its text</a>"),
        "{one}"
    );
    let two = std::fs::read_to_string(site.join("kep/2-two.html")).expect("page");
    // And two knows it is referred to.
    assert!(two.contains("1-one.html"), "{two}");
}

/// A user-defined kind's schema that says `"additionalProperties": true`
/// accepts the fields it does not declare: specs are adopted with a schema
/// of only the fields that matter. Without it, each is `unknown field`.
#[test]
fn an_open_schema_accepts_fields_it_does_not_declare() {
    let unknown = |schema: &str| {
        let repo = rfcs("#", "{stem}");
        repo.file("schema/rfc.schema.json", schema).file(
            "text/0042-pattern-matching.md",
            "---\nstage: accepted\nauthors: [ann]\nteam: core\n---\n# Pattern Matching\n",
        );
        repo.positions("schema")
    };
    assert_eq!(
        unknown(r#"{"type": "object", "properties": {"stage": {"type": "string"}}}"#),
        [
            ("text/0042-pattern-matching.md".to_string(), 3, 1),
            ("text/0042-pattern-matching.md".to_string(), 4, 1)
        ]
    );
    assert_eq!(
        unknown(
            r#"{"type": "object", "additionalProperties": true, "properties": {"stage": {"type": "string"}}}"#
        ),
        []
    );
}

/// A kind marked `public: true` is published by a public build, but for
/// a document that says `visibility: internal`; without it, none is.
#[test]
fn a_public_kind_is_published_by_a_public_build() {
    for public in [true, false] {
        let repo = rfcs("#", "{stem}");
        if public {
            let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
            repo.file("northstar.yaml", &format!("{config}    public: true\n"));
        }
        repo.file(
            "text/0043-secret.md",
            "---\nstage: draft\nvisibility: internal\n---\n# Secret Thing\n",
        );
        let out = tempfile::tempdir().expect("tempdir");
        let site = out.path().join("site");
        let run = repo.run(&[
            "build",
            "--audience",
            "public",
            "-o",
            site.to_str().expect("utf-8"),
        ]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(
            site.join("rfc/0042-pattern-matching.html").is_file(),
            public,
            "public: {public}"
        );
        assert!(!site.join("rfc/0043-secret.html").exists());
        let plan = std::fs::read_to_string(site.join("plan.json")).expect("plan.json");
        assert!(!plan.contains("Secret Thing"), "{plan}");
    }
}

/// A repository of specs and nothing else (no product, objectives or
/// features): home names the site and shows the specs, without empty
/// Vision, Objectives or roadmap sections.
#[test]
fn home_of_a_specs_only_repository_has_no_empty_sections() {
    let repo = Repo::empty();
    repo.file(
        "northstar.yaml",
        "product: Ember\ntoday: 2026-11-01\nrules:\n  single-product: off\nkinds:\n  rfc:\n    schema: schema/rfc.schema.json\n    files: \"text/*.md\"\n    title: \"#\"\n    plural: RFCs\n",
    )
    .file("schema/rfc.schema.json", RFC_SCHEMA)
    .file("text/0001-one.md", "---\nstage: accepted\n---\n# One\n");
    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let run = repo.run(&["build", "-o", site.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let home = std::fs::read_to_string(site.join("index.html")).expect("home");
    assert!(home.contains("<h1>Ember plans</h1>"), "{home}");
    for empty in [
        ">Vision<",
        "<h2>Objectives</h2>",
        "Roadmap at a glance",
        ">Roadmap</a>",
    ] {
        assert!(!home.contains(empty), "{empty}: {home}");
    }
    assert!(
        home.contains("<a href=\"rfc/index.html\">RFCs</a> <span class=\"count\">1</span>"),
        "{home}"
    );
}

/// An Ember RFC repository made by code, with history: RFCs in
/// `text/NNNN-slug.md` whose front matter has `stage`, dates as
/// timestamps, `teams` naming `teams/*.md`, `prs`; the title only as the
/// body's first heading. `init --from rfc` adopts it as it is: it checks
/// clean, titles come from the headings, `stage` is the status, coloured
/// as the lifecycle status it maps to, and teams are documents the RFCs
/// link to (a team that does not exist is a broken reference).
#[test]
fn an_ember_repository_adopted_with_init_from_rfc_checks_clean() {
    let repo = Repo::empty();
    let rfc = |stage: &str, teams: &str, title: &str| {
        format!(
            "---\nstage: {stage} # FIXME: check\nstart-date: 2021-11-30T00:00:00.000Z\nrelease-date: # FIXME\nrelease-versions:\nteams: # delete teams that aren't relevant\n{teams}prs:\n  accepted: https://github.com/emberjs/rfcs/pull/785\nproject-link:\n---\n\n<!---\nDirections for above: leave as is.\n-->\n\n# {title}\n\n## Summary\n\nWhat it does.\n"
        )
    };
    repo.file("README.md", "# Ember RFCs\n\nNot an RFC.\n")
        .file(
            "0000-template.md",
            &rfc("accepted", "  - framework\n", "RFC Template"),
        )
        .file("teams/framework.md", "---\nname: Framework\n---\n")
        .file("teams/cli.md", "---\nname: CLI\n---\n")
        .file("stages/accepted.md", "---\nname: Accepted\norder: 5\n---\n");
    let git = crate::git::Git::init(repo.path());
    repo.file(
        "text/0785-cli-helpers.md",
        &rfc("accepted", "  - framework\n  - cli\n", "CLI Helpers"),
    );
    git.commit("Propose CLI helpers", "2026-01-05");
    repo.file(
        "text/0785-cli-helpers.md",
        &rfc("released", "  - framework\n  - cli\n", "CLI Helpers").replace(
            "release-date: # FIXME",
            "release-date: 2026-02-10T00:00:00.000Z",
        ),
    )
    .file(
        "text/0790-tracked-arrays.md",
        &rfc("recommended", "  - framework\n", "Tracked Arrays"),
    );
    git.commit("Release CLI helpers; tracked arrays", "2026-02-10");

    let run = repo.run(&["init", "--from", "rfc"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .starts_with("found 2 RFCs in text/, teams in teams/; wrote a config"),
        "{run:?}"
    );
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(config.contains("    status: stage\n"), "{config}");
    let run = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("checked 4 documents"), "{}", run.stdout);

    let run = repo.run(&["list", "rfc", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let rows: Vec<(&str, &str, &str)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap_or_default(),
                d["title"].as_str().unwrap_or_default(),
                d["stage"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("0785-cli-helpers", "CLI Helpers", "released"),
            ("0790-tracked-arrays", "Tracked Arrays", "recommended")
        ]
    );

    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let run = repo.run(&["build", "-o", site.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{run:?}");
    let page = std::fs::read_to_string(site.join("rfc/0785-cli-helpers.html")).expect("page");
    assert!(
        page.contains(">RFC</a> · <span class=\"badge status-shipped\">released</span>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../rfc-team/framework.html\">Framework</a>, <a href=\"../rfc-team/cli.html\">CLI</a>"),
        "{page}"
    );
    // `target: release-date`: the released RFC with a date is on the
    // timeline; the one without is not scheduled.
    let svg = std::fs::read_to_string(site.join("roadmap.svg")).expect("timeline");
    assert!(
        svg.contains("<title>CLI Helpers: target 10 Feb 2026, released"),
        "{svg}"
    );
    assert!(!svg.contains("Tracked Arrays"), "{svg}");
    let team = std::fs::read_to_string(site.join("rfc-team/cli.html")).expect("team");
    assert!(team.contains("0785-cli-helpers.html"), "{team}");
    let home = std::fs::read_to_string(site.join("index.html")).expect("home");
    assert!(
        home.contains("<li><a href=\"rfc/index.html\">RFCs</a> <span class=\"count\">2</span> <span class=\"badge status-shipped\">2 shipped</span></li>"),
        "{home}"
    );

    // A team that is not there, and a stage Ember does not have.
    repo.file(
        "text/0791-typo.md",
        &rfc("acepted", "  - framwork\n", "Typo"),
    );
    let found: Vec<(String, u64, String)> = repo
        .diagnostics()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("schema", 2),
        "{found:?}"
    );
    assert!(found[0].2.contains("`acepted`"), "{found:?}");
    assert_eq!(
        (found[1].0.as_str(), found[1].1, found[1].2.as_str()),
        ("broken-reference", 7, "no rfc-team with id `framwork`")
    );
}

/// Rust's RFCs: no front matter, no level-1 heading (each opens with a
/// list of dates and `## Summary`). Titled by the first heading of any
/// level, every one of them was called "Summary"; each is titled by its
/// file's name instead, the same in its history, and the page does not
/// drop a heading that is not its title.
#[test]
fn rfcs_without_a_level_1_heading_are_titled_by_their_file_names() {
    let repo = Repo::empty();
    let rfc = |summary: &str| {
        format!(
            "- Start Date: 2014-03-11\n- RFC PR: [rust-lang/rfcs#1](https://github.com/rust-lang/rfcs/pull/1)\n\n## Summary\n\n{summary}\n\n## Motivation\n\nWhy.\n"
        )
    };
    repo.file("README.md", "# RFCs\n\nNot an RFC.\n");
    let git = crate::git::Git::init(repo.path());
    repo.file("text/0001-private-fields.md", &rfc("Private by default."))
        .file("text/0019-opt-in-builtin-traits.md", &rfc("Opt in."));
    git.commit("Two RFCs", "2026-01-05");
    repo.file(
        "text/0019-opt-in-builtin-traits.md",
        &rfc("Opt in, with more words."),
    );
    git.commit("Reword 19", "2026-02-10");

    let run = repo.run(&["init", "--from", "rfc"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .starts_with("found 2 RFCs in text/ (no `stage:` in front matter); wrote a config"),
        "{run:?}"
    );
    // No stage to map: the RFCs are specs, not planned work on the roadmap.
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(!config.contains("lifecycle:"), "{config}");
    let run = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        repo.list("rfc", &["title"]),
        [["Private fields"], ["Opt in builtin traits"]]
    );

    let site = crate::common::build(&repo, &[]);
    let page = site.read("rfc/0019-opt-in-builtin-traits.html");
    assert!(page.contains("<h1>Opt in builtin traits</h1>"), "{page}");
    assert!(page.contains(">Summary</h2>"), "{page}");
    let changes = site.read("changes.html");
    assert!(changes.contains("Opt in builtin traits"), "{changes}");
    assert!(!changes.contains(">Summary<"), "{changes}");
    let home = site.read("index.html");
    assert!(!home.contains("Later"), "{home}");
}

/// RFCs with front matter but no `stage:` in any: no stage to map, so
/// no lifecycle, as for RFCs without front matter.
#[test]
fn rfcs_with_front_matter_but_no_stage_get_no_lifecycle() {
    let repo = Repo::empty();
    repo.file(
        "text/0001-one.md",
        "---\nstart-date: 2026-01-05\n---\n# One\n\n## Summary\n",
    );
    let run = repo.run(&["init", "--from", "rfc"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .starts_with("found 1 RFC in text/ (no `stage:` in front matter); wrote a config"),
        "{run:?}"
    );
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(!config.contains("lifecycle:"), "{config}");
}

/// A kind titled by `"#"` whose body is a file beside (`body:
/// README.md`): the level-1 heading of that file is the title; without
/// one, the title is not made from the name of the kind's own file
/// (`spec.yaml` is every document's): the document has none.
#[test]
fn a_title_from_a_body_beside_is_never_the_kind_s_file_name() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  spec:\n    schema: schema/spec.json\n    files: \"specs/*/spec.yaml\"\n    id: \"{dir}\"\n    title: \"#\"\n    body: README.md\n",
    )
    .file("schema/spec.json", r#"{"type": "object"}"#)
    .file("specs/cache/spec.yaml", "owner: ann\n")
    .file("specs/cache/README.md", "# Cache layout\n\n## Summary\n")
    .file("specs/search/spec.yaml", "owner: bob\n")
    .file("specs/search/README.md", "## Summary\n\nNo title.\n");
    assert_eq!(
        repo.list("spec", &["id", "title"]),
        [["cache", "Cache layout"], ["search", ""]]
    );
}

/// A status read from a section that the schema refuses is reported at
/// the line it was read from, not at the top of the file.
#[test]
fn a_status_from_a_section_is_reported_where_it_is_written() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  adr:\n    schema: schema/adr.json\n    files: \"doc/adr/*.md\"\n    title: \"#\"\n    status: \"## Status\"\n    lifecycle: { proposed: discovery, accepted: shipped }\n",
    )
    .file(
        "schema/adr.json",
        r#"{"type": "object", "properties": {"date": {"type": "string"}, "status": {"enum": ["proposed", "accepted"]}}}"#,
    )
    .file(
        "doc/adr/0001-one.md",
        "---\ndate: 2026-01-05\n---\n# 1. One\n\n## Status\n\nMaybe, later\n",
    );
    let found: Vec<(String, String, u64, u64)> = repo
        .diagnostics()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "schema".to_string(),
            "doc/adr/0001-one.md".to_string(),
            8,
            1
        )]
    );
}

/// Home of a repository whose records are all decided (every one maps
/// to shipped or declined): no board of three empty columns, though the
/// roadmap page stays; one open record brings the board back.
#[test]
fn home_leaves_out_an_empty_board_of_decided_records() {
    let repo = Repo::empty();
    repo.file(
        "northstar.yaml",
        "product: Records\ntoday: 2026-11-01\nrules:\n  single-product: off\nkinds:\n  adr:\n    schema: schema/adr.json\n    files: \"doc/*.md\"\n    title: \"#\"\n    lifecycle: { proposed: discovery, accepted: shipped, rejected: declined }\n",
    )
    .file(
        "schema/adr.json",
        r#"{"type": "object", "properties": {"status": {"type": "string"}}}"#,
    )
    .file("doc/0001-one.md", "---\nstatus: accepted\n---\n# One\n")
    .file("doc/0002-two.md", "---\nstatus: rejected\n---\n# Two\n");
    let home = crate::common::build(&repo, &[]).read("index.html");
    assert!(!home.contains("Roadmap at a glance"), "{home}");
    assert!(home.contains(">Roadmap</a>"), "{home}");
    repo.file("doc/0003-three.md", "---\nstatus: proposed\n---\n# Three\n");
    let home = crate::common::build(&repo, &[]).read("index.html");
    assert!(home.contains("Roadmap at a glance"), "{home}");
    assert!(home.contains(">Three</a>"), "{home}");
}

/// A problem in the body file of a kind by location (a KEP's README.md)
/// is shown like any other: under its position, the source line and a
/// caret.
#[test]
fn a_problem_in_a_body_file_shows_its_source_line() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  kep:\n    schema: schema/kep.schema.json\n    files: \"keps/*/kep.yaml\"\n    id: \"kep-{dir}\"\n    title: name\n    body: README.md\n",
    )
    .file("schema/kep.schema.json", KEP_SCHEMA)
    .file("keps/1-good/kep.yaml", "name: Good\nstatus: implementable\n")
    .file(
        "keps/1-good/README.md",
        "# Good\n\nSee [the design](design.md) first.\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains(
            " --> keps/1-good/README.md:3:5\n  |\n3 | See [the design](design.md) first.\n  |     ^"
        ),
        "{out}"
    );
}
