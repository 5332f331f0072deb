//! The table of rules: stable names and default levels (SPEC §3).
//!
//! Kept in one place so that the config validator, the docs and every pass
//! agree on which names exist.

use crate::diag::Level;

/// Every rule: name, default level, and what it catches.
pub const RULES: &[(&str, Level, &str)] = &[
    (
        "yaml-syntax",
        Level::Error,
        "front matter or YAML that does not parse, or a file that cannot be read",
    ),
    (
        "schema",
        Level::Error,
        "a schema violation: wrong type, unknown enum value, missing required field, unknown field",
    ),
    (
        "unknown-kind",
        Level::Error,
        "a document whose kind is neither built in nor declared under `kinds`",
    ),
    (
        "duplicate-id",
        Level::Error,
        "two documents with the same id",
    ),
    (
        "invalid-id",
        Level::Error,
        "an id that does not match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$, or the reserved `index`",
    ),
    (
        "case-collision",
        Level::Error,
        "two ids that differ only in case",
    ),
    (
        "broken-reference",
        Level::Error,
        "a reference to an id that does not exist",
    ),
    (
        "wrong-kind-reference",
        Level::Error,
        "a reference to a document of another kind",
    ),
    (
        "dependency-cycle",
        Level::Error,
        "features whose depends_on form a cycle",
    ),
    (
        "dependency-order",
        Level::Error,
        "an open feature due before one of its unshipped dependencies",
    ),
    (
        "shipped-before-dependency",
        Level::Error,
        "a shipped feature that depends on one not shipped",
    ),
    (
        "broken-link",
        Level::Error,
        "a Markdown link to a missing document, file or heading anchor",
    ),
    (
        "missing-section",
        Level::Error,
        "a committed feature whose body lacks a required section",
    ),
    (
        "single-product",
        Level::Error,
        "no product document, or more than one",
    ),
    (
        "feature-without-objective",
        Level::Warning,
        "a feature that serves no objective",
    ),
    (
        "objective-without-metric",
        Level::Warning,
        "an objective with no key result tied to a metric",
    ),
    (
        "unowned",
        Level::Warning,
        "a committed feature with no owner",
    ),
    (
        "overdue-milestone",
        Level::Warning,
        "a planned milestone dated before today holding open features",
    ),
    (
        "released-with-unshipped",
        Level::Warning,
        "a released milestone holding open features",
    ),
    (
        "declined-without-decision",
        Level::Warning,
        "a declined feature with no decision",
    ),
    (
        "stale",
        Level::Warning,
        "an in-progress or beta feature no commit has changed for a while",
    ),
    (
        "orphan",
        Level::Warning,
        "a segment or metric nothing references, or an insight that names no feature",
    ),
    (
        "active-content",
        Level::Warning,
        "a Markdown link to an HTML, SVG or XML file, which the site does not publish",
    ),
];

/// Rules that describe an unreadable file. They cannot be switched off or
/// suppressed: a file that does not parse would otherwise vanish silently.
pub const UNSUPPRESSIBLE: &[&str] = &["yaml-syntax"];

/// The default level of a rule; unknown names (never produced) are errors.
pub fn default_level(rule: &str) -> Level {
    RULES
        .iter()
        .find(|(name, _, _)| *name == rule)
        .map(|(_, level, _)| *level)
        .unwrap_or(Level::Error)
}

/// Whether `name` is a rule.
pub fn exists(name: &str) -> bool {
    RULES.iter().any(|(n, _, _)| *n == name)
}

/// All rule names, for "did you mean" suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(n, _, _)| *n)
}
