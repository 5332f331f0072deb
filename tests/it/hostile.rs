//! Bad input (docs/format.md#safety): every hostile file becomes a diagnostic
//! on that file, at the fault where there is one; the run goes on and still
//! reports other files; nothing panics or hangs.

use crate::common::{Repo, Run, skip_unless_ci};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Each run finishes in well under a second on an idle machine; this
/// bound is wall time for a debug build beside a loaded suite on two
/// cores (a deep file took 2.03 s at a load of 9), so it is generous. What
/// it catches is a hang or a blow-up, which at these sizes takes minutes;
/// speed is measured in `bench/`, not here.
const LIMIT: Duration = Duration::from_secs(10);

/// Two other broken files, sorted before and after any hostile one, whose
/// diagnostics must still be reported.
const OTHERS: &[(&str, &str, (u32, u32))] = &[
    (
        "0-other.yaml",
        "kind: nonsense\nid: other0\ntitle: Other\n",
        (1, 7),
    ),
    (
        "zz/other.md",
        "---\nkind: nonsense\ntitle: Other\n---\n",
        (2, 7),
    ),
];

/// What a check of a repository holding hostile files gave.
struct Outcome {
    diags: Vec<Value>,
    elapsed: Duration,
}

impl Outcome {
    /// The diagnostics on `file` as (rule, line, column).
    fn on(&self, file: &str) -> Vec<(String, u64, u64)> {
        self.diags
            .iter()
            .filter(|d| d["file"] == file)
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or_default(),
                    d["column"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// The messages of the diagnostics on `file`.
    fn messages(&self, file: &str) -> Vec<String> {
        self.diags
            .iter()
            .filter(|d| d["file"] == file)
            .map(|d| d["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Checks `repo` as CI would, timing the run; asserts no panic, exit 1,
/// the time limit, and that the other broken files are still reported.
fn check_timed(name: &str, repo: &Repo) -> Outcome {
    for (path, text, _) in OTHERS {
        repo.file(path, text);
    }
    let start = Instant::now();
    let run: Run = repo.run(&["check", "--format", "json"]);
    let elapsed = start.elapsed();
    eprintln!("hostile {name}: {elapsed:?}");
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    assert_eq!(run.code, 1, "{name}: {run:?}");
    assert!(elapsed < LIMIT, "{name}: took {elapsed:?}");
    let diags: Vec<Value> = serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("{name}: bad json ({e}): {}", run.stdout))
        .as_array()
        .cloned()
        .unwrap_or_default();
    let outcome = Outcome { diags, elapsed };
    for (path, _, (line, col)) in OTHERS {
        assert_eq!(
            outcome.on(path),
            [(
                "unknown-kind".to_string(),
                u64::from(*line),
                u64::from(*col)
            )],
            "{name}: the other broken file {path} is no longer reported"
        );
    }
    outcome
}

/// A base repository holding `files` (raw bytes), checked.
fn check(name: &str, files: &[(&str, &[u8])]) -> Outcome {
    let repo = Repo::base();
    for (path, bytes) in files {
        repo.bytes(path, bytes);
    }
    check_timed(name, &repo)
}

fn one(rule: &str, line: u64, col: u64) -> Vec<(String, u64, u64)> {
    vec![(rule.to_string(), line, col)]
}

/// Asserts exactly one diagnostic of `rule` on `file`, on `line`; returns its column.
fn single_on_line(out: &Outcome, file: &str, rule: &str, line: u64) -> u64 {
    let diags = out.on(file);
    assert_eq!(diags.len(), 1, "{file}: {diags:?}");
    assert_eq!((diags[0].0.as_str(), diags[0].1), (rule, line), "{file}");
    diags[0].2
}

// ------------------------------------------------------------------ bytes

#[test]
fn not_utf8_is_reported_at_the_first_bad_byte() {
    let out = check(
        "not-utf8",
        &[
            ("latin1.yaml", b"kind: person\nid: latin1\ntitle: Caf\xe9\n"),
            // Columns count characters: `Zoë ` is four.
            (
                "accent.yaml",
                "kind: person\nid: accent\ntitle: Zoë \u{0}".as_bytes(),
            ),
            (
                "body.md",
                b"---\nkind: person\ntitle: B\n---\n# Body\n\nna\xefve\n",
            ),
            ("utf16.yaml", b"\xff\xfek\x00i\x00n\x00d\x00:\x00"),
        ],
    );
    assert_eq!(out.on("latin1.yaml"), one("yaml-syntax", 3, 11));
    assert_eq!(out.on("body.md"), one("yaml-syntax", 7, 3));
    assert_eq!(out.on("utf16.yaml"), one("yaml-syntax", 1, 1));
    assert!(out.messages("latin1.yaml")[0].contains("UTF-8"));
    // (`accent.yaml` is valid UTF-8 with a NUL: see the NUL test.)
    assert_eq!(out.on("accent.yaml"), one("yaml-syntax", 3, 12));
}

#[test]
fn not_utf8_column_after_a_multibyte_character_and_a_bom() {
    let out = check(
        "not-utf8-columns",
        &[
            (
                "zoe.yaml",
                b"kind: person\nid: zoe\ntitle: Zo\xc3\xab \xff\n",
            ),
            // A BOM is not counted in columns.
            ("bom.yaml", b"\xef\xbb\xbfkind: p\xff\n"),
        ],
    );
    assert_eq!(out.on("zoe.yaml"), one("yaml-syntax", 3, 12));
    assert_eq!(out.on("bom.yaml"), one("yaml-syntax", 1, 8));
}

#[test]
fn a_bom_is_not_counted_in_columns_of_yaml_errors() {
    let repo = Repo::base();
    repo.bytes(
        "bom.md",
        b"\xef\xbb\xbf---\nkind: feature\ntitle: T\nstatus: idea\nobjectives: [obj]\nteam: nobody\n---\n",
    );
    let out = check_timed("bom", &repo);
    assert_eq!(out.on("bom.md"), one("broken-reference", 6, 7));
}

#[test]
fn a_binary_file_named_md_is_a_diagnostic() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 7919 % 256) as u8));
    let out = check(
        "binary-md",
        &[
            ("logo.md", &png),
            // Valid UTF-8 that starts like a document, then control bytes.
            ("ctl.md", b"---\n\x01\x02\x03\x04\n---\n"),
        ],
    );
    assert_eq!(out.on("logo.md"), one("yaml-syntax", 1, 1));
    let diags = out.on("ctl.md");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!((diags[0].1, diags[0].2), (2, 1));
}

#[test]
fn nul_bytes_are_a_diagnostic_at_the_nul() {
    let out = check(
        "nul",
        &[
            ("nul.yaml", b"kind: person\nid: nul\ntitle: N\0x\n"),
            ("nul.md", b"---\nkind: person\ntitle: N\0x\n---\n"),
            (
                "nul-key.yaml",
                b"kind: person\nid: nulkey\n\0: x\ntitle: T\n",
            ),
            ("all-nul.yaml", &[0u8; 4096]),
            // In the body a NUL is just a replaced character.
            (
                "nul-body.md",
                b"---\nkind: person\ntitle: T\n---\nbody \0 text\n",
            ),
        ],
    );
    assert_eq!(out.on("nul.yaml"), one("yaml-syntax", 3, 9));
    assert_eq!(out.on("nul.md"), one("yaml-syntax", 3, 9));
    assert_eq!(out.on("nul-key.yaml"), one("yaml-syntax", 3, 1));
    assert_eq!(out.on("all-nul.yaml"), one("yaml-syntax", 1, 1));
    assert_eq!(out.on("nul-body.md"), vec![]);
}

#[test]
fn a_file_over_10_mb_is_a_diagnostic() {
    let mut big = b"kind: person\nid: big\ntitle: Big\nrole: |\n".to_vec();
    while big.len() < 11 * 1024 * 1024 {
        big.extend_from_slice(b"  all work and no play makes a dull plan\n");
    }
    let mut big_md = b"---\nkind: person\ntitle: Big\n---\n".to_vec();
    big_md.extend(std::iter::repeat_n(b'x', 11 * 1024 * 1024));
    let out = check("over-10mb", &[("big.yaml", &big), ("big.md", &big_md)]);
    assert_eq!(out.on("big.yaml"), one("yaml-syntax", 1, 1));
    assert_eq!(out.on("big.md"), one("yaml-syntax", 1, 1));
    assert!(
        out.messages("big.yaml")[0].contains("limit"),
        "{:?}",
        out.messages("big.yaml")
    );
    assert!(out.elapsed < LIMIT);
}

// ------------------------------------------------------------- YAML bombs

/// The billion laughs: nine levels of nine aliases each.
fn billion_laughs(first: &str) -> String {
    let mut s = format!("{first}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s
}

#[test]
fn an_alias_bomb_is_a_diagnostic_not_an_out_of_memory() {
    let yaml = billion_laughs("kind: person\nid: bomb\ntitle: Bomb\n");
    let md = format!(
        "---\n{}---\n",
        billion_laughs("kind: person\ntitle: Bomb\n")
    );
    // Mappings as well as sequences, in block style.
    let mut maps = String::from("kind: person\nid: maps\ntitle: Maps\nm0: &m0\n");
    for j in 0..9 {
        maps.push_str(&format!("  k{j}: lol\n"));
    }
    for i in 1..=9 {
        maps.push_str(&format!("m{i}: &m{i}\n"));
        for j in 0..9 {
            maps.push_str(&format!("  k{j}: *m{}\n", i - 1));
        }
    }
    let out = check(
        "alias-bomb",
        &[
            ("bomb.yaml", yaml.as_bytes()),
            ("bomb.md", md.as_bytes()),
            ("maps.yaml", maps.as_bytes()),
        ],
    );
    for file in ["bomb.yaml", "bomb.md", "maps.yaml"] {
        let diags = out.on(file);
        assert_eq!(diags.len(), 1, "{file}: {diags:?}");
        assert_eq!(diags[0].0, "yaml-syntax", "{file}");
        assert!(
            out.messages(file)[0].contains("alias"),
            "{file}: {:?}",
            out.messages(file)
        );
    }
    // At the alias that goes over the budget, not the top of the file.
    let (_, line, col) = out.on("bomb.yaml")[0].clone();
    assert!(line > 4 && col > 1, "{line}:{col}");
    let (_, md_line, md_col) = out.on("bomb.md")[0].clone();
    // Same line: the front matter's `---` replaces the YAML file's `id:`.
    assert_eq!((md_line, md_col), (line, col));
}

#[test]
fn aliases_within_budget_still_work() {
    let repo = Repo::base();
    repo.file(
        "anchors.yaml",
        "kind: person\nid: anchors\ntitle: &t Anchors\nrole: *t\ntags: &tags [a, b]\n",
    );
    let out = check_timed("aliases", &repo);
    assert_eq!(out.on("anchors.yaml"), vec![]);
}

// ----------------------------------------------------------- deep nesting

const DEEP: usize = 20_000;

#[test]
fn nesting_20000_deep_in_flow_style() {
    let seq = format!(
        "kind: person\nid: seq\ntitle: T\nx: {}{}\n",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    let map = format!(
        "kind: person\nid: map\ntitle: T\nx: {}1{}\n",
        "{a: ".repeat(DEEP),
        "}".repeat(DEEP)
    );
    let md = format!(
        "---\nkind: person\ntitle: T\nx: {}\n---\n",
        "[".repeat(DEEP)
    );
    let out = check(
        "deep-flow",
        &[
            ("seq.yaml", seq.as_bytes()),
            ("map.yaml", map.as_bytes()),
            ("deep.md", md.as_bytes()),
        ],
    );
    single_on_line(&out, "seq.yaml", "yaml-syntax", 4);
    single_on_line(&out, "map.yaml", "yaml-syntax", 4);
    single_on_line(&out, "deep.md", "yaml-syntax", 4);
}

#[test]
fn nesting_20000_deep_in_block_style() {
    let dashes = format!("{}x\n", "- ".repeat(DEEP));
    let md = format!(
        "---\nkind: person\ntitle: T\nx:\n  {}x\n---\n",
        "- ".repeat(DEEP)
    );
    // `- - k:` with the next line under `k`: sequences and mappings, three
    // levels a line, as deep as fits under the size limit.
    let mut mixed = String::from("kind: person\nid: mixed\ntitle: T\nx:\n");
    for i in 0..DEEP {
        mixed.push_str(&" ".repeat(4 * i));
        mixed.push_str("- - k:\n");
        if mixed.len() > 9 * 1024 * 1024 {
            break;
        }
    }
    let out = check(
        "deep-block",
        &[
            ("dashes.yaml", dashes.as_bytes()),
            ("deep.md", md.as_bytes()),
            ("mixed.yaml", mixed.as_bytes()),
        ],
    );
    let col = single_on_line(&out, "dashes.yaml", "yaml-syntax", 1);
    assert!(col > 1 && col < 2 * DEEP as u64, "{col}");
    single_on_line(&out, "deep.md", "yaml-syntax", 5);
    let diags = out.on("mixed.yaml");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, "yaml-syntax");
}

#[test]
fn deeply_indented_mappings() {
    // 20,000 levels of one-space indentation would be 200 MB (over the size
    // limit); 4,000 levels stay under it (8 MB) and reach the parser.
    let mut text = String::from("kind: person\nid: deep\ntitle: T\n");
    for i in 0..4_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("k:\n");
    }
    text.push_str(&" ".repeat(4_000));
    text.push_str("v\n");
    assert!(text.len() < 10 * 1024 * 1024);
    let out = check("deep-mappings", &[("deep.yaml", text.as_bytes())]);
    let diags = out.on("deep.yaml");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, "yaml-syntax");
    assert!(diags[0].1 > 4, "{diags:?}");
}

