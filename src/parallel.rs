//! Layers processed out of order: the CLI runs them on threads, the page on a pool of workers
//! (each with its own wasm instance reading its own slices of the same `File`). The
//! coordinator lists the distinct layer blobs of a tar archive ([`plan_jobs`], largest first),
//! and [`schedule`] decides how they are read: the policy is here, in one place, and the
//! threads ([`on_threads`]) and the page's pool only carry it out. Each job becomes a
//! [`LayerResult`] anywhere ([`run_job`]), and the results are handed to the inspection
//! (`Input::File { prepared, .. }` of [`crate::inspect::inspect`]), which then reads those
//! layers no more. Outputs are identical to a sequential inspection.

use crate::blob::BlobSource;
use crate::compress::{self, SNIFF_LEN, Sniffed};
use crate::digest::Hasher;
use crate::error::Result;
use crate::image::pipeline::{LayerPipeline, LayerResult, feed_range};
use crate::options::Options;
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
    plan_jobs(source, opts).jobs
}

/// A file's layer jobs, the image plans they come from (for showing the layer table before
/// any layer is read), and which planned layers each job holds.
#[derive(Debug, Default)]
pub struct JobPlan {
    /// Largest first.
    pub jobs: Vec<LayerJob>,
    pub images: Vec<ImagePlan>,
    /// Parallel to `jobs`: the `(image, layer)` positions whose blob the job is (a blob shared
    /// by several images is several).
    pub layers: Vec<Vec<(usize, usize)>>,
}

/// [`layer_jobs`] with the plans and the layers each job holds. Nothing when the input is not
/// a plain tar or cannot be planned.
pub fn plan_jobs(source: &(impl BlobSource + ?Sized), opts: &Options) -> JobPlan {
    let mut head = vec![0u8; SNIFF_LEN.min(source.len() as usize)];
    if head.is_empty() || source.read_exact_at(0, &mut head).is_err() || compress::sniff(&head) != Sniffed::Tar {
        return JobPlan::default();
    }
    let mut store = ArchiveStore::open(source, &opts.limits);
    let Ok(plans) = crate::source::layout::plan(&mut store, &opts.limits, opts.platform.as_ref()) else {
        return JobPlan::default();
    };
    let mut found: Vec<(LayerJob, Vec<(usize, usize)>)> = Vec::new();
    for (i, image) in plans.images.iter().enumerate() {
        for (l, lp) in image.layers.iter().enumerate() {
            let Some(name) = lp.name.as_deref().filter(|n| store.has(n)) else {
                continue;
            };
            let entry = store.canonical(name).unwrap_or_else(|| name.to_string());
            if let Some((_, at)) = found.iter_mut().find(|(j, _)| j.entry == entry) {
                at.push((i, l));
            } else if let Some((offset, size)) = store.locate(name) {
                found.push((LayerJob { entry, offset, size }, vec![(i, l)]));
            }
        }
    }
    found.sort_by(|(a, _), (b, _)| b.size.cmp(&a.size).then_with(|| a.entry.cmp(&b.entry)));
    let (jobs, layers) = found.into_iter().unzip();
    JobPlan {
        jobs,
        images: plans.images,
        layers,
    }
}

/// One task of a pool: a whole job, or a part of the dominant one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Task {
    /// Index into the jobs.
    pub job: usize,
    pub part: Part,
}

/// How a file's layers are read: the tasks in the order they are handed out, and on how many
/// workers (threads natively). Fewer than two: no pool, the inspection reads the layers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub tasks: Vec<Task>,
    pub workers: usize,
}

/// The pool's schedule for `jobs`, with up to `workers` workers. Every job is one task, largest
/// first, except a dominant one (bigger than all the others together, a lone layer included),
/// which is split into its `Relay` and `Digests` parts, first in the queue so that two workers
/// start them at once: one decompresses and walks it and passes the decompressed bytes on, the
/// other hashes them (and the blob, whichever is less busy); nothing is done twice. With fewer
/// layer bytes than `min_bytes` (twice that when a layer is split, which gains less than
/// reading different layers at once) one worker reads everything.
pub fn schedule(jobs: &[LayerJob], workers: usize, min_bytes: u64) -> Schedule {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|&a, &b| jobs[b].size.cmp(&jobs[a].size).then(a.cmp(&b)));
    let total: u64 = jobs.iter().map(|j| j.size).sum();
    let split = order
        .first()
        .is_some_and(|&first| jobs[first].size > total - jobs[first].size);
    let mut tasks = Vec::new();
    for (n, &job) in order.iter().enumerate() {
        if n == 0 && split {
            tasks.push(Task { job, part: Part::Relay });
            tasks.push(Task {
                job,
                part: Part::Digests,
            });
        } else {
            tasks.push(Task { job, part: Part::All });
        }
    }
    let min = min_bytes.saturating_mul(if split { 2 } else { 1 });
    let workers = if total >= min { workers.min(tasks.len()) } else { 1 };
    Schedule { tasks, workers }
}

