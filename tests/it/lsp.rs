//! `northstar lsp`: the binary speaks JSON-RPC with Content-Length framing
//! over its stdin and stdout. Every read has a timeout, so a server that
//! hangs fails the test instead of blocking it.

use crate::common::Repo;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// How long any one message may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A feature that checks clean; line 10 (0-based) holds an emoji, so its
/// UTF-16 columns differ from its character columns.
const FEAT: &str = "---\nkind: feature\ntitle: Feature One\nsummary: The first feature.\nstatus: idea\nowner: alice\nmilestone: m1\nobjectives: [obj]\n---\n\n😀 see [[m2]]\n";

/// A second feature naming the first and `m1`.
const FEAT2: &str = "---\nkind: feature\ntitle: Feature Two\nsummary: Second.\nstatus: idea\nobjectives: [obj]\ndepends_on: [feat]\n---\n\nShips after [[m1]].\nSee [the first](./feat.md).\nAlso [m2](m2.yaml) and [web](https://example.com/feat.md).\n";

/// A running server on a copy of the base plans with the two features.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
    root: String,
    /// Notifications read while waiting for a response.
    seen: Vec<Value>,
    _repo: Repo,
}

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads framed messages from `out` and sends them on until it closes.
fn reader(out: impl Read + Send + 'static) -> Receiver<Value> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = n.parse().expect("length");
                }
            }
            let mut body = vec![0; len];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let v: Value = serde_json::from_slice(&body).expect("json message");
            if tx.send(v).is_err() {
                return;
            }
        }
    });
    rx
}

