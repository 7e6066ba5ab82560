//! Image formats inside an archive or directory, recognised by layout, not by file name:
//! - `docker save` (classic and crane style): `manifest.json` lists config and layer files;
//! - OCI image layout (`oci-layout` + `index.json` + `blobs/<alg>/<hex>`), which Docker 25+
//!   writes *together with* `manifest.json` (then names come from `manifest.json`).
//!
//! The result is a list of [`ImagePlan`]s: what to read and what each part should hash to.

use super::Store;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::image::manifest::{self, Descriptor, Index, Manifest, Platform};
use crate::image::parse_json;
use crate::limits::Limits;
use crate::trust::attached::{self, Attached, Entry, MAX_ATTACHED};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which layout the images came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `manifest.json` only.
    Docker,
    /// OCI layout only.
    Oci,
    /// Both (Docker 25+ `docker save`).
    DockerOci,
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Docker => "docker-archive",
            Format::Oci => "oci-layout",
            Format::DockerOci => "docker-archive+oci-layout",
        }
    }
}

/// One blob to read, with what it should be.
#[derive(Debug, Clone, Default)]
pub struct BlobPlan {
    /// Entry name in the store; `None` if it cannot be located.
    pub name: Option<String>,
    /// Expected digest of the blob, if the format says one.
    pub digest: Option<Digest>,
    /// Why `digest` is `None`.
    pub digest_reason: Option<String>,
    pub size: Option<u64>,
    pub media_type: Option<String>,
    pub foreign: bool,
}

/// One image to describe.
#[derive(Debug, Clone, Default)]
pub struct ImagePlan {
    pub name: Option<String>,
    pub repo_tags: Vec<String>,
    pub manifest_digest: Option<Digest>,
    pub manifest_media_type: Option<String>,
    /// The documents read on the way to the manifest, in order (an index, then the manifest);
    /// empty for `docker save`, which has no manifest blob (an OCI image whose manifest could
    /// not be read has no config either, so it is never assembled). [`crate::checks`] makes
    /// them checks.
    pub documents: Vec<DocumentRead>,
    pub config: BlobPlan,
    pub layers: Vec<BlobPlan>,
    pub platform: Option<String>,
    pub platforms_available: Vec<String>,
    /// `docker save` LayerSources: diff_id → descriptor, for layers shipped elsewhere.
    pub layer_sources: BTreeMap<String, Descriptor>,
    /// Attestation manifests found in an index on the way to the manifest (buildx).
    pub attached: Vec<Attached>,
    /// Set when the manifest is an artifact (a signature, an attestation), not an image: the
    /// digest its `subject` names (empty when it names none).
    pub subject: Option<String>,
    pub errors: Vec<Error>,
}

impl ImagePlan {
    /// The digests porthole computed for the documents it read on the way to the manifest
    /// (an index, the manifest) where they matched what named them: what a signature must
    /// cover to bind to this image.
    pub fn verified_digests(&self) -> Vec<Digest> {
        // From the manifest up: an index binds only if every document below it matched too
        // (an index whose platform manifest was swapped does not vouch for what was read).
        let mut out: Vec<Digest> = self
            .documents
            .iter()
            .rev()
            .take_while(|d| d.expected == d.actual)
            .map(|d| d.actual.clone())
            .collect();
        out.reverse();
        out
    }
}

/// A manifest or index read by its digest, with what it was expected to be.
#[derive(Debug, Clone)]
pub struct DocumentRead {
    /// An image index on the way to the manifest (else the manifest itself).
    pub index: bool,
    /// The digest it was named by.
    pub expected: Digest,
    /// The digest of the bytes read.
    pub actual: Digest,
    /// The size its descriptor declares, if any.
    pub declared_size: Option<u64>,
    pub size: u64,
}

/// What the layout gave: the format and the images (an error if none could be planned).
pub struct Plans {
    pub format: Format,
    pub images: Vec<ImagePlan>,
    /// Errors that prevented some image from being planned.
    pub errors: Vec<Error>,
    /// Artifacts `index.json` lists beside the images (signatures, attestations, referrers).
    pub attached: Vec<Attached>,
    /// What could not be read of them.
    pub attached_notes: Vec<String>,
}

#[derive(Deserialize)]
struct DockerEntry {
    #[serde(rename = "Config", default)]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
    #[serde(rename = "LayerSources", default)]
    layer_sources: BTreeMap<String, Descriptor>,
}

/// A digest named by a blob's file name: `blobs/sha256/<hex>`, `<hex>.json`, `<hex>.tar`,
/// `<hex>.tar.gz`, `sha256:<hex>`. Classic `<id>/layer.tar` names are layer ids, not digests.
pub fn digest_from_name(name: &str) -> Option<Digest> {
    if let Some(rest) = name.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        return Digest::parse(&format!("{alg}:{hex}")).ok();
    }
    if name.contains('/') {
        return None;
    }
    if let Ok(d) = Digest::parse(name) {
        return Some(d);
    }
    let stem = name.split('.').next()?;
    Digest::parse(&format!("sha256:{stem}")).ok()
}