/// Processes one job (any thread, any worker). The image-wide decompression budget is
/// checked when the results are assembled.
pub fn run_job(
    source: &(impl BlobSource + ?Sized),
    job: &LayerJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    run_job_part(source, job, Part::All, opts, progress)
}

/// Part of a job, for a layer that dominates an image, run by two workers at once: one
/// decompresses and walks it and relays the decompressed bytes on to be hashed elsewhere
/// (`Relay` and [`RelayHashes`]: the page hashes the decompressed stream in the other worker,
/// and the blob in whichever of the two is less busy; the CLI in a second thread), with
/// `Digests` when relaying stops. Hashing is about half the work in wasm (no SHA instructions),
/// so the layer is read in about half the time, and nothing is done twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Everything ([`run_job`]).
    All,
    /// The walk, no digests; the decompressed bytes kept for another worker
    /// ([`JobFeed::take_relayed`]).
    Relay,
    /// Both digests, no walk: what a relay's partner does by itself when relaying stopped.
    Digests,
}

/// Most decompressed bytes a relaying worker keeps between two takes (its caller takes them
/// after every chunk of at most [`RELAY_CHUNK`] blob bytes): a stream inflating more than
/// that per chunk is not relayed (its partner decompresses by itself).
pub const RELAY_CAP: usize = 8 << 20;
/// The blob bytes a relaying worker pushes at a time.
pub const RELAY_CHUNK: usize = 256 << 10;

impl Part {
    /// (blob digest, uncompressed digest, walk)
    fn work(self) -> (bool, bool, bool) {
        match self {
            Part::All => (true, true, true),
            Part::Relay => (false, false, true),
            Part::Digests => (true, true, false),
        }
    }

    /// Whether this part's result has the walk, the others' only digests to add to it.
    fn walks(self) -> bool {
        self.work().2
    }
}

/// Runs part of a job, reading it from `source`; [`join_halves`] puts a `Relay` result and its
/// partners' together.
pub fn run_job_part(
    source: &(impl BlobSource + ?Sized),
    job: &LayerJob,
    part: Part,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    let mut feed = JobFeed::new(job, part, opts);
    feed_range(
        source,
        job.offset,
        job.size,
        CHUNK,
        &mut |chunk| feed.push(chunk),
        progress,
    )
    .map_err(|e| e.in_entry(&job.entry))?;
    feed.finish()
}

/// A layer's share of the decompression budget (the image-wide one is checked when the
/// results are assembled).
fn uncompressed_max(opts: &Options) -> u64 {
    opts.limits
        .layer_uncompressed_bytes
        .min(opts.limits.image_uncompressed_bytes)
}

/// A job (or half of one) whose blob bytes are pushed in by the caller as they arrive: the page
/// streams them from the `File`, so that reading overlaps the work (a synchronous read waits
/// for every slice) and every call into wasm is short. The result is [`run_job_part`]'s.
pub struct JobFeed {
    pipeline: LayerPipeline,
    relay: bool,
    entry: String,
    size: u64,
    received: u64,
    /// Decompressed elsewhere ([`JobFeed::decompressed_outside`]).
    outside: bool,
}

impl JobFeed {
    pub fn new(job: &LayerJob, part: Part, opts: &Options) -> Self {
        let (blob, diff, walk) = part.work();
        let pipeline = LayerPipeline::new(&opts.limits, uncompressed_max(opts)).only(blob, diff, walk);
        JobFeed {
            relay: part == Part::Relay,
            pipeline: if part == Part::Relay {
                pipeline.relay(RELAY_CAP)
            } else {
                pipeline
            },
            entry: job.entry.clone(),
            size: job.size,
            received: 0,
            outside: false,
        }
    }

    /// A job whose blob is decompressed elsewhere from `compression` (the page's browser
    /// inflates gzip): [`push`](Self::push) takes the decompressed stream, the blob's bytes go
    /// to [`push_blob`](Self::push_blob) (or [`blob_read`](Self::blob_read) says they were read
    /// and hashed elsewhere). The result is the one [`new`](Self::new) would give for the blob.
    pub fn decompressed_outside(
        job: &LayerJob,
        part: Part,
        opts: &Options,
        compression: compress::Compression,
    ) -> Self {
        let (blob, diff, walk) = part.work();
        JobFeed {
            relay: false,
            pipeline: LayerPipeline::new(&opts.limits, uncompressed_max(opts))
                .only(blob, diff, walk)
                .decompressed_outside(compression),
            entry: job.entry.clone(),
            size: job.size,
            received: 0,
            outside: true,
        }
    }

