//! The rules: stable names, default levels and descriptions
//! (docs/format.md#rules).
//!
//! A rule is an enum, not a string: a misspelled rule does not compile,
//! and the config validator, SARIF's rule texts and the README's table
//! (checked by a test) all read this one list. It sits at the bottom of the
//! layers with [`Level`], so that `diag` and every pass can name rules.

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails `check` (exit 1) and stops `build`.
    Error,
    /// Reported; fails only under `--deny warnings`.
    Warning,
}

impl Level {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// Every rule northstar reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Front matter or YAML that does not parse, or a file that cannot be read.
    YamlSyntax,
    /// A schema violation: wrong type, unknown enum value, missing required field, unknown field.
    Schema,
    /// A document whose kind is neither built in nor declared under `kinds`.
    UnknownKind,
    /// Two documents with the same id.
    DuplicateId,
    /// An id that does not match `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`, or the reserved `index`.
    InvalidId,
    /// Two ids that differ only in case.
    CaseCollision,
    /// A reference to an id that does not exist.
    BrokenReference,
    /// A reference to a document of another kind.
    WrongKindReference,
    /// Features whose depends_on form a cycle.
    DependencyCycle,
    /// An open feature due before one of its unshipped dependencies.
    DependencyOrder,
    /// A shipped feature that depends on one not shipped.
    ShippedBeforeDependency,
    /// A Markdown link to a missing document, file or heading anchor.
    BrokenLink,
    /// A committed feature whose body lacks a required section.
    MissingSection,
    /// No product document, or more than one.
    SingleProduct,
    /// A feature that serves no objective.
    FeatureWithoutObjective,
    /// An objective with no key result tied to a metric.
    ObjectiveWithoutMetric,
    /// A committed feature with no owner.
    Unowned,
    /// A planned milestone dated before today holding open features.
    OverdueMilestone,
    /// A released milestone holding open features.
    ReleasedWithUnshipped,
    /// A declined feature with no decision.
    DeclinedWithoutDecision,
    /// An in-progress or beta feature no commit has changed for a while.
    Stale,
    /// A segment or metric nothing references, or an insight that names no feature.
    Orphan,
    /// A Markdown link to an HTML, SVG or XML file, which the site does not publish.
    ActiveContent,
    /// A kind by location that reads less than it says: a `files` pattern
    /// matching nothing, a `body` file missing, an `id:` that disagrees
    /// with the kind's id template.
    KindLocation,
}

