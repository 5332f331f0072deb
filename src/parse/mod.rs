//! Parsing: text to positioned trees. No I/O happens here.

pub mod document;
pub mod frontmatter;
pub mod lines;
pub mod markdown;
pub mod yaml;
