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
/// The layer annotation holding the certificate chain above it (PEM).
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";
/// The layer annotation holding the Rekor bundle: the log's promise for the signature.
pub const BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";
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

/// cosign's "Rekor bundle" annotation: the log entry's body and the signed entry timestamp.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RekorBundle {
    signed_entry_timestamp: String,
    payload: RekorPayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RekorPayload {
    body: String,
    integrated_time: i64,
    log_index: i64,
    #[serde(rename = "logID")]
    log_id: String,
}

/// Reads the Rekor bundle annotation as a transparency log entry (a signed entry timestamp,
/// no inclusion proof).
pub fn rekor_entry(annotation: &str) -> Result<super::rekor::Entry, String> {
    use base64::Engine as _;
    let b: RekorBundle =
        serde_json::from_str(annotation).map_err(|e| format!("the Rekor bundle annotation cannot be read: {e}"))?;
    let id = (0..b.payload.log_id.len())
        .step_by(2)
        .map(|i| {
            b.payload
                .log_id
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .filter(|id| !id.is_empty())
        .ok_or("the Rekor bundle's logID is not hex")?;
    Ok(super::rekor::Entry {
        log_index: b.payload.log_index,
        log_id: super::trusted_root::RawLogId {
            key_id: base64::engine::general_purpose::STANDARD.encode(id),
        },
        kind_version: None,
        integrated_time: b.payload.integrated_time,
        inclusion_promise: Some(super::rekor::Promise {
            signed_entry_timestamp: b.signed_entry_timestamp,
        }),
        inclusion_proof: None,
        canonicalized_body: b.payload.body,
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
