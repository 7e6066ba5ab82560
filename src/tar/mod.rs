//! The tar format, read two ways with one header parser:
//! - [`index`]: pull, over a random-access [`crate::BlobSource`]: reads headers and seeks past
//!   bodies, so an outer `docker save` tarball is indexed without reading its layers;
//! - [`stream`]: push, over chunks of any size: a layer (or a non-seekable outer tarball)
//!   arrives as a stream (a `fetch()` body, a decompressor's output) and is walked as it comes.
//!
//! Supports ustar, GNU (long names `L`/`K`, base-256 numbers) and PAX (`x` records for path,
//! linkpath, size, uid, gid, mtime). Sizes from headers never drive an allocation beyond
//! [`crate::Limits::tar_meta_bytes`].

pub mod header;
pub mod index;
pub mod stream;
pub mod write;

pub use header::{EntryKind, TarEntry};
