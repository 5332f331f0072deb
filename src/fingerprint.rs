//! The one hasher for values kept on disk (cache keys, digests of what a
//! page shows): xxh3, the same in every build, on every platform and in
//! every Rust release, unlike the standard library's `DefaultHasher`,
//! whose algorithm may change with the compiler.

/// A fresh hasher; feed it with `Hash::hash`, read it with `finish`.
pub fn hasher() -> xxhash_rust::xxh3::Xxh3Default {
    xxhash_rust::xxh3::Xxh3Default::new()
}
