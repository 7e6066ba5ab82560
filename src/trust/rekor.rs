//! A Sigstore bundle's transparency log entry (Rekor): that the entry's body is about this
//! signature, the signed entry timestamp (the log's promise to include it, which makes the
//! integrated time trustworthy), and the inclusion proof (RFC 6962 Merkle audit path) up to a
//! checkpoint the log signed.

use super::key::{Hash, Scheme};
use super::trusted_root::{Log, TrustedRoot};
use serde::Deserialize;
use sha2::Digest as _;

/// A tlog entry as a bundle carries it (protobuf JSON: 64-bit numbers as strings).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(deserialize_with = "int64")]
    pub log_index: i64,
    pub log_id: super::trusted_root::RawLogId,
    #[serde(default)]
    pub kind_version: Option<KindVersion>,
    /// Rekor v2 gives none (0): its entries' time comes from a timestamp authority.
    #[serde(default, deserialize_with = "int64")]
    pub integrated_time: i64,
    #[serde(default)]
    pub inclusion_promise: Option<Promise>,
    #[serde(default)]
    pub inclusion_proof: Option<Proof>,
    pub canonicalized_body: String,
}

#[derive(Debug, Deserialize)]
pub struct KindVersion {
    pub kind: String,
    pub version: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promise {
    pub signed_entry_timestamp: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    #[serde(deserialize_with = "int64")]
    pub log_index: i64,
    pub root_hash: String,
    #[serde(deserialize_with = "int64")]
    pub tree_size: i64,
    #[serde(default)]
    pub hashes: Vec<String>,
    #[serde(default)]
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Debug, Deserialize)]
pub struct Checkpoint {
    pub envelope: String,
}

/// A 64-bit integer given as a JSON string (protobuf's JSON mapping) or a number.
fn int64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        S(String),
        I(i64),
    }
    match N::deserialize(d)? {
        N::I(i) => Ok(i),
        N::S(s) => s.parse().map_err(serde::de::Error::custom),
    }
}

/// What the signature in the bundle is, for comparing with the entry's body.
pub struct Signed<'a> {
    /// The signature bytes (messageSignature), or each DSSE signature.
    pub signatures: Vec<&'a [u8]>,
    /// messageSignature: the artifact's sha256; DSSE: the payload's sha256.
    pub digest: Vec<u8>,
    pub dsse: bool,
    /// The DER of what verified the signature (a certificate, and its public key): the body
    /// must name it.
    pub verifier: Vec<Vec<u8>>,
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>, String> {
    super::intoto::decode_base64(s).map_err(|e| format!("the log entry's {what} is not base64: {e}"))
}

/// What a checked entry proves.
pub struct Checked {
    /// The integrated time, authenticated by the log's signed entry timestamp (else `None`:
    /// only an inclusion proof, which proves inclusion but not when).
    pub trusted_time: Option<i64>,
}

/// Checks an entry: its body names this signature, and the log (one of `root`'s) promised it
/// (SET) or proved its inclusion (checkpoint); at least one of them must hold. The log must
/// have been trusted when it promised, or at each of the `stamped` times (RFC 3161) when it
/// only proved inclusion.
pub fn check(entry: &Entry, signed: &Signed, root: &TrustedRoot, stamped: &[i64]) -> Result<Checked, String> {
    let body = b64(&entry.canonicalized_body, "body")?;
    body_names(&body, entry.kind_version.as_ref(), signed)?;
    let log_id = b64(&entry.log_id.key_id, "log id")?;
    let log = root
        .log(&log_id)
        .ok_or("the entry is from a transparency log the trusted root does not name")?;
    let mut trusted_time = None;
    if let Some(p) = &entry.inclusion_promise {
        if !log.valid_at(entry.integrated_time) {
            return Err("the transparency log's key was not trusted when it logged the entry".into());
        }
        verify_set(
            entry,
            &log_id,
            log,
            &b64(&p.signed_entry_timestamp, "signed entry timestamp")?,
        )?;
        trusted_time = Some(entry.integrated_time);
    } else if stamped.iter().any(|&t| !log.valid_at(t)) {
        return Err("the transparency log's key was not trusted at the time the timestamp states".into());
    } else if stamped.is_empty() && entry.integrated_time > 0 && !log.valid_at(entry.integrated_time) {
        // Only an inclusion proof: the log must have been trusted when it says it logged it.
        return Err("the transparency log's key was not trusted when it logged the entry".into());
    }
    match &entry.inclusion_proof {
        Some(proof) => verify_inclusion(proof, &body, log)?,
        None if trusted_time.is_none() => {
            return Err("the log entry has neither an inclusion proof nor a signed entry timestamp".into());
        }
        None => {}
    }
    Ok(Checked { trusted_time })
}

