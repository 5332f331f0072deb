//! Acceptance on real data: the snapshot of the Kubernetes KEPs in
//! `../shared/corpora/kubernetes-enhancements` (its README lists the
//! defects in the data). A copy is adopted with `init --from kep` and
//! checked: every diagnostic must be a listed defect or one this file
//! justifies, and every listed defect a schema or rule can express must
//! be found, by the right rule, in the right file, at the right line.
//! Then the copy builds into a site with KEP pages.
//!
//! Listed defects that no schema or rule of the recipe expresses, and
//! so are not looked for: `owning-sig` not matching the folder, the
//! duplicate `kep-number`s (the recipe's ids are the folder names, which
//! are unique, so they clash nowhere), and the milestone placeholders
//! (`"0.0"`, `TBD`), which the schema leaves free-form.

use crate::common::{copy_tree, run_in, skip_unless_ci};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The snapshot, next to the project (as CI clones them).
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/kubernetes-enhancements")
}

/// A diagnostic's (rule, file, line).
type At = (String, String, u64);

fn at(d: &Value) -> At {
    (
        d["rule"].as_str().unwrap_or_default().to_string(),
        d["file"].as_str().unwrap_or_default().to_string(),
        d["line"].as_u64().unwrap_or_default(),
    )
}

fn kep(path: &str) -> String {
    format!("keps/{path}/kep.yaml")
}

/// The defects the corpus README lists, as (rule, file, line, what the
/// message says).
fn listed() -> Vec<(&'static str, String, u64, &'static str)> {
    let mut v = vec![
        // Dates that are not dates.
        (
            "schema",
            kep("sig-api-machinery/4355-coordinated-leader-election"),
            10,
            "\"2023-14-05\" is not a \"date\"",
        ),
        (
            "schema",
            kep("sig-scheduling/5075-dra-consumable-capacity"),
            10,
            "\"2025-30-01\" is not a \"date\"",
        ),
        // Invalid status.
        (
            "schema",
            kep("sig-api-machinery/4153-declarative-validation"),
            7,
            "`superseded` is not an allowed `status`",
        ),
        (
            "schema",
            kep("sig-instrumentation/1753-logs-sanitization"),
            10,
            "`implemented (alpha)` is not an allowed `status`",
        ),
        (
            "schema",
            kep("sig-node/2625-cpumanager-policies-thread-placement"),
            8,
            "`imlpemented` is not an allowed `status`",
        ),
        (
            "schema",
            kep("sig-node/281-dynamic-kubelet-configuration"),
            7,
            "`removed` is not an allowed `status`",
        ),
        (
            "schema",
            kep("sig-api-machinery/5000-api-linting-crd-schema-tooling"),
            8,
            "`provisional|implementable|implemented|deferred|rejected|withdrawn|replaced` is not an allowed `status`",
        ),
        // Invalid stage.
        (
            "schema",
            kep("sig-instrumentation/1753-logs-sanitization"),
            12,
            "`alpha (deprecated)` is not an allowed `stage`",
        ),
        (
            "schema",
            kep("sig-api-machinery/5000-api-linting-crd-schema-tooling"),
            19,
            "`alpha|beta|stable` is not an allowed `stage`",
        ),
        // Required field empty.
        (
            "schema",
            kep("sig-scheduling/5941-dra-shared-consumable-capacity"),
            13,
            "`approvers`: [] has less than 1 item",
        ),
        // Unexpected keys: `name` is unknown to the closed schema; `id`
        // is northstar's own field, which disagrees with the folder's id.
        (
            "schema",
            kep("sig-api-machinery/4080-generic-controlplane"),
            1,
            "unknown field `name`",
        ),
        (
            "schema",
            kep("sig-auth/3325-self-subject-attributes-review-api"),
            1,
            "unknown field `name`",
        ),
        (
            "schema",
            kep("sig-cli/3515-kubectl-explain-openapiv3"),
            2,
            "unknown field `name`",
        ),
        (
            "schema",
            kep("sig-network/563-dual-stack"),
            1,
            "unknown field `name`",
        ),
        (
            "kind-location",
            kep("sig-cli/3515-kubectl-explain-openapiv3"),
            1,
            "`id: 3515` differs from `3515-kubectl-explain-openapiv3`",
        ),
        // The body spelled `README.MD`.
        (
            "kind-location",
            kep("sig-api-machinery/365-paginated-lists"),
            1,
            "no `README.md` beside",
        ),
    ];
    // `status: implemented` with a stage other than `stable`.
    for (path, line) in [
        ("sig-cli/1802-kustomize-components", 19),
        (
            "sig-cli/2383-extend-kustomize-patches-to-multiple-targets",
            18,
        ),
        ("sig-cli/3515-kubectl-explain-openapiv3", 18),
        ("sig-cli/993-kustomize-generators-transformers", 18),
        (
            "sig-cluster-lifecycle/kubeadm/2501-kubeadm-phases-to-beta",
            22,
        ),
        ("sig-network/4004-deprecate-kube-proxy-version", 20),
    ] {
        v.push((
            "schema",
            kep(path),
            line,
            "`stage`: \"stable\" was expected",
        ));
    }
    v
}