impl Server {
    /// Starts `northstar lsp` on `repo` and initializes it.
    pub fn start(repo: Repo) -> Server {
        let root = repo.path().canonicalize().expect("canonical");
        let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
            .arg("-C")
            .arg(&root)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start northstar lsp");
        let stdin = child.stdin.take().expect("stdin");
        let rx = reader(child.stdout.take().expect("stdout"));
        let mut s = Server {
            child,
            stdin,
            rx,
            next: 0,
            root: root.to_string_lossy().into_owned(),
            seen: Vec::new(),
            _repo: repo,
        };
        let init = s.request(
            "initialize",
            json!({ "processId": null, "rootUri": s.uri(""), "capabilities": {} }),
        );
        assert_eq!(
            init["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync: {init}"
        );
        s.notify("initialized", json!({}));
        s
    }

    pub fn uri(&self, rel: &str) -> String {
        format!("file://{}/{rel}", self.root)
    }

    fn send(&mut self, v: Value) {
        self.stdin.write_all(&frame(&v)).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn next_message(&mut self) -> Value {
        self.rx
            .recv_timeout(TIMEOUT)
            .expect("no message from the server in time")
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the response (result or error);
    /// notifications read meanwhile are kept in `seen`.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.next_message();
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// Sends a request and returns its result (panics on an error).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let m = self.call(method, params);
        assert!(m.get("error").is_none(), "{method} failed: {m}");
        m["result"].clone()
    }

    /// Sends a request that must fail, and returns its error.
    pub fn request_error(&mut self, method: &str, params: Value) -> Value {
        let m = self.call(method, params);
        assert!(m.get("result").is_none(), "{method} answered: {m}");
        m["error"].clone()
    }

    /// The diagnostics published since the last call, the latest per
    /// file (a request answered first: the server handles messages in
    /// order, so everything it published before has arrived).
    pub fn published(&mut self) -> HashMap<String, Vec<Value>> {
        self.request("workspace/symbol", json!({ "query": "no such title" }));
        let mut out = HashMap::new();
        for m in std::mem::take(&mut self.seen) {
            if m["method"] == "textDocument/publishDiagnostics" {
                let uri = m["params"]["uri"].as_str().unwrap_or("");
                let file = uri.strip_prefix(&self.uri("")).unwrap_or(uri).to_string();
                let diags = m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                out.insert(file, diags);
            }
        }
        out
    }

    pub fn open(&mut self, rel: &str) {
        let text = std::fs::read_to_string(format!("{}/{rel}", self.root)).expect("read");
        self.open_text(rel, &text);
    }

    /// Opens `rel` with `text` (a buffer not saved yet, if no file).
    pub fn open_text(&mut self, rel: &str, text: &str) {
        let lang = if rel.ends_with(".md") {
            "markdown"
        } else {
            "yaml"
        };
        let doc = json!({ "uri": self.uri(rel), "languageId": lang, "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    /// Replaces `line`:`from`..`to` (UTF-16 columns) of `rel` with `text`.
    fn edit(&mut self, rel: &str, version: i32, line: u32, from: u32, to: u32, text: &str) {
        let range = json!({ "start": { "line": line, "character": from }, "end": { "line": line, "character": to } });
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": self.uri(rel), "version": version },
                "contentChanges": [{ "range": range, "text": text }],
            }),
        );
    }

    pub fn at(&self, rel: &str, line: u32, character: u32) -> Value {
        json!({ "textDocument": { "uri": self.uri(rel) }, "position": { "line": line, "character": character } })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.request("shutdown", Value::Null);
            self.notify("exit", Value::Null);
            for _ in 0..100 {
                if let Ok(Some(status)) = self.child.try_wait() {
                    assert!(status.success(), "lsp exited with {status}");
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        assert!(std::thread::panicking(), "lsp did not exit after `exit`");
    }
}

/// A server on the base plans with the two features.
pub fn server() -> Server {
    let repo = Repo::base();
    repo.file("feat.md", FEAT);
    repo.file("feat2.md", FEAT2);
    let clean = repo.run(&["check"]);
    assert_eq!(clean.code, 0, "the fixture checks clean: {clean:?}");
    Server::start(repo)
}

/// A range as (start line, start column, end line, end column).
type Span = (u64, u64, u64, u64);

fn range(d: &Value) -> Span {
    let r = &d["range"];
    let n = |v: &Value| v.as_u64().expect("number");
    (
        n(&r["start"]["line"]),
        n(&r["start"]["character"]),
        n(&r["end"]["line"]),
        n(&r["end"]["character"]),
    )
}

/// Opening publishes the document's (empty) diagnostics; an incremental
/// edit (UTF-16 columns, after an emoji) that breaks a link publishes the
/// error with its exact range; undoing it publishes an empty list.
#[test]
fn diagnostics_follow_incremental_edits() {
    let mut s = server();
    s.open("feat.md");
    let p = s.published();
    assert_eq!(p.get("feat.md"), Some(&Vec::new()), "{p:?}");

    // `😀 see [[m2]]`: 😀 is two UTF-16 units, so `m2` is at 9..11.
    s.edit("feat.md", 2, 10, 9, 11, "m9");
    let p = s.published();
    let d = &p["feat.md"];
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "broken-link");
    assert_eq!(d[0]["source"], "northstar");
    assert_eq!(range(&d[0]), (10, 7, 10, 13), "{d:?}");
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("no document with id `m9`")
    );

    // A reference field: `milestone: m1` → `m7`.
    s.edit("feat.md", 3, 6, 11, 13, "m7");
    let p = s.published();
    let d = &p["feat.md"];
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0]["code"], "broken-reference");
    assert_eq!(range(&d[0]), (6, 11, 6, 13));
    assert_eq!(d[0]["severity"], 1);

    s.edit("feat.md", 4, 6, 11, 13, "m1");
    s.edit("feat.md", 5, 10, 9, 11, "m2");
    let p = s.published();
    assert_eq!(p.get("feat.md"), Some(&Vec::new()), "{p:?}");
}

/// Renaming a document's id breaks its referrers, which are published
/// too (not open); fixing the id publishes empty lists for them.
#[test]
fn fixing_the_target_clears_the_referrers_diagnostics() {
    let mut s = server();
    s.open("m1.yaml");
    s.published();
    // `id: m1` → `id: m1x`
    s.edit("m1.yaml", 2, 1, 6, 6, "x");
    let p = s.published();
    let feat = &p["feat.md"];
    assert_eq!(feat.len(), 1, "{feat:?}");
    assert_eq!(feat[0]["code"], "broken-reference");
    assert_eq!(range(&feat[0]), (6, 11, 6, 13));
    let feat2 = &p["feat2.md"];
    assert_eq!(range(&feat2[0]), (9, 12, 9, 18), "{feat2:?}");
    assert!(!p.contains_key("alice.yaml"), "{p:?}");

    s.edit("m1.yaml", 3, 1, 6, 7, "");
    let p = s.published();
    assert_eq!(p.get("feat.md"), Some(&Vec::new()), "{p:?}");
    assert_eq!(p.get("feat2.md"), Some(&Vec::new()), "{p:?}");
}

