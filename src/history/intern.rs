//! Shared strings in the history state, and in its file.
//!
//! Most strings of a replayed history repeat: every change a commit made
//! carries that commit's id, author, e-mail and message; the change log
//! names the same few hundred documents thousands of times; phrases such
//! as "body edited (Requirements)" recur across documents. In memory they
//! are `Arc<str>`, one allocation per distinct string (per commit, for a
//! commit's fields). In the state file (`state.json`), inside
//! [`scope`], each distinct string is written once and every later
//! occurrence as the number of its first: at 650 documents and 9,000
//! commits that halves the file, and reading it allocates once per
//! distinct string instead of once per occurrence.
//!
//! The numbering follows the order serde_json writes and reads the file
//! in, which is the same order both ways (the file is read back exactly as
//! written). A number that names no earlier string is an error, so a
//! damaged file is refused like any other unreadable state.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// The strings seen so far in the file being written or read.
#[derive(Default)]
struct Table {
    /// Writing: each string's number.
    numbers: HashMap<Arc<str>, u64>,
    /// Reading: the strings by number.
    strings: Vec<Arc<str>>,
}

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// Runs `f` (one state file's serialization or deserialization, on this
/// thread) with string sharing on. Outside it, shared strings are written
/// and read as plain strings.
pub fn scope<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Table>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            TABLE.with(|t| *t.borrow_mut() = previous);
        }
    }
    let previous = TABLE.with(|t| t.borrow_mut().replace(Table::default()));
    let _reset = Reset(previous);
    f()
}

/// A shared string as a serde field (`#[serde(with = "intern")]`).
pub fn serialize<S: Serializer>(s: &Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
    let seen = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let t = t.as_mut()?;
        if let Some(n) = t.numbers.get(s) {
            return Some(Some(*n));
        }
        let n = t.numbers.len() as u64;
        t.numbers.insert(s.clone(), n);
        Some(None)
    });
    match seen {
        Some(Some(n)) => ser.serialize_u64(n),
        _ => ser.serialize_str(s),
    }
}

/// See [`serialize`].
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    d.deserialize_any(Shared)
}

struct Shared;

impl Visitor<'_> for Shared {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string, or the number of a string written before")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Arc<str>, E> {
        let s: Arc<str> = Arc::from(v);
        TABLE.with(|t| {
            if let Some(t) = t.borrow_mut().as_mut() {
                t.strings.push(s.clone());
            }
        });
        Ok(s)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Arc<str>, E> {
        TABLE
            .with(|t| {
                let t = t.borrow();
                let t = t.as_ref()?;
                usize::try_from(n)
                    .ok()
                    .and_then(|i| t.strings.get(i).cloned())
            })
            .ok_or_else(|| E::custom(format!("no shared string number {n}")))
    }
}

/// A list of shared strings as a serde field (`#[serde(with = "intern::list")]`).
pub mod list {
    use super::*;

    /// See [`super::serialize`].
    pub fn serialize<S: Serializer>(v: &[Arc<str>], ser: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a Arc<str>);
        impl serde::Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                super::serialize(self.0, ser)
            }
        }
        let mut seq = ser.serialize_seq(Some(v.len()))?;
        for s in v {
            seq.serialize_element(&One(s))?;
        }
        seq.end()
    }

    /// See [`super::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Arc<str>>, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Vec<Arc<str>>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of shared strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                struct One(Arc<str>);
                impl<'de> serde::Deserialize<'de> for One {
                    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        super::deserialize(d).map(One)
                    }
                }
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(One(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(List)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Row {
        #[serde(with = "super")]
        a: Arc<str>,
        #[serde(with = "super::list")]
        b: Vec<Arc<str>>,
    }

    fn rows() -> Vec<Row> {
        let s = |x: &str| Arc::<str>::from(x);
        vec![
            Row {
                a: s("alice"),
                b: vec![s("x"), s("alice")],
            },
            Row {
                a: s("alice"),
                b: vec![s("x"), s("y")],
            },
        ]
    }

    #[test]
    fn repeats_are_written_once_and_read_back_shared() {
        let json = scope(|| serde_json::to_string(&rows())).expect("serializes");
        assert_eq!(json, r#"[{"a":"alice","b":["x",0]},{"a":0,"b":[1,"y"]}]"#);
        let back: Vec<Row> = scope(|| serde_json::from_str(&json)).expect("reads back");
        assert_eq!(back, rows());
        assert!(Arc::ptr_eq(&back[0].a, &back[1].a));
        assert!(Arc::ptr_eq(&back[0].a, &back[0].b[1]));
    }

    #[test]
    fn outside_a_scope_strings_are_plain() {
        let json = serde_json::to_string(&rows()).expect("serializes");
        assert_eq!(
            json,
            r#"[{"a":"alice","b":["x","alice"]},{"a":"alice","b":["x","y"]}]"#
        );
        let back: Vec<Row> = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, rows());
    }

    #[test]
    fn a_number_naming_no_earlier_string_is_refused() {
        let err = scope(|| serde_json::from_str::<Vec<Row>>(r#"[{"a":"alice","b":[5]}]"#))
            .expect_err("refused");
        assert!(
            err.to_string().contains("no shared string number 5"),
            "{err}"
        );
        // A number is meaningless outside a scope too.
        assert!(serde_json::from_str::<Vec<Row>>(r#"[{"a":0,"b":[]}]"#).is_err());
    }

    #[test]
    fn scopes_do_not_leak_into_each_other() {
        let first = scope(|| serde_json::to_string(&rows())).expect("serializes");
        let second = scope(|| serde_json::to_string(&rows())).expect("serializes");
        assert_eq!(first, second);
    }
}
