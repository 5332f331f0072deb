//! Parsing: text to positioned trees. No I/O happens here.

pub mod document;
pub mod frontmatter;
pub mod lines;
pub mod markdown;
pub mod yaml;

/// Whether `id` matches `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`: the ids
/// documents may have, and what a `[[id]]` may name.
pub fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Largest document file we read; larger ones are a diagnostic, not an
/// out-of-memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a file's text could not be had.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadProblem {
    /// Not UTF-8; the position of the first bad byte.
    NotUtf8 {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
    },
    /// Over [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// The OS refused.
    Io(String),
}

/// A candidate document file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Its text without a BOM, or why there is none.
    pub text: Result<String, ReadProblem>,
    /// The kind its location gives it (docs/format.md#kinds-by-location),
    /// if any.
    pub kind: Option<String>,
    /// A sibling body file's text, for kinds by location that name one.
    pub body: Option<(String, String)>,
}