/// Diagnostics the README does not list, each a real defect of the data:
/// (rule, file, line, what the message says, why it is right).
fn justified() -> Vec<(&'static str, String, u64, &'static str)> {
    let mut v = Vec::new();
    // A milestone where a date belongs.
    for (path, line, value) in [
        (
            "sig-api-machinery/4080-generic-controlplane",
            17,
            "\"v1.27\" is not a \"date\"",
        ),
        (
            "sig-api-machinery/4595-cel-crd-additionalprintercolumns",
            16,
            "\"v1.34\" is not a \"date\"",
        ),
        (
            "sig-cli/3515-kubectl-explain-openapiv3",
            16,
            "\"v1.29\" is not a \"date\"",
        ),
        (
            "sig-network/3458-remove-transient-node-predicates-from-service-controller",
            11,
            "\"v1.30\" is not a \"date\"",
        ),
        // Dates without their zero: not RFC 3339 dates.
        (
            "sig-api-machinery/5647-stale-controller-handling",
            7,
            "\"2025-10-9\" is not a \"date\"",
        ),
        (
            "sig-cluster-lifecycle/kubeadm/4214-separate-super-user-kubeconfig",
            9,
            "\"2023-9-18\" is not a \"date\"",
        ),
        (
            "sig-cluster-lifecycle/kubeadm/4471-cp-join-kubelet-local-apiserver",
            9,
            "\"2024-2-1\" is not a \"date\"",
        ),
        // The template's placeholder, left in.
        (
            "sig-etcd/4326-downgrade",
            7,
            "\"yyyy-mm-dd\" is not a \"date\"",
        ),
        (
            "sig-etcd/4331-livez-readyz",
            8,
            "\"yyyy-mm-dd\" is not a \"date\"",
        ),
        (
            "sig-cloud-provider/providers/0000-cloud-provider-template",
            17,
            "\"yyyy-mm-dd\" is not a \"date\"",
        ),
        (
            "sig-cloud-provider/providers/0000-cloud-provider-template",
            18,
            "\"yyyy-mm-dd\" is not a \"date\"",
        ),
    ] {
        v.push(("schema", kep(path), line, value));
    }
    // `yes` is a string in YAML 1.2 (a boolean only in YAML 1.1).
    v.push((
        "schema",
        kep("sig-instrumentation/3077-contextual-logging"),
        39,
        "`disable-supported`: \"yes\" is not of type \"boolean\"",
    ));
    // A flow sequence whose closing `]` is not indented: YAML 1.2 wants
    // it inside the block mapping (yaml-test-suite 9C9N), though
    // PyYAML and go-yaml let it pass.
    for (path, line) in [
        ("sig-node/5419-pod-level-resources-in-place-resize", 21),
        ("sig-node/5573-remove-cgroup-v1", 23),
    ] {
        v.push((
            "yaml-syntax",
            kep(path),
            line,
            "the closing `]` of a list written over several lines must be indented",
        ));
    }
    v
}

