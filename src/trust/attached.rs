//! What is attached to an image, found by how archives, layouts and registries keep it:
//! - OCI 1.1 referrers: a manifest whose `subject` names the image (in `index.json`, or listed
//!   by a registry's referrers API or its fallback, the `sha256-<hex>` tag of an index);
//! - cosign's tags, `sha256-<hex>.sig` / `.att` / `.sbom`, and `cosign save`'s `kind`
//!   annotations (`dev.cosignproject.cosign/sigs`, `…/atts`);
//! - buildx attestation manifests inside an image index (`vnd.docker.reference.type:
//!   attestation-manifest`, naming the platform manifest in `vnd.docker.reference.digest`).
//!
//! The layout planner sets these apart from the images; [`crate::trust::examine`] reads them.

use crate::digest::Digest;
use crate::image::manifest::Descriptor;

/// The annotation a registry fetch puts on the documents it found, saying how.
pub const FOUND_ANNOTATION: &str = "dev.porthole.found";
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";
const COSIGN_KIND: &str = "kind";
/// How many attached artifacts one input may list before the rest are left unread.
pub const MAX_ATTACHED: usize = 64;

/// An artifact attached to an image, as it was found.
#[derive(Debug, Clone)]
pub struct Attached {
    /// The artifact's manifest.
    pub descriptor: Descriptor,
    /// How it was found, in words (`tag sha256-….sig`, `referrers API`, …).
    pub found: String,
    /// The image digest it was found for (a tag or a reference names it); `None` when only
    /// the artifact's own `subject` (or a `cosign save` layout of one image) ties it to one.
    pub for_digest: Option<Digest>,
}

/// What an `index.json` entry is, from its descriptor alone.
pub enum Entry {
    /// An image (or an image index) to describe.
    Image,
    /// An attached artifact.
    Attached(Box<Attached>),
    /// An index listing the referrers of `for_digest` (the referrers tag schema, or a
    /// registry's referrers API answer kept by the fetch).
    Referrers { for_digest: Digest, found: String },
}

/// The tag of a descriptor: the part of its reference name after the last `:` (a bare tag
/// in `org.opencontainers.image.ref.name`, `repo:tag` in containerd's name).
fn tag(d: &Descriptor) -> Option<&str> {
    let name = d
        .annotations
        .get(REF_NAME)
        .or_else(|| d.annotations.get(CONTAINERD_NAME))?;
    let last = name.rsplit('/').next().unwrap_or(name);
    Some(last.rsplit_once(':').map_or(last, |(_, t)| t))
}

/// `sha256-<hex>[.suffix]` → the digest and the suffix.
pub fn digest_tag(tag: &str) -> Option<(Digest, &str)> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, suffix) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    Some((Digest::parse(&format!("sha256:{hex}")).ok()?, suffix))
}

/// Classifies an `index.json` entry by its descriptor.
pub fn classify(d: &Descriptor) -> Entry {
    let found_note = d.annotations.get(FOUND_ANNOTATION).cloned();
    if let Some(t) = tag(d)
        && let Some((digest, suffix)) = digest_tag(t)
    {
        let found = found_note.unwrap_or_else(|| format!("tag {t}"));
        return match suffix {
            // The referrers tag schema names an index; an image tagged so stays an image.
            "" if !crate::image::manifest::is_index_type(d.media_type()) => Entry::Image,
            "" => Entry::Referrers {
                for_digest: digest,
                found,
            },
            _ => Entry::Attached(Box::new(Attached {
                descriptor: d.clone(),
                found,
                for_digest: Some(digest),
            })),
        };
    }
    if let Some(kind) = d.annotations.get(COSIGN_KIND)
        && matches!(
            kind.as_str(),
            "dev.cosignproject.cosign/sigs" | "dev.cosignproject.cosign/atts" | "dev.cosignproject.cosign/sboms"
        )
    {
        return Entry::Attached(Box::new(Attached {
            descriptor: d.clone(),
            found: format!("cosign save layout ({kind})"),
            for_digest: None,
        }));
    }
    if let Some(a) = attestation_manifest(d) {
        return Entry::Attached(Box::new(a));
    }
    // An artifact type alone does not tell (for an image it is its config's media type): the
    // planner reads the manifest and sets artifacts apart.
    Entry::Image
}

/// A buildx attestation manifest in an image index, with the manifest it describes.
pub fn attestation_manifest(d: &Descriptor) -> Option<Attached> {
    if d.annotations.get("vnd.docker.reference.type").map(String::as_str) != Some("attestation-manifest") {
        return None;
    }
    Some(Attached {
        descriptor: d.clone(),
        found: "image index (buildx attestation manifest)".into(),
        for_digest: d
            .annotations
            .get("vnd.docker.reference.digest")
            .and_then(|s| Digest::parse(s).ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(annotations: &[(&str, &str)]) -> Descriptor {
        Descriptor {
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn cosign_tags_referrers_tags_and_images_are_told_apart() {
        let hex = "ab".repeat(32);
        let sig = format!("sha256-{hex}.sig");
        match classify(&named(&[(REF_NAME, &sig)])) {
            Entry::Attached(a) => {
                assert_eq!(a.for_digest.unwrap().hex(), hex);
                assert_eq!(a.found, format!("tag {sig}"));
            }
            _ => panic!("a .sig tag is attached"),
        }
        let containerd = format!("registry.example/team/app:sha256-{hex}.att");
        assert!(matches!(
            classify(&named(&[(CONTAINERD_NAME, &containerd)])),
            Entry::Attached(_)
        ));
        let referrers = format!("sha256-{hex}");
        let mut list = named(&[(REF_NAME, &referrers)]);
        assert!(
            matches!(classify(&list), Entry::Image),
            "only an index is a referrers list"
        );
        list.media_type = Some(crate::image::manifest::OCI_INDEX.into());
        assert!(matches!(classify(&list), Entry::Referrers { .. }));
        assert!(matches!(classify(&named(&[(REF_NAME, "latest")])), Entry::Image));
        assert!(matches!(
            classify(&named(&[(REF_NAME, "sha256-short.sig")])),
            Entry::Image
        ));
        assert!(matches!(
            classify(&named(&[(COSIGN_KIND, "dev.cosignproject.cosign/sigs")])),
            Entry::Attached(_)
        ));
        assert!(matches!(
            classify(&named(&[(COSIGN_KIND, "dev.cosignproject.cosign/image")])),
            Entry::Image
        ));
    }
}
