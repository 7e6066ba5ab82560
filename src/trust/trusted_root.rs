//! Sigstore's trusted root (`trusted_root.json`, media type
//! `application/vnd.dev.sigstore.trustedroot+json;version=0.1`): the certificate authorities
//! (Fulcio) keyless certificates chain to, and the transparency logs (Rekor) whose keys sign
//! entries and checkpoints, each with the time it was valid for.

use super::key::PublicKey;
use super::x509::{Cert, parse_rfc3339};
use serde::Deserialize;

/// A transparency log the user trusts.
#[derive(Debug, Clone)]
pub struct Log {
    /// The log's id: sha256 of its DER public key (Rekor v1), or of its origin and key (Rekor
    /// v2, the same as its checkpoint key id).
    pub id: Vec<u8>,
    /// The id whose first four bytes hint at this log's checkpoint signatures
    /// (`checkpointKeyId`, else the log id).
    pub checkpoint_id: Vec<u8>,
    pub key: PublicKey,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

/// A certificate authority: its chain (issuing certificate first, root last).
#[derive(Debug, Clone)]
pub struct Authority {
    pub chain: Vec<Cert>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

/// The trusted root.
#[derive(Debug, Clone, Default)]
pub struct TrustedRoot {
    pub logs: Vec<Log>,
    /// Certificate transparency logs (their SCTs in Fulcio certificates).
    pub ct_logs: Vec<Log>,
    pub authorities: Vec<Authority>,
    /// Timestamp authorities (RFC 3161), signing certificate first.
    pub timestamp_authorities: Vec<Authority>,
    /// Where it came from (the file's name).
    pub name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    ctlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawAuthority>,
    #[serde(default)]
    timestamp_authorities: Vec<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    public_key: RawKey,
    #[serde(default)]
    log_id: Option<RawLogId>,
    #[serde(default)]
    checkpoint_key_id: Option<RawLogId>,
}

/// A log id as the JSON carries it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawLogId {
    pub key_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawKey {
    raw_bytes: String,
    #[serde(default)]
    valid_for: Option<Validity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthority {
    cert_chain: RawChain,
    #[serde(default)]
    valid_for: Option<Validity>,
}

#[derive(Deserialize)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawBytes>,
}

/// Bytes as the JSON carries them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawBytes {
    pub raw_bytes: String,
}

#[derive(Deserialize)]
struct Validity {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
}

/// A validity window; a time that cannot be read fails (an unreadable end must not mean
/// "no end").
fn times(v: &Option<Validity>) -> Result<(Option<i64>, Option<i64>), String> {
    let parse = |t: &Option<String>| match t.as_deref() {
        None => Ok(None),
        Some(t) => parse_rfc3339(t)
            .map(Some)
            .ok_or_else(|| format!("the time {t:?} cannot be read")),
    };
    match v {
        Some(v) => Ok((parse(&v.start)?, parse(&v.end)?)),
        None => Ok((None, None)),
    }
}

impl TrustedRoot {
    /// Reads a `trusted_root.json`; `name` says where it came from.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<TrustedRoot, String> {
        let raw: Raw =
            serde_json::from_slice(bytes).map_err(|e| format!("{name} is not a Sigstore trusted root: {e}"))?;
        let b64 = |s: &str| super::intoto::decode_base64(s).map_err(|e| format!("{name}: not base64: {e}"));
        let mut root = TrustedRoot {
            name: name.to_string(),
            ..Default::default()
        };
        let logs = raw.tlogs.into_iter().map(|l| (false, l));
        let ct = raw.ctlogs.into_iter().map(|l| (true, l));
        for (is_ct, l) in logs.chain(ct) {
            let der = b64(&l.public_key.raw_bytes)?;
            let key = match PublicKey::from_spki_der(&der) {
                Ok(k) => k,
                // A log of a kind of key porthole cannot use is skipped, not fatal.
                Err(_) => continue,
            };
            let id = match &l.log_id {
                Some(id) => b64(&id.key_id)?,
                None => {
                    use sha2::Digest as _;
                    sha2::Sha256::digest(&der).to_vec()
                }
            };
            let checkpoint_id = match &l.checkpoint_key_id {
                Some(k) => b64(&k.key_id)?,
                None => id.clone(),
            };
            let (valid_from, valid_until) = times(&l.public_key.valid_for).map_err(|e| format!("{name}: {e}"))?;
            let log = Log {
                id,
                checkpoint_id,
                key,
                valid_from,
                valid_until,
            };
            if is_ct {
                root.ct_logs.push(log);
            } else {
                root.logs.push(log);
            }
        }
        for (is_tsa, a) in raw
            .certificate_authorities
            .into_iter()
            .map(|a| (false, a))
            .chain(raw.timestamp_authorities.into_iter().map(|a| (true, a)))
        {
            let chain = a
                .cert_chain
                .certificates
                .iter()
                .map(|c| b64(&c.raw_bytes).and_then(|der| Cert::from_der(&der)))
                .collect::<Result<Vec<_>, _>>()?;
            if chain.is_empty() {
                continue;
            }
            let (valid_from, valid_until) = times(&a.valid_for).map_err(|e| format!("{name}: {e}"))?;
            let authority = Authority {
                chain,
                valid_from,
                valid_until,
            };
            if is_tsa {
                root.timestamp_authorities.push(authority);
            } else {
                root.authorities.push(authority);
            }
        }
        if root.logs.is_empty() && root.authorities.is_empty() {
            return Err(format!("{name} names no transparency log and no certificate authority"));
        }
        Ok(root)
    }

    /// The log with this id (its log id or checkpoint key id).
    pub fn log(&self, id: &[u8]) -> Option<&Log> {
        self.logs.iter().find(|l| l.id == id || l.checkpoint_id == id)
    }
}

fn within(from: Option<i64>, until: Option<i64>, at: i64) -> bool {
    from.is_none_or(|f| at >= f) && until.is_none_or(|u| at <= u)
}

impl Log {
    /// Whether the log's key was valid at `at`.
    pub fn valid_at(&self, at: i64) -> bool {
        within(self.valid_from, self.valid_until, at)
    }
}

impl Authority {
    /// Whether the authority was trusted at `at`.
    pub fn valid_at(&self, at: i64) -> bool {
        within(self.valid_from, self.valid_until, at)
    }
}
