//! Who made an image: the signatures and attestations attached to it ([`attached`]), checked
//! against the keys the user gives ([`key`]), and one verdict.
//!
//! The checks, in order, for every signature: the artifact's manifest and payload match their
//! digests; the payload is what the format says (a cosign simple-signing document, an in-toto
//! statement); a key the user gave verifies the signature over exactly those bytes; and what
//! it signs is a manifest digest porthole itself computed and verified for this image (the
//! binding). Only all of them together make a signature `verified`.

pub mod attached;
pub mod bundle;
pub mod cosign;
pub mod intoto;
pub mod key;
pub mod notation;
pub mod predicate;
pub mod rekor;
pub mod sct;
pub mod timestamp;
pub mod trusted_root;
pub mod x509;

use crate::digest::Digest;
use crate::image::manifest::{Descriptor, Manifest};
use crate::image::parse_json;
use crate::limits::Limits;
use crate::report::trust::{Attestation, Signature, Signer, Trust, TrustVerdict};
use attached::Attached;
use key::TrustedKey;

/// What the user trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    /// Public keys (`--key`).
    pub keys: Vec<TrustedKey>,
    /// Root certificates Notation signatures must chain to (`--trust-store`).
    pub roots: Vec<x509::Cert>,
    /// The time certificates and expiries are checked at, in seconds since the epoch (the
    /// CLI's and the page's clock; `None` fails every certificate check).
    pub now: Option<i64>,
    /// Sigstore's trusted root (`--trusted-root`): Fulcio authorities and Rekor logs.
    pub sigstore_root: Option<std::sync::Arc<trusted_root::TrustedRoot>>,
    /// Who a keyless signature must come from.
    pub identity: bundle::Identity,
}

/// What was found about one image.
pub struct Findings {
    pub signatures: Vec<Signature>,
    pub attestations: Vec<Attestation>,
    pub trust: Trust,
}

/// Layer media types of the formats read here.
const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
const IN_TOTO: &str = "application/vnd.in-toto+json";
const SIGSTORE_BUNDLE: &str = "application/vnd.dev.sigstore.bundle";
/// Why a signature was not checked: nothing to check it with (no verdict either way).
const NOT_CHECKED: &str = "no key or root given: the signature was not checked";
/// Why a certificate-based signature was not checked: no trust store to check it against.
pub(crate) const NOT_CHECKED_CERT: &str =
    "no trust store given: the signing certificate was not checked against a root";
/// Why a bundle's log and certificate were not checked: no Sigstore trusted root.
pub(crate) const NOT_CHECKED_ROOT: &str =
    "no trusted root given (--trusted-root): the transparency log and the certificate were not checked";
/// Why a keyless signature was not accepted: no identity to expect.
pub(crate) const NOT_CHECKED_IDENTITY: &str = "no identity policy given (both --certificate-identity and --certificate-oidc-issuer): a keyless signature is accepted only from the signer you expect";
/// Reasons that say something needed was not given, not that something is wrong.
const UNCHECKED: &[&str] = &[NOT_CHECKED, NOT_CHECKED_CERT, NOT_CHECKED_ROOT, NOT_CHECKED_IDENTITY];
/// Why a signature of a format this version does not verify was not checked.
const NOT_SUPPORTED: &str = "porthole does not verify";
/// Layers of one artifact read at most (cosign appends one per signature).
const MAX_LAYERS: usize = 16;

/// The image whose signatures are examined, as the layout planned and read it.
#[derive(Debug, Clone, Default)]
pub struct Image {
    /// Digests porthole computed for the documents on the way to the manifest (an index, the
    /// manifest) where they matched what named them.
    pub verified: Vec<Digest>,
    /// Every digest that names the image (expected and computed).
    pub named: Vec<Digest>,
    /// Whether the image has a manifest blob at all (a classic `docker save` has none).
    pub has_manifest: bool,
    /// Attestation manifests found in its own index (buildx).
    pub own: Vec<Attached>,
    /// Some digest of the image (config, layer, manifest) did not match: what was read is not
    /// what a signature over the manifest vouches for.
    pub mismatched: bool,
}

/// Reads a blob by digest from the input (its bytes, not yet checked), or says why not.
pub type ReadBlob<'r> = dyn FnMut(&Digest) -> Result<Vec<u8>, String> + 'r;

