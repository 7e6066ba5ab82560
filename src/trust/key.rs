//! Public keys the user trusts, and signature checks with them. Every primitive is a kept
//! RustCrypto crate (`p256`, `p384`, `ecdsa`, `rsa`, `ed25519-dalek`, `spki`); this module
//! only chooses which one a key and an algorithm call for.

use crate::digest::Digest;
use sha2::Digest as _;
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;
use spki::{DecodePublicKey, SubjectPublicKeyInfoRef};

const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const P256_CURVE: &str = "1.2.840.10045.3.1.7";
const P384_CURVE: &str = "1.3.132.0.34";
const P521_CURVE: &str = "1.3.132.0.35";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const ED25519: &str = "1.3.101.112";

/// A hash a signature was made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The hash of `msg`.
    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(msg).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(msg).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(msg).to_vec(),
        }
    }
}

/// How a signature is encoded and over which hash: what a format (cosign, JWS, X.509) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// ECDSA, ASN.1 DER `(r, s)` (cosign, X.509, DSSE).
    EcdsaDer(Hash),
    /// ECDSA, fixed-size `r || s` (JWS `ES256`/`ES384`).
    EcdsaFixed(Hash),
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(Hash),
    /// RSASSA-PSS with a salt as long as the hash (JWS `PS256`…).
    RsaPss(Hash),
    /// Ed25519 over the message itself.
    Ed25519,
}

/// A public key of a kind porthole verifies with.
#[derive(Clone)]
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Rsa(rsa::PublicKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

impl PublicKey {
    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, String> {
        let info = SubjectPublicKeyInfoRef::try_from(der).map_err(|e| format!("not a public key: {e}"))?;
        let alg = info.algorithm.oid.to_string();
        let bad = |e: spki::Error| format!("the key cannot be read: {e}");
        match alg.as_str() {
            EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|e| format!("the EC key names no curve: {e}"))?
                    .to_string();
                match curve.as_str() {
                    P256_CURVE => p256::ecdsa::VerifyingKey::from_public_key_der(der)
                        .map(PublicKey::P256)
                        .map_err(bad),
                    P384_CURVE => p384::ecdsa::VerifyingKey::from_public_key_der(der)
                        .map(PublicKey::P384)
                        .map_err(bad),
                    P521_CURVE => p521::ecdsa::VerifyingKey::from_public_key_der(der)
                        .map(PublicKey::P521)
                        .map_err(bad),
                    other => Err(format!(
                        "EC keys on curve {other} are not supported (P-256, P-384 and P-521 are)"
                    )),
                }
            }
            RSA_ENCRYPTION => rsa::PublicKey::from_public_key_der(der)
                .map(PublicKey::Rsa)
                .map_err(bad),
            ED25519 => ed25519_dalek::VerifyingKey::from_public_key_der(der)
                .map(PublicKey::Ed25519)
                .map_err(bad),
            other => Err(format!(
                "keys of algorithm {other} are not supported (ECDSA P-256/P-384/P-521, RSA and Ed25519 are)"
            )),
        }
    }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) block, the form `cosign
    /// generate-key-pair` and `openssl pkey -pubout` write.
    pub fn from_pem(text: &str) -> Result<PublicKey, String> {
        let (label, der) = pem_block(text)?;
        if label != "PUBLIC KEY" {
            return Err(format!(
                "the PEM block is a {label:?}, not a \"PUBLIC KEY\" (give the public key, e.g. cosign.pub)"
            ));
        }
        Self::from_spki_der(&der)
    }

    /// `ECDSA P-256`, `RSA`, …
    pub fn kind(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "ECDSA P-256",
            PublicKey::P384(_) => "ECDSA P-384",
            PublicKey::P521(_) => "ECDSA P-521",
            PublicKey::Rsa(_) => "RSA",
            PublicKey::Ed25519(_) => "Ed25519",
        }
    }

    /// Checks `sig` over `msg` with this key under `scheme`; `Err` says why not in words.
    pub fn verify(&self, scheme: Scheme, msg: &[u8], sig: &[u8]) -> Result<(), String> {
        let mismatch = || format!("a {} key cannot check a {scheme:?} signature", self.kind());
        let invalid = |_| "the signature does not verify with this key".to_string();
        match (self, scheme) {
            (PublicKey::P256(k), Scheme::EcdsaDer(h)) => {
                let s = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::P256(k), Scheme::EcdsaFixed(h)) => {
                let s =
                    p256::ecdsa::Signature::from_slice(sig).map_err(|e| format!("the signature is not r||s: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::P384(k), Scheme::EcdsaDer(h)) => {
                let s = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::P384(k), Scheme::EcdsaFixed(h)) => {
                let s =
                    p384::ecdsa::Signature::from_slice(sig).map_err(|e| format!("the signature is not r||s: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::P521(k), Scheme::EcdsaDer(h)) => {
                let s = p521::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::P521(k), Scheme::EcdsaFixed(h)) => {
                let s =
                    p521::ecdsa::Signature::from_slice(sig).map_err(|e| format!("the signature is not r||s: {e}"))?;
                k.verify_prehash(&h.digest(msg), &s).map_err(invalid)
            }
            (PublicKey::Rsa(k), Scheme::RsaPkcs1(h)) => {
                let s = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|e| format!("the RSA signature cannot be read: {e}"))?;
                match h {
                    Hash::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone()).verify(msg, &s),
                    Hash::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(k.clone()).verify(msg, &s),
                    Hash::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(k.clone()).verify(msg, &s),
                }
                .map_err(invalid)
            }
            (PublicKey::Rsa(k), Scheme::RsaPss(h)) => {
                let s =
                    rsa::pss::Signature::try_from(sig).map_err(|e| format!("the RSA signature cannot be read: {e}"))?;
                match h {
                    Hash::Sha256 => rsa::pss::VerifyingKey::<sha2::Sha256>::new(k.clone()).verify(msg, &s),
                    Hash::Sha384 => rsa::pss::VerifyingKey::<sha2::Sha384>::new(k.clone()).verify(msg, &s),
                    Hash::Sha512 => rsa::pss::VerifyingKey::<sha2::Sha512>::new(k.clone()).verify(msg, &s),
                }
                .map_err(invalid)
            }
            (PublicKey::Ed25519(k), Scheme::Ed25519) => {
                let s = ed25519_dalek::Signature::from_slice(sig)
                    .map_err(|e| format!("the signature is not Ed25519: {e}"))?;
                k.verify(msg, &s).map_err(invalid)
            }
            _ => Err(mismatch()),
        }
    }

    /// Checks `sig` over a message known only by its SHA-256 `digest` (a Sigstore bundle's
    /// messageSignature): ECDSA (DER) and RSA PKCS#1 v1.5 sign digests; Ed25519 cannot.
    pub fn verify_sha256_digest(&self, digest: &[u8], sig: &[u8]) -> Result<(), String> {
        use signature::hazmat::PrehashVerifier;
        let invalid = |_| "the signature does not verify with this key".to_string();
        match self {
            PublicKey::P256(k) => {
                let s = p256::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(digest, &s).map_err(invalid)
            }
            PublicKey::P384(k) => {
                let s = p384::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(digest, &s).map_err(invalid)
            }
            PublicKey::P521(k) => {
                let s = p521::ecdsa::Signature::from_der(sig)
                    .map_err(|e| format!("the signature is not DER ECDSA: {e}"))?;
                k.verify_prehash(digest, &s).map_err(invalid)
            }
            PublicKey::Rsa(k) => {
                let s = rsa::pkcs1v15::Signature::try_from(sig)
                    .map_err(|e| format!("the RSA signature cannot be read: {e}"))?;
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(k.clone())
                    .verify_prehash(digest, &s)
                    .map_err(invalid)
            }
            PublicKey::Ed25519(_) => Err("an Ed25519 key signs messages, not digests".into()),
        }
    }

    /// The scheme cosign signs with for this kind of key. cosign hashes with SHA-256 for
    /// every key; sigstore's newer defaults hash P-384 with SHA-384, so both are accepted there.
    pub fn cosign_schemes(&self) -> &'static [Scheme] {
        match self {
            PublicKey::P256(_) => &[Scheme::EcdsaDer(Hash::Sha256)],
            PublicKey::P384(_) => &[Scheme::EcdsaDer(Hash::Sha256), Scheme::EcdsaDer(Hash::Sha384)],
            PublicKey::P521(_) => &[Scheme::EcdsaDer(Hash::Sha256), Scheme::EcdsaDer(Hash::Sha512)],
            PublicKey::Rsa(_) => &[Scheme::RsaPkcs1(Hash::Sha256)],
            PublicKey::Ed25519(_) => &[Scheme::Ed25519],
        }
    }

    /// Verifies a cosign signature (any of [`Self::cosign_schemes`]).
    pub fn verify_cosign(&self, msg: &[u8], sig: &[u8]) -> Result<(), String> {
        let mut why = String::new();
        for s in self.cosign_schemes() {
            match self.verify(*s, msg, sig) {
                Ok(()) => return Ok(()),
                Err(e) => why = e,
            }
        }
        Err(why)
    }
}

