//! X.509 certificates and certificate paths, on RustCrypto's `x509-cert` parser: the chain from
//! a signing certificate through intermediates to a root the user trusts, each signature checked
//! with [`super::key`], each certificate valid at the time that counts, CA certificates marked
//! as such (basicConstraints, path length, keyCertSign), and the signing certificate allowed to
//! sign code (digitalSignature; the code-signing extended key usage where one is required).
//! The cases are cross-checked against `openssl verify` (`tests/trust.rs`).

use super::key::{Hash, PublicKey, Scheme};
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

/// id-kp-codeSigning.
pub const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
/// Longest path searched (certificates from the signer to a root).
const MAX_DEPTH: usize = 8;
/// Certificates one input may carry into a search.
const MAX_CERTIFICATES: usize = 64;

/// A parsed certificate, with its DER.
#[derive(Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    cert: x509_cert::Certificate,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cert({})", self.subject())
    }
}

impl Cert {
    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Cert, String> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
        Ok(Cert {
            der: der.to_vec(),
            cert,
        })
    }

    /// Reads every `CERTIFICATE` block of a PEM text.
    pub fn from_pem_chain(text: &str) -> Result<Vec<Cert>, String> {
        let blocks = super::key::pem_blocks(text)?;
        let certs: Vec<Cert> = blocks
            .iter()
            .filter(|(label, _)| label == "CERTIFICATE")
            .map(|(_, der)| Cert::from_der(der))
            .collect::<Result<_, _>>()?;
        if certs.is_empty() {
            return Err("no PEM CERTIFICATE block found".into());
        }
        Ok(certs)
    }

    fn tbs(&self) -> &x509_cert::TbsCertificate {
        self.cert.tbs_certificate()
    }

    /// The subject, as RFC 4514 text.
    pub fn subject(&self) -> String {
        self.tbs().subject().to_string()
    }

    /// How messages name the certificate: its subject, else its first SAN (Fulcio's have no
    /// subject).
    pub fn name(&self) -> String {
        let subject = self.subject();
        if !subject.is_empty() {
            return subject;
        }
        self.subject_alt_names().into_iter().next().map_or_else(
            || "a certificate without a subject".into(),
            |san| format!("the certificate of {san}"),
        )
    }

    /// `notBefore` and `notAfter`, in seconds since the epoch.
    pub fn validity(&self) -> (i64, i64) {
        let v = self.tbs().validity();
        let secs = |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        (secs(v.not_before), secs(v.not_after))
    }

    /// The certified public key.
    pub fn public_key(&self) -> Result<PublicKey, String> {
        let spki = self
            .tbs()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| format!("the certificate's key cannot be read: {e}"))?;
        PublicKey::from_spki_der(&spki)
    }

    /// The DER of the certified public key (for fingerprints and comparisons).
    pub fn public_key_der(&self) -> Vec<u8> {
        self.tbs().subject_public_key_info().to_der().unwrap_or_default()
    }

    /// The subject alternative names: e-mail addresses, URIs, DNS names (as text).
    pub fn subject_alt_names(&self) -> Vec<String> {
        let Ok(Some((_, san))) = self.tbs().get_extension::<SubjectAltName>() else {
            return Vec::new();
        };
        san.0
            .iter()
            .filter_map(|n| match n {
                GeneralName::Rfc822Name(s) | GeneralName::DnsName(s) | GeneralName::UniformResourceIdentifier(s) => {
                    Some(s.to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// The value of a non-standard extension (e.g. Fulcio's OIDC issuer), raw.
    pub fn extension(&self, oid: &str) -> Option<Vec<u8>> {
        self.tbs()
            .extensions()?
            .iter()
            .find(|e| e.extn_id.to_string() == oid)
            .map(|e| e.extn_value.as_bytes().to_vec())
    }

    /// The DER of the TBS certificate (what the issuer signed).
    pub fn tbs_der(&self) -> der::Result<Vec<u8>> {
        self.tbs().to_der()
    }

    /// The scheme the certificate's own signature uses.
    fn signature_scheme(&self) -> Result<Scheme, String> {
        let alg = self.cert.signature_algorithm();
        match alg.oid.to_string().as_str() {
            "1.2.840.113549.1.1.10" => Ok(Scheme::RsaPss(pss_hash(alg)?)),
            other => {
                scheme_of(other).ok_or_else(|| format!("certificate signature algorithm {other} is not supported"))
            }
        }
    }

    /// The DER of the issuer's name.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.tbs().issuer().to_der().unwrap_or_default()
    }

    /// The serial number's bytes (as its DER INTEGER holds them).
    pub fn serial(&self) -> &[u8] {
        self.tbs().serial_number().as_bytes()
    }

    /// Whether `issuer` signed this certificate (names chain and the signature verifies).
    fn signed_by(&self, issuer: &Cert) -> Result<(), String> {
        if self.tbs().issuer() != issuer.tbs().subject() {
            return Err("the issuer's name differs".into());
        }
        let tbs = self
            .tbs()
            .to_der()
            .map_err(|e| format!("the certificate cannot be encoded: {e}"))?;
        let sig = self
            .cert
            .signature()
            .as_bytes()
            .ok_or("the certificate's signature is not whole bytes")?;
        issuer.public_key()?.verify(self.signature_scheme()?, &tbs, sig)
    }

    fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.tbs()
            .get_extension::<BasicConstraints>()
            .ok()
            .flatten()
            .map(|(_, b)| b)
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.tbs().get_extension::<KeyUsage>().ok().flatten().map(|(_, k)| k)
    }

    /// The extended key usages, if the extension is present.
    fn extended_key_usage(&self) -> Option<Vec<String>> {
        self.tbs()
            .get_extension::<ExtendedKeyUsage>()
            .ok()
            .flatten()
            .map(|(_, e)| e.0.iter().map(|o| o.to_string()).collect())
    }

    /// A certificate that may issue others: basicConstraints CA, and keyCertSign if a key usage
    /// is given.
    fn may_issue(&self) -> Result<(), String> {
        if !self.basic_constraints().is_some_and(|b| b.ca) {
            return Err(format!("{} is not a CA certificate (basicConstraints)", self.name()));
        }
        if self.key_usage().is_some_and(|k| !k.key_cert_sign()) {
            return Err(format!("{} may not sign certificates (keyUsage)", self.name()));
        }
        Ok(())
    }

    fn valid_at(&self, at: i64) -> Result<(), String> {
        let (from, to) = self.validity();
        if at < from {
            return Err(format!("{} is not valid yet (from {})", self.name(), rfc3339(from)));
        }
        if at > to {
            return Err(format!("{} expired on {}", self.name(), rfc3339(to)));
        }
        Ok(())
    }
}

/// The scheme a signature algorithm OID names (RSASSA-PSS, which has parameters, aside).
pub fn scheme_of(oid: &str) -> Option<Scheme> {
    Some(match oid {
        "1.2.840.10045.4.3.2" => Scheme::EcdsaDer(Hash::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::EcdsaDer(Hash::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::EcdsaDer(Hash::Sha512),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(Hash::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(Hash::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(Hash::Sha512),
        "1.3.101.112" => Scheme::Ed25519,
        _ => return None,
    })
}

/// The hash of an RSASSA-PSS AlgorithmIdentifier (RFC 4055 parameters; SHA-1 is refused).
fn pss_hash(alg: &spki::AlgorithmIdentifierOwned) -> Result<Hash, String> {
    let params = alg.parameters.as_ref().ok_or("RSA-PSS without parameters")?;
    let der = params.to_der().map_err(|e| e.to_string())?;
    // The hash OID appears first in the parameters; SHA-256/384/512 are 2.16.840.1.101.3.4.2.1/2/3.
    for (oid, h) in [
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01], Hash::Sha256),
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02], Hash::Sha384),
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03], Hash::Sha512),
    ] {
        if der.windows(oid.len()).position(|w| w == oid).is_some() {
            return Ok(h);
        }
    }
    Err("RSA-PSS with a hash other than SHA-256/384/512".into())
}