/// The image a signature must bind to.
struct Target<'a> {
    /// Digests porthole computed and verified (the manifest, an index on the way).
    verified: Vec<Digest>,
    /// Every digest that names the image (for finding what is attached to it).
    named: Vec<Digest>,
    policy: &'a TrustPolicy,
}

impl Target<'_> {
    fn binds(&self, digest: &str) -> bool {
        self.verified.iter().any(|d| d.as_str() == digest)
    }
    fn names(&self, digest: &str) -> bool {
        self.named.iter().any(|d| d.as_str() == digest)
    }
    /// Why a signature of `covers` does not bind to this image.
    fn not_bound<S: AsRef<str>>(&self, covers: Option<S>) -> String {
        match covers {
            Some(c) => format!("it signs {}, not this image ({})", c.as_ref(), self.shown()),
            None => "it names no image digest".to_string(),
        }
    }

    fn shown(&self) -> String {
        self.verified
            .last()
            .map_or_else(|| "no verified digest".into(), Digest::to_string)
    }
}

/// Examines what is attached to `image`: its own attestation manifests and the artifacts of
/// the input (`attached`) that name it. `single`: the input holds one image, so an artifact
/// that names none (a `cosign save` layout) or another image is shown with it.
pub fn examine(
    read: &mut ReadBlob,
    image: &Image,
    attached: &[Attached],
    notes: &[String],
    single: bool,
    policy: &TrustPolicy,
    limits: &Limits,
) -> Findings {
    let target = Target {
        verified: image.verified.clone(),
        named: image.named.clone(),
        policy,
    };
    let mut found = Findings {
        signatures: Vec::new(),
        attestations: Vec::new(),
        trust: Trust {
            verdict: TrustVerdict::Unsigned,
            summary: String::new(),
            notes: notes.to_vec(),
        },
    };
    let mut seen = std::collections::HashSet::new();
    for a in image.own.iter().chain(attached) {
        if !seen.insert(a.descriptor.digest.clone()) {
            continue;
        }
        let own = image.own.iter().any(|p| std::ptr::eq(p, a));
        // An index's attestation manifests name their platform's manifest: only this one's.
        if let Some(d) = &a.for_digest
            && !target.names(d.as_str())
        {
            continue;
        }
        let artifact = match read_manifest(read, &a.descriptor, limits) {
            Ok(m) => m,
            Err(e) => {
                if a.for_digest.is_some() || single {
                    found.trust.notes.push(format!(
                        "an artifact ({}, {}) cannot be read: {e}",
                        a.found, a.descriptor.digest
                    ));
                }
                continue;
            }
        };
        let subject = artifact.subject.as_ref().map(|s| s.digest.clone());
        // Found for this image, but it says it is about another one: a lie worth showing.
        let lie = match (&subject, &a.for_digest) {
            (Some(s), Some(d)) if s != d.as_str() => {
                Some(format!("it was listed for {d} but its subject is {s}, another image"))
            }
            (Some(s), None) if !target.names(s) => {
                if !single {
                    continue;
                }
                Some(format!("its subject is {s}, another image"))
            }
            (None, None) if !own && !single => continue,
            _ => None,
        };
        read_artifact(read, a, &artifact, lie, &target, &mut found);
    }
    found.trust = verdict(image, &found, found.trust.notes.clone());
    found
}

/// Reads an artifact's manifest and checks it against its digest.
fn read_manifest(read: &mut ReadBlob, d: &Descriptor, limits: &Limits) -> Result<Manifest, String> {
    let bytes = read_blob(read, d)?;
    parse_json::<Manifest>(&bytes, "artifact manifest", limits.json_bytes).map_err(|e| e.message)
}

/// Reads a blob a descriptor names and checks its digest and size.
fn read_blob(read: &mut ReadBlob, d: &Descriptor) -> Result<Vec<u8>, String> {
    let digest = d.digest().map_err(|e| e.message)?;
    let bytes = read(&digest)?;
    let actual = Digest::of(&bytes);
    if actual != digest {
        return Err(format!("its bytes hash to {actual}, not to {digest}"));
    }
    if let Some(size) = d.size()
        && size != bytes.len() as u64
    {
        return Err(format!(
            "it is {} bytes, not the {size} its descriptor says",
            bytes.len()
        ));
    }
    Ok(bytes)
}

