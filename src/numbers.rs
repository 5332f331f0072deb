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

/// The English plural of a word, as the site names kinds and folders:
/// `strategies`, `analyses`, `boxes`, `people`.
pub fn plural(word: &str) -> String {
    if word == "person" {
        return "people".into();
    }
    let consonant_y = word.len() > 1
        && word.ends_with('y')
        && !word[..word.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u']);
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if let Some(stem) = word.strip_suffix("sis") {
        format!("{stem}ses")
    } else if word.ends_with(['s', 'x', 'z']) || word.ends_with("ch") || word.ends_with("sh") {
        format!("{word}es")
    } else {
        format!("{word}s")
    }
}

/// A count and its noun, singular for one: "1 new error", "3 new errors".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

/// A word with its indefinite article: "a feature", "an insight", "an
/// in-progress", and "a user", "a one-pager" where the sound is not a
/// vowel's.
pub fn with_article(word: &str) -> String {
    let lower = word.to_lowercase();
    let vowel = lower.starts_with(['a', 'e', 'i', 'o', 'u'])
        && !["uni", "use", "usu", "eu", "one", "once"]
            .iter()
            .any(|p| lower.starts_with(p));
    format!("{} {word}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_of_kind_names() {
        for (one, many) in [
            ("strategy", "strategies"),
            ("key", "keys"),
            ("analysis", "analyses"),
            ("box", "boxes"),
            ("batch", "batches"),
            ("wish", "wishes"),
            ("quiz", "quizes"),
            ("person", "people"),
            ("kep", "keps"),
        ] {
            assert_eq!(plural(one), many);
        }
        assert_eq!(count(1, "new error"), "1 new error");
        assert_eq!(with_article("in-progress"), "an in-progress");
        assert_eq!(with_article("enhancement"), "an enhancement");
        assert_eq!(with_article("feature"), "a feature");
        assert_eq!(with_article("user-story"), "a user-story");
        assert_eq!(count(0, "new error"), "0 new errors");
    }
}