/// Completion in a reference field offers only documents of the kind
/// its schema's `x-ref` names, with their titles; an enum field offers
/// its values; a new key offers the schema's fields.
#[test]
fn completion_offers_ids_of_the_right_kind() {
    let mut s = server();
    s.open("feat.md");
    // After `milestone: m`.
    let items = s.request("textDocument/completion", s.at("feat.md", 6, 12));
    let got: Vec<(String, String)> = items
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap_or("").into(),
                i["detail"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("m1".into(), "M1".into()), ("m2".into(), "M2".into())]
    );

    let items = s.request("textDocument/completion", s.at("feat.md", 4, 8));
    let labels: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"in-progress") && labels.contains(&"shipped"),
        "{labels:?}"
    );
    assert!(!labels.contains(&"m1"));

    s.edit("feat.md", 2, 8, 0, 0, "own\n");
    let items = s.request("textDocument/completion", s.at("feat.md", 8, 3));
    let items = items.as_array().expect("items");
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"depends_on"), "{labels:?}");
    assert!(
        !labels.contains(&"title") && !labels.contains(&"owner"),
        "written already: {labels:?}"
    );
    let field = items
        .iter()
        .find(|i| i["label"] == "depends_on")
        .expect("depends_on");
    assert_eq!(field["textEdit"]["newText"], "depends_on: ");
    assert_eq!(range(&field["textEdit"]), (8, 0, 8, 3));

    // `[[` in the body offers every document.
    let items = s.request("textDocument/completion", s.at("feat.md", 11, 9));
    let labels: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(
        labels.contains(&"alice") && labels.contains(&"m2"),
        "{labels:?}"
    );
}

/// Hover on a reference names the target's title, kind and status; on a
/// key, the schema's description.
#[test]
fn hover_describes_the_target_and_the_field() {
    let mut s = server();
    s.open("feat2.md");
    let h = s.request("textDocument/hover", s.at("feat2.md", 6, 14));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("**Feature One**"), "{text}");
    assert!(text.contains("feature") && text.contains("idea"), "{text}");
    assert!(text.contains("The first feature."), "{text}");

    let h = s.request("textDocument/hover", s.at("feat2.md", 6, 3));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("depends_on"), "{text}");
    assert!(!text.contains("Feature One"), "{text}");
}

/// Definition of a reference, of a `[[link]]`, and references of an id.
#[test]
fn definition_and_references() {
    let mut s = server();
    s.open("feat.md");
    let d = s.request("textDocument/definition", s.at("feat.md", 6, 12));
    assert_eq!(d["uri"], s.uri("m1.yaml"));
    assert_eq!(range(&d), (1, 4, 1, 6));
    let d = s.request("textDocument/definition", s.at("feat.md", 10, 10));
    assert_eq!(d["uri"], s.uri("m2.yaml"));
    s.open("feat2.md");
    let d = s.request("textDocument/definition", s.at("feat2.md", 10, 8));
    assert_eq!(d["uri"], s.uri("feat.md"));
    let d = s.request("textDocument/definition", s.at("feat2.md", 11, 7));
    assert_eq!(d["uri"], s.uri("m2.yaml"));
    let d = s.request("textDocument/definition", s.at("feat2.md", 11, 25));
    assert_eq!(d, Value::Null);
    // A document named by its file: its front matter's first line.
    let d = s.request("textDocument/definition", s.at("feat2.md", 6, 14));
    assert_eq!(d["uri"], s.uri("feat.md"));
    assert_eq!(range(&d), (1, 0, 1, 0));

    s.open("m1.yaml");
    let ctx = json!({ "includeDeclaration": false });
    let mut params = s.at("m1.yaml", 1, 5);
    params["context"] = ctx;
    let refs = s.request("textDocument/references", params);
    let mut got: Vec<(String, Span)> = refs
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            (
                l["uri"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .into(),
                range(l),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("feat.md".into(), (6, 11, 6, 13)),
            ("feat2.md".into(), (9, 14, 9, 16))
        ]
    );

    // Anywhere else in a document (here its title), the document's own.
    let mut params = s.at("feat.md", 2, 3);
    params["context"] = json!({ "includeDeclaration": true });
    let refs = s.request("textDocument/references", params);
    assert_eq!(refs.as_array().map(Vec::len), Some(1), "{refs}");
    assert_eq!(refs[0]["uri"], s.uri("feat2.md"));
    assert_eq!(range(&refs[0]), (6, 13, 6, 17));
}

