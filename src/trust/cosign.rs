//! cosign's signatures: a manifest under the tag `sha256-<hex>.sig` (or a referrer) whose
//! layers are "simple signing" payloads, each with its signature in the layer annotation
//! `dev.cosignproject.cosign/signature` (cosign's `specs/SIGNATURE_SPEC.md`).

use serde::Deserialize;

/// The media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation holding the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The layer annotation holding a (Fulcio) certificate, for keyless signatures.
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// The `critical.type` every cosign image signature carries.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";

/// What a simple-signing payload claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// `critical.image.docker-manifest-digest`.
    pub digest: String,
    /// `critical.identity.docker-reference`.
    pub reference: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    critical: Critical,
}

#[derive(Deserialize)]
struct Critical {
    #[serde(default)]
    identity: Option<Identity>,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct Identity {
    #[serde(rename = "docker-reference", default)]
    docker_reference: Option<String>,
}

#[derive(Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// Reads a simple-signing payload; a payload that is not a cosign image signature is refused.
pub fn parse_payload(bytes: &[u8]) -> Result<Payload, String> {
    let raw: Raw =
        serde_json::from_slice(bytes).map_err(|e| format!("the payload is not a simple-signing document: {e}"))?;
    if !raw.critical.kind.eq_ignore_ascii_case(SIGNATURE_TYPE) {
        return Err(format!(
            "the payload's critical.type is {:?}, not {SIGNATURE_TYPE:?}",
            raw.critical.kind
        ));
    }
    Ok(Payload {
        digest: raw.critical.image.docker_manifest_digest,
        reference: raw.critical.identity.and_then(|i| i.docker_reference),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads_are_read_and_other_documents_refused() {
        let p = super::parse_payload(
            br#"{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#,
        )
        .unwrap();
        assert_eq!(p.digest, "sha256:ab");
        assert_eq!(p.reference.as_deref(), Some("r.example/app"));
        let e = super::parse_payload(
            br#"{"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"atomic container signature"}}"#,
        )
        .unwrap_err();
        assert!(e.contains("not \"cosign container image signature\""), "{e}");
        assert!(super::parse_payload(b"[]").is_err());
    }
}
