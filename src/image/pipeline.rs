//! One layer, one pass: bytes in (pulled slices or pushed network chunks, any size) →
//! sha256 of the blob → sniff + decompress → sha256 of the uncompressed stream → tar walk →
//! an [`EntrySink`] (normally a [`LayerWalker`] recording entries and running the layer
//! analyzers). Nothing here holds a whole layer.

use crate::analyzer::Findings;
use crate::compress::{self, Compression, Decoder, SNIFF_LEN, Sniffed};
use crate::digest::{Digest, Hasher};
use crate::error::{Error, ErrorKind, Result};
use crate::fs::EntryList;
use crate::image::walk::LayerWalker;
use crate::limits::Limits;
use crate::tar::stream::{EntrySink, Flow, StreamLimits, TarStream};
use std::io::{self, Write};

/// What one pass over one layer blob found.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LayerResult {
    pub digests: Digests,
    /// Entries in tar order.
    pub entries: EntryList,
    /// What the layer analyzers found ([`crate::analyzer`]).
    pub findings: Findings,
}

/// The decompressed side: hashes, counts and walks.
struct Inflated<S: EntrySink> {
    hasher: Hasher,
    /// Whether `hasher` hashes (else it is left to another worker; `len` still counts).
    hash: bool,
    len: u64,
    max: u64,
    tar: TarStream,
    sink: Option<S>,
    /// A walk error: walking stops, hashing continues (so the diff_id is still checked).
    walk_error: Option<Error>,
    /// The sink asked to stop: the decoder is stopped by a write error carrying no meaning.
    stopped: bool,
    /// The decompressed bytes kept for another worker to hash ([`LayerPipeline::relay`]).
    relay: Option<Relay>,
}

/// Decompressed bytes kept between two [`LayerPipeline::take_relayed`] calls, at most `cap`:
/// past it relaying stops for good (the other worker then decompresses by itself), so a
/// stream that inflates enormously per chunk never piles up here.
struct Relay {
    out: Vec<u8>,
    cap: usize,
    aborted: bool,
}

impl<S: EntrySink> Write for Inflated<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.max.saturating_sub(self.len);
        if buf.len() as u64 > room {
            // Up to the limit exactly, whatever the pieces the stream came in (the page's
            // browser hands them out in other sizes than this core's inflater): the walk and
            // what it found are the same either way.
            self.take(&buf[..room as usize])?;
            return Err(compress::to_io(
                Error::limit(format!(
                    "layer decompresses to more than {} bytes (decompression bomb guard)",
                    self.max
                ))
                .at_offset(self.len),
            ));
        }
        self.take(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<S: EntrySink> Inflated<S> {
    /// Counts, hashes, relays and walks `buf`.
    fn take(&mut self, buf: &[u8]) -> io::Result<()> {
        self.len += buf.len() as u64;
        if self.hash {
            self.hasher.update(buf);
        }
        if let Some(r) = &mut self.relay
            && !r.aborted
        {
            if r.out.len() + buf.len() > r.cap {
                r.aborted = true;
                r.out = Vec::new();
            } else {
                r.out.extend_from_slice(buf);
            }
        }
        if self.walk_error.is_none()
            && let Some(sink) = self.sink.as_mut()
        {
            match self.tar.push(buf, sink) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => {
                    self.stopped = true;
                    return Err(io::Error::other("the walk stopped"));
                }
                // Limits end the layer; other walk errors only stop the walk.
                Err(e) if matches!(e.kind, ErrorKind::Limit) => return Err(compress::to_io(e)),
                Err(e) => self.walk_error = Some(e),
            }
        }
        Ok(())
    }
}

enum Stage<S: EntrySink> {
    /// Collecting the first bytes to recognise the compression.
    Sniffing(Vec<u8>),
    Decoding(Compression, Box<Decoder<Inflated<S>>>),
    /// Decompression stopped (error recorded); only the blob hash continues.
    Stopped(Option<Compression>, Option<Box<Decoder<Inflated<S>>>>),
}

