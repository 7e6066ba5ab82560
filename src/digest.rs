//! Digests (`sha256:<hex>`) and hashing while reading.

use crate::error::{Error, Result};
use sha2::{Digest as _, Sha256};
use std::fmt;

/// A validated `algorithm:hex` digest. Only sha256 can be computed; other algorithms parse
/// but their checks are `not_checkable`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Digest(String);

impl Digest {
    /// Parses `sha256:<64 lowercase hex>` (or `sha512:<128 hex>`), per the OCI image spec's
    /// digest grammar restricted to registered algorithms.
    pub fn parse(s: &str) -> Result<Self> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| Error::malformed(format!("digest {s:?} has no algorithm prefix")))?;
        let want = match alg {
            "sha256" => 64,
            "sha512" => 128,
            _ => return Err(Error::unsupported(format!("digest algorithm {alg:?} is not supported"))),
        };
        if hex.len() != want || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(Error::malformed(format!(
                "digest {s:?} is not {want} lowercase hex digits"
            )));
        }
        Ok(Digest(s.to_string()))
    }

    /// The digest of sha256 output bytes.
    pub fn from_sha256(bytes: &[u8]) -> Self {
        Digest(format!("sha256:{}", hex(bytes)))
    }

    /// sha256 of a whole (small) byte slice.
    pub fn of(bytes: &[u8]) -> Self {
        Self::from_sha256(&Sha256::digest(bytes))
    }

    pub fn algorithm(&self) -> &str {
        self.0.split_once(':').map(|(a, _)| a).unwrap_or("")
    }
    pub fn hex(&self) -> &str {
        self.0.split_once(':').map(|(_, h)| h).unwrap_or("")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_sha256(&self) -> bool {
        self.algorithm() == "sha256"
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Running sha256 and byte count of a stream.
#[derive(Clone, Default)]
pub struct Hasher {
    sha: Sha256,
    len: u64,
}

impl Hasher {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn update(&mut self, data: &[u8]) {
        self.sha.update(data);
        self.len += data.len() as u64;
    }
    pub fn len(&self) -> u64 {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn finish(self) -> Digest {
        Digest::from_sha256(&self.sha.finalize())
    }

    /// The sha256 as its 32 bytes.
    pub fn finish_raw(self) -> [u8; 32] {
        self.sha.finalize().into()
    }

    /// The running state as bytes, for another worker to go on from ([`Hasher::from_state`]).
    pub fn to_state(&self) -> Vec<u8> {
        use sha2::digest::common::hazmat::SerializableState;
        let mut v = self.len.to_le_bytes().to_vec();
        v.extend_from_slice(&self.sha.serialize());
        v
    }

    /// A hasher going on from [`Hasher::to_state`]'s bytes; `None` if they are not one.
    pub fn from_state(bytes: &[u8]) -> Option<Hasher> {
        use sha2::digest::common::hazmat::SerializableState;
        let (len, sha) = bytes.split_first_chunk::<8>()?;
        let sha = Sha256::deserialize(sha.try_into().ok()?).ok()?;
        Some(Hasher {
            sha,
            len: u64::from_le_bytes(*len),
        })
    }
}
