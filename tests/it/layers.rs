//! The modules form layers, from `cmd` at the top down to `rules` and the
//! other helpers at the ground (ARCHITECTURE.md, "Layers"): a module may
//! use modules of lower layers only. This test reads `src/` (read only)
//! and fails on any `crate::…` path in code that points to its own layer
//! or above, naming the file and line, so an upward import is caught in
//! review rather than found as a cycle later.

use std::path::Path;

/// The layers, top first. A module may use the modules of the layers
/// below its own, never those of its own layer or above.
const LAYERS: &[&[&str]] = &[
    &["cmd"],
    &["serve", "diff", "lsp"],
    &["project"],
    &["render"],
    &["history"],
    &["check"],
    &["plan", "output"],
    &["source"],
    &["config"],
    &["schema"],
    &["parse", "report"],
    &["diag"],
    &[
        "rules",
        "dates",
        "timings",
        "numbers",
        "atomic",
        "fingerprint",
    ],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// `(file, line, from, to)` for every `crate::to` in the code of `file`
/// (comments and the unit tests at its end left out).
fn imports(src: &Path) -> Vec<(String, usize, String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let module = rel
                .split('/')
                .next()
                .unwrap_or("")
                .trim_end_matches(".rs")
                .to_string();
            if module == "main" || module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or("");
                for (at, _) in line.match_indices("crate::") {
                    let to: String = line[at + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if to != module {
                        out.push((rel.clone(), n + 1, module.clone(), to));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = imports(&src);
    assert!(found.len() > 100, "too few imports found: {}", found.len());
    let mut bad = Vec::new();
    for (file, line, from, to) in &found {
        match (layer_of(from), layer_of(to)) {
            (None, _) => bad.push(format!("{file}: module `{from}` is in no layer of LAYERS")),
            (_, None) => bad.push(format!(
                "{file}:{line}: `crate::{to}` is in no layer of LAYERS"
            )),
            (Some(a), Some(b)) if b <= a => bad.push(format!(
                "{file}:{line}: `{from}` (layer {a}) uses `crate::{to}` (layer {b}), {}",
                if a == b {
                    "its own layer"
                } else {
                    "a higher layer"
                }
            )),
            _ => {}
        }
    }
    bad.sort();
    bad.dedup();
    assert!(
        bad.is_empty(),
        "imports against the layers (move the shared piece down instead):\n{}",
        bad.join("\n")
    );
}

/// The test itself sees an upward import: `history` using `render`.
#[test]
fn an_upward_import_is_reported_with_its_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::create_dir_all(src.join("history")).expect("mkdir");
    std::fs::write(
        src.join("history/words.rs"),
        "// crate::render in a comment is no import\nuse crate::dates;\nfn f() { crate::render::svg::esc(\"\"); }\n#[cfg(test)]\nmod tests {\n    use crate::cmd;\n}\n",
    )
    .expect("write");
    let found = imports(src);
    assert_eq!(
        found,
        [
            (
                "history/words.rs".to_string(),
                2,
                "history".to_string(),
                "dates".to_string()
            ),
            (
                "history/words.rs".to_string(),
                3,
                "history".to_string(),
                "render".to_string()
            ),
        ]
    );
    let (a, b) = (layer_of("history"), layer_of("render"));
    assert!(b < a, "render is above history");
}