/// What the pipeline computed, whatever the sink.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Digests {
    /// Compression detected from the blob's magic bytes (`None` if the blob was empty).
    pub compression: Option<Compression>,
    /// sha256 and length of all bytes pushed.
    pub blob_digest: Option<Digest>,
    pub blob_size: u64,
    /// sha256 and length of the decompressed stream; `None` if it could not be decompressed
    /// to the end (see `error`).
    pub diff_id: Option<Digest>,
    pub uncompressed_size: Option<u64>,
    /// Whether decompression failed because the data is corrupt (as opposed to a limit).
    pub corrupt: bool,
    /// Whether the sink asked to stop early (then the digests are partial).
    pub stopped: bool,
    /// The first error; processing stops walking at it but keeps hashing where it can.
    pub error: Option<Error>,
}

/// A layer being processed, fed by [`push`](Self::push).
pub struct LayerPipeline<S: EntrySink = LayerWalker> {
    limits: Limits,
    max_uncompressed: u64,
    blob: Hasher,
    /// Whether `blob` hashes (another worker may hash the blob while this one decompresses).
    hash_blob: bool,
    blob_len: u64,
    /// Whether the uncompressed stream is hashed, and walked.
    hash_uncompressed: bool,
    walk: bool,
    /// Keep the decompressed bytes for another worker, at most this many between two takes.
    relay_cap: Option<usize>,
    /// The blob is decompressed elsewhere (the page's browser inflates gzip natively): pushed
    /// bytes are the decompressed stream, the blob's own bytes come through
    /// [`push_blob`](Self::push_blob) or [`blob_read`](Self::blob_read).
    outside: bool,
    /// The blob's digest computed elsewhere ([`blob_read`](Self::blob_read)).
    blob_outside: Option<Digest>,
    stage: Stage<S>,
    sink: Option<S>,
    error: Option<Error>,
    stopped: bool,
}

impl LayerPipeline<LayerWalker> {
    /// A pipeline recording entries and running every layer analyzer
    /// ([`crate::analyzer::for_layer`]). `max_uncompressed` is this layer's share of the
    /// decompression budget.
    pub fn new(limits: &Limits, max_uncompressed: u64) -> Self {
        let walker = LayerWalker::new(crate::analyzer::for_layer(limits));
        Self::with_sink(limits, max_uncompressed, walker)
    }

    /// Ends the blob and returns what was found.
    pub fn finish(self) -> LayerResult {
        let (digests, walker) = self.finish_with_sink();
        let (entries, findings) = walker.map(LayerWalker::finish).unwrap_or_default();
        LayerResult {
            digests,
            entries,
            findings,
        }
    }
}

impl<S: EntrySink> LayerPipeline<S> {
    pub fn with_sink(limits: &Limits, max_uncompressed: u64, sink: S) -> Self {
        LayerPipeline {
            limits: limits.clone(),
            max_uncompressed: max_uncompressed.min(limits.layer_uncompressed_bytes),
            blob: Hasher::new(),
            hash_blob: true,
            blob_len: 0,
            hash_uncompressed: true,
            walk: true,
            relay_cap: None,
            outside: false,
            blob_outside: None,
            stage: Stage::Sniffing(Vec::new()),
            sink: Some(sink),
            error: None,
            stopped: false,
        }
    }

    /// Does only part of the work, for a layer split between two workers (see
    /// [`crate::parallel::Part`]): without the blob digest, the uncompressed digest or the walk
    /// (the corresponding results stay `None` or empty).
    pub fn only(mut self, hash_blob: bool, hash_uncompressed: bool, walk: bool) -> Self {
        self.hash_blob = hash_blob;
        self.hash_uncompressed = hash_uncompressed;
        self.walk = walk;
        self
    }