#[test]
fn moderate_nesting_is_fine() {
    let repo = Repo::base();
    let nested = format!("{}1{}", "{a: ".repeat(50), "}".repeat(50));
    repo.file(
        "nested.yaml",
        &format!("kind: person\nid: nested\ntitle: T\nx: {nested}\n"),
    );
    let out = check_timed("moderate-nesting", &repo);
    // An unknown field, not a parse failure.
    assert_eq!(out.on("nested.yaml"), one("schema", 4, 1));
}

// ----------------------------------------------------------- front matter

#[test]
fn front_matter_empty_unclosed_or_not_a_mapping() {
    let out = check(
        "front-matter",
        &[
            ("empty.md", b"---\n---\n# Body\n"),
            ("blank.md", b"---\n\n# only a comment\n---\n"),
            ("unclosed.md", b"---\nkind: person\ntitle: U\n\n# Body\n"),
            ("fence-only.md", b"---"),
            ("list.md", b"---\n- kind: person\n- title: L\n---\n"),
            ("scalar.md", b"---\njust some text\n---\n"),
            ("quoted.md", b"---\n  \"kind: person\"\n---\n"),
            (
                "two-docs.md",
                b"---\nkind: person\ntitle: A\n---\n---\nkind: person\n---\n",
            ),
        ],
    );
    for file in ["empty.md", "blank.md"] {
        assert_eq!(out.on(file), one("schema", 1, 1), "{file}");
        assert!(out.messages(file)[0].contains("empty"), "{file}");
    }
    assert_eq!(out.on("unclosed.md"), one("yaml-syntax", 1, 1));
    assert!(out.messages("unclosed.md")[0].contains("never closes"));
    assert_eq!(out.on("fence-only.md"), one("yaml-syntax", 1, 1));
    assert_eq!(out.on("list.md"), one("schema", 2, 1));
    assert_eq!(out.on("scalar.md"), one("schema", 2, 1));
    assert_eq!(out.on("quoted.md"), one("schema", 2, 3));
    // The body may hold `---` lines of its own: only the first two count.
    assert_eq!(out.on("two-docs.md"), vec![]);
}

