//! Inspection, the one entry point ([`inspect`]): from any input to an [`Inspection`]. Opens
//! the source ([`crate::source`]), plans the images (format layer), reads each config, runs
//! each layer once through the pipeline (shared layers once per archive; layers processed
//! ahead on threads or workers are taken as they are), merges the filesystem, runs the image
//! passes ([`crate::pass`]) and assembles the report, with the checks of [`crate::checks`].
//! The report is made here, in one place.

use crate::blob::BlobSource;
use crate::compress::Compression;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::fs::{EntryList, MergedTree};
use crate::image::manifest::Platform;
use crate::image::pipeline::Digests;
use crate::image::{ImageConfig, LayerResult, parse_json};
use crate::parallel::Prepared;
use crate::pass::ImageView;
use crate::report::*;
use crate::source::layout::{self, ImagePlan};
use crate::source::{ManifestDigestOrigin, Opened, Origin, Store};
use std::collections::HashMap;
use std::rc::Rc;

pub use crate::options::Options;

/// Progress events, for the page and the CLI. All methods have empty defaults.
pub trait Observer {
    /// The images are planned (before any layer is read).
    fn planned(&mut self, _plans: &[ImagePlan]) {}
    /// Layer `layer` of image `image` starts.
    fn layer(&mut self, _image: usize, _layer: usize) {}
    /// `n` more bytes of input were read.
    fn bytes(&mut self, _n: u64) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl Observer for Quiet {}

/// What to inspect.
pub enum Input<'a, S: BlobSource + ?Sized = dyn BlobSource + 'a> {
    /// A file held in a random-access source, `name` its base name: a tar is read at random,
    /// a compressed tarball streamed. Layers found in `prepared` (processed ahead on threads
    /// or workers, [`crate::parallel`]) are not read again.
    File {
        source: &'a S,
        name: &'a str,
        prepared: Prepared,
    },
    /// A source already opened: a stream read once ([`crate::source::read_stream`]), an OCI
    /// layout directory, a registry image whose fetch has ended.
    Opened(Opened<'a>),
}

/// Inspects any input: the one entry point of the CLI and the page.
pub fn inspect<'a, S: BlobSource + ?Sized>(input: Input<'a, S>, opts: &Options, obs: &mut dyn Observer) -> Inspection {
    let (opened, mut prepared) = match input {
        Input::File { source, name, prepared } => (
            crate::source::open_file(source, name, opts, &mut |n| obs.bytes(n)),
            prepared,
        ),
        Input::Opened(opened) => (opened, Prepared::new()),
    };
    let mut report = header(&opened.origin);
    report.errors.extend(opened.errors);
    let images = match opened.store {
        Some(mut store) => {
            let facts = SourceFacts {
                set_format: opened.origin.format.is_none(),
                manifest_digest: opened.manifest_digest.as_ref(),
                attached_notes: &opened.attached_notes,
            };
            describe(store.as_mut(), &mut report, &facts, opts, obs, &mut prepared)
        }
        None => Vec::new(),
    };
    Inspection {
        report,
        images,
        streamed: opened.reread,
    }
}

/// The report's header, from what the input was: made here only.
fn header(origin: &Origin) -> Report {
    Report {
        report_version: REPORT_VERSION,
        porthole_version: env!("CARGO_PKG_VERSION").to_string(),
        source: SourceInfo {
            kind: origin.kind.to_string(),
            path: origin.path.clone(),
            compression: origin.compression.as_str().to_string(),
            format: origin.format.map(str::to_string),
            streamed: origin.streamed,
        },
        errors: Vec::new(),
        images: Vec::new(),
    }
}

/// An inspection kept for exploring: the report plus, per image, the merged tree and where
/// each layer lies, so a directory can be listed or a file read later (the page's file view).
pub struct Inspection {
    pub report: Report,
    /// Parallel to `report.images`.
    pub images: Vec<ImageState>,
    /// Set when the input had to be streamed (a compressed tarball): reading a file again
    /// then means streaming the input again.
    pub streamed: Option<Compression>,
}

impl Inspection {
    /// The report with every file version listed (as `--files` makes it), built from the kept
    /// trees: a page keeps the report without them (100k files are tens of MB as records, more
    /// as JSON) and makes them only when the report is exported.
    pub fn report_with_files(&self) -> Report {
        let mut report = self.report.clone();
        for (img, state) in report.images.iter_mut().zip(&self.images) {
            if img.files.is_empty() {
                let lists = state.entry_lists();
                img.files = crate::pass::file_records(state.tree.view(&lists));
            }
        }
        report
    }