    /// Keeps the decompressed bytes for [`take_relayed`](Self::take_relayed), at most `cap`
    /// of them between two takes; past that, relaying stops for good
    /// ([`relay_aborted`](Self::relay_aborted)).
    pub fn relay(mut self, cap: usize) -> Self {
        self.relay_cap = Some(cap);
        self
    }

    /// The blob was decompressed elsewhere from `compression` (the page inflates gzip with the
    /// browser's `DecompressionStream`, where the caller checked [`compress::gzip_head_complete`]):
    /// [`push`](Self::push) takes the decompressed stream, which is counted against the
    /// decompression limit, hashed and walked exactly as this pipeline's decoder output would
    /// be; the blob's bytes go to [`push_blob`](Self::push_blob). Nothing is relayed (the
    /// caller has the decompressed bytes).
    pub fn decompressed_outside(mut self, compression: Compression) -> Self {
        self.outside = true;
        self.relay_cap = None;
        let inflated = self.inflated(compression);
        self.stage = Stage::Decoding(compression, Box::new(Decoder::None(inflated)));
        self
    }

    /// The next bytes of the blob itself, for its digest and size, when it is decompressed
    /// elsewhere ([`decompressed_outside`](Self::decompressed_outside)).
    pub fn push_blob(&mut self, chunk: &[u8]) {
        self.blob_len += chunk.len() as u64;
        if self.hash_blob {
            self.blob.update(chunk);
        }
    }

    /// The blob was read elsewhere: its size, and its digest when it was computed there (the
    /// page hashes a small blob with WebCrypto), which is then this pipeline's blob digest.
    pub fn blob_read(&mut self, size: u64, digest: Option<Digest>) {
        self.blob_len = size;
        if digest.is_some() {
            self.blob_outside = digest;
        }
    }

    /// Whether the decompressed stream is still wanted: false once decoding stopped (an error,
    /// a limit, or the sink asked to stop); the blob may still be pushed for its digest.
    pub fn wants_decompressed(&self) -> bool {
        matches!(self.stage, Stage::Decoding(..))
    }

    fn relay_state(&mut self) -> Option<&mut Relay> {
        match &mut self.stage {
            Stage::Decoding(_, dec) | Stage::Stopped(_, Some(dec)) => dec.get_mut().relay.as_mut(),
            _ => None,
        }
    }

    /// Starts decoding a blob shorter than the sniffing window, once all of it was pushed (for
    /// a relay: [`finish`](Self::finish) would do it, but too late for the last take). The
    /// decoders hold nothing back between pushes.
    pub fn start_short_blob(&mut self) {
        if let Stage::Sniffing(head) = &mut self.stage
            && !head.is_empty()
        {
            let head = std::mem::take(head);
            self.start(&head);
        }
    }

    /// The decompressed bytes since the last take (empty unless relaying).
    pub fn take_relayed(&mut self) -> Vec<u8> {
        self.take_relayed_with(<[u8]>::to_vec)
    }