/// What the signing certificate must be allowed to do.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// The extended key usage that must be listed (`None`: any, or none at all).
    pub eku: Option<&'static str>,
}

/// Finds a path from `leaf` through `intermediates` to one of `roots`, every certificate valid
/// at `at` (seconds since the epoch). Returns the path (leaf first, root last) or why none
/// exists, in words.
pub fn verify_path(
    leaf: &Cert,
    intermediates: &[Cert],
    roots: &[Cert],
    at: i64,
    usage: Usage,
) -> Result<Vec<Cert>, String> {
    if roots.is_empty() {
        return Err("no trusted root certificate was given".into());
    }
    if intermediates.len() + roots.len() > MAX_CERTIFICATES {
        return Err(format!("more than {MAX_CERTIFICATES} certificates to search"));
    }
    leaf.valid_at(at)?;
    if leaf.basic_constraints().is_some_and(|b| b.ca) {
        return Err(format!(
            "{} is a CA certificate, not a signing certificate",
            leaf.name()
        ));
    }
    if leaf.key_usage().is_some_and(|k| !k.digital_signature()) {
        return Err(format!(
            "{} may not make signatures (keyUsage lacks digitalSignature)",
            leaf.name()
        ));
    }
    if let Some(want) = usage.eku {
        match leaf.extended_key_usage() {
            Some(ekus) if ekus.iter().any(|e| e == want) => {}
            Some(_) => {
                return Err(format!(
                    "{} is not for {} (extended key usage)",
                    leaf.name(),
                    purpose(want)
                ));
            }
            None => {
                return Err(format!(
                    "{} names no extended key usage ({} is required)",
                    leaf.name(),
                    purpose(want)
                ));
            }
        }
    }
    reject_unknown_critical(leaf)?;
    let mut search = Search {
        intermediates,
        roots,
        at,
        why: String::from("no certificate given issued it"),
        checks: 0,
    };
    let mut path = vec![leaf.clone()];
    if search.extend(&mut path) {
        Ok(path)
    } else {
        Err(format!(
            "{} does not chain to a trusted root: {}",
            leaf.name(),
            search.why
        ))
    }
}

