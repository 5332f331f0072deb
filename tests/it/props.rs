//! Property tests over what reads untrusted input: the front-matter and
//! YAML loader, the schema typing, the Markdown renderer, the history state
//! decoder, and the whole `check` run on generated documents. Each property
//! is what a hostile or careless contributor must never get: a panic, a
//! diagnostic pointing outside the file, or script in a rendered page.
//!
//! The case counts keep the module within seconds so that it runs on every
//! `cargo test`; `PROPTEST_CASES=20000 cargo test --test it props::` is the
//! longer run (bench/README.md, "Fuzzing").

use crate::common::Repo;
use crate::git::{ALICE, Git};
use northstar::history::store::commits::{Loaded, load};
use northstar::parse::document::parse_file;
use northstar::parse::yaml::parse_stream;
use northstar::render::markdown::{NoLinks, render, safe_url};
use northstar::source::SourceFile;
use proptest::prelude::*;
use std::sync::LazyLock;

/// Text that looks like plans: YAML punctuation, Markdown syntax, HTML,
/// control characters and wide characters, so that random cases reach the
/// parsers' interesting states instead of stopping at the first byte.
fn planish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---\n",
        "kind: feature\n",
        "title: ",
        "id: ",
        ": ",
        "- ",
        "  ",
        "\n",
        "\t",
        "\"",
        "'",
        "&a ",
        "*a ",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "#",
        "|\n",
        ">\n",
        "? ",
        "!!str ",
        "%YAML",
        "[[",
        "]]",
        "(",
        ")",
        "<script>",
        "<img src=x onerror=alert(1)>",
        "javascript:",
        "/\\evil.example",
        "```",
        "~~~",
        "\x1b[2J",
        "\x00",
        "\u{feff}",
        "é",
        "数据",
        "🙂",
        "8e307",
        "-8e307",
        "1e400",
        "2026-02-30",
        "@9223372036854775807",
        "x",
        "42",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn source(path: &str, text: String) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: Ok(text),
        kind: None,
        body: None,
    }
}

/// The 1-based line count of `text` as the diagnostics count lines.
fn lines(text: &str) -> u32 {
    text.split('\n').count() as u32
}

/// `n` cases, or `PROPTEST_CASES` when set (the longer run). Failures
/// are not persisted: tests write nothing into the project's folders, and
/// the smallest failing input is printed to be kept as a plain test.
fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

/// The tags of `html` (text is escaped by the renderer, so every `<` opens
/// one).
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices('<').map(move |(i, _)| {
        let end = html[i..].find('>').map_or(html.len(), |e| i + e + 1);
        &html[i..end]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics_and_points_inside_the_file(text in planish()) {
        for path in ["plans/doc.md", "plans/doc.yaml"] {
            let (_, diags) = parse_file(&source(path, text.clone()));
            for d in &diags {
                prop_assert!(d.line >= 1 && d.line <= lines(&text) + 1,
                    "{} at line {} of a {}-line file", d.rule, d.line, lines(&text));
            }
        }
    }

    #[test]
    fn any_bytes_are_a_diagnostic_not_a_panic(text in "\\PC{0,200}") {
        let _ = parse_stream(&text, 1);
        let _ = parse_file(&source("plans/doc.md", text.clone()));
    }

    #[test]
    fn rendered_markdown_never_carries_script(body in planish()) {
        let html = render(&body, "plans/doc.md", &NoLinks).html.to_ascii_lowercase();
        for tag in tags(&html) {
            prop_assert!(!tag.starts_with("<script"), "{tag} in {html}");
            prop_assert!(!tag.contains(" on"), "{tag} in {html}");
            prop_assert!(!tag.contains("javascript:"), "{tag} in {html}");
            prop_assert!(!tag.contains("href=\"/\\") && !tag.contains("href=\"\\\\"), "{tag} in {html}");
        }
    }

    #[test]
    fn safe_urls_stay_on_known_schemes(url in "[a-zA-Z/\\\\:\t.]{0,20}") {
        if safe_url(&url) {
            let lower = url.trim().to_ascii_lowercase();
            let mut first = lower.chars().filter(|c| !c.is_ascii_whitespace());
            let slash = |c: Option<char>| matches!(c, Some('/' | '\\'));
            prop_assert!(!(slash(first.next()) && slash(first.next())), "{url:?}");
            // What a browser reads as a scheme: letters first, then
            // letters, digits, `+`, `-`, `.` up to the colon (tabs and
            // newlines are dropped before parsing).
            let seen: String = lower.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            if let Some((scheme, _)) = seen.split_once(':')
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            {
                prop_assert!(matches!(scheme, "http" | "https" | "mailto"), "{url:?}");
            }
        }
    }

    #[test]
    fn a_damaged_history_state_reads_as_none_not_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = northstar::history::store::state::decode(&bytes, "fingerprint");
    }
}