    /// [`take_relayed`](Self::take_relayed) handing the bytes to `f`: the buffer is kept for
    /// the next ones (the wasm build copies them straight into a JS array).
    pub fn take_relayed_with<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self.relay_state() {
            Some(r) => {
                let out = f(&r.out);
                r.out.clear();
                out
            }
            None => f(&[]),
        }
    }

    /// Whether this relaying pipeline's decompressed stream is the blob itself (an uncompressed
    /// layer): nothing is relayed, the partner's blob digest is also the uncompressed digest.
    pub fn relays_blob(&self) -> bool {
        self.relay_cap.is_some()
            && matches!(
                self.stage,
                Stage::Decoding(Compression::None, _) | Stage::Stopped(Some(Compression::None), _)
            )
    }

    /// Whether relaying stopped because too much was decompressed between two takes.
    pub fn relay_aborted(&mut self) -> bool {
        self.relay_state().is_some_and(|r| r.aborted)
    }

    /// Whether the sink asked to stop; further input is ignored.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Feeds the next chunk of the blob.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.stopped {
            return;
        }
        if self.outside {
            return self.decode(chunk);
        }
        self.blob_len += chunk.len() as u64;
        if self.hash_blob {
            self.blob.update(chunk);
        }
        match &mut self.stage {
            Stage::Sniffing(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= SNIFF_LEN {
                    let head = std::mem::take(head);
                    self.start(&head);
                }
            }
            Stage::Decoding(..) => self.decode(chunk),
            Stage::Stopped(..) => {}
        }
    }

    fn start(&mut self, head: &[u8]) {
        let compression = match compress::sniff(head) {
            Sniffed::Gzip => Compression::Gzip,
            Sniffed::Zstd => Compression::Zstd,
            Sniffed::Tar => Compression::None,
            Sniffed::Foreign(what) => {
                return self.stop(
                    None,
                    Error::unsupported(format!("layer is {what}, not a tar, gzip or zstd stream")),
                );
            }
            Sniffed::Unknown if head.iter().all(|&b| b == 0) => Compression::None, // an empty tar
            Sniffed::Unknown => {
                return self.stop(None, Error::malformed("layer is not a tar, gzip or zstd stream"));
            }
        };
        let inflated = self.inflated(compression);
        self.stage = Stage::Decoding(
            compression,
            // The CRC is checked although the two sha256 digests cover the bytes: a layer whose
            // digests are right for a broken gzip member is one gunzip, Docker and the browser
            // refuse (natively the CRC costs next to nothing; the page inflates with the
            // browser's inflater, which checks it too, and falls back here).
            Box::new(Decoder::new(compression, inflated, self.limits.zstd_window_bytes)),
        );
        self.decode(head);
    }

    /// The decompressed side for a stream of `compression` (takes the sink when walking).
    fn inflated(&mut self, compression: Compression) -> Inflated<S> {
        let l = &self.limits;
        Inflated {
            hasher: Hasher::new(),
            // An uncompressed layer is its own uncompressed stream: one hash gives both digests.
            hash: self.hash_uncompressed && !self.diff_is_blob(compression),
            len: 0,
            max: self.max_uncompressed,
            tar: TarStream::new(StreamLimits {
                meta_bytes: l.tar_meta_bytes,
                entries: l.layer_entries,
                path_bytes: l.path_bytes,
            }),
            sink: if self.walk { self.sink.take() } else { None },
            walk_error: None,
            stopped: false,
            // An uncompressed layer is its own decompressed stream: the partner hashes it once.
            relay: self
                .relay_cap
                .filter(|_| compression != Compression::None)
                .map(|cap| Relay {
                    out: Vec::new(),
                    cap,
                    aborted: false,
                }),
        }
    }

    /// Whether the uncompressed digest is the blob digest (computed anyway).
    fn diff_is_blob(&self, compression: Compression) -> bool {
        compression == Compression::None && self.hash_blob
    }

    /// Decodes `data`; a decoder error stops decoding (recorded), and so does a sink that
    /// asked to stop (not an error).
    fn decode(&mut self, data: &[u8]) {
        if let Stage::Decoding(c, dec) = &mut self.stage
            && let Err(e) = dec.push(data)
        {
            let c = *c;
            if dec.get_mut().stopped {
                self.stopped = true;
                self.halt(Some(c));
            } else {
                let err = compress::from_io(e, &format!("{} layer data", c.as_str()));
                self.stop(Some(c), err);
            }
        }
    }

    fn stop(&mut self, compression: Option<Compression>, err: Error) {
        self.halt(compression);
        self.error.get_or_insert(err);
    }

    /// No more decoding; the decoder is kept for its sink and counts.
    fn halt(&mut self, compression: Option<Compression>) {
        let old = std::mem::replace(&mut self.stage, Stage::Stopped(compression, None));
        if let Stage::Decoding(_, dec) = old {
            self.stage = Stage::Stopped(compression, Some(dec));
        }
    }

    /// Ends the blob; returns the digests and the sink.
    pub fn finish_with_sink(mut self) -> (Digests, Option<S>) {
        if let Stage::Sniffing(head) = &mut self.stage {
            let head = std::mem::take(head);
            if head.is_empty() {
                self.stop(None, Error::malformed("layer blob is empty"));
            } else {
                self.start(&head);
            }
        }
        let mut out = Digests {
            blob_size: self.blob_len,
            stopped: self.stopped,
            ..Default::default()
        };
        let mut complete = false;
        let dec = match std::mem::replace(&mut self.stage, Stage::Stopped(None, None)) {
            Stage::Decoding(c, mut dec) => {
                out.compression = Some(c);
                match dec.finish() {
                    Ok(()) => complete = true,
                    // The sink stopped at the decoder's last bytes.
                    Err(_) if dec.get_mut().stopped => out.stopped = true,
                    Err(e) => {
                        let err = compress::from_io(e, &format!("{} layer data", c.as_str()));
                        self.error.get_or_insert(err);
                    }
                }
                Some(dec)
            }
            Stage::Stopped(c, dec) => {
                out.compression = c;
                dec
            }
            Stage::Sniffing(_) => None,
        };
        if let Some(err) = &self.error {
            out.corrupt = err.kind == ErrorKind::Malformed && out.compression.is_some_and(|c| c != Compression::None);
        }
        let blob_digest = match self.blob_outside.take() {
            Some(d) => Some(d),
            None => self.hash_blob.then(|| std::mem::take(&mut self.blob).finish()),
        };
        let mut sink = self.sink.take();
        if let Some(mut dec) = dec {
            let inf = dec.get_mut();
            let hasher = std::mem::take(&mut inf.hasher);
            sink = inf.sink.take();
            let walk_error = inf.walk_error.take().or_else(|| {
                if complete && self.walk {
                    inf.tar.finish().err()
                } else {
                    None
                }
            });
            if complete {
                out.uncompressed_size = Some(inf.len);
                out.diff_id = match (self.hash_uncompressed, out.compression) {
                    (true, Some(c)) if self.diff_is_blob(c) => blob_digest.clone(),
                    (true, _) => Some(hasher.finish()),
                    (false, _) => None,
                };
            }
            if let Some(e) = walk_error {
                self.error.get_or_insert(e);
            }
        }
        out.blob_digest = blob_digest;
        out.error = self.error;
        (out, sink)
    }
}

