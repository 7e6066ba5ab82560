//! What the report says about who made an image: the signatures and attestations attached to
//! it, and one verdict (added after the first contract; see `docs/report.md`).

use serde::Serialize;

/// One signature attached to the image.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Signature {
    /// `cosign` (simple signing), `notation` or `sigstore-bundle`.
    pub kind: String,
    /// How it was found: `tag sha256-….sig`, `referrers API`, `index.json (subject)`, ….
    pub found: String,
    /// The digest of the manifest that carries it.
    pub artifact: Option<String>,
    /// The manifest digest the signature says it signs.
    pub covers: Option<String>,
    /// The image name the signature says it signs (cosign's `docker-reference`).
    pub reference: Option<String>,
    /// Whether `covers` is a digest porthole itself computed and verified for this image.
    pub binds: bool,
    pub signer: Signer,
    /// The signature verifies against a key or root the user gave, and binds.
    pub verified: bool,
    /// Why it is not verified, in words.
    pub reason: Option<String>,
}

/// Who signed: a key, or a certificate's identity.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Signer {
    /// `SHA256:<hex>` of the public key that verified it.
    pub key_fingerprint: Option<String>,
    /// The name of that key (its file's base name).
    pub key: Option<String>,
    /// The certificate's subject alternative name (e-mail, URI).
    pub identity: Option<String>,
    /// The OIDC issuer in a Fulcio certificate.
    pub issuer: Option<String>,
    /// When the signature is proven to have existed (RFC 3339), once verified.
    pub signed_at: Option<String>,
    /// What proves that time: `transparency log (signed entry timestamp)` or `timestamp
    /// authority <subject>`.
    pub time_authority: Option<String>,
}

impl Signer {
    /// How the signer is named in words.
    pub fn describe(&self) -> Option<String> {
        match (&self.identity, &self.issuer, &self.key, &self.key_fingerprint) {
            (Some(id), Some(iss), _, _) => Some(format!("{id} (issuer {iss})")),
            (Some(id), None, _, _) => Some(id.clone()),
            (None, _, Some(k), Some(fp)) => Some(format!("key {k} ({fp})")),
            (None, _, None, Some(fp)) => Some(format!("key {fp}")),
            _ => None,
        }
    }
}

/// One attestation (an in-toto statement) attached to the image.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attestation {
    /// `buildx` (an attestation manifest in the image index), `cosign` (a DSSE envelope under
    /// a `.att` tag) or `sigstore-bundle`.
    pub kind: String,
    pub found: String,
    pub artifact: Option<String>,
    /// The in-toto predicate type (`https://slsa.dev/provenance/v1`, `https://spdx.dev/Document`).
    pub predicate_type: Option<String>,
    /// The digests the statement's subjects name.
    pub subjects: Vec<String>,
    /// Whether a subject is a digest porthole verified for this image (buildx names the
    /// platform manifest).
    pub binds: bool,
    /// Whether the statement is signed (a DSSE envelope or a bundle); buildx's are not.
    pub signed: bool,
    pub signer: Signer,
    /// Signed, verified against a key or root the user gave, and bound.
    pub verified: bool,
    pub reason: Option<String>,
    /// A SLSA provenance, in words (null for other predicates).
    pub provenance: Option<Provenance>,
    /// An SBOM's packages (SPDX or CycloneDX; null for other predicates).
    pub sbom: Option<Vec<SbomPackage>>,
}

/// What a SLSA provenance says about the build.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Provenance {
    /// The builder's id.
    pub builder: Option<String>,
    pub build_type: Option<String>,
    /// The source repository.
    pub source: Option<String>,
    /// The source revision (commit).
    pub commit: Option<String>,
    /// The build's arguments (BuildKit: `build-arg:NAME`, `target`, …), by name.
    pub build_args: std::collections::BTreeMap<String, String>,
    /// What the build read (base images, sources), with their digests.
    pub materials: Vec<Material>,
    pub started: Option<String>,
    pub finished: Option<String>,
}

/// Something a build read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Material {
    pub uri: String,
    /// `sha256:<hex>` (or another algorithm).
    pub digest: Option<String>,
}

/// One package an attested SBOM lists.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SbomPackage {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
}

/// The image's trust verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Trust {
    /// `verified`, `unverified` (signed, but no key or root given), `invalid` (a signature
    /// does not verify or does not bind), `unsigned`, or `not_checkable` (no manifest digest).
    pub verdict: TrustVerdict,
    /// The verdict in words: "signed by … — verified", "not signed", ….
    pub summary: String,
    /// What could not be looked at (unknown artifact types, refused requests).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrustVerdict {
    Verified,
    Unverified,
    Invalid,
    Unsigned,
    NotCheckable,
}