    /// Feeds the next bytes of the blob (any beyond its size are ignored); false once no more
    /// are wanted: all arrived, or the walk stopped at a limit. Decompressed elsewhere: the
    /// next decompressed bytes; false once decoding stopped (an error or a limit: the blob is
    /// still wanted for its digest).
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        if self.outside {
            self.pipeline.push(chunk);
            return self.pipeline.wants_decompressed();
        }
        let room = usize::try_from(self.size - self.received).map_or(chunk.len(), |r| r.min(chunk.len()));
        self.pipeline.push(&chunk[..room]);
        self.received += room as u64;
        if self.relay && self.received == self.size {
            self.pipeline.start_short_blob();
        }
        self.received < self.size && !self.pipeline.is_stopped()
    }

    /// Decompressed elsewhere: the next bytes of the blob itself (for its digest and size;
    /// any beyond its size are ignored); false once all arrived.
    pub fn push_blob(&mut self, chunk: &[u8]) -> bool {
        let room = usize::try_from(self.size - self.received).map_or(chunk.len(), |r| r.min(chunk.len()));
        self.pipeline.push_blob(&chunk[..room]);
        self.received += room as u64;
        self.received < self.size
    }

    /// Decompressed elsewhere: the blob was read (and, with `digest`, hashed) elsewhere; `size`
    /// is how many of its bytes were.
    pub fn blob_read(&mut self, size: u64, digest: Option<crate::digest::Digest>) {
        self.received = size.min(self.size);
        self.pipeline.blob_read(self.received, digest);
    }

    /// The decompressed bytes since the last take, for the partner of a `Relay` part.
    pub fn take_relayed(&mut self) -> Vec<u8> {
        self.pipeline.take_relayed()
    }

    /// [`take_relayed`](Self::take_relayed) handing the bytes to `f` (no new buffer each time).
    pub fn take_relayed_with<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> R {
        self.pipeline.take_relayed_with(f)
    }

    /// Whether a `Relay` part's decompressed stream is the blob (uncompressed): nothing is
    /// relayed, and the blob's digest is the uncompressed one ([`RelayHashes::finish_blob`]).
    pub fn relays_blob(&self) -> bool {
        self.pipeline.relays_blob()
    }

    /// Whether a `Relay` part stopped relaying (too much decompressed from one chunk).
    pub fn relay_aborted(&mut self) -> bool {
        self.pipeline.relay_aborted()
    }

    /// What the job found; an error if the blob ended before its size while still wanted.
    pub fn finish(self) -> Result<LayerResult> {
        if self.received < self.size && !self.pipeline.is_stopped() {
            return Err(crate::Error::io(format!(
                "the input ended after {} of the layer blob's {} bytes",
                self.received, self.size
            ))
            .in_entry(&self.entry));
        }
        Ok(self.pipeline.finish())
    }
}

/// What hashes the bytes a `Relay` part passes on, the decompressed stream or the blob; its
/// result has only its digests (joined to the walk by [`prepare`]). A hasher can move between
/// workers mid-stream ([`RelayHashes::state`], [`RelayHashes::resume`]): the page's relaying
/// worker hashes the blob while its partner is busy and hands it over while it is not.
#[derive(Default)]
pub struct RelayHashes {
    hasher: Hasher,
}