impl Rule {
    /// Every rule, in the order the README and SARIF list them.
    pub const ALL: &'static [Rule] = &[
        Rule::YamlSyntax,
        Rule::Schema,
        Rule::UnknownKind,
        Rule::DuplicateId,
        Rule::InvalidId,
        Rule::CaseCollision,
        Rule::BrokenReference,
        Rule::WrongKindReference,
        Rule::DependencyCycle,
        Rule::DependencyOrder,
        Rule::ShippedBeforeDependency,
        Rule::BrokenLink,
        Rule::MissingSection,
        Rule::SingleProduct,
        Rule::FeatureWithoutObjective,
        Rule::ObjectiveWithoutMetric,
        Rule::Unowned,
        Rule::OverdueMilestone,
        Rule::ReleasedWithUnshipped,
        Rule::DeclinedWithoutDecision,
        Rule::Stale,
        Rule::Orphan,
        Rule::ActiveContent,
        Rule::KindLocation,
    ];

    /// The stable name users write in `rules:` and `suppress:`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::YamlSyntax => "yaml-syntax",
            Rule::Schema => "schema",
            Rule::UnknownKind => "unknown-kind",
            Rule::DuplicateId => "duplicate-id",
            Rule::InvalidId => "invalid-id",
            Rule::CaseCollision => "case-collision",
            Rule::BrokenReference => "broken-reference",
            Rule::WrongKindReference => "wrong-kind-reference",
            Rule::DependencyCycle => "dependency-cycle",
            Rule::DependencyOrder => "dependency-order",
            Rule::ShippedBeforeDependency => "shipped-before-dependency",
            Rule::BrokenLink => "broken-link",
            Rule::MissingSection => "missing-section",
            Rule::SingleProduct => "single-product",
            Rule::FeatureWithoutObjective => "feature-without-objective",
            Rule::ObjectiveWithoutMetric => "objective-without-metric",
            Rule::Unowned => "unowned",
            Rule::OverdueMilestone => "overdue-milestone",
            Rule::ReleasedWithUnshipped => "released-with-unshipped",
            Rule::DeclinedWithoutDecision => "declined-without-decision",
            Rule::Stale => "stale",
            Rule::Orphan => "orphan",
            Rule::ActiveContent => "active-content",
            Rule::KindLocation => "kind-location",
        }
    }

    /// The level a rule has unless the config says otherwise.
    pub fn default_level(self) -> Level {
        match self {
            Rule::YamlSyntax
            | Rule::Schema
            | Rule::UnknownKind
            | Rule::DuplicateId
            | Rule::InvalidId
            | Rule::CaseCollision
            | Rule::BrokenReference
            | Rule::WrongKindReference
            | Rule::DependencyCycle
            | Rule::DependencyOrder
            | Rule::ShippedBeforeDependency
            | Rule::BrokenLink
            | Rule::MissingSection
            | Rule::SingleProduct => Level::Error,
            Rule::FeatureWithoutObjective
            | Rule::ObjectiveWithoutMetric
            | Rule::Unowned
            | Rule::OverdueMilestone
            | Rule::ReleasedWithUnshipped
            | Rule::DeclinedWithoutDecision
            | Rule::Stale
            | Rule::Orphan
            | Rule::ActiveContent
            | Rule::KindLocation => Level::Warning,
        }
    }

    /// What the rule catches, in one phrase (SARIF's rule text).
    pub fn description(self) -> &'static str {
        match self {
            Rule::YamlSyntax => {
                "front matter or YAML that does not parse, or a file that cannot be read"
            }
            Rule::Schema => {
                "a schema violation: wrong type, unknown enum value, missing required field, unknown field"
            }
            Rule::UnknownKind => {
                "a document whose kind is neither built in nor declared under `kinds`"
            }
            Rule::DuplicateId => "two documents with the same id",
            Rule::InvalidId => {
                "an id that does not match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$, or the reserved `index`"
            }
            Rule::CaseCollision => "two ids that differ only in case",
            Rule::BrokenReference => "a reference to an id that does not exist",
            Rule::WrongKindReference => "a reference to a document of another kind",
            Rule::DependencyCycle => "features whose depends_on form a cycle",
            Rule::DependencyOrder => "an open feature due before one of its unshipped dependencies",
            Rule::ShippedBeforeDependency => "a shipped feature that depends on one not shipped",
            Rule::BrokenLink => "a Markdown link to a missing document, file or heading anchor",
            Rule::MissingSection => "a committed feature whose body lacks a required section",
            Rule::SingleProduct => "no product document, or more than one",
            Rule::FeatureWithoutObjective => "a feature that serves no objective",
            Rule::ObjectiveWithoutMetric => "an objective with no key result tied to a metric",
            Rule::Unowned => "a committed feature with no owner",
            Rule::OverdueMilestone => {
                "a planned milestone dated before today holding open features"
            }
            Rule::ReleasedWithUnshipped => "a released milestone holding open features",
            Rule::DeclinedWithoutDecision => "a declined feature with no decision",
            Rule::Stale => "an in-progress or beta feature no commit has changed for a while",
            Rule::Orphan => {
                "a segment or metric nothing references, or an insight that names no feature"
            }
            Rule::ActiveContent => {
                "a Markdown link to an HTML, SVG or XML file, which the site does not publish"
            }
            Rule::KindLocation => {
                "a kind by location that reads less than it says: files matching nothing, a body file missing, an id that disagrees with the template, a status or target field its schema does not declare"
            }
        }
    }

    /// The rule of this name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// Rules that describe an unreadable file. They cannot be switched off
    /// or suppressed: a file that does not parse would otherwise vanish
    /// silently.
    pub fn suppressible(self) -> bool {
        self != Rule::YamlSyntax
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Every rule's name, for "did you mean" in the config.
pub fn names() -> impl Iterator<Item = &'static str> {
    Rule::ALL.iter().map(|r| r.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's rule table (names and default levels) as written.
    fn readme_table() -> Vec<(String, String)> {
        let readme = include_str!("../README.md");
        let table = readme
            .split("### Rules")
            .nth(1)
            .expect("README has a Rules section");
        let mut rows = Vec::new();
        for line in table.lines().skip_while(|l| !l.starts_with('|')) {
            if !line.starts_with('|') {
                break;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (names, level) = (cells[1], cells[2]);
            for name in names.split(',').map(|n| n.trim().trim_matches('`')) {
                if !name.is_empty() && name != "rule" && !name.starts_with('-') {
                    rows.push((name.to_string(), level.to_string()));
                }
            }
        }
        rows
    }

    #[test]
    fn the_readme_rule_table_lists_every_rule_with_its_default_level() {
        let table = readme_table();
        let mut listed: Vec<&str> = table.iter().map(|(n, _)| n.as_str()).collect();
        listed.sort_unstable();
        let mut rules: Vec<&str> = names().collect();
        rules.sort_unstable();
        assert_eq!(listed, rules, "README's rule table and Rule::ALL differ");
        for (name, level) in &table {
            let rule = Rule::from_name(name).expect("a rule");
            assert_eq!(level, rule.default_level().as_str(), "{name}");
        }
    }

    #[test]
    fn names_read_back_as_their_rule() {
        for &rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.name()), Some(rule));
        }
        assert_eq!(Rule::from_name("no-such-rule"), None);
    }
}