fn read_artifact(
    read: &mut ReadBlob,
    a: &Attached,
    m: &Manifest,
    lie: Option<String>,
    target: &Target,
    found: &mut Findings,
) {
    let artifact_type = m
        .artifact_type
        .clone()
        .or_else(|| m.config.as_ref().and_then(|c| c.media_type.clone()))
        .unwrap_or_default();
    // Whatever the kind, only the first layers are read, and a note says so.
    if m.layers.len() > MAX_LAYERS {
        found.trust.notes.push(format!(
            "the artifact {} has {} layers; only the first {MAX_LAYERS} were read",
            a.descriptor.digest,
            m.layers.len()
        ));
    }
    if artifact_type.starts_with(SIGSTORE_BUNDLE) {
        for layer in m.layers.iter().take(MAX_LAYERS) {
            bundle_layer(read, a, layer, lie.clone(), target, found);
        }
        return;
    }
    if artifact_type == notation::ARTIFACT_TYPE {
        for layer in m.layers.iter().take(MAX_LAYERS) {
            found
                .signatures
                .push(notation_signature(read, a, layer, lie.clone(), target));
        }
        return;
    }
    let mut unread = Vec::new();
    for layer in m.layers.iter().take(MAX_LAYERS) {
        let media = layer.media_type();
        if media == cosign::SIMPLE_SIGNING {
            let s = cosign_signature(read, a, layer, lie.clone(), target);
            found.signatures.push(s);
        } else if media == DSSE_ENVELOPE || media == IN_TOTO {
            let att = attestation(read, a, layer, lie.clone(), target);
            found.attestations.push(att);
        } else if !unread.contains(&media.to_string()) {
            unread.push(media.to_string());
        }
    }
    for media in unread {
        found.trust.notes.push(format!(
            "an artifact ({}, {}) holds {media:?} content, which porthole does not read",
            a.found, a.descriptor.digest
        ));
    }
}

/// The outcome of trying the user's keys on a signature.
enum KeyCheck<'k> {
    By(&'k TrustedKey),
    NoKeys,
    NoneVerifies(String),
}

fn try_keys<'k>(keys: &'k [TrustedKey], check: impl Fn(&TrustedKey) -> Result<(), String>) -> KeyCheck<'k> {
    if keys.is_empty() {
        return KeyCheck::NoKeys;
    }
    let mut last = String::new();
    for k in keys {
        match check(k) {
            Ok(()) => return KeyCheck::By(k),
            Err(e) => last = e,
        }
    }
    KeyCheck::NoneVerifies(if keys.len() == 1 {
        format!("the key given ({}) does not verify it: {last}", keys[0].name)
    } else {
        format!("none of the {} keys given verifies it", keys.len())
    })
}

/// The signer and the reason a signature is not verified (`None`: it is).
fn conclude(check: KeyCheck, binds: bool, covers: Option<&str>, target: &Target) -> (Signer, Option<String>) {
    let not_bound = || target.not_bound(covers);
    match check {
        KeyCheck::By(k) => (
            Signer {
                key_fingerprint: Some(k.fingerprint.clone()),
                key: Some(k.name.clone()),
                ..Default::default()
            },
            (!binds).then(not_bound),
        ),
        KeyCheck::NoKeys => (
            Signer::default(),
            Some(if binds {
                NOT_CHECKED.to_string()
            } else {
                format!("{}; no key or root given", not_bound())
            }),
        ),
        KeyCheck::NoneVerifies(why) => (Signer::default(), Some(why)),
    }
}

/// A signature of `kind` found as `a` says, before anything is checked.
fn unchecked_signature(kind: &str, a: &Attached) -> Signature {
    Signature {
        kind: kind.into(),
        found: a.found.clone(),
        artifact: Some(a.descriptor.digest.clone()),
        covers: None,
        reference: None,
        binds: false,
        signer: Signer::default(),
        verified: false,
        reason: None,
    }
}

