//! How the history caches are encoded: serde, in postcard's format.
//!
//! Every type a cache holds derives `Serialize` and `Deserialize`, so a
//! field added to a history type is stored with no other edit (the
//! caches' format numbers still have to be raised, which a test of the
//! encoding asks for: `replay::tests::the_encoding_of_a_change_is_pinned_to_the_format`).
//! postcard writes the fields in order with no names and integers as
//! varints: nothing to scan as text, and reading it back is bounds-checked
//! (a truncated or damaged buffer is an error, which the caller takes as
//! a cache to rebuild).
//!
//! What is ours here is the layout around it: [`Lazy`], a value kept as
//! its block of bytes until first used, and [`json`], the tagged form of
//! the documents' field values. postcard is not self-describing, so it
//! cannot read back `serde_json::Value` (whose `Deserialize` asks the
//! format what comes next); [`json`] writes a value with a tag for its
//! shape, and refuses one nested deeper than [`MAX_DEPTH`] so a damaged
//! file cannot overflow the stack.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, SeqAccess, VariantAccess, Visitor,
};
use serde::ser::{Serialize, Serializer};
use serde_json::{Map, Number, Value};
use std::sync::Arc;

/// `value` in postcard's format.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Encoding into memory fails only for types serde cannot express in
    // postcard (none of ours: a test writes each), so an error writes
    // nothing, which reads back as a value to rebuild.
    postcard::to_allocvec(value).unwrap_or_default()
}

/// `value` in postcard's format, at the end of `out` (see [`to_bytes`]
/// for why an error is not returned: what it leaves does not read back).
pub fn extend<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = postcard::to_io(value, out);
}

/// The value at the start of `bytes` and what follows it; None when they
/// do not hold one.
pub fn take<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Option<(T, &'a [u8])> {
    postcard::take_from_bytes(bytes).ok()
}

/// The value `bytes` hold, every byte of them; None otherwise.
pub fn from_bytes<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    match take(bytes)? {
        (value, []) => Some(value),
        _ => None,
    }
}

/// The bytes a [`Lazy`] value's block is kept in: copied out of the state
/// file as it is decoded, or written ahead of a save.
pub type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// A value the state file holds as a block of bytes of its own, read
/// only when first used (most builds use few: see `replay::Events` and
/// `replay::State`) and written back as it was read unless changed.
#[derive(Clone)]
pub struct Lazy<T> {
    /// The value, once read or made, and whether its block failed to
    /// read (see [`Lazy::damaged`]).
    decoded: std::sync::OnceLock<(T, bool)>,
    /// The bytes it was read from (or written to ahead of a save, see
    /// [`Lazy::write_ahead`]), while they still hold it.
    block: Option<(Bytes, std::ops::Range<usize>)>,
}

/// How a [`Lazy`] value is read from its block and written to one.
pub trait BlockCodec: Default {
    /// The value in `bytes`; None when they do not hold one.
    fn read(bytes: &[u8]) -> Option<Self>;
    /// The value's block.
    fn write(&self) -> Vec<u8>;
}

impl<T> Default for Lazy<T> {
    fn default() -> Self {
        Lazy {
            decoded: std::sync::OnceLock::new(),
            block: None,
        }
    }
}

impl<T> From<T> for Lazy<T> {
    fn from(value: T) -> Self {
        Lazy {
            decoded: std::sync::OnceLock::from((value, false)),
            block: None,
        }
    }
}

impl<T: BlockCodec> Lazy<T> {
    /// The value, read from its block on first use. The state file passed
    /// its checksum, so a block that does not read is a defect, not
    /// damage: it reads as the empty value rather than panicking, and
    /// [`Lazy::damaged`] says so.
    pub fn get(&self) -> &T {
        &self.decoded.get_or_init(|| self.read()).0
    }

    /// Whether the value was read from a block that did not read (and so
    /// stands for the empty value). Kept with the value rather than in a
    /// shared flag, so that whoever holds the value (one build's state)
    /// learns it, and nothing else does: a flag shared by the process was
    /// seen by every build and test running beside it. Stays set when the
    /// value is changed afterwards: what was lost is still lost.
    pub fn damaged(&self) -> bool {
        self.decoded.get().is_some_and(|(_, damaged)| *damaged)
    }

    /// The value, to change: what is written back is then the value, not
    /// the block it was read from.
    pub fn get_mut(&mut self) -> &mut T {
        let value = match self.decoded.take() {
            Some(value) => value,
            None => self.read(),
        };
        self.block = None;
        self.decoded.get_or_init(|| value);
        match self.decoded.get_mut() {
            Some((value, _)) => value,
            None => unreachable!("set just above"),
        }
    }

    /// The value if it was read or made already.
    pub fn read_already(&self) -> Option<&T> {
        self.decoded.get().map(|(value, _)| value)
    }