/// The entry's body (hashedrekord, dsse or intoto; Rekor v1's 0.0.1 or Rekor v2's 0.0.2) must
/// be about this very signature and name the key or certificate that verified it.
fn body_names(body: &[u8], kind_version: Option<&KindVersion>, signed: &Signed) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the log entry's body is not JSON: {e}"))?;
    let kind = v["kind"].as_str().unwrap_or("");
    let version = v["apiVersion"].as_str().unwrap_or("");
    if let Some(kv) = kind_version
        && (kv.kind != kind || kv.version != version)
    {
        return Err(format!(
            "the log entry says it is {} {} but its body is {kind:?} {version:?}",
            kv.kind, kv.version
        ));
    }
    let hex = |x: &serde_json::Value| x.as_str().map(str::to_ascii_lowercase);
    let want = crate::digest::Digest::from_sha256(&signed.digest).hex().to_string();
    let bytes = |x: &serde_json::Value| x.as_str().and_then(|t| super::intoto::decode_base64(t).ok());
    let sig_in = |s: &serde_json::Value| -> bool {
        let Some(once) = bytes(s) else {
            return false;
        };
        // intoto entries encode the signature twice.
        let twice = std::str::from_utf8(&once)
            .ok()
            .and_then(|t| super::intoto::decode_base64(t).ok());
        signed
            .signatures
            .iter()
            .any(|sig| *sig == once.as_slice() || twice.as_deref() == Some(sig))
    };
    // Rekor v1 names the key or certificate as base64 of PEM, what verified the signature.
    let key_in = |k: &serde_json::Value| -> bool {
        let Some(pem) = bytes(k) else {
            return false;
        };
        let Ok((_, der)) = super::key::pem_block(&String::from_utf8_lossy(&pem)) else {
            return false;
        };
        signed.verifier.contains(&der)
    };
    // Rekor v2 names it as DER (`publicKey` or `x509Certificate`).
    let verifier_in = |k: &serde_json::Value| -> bool {
        [&k["publicKey"]["rawBytes"], &k["x509Certificate"]["rawBytes"]]
            .into_iter()
            .filter_map(&bytes)
            .any(|der| signed.verifier.contains(&der))
    };
    let want_raw = signed.digest.as_slice();
    let (digest_ok, sig_ok) = match (kind, version, signed.dsse) {
        ("hashedrekord", "0.0.2", false) => {
            let spec = &v["spec"]["hashedRekordV002"];
            (
                bytes(&spec["data"]["digest"]).as_deref() == Some(want_raw),
                sig_in(&spec["signature"]["content"]) && verifier_in(&spec["signature"]["verifier"]),
            )
        }
        ("dsse", "0.0.2", true) => {
            let spec = &v["spec"]["dsseV002"];
            (
                bytes(&spec["payloadHash"]["digest"]).as_deref() == Some(want_raw),
                spec["signatures"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|s| sig_in(&s["content"]) && verifier_in(&s["verifier"]))),
            )
        }
        ("hashedrekord", _, false) => (
            hex(&v["spec"]["data"]["hash"]["value"]) == Some(want),
            sig_in(&v["spec"]["signature"]["content"]) && key_in(&v["spec"]["signature"]["publicKey"]["content"]),
        ),
        ("dsse", _, true) => (
            hex(&v["spec"]["payloadHash"]["value"]) == Some(want),
            v["spec"]["signatures"]
                .as_array()
                .is_some_and(|a| a.iter().any(|s| sig_in(&s["signature"]) && key_in(&s["verifier"]))),
        ),
        ("intoto", _, true) => (
            hex(&v["spec"]["content"]["payloadHash"]["value"]) == Some(want),
            v["spec"]["content"]["envelope"]["signatures"]
                .as_array()
                .is_some_and(|a| a.iter().any(|s| sig_in(&s["sig"]) && key_in(&s["publicKey"]))),
        ),
        (k, _, _) => {
            return Err(format!(
                "the log entry is of kind {k:?}, which does not match the bundle's content"
            ));
        }
    };
    if !digest_ok {
        return Err("the log entry's body is about another artifact".into());
    }
    if !sig_ok {
        return Err("the log entry's body holds another signature or key".into());
    }
    Ok(())
}

/// The signed entry timestamp: the log's signature over the canonical JSON of the entry.
fn verify_set(entry: &Entry, log_id: &[u8], log: &Log, set: &[u8]) -> Result<(), String> {
    let payload = format!(
        r#"{{"body":{},"integratedTime":{},"logID":{},"logIndex":{}}}"#,
        serde_json::Value::String(entry.canonicalized_body.clone()),
        entry.integrated_time,
        serde_json::Value::String(crate::digest::Digest::from_sha256(log_id).hex().to_string()),
        entry.log_index
    );
    log.key
        .verify(Scheme::EcdsaDer(Hash::Sha256), payload.as_bytes(), set)
        .map_err(|_| "the signed entry timestamp does not verify with the log's key".to_string())
}

