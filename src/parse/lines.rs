//! Byte offsets to 1-based line and character column.

use crate::diag::Pos;

/// Line starts of a text, so byte offsets from pulldown-cmark can be turned
/// into the character columns diagnostics promise.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u32,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`, whose first line is line `first_line` of its file.
    pub fn new(text: &'a str, first_line: u32) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            first_line,
        }
    }

    /// The file position of byte `offset` in the text.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        Pos::new(line as u32 + self.first_line, col as u32 + 1)
    }
}
