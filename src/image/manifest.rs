//! Descriptors, manifests and indexes: OCI image-spec `descriptor.md`, `manifest.md`,
//! `image-index.md`, and their Docker schema2 equivalents (same field names).

use crate::digest::Digest;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// A content descriptor. `digest` stays a string here: it is validated where it is used, so a
/// bad digest is reported against its layer rather than failing the whole document.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub urls: Vec<String>,
    /// An OCI 1.1 artifact's type (in an index or a referrers answer).
    #[serde(default)]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    pub fn digest(&self) -> crate::Result<Digest> {
        Digest::parse(&self.digest)
    }
    /// Declared size, if it is a sensible (non-negative) number.
    pub fn size(&self) -> Option<u64> {
        self.size.and_then(|s| u64::try_from(s).ok())
    }
    pub fn media_type(&self) -> &str {
        self.media_type.as_deref().unwrap_or("")
    }
    /// Foreign (Docker) or non-distributable (OCI) layers are often not shipped.
    pub fn is_foreign(&self) -> bool {
        let m = self.media_type();
        m.contains(".foreign.") || m.contains(".nondistributable.")
    }
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq, Eq)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn render(&self) -> String {
        match self.variant.as_deref() {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", self.os, self.architecture, v),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Option<Platform> {
        let mut it = s.split('/');
        let os = it.next().filter(|s| !s.is_empty())?.to_string();
        let architecture = it.next().filter(|s| !s.is_empty())?.to_string();
        let variant = it.next().map(str::to_string);
        if it.next().is_some() {
            return None;
        }
        Some(Platform {
            architecture,
            os,
            variant,
        })
    }

    /// Whether `self` (wanted) accepts `other` (offered): a wanted platform without a
    /// variant accepts any variant.
    pub fn accepts(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

/// An image manifest (OCI or Docker schema2).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub schema_version: Option<i64>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// Present in an index that was mistaken for a manifest.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    /// Present only in schema1 manifests.
    #[serde(default)]
    pub fs_layers: Option<serde_json::Value>,
    /// The manifest this one is attached to (OCI 1.1 referrers: signatures, attestations).
    #[serde(default)]
    pub subject: Option<Descriptor>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An image index (OCI) or manifest list (Docker).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// Whether a descriptor points to an index rather than an image manifest.
pub fn is_index_type(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_LIST
}

/// Attestation manifests (buildx provenance/SBOM) are listed as `unknown/unknown` with a
/// `vnd.docker.reference.type` annotation; they are not runnable images.
pub fn is_attestation(d: &Descriptor) -> bool {
    d.annotations.contains_key("vnd.docker.reference.type")
        || d.platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}