/// An extended key usage in words.
fn purpose(eku: &str) -> &str {
    match eku {
        CODE_SIGNING => "code signing",
        super::timestamp::TIME_STAMPING => "time stamping",
        other => other,
    }
}

/// Signature checks one path search makes at most: certificates that sign each other in
/// every order cannot make it take long.
const MAX_CHECKS: usize = 256;

/// Extensions porthole understands when they are marked critical.
const KNOWN_CRITICAL: &[&str] = &[
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.32", // certificatePolicies (no policy is required)
    "2.5.29.37", // extKeyUsage
];

/// A certificate with a critical extension porthole does not process (name constraints, policy
/// constraints, …) is refused, as RFC 5280 asks.
fn reject_unknown_critical(c: &Cert) -> Result<(), String> {
    let unknown = c
        .tbs()
        .extensions()
        .into_iter()
        .flatten()
        .find(|e| e.critical && !KNOWN_CRITICAL.contains(&e.extn_id.to_string().as_str()));
    match unknown {
        Some(e) => Err(format!(
            "{} has a critical extension porthole does not process ({})",
            c.name(),
            e.extn_id
        )),
        None => Ok(()),
    }
}

/// One path search: what it may use, why it failed so far, and its budget.
struct Search<'a> {
    intermediates: &'a [Cert],
    roots: &'a [Cert],
    at: i64,
    why: String,
    checks: usize,
}

impl Search<'_> {
    /// Whether `issuer` issued `last` (counting the check against the budget).
    fn issued(&mut self, last: &Cert, issuer: &Cert, below: usize) -> Result<(), String> {
        if last.tbs().issuer() != issuer.tbs().subject() {
            return Err(String::new());
        }
        self.checks += 1;
        last.signed_by(issuer)
            .and_then(|_| issuer_ok(issuer, below, self.at))
            .and_then(|_| reject_unknown_critical(issuer))
    }

    /// Depth-first: extends `path` (whose last certificate needs an issuer) to a root.
    fn extend(&mut self, path: &mut Vec<Cert>) -> bool {
        let Some(last) = path.last().cloned() else { return false };
        // Certificates below the one being issued (not counting the leaf) bound the path length.
        let below = path.len().saturating_sub(1);
        for root in self.roots {
            match self.issued(&last, root, below) {
                Ok(()) => {
                    path.push(root.clone());
                    return true;
                }
                Err(e) if !e.is_empty() => self.why = e,
                Err(_) => {}
            }
        }
        if path.len() >= MAX_DEPTH {
            self.why = format!("the path is longer than {MAX_DEPTH} certificates");
            return false;
        }
        for c in self.intermediates {
            if self.checks >= MAX_CHECKS {
                self.why = format!("no path found within {MAX_CHECKS} signature checks");
                return false;
            }
            // A certificate already on the path, or another with its name and key, is no way up.
            if path.iter().any(|p| {
                p.der == c.der || (p.tbs().subject() == c.tbs().subject() && p.public_key_der() == c.public_key_der())
            }) {
                continue;
            }
            match self.issued(&last, c, below) {
                Ok(()) => {
                    path.push(c.clone());
                    if self.extend(path) {
                        return true;
                    }
                    path.pop();
                }
                Err(e) if !e.is_empty() => self.why = e,
                Err(_) => {}
            }
        }
        false
    }
}

fn issuer_ok(issuer: &Cert, below: usize, at: i64) -> Result<(), String> {
    issuer.may_issue()?;
    issuer.valid_at(at)?;
    if let Some(limit) = issuer.basic_constraints().and_then(|b| b.path_len_constraint)
        && below > usize::from(limit)
    {
        return Err(format!(
            "{} allows {limit} intermediate certificates below it",
            issuer.name()
        ));
    }
    Ok(())
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (times before 1970 shown as 1970).
pub fn rfc3339(secs: i64) -> String {
    crate::report::sbom::rfc3339(u64::try_from(secs).unwrap_or(0))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to seconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        let field = s.get(r)?;
        field
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| field.parse::<i64>().ok())?
    };
    let (y, mo, d, h, mi, se) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits = |f: Option<&str>| f.filter(|f| f.bytes().all(|b| b.is_ascii_digit()))?.parse::<i64>().ok();
            let oh = digits(rest.get(1..3))?;
            let om = digits(rest.get(4..6))?;
            sign * (oh * 3600 + om * 60)
        }
    };
    let (y2, m2) = if mo <= 2 { (y - 1, mo + 9) } else { (y, mo - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_round_trip() {
        for (s, secs) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-12-02T03:14:50Z", 1_796_181_290),
            ("2000-02-29T12:00:00Z", 951_825_600),
        ] {
            assert_eq!(super::parse_rfc3339(s), Some(secs), "{s}");
            assert_eq!(super::rfc3339(secs), s);
        }
        assert_eq!(
            super::parse_rfc3339("2022-08-24T22:31:51.123+02:00"),
            super::parse_rfc3339("2022-08-24T20:31:51Z")
        );
        assert_eq!(super::parse_rfc3339("2022-13-01T00:00:00Z"), None);
        assert_eq!(super::parse_rfc3339("yesterday"), None);
    }
}
