//! The filesystem inside an image: per-layer entries ([`entry`]) and the merged view that
//! applies OCI whiteouts ([`tree`]), following the image-spec's `layer.md` "Whiteouts".

pub mod entries;
pub mod entry;
pub mod tree;

pub use entries::{Entry, EntryList};
pub use entry::Marker;
pub use tree::{MergedTree, MergedView, Version};