/// A key the user gave, with the names the report shows for it.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// Where it came from (the file's base name, or `pasted key 1`).
    pub name: String,
    /// `SHA256:<hex>` of the DER SubjectPublicKeyInfo.
    pub fingerprint: String,
    pub key: PublicKey,
    /// The DER SubjectPublicKeyInfo.
    pub der: Vec<u8>,
}

impl TrustedKey {
    /// Reads a PEM public key; `name` says where it came from.
    pub fn from_pem(name: &str, text: &str) -> Result<TrustedKey, String> {
        let (_, der) = pem_block(text)?;
        let key = PublicKey::from_pem(text).map_err(|e| format!("{name}: {e}"))?;
        Ok(TrustedKey {
            name: name.to_string(),
            fingerprint: fingerprint(&der),
            key,
            der,
        })
    }
}

/// `SHA256:<hex>` of a DER public key.
pub fn fingerprint(spki_der: &[u8]) -> String {
    format!("SHA256:{}", Digest::of(spki_der).hex())
}

/// The first PEM block of `text`: its label and its bytes.
pub fn pem_block(text: &str) -> Result<(String, Vec<u8>), String> {
    pem_blocks(text)?
        .into_iter()
        .next()
        .ok_or_else(|| "no PEM block (-----BEGIN …-----) found".to_string())
}

/// Every PEM block of `text`, in order (a certificate chain is several).
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let label_end = after.find("-----").ok_or("a PEM BEGIN line is not closed")?;
        let label = after[..label_end].to_string();
        let body_start = label_end + 5;
        let end_marker = format!("-----END {label}-----");
        let body_end = after[body_start..]
            .find(&end_marker)
            .ok_or_else(|| format!("the PEM block {label:?} has no END line"))?;
        let body: String = after[body_start..body_start + body_end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|e| format!("the PEM block {label:?} is not base64: {e}"))?;
        out.push((label, der));
        rest = &after[body_start + body_end + end_marker.len()..];
        if out.len() > 64 {
            return Err("more than 64 PEM blocks".into());
        }
    }
    Ok(out)
}