/// Where an OCI layout keeps a blob.
pub fn blob_path(d: &Digest) -> String {
    format!("blobs/{}/{}", d.algorithm(), d.hex())
}

/// Plans the images of a store.
pub fn plan(store: &mut dyn Store, limits: &Limits, want: Option<&Platform>) -> Result<Plans> {
    let has_index = store.has("index.json");
    let has_manifest = store.has("manifest.json");
    let docker = if has_manifest {
        let bytes = store
            .read_small("manifest.json", limits)
            .map_err(|e| e.in_entry("manifest.json"))?;
        Some(
            parse_json::<Vec<DockerEntry>>(&bytes, "manifest.json", limits.json_bytes)
                .map_err(|e| e.in_entry("manifest.json"))?,
        )
    } else {
        None
    };
    if has_index {
        let mut plans = oci_plans(store, limits, want)?;
        if let Some(entries) = &docker {
            // Docker 25+: take names from manifest.json, matched by config digest.
            for p in &mut plans.images {
                let cfg = p.config.digest.clone();
                if let Some(e) = entries
                    .iter()
                    .find(|e| digest_from_name(&super::entry_name(&e.config)) == cfg && cfg.is_some())
                {
                    p.repo_tags = e.repo_tags.clone().unwrap_or_default();
                    if let Some(t) = p.repo_tags.first() {
                        p.name = Some(t.clone());
                    }
                }
            }
            plans.format = Format::DockerOci;
        }
        return Ok(plans);
    }
    let Some(entries) = docker else {
        return Err(Error::malformed(
            "not an image archive: the tar has neither manifest.json (docker save) nor index.json (OCI layout)",
        ));
    };
    if entries.is_empty() {
        return Err(Error::malformed("manifest.json lists no images").in_entry("manifest.json"));
    }
    let images = entries.iter().map(|e| docker_plan(store, e, limits)).collect();
    Ok(Plans {
        format: Format::Docker,
        images,
        errors: Vec::new(),
        attached: Vec::new(),
        attached_notes: Vec::new(),
    })
}

fn docker_plan(store: &mut dyn Store, e: &DockerEntry, limits: &Limits) -> ImagePlan {
    let mut p = ImagePlan {
        repo_tags: e.repo_tags.clone().unwrap_or_default(),
        ..Default::default()
    };
    p.name = p.repo_tags.first().cloned();
    let cfg = super::entry_name(&e.config);
    p.config = BlobPlan {
        digest: digest_from_name(&cfg),
        digest_reason: Some("the config's file name is not a digest".into()),
        size: None,
        media_type: None,
        foreign: false,
        name: Some(cfg),
    };
    if e.layers.len() > limits.layers {
        p.errors.push(Error::limit(format!(
            "manifest.json lists {} layers, over the limit of {}",
            e.layers.len(),
            limits.layers
        )));
    }
    for l in e.layers.iter().take(limits.layers) {
        let name = super::entry_name(l);
        // A link `<id>/layer.tar → ../<hex>.tar` exposes the digest in its target's name.
        let resolved = store.canonical(&name).unwrap_or_else(|| name.clone());
        p.layers.push(BlobPlan {
            digest: digest_from_name(&resolved),
            digest_reason: Some("docker save names this layer by layer id, not by content digest".into()),
            size: None,
            media_type: None,
            foreign: false,
            name: Some(name),
        });
    }
    p.layer_sources = e.layer_sources.clone();
    p
}

