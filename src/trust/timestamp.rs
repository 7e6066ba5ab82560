//! RFC 3161 timestamps, as Sigstore bundles carry them (`timestampVerificationData`): a
//! timestamp authority (TSA) signed that a signature existed at a time. Keyless signatures
//! logged in Rekor v2 have no signed entry timestamp, so this is their only trusted time.
//!
//! What is checked, as sigstore's verifiers do: the response granted a token; the token is
//! CMS SignedData over a TSTInfo; the TSTInfo's message imprint is the hash of this very
//! signature; the signed attributes name the TSTInfo (content type and message digest); the
//! signer (issuer and serial number) is the signing certificate of a TSA in the trusted root,
//! valid at the time it states, whose chain holds at that time and which may stamp time
//! (timeStamping extended key usage); and its signature over the signed attributes verifies.
//! The certificates inside the token are never trusted: only the root's.
//!
//! The DER is walked with the `der` crate's reader (each element's tag and bytes), not decoded
//! into CMS types: the signature covers the signed attributes' exact bytes.

use super::key::{Hash, Scheme};
use super::trusted_root::TrustedRoot;
use super::x509::{self, Usage};
use der::asn1::AnyRef;
use der::{Decode as _, Encode as _, Reader as _, Tag, TagNumber, Tagged as _};
use spki::ObjectIdentifier;

/// id-kp-timeStamping.
pub const TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const CONTENT_TYPE_ATTR: &str = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST_ATTR: &str = "1.2.840.113549.1.9.4";
/// Timestamps one bundle may carry.
pub const MAX_TIMESTAMPS: usize = 8;
/// Largest timestamp response read (real ones are a few KiB).
const MAX_BYTES: usize = 64 * 1024;

/// The elements of a constructed DER value, in order.
fn elements(value: &[u8]) -> Result<Vec<AnyRef<'_>>, String> {
    let mut reader = der::SliceReader::new(value).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(reader.decode::<AnyRef>().map_err(|e| e.to_string())?);
    }
    Ok(out)
}

fn context(n: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(n),
    }
}

fn oid(any: &AnyRef) -> Result<String, String> {
    any.decode_as::<ObjectIdentifier>()
        .map(|o| o.to_string())
        .map_err(|e| format!("an object identifier cannot be read: {e}"))
}

/// The first element of a constructed value with tag `tag`.
fn expect<'a>(items: &[AnyRef<'a>], i: usize, tag: Tag, what: &str) -> Result<AnyRef<'a>, String> {
    match items.get(i) {
        Some(a) if a.tag() == tag => Ok(*a),
        _ => Err(format!("the timestamp's {what} is missing or malformed")),
    }
}

/// A hash algorithm by its OID (SHA-2 only: SHA-1 imprints are refused).
fn hash_of(oid: &str) -> Result<Hash, String> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Ok(Hash::Sha256),
        "2.16.840.1.101.3.4.2.2" => Ok(Hash::Sha384),
        "2.16.840.1.101.3.4.2.3" => Ok(Hash::Sha512),
        other => Err(format!("the timestamp uses hash algorithm {other}, which is not SHA-2")),
    }
}

/// The algorithm OID of an AlgorithmIdentifier.
fn algorithm(any: &AnyRef) -> Result<String, String> {
    let items = elements(any.value())?;
    oid(&expect(&items, 0, Tag::ObjectIdentifier, "algorithm identifier")?)
}

/// What a verified timestamp proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// The time the TSA stated, seconds since the epoch (fractions dropped).
    pub at: i64,
    /// The TSA certificate's subject.
    pub authority: String,
}

/// The parts of a timestamp token porthole checks.
struct Token<'a> {
    tst_info: &'a [u8],
    imprint_hash: Hash,
    imprint: &'a [u8],
    gen_time: i64,
    signer_issuer: Vec<u8>,
    signer_serial: &'a [u8],
    digest_hash: Hash,
    signed_attrs: AnyRef<'a>,
    signature_alg: String,
    signature: &'a [u8],
}

