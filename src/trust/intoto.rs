//! in-toto statements and the DSSE envelopes that sign them (cosign's `.att` layers, Sigstore
//! bundles): <https://github.com/in-toto/attestation> and
//! <https://github.com/secure-systems-lab/dsse>.

use crate::digest::Digest;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The payload type of an in-toto statement inside a DSSE envelope.
pub const IN_TOTO_PAYLOAD: &str = "application/vnd.in-toto+json";

/// A DSSE envelope.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    /// Base64 of the signed bytes.
    pub payload: String,
    #[serde(default)]
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Deserialize)]
pub struct EnvelopeSignature {
    #[serde(default)]
    pub keyid: Option<String>,
    /// Base64 of the signature over [`pae`].
    pub sig: String,
}

impl Envelope {
    /// The payload's bytes.
    pub fn body(&self) -> Result<Vec<u8>, String> {
        decode_base64(&self.payload).map_err(|e| format!("the envelope's payload is not base64: {e}"))
    }
}

/// DSSE's pre-authentication encoding: what the signatures are over.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {payload_type} {} ", payload_type.len(), body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// An in-toto statement (v0.1 or v1): what it is about and what kind of claim it makes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    #[serde(rename = "_type", default)]
    pub kind: String,
    #[serde(default)]
    pub subject: Vec<Subject>,
    #[serde(default)]
    pub predicate_type: String,
    #[serde(default)]
    pub predicate: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct Subject {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// Reads a statement; anything but an in-toto statement is refused.
    pub fn parse(bytes: &[u8]) -> Result<Statement, String> {
        let s: Statement =
            serde_json::from_slice(bytes).map_err(|e| format!("the statement is not in-toto JSON: {e}"))?;
        if !s.kind.starts_with("https://in-toto.io/Statement/") {
            return Err(format!(
                "the statement's _type {:?} is not an in-toto statement",
                s.kind
            ));
        }
        Ok(s)
    }

    /// The subjects' sha256 digests (`sha256:<hex>`), in order.
    pub fn subject_digests(&self) -> Vec<String> {
        self.subject
            .iter()
            .filter_map(|s| s.digest.get("sha256"))
            .filter_map(|hex| Digest::parse(&format!("sha256:{hex}")).ok())
            .map(|d| d.to_string())
            .collect()
    }
}

/// Standard base64, with or without padding (signatures and payloads come both ways).
pub fn decode_base64(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(s.trim())
}

#[cfg(test)]
mod tests {
    #[test]
    fn pae_is_dsse_v1() {
        // The example of the DSSE protocol document.
        assert_eq!(
            super::pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }
}