/// Renaming `m1` edits its `id:` and every reference and link to it.
#[test]
fn rename_edits_every_referring_file() {
    let mut s = server();
    s.open("feat.md");
    let mut params = s.at("feat.md", 6, 12);
    params["newName"] = json!("m-one");
    let edit = s.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    let mut got: Vec<(String, Span, String)> = changes
        .iter()
        .flat_map(|(uri, edits)| {
            let file = uri.rsplit('/').next().unwrap_or("").to_string();
            edits.as_array().expect("edits").iter().map(move |e| {
                (
                    file.clone(),
                    range(e),
                    e["newText"].as_str().unwrap_or("").into(),
                )
            })
        })
        .collect();
    got.sort();
    let m = || "m-one".to_string();
    assert_eq!(
        got,
        [
            ("feat.md".into(), (6, 11, 6, 13), m()),
            ("feat2.md".into(), (9, 14, 9, 16), m()),
            ("m1.yaml".into(), (1, 4, 1, 6), m()),
        ]
    );

    let prepared = s.request("textDocument/prepareRename", s.at("feat.md", 6, 12));
    assert_eq!(range(&json!({ "range": prepared })), (6, 11, 6, 13));
    let mut params = s.at("feat.md", 6, 12);
    params["newName"] = json!("m2");
    let e = s.request_error("textDocument/rename", params);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("exists already"),
        "{e}"
    );
    let mut params = s.at("feat.md", 6, 12);
    params["newName"] = json!("not an id");
    let e = s.request_error("textDocument/rename", params);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("not a valid id"),
        "{e}"
    );
}

/// A Markdown document named by its file gets an `id:` line when renamed.
#[test]
fn renaming_a_document_named_by_its_file_writes_its_id() {
    let mut s = server();
    s.open("feat2.md");
    let mut params = s.at("feat2.md", 6, 14);
    params["newName"] = json!("first");
    let edit = s.request("textDocument/rename", params);
    let feat = &edit["changes"][s.uri("feat.md")];
    assert_eq!(feat[0]["newText"], "id: first\n");
    assert_eq!(range(&feat[0]), (1, 0, 1, 0));
    let feat2 = &edit["changes"][s.uri("feat2.md")];
    assert_eq!(feat2[0]["newText"], "first");
    assert_eq!(range(&feat2[0]), (6, 13, 6, 17));
}

/// The quick fix for an enum typo replaces the value with the one the
/// checker suggests.
#[test]
fn a_code_action_fixes_an_enum_typo() {
    let mut s = server();
    s.open("feat.md");
    // `status: idea` → `status: in progres`
    s.edit("feat.md", 2, 4, 8, 12, "in progres");
    let p = s.published();
    assert_eq!(range(&p["feat.md"][0]), (4, 8, 4, 18), "{p:?}");
    let params = json!({
        "textDocument": { "uri": s.uri("feat.md") },
        "range": { "start": { "line": 4, "character": 10 }, "end": { "line": 4, "character": 10 } },
        "context": { "diagnostics": [] },
    });
    let actions = s.request("textDocument/codeAction", params);
    let a = &actions[0];
    assert_eq!(a["kind"], "quickfix");
    assert_eq!(a["title"], "Replace with `in-progress`");
    assert_eq!(a["isPreferred"], true);
    let edits = &a["edit"]["changes"][s.uri("feat.md")];
    assert_eq!(edits[0]["newText"], "in-progress");
    assert_eq!(range(&edits[0]), (4, 8, 4, 18));
    // A cursor touching the value's either end gets the fix; one before
    // it on the line, or on another line, does not.
    let fixes = |s: &mut Server, line: u32, from: u32, to: u32| {
        let params = json!({
            "textDocument": { "uri": s.uri("feat.md") },
            "range": { "start": { "line": line, "character": from }, "end": { "line": line, "character": to } },
            "context": { "diagnostics": [] },
        });
        s.request("textDocument/codeAction", params)
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(fixes(&mut s, 4, 8, 8), 1);
    assert_eq!(fixes(&mut s, 4, 18, 18), 1);
    assert_eq!(fixes(&mut s, 4, 0, 7), 0);
    assert_eq!(fixes(&mut s, 3, 0, 20), 0);

    // A reference typo in a flow list: `objectives: [ob]` → `obj`.
    s.edit("feat.md", 3, 7, 13, 16, "ob");
    let params = json!({
        "textDocument": { "uri": s.uri("feat.md") },
        "range": { "start": { "line": 7, "character": 0 }, "end": { "line": 7, "character": 17 } },
        "context": { "diagnostics": [] },
    });
    let actions = s.request("textDocument/codeAction", params);
    assert_eq!(actions.as_array().map(Vec::len), Some(1), "{actions}");
    let edits = &actions[0]["edit"]["changes"][s.uri("feat.md")];
    assert_eq!(edits[0]["newText"], "obj");
    assert_eq!(range(&edits[0]), (7, 13, 7, 15));
}

/// Symbols: a file's fields and headings; the plans' documents by title.
#[test]
fn document_and_workspace_symbols() {
    let mut s = server();
    s.open("feat.md");
    s.edit("feat.md", 2, 11, 0, 0, "## Goals\n\n");
    let syms = s.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": s.uri("feat.md") } }),
    );
    let doc = &syms[0];
    assert_eq!(doc["name"], "Feature One");
    let names: Vec<&str> = doc["children"]
        .as_array()
        .expect("children")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "kind",
            "title",
            "summary",
            "status",
            "owner",
            "milestone",
            "objectives",
            "Goals"
        ]
    );

    let found = s.request("workspace/symbol", json!({ "query": "feature t" }));
    let names: Vec<&str> = found
        .as_array()
        .expect("symbols")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Feature Two"]);
}