/// Verifies a DER timestamp response (or a bare token) over `signature` against the root's
/// timestamp authorities.
pub fn verify(response: &[u8], signature: &[u8], root: &TrustedRoot) -> Result<Stamped, String> {
    if response.len() > MAX_BYTES {
        return Err(format!("the timestamp is larger than {MAX_BYTES} bytes"));
    }
    let token = parse(response).map_err(|e| format!("the RFC 3161 timestamp cannot be read: {e}"))?;
    // The imprint: this very signature, hashed as the TSTInfo says.
    if token.imprint_hash.digest(signature) != token.imprint {
        return Err("the RFC 3161 timestamp is for another signature (its message imprint differs)".into());
    }
    // The signed attributes must name the TSTInfo.
    let attrs = elements(token.signed_attrs.value())?;
    let mut content_type_ok = false;
    let mut digest_ok = false;
    for attr in &attrs {
        let parts = elements(attr.value())?;
        let kind = oid(&expect(&parts, 0, Tag::ObjectIdentifier, "attribute type")?)?;
        let values = elements(expect(&parts, 1, Tag::Set, "attribute values")?.value())?;
        match kind.as_str() {
            CONTENT_TYPE_ATTR => {
                content_type_ok = values.len() == 1 && oid(&values[0]).is_ok_and(|o| o == TST_INFO);
            }
            MESSAGE_DIGEST_ATTR => {
                digest_ok = values.len() == 1
                    && values[0].tag() == Tag::OctetString
                    && values[0].value() == token.digest_hash.digest(token.tst_info).as_slice();
            }
            _ => {}
        }
    }
    if !content_type_ok {
        return Err("the RFC 3161 timestamp's signed attributes do not name a TSTInfo".into());
    }
    if !digest_ok {
        return Err("the RFC 3161 timestamp's signature is over other content than its TSTInfo".into());
    }
    // What was signed: the signed attributes as a SET (RFC 5652 5.4).
    let signed = AnyRef::new(Tag::Set, token.signed_attrs.value())
        .and_then(|a| a.to_der())
        .map_err(|e| e.to_string())?;
    let scheme = scheme(&token.signature_alg, token.digest_hash)?;
    let at = token.gen_time;
    let mut why = "the trusted root names no timestamp authority".to_string();
    for tsa in &root.timestamp_authorities {
        let Some(leaf) = tsa.chain.first() else { continue };
        if leaf.issuer_der() != token.signer_issuer || unpadded(leaf.serial()) != unpadded(token.signer_serial) {
            why = "the RFC 3161 timestamp is signed by a timestamp authority the trusted root does not name".into();
            continue;
        }
        if !tsa.valid_at(at) {
            why = format!(
                "the timestamp authority {} was not trusted at {}",
                leaf.subject(),
                x509::rfc3339(at)
            );
            continue;
        }
        // Leaf first, root last; a chain of one names no issuer to check the leaf with.
        let Some((anchor, [_, between @ ..])) = tsa.chain.split_last() else {
            why = "the timestamp authority's chain in the trusted root has no root certificate".into();
            continue;
        };
        let usage = Usage {
            eku: Some(TIME_STAMPING),
        };
        if let Err(e) = x509::verify_path(leaf, between, std::slice::from_ref(anchor), at, usage) {
            why = format!("the timestamp authority's certificate does not hold: {e}");
            continue;
        }
        let key = leaf.public_key()?;
        return match key.verify(scheme, &signed, token.signature) {
            Ok(()) => Ok(Stamped {
                at,
                authority: leaf.subject(),
            }),
            Err(_) => Err("the RFC 3161 timestamp's signature does not verify with its authority's key".into()),
        };
    }
    Err(why)
}

/// An unsigned integer's bytes without the leading zeros DER may add.
fn unpadded(b: &[u8]) -> &[u8] {
    let zeros = b.iter().take_while(|&&x| x == 0).count();
    &b[zeros.min(b.len().saturating_sub(1))..]
}

/// The signature scheme a SignerInfo names; RSA and EC key OIDs take the digest algorithm.
fn scheme(alg: &str, digest: Hash) -> Result<Scheme, String> {
    match alg {
        "1.2.840.113549.1.1.1" => Ok(Scheme::RsaPkcs1(digest)),
        "1.2.840.10045.2.1" => Ok(Scheme::EcdsaDer(digest)),
        other => x509::scheme_of(other)
            .ok_or_else(|| format!("the timestamp's signature algorithm {other} is not supported")),
    }
}