    /// Checks every image's signatures and attestations again, against `policy` (keys or
    /// roots the user added after the image was read), from the documents kept. Without
    /// [`Options::keep_trust_inputs`] nothing was kept and the report stays as it was.
    pub fn verify_trust(&mut self, policy: &crate::trust::TrustPolicy, limits: &crate::limits::Limits) {
        for (img, state) in self.report.images.iter_mut().zip(&self.images) {
            if !state.trust.kept {
                continue;
            }
            let found = state.trust.examine(policy, limits);
            img.signatures = found.signatures;
            img.attestations = found.attestations;
            img.trust = Some(found.trust);
            // The ignore file is not kept: the first decision on this rule stands.
            crate::pass::content_trust(img, None);
        }
    }

    /// How many file versions image `image` holds (the length of its `--files` list).
    pub fn file_count(&self, image: usize) -> usize {
        self.images.get(image).map_or(0, |s| s.tree.versions().len())
    }
}

/// What stays in memory of one image after its report is made.
pub struct ImageState {
    /// Per layer: its entries and captures (empty for a layer that could not be read).
    pub layers: Vec<Rc<LayerResult>>,
    /// Per layer: the blob's name in the archive and, in a random-access source, its range.
    pub blobs: Vec<Option<BlobPlace>>,
    pub tree: MergedTree,
    /// The image's config as parsed (what a comparison reads beyond the report).
    pub config: ImageConfig,
    /// What the signatures were checked from.
    pub trust: TrustInputs,
}

/// Where a layer blob is.
#[derive(Debug, Clone)]
pub struct BlobPlace {
    pub name: String,
    pub range: Option<(u64, u64)>,
}

impl ImageState {
    /// The entry lists of all layers, in order.
    pub fn entry_lists(&self) -> Vec<&EntryList> {
        self.layers.iter().map(|r| &r.entries).collect()
    }
}

/// [`inspect`] of a file (shorthand): its report.
pub fn inspect_blob(source: &(impl BlobSource + ?Sized), path: &str, opts: &Options, obs: &mut dyn Observer) -> Report {
    explore_blob(source, path, opts, obs).report
}

/// [`inspect`] of a file (shorthand), keeping what is needed to explore it afterwards.
pub fn explore_blob(
    source: &(impl BlobSource + ?Sized),
    path: &str,
    opts: &Options,
    obs: &mut dyn Observer,
) -> Inspection {
    let input = Input::File {
        source,
        name: path,
        prepared: Prepared::new(),
    };
    inspect(input, opts, obs)
}

/// [`inspect`] of a stream read once (shorthand): its report.
pub fn inspect_reader(reader: impl std::io::Read, path: &str, opts: &Options, obs: &mut dyn Observer) -> Report {
    let opened = crate::source::read_stream(reader, path, opts, &mut |n| obs.bytes(n));
    inspect::<dyn BlobSource>(Input::Opened(opened), opts, obs).report
}

/// What the source said about its input, beside the store.
struct SourceFacts<'o> {
    /// The report's format is the layout's (a registry names its own).
    set_format: bool,
    /// For a registry image: where the expected manifest digest came from.
    manifest_digest: Option<&'o ManifestDigestOrigin>,
    /// What a registry fetch could not look up of the signatures and attestations.
    attached_notes: &'o [String],
}

