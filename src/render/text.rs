//! Text as the data files and pages may hold it.

use std::borrow::Cow;

/// Whether `c` is a control character no data file here should hold:
/// C0 controls other than TAB, LF and CR (XML 1.0 forbids them even as
/// character references, iCalendar and spreadsheets choke on them), DEL,
/// and the two non-characters XML also forbids.
fn forbidden_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{7f}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` without [`forbidden_control`] characters (borrowed when it has
/// none, which is nearly always). Commit messages and titles can hold
/// any of them; the feed, the calendar and the CSV files pass every
/// text through here.
pub(crate) fn strip_controls(s: &str) -> Cow<'_, str> {
    if s.chars().any(forbidden_control) {
        Cow::Owned(s.chars().filter(|&c| !forbidden_control(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}
