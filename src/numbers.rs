//! Numbers in words for people: shared by the history's change phrases
//! and the site's charts, so it sits below both.

/// A number without float noise: `12`, `0.42`; two decimals at most.
pub fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