fn cosign_signature(
    read: &mut ReadBlob,
    a: &Attached,
    layer: &Descriptor,
    lie: Option<String>,
    target: &Target,
) -> Signature {
    let mut s = unchecked_signature("cosign", a);
    let payload = match read_blob(read, layer) {
        Ok(p) => p,
        Err(e) => {
            s.reason = Some(format!("the signed payload cannot be read: {e}"));
            return s;
        }
    };
    let claim = match cosign::parse_payload(&payload) {
        Ok(c) => c,
        Err(e) => {
            s.reason = Some(e);
            return s;
        }
    };
    s.binds = lie.is_none() && target.binds(&claim.digest);
    s.covers = Some(claim.digest);
    s.reference = claim.reference;
    let sig = match layer.annotations.get(cosign::SIGNATURE_ANNOTATION) {
        Some(b64) if !b64.trim().is_empty() => match intoto::decode_base64(b64) {
            Ok(sig) => sig,
            Err(e) => {
                s.reason = Some(format!("the signature annotation is not base64: {e}"));
                return s;
            }
        },
        _ => {
            s.reason = Some(format!("the layer has no {} annotation", cosign::SIGNATURE_ANNOTATION));
            return s;
        }
    };
    let check = try_keys(&target.policy.keys, |k| k.key.verify_cosign(&payload, &sig));
    // cosign writes absent annotations as empty strings.
    let certificate = layer
        .annotations
        .get(cosign::CERTIFICATE_ANNOTATION)
        .filter(|c| !c.trim().is_empty());
    let (signer, reason) = match (check, certificate) {
        // Keyless: no key of the user's signed it, and it carries a Fulcio certificate.
        (KeyCheck::NoKeys | KeyCheck::NoneVerifies(_), Some(pem)) => {
            let mut signer = Signer::default();
            let checked = cosign_keyless(&payload, &sig, pem, layer, target.policy, &mut signer);
            let reason = checked
                .err()
                .or_else(|| (!s.binds).then(|| target.not_bound(s.covers.as_deref())));
            (signer, reason)
        }
        (check, _) => conclude(check, s.binds, s.covers.as_deref(), target),
    };
    s.signer = signer;
    s.reason = lie.or(reason);
    s.verified = s.reason.is_none();
    s
}

/// A keyless cosign signature in its classic form: the Fulcio certificate, its chain and the
/// Rekor bundle in the layer's annotations. Checked as a bundle's certificate is.
fn cosign_keyless(
    payload: &[u8],
    sig: &[u8],
    pem: &str,
    layer: &Descriptor,
    policy: &TrustPolicy,
    signer: &mut Signer,
) -> Result<(), String> {
    // ok: from_pem_chain returns at least one certificate or an error.
    let leaf = x509::Cert::from_pem_chain(pem)
        .map_err(|e| format!("the certificate annotation cannot be read: {e}"))?
        .remove(0);
    signer.identity = leaf.subject_alt_names().into_iter().next();
    signer.issuer = bundle::oidc_issuer(&leaf);
    signer.key_fingerprint = Some(key::fingerprint(&leaf.public_key_der()));
    leaf.public_key()?
        .verify_cosign(payload, sig)
        .map_err(|e| format!("the signature does not verify with the certificate's key ({e})"))?;
    let root = policy.sigstore_root.as_deref().ok_or(NOT_CHECKED_ROOT)?;
    let annotation = layer
        .annotations
        .get(cosign::BUNDLE_ANNOTATION)
        .filter(|b| !b.trim().is_empty())
        .ok_or("the signature carries no Rekor bundle (dev.sigstore.cosign/bundle): when it was made is not known")?;
    let entry = cosign::rekor_entry(annotation)?;
    use sha2::Digest as _;
    let signed = rekor::Signed {
        signatures: vec![sig],
        digest: sha2::Sha256::digest(payload).to_vec(),
        dsse: false,
        verifier: vec![leaf.der.clone(), leaf.public_key_der()],
    };
    let checked = rekor::check(&entry, &signed, root, &[])?;
    let chain = match layer
        .annotations
        .get(cosign::CHAIN_ANNOTATION)
        .filter(|c| !c.trim().is_empty())
    {
        Some(text) => {
            x509::Cert::from_pem_chain(text).map_err(|e| format!("the chain annotation cannot be read: {e}"))?
        }
        None => Vec::new(),
    };
    if let Some(at) = checked.trusted_time {
        signer.signed_at = Some(x509::rfc3339(at));
        signer.time_authority = Some("transparency log (signed entry timestamp)".into());
    }
    let times: Vec<i64> = checked.trusted_time.into_iter().collect();
    bundle::keyless(&leaf, &chain, &times, root, &policy.identity)
}

