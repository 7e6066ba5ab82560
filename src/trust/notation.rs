//! Notation (Notary Project) signatures: a referrer of artifact type
//! `application/vnd.cncf.notary.signature` whose layer is a JWS envelope
//! (`application/jose+json`, the specification's `signature-envelope-jws.md`). The protected
//! header names the algorithm (PS256/384/512, ES256/384) and the signing scheme; the payload
//! names the target manifest; `x5c` carries the certificate chain, which must lead to a root
//! of the user's trust store.

use super::key::{Hash, Scheme};
use super::x509::{self, CODE_SIGNING, Cert, Usage};
use serde::Deserialize;

/// The artifact type (and older config media type) of a Notation signature.
pub const ARTIFACT_TYPE: &str = "application/vnd.cncf.notary.signature";
/// The JWS envelope's media type.
pub const JWS: &str = "application/jose+json";
/// The payload's content type.
const PAYLOAD_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// Protected headers porthole understands when they are marked critical.
const KNOWN_CRITICAL: &[&str] = &[
    "io.cncf.notary.signingScheme",
    "io.cncf.notary.expiry",
    "io.cncf.notary.authenticSigningTime",
    "io.cncf.notary.verificationPlugin",
    "io.cncf.notary.verificationPluginMinVersion",
];
/// Certificates an envelope may carry.
const MAX_CHAIN: usize = 16;

#[derive(Deserialize)]
struct Envelope {
    payload: String,
    protected: String,
    #[serde(default)]
    header: Unprotected,
    signature: String,
}

#[derive(Deserialize, Default)]
struct Unprotected {
    #[serde(default)]
    x5c: Vec<String>,
}

#[derive(Deserialize)]
struct Protected {
    alg: String,
    #[serde(default)]
    crit: Vec<String>,
    #[serde(default)]
    cty: Option<String>,
    #[serde(rename = "io.cncf.notary.signingScheme", default)]
    scheme: Option<String>,
    #[serde(rename = "io.cncf.notary.signingTime", default)]
    signing_time: Option<String>,
    #[serde(rename = "io.cncf.notary.expiry", default)]
    expiry: Option<String>,
    #[serde(rename = "io.cncf.notary.verificationPlugin", default)]
    plugin: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "targetArtifact")]
    target: Target,
}

#[derive(Deserialize)]
struct Target {
    digest: String,
}

/// What an envelope says and whether it holds, before the binding.
pub struct Outcome {
    /// The manifest digest the payload names.
    pub covers: Option<String>,
    /// The signing certificate's subject.
    pub identity: Option<String>,
    /// `SHA256:<hex>` of the signing certificate's public key.
    pub key_fingerprint: Option<String>,
    /// `Ok` when the signature verifies and the chain leads to a trusted root at the time
    /// that counts; otherwise why not.
    pub checked: Result<(), String>,
}

fn b64url(s: &str, what: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|e| format!("the envelope's {what} is not base64url: {e}"))
}

fn scheme(alg: &str) -> Result<Scheme, String> {
    Ok(match alg {
        "PS256" => Scheme::RsaPss(Hash::Sha256),
        "PS384" => Scheme::RsaPss(Hash::Sha384),
        "PS512" => Scheme::RsaPss(Hash::Sha512),
        "ES256" => Scheme::EcdsaFixed(Hash::Sha256),
        "ES384" => Scheme::EcdsaFixed(Hash::Sha384),
        "ES512" => Scheme::EcdsaFixed(Hash::Sha512),
        other => {
            return Err(format!(
                "the algorithm {other:?} is not one Notation allows (PS256/384/512, ES256/384/512)"
            ));
        }
    })
}

/// Reads and checks a JWS envelope: the signature with the signing certificate's key, the
/// chain to one of `roots` at `now` (seconds since the epoch; `None`: unknown, which fails),
/// and the signature's expiry.
pub fn verify(bytes: &[u8], roots: &[Cert], now: Option<i64>) -> Outcome {
    let mut out = Outcome {
        covers: None,
        identity: None,
        key_fingerprint: None,
        checked: Err(String::new()),
    };
    out.checked = check(bytes, roots, now, &mut out);
    out
}

