//! Inspection: from a source to a [`Report`]. Plans the images (format layer), reads each
//! config, runs each layer once through the pipeline (shared layers once per archive), merges
//! the filesystem and assembles the report. The report is owned here, in one place.

use crate::blob::BlobSource;
use crate::compress::{self, Compression, SNIFF_LEN, Sniffed};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::fs::{EntryList, MergedTree};
use crate::image::manifest::Platform;
use crate::image::pipeline::Digests;
use crate::image::{ImageConfig, LayerResult, parse_json};
use crate::parallel::Prepared;
use crate::pass::ImageView;
use crate::report::*;
use crate::source::archive::ArchiveStore;
use crate::source::layout::{self, ImagePlan};
use crate::source::{Store, stream::StreamInspector};
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

fn new_report(kind: &str, path: Option<&str>) -> Report {
    Report {
        report_version: REPORT_VERSION,
        porthole_version: env!("CARGO_PKG_VERSION").to_string(),
        source: SourceInfo {
            kind: kind.to_string(),
            path: path.map(str::to_string),
            compression: "none".into(),
            format: None,
            streamed: false,
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

/// Inspects a file held in a random-access source. `path` is the name shown in the report
/// (the base name of the file).
pub fn inspect_blob(source: &(impl BlobSource + ?Sized), path: &str, opts: &Options, obs: &mut dyn Observer) -> Report {
    explore_blob(source, path, opts, obs).report
}

/// Like [`inspect_blob`], and keeps what is needed to explore the image afterwards.
pub fn explore_blob(
    source: &(impl BlobSource + ?Sized),
    path: &str,
    opts: &Options,
    obs: &mut dyn Observer,
) -> Inspection {
    explore_blob_prepared(source, path, opts, obs, Prepared::new())
}

/// [`explore_blob`] with layer results computed ahead (on threads or workers, see
/// [`crate::parallel`]): a layer found in `prepared` is not read again.
pub fn explore_blob_prepared(
    source: &(impl BlobSource + ?Sized),
    path: &str,
    opts: &Options,
    obs: &mut dyn Observer,
    mut prepared: Prepared,
) -> Inspection {
    let mut report = new_report("file", Some(path));
    let mut head = vec![0u8; SNIFF_LEN.min(source.len() as usize)];
    let done = |report| Inspection {
        report,
        images: Vec::new(),
        streamed: None,
    };
    if let Err(e) = source.read_exact_at(0, &mut head) {
        report.errors.push(e);
        return done(report);
    }
    if head.is_empty() {
        report.errors.push(Error::malformed("not an image: the file is empty"));
        return done(report);
    }
    match compress::sniff(&head) {
        sniffed @ (Sniffed::Gzip | Sniffed::Zstd) => {
            let c = if sniffed == Sniffed::Gzip {
                Compression::Gzip
            } else {
                Compression::Zstd
            };
            let mut s = StreamInspector::new(Some(c), opts);
            let mut buf = vec![0u8; crate::source::archive::CHUNK];
            let mut off = 0u64;
            while off < source.len() {
                let n = ((source.len() - off).min(buf.len() as u64)) as usize;
                if let Err(e) = source.read_exact_at(off, &mut buf[..n]) {
                    s.fail(e);
                    break;
                }
                s.push(&buf[..n]);
                obs.bytes(n as u64);
                off += n as u64;
            }
            let mut ins = s.finish(report, obs);
            ins.streamed = Some(c);
            ins
        }
        Sniffed::Tar => {
            let mut store = ArchiveStore::open(source, &opts.limits);
            let images = describe_prepared(&mut store, &mut report, opts, obs, &mut prepared);
            Inspection {
                report,
                images,
                streamed: None,
            }
        }
        Sniffed::Foreign(what) => {
            report
                .errors
                .push(Error::malformed(format!("not an image: the file is {what}")));
            done(report)
        }
        Sniffed::Unknown => {
            report.errors.push(Error::malformed(
                "not an image: the file is not a tar archive (nor gzip- or zstd-compressed)",
            ));
            done(report)
        }
    }
}

/// Inspects a stream that can be read only once (stdin): one pass, buffering only small JSON.
pub fn inspect_reader(mut reader: impl std::io::Read, path: &str, opts: &Options, obs: &mut dyn Observer) -> Report {
    let report = new_report("stdin", Some(path));
    let mut s = StreamInspector::new(None, opts);
    let mut buf = vec![0u8; crate::source::archive::CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                s.push(&buf[..n]);
                obs.bytes(n as u64);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                s.fail(Error::io(format!("read failed: {e}")));
                break;
            }
        }
    }
    s.finish(report, obs).report
}

/// Plans and assembles every image of a store into `report`; returns each image's state.
pub fn describe(store: &mut dyn Store, report: &mut Report, opts: &Options, obs: &mut dyn Observer) -> Vec<ImageState> {
    describe_prepared(store, report, opts, obs, &mut Prepared::new())
}

fn describe_prepared(
    store: &mut dyn Store,
    report: &mut Report,
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
    report.source.format = Some(plans.format.as_str().to_string());
    report.errors.extend(plans.errors);
    obs.planned(&plans.images);
    let mut cache: HashMap<String, Rc<LayerResult>> = HashMap::new();
    let mut states = Vec::new();
    for (i, plan) in plans.images.iter().enumerate() {
        match assemble(store, plan, i, opts, obs, &mut cache, prepared) {
            Ok((img, state)) => {
                report.images.push(img);
                states.push(state);
            }
            Err(e) => report.errors.push(e),
        }
    }
    states
}

/// Builds one image's report. Fails only when the image cannot be described at all (no
/// readable config); everything else becomes an error inside the image report.
fn assemble(
    store: &mut dyn Store,
    plan: &ImagePlan,
    index: usize,
    opts: &Options,
    obs: &mut dyn Observer,
    cache: &mut HashMap<String, Rc<LayerResult>>,
    prepared: &mut Prepared,
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
    let mut checks = plan.checks.clone();
    checks.push(match &plan.config.digest {
        Some(d) => Check::compare(CheckWhat::ConfigDigest, d, &cfg_digest),
        None => Check::not_checkable(
            CheckWhat::ConfigDigest,
            plan.config
                .digest_reason
                .clone()
                .unwrap_or_else(|| "no expected digest".into()),
        )
        .with_expected(None),
    });
    if let Some(size) = plan.config.size {
        checks.push(Check::compare_size(CheckWhat::BlobSize, size, cfg_bytes.len() as u64).with_reason("config size"));
    }
    if let Some(pin) = &opts.expect_digest {
        let (what, actual) = match &plan.manifest_digest {
            Some(m) if m == pin => (CheckWhat::ManifestDigest, m.clone()),
            _ if &cfg_digest == pin => (CheckWhat::ConfigDigest, cfg_digest.clone()),
            Some(m) => (CheckWhat::ManifestDigest, m.clone()),
            None => (CheckWhat::ConfigDigest, cfg_digest.clone()),
        };
        checks.push(Check::compare(what, pin, &actual).with_reason("pinned with --expect-digest"));
    }

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
                if let Some(r) = cache.get(&key) {
                    Some(r.clone())
                } else {
                    // Processed ahead (threads, workers), else read here.
                    let done = prepared.remove(&key).unwrap_or_else(|| {
                        let budget = limits.image_uncompressed_bytes.saturating_sub(used);
                        store.layer(n, limits, budget, &mut |b| obs.bytes(b))
                    });
                    match done {
                        Ok(r) => {
                            let r = Rc::new(r);
                            cache.insert(key, r.clone());
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
    let verified = !checks.iter().any(|c| c.status == CheckStatus::Mismatch) && layers.iter().all(|l| l.verified);
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
    };
    let image = ImageView {
        config: &config,
        view: tree.view(&entry_lists),
        layers: &results,
        opts,
    };
    crate::pass::run_all(&image, &mut report);
    Ok((
        report,
        ImageState {
            layers: results,
            blobs,
            tree,
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
    }
}