/// A Sigstore bundle layer: a signature (a message signature, or a DSSE statement of
/// cosign's signing predicate) or a signed attestation (any other statement).
fn bundle_layer(
    read: &mut ReadBlob,
    a: &Attached,
    layer: &Descriptor,
    lie: Option<String>,
    target: &Target,
    found: &mut Findings,
) {
    let policy = bundle::Policy {
        keys: &target.policy.keys,
        root: target.policy.sigstore_root.as_deref(),
        identity: &target.policy.identity,
    };
    let (outcome, unreadable) = match read_blob(read, layer) {
        Ok(bytes) => (bundle::verify(&bytes, &policy), None),
        Err(e) => (
            bundle::Outcome {
                content: None,
                signer: Signer::default(),
                checked: Ok(()),
            },
            Some(format!("the bundle cannot be read: {e}")),
        ),
    };
    let bound = |digest: &str| lie.is_none() && target.binds(digest);
    let reason = |binds: bool, covers: Option<&str>| {
        lie.clone()
            .or(unreadable.clone())
            .or(outcome.checked.clone().err())
            .or_else(|| (!binds).then(|| target.not_bound(covers)))
    };
    match &outcome.content {
        Some(bundle::Content::Statement {
            predicate_type,
            subjects,
            provenance,
            sbom,
        }) if predicate_type != bundle::COSIGN_SIGN_PREDICATE => {
            let binds = subjects.iter().any(|s| bound(s));
            let r = reason(binds, subjects.first().map(String::as_str));
            found.attestations.push(Attestation {
                kind: "sigstore-bundle".into(),
                found: a.found.clone(),
                artifact: Some(a.descriptor.digest.clone()),
                predicate_type: Some(predicate_type.clone()),
                subjects: subjects.clone(),
                binds,
                signed: true,
                signer: outcome.signer.clone(),
                verified: r.is_none(),
                reason: r,
                provenance: provenance.as_deref().cloned(),
                sbom: sbom.clone(),
            });
        }
        content => {
            let covers = match content {
                Some(bundle::Content::Message(d)) => Some(d.clone()),
                Some(bundle::Content::Statement { subjects, .. }) => {
                    subjects.iter().find(|s| bound(s)).or(subjects.first()).cloned()
                }
                None => None,
            };
            let binds = covers.as_deref().is_some_and(bound);
            let r = reason(binds, covers.as_deref());
            found.signatures.push(Signature {
                kind: "sigstore-bundle".into(),
                found: a.found.clone(),
                artifact: Some(a.descriptor.digest.clone()),
                covers,
                reference: None,
                binds,
                signer: outcome.signer.clone(),
                verified: r.is_none(),
                reason: r,
            });
        }
    }
}

fn notation_signature(
    read: &mut ReadBlob,
    a: &Attached,
    layer: &Descriptor,
    lie: Option<String>,
    target: &Target,
) -> Signature {
    let mut s = unchecked_signature("notation", a);
    if layer.media_type() != notation::JWS {
        s.reason = Some(format!(
            "{NOT_SUPPORTED} {:?} Notation envelopes (JWS ones only)",
            layer.media_type()
        ));
        return s;
    }
    let envelope = match read_blob(read, layer) {
        Ok(b) => b,
        Err(e) => {
            s.reason = Some(format!("the signature envelope cannot be read: {e}"));
            return s;
        }
    };
    let outcome = notation::verify(&envelope, &target.policy.roots, target.policy.now);
    s.binds = lie.is_none() && outcome.covers.as_deref().is_some_and(|c| target.binds(c));
    s.covers = outcome.covers;
    s.signer = Signer {
        key_fingerprint: outcome.key_fingerprint,
        identity: outcome.identity,
        ..Default::default()
    };
    s.reason = lie
        .or(outcome.checked.err())
        .or_else(|| (!s.binds).then(|| target.not_bound(s.covers.as_deref())));
    s.verified = s.reason.is_none();
    s
}

