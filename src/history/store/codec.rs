//! The binary encoding of the history state file (`state.bin`).
//!
//! A rebuild reads the whole replayed history before it can render a page,
//! so reading it is on every warm build's path. As JSON it cost about as
//! much as everything else history adds to a build: most of the time went
//! to scanning strings and numbers and building the intermediate values,
//! not to the data itself. This encoding has no text to scan: integers
//! are LEB128 varints (zigzag for signed ones), floats are eight bytes,
//! and every string is written once, later occurrences as its number in
//! the order first written, so a repeated string (a commit id, an author,
//! a field name, a phrase) is read back as a shared `Arc<str>` with no
//! allocation.
//!
//! Reading never trusts the bytes: every read is bounds-checked and
//! returns None on anything malformed (a truncated file, a string number
//! not yet defined, invalid UTF-8, a length longer than what is left, JSON
//! values nested deeper than [`MAX_DEPTH`]), and the caller then ignores
//! the file and replays from the per-commit cache.

use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Bytes a decoded value can keep a share of: the state file, mapped or
/// read (see [`Dec::block`]).
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
    /// independent, so [`Codec::enc`] of the state can then copy blocks
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

impl<T: BlockCodec> Codec for Lazy<T> {
    fn enc(&self, e: &mut Enc) {
        match self.block() {
            Some(block) => {
                e.count(block.len());
                e.raw(block);
            }
            None => {
                let block = self.get().write();
                e.count(block.len());
                e.raw(&block);
            }
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        let n = d.count()?;
        Some(Lazy {
            decoded: std::sync::OnceLock::new(),
            block: Some(d.block(n)?),
        })
    }
}

/// Deepest JSON value read back: deeper than any front matter the YAML
/// parser accepts (so every state written can be read), and bounded, so a
/// crafted file cannot overflow the stack.
pub const MAX_DEPTH: usize = crate::parse::yaml::MAX_DEPTH + 8;

/// Most items reserved up front for a collection read back once the
/// decoder's reservation budget ([`Dec::reserve`]) is spent. A count is
/// never more than the bytes left, but an item can take far more memory
/// than its first byte: a crafted file of nested lists could otherwise
/// reserve many times its size at every level. Larger collections grow as
/// their items actually decode.
const RESERVE: usize = 1024;

/// The memory a decoder may reserve up front, as a multiple of its bytes
/// (plus a megabyte): well above what a state written by northstar decodes
/// to (a change-log line of a few bytes is 56 in memory), well below what
/// nested counts in a crafted file could ask for.
const BUDGET_PER_BYTE: usize = 24;

/// Writes values into a byte buffer.
#[derive(Default)]
pub struct Enc {
    buf: Vec<u8>,
    /// Each string written so far, by content: its number.
    strings: HashMap<Arc<str>, u64>,
}

impl Enc {
    /// An encoder with room for about `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Enc {
        Enc {
            buf: Vec::with_capacity(capacity),
            strings: HashMap::new(),
        }
    }

    /// An encoder whose string table starts as `table` (in number order):
    /// each of those strings is written as its number, never defined, so a
    /// block written with it can be read from anywhere once the table is
    /// known (see [`Dec::with_table`]).
    pub fn with_table(table: &[Arc<str>]) -> Enc {
        Enc {
            buf: Vec::new(),
            strings: table.iter().cloned().zip(0u64..).collect(),
        }
    }

    /// The strings written so far, in number order.
    pub fn table(&self) -> Vec<Arc<str>> {
        let mut table: Vec<(&Arc<str>, u64)> = self.strings.iter().map(|(s, n)| (s, *n)).collect();
        table.sort_unstable_by_key(|(_, n)| *n);
        table.into_iter().map(|(s, _)| s.clone()).collect()
    }

    /// The bytes written so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// How many bytes are written.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing is written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Raw bytes, as they are (a file's magic).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// An unsigned integer.
    pub fn u64(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.buf.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.buf.push(n as u8);
    }

    /// A signed integer (zigzag, so small negatives stay short).
    pub fn i64(&mut self, n: i64) {
        self.u64(((n << 1) ^ (n >> 63)) as u64);
    }

    /// A float, bit for bit.
    pub fn f64(&mut self, x: f64) {
        self.buf.extend_from_slice(&x.to_bits().to_le_bytes());
    }

    /// A flag.
    pub fn bool(&mut self, b: bool) {
        self.buf.push(u8::from(b));
    }

    /// A length or count.
    pub fn count(&mut self, n: usize) {
        self.u64(n as u64);
    }