fn check(bytes: &[u8], roots: &[Cert], now: Option<i64>, out: &mut Outcome) -> Result<(), String> {
    let env: Envelope = serde_json::from_slice(bytes).map_err(|e| format!("the JWS envelope cannot be read: {e}"))?;
    let protected: Protected = serde_json::from_slice(&b64url(&env.protected, "protected header")?)
        .map_err(|e| format!("the protected header cannot be read: {e}"))?;
    let payload_bytes = b64url(&env.payload, "payload")?;
    let payload: Payload =
        serde_json::from_slice(&payload_bytes).map_err(|e| format!("the payload names no target artifact: {e}"))?;
    out.covers = Some(payload.target.digest);
    if env.header.x5c.is_empty() {
        return Err("the envelope carries no certificate (x5c)".into());
    }
    if env.header.x5c.len() > MAX_CHAIN {
        return Err(format!("the envelope carries more than {MAX_CHAIN} certificates"));
    }
    let chain: Vec<Cert> = env
        .header
        .x5c
        .iter()
        .map(|c| {
            super::intoto::decode_base64(c)
                .map_err(|e| format!("a certificate in x5c is not base64: {e}"))
                .and_then(|der| Cert::from_der(&der))
        })
        .collect::<Result<_, _>>()?;
    let leaf = &chain[0];
    out.identity = Some(leaf.subject());
    out.key_fingerprint = Some(super::key::fingerprint(&leaf.public_key_der()));
    if let Some(unknown) = protected.crit.iter().find(|c| !KNOWN_CRITICAL.contains(&c.as_str())) {
        return Err(format!(
            "the protected header marks {unknown:?} critical, which porthole does not understand"
        ));
    }
    if protected.cty.as_deref() != Some(PAYLOAD_TYPE) {
        return Err(format!(
            "the payload's content type is {:?}, not {PAYLOAD_TYPE:?}",
            protected.cty
        ));
    }
    if let Some(p) = &protected.plugin {
        return Err(format!("the signature needs the verification plugin {p:?}"));
    }
    let signed = format!("{}.{}", env.protected, env.payload);
    let sig = b64url(&env.signature, "signature")?;
    leaf.public_key()?
        .verify(scheme(&protected.alg)?, signed.as_bytes(), &sig)
        .map_err(|e| format!("the signature does not verify with the signing certificate's key ({e})"))?;
    let now = now.ok_or("the current time is not known, so the certificates cannot be checked")?;
    if let Some(expiry) = &protected.expiry {
        let at = x509::parse_rfc3339(expiry).ok_or_else(|| format!("the expiry {expiry:?} is not a time"))?;
        if now > at {
            return Err(format!("the signature expired on {expiry}"));
        }
    }
    // notary.x509: the signer's claimed time is not authentic, so the chain must hold now.
    // notary.x509.signingAuthority trusts a signing time vouched for by a signing authority,
    // whose own trust store porthole does not have: with the ordinary roots, a leaked expired
    // key could backdate signatures, so that scheme is refused.
    let at = match protected.scheme.as_deref() {
        Some("notary.x509") => now,
        other => {
            return Err(format!(
                "the signing scheme {other:?} is not supported (notary.x509 is)"
            ));
        }
    };
    if roots.is_empty() {
        return Err(super::NOT_CHECKED_CERT.into());
    }
    x509::verify_path(
        leaf,
        &chain[1..],
        roots,
        at,
        Usage {
            eku: Some(CODE_SIGNING),
        },
    )?;
    if let Some(t) = protected.signing_time.as_deref().and_then(x509::parse_rfc3339) {
        let (from, to) = leaf.validity();
        if t < from || t > to {
            return Err(format!(
                "the signing time {} is outside the signing certificate's validity",
                x509::rfc3339(t)
            ));
        }
    }
    Ok(())
}