    /// The block's bytes, while they still hold the value.
    pub fn block(&self) -> Option<&'_ [u8]> {
        let (bytes, range) = self.block.as_ref()?;
        (**bytes).as_ref().get(range.clone())
    }

    /// The value its block holds, and whether the block failed to read.
    fn read(&self) -> (T, bool) {
        match self.block() {
            None => (T::default(), false),
            Some(bytes) => match T::read(bytes) {
                Some(value) => (value, false),
                None => (T::default(), true),
            },
        }
    }

    /// Writes its block now, unless it has one: the blocks of a state are
    /// independent, so serializing the state can then copy blocks
    /// written on every core (writing them one after another was most of
    /// saving a state after a full replay). The block is kept as if read
    /// from a file, until the value changes.
    pub fn write_ahead(&mut self) {
        if self.block.is_none() {
            let bytes = self.get().write();
            let len = bytes.len();
            self.block = Some((std::sync::Arc::new(bytes), 0..len));
        }
    }
}

/// A lazy value is stored as its block: bytes, written whole.
impl<T: BlockCodec> Serialize for Lazy<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.block() {
            Some(block) => s.serialize_bytes(block),
            None => s.serialize_bytes(&self.get().write()),
        }
    }
}

/// Read back as the block, not yet decoded. The block is copied out of
/// the file's bytes (serde hands a borrowed slice, not the buffer it is
/// in): one copy of the file, against decoding every value in it.
impl<'de, T> serde::Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Block;
        impl Visitor<'_> for Block {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a block of bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        let bytes = d.deserialize_bytes(Block)?;
        let len = bytes.len();
        Ok(Lazy {
            decoded: std::sync::OnceLock::new(),
            block: Some((Arc::new(bytes), 0..len)),
        })
    }
}

/// Deepest JSON value read back: deeper than any front matter the YAML
/// parser accepts (so every cache written can be read), and bounded, so a
/// damaged file cannot overflow the stack.
pub const MAX_DEPTH: usize = crate::parse::yaml::MAX_DEPTH + 8;

/// `serde_json::Value` in postcard's format (`#[serde(with = "json")]`):
/// each value a variant of an enum (null, bool, unsigned, signed, float,
/// string, list, map), so that it reads back without a self-describing
/// format. [`json::opt`] does the same for an `Option<Value>`, keeping
/// `Some(Value::Null)` apart from `None` (a field set to nothing is not
/// a field absent).
pub mod json {
    use super::*;

    const NAME: &str = "Value";
    const VARIANTS: &[&str] = &["N", "B", "U", "I", "F", "S", "L", "M"];

