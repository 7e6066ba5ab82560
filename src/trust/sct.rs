//! Signed certificate timestamps (RFC 6962 §3.2) embedded in a Fulcio certificate: a
//! certificate transparency log's promise that it logged the certificate. sigstore's verifiers
//! require one from a log of the trusted root, so porthole does too.

use super::key::{Hash, Scheme};
use super::trusted_root::Log;
use super::x509::Cert;
use der::{Decode, Encode, Tagged};

/// The embedded SCT list extension.
pub const SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";
/// SCTs read from one certificate at most.
const MAX_SCTS: usize = 16;

/// A cursor over TLS-encoded bytes.
struct Tls<'a>(&'a [u8]);

impl<'a> Tls<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("the SCT list is cut short".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<usize, String> {
        let b = self.take(2)?;
        Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn vec16(&mut self) -> Result<&'a [u8], String> {
        let n = self.u16()?;
        self.take(n)
    }
}

/// The leaf's TBS certificate re-encoded without the SCT list (what the log signed: the
/// precertificate's TBS).
fn tbs_without_scts(leaf: &Cert) -> Result<Vec<u8>, String> {
    let bad = |e: der::Error| format!("the certificate cannot be re-encoded: {e}");
    let tbs = leaf.tbs_der().map_err(bad)?;
    let mut fields = Vec::<der::Any>::from_der(&tbs).map_err(bad)?;
    let last = fields.last_mut().ok_or("the certificate has no fields")?;
    let extensions_tag = der::Tag::ContextSpecific {
        constructed: true,
        number: der::TagNumber(3),
    };
    if last.tag() != extensions_tag {
        return Err("the certificate has no extensions".into());
    }
    let mut exts = x509_cert::ext::Extensions::from_der(last.value()).map_err(bad)?;
    exts.retain(|e| e.extn_id.to_string() != SCT_LIST);
    *last = der::Any::new(last.tag(), exts.to_der().map_err(bad)?).map_err(bad)?;
    fields.to_der().map_err(bad)
}

/// How many embedded SCTs of `leaf` (issued by `issuer`) verify with a CT log of `logs` at
/// their time; `Err` says why none does.
pub fn verify(leaf: &Cert, issuer: &Cert, logs: &[Log]) -> Result<usize, String> {
    let ext = leaf
        .extension(SCT_LIST)
        .ok_or("the certificate carries no signed certificate timestamp (certificate transparency)")?;
    let list = der::asn1::OctetString::from_der(&ext).map_err(|e| format!("the SCT list cannot be read: {e}"))?;
    let mut outer = Tls(list.as_bytes());
    let mut items = Tls(outer.vec16()?);
    use sha2::Digest as _;
    let issuer_key_hash = sha2::Sha256::digest(issuer.public_key_der());
    let tbs = tbs_without_scts(leaf)?;
    let mut verified = 0;
    let mut why = "no SCT is from a certificate transparency log of the trusted root".to_string();
    let mut n = 0;
    while !items.0.is_empty() && n < MAX_SCTS {
        n += 1;
        let mut sct = Tls(items.vec16()?);
        let version = sct.u8()?;
        let log_id = sct.take(32)?;
        let timestamp = sct.u64()?;
        let extensions = sct.vec16()?;
        let (hash, sig_alg) = (sct.u8()?, sct.u8()?);
        let signature = sct.vec16()?;
        if version != 0 || hash != 4 {
            why = "an SCT of an unsupported version or hash".into();
            continue;
        }
        let scheme = match sig_alg {
            3 => Scheme::EcdsaDer(Hash::Sha256),
            1 => Scheme::RsaPkcs1(Hash::Sha256),
            _ => continue,
        };
        let at = i64::try_from(timestamp / 1000).unwrap_or(i64::MAX);
        let Some(log) = logs.iter().find(|l| l.id == log_id && l.valid_at(at)) else {
            continue;
        };
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&timestamp.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(&issuer_key_hash);
        let len = u32::try_from(tbs.len()).map_err(|_| "the certificate is too large")?;
        signed.extend_from_slice(&len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(&u16::try_from(extensions.len()).unwrap_or(0).to_be_bytes());
        signed.extend_from_slice(extensions);
        match log.key.verify(scheme, &signed, signature) {
            Ok(()) => verified += 1,
            Err(_) => why = "an SCT's signature does not verify with its log's key".into(),
        }
    }
    if verified == 0 {
        return Err(why);
    }
    Ok(verified)
}