/// Runs a whole layer held in a random-access source through a pipeline, in chunks.
pub fn process_range(
    source: &(impl crate::BlobSource + ?Sized),
    start: u64,
    len: u64,
    limits: &Limits,
    max_uncompressed: u64,
    chunk: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerResult> {
    let mut p = LayerPipeline::new(limits, max_uncompressed);
    feed_range(source, start, len, chunk, &mut p.feeder(), progress)?;
    Ok(p.finish())
}

impl<S: EntrySink> LayerPipeline<S> {
    /// `push`, then whether more input is wanted: the form [`feed_range`] takes.
    pub fn feeder(&mut self) -> impl FnMut(&[u8]) -> bool + '_ {
        |chunk| {
            self.push(chunk);
            !self.is_stopped()
        }
    }
}

/// Reads `[start, start+len)` of `source` in chunks into `push`, which says whether it wants
/// more (a pipeline whose sink asked to stop does not).
pub fn feed_range(
    source: &(impl crate::BlobSource + ?Sized),
    start: u64,
    len: u64,
    chunk: usize,
    push: &mut dyn FnMut(&[u8]) -> bool,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let mut buf = vec![0u8; chunk.max(4096)];
    let mut done = 0u64;
    while done < len {
        let n = ((len - done).min(buf.len() as u64)) as usize;
        source.read_exact_at(start + done, &mut buf[..n])?;
        let more = push(&buf[..n]);
        done += n as u64;
        progress(n as u64);
        if !more {
            break;
        }
    }
    Ok(())
}