/// Plans and assembles every image of a store into `report`; returns each image's state.
fn describe(
    store: &mut dyn Store,
    report: &mut Report,
    facts: &SourceFacts,
    opts: &Options,
    obs: &mut dyn Observer,
    prepared: &mut Prepared,
) -> Vec<ImageState> {
    report.errors.extend(store.errors());
    let plans = match layout::plan(store, &opts.limits, opts.platform.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            report.errors.push(e);
            return Vec::new();
        }
    };
    if facts.set_format {
        report.source.format = Some(plans.format.as_str().to_string());
    }
    report.errors.extend(plans.errors);
    obs.planned(&plans.images);
    let mut known = LayerResults {
        read: HashMap::new(),
        prepared,
    };
    let mut states = Vec::new();
    let mut notes = facts.attached_notes.to_vec();
    notes.extend(plans.attached_notes.iter().cloned());
    let single = plans.images.len() == 1;
    for (i, plan) in plans.images.iter().enumerate() {
        match assemble(store, plan, i, facts.manifest_digest, opts, obs, &mut known) {
            Ok((mut img, state)) => {
                let mismatched = img
                    .checks
                    .iter()
                    .chain(img.layers.iter().flat_map(|l| l.checks.iter()))
                    .any(|c| c.status == CheckStatus::Mismatch);
                let (found, inputs) = examine_trust(store, plan, &plans.attached, &notes, single, mismatched, opts);
                img.signatures = found.signatures;
                img.attestations = found.attestations;
                img.trust = Some(found.trust);
                crate::pass::content_trust(&mut img, Some(&opts.vuln_policy.ignore));
                report.images.push(img);
                states.push(ImageState { trust: inputs, ..state });
            }
            Err(e) => report.errors.push(e),
        }
    }
    states
}

/// Bytes of signature documents kept per image for checking them again.
const TRUST_KEPT_BYTES: usize = 32 << 20;

/// What the trust examination of one image read, kept so that it can run again with other
/// keys and roots (the page's "add a key") without the input.
#[derive(Default)]
pub struct TrustInputs {
    image: crate::trust::Image,
    attached: Vec<crate::trust::attached::Attached>,
    notes: Vec<String>,
    single: bool,
    /// The blobs read, by digest (bounded: artifacts and their layers are few and small).
    blobs: HashMap<Digest, std::result::Result<Vec<u8>, String>>,
    /// Whether the blobs were kept at all ([`Options::keep_trust_inputs`]).
    kept: bool,
}

impl TrustInputs {
    /// The image's signatures and attestations checked against `policy`.
    pub fn examine(
        &self,
        policy: &crate::trust::TrustPolicy,
        limits: &crate::limits::Limits,
    ) -> crate::trust::Findings {
        let mut read = |d: &Digest| {
            self.blobs
                .get(d)
                .cloned()
                .unwrap_or_else(|| Err(format!("{d} is not in the input")))
        };
        crate::trust::examine(
            &mut read,
            &self.image,
            &self.attached,
            &self.notes,
            self.single,
            policy,
            limits,
        )
    }
}

/// The signatures and attestations of one image ([`crate::trust`]), read from the store.
fn examine_trust(
    store: &mut dyn Store,
    plan: &ImagePlan,
    attached: &[crate::trust::attached::Attached],
    notes: &[String],
    single: bool,
    mismatched: bool,
    opts: &Options,
) -> (crate::trust::Findings, TrustInputs) {
    let image = crate::trust::Image {
        verified: plan.verified_digests(),
        named: plan
            .documents
            .iter()
            .flat_map(|d| [d.expected.clone(), d.actual.clone()])
            .collect(),
        has_manifest: !plan.documents.is_empty(),
        own: plan.attached.clone(),
        mismatched,
    };
    let limits = &opts.limits;
    let mut blobs = HashMap::new();
    let mut kept = 0usize;
    let mut read = |d: &Digest| {
        let path = layout::blob_path(d);
        let got = if store.has(&path) {
            store.read_small(&path, limits).map_err(|e| e.message)
        } else {
            Err(format!("{d} is not in the input"))
        };
        // What is kept for checking again is bounded; past it, a later check says so.
        let size = got.as_ref().map_or(0, Vec::len);
        if !opts.keep_trust_inputs {
            return got;
        }
        let keep = if kept + size <= TRUST_KEPT_BYTES {
            kept += size;
            got.clone()
        } else {
            Err(format!(
                "{d} was not kept: over {} MiB of signature documents",
                TRUST_KEPT_BYTES >> 20
            ))
        };
        blobs.insert(d.clone(), keep);
        got
    };
    let found = crate::trust::examine(&mut read, &image, attached, notes, single, &opts.trust, limits);
    let inputs = TrustInputs {
        image,
        attached: attached.to_vec(),
        notes: notes.to_vec(),
        single,
        blobs,
        kept: opts.keep_trust_inputs,
    };
    (found, inputs)
}