    /// A string: 0 then its bytes the first time, its number + 1 after.
    pub fn str(&mut self, s: &str) {
        self.string(s, || Arc::from(s));
    }

    /// A shared string (as [`Enc::str`], without copying it for the table).
    pub fn arc(&mut self, s: &Arc<str>) {
        self.string(s, || s.clone());
    }

    /// [`Enc::str`], with `key` giving the table's copy when it is new.
    fn string(&mut self, s: &str, key: impl FnOnce() -> Arc<str>) {
        if let Some(&n) = self.strings.get(s) {
            self.u64(n + 1);
            return;
        }
        let n = self.strings.len() as u64;
        self.strings.insert(key(), n);
        self.u64(0);
        self.count(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A JSON value: a tag byte, then its content.
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.buf.push(0),
            Value::Bool(false) => self.buf.push(1),
            Value::Bool(true) => self.buf.push(2),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    self.buf.push(3);
                    self.u64(u);
                } else if let Some(i) = n.as_i64() {
                    self.buf.push(4);
                    self.i64(i);
                } else {
                    self.buf.push(5);
                    self.f64(n.as_f64().unwrap_or(0.0));
                }
            }
            Value::String(s) => {
                self.buf.push(6);
                self.str(s);
            }
            Value::Array(items) => {
                self.buf.push(7);
                self.count(items.len());
                for item in items {
                    self.value(item);
                }
            }
            Value::Object(map) => {
                self.buf.push(8);
                self.count(map.len());
                for (k, item) in map {
                    self.str(k);
                    self.value(item);
                }
            }
        }
    }
}

/// A string of a decoder's table: its bytes, its text once they were
/// checked to be UTF-8 (a table given up front is checked string by
/// string as they are used: reading one change of a document's block
/// should not check every string of its table), and its shared copy once
/// one was asked for.
struct Str<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
    shared: Option<Arc<str>>,
}

/// Reads values back from bytes written by [`Enc`]; every method returns
/// None on malformed input.
pub struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The strings read so far, by number: the text in `buf`, and its
    /// shared copy once one was asked for. Strings read as `String` (keys,
    /// titles, values) never get one: making a shared copy of every string
    /// only to copy it again and drop the shared one at the end left the
    /// decoded state's memory full of holes (its resident memory was
    /// twice what it holds).
    strings: Vec<Str<'a>>,
    /// The buffer `buf` is (the start of), when blocks read from it may
    /// keep it instead of a copy (see [`Dec::block`]).
    owner: Option<&'a Bytes>,
    /// Bytes collections may still reserve whole (see [`Dec::reserve`]).
    budget: usize,
}

/// The reservation budget of a decoder over `len` bytes.
fn budget(len: usize) -> usize {
    len.saturating_mul(BUDGET_PER_BYTE).saturating_add(1 << 20)
}

impl<'a> Dec<'a> {
    /// A decoder over `buf`.
    pub fn new(buf: &'a [u8]) -> Dec<'a> {
        Dec {
            buf,
            pos: 0,
            strings: Vec::new(),
            owner: None,
            budget: budget(buf.len()),
        }
    }

    /// A decoder over the first `len` bytes of `owner`, whose blocks keep
    /// `owner` rather than copies of their bytes.
    pub fn shared(owner: &'a Bytes, len: usize) -> Option<Dec<'a>> {
        Some(Dec {
            buf: (**owner).as_ref().get(..len)?,
            pos: 0,
            strings: Vec::new(),
            owner: Some(owner),
            budget: budget(len),
        })
    }

    /// A decoder over `buf` whose string table starts as `table`, the
    /// strings' bytes (see [`Enc::with_table`]).
    pub fn with_table(buf: &'a [u8], table: &[&'a [u8]]) -> Dec<'a> {
        Dec {
            buf,
            pos: 0,
            strings: table
                .iter()
                .map(|bytes| Str {
                    bytes,
                    text: None,
                    shared: None,
                })
                .collect(),
            owner: None,
            budget: budget(buf.len()),
        }
    }