/// A real history cache: the `history.bin` a build of three commits
/// writes, and the fingerprint it was written for (read from its header).
static CACHE: LazyLock<(Vec<u8>, String)> = LazyLock::new(|| {
    let repo = Repo::base();
    let git = Git::init(repo.path());
    git.commit_as("First", "2026-02-17", ALICE);
    repo.file(
        "f1.md",
        "---\nkind: feature\ntitle: One\nstatus: planned\nmilestone: m1\n---\n",
    );
    git.commit_as("Second", "2026-03-17", ALICE);
    repo.file(
        "f1.md",
        "---\nkind: feature\ntitle: One\nstatus: in-progress\nmilestone: m2\n---\n",
    );
    git.commit_as("Third", "2026-04-17", ALICE);
    let run = repo.run(&["build", "--allow-errors"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(repo.join(".git/northstar/history.bin")).expect("cache written");
    let records = northstar::history::store::commits::records(&bytes);
    let (_, fingerprint) =
        northstar::history::store::commits::header(&records[0]).expect("a header");
    (bytes, fingerprint)
});

/// The entries a cache file reads as, comparable.
fn entries(
    bytes: &[u8],
    fingerprint: &str,
) -> Option<std::collections::BTreeMap<String, serde_json::Value>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.bin");
    std::fs::write(&path, bytes).expect("write");
    match load(&path, fingerprint) {
        Loaded::Entries(e) => Some(
            e.into_iter()
                .map(|(k, v)| (k, serde_json::to_value(v).expect("json")))
                .collect(),
        ),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), failure_persistence: None, ..ProptestConfig::default() })]

    /// One changed byte anywhere in the history cache is caught by its
    /// checksums: the file reads as damaged (and is rebuilt from git), or,
    /// where the byte is not part of what is read, as the same entries;
    /// never as other entries.
    #[test]
    fn a_changed_byte_in_the_history_cache_is_never_trusted(at in any::<prop::sample::Index>(), to in any::<u8>()) {
        let (bytes, fingerprint) = &*CACHE;
        let original = entries(bytes, fingerprint).expect("the cache reads back");
        prop_assert_eq!(original.len(), 3);
        let mut changed = bytes.clone();
        let i = at.index(changed.len());
        prop_assume!(changed[i] != to);
        changed[i] = to;
        if let Some(read) = entries(&changed, fingerprint) {
            prop_assert_eq!(read, original, "byte {} changed to {}", i, to);
        }
    }

    #[test]
    fn any_history_cache_bytes_read_without_panic(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let (bytes, fingerprint) = &*CACHE;
        let header_end = bytes.iter().position(|&b| b == b'\n').map_or(0, |p| p + 1);
        let mut file = bytes[..header_end].to_vec();
        file.extend_from_slice(&tail);
        let _ = entries(&file, fingerprint);
    }
}

proptest! {
    // Each case runs the binary: fewer cases, still seconds.
    #![proptest_config(ProptestConfig { cases: cases(24), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_on_any_feature_exits_cleanly_with_positions_in_the_file(
        title in planish(), status in planish(), body in planish(), effort in any::<f64>(),
    ) {
        let repo = Repo::base();
        let text = format!(
            "---\nkind: feature\ntitle: {}\nstatus: {}\neffort: {effort:e}\n---\n{body}",
            serde_json::to_string(&title).unwrap_or_default(),
            serde_json::to_string(&status).unwrap_or_default(),
        );
        repo.file("plans/f.md", &text);
        let run = repo.run(&["check", "--format", "json"]);
        prop_assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout)
            .map_err(|e| TestCaseError::fail(format!("{e}: {}", run.stdout)))?;
        for d in v.as_array().into_iter().flatten() {
            if d["file"] == "plans/f.md" {
                let line = d["line"].as_u64().unwrap_or(0) as u32;
                prop_assert!(line >= 1 && line <= lines(&text) + 1, "{d}");
            }
        }
    }
}