#[test]
fn a_yaml_stream_whose_second_document_is_broken_keeps_the_first() {
    let repo = Repo::base();
    repo.file(
        "people.yaml",
        "kind: person\nid: first\ntitle: First\n---\nkind: person\nid: second\ntitle: [unclosed\n",
    )
    .file(
        "more.yaml",
        "kind: person\nid: one\ntitle: One\n---\nkind: person\nid: two\ntitle: A\ntitle: B\n---\nkind: person\nid: three\ntitle: Three\n",
    )
    .file(
        "features/f.md",
        "---\nkind: feature\ntitle: F\nstatus: idea\nobjectives: [obj]\nowner: first\ndepends_on: []\n---\n",
    )
    .file(
        "features/g.md",
        "---\nkind: feature\ntitle: G\nstatus: idea\nobjectives: [obj]\nowner: one\n---\n",
    );
    let out = check_timed("broken-stream", &repo);
    let diags = out.on("people.yaml");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, "yaml-syntax");
    assert!(diags[0].1 >= 7, "{diags:?}");
    assert_eq!(out.on("more.yaml"), one("yaml-syntax", 8, 1));
    // The first documents count: they can be referenced, and are listed.
    assert_eq!(out.on("features/f.md"), vec![]);
    assert_eq!(out.on("features/g.md"), vec![]);
    let run = repo.run(&["list", "person", "--format", "json"]);
    let ids: Vec<String> = serde_json::from_str::<Value>(&run.stdout)
        .expect("json")
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["id"].as_str().map(String::from))
        .collect();
    assert!(ids.contains(&"first".to_string()), "{ids:?}");
    assert!(ids.contains(&"one".to_string()), "{ids:?}");
    assert!(!ids.contains(&"second".to_string()), "{ids:?}");
}

