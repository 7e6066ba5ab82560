//! porthole: a look inside container images that never lets the image leave the machine.
//!
//! The core is plain Rust with no web types; the page (through `wasm`) and the `porthole`
//! CLI call the same entry point, [`inspect::inspect`], and produce the same
//! [`report::Report`].
//!
//! Data flow:
//! ```text
//! Input ─► source (file, stream, directory, registry) ─► Store ─► layout (docker save | OCI) ─► ImagePlan
//!   each layer once: bytes ─► sha256 ─► gunzip/unzstd ─► sha256 ─► tar walk ─► entries
//!                                                                     └► layer analyzers ─► findings
//!   merge (whiteouts, opaque dirs) ─► image passes ─► checks ─► Report (JSON)
//! ```
//! The two extension points: everything that looks at a layer's files is an
//! [`analyzer::LayerAnalyzer`] riding that walk; everything that looks at a whole image is a
//! [`pass::ImagePass`]. A stream that cannot be read at random (gzipped tarball, stdin, fetch
//! body) takes the same path in one pass ([`source::stream`]). Every size from the input is
//! checked against [`Limits`] before it drives memory or work; no layer is ever held whole.

pub mod analyzer;
pub mod audit;
pub mod blob;
pub mod checks;
pub mod compress;
pub mod diff;
pub mod digest;
pub mod error;
pub mod explore;
#[cfg(feature = "fixtures")]
pub mod fixture;
pub mod fs;
#[cfg(feature = "fixtures")]
pub mod fuzzing;
pub mod ignore;
pub mod image;
pub mod inspect;
pub mod limits;
pub mod options;
pub mod parallel;
pub mod pass;
pub mod report;
pub mod scan;
pub mod source;
pub mod tar;
pub mod trust;
pub mod vuln;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use blob::BlobSource;
pub use error::{Error, ErrorKind, Result};
pub use inspect::{Options, inspect_blob, inspect_reader};
pub use limits::Limits;
pub use report::Report;