/// The layer results of a store's images, by canonical blob name: those read so far (a layer
/// shared by several images is read once) and those processed ahead.
struct LayerResults<'p> {
    read: HashMap<String, Rc<LayerResult>>,
    prepared: &'p mut Prepared,
}

/// Builds one image's report. Fails only when the image cannot be described at all (no
/// readable config); everything else becomes an error inside the image report.
fn assemble(
    store: &mut dyn Store,
    plan: &ImagePlan,
    index: usize,
    manifest_digest: Option<&ManifestDigestOrigin>,
    opts: &Options,
    obs: &mut dyn Observer,
    known: &mut LayerResults,
) -> Result<(ImageReport, ImageState)> {
    let limits = &opts.limits;
    let mut errors = plan.errors.clone();
    let cfg_name = plan.config.name.clone().ok_or_else(|| {
        errors
            .first()
            .cloned()
            .unwrap_or_else(|| Error::malformed("the image has no config"))
    })?;
    let cfg_bytes = store.read_small(&cfg_name, limits).map_err(|e| e.in_entry(&cfg_name))?;
    let config: ImageConfig =
        parse_json(&cfg_bytes, "image config", limits.json_bytes).map_err(|e| e.in_entry(&cfg_name))?;
    let cfg_digest = Digest::of(&cfg_bytes);
    let mut checks = crate::checks::documents(plan, manifest_digest);
    checks.extend(crate::checks::config(
        plan,
        &cfg_digest,
        cfg_bytes.len() as u64,
        opts.expect_digest.as_ref(),
    ));

    let diff_ids: Vec<String> = config.rootfs.as_ref().map(|r| r.diff_ids.clone()).unwrap_or_default();
    if diff_ids.len() != plan.layers.len() {
        errors.push(Error::malformed(format!(
            "the config lists {} diff_ids but the manifest {} layers",
            diff_ids.len(),
            plan.layers.len()
        )));
    }
    let history = config.layer_history();
    let mut results: Vec<Rc<LayerResult>> = Vec::new();
    let mut blobs: Vec<Option<BlobPlace>> = Vec::new();
    let mut layers: Vec<LayerReport> = Vec::new();
    let mut used: u64 = 0;
    for (i, lp) in plan.layers.iter().enumerate() {
        obs.layer(index, i);
        let diff_id = diff_ids.get(i).cloned();
        if let Some(d) = &diff_id
            && let Err(e) = Digest::parse(d)
        {
            errors.push(
                Error::malformed(format!("the config's diff_id for this layer is invalid: {}", e.message)).in_layer(i),
            );
        }
        let foreign = lp.foreign
            || diff_id
                .as_ref()
                .and_then(|d| plan.layer_sources.get(d))
                .is_some_and(|d| d.is_foreign());
        let name = lp.name.clone().filter(|n| store.has(n));
        let result = match &name {
            None => {
                let shown = lp.name.clone().unwrap_or_else(|| "(no name)".into());
                errors.push(
                    if foreign {
                        Error::unsupported("foreign (non-distributable) layer is not included in the archive")
                            .in_entry(&shown)
                    } else {
                        store.missing(&shown)
                    }
                    .in_layer(i),
                );
                None
            }
            Some(n) => {
                let key = store.canonical(n).unwrap_or_else(|| n.clone());
                if let Some(r) = known.read.get(&key) {
                    Some(r.clone())
                } else {
                    // Processed ahead (threads, workers), else read here.
                    let done = known.prepared.remove(&key).unwrap_or_else(|| {
                        let budget = limits.image_uncompressed_bytes.saturating_sub(used);
                        store.layer(n, limits, budget, &mut |b| obs.bytes(b))
                    });
                    match done {
                        Ok(r) => {
                            let r = Rc::new(r);
                            known.read.insert(key, r.clone());
                            Some(r)
                        }
                        Err(e) => {
                            errors.push(e.in_layer(i).in_entry(n));
                            None
                        }
                    }
                }
            }
        };
        if let Some(r) = &result {
            used = used.saturating_add(r.digests.uncompressed_size.unwrap_or(0));
            if let Some(e) = &r.digests.error {
                errors.push(e.clone().in_layer(i).in_entry(name.as_deref().unwrap_or("")));
            }
        }
        layers.push(layer_report(
            i,
            lp,
            result.as_deref().map(|r| &r.digests),
            diff_id.as_deref(),
            history
                .get(i)
                .cloned()
                .flatten()
                .map(|c| crate::scan::secrets::redact_text(&c)),
        ));
        results.push(result.unwrap_or_default());
        blobs.push(name.map(|n| BlobPlace {
            range: store.locate(&n),
            name: store.canonical(&n).unwrap_or(n),
        }));
    }

    // Layers processed ahead (in parallel) each had the whole budget; the sum is checked here.
    if used > limits.image_uncompressed_bytes {
        errors.push(Error::limit(format!(
            "the image's layers decompress to {used} bytes, over the limit of {}",
            limits.image_uncompressed_bytes
        )));
    }
    let entry_lists: Vec<&EntryList> = results.iter().map(|r| &r.entries).collect();
    let tree = MergedTree::build(&entry_lists);
    let verified = crate::checks::image_verified(&checks, &layers);
    let mut report = ImageReport {
        name: plan.name.clone(),
        repo_tags: plan.repo_tags.clone(),
        manifest_digest: plan.manifest_digest.as_ref().map(Digest::to_string),
        config_digest: Some(cfg_digest.to_string()),
        platform: plan.platform.clone().or_else(|| {
            (!config.os.is_empty() && !config.architecture.is_empty()).then(|| {
                Platform {
                    os: config.os.clone(),
                    architecture: config.architecture.clone(),
                    variant: config.variant.clone(),
                }
                .render()
            })
        }),
        platforms_available: plan.platforms_available.clone(),
        verified,
        checks,
        os_release: None,
        config: ConfigReport::default(),
        layers,
        summary: Summary::default(),
        files: Vec::new(),
        secrets: Vec::new(),
        packages: Vec::new(),
        distro: None,
        errors,
        vulnerabilities: Vec::new(),
        vulnerability_summary: None,
        signatures: Vec::new(),
        attestations: Vec::new(),
        trust: None,
        best_practices: Vec::new(),
        best_practices_suppressed: Vec::new(),
        secret_placeholders: Vec::new(),
    };
    let image = ImageView::new(&config, tree.view(&entry_lists), &results, opts);
    crate::pass::run_all(&image, &mut report);
    Ok((
        report,
        ImageState {
            layers: results,
            blobs,
            tree,
            config,
            // Filled in once the image's attachments are examined (`describe`).
            trust: TrustInputs::default(),
        },
    ))
}

fn layer_report(
    i: usize,
    lp: &layout::BlobPlan,
    r: Option<&Digests>,
    diff_id: Option<&str>,
    created_by: Option<String>,
) -> LayerReport {
    let (checks, verified) = crate::checks::layer(lp, r, diff_id);
    LayerReport {
        index: i,
        digest: lp
            .digest
            .as_ref()
            .map(Digest::to_string)
            .or_else(|| r.and_then(|r| r.blob_digest.as_ref()).map(Digest::to_string)),
        diff_id: diff_id.filter(|d| Digest::parse(d).is_ok()).map(str::to_string),
        media_type: lp.media_type.clone(),
        compression: r.and_then(|r| r.compression).map(|c| c.as_str().to_string()),
        size: r.map(|r| r.blob_size).or(lp.size),
        uncompressed_size: r.and_then(|r| r.uncompressed_size),
        created_by,
        verified,
        checks,
        files_added: 0,
        files_modified: 0,
        files_deleted: 0,
        bytes_added: 0,
        bytes_modified: 0,
        bytes_wasted: 0,
    }
}