// ------------------------------------------------------------ YAML oddities

#[test]
fn a_duplicate_key_is_yaml_syntax_at_the_second_key() {
    let out = check(
        "duplicate-key",
        &[
            ("dup.yaml", b"kind: person\nid: dup\ntitle: A\ntitle: B\n"),
            (
                "dup.md",
                b"---\nkind: person\ntitle: A\nrole: x\ntitle: B\n---\n",
            ),
            (
                "nested.yaml",
                b"kind: person\nid: nested\ntitle: N\nlinks:\n  - {title: a, url: b, title: c}\n",
            ),
        ],
    );
    assert_eq!(out.on("dup.yaml"), one("yaml-syntax", 4, 1));
    assert!(
        out.messages("dup.yaml")[0].contains("duplicate key `title`"),
        "{:?}",
        out.messages("dup.yaml")
    );
    assert!(out.messages("dup.yaml")[0].contains("line 3"));
    assert_eq!(out.on("dup.md"), one("yaml-syntax", 5, 1));
    assert_eq!(out.on("nested.yaml"), one("yaml-syntax", 5, 24));
}

#[test]
fn tabs_as_indentation_are_yaml_syntax_at_the_tab() {
    let out = check(
        "tabs",
        &[
            (
                "tab.yaml",
                b"kind: person\nid: tab\ntitle: T\ntags:\n\t- x\n",
            ),
            (
                "tab.md",
                b"---\nkind: person\ntitle: T\nlinks:\n\t- title: x\n---\n",
            ),
            (
                "spaces-then-tab.yaml",
                b"kind: person\nid: st\ntitle: T\nlinks:\n  - title: x\n \t  url: y\n",
            ),
        ],
    );
    assert_eq!(out.on("tab.yaml"), one("yaml-syntax", 5, 1));
    assert_eq!(out.on("tab.md"), one("yaml-syntax", 5, 1));
    let diags = out.on("spaces-then-tab.yaml");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].0, "yaml-syntax");
}

