//! Errors by responsibility. Every error carries where it happened (outer tar entry, layer index,
//! path inside the layer, byte offset) so a user can tell *what* is wrong and *where*.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure, as reported in the JSON contract (`errors[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input does not follow the format it claims (bad tar header, broken JSON, truncation).
    Malformed,
    /// A digest or size does not match.
    Integrity,
    /// Valid input that porthole does not handle (an unknown compression, schema1 manifests).
    Unsupported,
    /// A configured limit (see [`crate::Limits`]) was hit.
    Limit,
    /// The bytes could not be read at all.
    Io,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Limit => "limit",
            ErrorKind::Io => "io",
        })
    }
}

/// One error with its context. Context fields are filled in as the error travels outwards
/// (the tar walker knows the offset, the pipeline the layer, the source the entry name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// Index of the layer (0-based) the error happened in.
    pub layer: Option<usize>,
    /// The outer tar entry (e.g. `blobs/sha256/…` or `<id>/layer.tar`).
    pub entry: Option<String>,
    /// The path inside a layer.
    pub path: Option<String>,
    /// Byte offset, in the stream the error is about (outer file or uncompressed layer).
    pub offset: Option<u64>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            layer: None,
            entry: None,
            path: None,
            offset: None,
        }
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Malformed, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Limit, message)
    }
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }
    pub fn integrity(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Integrity, message)
    }
    /// Sets the layer index unless an inner step already set it.
    pub fn in_layer(mut self, layer: usize) -> Self {
        self.layer.get_or_insert(layer);
        self
    }
    pub fn in_entry(mut self, entry: &str) -> Self {
        if self.entry.is_none() {
            self.entry = Some(entry.to_string());
        }
        self
    }
    pub fn at_path(mut self, path: &str) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_string());
        }
        self
    }
    pub fn at_offset(mut self, offset: u64) -> Self {
        self.offset.get_or_insert(offset);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        let mut ctx = Vec::new();
        if let Some(l) = self.layer {
            ctx.push(format!("layer {l}"));
        }
        if let Some(e) = &self.entry {
            ctx.push(format!("entry {e:?}"));
        }
        if let Some(p) = &self.path {
            ctx.push(format!("path {p:?}"));
        }
        if let Some(o) = self.offset {
            ctx.push(format!("offset {o}"));
        }
        if !ctx.is_empty() {
            write!(f, " ({})", ctx.join(", "))?;
        }
        Ok(())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