    /// Writes `v` tagged.
    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        Tagged(v).serialize(s)
    }

    /// Reads a tagged value.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Seed(0).deserialize(d)
    }

    /// The same for an optional value.
    pub mod opt {
        use super::*;

        /// Writes `v` tagged, if any.
        pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(&Tagged(v)),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional tagged value.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
            struct Opt;
            impl<'de> Visitor<'de> for Opt {
                type Value = Option<Value>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an optional value")
                }
                fn visit_none<E: de::Error>(self) -> Result<Option<Value>, E> {
                    Ok(None)
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
                    Seed(0).deserialize(d).map(Some)
                }
            }
            d.deserialize_option(Opt)
        }
    }

    struct Tagged<'a>(&'a Value);

    impl Serialize for Tagged<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                Value::Null => s.serialize_unit_variant(NAME, 0, "N"),
                Value::Bool(b) => s.serialize_newtype_variant(NAME, 1, "B", b),
                Value::Number(n) => {
                    if let Some(u) = n.as_u64() {
                        s.serialize_newtype_variant(NAME, 2, "U", &u)
                    } else if let Some(i) = n.as_i64() {
                        s.serialize_newtype_variant(NAME, 3, "I", &i)
                    } else {
                        let x = n.as_f64().unwrap_or(0.0);
                        s.serialize_newtype_variant(NAME, 4, "F", &x)
                    }
                }
                Value::String(text) => s.serialize_newtype_variant(NAME, 5, "S", text),
                Value::Array(items) => s.serialize_newtype_variant(NAME, 6, "L", &Items(items)),
                Value::Object(map) => s.serialize_newtype_variant(NAME, 7, "M", &Entries(map)),
            }
        }
    }

    struct Items<'a>(&'a [Value]);

    impl Serialize for Items<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(Tagged))
        }
    }

    struct Entries<'a>(&'a Map<String, Value>);

    impl Serialize for Entries<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(self.0.iter().map(|(k, v)| (k, Tagged(v))))
        }
    }

    /// Reads a value at a depth: refused past [`MAX_DEPTH`].
    struct Seed(usize);

    impl<'de> DeserializeSeed<'de> for Seed {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            if self.0 > MAX_DEPTH {
                return Err(de::Error::custom("value nested too deep"));
            }
            d.deserialize_enum(NAME, VARIANTS, self)
        }
    }

    impl<'de> Visitor<'de> for Seed {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a tagged JSON value")
        }
        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
            let (tag, v): (u32, _) = data.variant()?;
            Ok(match tag {
                0 => {
                    v.unit_variant()?;
                    Value::Null
                }
                1 => Value::Bool(v.newtype_variant()?),
                2 => Value::Number(v.newtype_variant::<u64>()?.into()),
                3 => Value::Number(v.newtype_variant::<i64>()?.into()),
                4 => Number::from_f64(v.newtype_variant()?)
                    .map(Value::Number)
                    .ok_or_else(|| de::Error::custom("not a finite number"))?,
                5 => Value::String(v.newtype_variant()?),
                6 => Value::Array(v.newtype_variant_seed(List(self.0 + 1))?),
                7 => Value::Object(v.newtype_variant_seed(Object(self.0 + 1))?),
                _ => return Err(de::Error::custom("unknown value tag")),
            })
        }
    }

    /// A list's items, each one level deeper.
    struct List(usize);

    impl<'de> DeserializeSeed<'de> for List {
        type Value = Vec<Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for List {
        type Value = Vec<Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of values")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Value>, A::Error> {
            // Room reserved up front only as far as the bytes could hold
            // (an item takes one at least), and never more than a few
            // thousand: a damaged count cannot ask for a huge allocation.
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element_seed(Seed(self.0))? {
                items.push(item);
            }
            Ok(items)
        }
    }

    /// A map's values, each one level deeper.
    struct Object(usize);

    impl<'de> DeserializeSeed<'de> for Object {
        type Value = Map<String, Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Object {
        type Value = Map<String, Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map of values")
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                out.insert(key, map.next_value_seed(Seed(self.0))?);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Fields {
        #[serde(with = "json")]
        value: Value,
        #[serde(with = "json::opt")]
        before: Option<Value>,
        #[serde(with = "json::opt")]
        after: Option<Value>,
    }

    fn fields(value: Value, before: Option<Value>, after: Option<Value>) -> Fields {
        Fields {
            value,
            before,
            after,
        }
    }

    #[test]
    fn values_of_every_shape_read_back_as_written() {
        let v = json!({
            "status": "in-progress", "n": 3, "neg": -4, "x": 0.5, "ok": true,
            "big": u64::MAX, "small": i64::MIN, "none": null,
            "list": ["a", {"deep": [1, 2.25, "status"]}], "empty": {}, "nothing": []
        });
        for f in [
            fields(v.clone(), None, Some(json!("x"))),
            // A field set to nothing is not a field absent.
            fields(json!(null), Some(Value::Null), None),
            fields(json!([]), Some(v.clone()), Some(Value::Null)),
        ] {
            let bytes = to_bytes(&f);
            assert_eq!(from_bytes::<Fields>(&bytes), Some(f));
        }
    }

    #[test]
    fn damaged_bytes_are_refused_without_panicking() {
        let f = fields(
            json!({"status": "planned", "rice": {"reach": 6260}, "ids": ["f-1", 2.5, -3]}),
            Some(json!("f-1")),
            None,
        );
        let bytes = to_bytes(&f);
        assert_eq!(from_bytes::<Fields>(&bytes).as_ref(), Some(&f));
        // Every truncation is refused, and so is a byte too many.
        for cut in 0..bytes.len() {
            assert!(
                from_bytes::<Fields>(&bytes[..cut]).is_none(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes::<Fields>(&longer).is_none());
        // Every single-byte change reads as something or nothing, never a panic.
        for i in 0..bytes.len() {
            for b in [0u8, 1, 7, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] = b;
                let _ = from_bytes::<Fields>(&damaged);
            }
        }
        // An unknown tag, a float that is not a number, invalid UTF-8.
        assert!(from_bytes::<Fields>(&[8, 0, 0]).is_none());
        let mut nan = vec![4];
        nan.extend_from_slice(&f64::NAN.to_le_bytes());
        nan.extend_from_slice(&[0, 0]);
        assert!(from_bytes::<Fields>(&nan).is_none());
        assert!(from_bytes::<Fields>(&[5, 2, 0xc3, 0x28, 0, 0]).is_none());
    }

    #[test]
    fn values_as_deep_as_the_yaml_parser_allows_read_back_and_deeper_are_refused() {
        let mut v = json!("leaf");
        for _ in 0..crate::parse::yaml::MAX_DEPTH {
            v = json!([v]);
        }
        let f = fields(v, None, None);
        assert_eq!(from_bytes::<Fields>(&to_bytes(&f)).as_ref(), Some(&f));
        // Lists nested past the limit: refused, not a stack overflow.
        let mut bytes = [6u8, 1].repeat(MAX_DEPTH + 2);
        bytes.extend_from_slice(&[0, 0, 0]);
        assert!(from_bytes::<Fields>(&bytes).is_none());
        let mut ok = [6u8, 1].repeat(10);
        ok.extend_from_slice(&[0, 0, 0]);
        assert!(from_bytes::<Fields>(&ok).is_some());
    }

    #[test]
    fn a_long_count_is_refused_without_reserving_for_every_item() {
        // A list that claims four billion items, each itself such a list:
        // refused when the bytes run out.
        let mut bytes = Vec::new();
        for _ in 0..MAX_DEPTH {
            bytes.extend_from_slice(&[6, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        }
        assert!(from_bytes::<Fields>(&bytes).is_none());
        let mut e = to_bytes(&u32::MAX);
        e.push(1);
        assert!(from_bytes::<Vec<String>>(&e).is_none());
    }
}