/// On the example plans with a few mistakes added, the server publishes
/// what `check` reports: the same files, rules and lines, each range
/// starting at `check`'s column counted in UTF-16 units.
#[test]
fn the_example_plans_publish_what_check_reports() {
    let repo = Repo::example();
    repo.file(
        "plans/features/broken.md",
        "---\nkind: feature\ntitle: Brökén 😀\nstatus: in progres\nownr: nobody\nobjectives: [find-anythin]\n---\n\n😀 é [[no-such]] and [[find-anything#nope]]\n",
    );
    let mut want: Vec<(String, String, u64, u64)> = repo
        .diagnostics()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("").to_string();
            let (line, col) = (
                d["line"].as_u64().unwrap_or(1),
                d["column"].as_u64().unwrap_or(1),
            );
            let text = std::fs::read_to_string(repo.join(&file)).unwrap_or_default();
            let l = text.lines().nth(line as usize - 1).unwrap_or("");
            let units: usize = l.chars().take(col as usize - 1).map(char::len_utf16).sum();
            let rule = d["rule"].as_str().unwrap_or("").to_string();
            (file, rule, line - 1, units as u64)
        })
        .collect();
    want.sort();
    assert_eq!(want.len(), 5, "{want:?}");
    let mut s = Server::start(repo);
    let mut got: Vec<(String, String, u64, u64)> = s
        .published()
        .into_iter()
        .flat_map(|(file, diags)| {
            diags.into_iter().map(move |d| {
                let (line, col, _, _) = range(&d);
                (
                    file.clone(),
                    d["code"].as_str().unwrap_or("").to_string(),
                    line,
                    col,
                )
            })
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}

/// A kind by location: its Markdown body lives in a sibling file, which
/// is checked as typed; its YAML has no `kind:`, and completion still
/// knows the kind.
#[test]
fn a_body_file_of_a_kind_by_location_is_checked_as_typed() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  kep:\n    schema: schema/kep.schema.json\n    files: \"keps/*/kep.yaml\"\n    id: \"kep-{dir}\"\n    title: name\n    body: README.md\n",
    )
    .file(
        "schema/kep.schema.json",
        r#"{"type": "object", "properties": {"name": {"type": "string"}, "stage": {"enum": ["alpha", "beta"]}}}"#,
    )
    .file("keps/1-good/kep.yaml", "# KEP 1\nname: Good\nstage: alpha\n")
    .file("keps/1-good/README.md", "# Good\n\n## Summary\n");
    let mut s = Server::start(repo);
    s.open("keps/1-good/README.md");
    assert_eq!(
        s.published().get("keps/1-good/README.md"),
        Some(&Vec::new())
    );
    s.edit("keps/1-good/README.md", 2, 3, 0, 0, "See [[nope]].\n");
    let p = s.published();
    let d = &p["keps/1-good/README.md"];
    assert_eq!(d[0]["code"], "broken-link", "{p:?}");
    assert_eq!(range(&d[0]), (3, 4, 3, 12));

    s.edit("keps/1-good/README.md", 3, 3, 6, 10, "kep-1-good");
    assert_eq!(
        s.published().get("keps/1-good/README.md"),
        Some(&Vec::new())
    );
    let mut params = s.at("keps/1-good/README.md", 3, 7);
    params["newName"] = json!("kep-one");
    let e = s.request_error("textDocument/rename", params);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("no `id:` field"),
        "{e}"
    );

    s.open("keps/1-good/kep.yaml");
    let items = s.request(
        "textDocument/completion",
        s.at("keps/1-good/kep.yaml", 2, 7),
    );
    let labels: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert_eq!(labels, ["alpha", "beta"]);

    // A saved schema opens the plans again with it.
    let root = s.uri("").trim_start_matches("file://").to_string();
    std::fs::write(
        format!("{root}schema/kep.schema.json"),
        r#"{"type": "object", "properties": {"name": {"type": "string"}, "stage": {"enum": ["alpha", "beta", "gamma"]}}}"#,
    )
    .expect("write");
    s.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": s.uri("schema/kep.schema.json") } }),
    );
    let items = s.request(
        "textDocument/completion",
        s.at("keps/1-good/kep.yaml", 2, 7),
    );
    assert_eq!(items.as_array().map(Vec::len), Some(3), "{items}");

    // The body file closed, then deleted: the document has no body.
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": s.uri("keps/1-good/README.md") } }),
    );
    s.published();
    std::fs::remove_file(format!("{root}keps/1-good/README.md")).expect("rm");
    let change = json!({ "changes": [{ "uri": s.uri("keps/1-good/README.md"), "type": 3 }] });
    s.notify("workspace/didChangeWatchedFiles", change);
    let p = s.published();
    let kep = &p["keps/1-good/kep.yaml"];
    assert_eq!(kep[0]["code"], "kind-location", "{p:?}");
}