fn leaf_hash(body: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update([0u8]);
    h.update(body);
    h.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root an RFC 9162 inclusion proof leads to from a leaf.
pub fn root_from_proof(index: u64, size: u64, leaf: [u8; 32], proof: &[Vec<u8>]) -> Result<[u8; 32], String> {
    if index >= size {
        return Err(format!("the proof's index {index} is not below its tree size {size}"));
    }
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    if proof.len() != inner + border {
        return Err(format!(
            "the proof has {} hashes; a tree of {size} needs {} for index {index}",
            proof.len(),
            inner + border
        ));
    }
    let mut node = leaf;
    for (i, h) in proof.iter().enumerate() {
        if h.len() != 32 {
            return Err("a proof hash is not 32 bytes".into());
        }
        node = if i < inner && (index >> i) & 1 == 0 {
            node_hash(&node, h)
        } else {
            node_hash(h, &node)
        };
    }
    Ok(node)
}

fn verify_inclusion(proof: &Proof, body: &[u8], log: &Log) -> Result<(), String> {
    let index = u64::try_from(proof.log_index).map_err(|_| "a negative log index")?;
    let size = u64::try_from(proof.tree_size).map_err(|_| "a negative tree size")?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| b64(h, "proof hash"))
        .collect::<Result<Vec<_>, _>>()?;
    let computed = root_from_proof(index, size, leaf_hash(body), &hashes)?;
    let claimed = b64(&proof.root_hash, "root hash")?;
    if computed.as_slice() != claimed.as_slice() {
        return Err("the inclusion proof does not lead to the root hash it names (it proves another entry)".into());
    }
    let checkpoint = proof
        .checkpoint
        .as_ref()
        .ok_or("the inclusion proof has no checkpoint signed by the log")?;
    let (size_signed, root_signed) = verify_checkpoint(&checkpoint.envelope, log)?;
    if size_signed != size || root_signed != claimed {
        return Err("the checkpoint signed by the log is for another tree than the inclusion proof".into());
    }
    Ok(())
}

/// A checkpoint (signed note): `origin\nsize\nroot\n[…]\n\n— name base64(hint ‖ signature)\n`,
/// signed by the entry's own log. Returns the tree size and root hash the log signed.
fn verify_checkpoint(note: &str, log: &Log) -> Result<(u64, Vec<u8>), String> {
    let (body, sigs) = note.split_once("\n\n").ok_or("the checkpoint is not a signed note")?;
    let text = format!("{body}\n");
    let mut lines = body.lines();
    let _origin = lines.next().ok_or("the checkpoint names no log")?;
    let size: u64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or("the checkpoint's tree size is not a number")?;
    let hash = b64(
        lines.next().ok_or("the checkpoint has no root hash")?,
        "checkpoint root hash",
    )?;
    for line in sigs.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            continue;
        };
        let Some((_, sig64)) = rest.rsplit_once(' ') else {
            continue;
        };
        let Ok(raw) = super::intoto::decode_base64(sig64) else {
            continue;
        };
        if raw.len() < 5 {
            continue;
        }
        let (hint, sig) = raw.split_at(4);
        // Rekor v2 signs its notes with Ed25519, Rekor v1 with ECDSA over SHA-256.
        let scheme = match log.key {
            super::key::PublicKey::Ed25519(_) => Scheme::Ed25519,
            _ => Scheme::EcdsaDer(Hash::Sha256),
        };
        if log.checkpoint_id.starts_with(hint) && log.key.verify(scheme, text.as_bytes(), sig).is_ok() {
            return Ok((size, hash));
        }
    }
    Err("no signature on the checkpoint verifies with the log's key".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree of 7 leaves built by hand: every leaf's proof leads to the root, a wrong
    /// sibling or index does not.
    #[test]
    fn inclusion_proofs_follow_rfc_9162() {
        let leaves: Vec<[u8; 32]> = (0u8..7).map(|i| leaf_hash(&[i])).collect();
        // The tree: ((0,1),(2,3)),((4,5),6).
        let n01 = node_hash(&leaves[0], &leaves[1]);
        let n23 = node_hash(&leaves[2], &leaves[3]);
        let n45 = node_hash(&leaves[4], &leaves[5]);
        let left = node_hash(&n01, &n23);
        let right = node_hash(&n45, &leaves[6]);
        let root = node_hash(&left, &right);
        let proofs: Vec<Vec<[u8; 32]>> = vec![
            vec![leaves[1], n23, right],
            vec![leaves[0], n23, right],
            vec![leaves[3], n01, right],
            vec![leaves[2], n01, right],
            vec![leaves[5], leaves[6], left],
            vec![leaves[4], leaves[6], left],
            vec![n45, left],
        ];
        for (i, p) in proofs.iter().enumerate() {
            let p: Vec<Vec<u8>> = p.iter().map(|h| h.to_vec()).collect();
            assert_eq!(root_from_proof(i as u64, 7, leaves[i], &p).unwrap(), root, "leaf {i}");
            if i > 0 {
                assert_ne!(root_from_proof(i as u64 - 1, 7, leaves[i], &p).ok(), Some(root));
            }
        }
        assert!(root_from_proof(7, 7, leaves[0], &[]).is_err());
        assert!(root_from_proof(0, 7, leaves[0], &[leaves[1].to_vec()]).is_err());
    }
}