#[test]
fn a_key_that_is_a_mapping_or_a_list_is_a_diagnostic() {
    let out = check(
        "complex-key",
        &[
            (
                "qlist.yaml",
                b"kind: person\nid: qlist\ntitle: Q\n? [a]\n: b\n",
            ),
            (
                "qmap.yaml",
                b"kind: person\nid: qmap\ntitle: Q\n? {a: 1}\n: b\n",
            ),
            ("flow.yaml", b"{kind: person, id: flow, title: F, [a]: b}\n"),
            (
                "flowmap.yaml",
                b"{kind: person, id: flowmap, title: F, {a: 1}: b}\n",
            ),
            (
                "nested.md",
                b"---\nkind: person\ntitle: N\nlinks:\n  - ? [x]\n    : y\n---\n",
            ),
        ],
    );
    assert_eq!(out.on("qlist.yaml"), one("schema", 4, 3));
    assert_eq!(out.on("qmap.yaml"), one("schema", 4, 3));
    assert_eq!(out.on("flow.yaml"), one("schema", 1, 36));
    assert_eq!(out.on("flowmap.yaml"), one("schema", 1, 39));
    let diags = out.on("nested.md");
    assert!(!diags.is_empty(), "{diags:?}");
    assert!(diags.iter().all(|d| d.0 == "schema"), "{diags:?}");
    // The odd key itself is named, at the key.
    assert!(diags.contains(&("schema".to_string(), 5, 7)), "{diags:?}");
}

#[test]
fn a_500_character_id_is_one_invalid_id() {
    let id = "a".repeat(500);
    let yaml = format!("kind: person\nid: {id}\ntitle: Long\n");
    let feature = format!(
        "---\nkind: feature\ntitle: F\nstatus: idea\nobjectives: [obj]\nowner: {id}\n---\n"
    );
    let out = check(
        "500-char-id",
        &[
            ("long.yaml", yaml.as_bytes()),
            ("features/f.md", feature.as_bytes()),
        ],
    );
    assert_eq!(out.on("long.yaml"), one("invalid-id", 2, 5));
    // The document still exists and can be referenced.
    assert_eq!(out.on("features/f.md"), vec![]);
}