    /// `n` bytes kept as they are, to be read later: the buffer they are
    /// in and where, shared when the decoder has an owner.
    pub fn block(&mut self, n: usize) -> Option<(Bytes, std::ops::Range<usize>)> {
        let start = self.pos;
        let bytes = self.raw(n)?;
        Some(match self.owner {
            Some(owner) => (owner.clone(), start..start + n),
            None => (Arc::new(bytes.to_vec()), 0..n),
        })
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Whether every byte was read.
    pub fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// `n` raw bytes.
    pub fn raw(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// See [`Enc::u64`].
    pub fn u64(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return None;
            }
            n |= part << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// See [`Enc::i64`].
    pub fn i64(&mut self) -> Option<i64> {
        let z = self.u64()?;
        Some(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    /// See [`Enc::f64`].
    pub fn f64(&mut self) -> Option<f64> {
        let bytes: [u8; 8] = self.raw(8)?.try_into().ok()?;
        Some(f64::from_bits(u64::from_le_bytes(bytes)))
    }

    /// See [`Enc::bool`].
    pub fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// How many of `n` items of `item_size` bytes a collection being read
    /// back reserves up front: all of them while the decoder's budget
    /// lasts, else at most `RESERVE`. A collection that grows as it
    /// decodes leaves each smaller buffer behind in fresh memory, which the
    /// virtual machines builds run on are slow to hand out.
    pub fn reserve(&mut self, n: usize, item_size: usize) -> usize {
        let bytes = n.saturating_mul(item_size.max(1));
        if bytes <= self.budget {
            self.budget -= bytes;
            n
        } else {
            n.min(RESERVE)
        }
    }

    /// A count of items that take at least one byte each: never more than
    /// the bytes left, so a damaged count cannot ask for a huge allocation.
    pub fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.left()).then_some(n)
    }

    /// The next string: its number in the table and its text, reading it
    /// first if this is where it is written.
    fn string_at(&mut self) -> Option<(usize, &'a str)> {
        let i = match self.u64()? {
            0 => {
                let n = self.count()?;
                let bytes = self.raw(n)?;
                self.strings.push(Str {
                    bytes,
                    text: None,
                    shared: None,
                });
                self.strings.len() - 1
            }
            n => usize::try_from(n - 1).ok()?,
        };
        let s = self.strings.get_mut(i)?;
        let text = match s.text {
            Some(text) => text,
            None => {
                let text = std::str::from_utf8(s.bytes).ok()?;
                s.text = Some(text);
                text
            }
        };
        Some((i, text))
    }

    /// See [`Enc::str`]: a shared string, one allocation however often it
    /// is read.
    pub fn arc(&mut self) -> Option<Arc<str>> {
        let (i, text) = self.string_at()?;
        let s = self.strings.get_mut(i)?;
        Some(s.shared.get_or_insert_with(|| Arc::from(text)).clone())
    }

    /// A string as an owned `String`.
    pub fn string(&mut self) -> Option<String> {
        self.string_at().map(|(_, text)| text.to_string())
    }

    /// See [`Enc::value`].
    pub fn value(&mut self) -> Option<Value> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Number(self.u64()?.into()),
            4 => Value::Number(self.i64()?.into()),
            5 => Value::Number(Number::from_f64(self.f64()?)?),
            6 => Value::String(self.string()?),
            7 => {
                let n = self.count()?;
                let mut items = Vec::with_capacity(n.min(RESERVE));
                for _ in 0..n {
                    items.push(self.value_at(depth + 1)?);
                }
                Value::Array(items)
            }
            8 => {
                let n = self.count()?;
                let mut map = Map::new();
                for _ in 0..n {
                    let k = self.string()?;
                    map.insert(k, self.value_at(depth + 1)?);
                }
                Value::Object(map)
            }
            _ => return None,
        })
    }
}

/// Declares a struct and its [`Codec`]: its fields written in declaration
/// order and read back in the same order. A field added to the struct is
/// in the state file with no other edit; the state's format number
/// still has to be raised, which a test of the encoding's digest asks
/// for (`replay::tests::the_encoding_of_a_change_is_pinned_to_the_format`).
macro_rules! encoded {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field : $ty ),*
        }

        impl $crate::history::store::codec::Codec for $name {
            fn enc(&self, e: &mut $crate::history::store::codec::Enc) {
                $( $crate::history::store::codec::Codec::enc(&self.$field, e); )*
            }
            fn dec(d: &mut $crate::history::store::codec::Dec<'_>) -> Option<Self> {
                Some($name {
                    $( $field: $crate::history::store::codec::Codec::dec(d)? ),*
                })
            }
        }
    };
}
pub(crate) use encoded;

