//! The image model: descriptors, manifests, indexes and configs (OCI image spec and Docker
//! schema2), and the per-layer pipeline that verifies and walks a layer in one pass.

pub mod config;
pub mod manifest;
pub mod pipeline;
pub mod walk;

pub use config::ImageConfig;
pub use manifest::{Descriptor, Index, Manifest, Platform};
pub use pipeline::{LayerPipeline, LayerResult};

use crate::error::{Error, Result};

/// Parses JSON from an image with a size limit and a readable error naming the document.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str, max: u64) -> Result<T> {
    if bytes.len() as u64 > max {
        return Err(Error::limit(format!(
            "{what} is {} bytes, over the JSON limit of {max}",
            bytes.len()
        )));
    }
    // serde_json stops at a nesting depth of 128, so deeply nested input cannot overflow the stack.
    serde_json::from_slice(bytes)
        .map_err(|e| Error::malformed(format!("{what} is not valid JSON of the expected shape: {e}")))
}