impl RelayHashes {
    pub fn push(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// The running state as bytes, for [`RelayHashes::resume`] in another worker.
    pub fn state(&self) -> Vec<u8> {
        self.hasher.to_state()
    }

    /// A hasher going on from another's [`RelayHashes::state`]; `None` if the bytes are not one.
    pub fn resume(state: &[u8]) -> Option<RelayHashes> {
        Hasher::from_state(state).map(|hasher| RelayHashes { hasher })
    }

    /// As the blob's hasher; `blob_is_stream`: the layer is uncompressed ([`JobFeed::relays_blob`]),
    /// so the blob digest is the uncompressed one too.
    pub fn finish_blob(self, blob_is_stream: bool) -> LayerResult {
        let mut r = LayerResult::default();
        r.digests.blob_size = self.hasher.len();
        let blob = self.hasher.finish();
        if blob_is_stream {
            r.digests.uncompressed_size = Some(r.digests.blob_size);
            r.digests.diff_id = Some(blob.clone());
        }
        r.digests.blob_digest = Some(blob);
        r
    }

    /// As the decompressed stream's hasher; nothing if `blob_is_stream` (nothing was relayed:
    /// the blob's hasher has the uncompressed digest).
    pub fn finish_uncompressed(self, blob_is_stream: bool) -> LayerResult {
        let mut r = LayerResult::default();
        if !blob_is_stream {
            r.digests.uncompressed_size = Some(self.hasher.len());
            r.digests.diff_id = Some(self.hasher.finish());
        }
        r
    }
}

/// A layer tar of about `kib` KiB that exercises what a real one does — text-like and
/// pseudo-random files (inflate, both digests, the secret prefilter), an os-release and a dpkg
/// database (captured) — for warming up an engine before the first file (see the page).
pub fn warm_up_layer(kib: u32) -> Vec<u8> {
    let mut t = crate::tar::write::TarBuilder::new();
    t.dir("etc");
    t.file(
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"warm-up\"\n",
        0o644,
    );
    t.file(
        "var/lib/dpkg/status",
        b"Package: warm-up\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n\n",
        0o644,
    );
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut left = usize::try_from(kib).unwrap_or(0) * 1024;
    let mut file = 0;
    while left > 0 {
        let len = left.min(64 * 1024);
        let mut data = Vec::with_capacity(len + 64);
        while data.len() < len {
            // xorshift64: cheap bytes that do not compress; every other file is text that does.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if file % 2 == 0 {
                data.extend_from_slice(&x.to_le_bytes());
            } else {
                data.extend_from_slice(format!("line {} key_{}={}\n", data.len(), x % 97, x % 100_003).as_bytes());
            }
        }
        data.truncate(len);
        t.file(&format!("usr/share/warm-up/{file}.dat"), &data, 0o644);
        file += 1;
        left -= len;
    }
    t.finish()
}

/// A walking part (`Relay`) with the digests it lacks taken from a partner (`Digests`,
/// [`RelayHashes`]), exactly as one worker doing both would have found: a digest
/// counts only where both saw the same number of bytes (a limit hit while walking leaves the
/// uncompressed digest unchecked, as sequentially). A partner that failed where the walking
/// half needs its blob digest fails the pair.
pub fn join_halves(walk: Result<LayerResult>, other: Result<LayerResult>) -> Result<LayerResult> {
    let mut w = walk?;
    let d = match other {
        Ok(d) => d,
        Err(e) if w.digests.blob_digest.is_none() => return Err(e),
        Err(_) => return Ok(w),
    };
    if w.digests.blob_digest.is_none() && d.digests.blob_size == w.digests.blob_size {
        w.digests.blob_digest = d.digests.blob_digest;
    }
    if w.digests.uncompressed_size.is_some() && d.digests.uncompressed_size == w.digests.uncompressed_size {
        w.digests.diff_id = d.digests.diff_id;
    }
    Ok(w)
}

/// Results of whole jobs and of parts, by entry, into [`Prepared`]: a walking part and its
/// partners for the same entry are joined ([`join_halves`], one partner after the other); a
/// part without the others counts as not processed (the inspection then reads that layer
/// itself).
pub fn prepare(results: Vec<(String, Part, Result<LayerResult>)>) -> Prepared {
    let mut whole = Prepared::new();
    let mut walks: HashMap<String, Result<LayerResult>> = HashMap::new();
    let mut partners: HashMap<String, Vec<Result<LayerResult>>> = HashMap::new();
    for (entry, part, r) in results {
        match part {
            Part::All => {
                whole.insert(entry, r);
            }
            p if p.walks() => {
                walks.insert(entry, r);
            }
            _ => partners.entry(entry).or_default().push(r),
        }
    }
    for (entry, w) in walks {
        if let Some(ds) = partners.remove(&entry) {
            whole
                .entry(entry)
                .or_insert_with(|| ds.into_iter().fold(w, join_halves));
        }
    }
    whole
}

/// A result as bytes, to send between workers.
pub fn encode_result(r: &Result<LayerResult>) -> Vec<u8> {
    postcard::to_allocvec(r).unwrap_or_default()
}

/// The inverse of [`encode_result`]; a result that does not decode is an error of its own.
pub fn decode_result(bytes: &[u8]) -> Result<LayerResult> {
    let fail = |why: String| {
        Err(crate::Error::io(format!(
            "a worker's layer result did not decode: {why}"
        )))
    };
    match postcard::from_bytes::<Result<LayerResult>>(bytes) {
        Ok(Ok(r)) if !r.entries.is_consistent() => fail("its entry list is inconsistent".into()),
        Ok(r) => r,
        Err(e) => fail(e.to_string()),
    }
}