/// Closing a buffer puts the file's text back: its edits' errors go, and
/// a new document never saved leaves the plans (its errors too, and the
/// ones its id fixed elsewhere come back).
#[test]
fn closing_a_buffer_goes_back_to_the_file() {
    let mut s = server();
    s.open("feat.md");
    s.edit("feat.md", 2, 6, 11, 13, "m7");
    assert_eq!(s.published()["feat.md"].len(), 1);
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": s.uri("feat.md") } }),
    );
    assert_eq!(s.published().get("feat.md"), Some(&Vec::new()));

    s.open_text(
        "m7.yaml",
        "kind: milestone\nid: m7\ntitle: M7\ndate: 2027-13-01\n",
    );
    s.open("feat.md");
    s.edit("feat.md", 2, 6, 11, 13, "m7");
    let p = s.published();
    assert_eq!(p["m7.yaml"].len(), 1, "{p:?}");
    assert_eq!(p.get("feat.md"), Some(&Vec::new()), "{p:?}");
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": s.uri("m7.yaml") } }),
    );
    let p = s.published();
    assert_eq!(p.get("m7.yaml"), Some(&Vec::new()), "{p:?}");
    assert_eq!(p["feat.md"][0]["code"], "broken-reference", "{p:?}");
}

/// Files changed on disk are read again when the editor reports them; a
/// saved `northstar.yaml` opens the plans again with its rules, keeping
/// the open buffers' edits.
#[test]
fn files_changed_outside_the_editor_are_read_again() {
    let mut s = server();
    let root = s.uri("").trim_start_matches("file://").to_string();
    // A saved file that is neither the config nor a schema opens nothing
    // again: a file changed on disk unreported stays as it was read.
    let m2 = std::fs::read_to_string(format!("{root}m2.yaml")).expect("read");
    std::fs::write(format!("{root}m2.yaml"), m2.replace("id: m2", "id: m2x")).expect("write");
    s.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": s.uri("feat.md") } }),
    );
    let p = s.published();
    assert!(!p.contains_key("feat.md"), "{p:?}");
    std::fs::write(format!("{root}m2.yaml"), m2).expect("write");

    std::fs::write(
        format!("{root}m1.yaml"),
        "kind: milestone\nid: m1x\ntitle: M1\ndate: 2027-01-15\n",
    )
    .expect("write");
    let change = json!({ "changes": [{ "uri": s.uri("m1.yaml"), "type": 2 }] });
    s.notify("workspace/didChangeWatchedFiles", change);
    let p = s.published();
    assert_eq!(p["feat.md"][0]["code"], "broken-reference", "{p:?}");
    assert_eq!(p["feat.md"][0]["severity"], 1);

    s.open("feat.md");
    s.edit("feat.md", 2, 4, 8, 12, "in progres");
    s.published();
    let config = "product: Test Product\ntoday: 2026-11-01\nrules:\n  broken-reference: warning\n";
    std::fs::write(format!("{root}northstar.yaml"), config).expect("write");
    s.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": s.uri("northstar.yaml") } }),
    );
    let p = s.published();
    let feat = &p["feat.md"];
    let codes: Vec<(&str, u64)> = feat
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["severity"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(codes, [("schema", 1), ("broken-reference", 2)], "{p:?}");

    // An open buffer wins over its file changed on disk.
    let change = json!({ "changes": [{ "uri": s.uri("feat.md"), "type": 2 }] });
    s.notify("workspace/didChangeWatchedFiles", change);
    let p = s.published();
    assert!(!p.contains_key("feat.md"), "{p:?}");
}

