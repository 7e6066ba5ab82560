//! Sigstore bundles (media types v0.1–v0.3), as newer cosign attaches them to images: a
//! `messageSignature` over an artifact's digest or a DSSE envelope of an in-toto statement,
//! signed with a public key or with a short-lived Fulcio certificate (keyless), and logged in
//! Rekor. What is checked, in order (as sigstore's verifiers do): the bundle's form; the
//! signature with the key or certificate; each transparency log entry against the trusted
//! root (its body names this signature, the signed entry timestamp, the inclusion proof and
//! its checkpoint); for a certificate, the chain to a Fulcio authority at the time the log
//! vouches for, and the identity policy (SAN and OIDC issuer).

use super::intoto::{self, Envelope, Statement};
use super::key::TrustedKey;
use super::rekor;
use super::timestamp;
use super::trusted_root::{RawBytes, TrustedRoot};
use super::x509::{self, CODE_SIGNING, Cert, Usage};
use serde::Deserialize;

/// The predicate type cosign signs an image with inside a DSSE bundle.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";
/// Fulcio's OIDC issuer extensions: v2 (DER UTF8String) and v1 (raw string, deprecated).
const ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
const ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
/// Transparency log entries one bundle may carry.
const MAX_ENTRIES: usize = 8;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    media_type: String,
    verification_material: Material,
    #[serde(default)]
    message_signature: Option<MessageSignature>,
    #[serde(default)]
    dsse_envelope: Option<Envelope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Material {
    #[serde(default)]
    public_key: Option<serde_json::Value>,
    #[serde(default)]
    x509_certificate_chain: Option<Chain>,
    #[serde(default)]
    certificate: Option<RawBytes>,
    #[serde(default)]
    tlog_entries: Vec<rekor::Entry>,
    #[serde(default)]
    timestamp_verification_data: Option<TimestampData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TimestampData {
    #[serde(default)]
    rfc3161_timestamps: Vec<Rfc3161>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rfc3161 {
    signed_timestamp: String,
}

#[derive(Deserialize)]
struct Chain {
    #[serde(default)]
    certificates: Vec<RawBytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageSignature {
    #[serde(default)]
    message_digest: Option<MessageDigest>,
    signature: String,
}

#[derive(Deserialize)]
struct MessageDigest {
    algorithm: String,
    digest: String,
}

/// Which certificates a keyless signature must come from.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// The certificate's subject alternative name (e-mail, URI).
    pub san: Option<Pattern>,
    /// The OIDC issuer Fulcio recorded.
    pub issuer: Option<Pattern>,
}

/// An exact value or a regular expression (matching the whole value).
#[derive(Debug, Clone)]
pub enum Pattern {
    Exact(String),
    Regex(regex::Regex),
}

impl Pattern {
    /// A regular expression that must match the whole value.
    pub fn regex(re: &str) -> Result<Pattern, String> {
        regex::Regex::new(&format!("^(?:{re})$"))
            .map(Pattern::Regex)
            .map_err(|e| format!("{re:?} is not a regular expression: {e}"))
    }
    fn matches(&self, v: &str) -> bool {
        match self {
            Pattern::Exact(s) => s == v,
            Pattern::Regex(r) => r.is_match(v),
        }
    }
    fn shown(&self) -> String {
        match self {
            Pattern::Exact(s) => format!("{s:?}"),
            Pattern::Regex(r) => format!("/{}/", r.as_str()),
        }
    }
}

/// What a bundle is about.
pub enum Content {
    /// A signature of an artifact by its sha256 (`sha256:<hex>`).
    Message(String),
    /// A signed in-toto statement, with what its predicate says.
    Statement {
        predicate_type: String,
        subjects: Vec<String>,
        provenance: Option<Box<crate::report::trust::Provenance>>,
        sbom: Option<Vec<crate::report::trust::SbomPackage>>,
    },
}

/// What a bundle says and whether it holds (before the binding).
pub struct Outcome {
    pub content: Option<Content>,
    pub signer: crate::report::trust::Signer,
    /// `Ok` when everything checks out; otherwise why not.
    pub checked: Result<(), String>,
}

/// What the bundle's signature is checked with.
pub struct Policy<'a> {
    pub keys: &'a [TrustedKey],
    pub root: Option<&'a TrustedRoot>,
    pub identity: &'a Identity,
}

/// Reads and checks a bundle.
pub fn verify(bytes: &[u8], policy: &Policy) -> Outcome {
    let mut out = Outcome {
        content: None,
        signer: Default::default(),
        checked: Ok(()),
    };
    out.checked = check(bytes, policy, &mut out);
    out
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>, String> {
    intoto::decode_base64(s).map_err(|e| format!("the bundle's {what} is not base64: {e}"))
}

fn check(bytes: &[u8], policy: &Policy, out: &mut Outcome) -> Result<(), String> {
    let raw: Raw = serde_json::from_slice(bytes).map_err(|e| format!("the Sigstore bundle cannot be read: {e}"))?;
    let version_ok = ["0.1", "0.2", "0.3"].iter().any(|v| {
        raw.media_type == format!("application/vnd.dev.sigstore.bundle+json;version={v}")
            || raw.media_type == format!("application/vnd.dev.sigstore.bundle.v{v}+json")
    });
    if !version_ok {
        return Err(format!(
            "the bundle's media type {:?} is not one porthole reads (v0.1–v0.3)",
            raw.media_type
        ));
    }
    if raw.verification_material.tlog_entries.len() > MAX_ENTRIES {
        return Err(format!("the bundle carries more than {MAX_ENTRIES} log entries"));
    }
    let stamps = raw
        .verification_material
        .timestamp_verification_data
        .as_ref()
        .map(|t| t.rfc3161_timestamps.as_slice())
        .unwrap_or_default();
    if stamps.len() > timestamp::MAX_TIMESTAMPS {
        return Err(format!(
            "the bundle carries more than {} timestamps",
            timestamp::MAX_TIMESTAMPS
        ));
    }
    // What was signed: the message (by its digest) or the DSSE encoding of a statement.
    let (message_digest, signatures, pae, dsse_digest) = match (&raw.message_signature, &raw.dsse_envelope) {
        (Some(m), None) => {
            let d = m
                .message_digest
                .as_ref()
                .ok_or("the message signature names no digest")?;
            if d.algorithm != "SHA2_256" {
                return Err(format!(
                    "message digests of {} are not supported (SHA2_256 is)",
                    d.algorithm
                ));
            }
            let digest = b64(&d.digest, "message digest")?;
            out.content = Some(Content::Message(
                crate::digest::Digest::from_sha256(&digest).to_string(),
            ));
            (Some(digest), vec![b64(&m.signature, "signature")?], None, None)
        }
        (None, Some(env)) => {
            let body = env.body()?;
            let statement = Statement::parse(&body)?;
            let predicate = statement.predicate.clone().unwrap_or_default();
            out.content = Some(Content::Statement {
                predicate_type: statement.predicate_type.clone(),
                subjects: statement.subject_digests(),
                provenance: super::predicate::provenance(&statement.predicate_type, &predicate).map(Box::new),
                sbom: super::predicate::sbom(&statement.predicate_type, &predicate),
            });
            if env.payload_type != intoto::IN_TOTO_PAYLOAD {
                return Err(format!(
                    "the envelope's payload type is {:?}, not in-toto",
                    env.payload_type
                ));
            }
            let sigs = env
                .signatures
                .iter()
                .map(|s| b64(&s.sig, "DSSE signature"))
                .collect::<Result<Vec<_>, _>>()?;
            if sigs.len() != 1 {
                return Err(format!(
                    "the envelope holds {} signatures; a bundle's holds exactly one",
                    sigs.len()
                ));
            }
            use sha2::Digest as _;
            let payload_digest = sha2::Sha256::digest(&body).to_vec();
            (
                None,
                sigs,
                Some(intoto::pae(&env.payload_type, &body)),
                Some(payload_digest),
            )
        }
        _ => return Err("the bundle holds neither exactly one message signature nor one DSSE envelope".into()),
    };
    let verify_with = |key: &super::key::PublicKey| -> Result<(), String> {
        match (&message_digest, &pae) {
            (Some(d), _) => key.verify_sha256_digest(d, &signatures[0]),
            (None, Some(p)) => signatures
                .iter()
                .map(|s| key.verify_cosign(p, s))
                .find(Result::is_ok)
                .unwrap_or_else(|| Err("the signature does not verify with this key".into())),
            (None, None) => Err("nothing was signed".into()),
        }
    };
    // The signing key: a certificate in the bundle, or one of the user's keys.
    let material = &raw.verification_material;
    let leaf_der = material.certificate.as_ref().map(|c| c.raw_bytes.clone()).or_else(|| {
        material
            .x509_certificate_chain
            .as_ref()
            .and_then(|c| c.certificates.first())
            .map(|c| c.raw_bytes.clone())
    });
    let verifier: Vec<Vec<u8>>;
    let leaf = match &leaf_der {
        Some(der) => Some(Cert::from_der(&b64(der, "certificate")?)?),
        None => None,
    };
    match &leaf {
        Some(cert) => {
            out.signer.identity = cert.subject_alt_names().into_iter().next();
            out.signer.issuer = oidc_issuer(cert);
            out.signer.key_fingerprint = Some(super::key::fingerprint(&cert.public_key_der()));
            verifier = vec![cert.der.clone(), cert.public_key_der()];
            verify_with(&cert.public_key()?)
                .map_err(|e| format!("the signature does not verify with the certificate's key ({e})"))?;
        }
        None => {
            if material.public_key.is_none() {
                return Err("the bundle names neither a certificate nor a public key".into());
            }
            if policy.keys.is_empty() {
                return Err(super::NOT_CHECKED.into());
            }
            let k = policy
                .keys
                .iter()
                .find(|k| verify_with(&k.key).is_ok())
                .ok_or_else(|| match policy.keys.len() {
                    1 => format!(
                        "the key given ({}) does not verify the bundle's signature",
                        policy.keys[0].name
                    ),
                    n => format!("none of the {n} keys given verifies the bundle's signature"),
                })?;
            out.signer.key = Some(k.name.clone());
            out.signer.key_fingerprint = Some(k.fingerprint.clone());
            verifier = vec![k.der.clone()];
        }
    }
    // The transparency log.
    let Some(root) = policy.root else {
        return Err(super::NOT_CHECKED_ROOT.into());
    };
    if material.tlog_entries.is_empty() {
        return Err("the bundle has no transparency log entry".into());
    }
    // Timestamps first (as sigstore's verifiers order it): each must hold, over the signature.
    let mut times = Vec::new();
    for t in stamps {
        let stamped = timestamp::verify(&b64(&t.signed_timestamp, "timestamp")?, &signatures[0], root)?;
        times.push(stamped.at);
        out.signer.signed_at.get_or_insert(x509::rfc3339(stamped.at));
        out.signer
            .time_authority
            .get_or_insert(format!("timestamp authority {}", stamped.authority));
    }
    let stamped = times.clone();
    let signed = rekor::Signed {
        signatures: signatures.iter().map(Vec::as_slice).collect(),
        digest: message_digest.clone().or(dsse_digest).unwrap_or_default(),
        dsse: pae.is_some(),
        verifier,
    };
    for e in &material.tlog_entries {
        if let Some(at) = rekor::check(e, &signed, root, &stamped)?.trusted_time {
            times.push(at);
            out.signer.signed_at.get_or_insert(x509::rfc3339(at));
            out.signer
                .time_authority
                .get_or_insert("transparency log (signed entry timestamp)".into());
        }
    }
    // A certificate: valid when the log integrated the signature, issued by a Fulcio
    // authority of the root, for code signing, and to the identity the user expects.
    if let Some(cert) = &leaf {
        let extra: Vec<Cert> = match &material.x509_certificate_chain {
            Some(c) => c
                .certificates
                .iter()
                .skip(1)
                .map(|c| b64(&c.raw_bytes, "certificate").and_then(|d| Cert::from_der(&d)))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        keyless(cert, &extra, &times, root, policy.identity)?;
    }
    Ok(())
}

/// The checks of a keyless (Fulcio) certificate, at each time something trusted vouches for
/// (the log's signed entry timestamp, a timestamp authority; at least one): valid then, issued
/// (through `extra` intermediates, never roots) by an authority of the root valid then, for
/// code signing, logged in certificate transparency; and naming the identity the user expects.
pub fn keyless(
    cert: &Cert,
    extra: &[Cert],
    times: &[i64],
    root: &TrustedRoot,
    identity: &Identity,
) -> Result<(), String> {
    if times.is_empty() {
        return Err("no trusted time: neither a signed entry timestamp from the log nor an RFC 3161 timestamp says when it was signed".into());
    }
    for &at in times {
        chains_at(cert, extra, at, root)?;
    }
    // Both halves, as cosign asks: an issuer alone accepts anyone it vouches for (any
    // repository's workflow), a SAN alone any issuer (a cluster anyone can run).
    if identity.san.is_none() || identity.issuer.is_none() {
        return Err(super::NOT_CHECKED_IDENTITY.into());
    }
    if let Some(p) = &identity.san {
        let sans = cert.subject_alt_names();
        if !sans.iter().any(|s| p.matches(s)) {
            return Err(format!(
                "the certificate's identity {} does not match {}",
                sans.join(", "),
                p.shown()
            ));
        }
    }
    if let Some(p) = &identity.issuer {
        let issuer = oidc_issuer(cert).unwrap_or_default();
        if !p.matches(&issuer) {
            return Err(format!(
                "the certificate's OIDC issuer {issuer:?} does not match {}",
                p.shown()
            ));
        }
    }
    Ok(())
}

/// The certificate was valid at `at` and chains then to an authority of the root, with an SCT.
fn chains_at(cert: &Cert, extra: &[Cert], at: i64, root: &TrustedRoot) -> Result<(), String> {
    let (from, to) = cert.validity();
    if at < from || at > to {
        return Err(format!(
            "the signature was made at {} (as a trusted time says), outside the certificate's validity ({} – {})",
            x509::rfc3339(at),
            x509::rfc3339(from),
            x509::rfc3339(to)
        ));
    }
    let mut why = "the trusted root names no certificate authority".to_string();
    let mut chained = false;
    for a in root.authorities.iter().filter(|a| a.valid_at(at)) {
        let Some((root_cert, intermediates)) = a.chain.split_last() else {
            continue;
        };
        let mut inter = intermediates.to_vec();
        inter.extend(extra.iter().cloned());
        let usage = Usage {
            eku: Some(CODE_SIGNING),
        };
        match x509::verify_path(cert, &inter, std::slice::from_ref(root_cert), at, usage) {
            Ok(path) => {
                // The issuer (the path's second certificate) is what the SCT names.
                if let Some(issuer) = path.get(1) {
                    super::sct::verify(cert, issuer, &root.ct_logs)?;
                }
                chained = true;
                break;
            }
            Err(e) => why = e,
        }
    }
    if !chained {
        return Err(why);
    }
    Ok(())
}

/// Fulcio's OIDC issuer: the v2 extension (a DER UTF8String), else v1 (the raw string).
pub fn oidc_issuer(cert: &Cert) -> Option<String> {
    use der::Decode as _;
    if let Some(v) = cert.extension(ISSUER_V2) {
        return der::asn1::Utf8StringRef::from_der(&v)
            .ok()
            .map(|s| s.as_str().to_string());
    }
    cert.extension(ISSUER_V1).and_then(|v| String::from_utf8(v).ok())
}
