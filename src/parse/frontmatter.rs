//! Splitting a Markdown file into its YAML front matter and its body.

/// What a Markdown file turned out to be.
#[derive(Debug, PartialEq)]
pub enum FrontMatter<'a> {
    /// The first line is not `---`: a README or other prose, not a document.
    NotDocument,
    /// The first line is `---` but no closing `---` line follows.
    Unclosed,
    /// A document: its YAML (starting on file line 2) and its body.
    Document {
        /// The text between the fences.
        yaml: &'a str,
        /// The Markdown after the closing fence.
        body: &'a str,
        /// The file line on which the body starts.
        body_line: u32,
    },
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n']).trim_end() == "---"
}

/// Splits `text` (BOM already removed). CRLF line ends are accepted.
pub fn split(text: &str) -> FrontMatter<'_> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if is_fence(first) => {}
        _ => return FrontMatter::NotDocument,
    }
    let yaml_start = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    let mut offset = yaml_start;
    for (line_no, line) in (2u32..).zip(lines) {
        if is_fence(line) {
            return FrontMatter::Document {
                yaml: &text[yaml_start..offset],
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            };
        }
        offset += line.len();
    }
    FrontMatter::Unclosed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_crlf_front_matter() {
        let text = "---\r\ntitle: A\r\n---\r\n# Body\r\n";
        assert_eq!(
            split(text),
            FrontMatter::Document {
                yaml: "title: A\r\n",
                body: "# Body\r\n",
                body_line: 4
            }
        );
    }

    #[test]
    fn prose_is_not_a_document_and_unclosed_is_reported() {
        assert_eq!(split("# Readme\n"), FrontMatter::NotDocument);
        assert_eq!(split("---\ntitle: A\n"), FrontMatter::Unclosed);
    }
}