/// Processes the layers of a file on `threads` threads (natively), for [`crate::inspect`]:
/// nothing with one thread or a compressed tarball (the inspection then reads the layers
/// itself). A layer that dominates the image (a lone layer included) is relayed
/// ([`relay_job`]): one thread decompresses and walks it, another hashes, and the other layers
/// go to the remaining threads. `progress` gets the bytes read, from any thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_threads(
    source: &(impl BlobSource + Sync + ?Sized),
    opts: &Options,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Prepared {
    use std::sync::atomic::{AtomicUsize, Ordering};
    if threads < 2 {
        return Prepared::new();
    }
    let jobs = layer_jobs(source, opts);
    let plan = schedule(&jobs, threads, 0);
    if plan.workers < 2 {
        return Prepared::new();
    }
    // A split job is relayed between two threads ([`relay_job`]); the whole ones share the rest.
    let dominant = plan.tasks.iter().find(|t| t.part == Part::Relay).map(|t| &jobs[t.job]);
    let jobs: Vec<&LayerJob> = plan
        .tasks
        .iter()
        .filter(|t| t.part == Part::All)
        .map(|t| &jobs[t.job])
        .collect();
    let next = AtomicUsize::new(0);
    let done = std::sync::Mutex::new(Prepared::new());
    let record = |entry: &str, r: Result<LayerResult>| {
        if let Ok(mut d) = done.lock() {
            d.insert(entry.to_string(), r);
        }
    };
    std::thread::scope(|s| {
        if let Some(job) = &dominant {
            s.spawn(|| {
                let r = relay_job(source, job, opts, &mut |n| progress(n));
                record(&job.entry, r);
            });
        }
        let pair = if dominant.is_some() { 2 } else { 0 };
        for _ in 0..threads.saturating_sub(pair).max(1).min(jobs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let r = run_job(source, job, opts, &mut |n| progress(n));
                    record(&job.entry, r);
                }
            });
        }
    });
    done.into_inner().unwrap_or_default()
}

/// What a relaying thread passes on to its hashing thread.
#[cfg(not(target_arch = "wasm32"))]
enum Relayed {
    Blob(Vec<u8>),
    Uncompressed(Vec<u8>),
    /// All passed on; whether the layer is uncompressed ([`JobFeed::relays_blob`]).
    End(bool),
}

/// One job run by two threads, as the page's relay pair: this one decompresses and walks the
/// layer (part `Relay`), a second hashes the blob and the decompressed bytes it passes on, at
/// most eight pieces ahead. A piece that inflates too much stops the relay; the layer's digests
/// are then read here afterwards (part `Digests`). The result is [`run_job`]'s.
#[cfg(not(target_arch = "wasm32"))]
pub fn relay_job(
    source: &(impl BlobSource + Sync + ?Sized),
    job: &LayerJob,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Relayed>(8);
    let (walked, hashed) = std::thread::scope(|s| {
        let hasher = s.spawn(move || {
            let (mut blob, mut stream) = (RelayHashes::default(), RelayHashes::default());
            for m in rx {
                match m {
                    Relayed::Blob(b) => blob.push(&b),
                    Relayed::Uncompressed(b) => stream.push(&b),
                    Relayed::End(same) => return Some([stream.finish_uncompressed(same), blob.finish_blob(same)]),
                }
            }
            None // relaying stopped, or reading failed
        });
        let mut feed = JobFeed::new(job, Part::Relay, opts);
        let mut relaying = true;
        let read = feed_range(
            source,
            job.offset,
            job.size,
            RELAY_CHUNK,
            &mut |chunk| {
                let more = feed.push(chunk);
                if relaying && feed.relay_aborted() {
                    relaying = false;
                } else if relaying {
                    let sent = tx.send(Relayed::Uncompressed(feed.take_relayed()));
                    relaying = sent.is_ok() && tx.send(Relayed::Blob(chunk.to_vec())).is_ok();
                }
                more
            },
            progress,
        );
        if relaying && read.is_ok() {
            let _ = tx.send(Relayed::End(feed.relays_blob()));
        }
        drop(tx);
        let walked = read.map_err(|e| e.in_entry(&job.entry)).and_then(|()| feed.finish());
        (walked, hasher.join().ok().flatten())
    });
    match hashed {
        Some(partners) => partners.into_iter().map(Ok).fold(walked, join_halves),
        None => {
            let digests = run_job_part(source, job, Part::Digests, opts, &mut |_| {});
            join_halves(walked, digests)
        }
    }
}