fn attestation(
    read: &mut ReadBlob,
    a: &Attached,
    layer: &Descriptor,
    lie: Option<String>,
    target: &Target,
) -> Attestation {
    let signed = layer.media_type() == DSSE_ENVELOPE;
    let mut att = Attestation {
        kind: if signed { "cosign" } else { "buildx" }.into(),
        found: a.found.clone(),
        artifact: Some(a.descriptor.digest.clone()),
        predicate_type: layer.annotations.get("in-toto.io/predicate-type").cloned(),
        subjects: Vec::new(),
        binds: false,
        signed,
        signer: Signer::default(),
        verified: false,
        reason: None,
        provenance: None,
        sbom: None,
    };
    let bytes = match read_blob(read, layer) {
        Ok(b) => b,
        Err(e) => {
            att.reason = Some(format!("the attestation cannot be read: {e}"));
            return att;
        }
    };
    let (statement_bytes, envelope) = if signed {
        let env: intoto::Envelope = match serde_json::from_slice(&bytes) {
            Ok(e) => e,
            Err(e) => {
                att.reason = Some(format!("the DSSE envelope cannot be read: {e}"));
                return att;
            }
        };
        match env.body() {
            Ok(b) => (b, Some(env)),
            Err(e) => {
                att.reason = Some(e);
                return att;
            }
        }
    } else {
        (bytes, None)
    };
    let statement = match intoto::Statement::parse(&statement_bytes) {
        Ok(s) => s,
        Err(e) => {
            att.reason = Some(e);
            return att;
        }
    };
    att.predicate_type = Some(statement.predicate_type.clone())
        .filter(|p| !p.is_empty())
        .or(att.predicate_type);
    att.subjects = statement.subject_digests();
    if let Some(p) = &statement.predicate {
        att.provenance = predicate::provenance(&statement.predicate_type, p);
        att.sbom = predicate::sbom(&statement.predicate_type, p);
    }
    att.binds = lie.is_none() && att.subjects.iter().any(|s| target.binds(s));
    let covers = att.subjects.first().cloned();
    let reason = match envelope {
        None => Some("not signed: a buildx attestation says what the builder recorded, not who built it".to_string()),
        Some(env) => {
            let pae = intoto::pae(&env.payload_type, &statement_bytes);
            let sigs: Vec<Vec<u8>> = env
                .signatures
                .iter()
                .filter_map(|s| intoto::decode_base64(&s.sig).ok())
                .collect();
            if env.payload_type != intoto::IN_TOTO_PAYLOAD {
                Some(format!(
                    "the envelope's payload type is {:?}, not in-toto",
                    env.payload_type
                ))
            } else if sigs.is_empty() {
                Some("the envelope holds no signature".into())
            } else {
                let check = try_keys(&target.policy.keys, |k| {
                    sigs.iter()
                        .try_fold(String::new(), |_, sig| match k.key.verify_cosign(&pae, sig) {
                            Ok(()) => Err(()),
                            Err(e) => Ok(e),
                        })
                        .map_or(Ok(()), Err)
                });
                let (signer, reason) = conclude(check, att.binds, covers.as_deref(), target);
                att.signer = signer;
                reason
            }
        }
    };
    att.reason = lie.or(reason);
    att.verified = att.signed && att.reason.is_none();
    att
}

/// One verdict per image, from its signatures.
fn verdict(image: &Image, found: &Findings, notes: Vec<String>) -> Trust {
    let sigs = &found.signatures;
    let has_manifest = image.has_manifest;
    let (verdict, summary) = if image.mismatched && sigs.iter().any(|s| s.verified) {
        (
            TrustVerdict::Invalid,
            "signature does not verify: it signs the manifest, but what was read does not match the manifest's digests"
                .to_string(),
        )
    } else if let Some(s) = sigs.iter().find(|s| s.verified) {
        let who = s.signer.describe().unwrap_or_else(|| "an unnamed signer".into());
        (TrustVerdict::Verified, format!("signed by {who} — verified"))
    } else if !has_manifest {
        (
            TrustVerdict::NotCheckable,
            format!(
                "not checkable: a docker save archive has no manifest digest for a signature to bind to{}",
                if sigs.is_empty() {
                    ""
                } else {
                    " (signatures were found)"
                }
            ),
        )
    } else if sigs.is_empty() {
        (TrustVerdict::Unsigned, "not signed".to_string())
    } else if let Some(bad) = sigs.iter().find(|s| {
        !s.reason
            .as_deref()
            .is_some_and(|r| UNCHECKED.contains(&r) || r.starts_with(NOT_SUPPORTED))
    }) {
        let why = bad.reason.clone().unwrap_or_default();
        (TrustVerdict::Invalid, format!("signature does not verify: {why}"))
    } else {
        (
            TrustVerdict::Unverified,
            "signed — not verified (no key or root given)".to_string(),
        )
    };
    Trust {
        verdict,
        summary,
        notes,
    }
}