/// GitHub's anchors of a Markdown file's headings and HTML ids (roughly:
/// lowercased, punctuation dropped, spaces as `-`, repeats numbered).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(h) = t.strip_prefix('#') {
            let h = h
                .trim_start_matches('#')
                .trim()
                .trim_end_matches('#')
                .trim();
            let slug: String = h
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect();
            let n = seen.entry(slug.clone()).or_insert(0);
            out.insert(if *n == 0 {
                slug.clone()
            } else {
                format!("{slug}-{n}")
            });
            *n += 1;
        }
        for attr in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(i) = rest.find(attr) {
                rest = &rest[i + attr.len()..];
                if let Some(end) = rest.find('"') {
                    out.insert(rest[..end].to_string());
                }
            }
        }
    }
    out
}

/// Whether `p` (relative to the root) is a KEP: its folder, its
/// `kep.yaml` or its body.
fn is_kep(root: &Path, p: &str) -> bool {
    let p = root.join(p.trim_matches('/'));
    p.join("kep.yaml").is_file()
        || (p.is_file()
            && p.parent().is_some_and(|d| d.join("kep.yaml").is_file())
            && p.file_name()
                .is_some_and(|n| n == "kep.yaml" || n == "README.md"))
}

/// Where a reference by path could point: from the root when it starts
/// with `/`, else from the referring file's folder or from the root.
fn resolves(root: &Path, from_file: &str, value: &str) -> bool {
    let dir = from_file.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = |base: &str, v: &str| -> Option<String> {
        let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
        for seg in v.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        Some(parts.join("/"))
    };
    if let Some(v) = value.strip_prefix('/') {
        return joined("", v).is_some_and(|p| is_kep(root, &p));
    }
    joined(dir, value).is_some_and(|p| is_kep(root, &p))
        || (!value.starts_with('.') && joined("", value).is_some_and(|p| is_kep(root, &p)))
}