#[test]
fn an_empty_yaml_file_is_a_diagnostic() {
    let out = check(
        "empty-yaml",
        &[
            ("empty.yaml", b""),
            ("blank.yml", b"\n\n   \n"),
            ("comment.yaml", b"# nothing here\n"),
            ("markers.yaml", b"---\n---\n...\n"),
            ("null.yaml", b"~\n"),
            // An empty Markdown file is not a document at all.
            ("empty.md", b""),
        ],
    );
    for file in [
        "empty.yaml",
        "blank.yml",
        "comment.yaml",
        "markers.yaml",
        "null.yaml",
    ] {
        assert_eq!(out.on(file), one("schema", 1, 1), "{file}");
    }
    assert_eq!(out.on("empty.md"), vec![]);
}

#[test]
fn special_files_do_not_hang_the_scan() {
    let repo = Repo::base();
    let made = std::process::Command::new("mkfifo")
        .arg(repo.join("fifo.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        skip_unless_ci("special_files_do_not_hang_the_scan", "no `mkfifo`");
        return;
    }
    std::fs::create_dir_all(repo.join("folder.yaml")).expect("mkdir");
    std::os::unix::fs::symlink("loop-b.yaml", repo.join("loop-a.yaml")).expect("symlink");
    std::os::unix::fs::symlink("loop-a.yaml", repo.join("loop-b.yaml")).expect("symlink");
    // Within the time limit, with the other broken files still reported
    // (`check_timed`), and none of the special files taken for a document.
    let out = check_timed("special-files", &repo);
    for special in ["fifo.yaml", "folder.yaml", "loop-a.yaml", "loop-b.yaml"] {
        assert_eq!(out.on(special), vec![], "{special}");
    }
}

// ---------------------------------------------------------------- together

#[test]
fn every_hostile_file_at_once() {
    let mut deep = "[".repeat(DEEP);
    deep.push_str(&"]".repeat(DEEP));
    let dashes = format!("{}x\n", "- ".repeat(DEEP));
    let bomb = billion_laughs("kind: person\nid: bomb\ntitle: Bomb\n");
    let mut big = b"kind: person\nid: big\ntitle: Big\n".to_vec();
    big.resize(11 * 1024 * 1024, b'#');
    let long = format!("kind: person\nid: {}\ntitle: Long\n", "x".repeat(500));
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "a/latin1.yaml",
            b"kind: person\nid: l\ntitle: Caf\xe9\n".to_vec(),
        ),
        ("a/bomb.yaml", bomb.into_bytes()),
        ("a/deep-flow.yaml", deep.into_bytes()),
        ("a/deep-block.yaml", dashes.into_bytes()),
        ("a/empty.md", b"---\n---\n".to_vec()),
        ("a/unclosed.md", b"---\nkind: person\n".to_vec()),
        ("a/list.md", b"---\n- a\n---\n".to_vec()),
        ("a/scalar.md", b"---\nhello\n---\n".to_vec()),
        ("a/big.yaml", big),
        (
            "a/stream.yaml",
            b"kind: person\nid: s\ntitle: S\n---\n[\n".to_vec(),
        ),
        (
            "a/dup.yaml",
            b"kind: person\nid: d\ntitle: A\ntitle: B\n".to_vec(),
        ),
        (
            "a/tab.yaml",
            b"kind: person\nid: t\ntitle: T\ntags:\n\t- x\n".to_vec(),
        ),
        (
            "a/complex.yaml",
            b"kind: person\nid: c\ntitle: C\n? [a]\n: b\n".to_vec(),
        ),
        ("a/long.yaml", long.into_bytes()),
        (
            "a/binary.md",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe".to_vec(),
        ),
        ("a/empty.yaml", Vec::new()),
        ("a/nul.yaml", b"kind: person\nid: n\ntitle: \0\n".to_vec()),
    ];
    let repo = Repo::base();
    for (path, bytes) in &files {
        repo.bytes(path, bytes);
    }
    let out = check_timed("all-at-once", &repo);
    for (path, _) in &files {
        assert!(!out.on(path).is_empty(), "{path} has no diagnostic");
    }
}