fn oci_plans(store: &mut dyn Store, limits: &Limits, want: Option<&Platform>) -> Result<Plans> {
    let bytes = store
        .read_small("index.json", limits)
        .map_err(|e| e.in_entry("index.json"))?;
    let index: Index = parse_json(&bytes, "index.json", limits.json_bytes).map_err(|e| e.in_entry("index.json"))?;
    let mut out = Plans {
        format: Format::Oci,
        images: Vec::new(),
        errors: Vec::new(),
        attached: Vec::new(),
        attached_notes: Vec::new(),
    };
    // Signatures, attestations and referrer lists are set apart from the images.
    let mut images: Vec<&Descriptor> = Vec::new();
    for d in &index.manifests {
        match attached::classify(d) {
            // Attestations listed as `unknown/unknown` without buildx's annotations are no images either.
            Entry::Image if manifest::is_attestation(d) => {}
            Entry::Image => images.push(d),
            Entry::Attached(a) => out.attached.push(*a),
            Entry::Referrers { for_digest, found } => referrers(store, limits, d, for_digest, found, &mut out),
        }
    }
    // Several platform manifests directly in index.json are one multi-platform image.
    let flat_multi = images.len() > 1
        && images
            .iter()
            .all(|d| d.platform.is_some() && !manifest::is_index_type(d.media_type()));
    if flat_multi {
        let owned: Vec<Descriptor> = images.iter().map(|d| (*d).clone()).collect();
        match choose(&owned, want) {
            Ok((d, available)) => {
                let mut p = image_from_descriptor(store, d, limits, want, 0);
                p.platforms_available = available;
                out.images.push(p);
            }
            Err(e) => out.errors.push(e.in_entry("index.json")),
        }
    } else {
        for d in images {
            let p = image_from_descriptor(store, d, limits, want, 0);
            // An artifact beside the images (an OCI 1.1 referrer with its subject, or not).
            if let Some(subject) = &p.subject {
                out.attached.push(Attached {
                    descriptor: d.clone(),
                    found: if subject.is_empty() {
                        "index.json (an artifact)"
                    } else {
                        "index.json (subject)"
                    }
                    .into(),
                    for_digest: None,
                });
            } else {
                out.images.push(p);
            }
        }
    }
    if out.attached.len() > MAX_ATTACHED {
        out.attached_notes.push(format!(
            "{} artifacts are attached; only the first {MAX_ATTACHED} were read",
            out.attached.len()
        ));
        out.attached.truncate(MAX_ATTACHED);
    }
    if out.images.is_empty() && out.errors.is_empty() {
        out.errors
            .push(Error::malformed("index.json lists no image manifests").in_entry("index.json"));
    }
    if out.images.is_empty() {
        return Err(out.errors.remove(0));
    }
    Ok(out)
}

/// Whether a manifest describes a runnable image: an image config and filesystem layers.
fn is_image_like(m: &Manifest) -> bool {
    let config = m.config.as_ref().map(Descriptor::media_type).unwrap_or("");
    let image_config = config == "application/vnd.oci.image.config.v1+json"
        || config == "application/vnd.docker.container.image.v1+json";
    image_config
        && !m.layers.is_empty()
        && m.layers.iter().all(|l| {
            let t = l.media_type();
            t.contains(".tar") || t.contains("rootfs") || t.contains(".layer.")
        })
}

/// Reads an index listing the referrers of `for_digest` (the referrers tag schema, or a
/// registry's referrers API answer): each manifest it lists is attached to that image.
fn referrers(
    store: &mut dyn Store,
    limits: &Limits,
    d: &Descriptor,
    for_digest: Digest,
    found: String,
    out: &mut Plans,
) {
    let read = d.digest().and_then(|digest| {
        let path = blob_path(&digest);
        let bytes = store.read_small(&path, limits)?;
        if Digest::of(&bytes) != digest {
            return Err(Error::integrity(format!(
                "the list of referrers ({found}) does not match its digest {digest}"
            )));
        }
        parse_json::<Index>(&bytes, "referrers index", limits.json_bytes)
    });
    match read {
        Ok(index) => out.attached.extend(index.manifests.into_iter().map(|m| Attached {
            descriptor: m,
            found: found.clone(),
            for_digest: Some(for_digest.clone()),
        })),
        Err(e) => out
            .attached_notes
            .push(format!("the referrers of {for_digest} ({found}) cannot be read: {e}")),
    }
}

/// Chooses a platform among an index's manifests: the wanted one, else linux/amd64, else the
/// only one. Returns the descriptor and every platform available.
pub fn choose<'a>(manifests: &'a [Descriptor], want: Option<&Platform>) -> Result<(&'a Descriptor, Vec<String>)> {
    let runnable: Vec<&Descriptor> = manifests.iter().filter(|d| !manifest::is_attestation(d)).collect();
    let available: Vec<String> = runnable
        .iter()
        .filter_map(|d| d.platform.as_ref().map(Platform::render))
        .collect();
    let default = Platform {
        os: "linux".into(),
        architecture: "amd64".into(),
        variant: None,
    };
    let wanted = want.unwrap_or(&default);
    if let Some(d) = runnable
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| wanted.accepts(p)))
    {
        return Ok((d, available));
    }
    if want.is_none() && runnable.len() == 1 {
        return Ok((runnable[0], available));
    }
    Err(Error::unsupported(format!(
        "platform {} is not in the index (available: {})",
        wanted.render(),
        if available.is_empty() {
            "none".to_string()
        } else {
            available.join(", ")
        }
    )))
}

fn image_from_descriptor(
    store: &mut dyn Store,
    d: &Descriptor,
    limits: &Limits,
    want: Option<&Platform>,
    depth: usize,
) -> ImagePlan {
    let mut p = ImagePlan {
        name: d
            .annotations
            .get("io.containerd.image.name")
            .or_else(|| d.annotations.get("org.opencontainers.image.ref.name"))
            .cloned(),
        ..Default::default()
    };
    if let Err(e) = fill_from_descriptor(store, d, limits, want, depth, &mut p) {
        p.errors.push(e);
    }
    p
}