#[test]
fn the_kep_snapshot_checks_with_every_listed_defect_and_nothing_else() {
    let source = corpus();
    if !source.join("keps").is_dir() {
        skip_unless_ci(
            "corpus::the_kep_snapshot_checks_with_every_listed_defect_and_nothing_else",
            &format!(
                "the KEP snapshot is not at {} (the project is cloned next to `shared/`)",
                source.display()
            ),
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("kubernetes-enhancements");
    copy_tree(&source, &root, None);
    let started = std::time::Instant::now();

    // Adopt.
    let run = run_in(&root, &["init", "--from", "kep"]);
    assert_eq!(run.code, 0, "{run:?}");
    let written: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        written,
        [
            root.join("northstar.yaml").display().to_string(),
            root.join("schema/kep.schema.json").display().to_string()
        ],
        "{run:?}"
    );
    assert!(
        run.stderr
            .starts_with("found 656 `kep.yaml` files under keps/")
            && run.stderr.contains("next: `northstar -C ")
            && run.stderr.contains(" check`"),
        "{run:?}"
    );
    let config = std::fs::read_to_string(root.join("northstar.yaml")).expect("config");
    assert!(config.lines().count() <= 30, "{config}");

    // Check.
    let run = run_in(&root, &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let diags: Vec<Value> = serde_json::from_str(&run.stdout).expect("json");
    let mut unexplained: Vec<String> = Vec::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for d in &diags {
        *by_rule.entry(at(d).0).or_default() += 1;
    }
    let total = diags.len();

    // Every listed defect, by the right rule, file and line.
    let message = |d: &Value| d["message"].as_str().unwrap_or_default().to_string();
    let expected: Vec<_> = listed().into_iter().chain(justified()).collect();
    for (rule, file, line, what) in listed() {
        assert!(
            diags
                .iter()
                .any(|d| at(d) == (rule.to_string(), file.clone(), line)
                    && message(d).contains(what)),
            "not found: {rule} at {file}:{line} ({what})"
        );
    }

    // References by path: each value that names no KEP is reported at its
    // line, and none that does; web addresses are not checked.
    let tmpsite = tempfile::tempdir().expect("tempdir");
    let site = tmpsite.path().join("site");
    let run = run_in(
        &root,
        &[
            "build",
            "--allow-errors",
            "-o",
            site.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("plan.json")).expect("plan.json"))
            .expect("plan.json");
    let docs = plan["documents"].as_array().expect("documents");
    assert_eq!(
        docs.len(),
        653,
        "656 kep.yaml less the template and the two that do not parse"
    );
    let mut should_break: BTreeSet<(String, String)> = BTreeSet::new();
    let mut gone_paths = 0;
    for doc in docs {
        let file = doc["file"].as_str().expect("file");
        for field in ["see-also", "replaces", "superseded-by"] {
            for v in doc["fields"][field].as_array().into_iter().flatten() {
                let Some(v) = v.as_str() else { continue };
                if v.starts_with("http://") || v.starts_with("https://") {
                    continue;
                }
                if !resolves(&root, file, v) {
                    if v.trim_start_matches('/').starts_with("keps/") {
                        gone_paths += 1;
                    }
                    should_break.insert((file.to_string(), v.to_string()));
                }
            }
        }
    }
    let mut broke: BTreeSet<(String, String)> = BTreeSet::new();
    for d in diags.iter().filter(|d| d["rule"] == "broken-reference") {
        let (_, file, line) = at(d);
        let m = message(d);
        let value = m
            .strip_prefix("no document at `")
            .and_then(|r| r.strip_suffix('`'))
            .unwrap_or_else(|| panic!("{m}"));
        let text = std::fs::read_to_string(root.join(&file)).expect("kep.yaml");
        let src = text.lines().nth(line as usize - 1).unwrap_or_default();
        assert!(src.contains(value), "{file}:{line} `{src}` lacks `{value}`");
        broke.insert((file, value.to_string()));
    }
    let extra: Vec<_> = broke.difference(&should_break).collect();
    let missed: Vec<_> = should_break.difference(&broke).collect();
    assert!(
        extra.is_empty() && missed.is_empty(),
        "reported though they name a KEP: {extra:#?}\nnot reported: {missed:#?}"
    );
    // The README counts 56 repository paths to files that are gone.
    assert!(gone_paths >= 56, "{gone_paths}");

    // Broken links in the bodies: a file that is not in the snapshot
    // (which keeps only kep.yaml and README.md: an image, another .md, or
    // a KEP long renamed), or a heading the target does not have.
    for d in diags.iter().filter(|d| d["rule"] == "broken-link") {
        let (_, file, line) = at(d);
        let m = message(d);
        let dir = Path::new(&file).parent().expect("dir");
        if let Some(rest) = m.strip_prefix("link to missing file `") {
            let target = rest.split('`').next().unwrap_or_default();
            let path = target.split(['#', '?']).next().unwrap_or_default();
            let p = match path.strip_prefix('/') {
                Some(p) => root.join(p),
                None => root.join(dir).join(path),
            };
            assert!(!p.exists(), "{file}:{line}: {m}");
        } else if let Some(rest) = m
            .strip_prefix("no heading `#")
            .or_else(|| m.strip_prefix("anchor `#"))
        {
            let anchor = rest.split('`').next().unwrap_or_default();
            // "no heading `#a` in `id`", "anchor `#A` of `id` differs …"
            let id = m.split('`').nth(3).unwrap_or_default();
            let target = docs
                .iter()
                .find(|d| d["id"] == id)
                .and_then(|d| d["file"].as_str())
                .map(|f| root.join(f).with_file_name("README.md"))
                .unwrap_or_else(|| root.join(&file));
            let known = anchors(&std::fs::read_to_string(&target).expect("README"));
            if m.starts_with("no heading") {
                // A fence opened inside a list item there is closed by the
                // item's end; the ` ```` ` meant to close it (one space in)
                // opens another that runs to the end of the file, so its
                // last headings are code, on GitHub too (CommonMark).
                // The rough reading of `anchors` does not know that.
                let fenced = file == "keps/sig-storage/3107-csi-nodeexpandsecret/README.md"
                    && (35..=41).contains(&line);
                assert!(fenced || !known.contains(anchor), "{file}:{line}: {m}");
            } else {
                assert_eq!(d["level"], "warning", "{m}");
                assert!(
                    !known.contains(anchor) && known.contains(&anchor.to_lowercase()),
                    "{file}:{line}: {m}"
                );
            }
        } else {
            unexplained.push(format!("{file}:{line}: {m}"));
        }
    }

    // Nothing else.
    for d in &diags {
        let (rule, file, line) = at(d);
        if rule == "broken-reference" || rule == "broken-link" {
            continue;
        }
        let m = message(d);
        if !expected
            .iter()
            .any(|(r, f, l, w)| (*r, f, *l) == (rule.as_str(), &file, line) && m.contains(w))
        {
            unexplained.push(format!("{rule} {file}:{line}: {m}"));
        }
    }
    assert!(unexplained.is_empty(), "unexplained: {unexplained:#?}");
    // Each expected diagnostic once.
    assert_eq!(
        diags
            .iter()
            .filter(|d| !matches!(d["rule"].as_str(), Some("broken-reference" | "broken-link")))
            .count(),
        expected.len(),
        "{by_rule:?}"
    );

    // The site: KEPs by their name in the header and on home, a page per KEP.
    let read = |p: &str| std::fs::read_to_string(site.join(p)).expect(p);
    let home = read("index.html");
    assert!(
        home.contains("<a href=\"kep/index.html\">KEPs</a>"),
        "no KEPs in the header"
    );
    assert!(
        home.contains("<li><a href=\"kep/index.html\">KEPs</a> <span class=\"count\">653</span> <span class=\"badge status-discovery\">61 discovery</span>"),
        "home does not count the KEPs by status"
    );
    let page = read("kep/4355-coordinated-leader-election.html");
    assert!(page.contains("<title>Coordinated Leader Election"), "title");
    assert!(
        page.contains(">KEP</a> · <span class=\"badge status-planned\">implementable</span>"),
        "status"
    );
    // The number as written: a name, not a quantity ("4355", not "4,355").
    assert!(
        page.contains("<dd class=\"field-kep-number\">4355</dd>"),
        "kep-number"
    );
    // `see-also: keps/sig-api-machinery/1965-…`, written from the root.
    assert!(
        page.contains("<a href=\"../kep/1965-kube-apiserver-identity.html\">"),
        "see-also"
    );
    let list = read("kep/index.html");
    assert!(list.contains("<h1 class=\"kind-title\">KEPs</h1>"), "list");

    // The template, left out by the recipe, has the listed placeholder
    // status and stage when it is put back.
    std::fs::write(
        root.join("northstar.yaml"),
        config.replace("exclude: [\"keps/NNNN-kep-template/**\"]", "exclude: []"),
    )
    .expect("config");
    let run = run_in(&root, &["check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_str(&run.stdout).expect("json");
    let template: Vec<At> = diags
        .iter()
        .map(at)
        .filter(|(r, f, _)| r == "schema" && f.starts_with("keps/NNNN-kep-template/"))
        .collect();
    for line in [9, 27] {
        assert!(
            template.contains(&("schema".into(), kep("NNNN-kep-template"), line)),
            "{template:?}"
        );
    }
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "\ncorpus: {} diagnostics {by_rule:?}, {} by-path references broken ({gone_paths} to repository paths), in {:.1?}\n",
            total,
            broke.len(),
            started.elapsed()
        ),
    );
}