/// Outside a plans repository the handshake fails with the reason, and
/// the server exits with status 2 when the editor closes its input.
#[test]
fn outside_a_plans_repository_initialize_fails() {
    let repo = Repo::empty();
    let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
        .arg("-C")
        .arg(repo.path())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start northstar lsp");
    let mut stdin = child.stdin.take().expect("stdin");
    let rx = reader(child.stdout.take().expect("stdout"));
    let init = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "rootUri": null, "capabilities": {} } });
    stdin.write_all(&frame(&init)).expect("write");
    let m = rx.recv_timeout(TIMEOUT).expect("an answer in time");
    let message = m["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("not a plans repository"), "{m}");
    drop(stdin);
    for _ in 0..200 {
        if let Ok(Some(status)) = child.try_wait() {
            assert_eq!(status.code(), Some(2));
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("lsp did not exit after its input closed");
}

/// References from anywhere in a document of a YAML stream are that
/// document's: the one the cursor's line belongs to.
#[test]
fn references_in_a_yaml_stream_are_those_of_the_document_at_the_cursor() {
    let mut s = server();
    s.open_text(
        "people.yaml",
        "kind: person\nid: bob\ntitle: Bob\n---\nkind: person\nid: carol\ntitle: Carol\n",
    );
    s.open("feat.md");
    s.edit("feat.md", 2, 5, 7, 12, "carol");
    let refs = |s: &mut Server, line: u32| {
        let mut params = s.at("people.yaml", line, 2);
        params["context"] = json!({ "includeDeclaration": false });
        s.request("textDocument/references", params)
    };
    let carol = refs(&mut s, 6);
    assert_eq!(carol.as_array().map(Vec::len), Some(1), "{carol}");
    assert_eq!(carol[0]["uri"], s.uri("feat.md"));
    assert_eq!(range(&carol[0]), (5, 7, 5, 12));
    assert_eq!(refs(&mut s, 0), json!([]));
}

/// Renaming a document named by its file writes its `id:` where its front
/// matter's first field is (after a comment here); a YAML document whose
/// id comes from its location cannot be renamed.
#[test]
fn rename_writes_an_id_before_the_first_field_and_refuses_a_located_id() {
    let mut s = server();
    s.open_text(
        "f3.md",
        "---\n# a note\nkind: feature\ntitle: Three\nsummary: s\nstatus: idea\nobjectives: [obj]\n---\n",
    );
    s.open("feat2.md");
    s.edit("feat2.md", 2, 6, 13, 17, "f3");
    let mut params = s.at("feat2.md", 6, 14);
    params["newName"] = json!("three");
    let edit = s.request("textDocument/rename", params);
    let f3 = &edit["changes"][s.uri("f3.md")];
    assert_eq!(f3[0]["newText"], "id: three\n");
    assert_eq!(range(&f3[0]), (2, 0, 2, 0));
}