/// Reads a manifest (or index, recursing into the chosen platform) and records its checks.
fn fill_from_descriptor(
    store: &mut dyn Store,
    d: &Descriptor,
    limits: &Limits,
    want: Option<&Platform>,
    depth: usize,
    p: &mut ImagePlan,
) -> Result<()> {
    if depth > 4 {
        return Err(Error::malformed("image indexes nest more than 4 deep"));
    }
    let digest = d.digest()?;
    let path = blob_path(&digest);
    let bytes = store.read_small(&path, limits).map_err(|e| e.in_entry(&path))?;
    let m: Manifest = parse_json(&bytes, "manifest", limits.json_bytes).map_err(|e| e.in_entry(&path))?;
    // An index on the way to the manifest is checked too.
    p.documents.push(DocumentRead {
        index: m.manifests.is_some(),
        expected: digest.clone(),
        actual: Digest::of(&bytes),
        declared_size: d.size(),
        size: bytes.len() as u64,
    });
    if m.schema_version == Some(1) || m.fs_layers.is_some() {
        return Err(Error::unsupported("Docker schema1 manifests are unsupported (too old)").in_entry(&path));
    }
    // An artifact (a signature, an attestation) beside the images: it names a subject or an
    // artifact type and its layers are no filesystem. An image with a subject stays an image.
    if depth == 0
        && m.manifests.is_none()
        && (m.subject.is_some() || m.artifact_type.is_some() || d.artifact_type.is_some())
        && !is_image_like(&m)
    {
        p.subject = Some(m.subject.as_ref().map(|s| s.digest.clone()).unwrap_or_default());
        return Ok(());
    }
    if let Some(children) = &m.manifests {
        p.attached.extend(
            children
                .iter()
                .filter_map(attached::attestation_manifest)
                .take(MAX_ATTACHED),
        );
        let (child, available) = choose(children, want).map_err(|e| e.in_entry(&path))?;
        p.platforms_available = available;
        let child = child.clone();
        return fill_from_descriptor(store, &child, limits, want, depth + 1, p);
    }
    p.manifest_digest = Some(digest);
    p.manifest_media_type = m.media_type.clone().or(d.media_type.clone());
    if let Some(pl) = &d.platform {
        p.platform = Some(pl.render());
    }
    let cfg = m
        .config
        .as_ref()
        .ok_or_else(|| Error::malformed("manifest has no config descriptor").in_entry(&path))?;
    let cfg_digest = cfg.digest().map_err(|e| e.in_entry(&path))?;
    p.config = BlobPlan {
        name: Some(blob_path(&cfg_digest)),
        digest: Some(cfg_digest),
        digest_reason: None,
        size: cfg.size(),
        media_type: cfg.media_type.clone(),
        foreign: false,
    };
    if m.layers.len() > limits.layers {
        p.errors.push(
            Error::limit(format!(
                "manifest lists {} layers, over the limit of {}",
                m.layers.len(),
                limits.layers
            ))
            .in_entry(&path),
        );
    }
    for l in m.layers.iter().take(limits.layers) {
        let (name, digest, reason) = match l.digest() {
            Ok(dg) => (Some(blob_path(&dg)), Some(dg), None),
            Err(e) => (None, None, Some(e.message)),
        };
        p.layers.push(BlobPlan {
            name,
            digest,
            digest_reason: reason,
            size: l.size(),
            media_type: l.media_type.clone(),
            foreign: l.is_foreign(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{DocumentRead, ImagePlan};
    use crate::digest::Digest;

    fn doc(index: bool, expected: &[u8], actual: &[u8]) -> DocumentRead {
        DocumentRead {
            index,
            expected: Digest::of(expected),
            actual: Digest::of(actual),
            declared_size: None,
            size: 0,
        }
    }

    /// A signature over an index binds only when the manifest under it matched too.
    #[test]
    fn an_index_is_verified_only_with_the_manifest_below_it() {
        let plan = |docs| ImagePlan {
            documents: docs,
            ..Default::default()
        };
        let all = plan(vec![doc(true, b"i", b"i"), doc(false, b"m", b"m")]);
        assert_eq!(all.verified_digests(), vec![Digest::of(b"i"), Digest::of(b"m")]);
        let swapped = plan(vec![doc(true, b"i", b"i"), doc(false, b"m", b"evil")]);
        assert!(swapped.verified_digests().is_empty());
        let bad_index = plan(vec![doc(true, b"i", b"x"), doc(false, b"m", b"m")]);
        assert_eq!(bad_index.verified_digests(), vec![Digest::of(b"m")]);
    }
}