/// A type with a place in the state file.
pub trait Codec: Sized {
    /// Writes `self`.
    fn enc(&self, e: &mut Enc);
    /// Reads one back; None when the bytes are malformed.
    fn dec(d: &mut Dec<'_>) -> Option<Self>;
}

impl Codec for u64 {
    fn enc(&self, e: &mut Enc) {
        e.u64(*self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.u64()
    }
}

impl Codec for u32 {
    fn enc(&self, e: &mut Enc) {
        e.u64(u64::from(*self));
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        u32::try_from(d.u64()?).ok()
    }
}

impl Codec for usize {
    fn enc(&self, e: &mut Enc) {
        e.u64(*self as u64);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        usize::try_from(d.u64()?).ok()
    }
}

impl Codec for i64 {
    fn enc(&self, e: &mut Enc) {
        e.i64(*self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.i64()
    }
}

impl Codec for f64 {
    fn enc(&self, e: &mut Enc) {
        e.f64(*self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.f64()
    }
}

impl Codec for bool {
    fn enc(&self, e: &mut Enc) {
        e.bool(*self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.bool()
    }
}

impl Codec for String {
    fn enc(&self, e: &mut Enc) {
        e.str(self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.string()
    }
}

impl Codec for Arc<str> {
    fn enc(&self, e: &mut Enc) {
        e.arc(self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.arc()
    }
}

impl Codec for Value {
    fn enc(&self, e: &mut Enc) {
        e.value(self);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        d.value()
    }
}

impl<T: Codec> Codec for Option<T> {
    fn enc(&self, e: &mut Enc) {
        match self {
            None => e.bool(false),
            Some(v) => {
                e.bool(true);
                v.enc(e);
            }
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        Some(if d.bool()? { Some(T::dec(d)?) } else { None })
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn enc(&self, e: &mut Enc) {
        self.0.enc(e);
        self.1.enc(e);
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        Some((A::dec(d)?, B::dec(d)?))
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn enc(&self, e: &mut Enc) {
        e.count(self.len());
        for v in self {
            v.enc(e);
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        let n = d.count()?;
        let mut out = Vec::with_capacity(d.reserve(n, std::mem::size_of::<T>()));
        for _ in 0..n {
            out.push(T::dec(d)?);
        }
        Some(out)
    }
}

/// Maps are written in key order, so the same state gives the same bytes.
impl<T: Codec> Codec for HashMap<String, T> {
    fn enc(&self, e: &mut Enc) {
        let mut entries: Vec<(&String, &T)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        e.count(entries.len());
        for (k, v) in entries {
            e.str(k);
            v.enc(e);
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        let n = d.count()?;
        // A table's slots are its entries and a control byte each, with
        // room to spare.
        let mut out =
            HashMap::with_capacity(d.reserve(n, 2 * (std::mem::size_of::<(String, T)>() + 1)));
        for _ in 0..n {
            let k = d.string()?;
            out.insert(k, T::dec(d)?);
        }
        Some(out)
    }
}

impl<T: Codec> Codec for BTreeMap<String, T> {
    fn enc(&self, e: &mut Enc) {
        e.count(self.len());
        for (k, v) in self {
            e.str(k);
            v.enc(e);
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        let n = d.count()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = d.string()?;
            out.insert(k, T::dec(d)?);
        }
        Some(out)
    }
}

/// A set is written in its order, as a list.
impl<T: Codec + Ord> Codec for BTreeSet<T> {
    fn enc(&self, e: &mut Enc) {
        e.count(self.len());
        for v in self {
            v.enc(e);
        }
    }
    fn dec(d: &mut Dec<'_>) -> Option<Self> {
        Some(Vec::<T>::dec(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round<T: Codec>(v: &T) -> (Vec<u8>, Option<T>) {
        let mut e = Enc::default();
        v.enc(&mut e);
        let bytes = e.into_bytes();
        let mut d = Dec::new(&bytes);
        let back = T::dec(&mut d).filter(|_| d.at_end());
        (bytes, back)
    }

    #[test]
    fn integers_floats_and_values_read_back_as_written() {
        for n in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(round(&n).1, Some(n));
        }
        for n in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            assert_eq!(round(&n).1, Some(n));
        }
        for x in [0.0f64, -1.5, 33.8, f64::MAX] {
            assert_eq!(round(&x).1, Some(x));
        }
        let v = json!({
            "status": "in-progress", "n": 3, "neg": -4, "x": 0.5, "ok": true,
            "none": null, "list": ["a", {"deep": [1, 2.25, "status"]}], "empty": {}
        });
        assert_eq!(round(&v).1, Some(v));
    }

    #[test]
    fn a_repeated_string_is_written_once_and_read_back_shared() {
        let a: Arc<str> = Arc::from("Ada Lovelace");
        let v = vec![a.clone(), Arc::from("x"), a.clone()];
        let (bytes, back) = round(&v);
        let back = back.expect("reads back");
        assert_eq!(back, v);
        assert!(Arc::ptr_eq(&back[0], &back[2]));
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches("Ada Lovelace").count(), 1, "{bytes:?}");
    }

    #[test]
    fn a_string_read_first_as_owned_is_shared_when_asked_for_later() {
        let mut e = Enc::with_capacity(64);
        e.str("Ada");
        e.str("Ada");
        e.str("Ada");
        e.str("Bob");
        let bytes = e.into_bytes();
        let mut d = Dec::new(&bytes);
        assert_eq!(d.string().as_deref(), Some("Ada"));
        let (a, b) = (d.arc().expect("second"), d.arc().expect("third"));
        assert_eq!(&*a, "Ada");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(d.string().as_deref(), Some("Bob"));
        assert!(d.at_end());
        // A number past the strings read so far is refused.
        let mut e = Enc::with_capacity(8);
        e.u64(5);
        let bytes = e.into_bytes();
        assert_eq!(Dec::new(&bytes).arc(), None);
    }

    #[test]
    fn damaged_bytes_are_refused_without_panicking() {
        let v: Vec<(String, Value)> = vec![
            (
                "f-1".into(),
                json!({"status": "planned", "rice": {"reach": 6260}}),
            ),
            ("f-2".into(), json!(["f-1", "f-1", 2.5, -3])),
        ];
        let (bytes, back) = round(&v);
        assert_eq!(back.as_ref(), Some(&v));
        // Every truncation is refused.
        for cut in 0..bytes.len() {
            let mut d = Dec::new(&bytes[..cut]);
            assert!(
                Vec::<(String, Value)>::dec(&mut d).is_none(),
                "cut at {cut}"
            );
        }
        // Every single-byte change reads as something or nothing, never a panic.
        for i in 0..bytes.len() {
            for b in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] = b;
                let _ = Vec::<(String, Value)>::dec(&mut Dec::new(&damaged));
            }
        }
        // A string number that names nothing yet, and a length past the end.
        assert!(String::dec(&mut Dec::new(&[5])).is_none());
        assert!(String::dec(&mut Dec::new(&[0, 100, b'a'])).is_none());
        assert!(Vec::<u64>::dec(&mut Dec::new(&[0xff, 0xff, 0xff, 0xff, 0x0f])).is_none());
        // Invalid UTF-8.
        assert!(String::dec(&mut Dec::new(&[0, 2, 0xc3, 0x28])).is_none());
    }

    #[test]
    fn values_as_deep_as_the_yaml_parser_allows_read_back() {
        let mut v = json!("leaf");
        for _ in 0..crate::parse::yaml::MAX_DEPTH {
            v = json!([v]);
        }
        assert_eq!(round(&v).1, Some(v));
    }

    #[test]
    fn a_long_count_does_not_reserve_for_every_item_up_front() {
        // A list that claims as many items as bytes are left, each itself
        // such a list: refused when the bytes run out, having reserved at
        // most RESERVE items per level on the way.
        let mut bytes = Vec::new();
        for _ in 0..MAX_DEPTH {
            bytes.extend_from_slice(&[7, 0xff, 0x7f]);
        }
        assert!(Dec::new(&bytes).value().is_none());
    }

    #[test]
    fn collections_read_back_are_reserved_whole_within_the_budget() {
        // Read back into exactly the room they need (no buffers left
        // behind by growing)...
        let list: Vec<u64> = (0..5000).collect();
        let (_, back) = round(&list);
        let back = back.expect("reads back");
        assert_eq!(back, list);
        assert_eq!(back.capacity(), list.len());
        // ...while a decoder reserves no more than its budget in all:
        // past it, collections start small and grow as items decode.
        let bytes = vec![0u8; 1000];
        let mut d = Dec::new(&bytes);
        let budget = budget(bytes.len());
        assert_eq!(d.reserve(1000, budget / 1000), 1000);
        assert_eq!(d.reserve(5000, 8), RESERVE);
        assert_eq!(d.reserve(10, 8), 10);
        assert_eq!(d.reserve(usize::MAX, usize::MAX), RESERVE);
    }

    #[test]
    fn values_nested_too_deep_are_refused() {
        let mut bytes = [7u8, 1].repeat(MAX_DEPTH + 2);
        bytes.push(0);
        assert!(Dec::new(&bytes).value().is_none());
        let mut ok = [7u8, 1].repeat(10);
        ok.push(0);
        assert!(Dec::new(&ok).value().is_some());
    }
}