fn parse(der: &[u8]) -> Result<Token<'_>, String> {
    let outer = AnyRef::from_der(der).map_err(|e| e.to_string())?;
    let top = elements(expect(&[outer], 0, Tag::Sequence, "response")?.value())?;
    // TimeStampResp { status PKIStatusInfo, timeStampToken } or a bare ContentInfo.
    let content_info = match top.first().map(|a| a.tag()) {
        Some(Tag::Sequence) => {
            let status = elements(top[0].value())?;
            let code = expect(&status, 0, Tag::Integer, "status")?.value();
            // granted (0) or grantedWithMods (1).
            if !matches!(code, [0] | [1]) {
                return Err("the timestamp authority did not grant a timestamp".into());
            }
            elements(expect(&top, 1, Tag::Sequence, "token")?.value())?
        }
        _ => top,
    };
    if oid(&expect(&content_info, 0, Tag::ObjectIdentifier, "content type")?)? != SIGNED_DATA {
        return Err("the token is not CMS SignedData".into());
    }
    let wrapped = elements(expect(&content_info, 1, context(0, true), "signed data")?.value())?;
    let signed_data = elements(expect(&wrapped, 0, Tag::Sequence, "signed data")?.value())?;
    // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos.
    let encap = elements(expect(&signed_data, 2, Tag::Sequence, "encapsulated content")?.value())?;
    if oid(&expect(&encap, 0, Tag::ObjectIdentifier, "encapsulated content type")?)? != TST_INFO {
        return Err("the token does not hold a TSTInfo".into());
    }
    let e_content = elements(expect(&encap, 1, context(0, true), "TSTInfo")?.value())?;
    let tst_info = expect(&e_content, 0, Tag::OctetString, "TSTInfo")?.value();
    let signer_infos = signed_data.last().ok_or("the signed data is empty")?;
    if signer_infos.tag() != Tag::Set {
        return Err("the timestamp's signer infos are malformed".into());
    }
    let signers = elements(signer_infos.value())?;
    if signers.len() != 1 {
        return Err(format!("the token has {} signers, not one", signers.len()));
    }
    let si = elements(expect(&signers, 0, Tag::Sequence, "signer info")?.value())?;
    // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature.
    let sid = elements(
        si.get(1)
            .filter(|a| a.tag() == Tag::Sequence)
            .ok_or("the timestamp names its signer by key identifier, which porthole does not match")?
            .value(),
    )?;
    let issuer = expect(&sid, 0, Tag::Sequence, "signer's issuer")?;
    let serial = expect(&sid, 1, Tag::Integer, "signer's serial number")?;
    let digest_hash = hash_of(&algorithm(&expect(&si, 2, Tag::Sequence, "digest algorithm")?)?)?;
    let signed_attrs = expect(&si, 3, context(0, true), "signed attributes")?;
    let signature_alg = algorithm(&expect(&si, 4, Tag::Sequence, "signature algorithm")?)?;
    let signature = expect(&si, 5, Tag::OctetString, "signature")?.value();

    // TSTInfo { version, policy, messageImprint, serialNumber, genTime, … }.
    let info = elements(
        expect(
            &[AnyRef::from_der(tst_info).map_err(|e| e.to_string())?],
            0,
            Tag::Sequence,
            "TSTInfo",
        )?
        .value(),
    )?;
    let imprint = elements(expect(&info, 2, Tag::Sequence, "message imprint")?.value())?;
    let imprint_hash = hash_of(&algorithm(&expect(&imprint, 0, Tag::Sequence, "imprint algorithm")?)?)?;
    let imprint_value = expect(&imprint, 1, Tag::OctetString, "imprint")?.value();
    let gen_time = generalized_time(expect(&info, 4, Tag::GeneralizedTime, "time")?.value())
        .ok_or("the timestamp's time cannot be read")?;
    Ok(Token {
        tst_info,
        imprint_hash,
        imprint: imprint_value,
        gen_time,
        signer_issuer: issuer.to_der().map_err(|e| e.to_string())?,
        signer_serial: serial.value(),
        digest_hash,
        signed_attrs,
        signature_alg,
        signature,
    })
}

/// `YYYYMMDDHHMMSS[.fff]Z` (RFC 3161 allows fractions of a second) to seconds.
fn generalized_time(text: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(text).ok()?;
    let (whole, rest) = (s.get(..14)?, s.get(14..)?);
    let rest = match rest.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    if rest != "Z" || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    x509::parse_rfc3339(&format!(
        "{}-{}-{}T{}:{}:{}Z",
        &whole[..4],
        &whole[4..6],
        &whole[6..8],
        &whole[8..10],
        &whole[10..12],
        &whole[12..14]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times_with_and_without_fractions() {
        assert_eq!(
            generalized_time(b"20260102030405Z"),
            x509::parse_rfc3339("2026-01-02T03:04:05Z")
        );
        assert_eq!(
            generalized_time(b"20260102030405.123Z"),
            x509::parse_rfc3339("2026-01-02T03:04:05Z")
        );
        assert_eq!(generalized_time(b"20260102030405"), None);
        assert_eq!(generalized_time(b"2026010203040Z"), None);
        assert_eq!(generalized_time(b"20260102030405+0100"), None);
    }

    #[test]
    fn malformed_responses_are_errors_not_panics() {
        let root = TrustedRoot::default();
        for bad in [
            &b""[..],
            b"\x30",
            b"\x30\x00",
            b"\x30\x03\x30\x01\x02",
            b"\x30\x05\x30\x03\x02\x01\x02",
        ] {
            assert!(verify(bad, b"sig", &root).is_err(), "{bad:?}");
        }
    }
}
