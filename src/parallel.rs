//! Layers processed out of order: the CLI runs them on threads, the page on a pool of workers
//! (each with its own wasm instance reading its own slices of the same `File`). The
//! coordinator lists the distinct layer blobs of a tar archive ([`layer_jobs`], largest
//! first), each job becomes a [`LayerResult`] anywhere ([`run_job`]), and the results are
//! handed to the inspection ([`crate::inspect::explore_blob_prepared`]), which then reads
//! no layer itself. Outputs are identical to a sequential inspection.

use crate::blob::BlobSource;
use crate::compress::{self, SNIFF_LEN, Sniffed};
use crate::digest::Digest;
use crate::error::Result;
use crate::image::pipeline::{LayerResult, process_range};
use crate::inspect::Options;
use crate::source::Store;
use crate::source::archive::{ArchiveStore, CHUNK};
use crate::source::layout::ImagePlan;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One layer blob to process: the outer tar entry holding it and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerJob {
    /// The canonical entry name (symlinked layers resolved), the key of its result.
    pub entry: String,
    pub offset: u64,
    pub size: u64,
}

/// Results computed ahead, by canonical entry name.
pub type Prepared = HashMap<String, Result<LayerResult>>;

/// The distinct layer blobs of the images a plain tar archive holds, largest first (so the
/// longest job starts first). Empty when the input is not a plain tar (a compressed tarball
/// can only be streamed) or cannot be planned: the inspection then reads layers itself.
pub fn layer_jobs(source: &(impl BlobSource + ?Sized), opts: &Options) -> Vec<LayerJob> {
    plan_jobs(source, opts).0
}

/// [`layer_jobs`] and the image plans they come from (for showing the layer table before any
/// layer is read). No plans when the input is not a plain tar or cannot be planned.
pub fn plan_jobs(source: &(impl BlobSource + ?Sized), opts: &Options) -> (Vec<LayerJob>, Vec<ImagePlan>) {
    let mut head = vec![0u8; SNIFF_LEN.min(source.len() as usize)];
    if head.is_empty() || source.read_exact_at(0, &mut head).is_err() || compress::sniff(&head) != Sniffed::Tar {
        return (Vec::new(), Vec::new());
    }
    let mut store = ArchiveStore::open(source, &opts.limits);
    let Ok(plans) = crate::source::layout::plan(&mut store, &opts.limits, opts.platform.as_ref()) else {
        return (Vec::new(), Vec::new());
    };
    let mut jobs: Vec<LayerJob> = Vec::new();
    for lp in plans.images.iter().flat_map(|i| i.layers.iter()) {
        let Some(name) = lp.name.as_deref().filter(|n| store.has(n)) else {
            continue;
        };
        let entry = store.canonical(name).unwrap_or_else(|| name.to_string());
        if jobs.iter().any(|j| j.entry == entry) {
            continue;
        }
        if let Some((offset, size)) = store.locate(name) {
            jobs.push(LayerJob { entry, offset, size });
        }
    }
    jobs.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.entry.cmp(&b.entry)));
    (jobs, plans.images)
}

/// Processes one job (any thread, any worker). The image-wide decompression budget is
/// checked when the results are assembled.
pub fn run_job(
    source: &(impl BlobSource + ?Sized),
    job: &LayerJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    let max = opts
        .limits
        .layer_uncompressed_bytes
        .min(opts.limits.image_uncompressed_bytes);
    process_range(source, job.offset, job.size, &opts.limits, max, CHUNK, progress).map_err(|e| e.in_entry(&job.entry))
}

/// [`run_job`] without hashing the blob (`digests.blob_digest` is `None`): for a dominant
/// layer whose blob another worker hashes with [`hash_job`] at the same time.
pub fn run_job_unhashed(
    source: &(impl BlobSource + ?Sized),
    job: &LayerJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    let max = opts
        .limits
        .layer_uncompressed_bytes
        .min(opts.limits.image_uncompressed_bytes);
    let mut p = crate::image::pipeline::LayerPipeline::new(&opts.limits, max).without_blob_hash();
    crate::image::pipeline::feed_range(source, job.offset, job.size, CHUNK, &mut p, progress)
        .map_err(|e| e.in_entry(&job.entry))?;
    Ok(p.finish())
}

/// The sha256 of a job's blob, read on its own.
pub fn hash_job(source: &(impl BlobSource + ?Sized), job: &LayerJob, progress: &mut dyn FnMut(u64)) -> Result<Digest> {
    let mut h = crate::digest::Hasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    while done < job.size {
        let n = ((job.size - done).min(buf.len() as u64)) as usize;
        source
            .read_exact_at(job.offset + done, &mut buf[..n])
            .map_err(|e| e.in_entry(&job.entry))?;
        h.update(&buf[..n]);
        done += n as u64;
        progress(n as u64);
    }
    Ok(h.finish())
}

/// Joins the halves of a split job: the blob digest into the unhashed result.
pub fn with_blob_digest(mut r: Result<LayerResult>, digest: Option<Digest>) -> Result<LayerResult> {
    if let Ok(res) = &mut r
        && res.digests.blob_digest.is_none()
    {
        res.digests.blob_digest = digest;
    }
    r
}

/// A result as bytes, to send between workers.
pub fn encode_result(r: &Result<LayerResult>) -> Vec<u8> {
    postcard::to_allocvec(r).unwrap_or_default()
}

/// The inverse of [`encode_result`]; a result that does not decode is an error of its own.
pub fn decode_result(bytes: &[u8]) -> Result<LayerResult> {
    postcard::from_bytes::<Result<LayerResult>>(bytes)
        .unwrap_or_else(|e| Err(crate::Error::io(format!("a worker's layer result did not decode: {e}"))))
}

/// Inspects a file with `threads` threads processing layers (natively). One thread, a
/// compressed tarball or a single layer: the plain sequential inspection.
#[cfg(not(target_arch = "wasm32"))]
pub fn explore_blob_threads(
    source: &(impl BlobSource + Sync + ?Sized),
    path: &str,
    opts: &Options,
    obs: &mut dyn crate::inspect::Observer,
    threads: usize,
) -> crate::inspect::Inspection {
    let jobs = if threads > 1 {
        layer_jobs(source, opts)
    } else {
        Vec::new()
    };
    if jobs.len() < 2 {
        return crate::inspect::explore_blob(source, path, opts, obs);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Prepared::new());
    let read = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads.min(jobs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let r = run_job(source, job, opts, &mut |n| {
                        read.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    });
                    if let Ok(mut d) = done.lock() {
                        d.insert(job.entry.clone(), r);
                    }
                }
            });
        }
    });
    obs.bytes(read.into_inner());
    let prepared = done.into_inner().unwrap_or_default();
    crate::inspect::explore_blob_prepared(source, path, opts, obs, prepared)
}
