//! Every integrity check of the report is made here, from what the sources, the layout and the
//! layer pipelines found: the manifest (and any index on the way to it), the config, each layer
//! blob and each uncompressed layer, and the digest the user pinned. A check says what was
//! expected, what was found, and why it could not be checked when it could not.

use crate::digest::Digest;
use crate::image::pipeline::Digests;
use crate::report::{Check, CheckStatus, CheckWhat, LayerReport};
use crate::source::ManifestDigestOrigin;
use crate::source::layout::{BlobPlan, ImagePlan};

/// The checks of the manifest and the indexes on the way to it.
pub fn documents(plan: &ImagePlan, origin: Option<&ManifestDigestOrigin>) -> Vec<Check> {
    if plan.documents.is_empty() {
        return vec![Check::not_checkable(
            CheckWhat::ManifestDigest,
            "docker save (manifest.json) has no manifest blob",
        )];
    }
    let mut out = Vec::new();
    for (i, d) in plan.documents.iter().enumerate() {
        let what = if d.index { "image index" } else { "manifest" };
        let mut digest = Check::compare(CheckWhat::ManifestDigest, &d.expected, &d.actual);
        if d.index {
            digest = digest.with_reason("image index digest");
        }
        // The first document is the one the registry named.
        if i == 0 {
            match origin {
                Some(ManifestDigestOrigin::Unnamed) => {
                    digest = Check::not_checkable(
                        CheckWhat::ManifestDigest,
                        "the tag was resolved without a Docker-Content-Digest header, so there is nothing to compare with",
                    );
                }
                Some(ManifestDigestOrigin::Named(how)) => {
                    let how = format!("compared with {how}");
                    digest.reason = Some(digest.reason.take().map(|r| format!("{r}, {how}")).unwrap_or(how));
                }
                None => {}
            }
        }
        out.push(digest);
        if let Some(size) = d.declared_size {
            out.push(Check::compare_size(CheckWhat::BlobSize, size, d.size).with_reason(format!("{what} size")));
        }
    }
    out
}

/// The config's checks: its digest, its size, and the digest the user pinned
/// (`--expect-digest`: the manifest's or the config's).
pub fn config(plan: &ImagePlan, digest: &Digest, len: u64, pin: Option<&Digest>) -> Vec<Check> {
    let mut out = vec![match &plan.config.digest {
        Some(d) => Check::compare(CheckWhat::ConfigDigest, d, digest),
        None => Check::not_checkable(
            CheckWhat::ConfigDigest,
            plan.config
                .digest_reason
                .clone()
                .unwrap_or_else(|| "no expected digest".into()),
        )
        .with_expected(None),
    }];
    if let Some(size) = plan.config.size {
        out.push(Check::compare_size(CheckWhat::BlobSize, size, len).with_reason("config size"));
    }
    if let Some(pin) = pin {
        let (what, actual) = match &plan.manifest_digest {
            Some(m) if m == pin => (CheckWhat::ManifestDigest, m),
            _ if digest == pin => (CheckWhat::ConfigDigest, digest),
            Some(m) => (CheckWhat::ManifestDigest, m),
            None => (CheckWhat::ConfigDigest, digest),
        };
        out.push(Check::compare(what, pin, actual).with_reason("pinned with --expect-digest"));
    }
    out
}

/// A layer's checks (blob digest, blob size, diff_id) and whether they verify it: no mismatch,
/// and a digest of it verified.
pub fn layer(lp: &BlobPlan, r: Option<&Digests>, diff_id: Option<&str>) -> (Vec<Check>, bool) {
    let missing = "the layer blob could not be read";
    let mut checks = Vec::new();
    checks.push(match (&lp.digest, r.and_then(|r| r.blob_digest.as_ref())) {
        (Some(exp), Some(act)) => Check::compare(CheckWhat::BlobDigest, exp, act),
        (Some(exp), None) => Check::not_checkable(CheckWhat::BlobDigest, missing).with_expected(Some(exp.to_string())),
        (None, _) => Check::not_checkable(
            CheckWhat::BlobDigest,
            lp.digest_reason.clone().unwrap_or_else(|| "no expected digest".into()),
        ),
    });
    checks.push(match (lp.size, r) {
        (Some(exp), Some(r)) => Check::compare_size(CheckWhat::BlobSize, exp, r.blob_size),
        (Some(exp), None) => Check::not_checkable(CheckWhat::BlobSize, missing).with_expected(Some(exp.to_string())),
        (None, _) => Check::not_checkable(CheckWhat::BlobSize, "the format declares no layer size"),
    });
    let expected = diff_id.and_then(|d| Digest::parse(d).ok());
    checks.push(match (expected, r) {
        (None, _) => Check::not_checkable(
            CheckWhat::DiffId,
            if diff_id.is_some() {
                "the config's diff_id is not a valid digest"
            } else {
                "the config lists no diff_id for this layer"
            },
        )
        .with_expected(diff_id.map(str::to_string)),
        (Some(exp), None) => Check::not_checkable(CheckWhat::DiffId, missing).with_expected(Some(exp.to_string())),
        (Some(exp), Some(r)) => match &r.diff_id {
            Some(act) => Check::compare(CheckWhat::DiffId, &exp, act),
            None if r.corrupt => Check {
                what: CheckWhat::DiffId,
                status: CheckStatus::Mismatch,
                expected: Some(exp.to_string()),
                actual: None,
                reason: Some(format!(
                    "the layer does not decompress: {}",
                    r.error.as_ref().map(|e| e.message.as_str()).unwrap_or("corrupt data")
                )),
            },
            None => Check::not_checkable(
                CheckWhat::DiffId,
                r.error
                    .as_ref()
                    .map(|e| e.message.clone())
                    .unwrap_or_else(|| "not decompressed".into()),
            )
            .with_expected(Some(exp.to_string())),
        },
    });
    let verified = !checks.iter().any(|c| c.status == CheckStatus::Mismatch)
        && checks
            .iter()
            .any(|c| c.status == CheckStatus::Verified && matches!(c.what, CheckWhat::DiffId | CheckWhat::BlobDigest));
    (checks, verified)
}

/// Whether an image is verified: no check of its own or of a layer failed, and every layer is
/// verified.
pub fn image_verified(checks: &[Check], layers: &[LayerReport]) -> bool {
    !checks.iter().any(|c| c.status == CheckStatus::Mismatch) && layers.iter().all(|l| l.verified)
}
