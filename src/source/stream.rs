//! A tar that can be read only once (a gzipped tarball, stdin, a fetch body): every entry is
//! handled as it passes. Small JSON documents are kept; anything that looks like a layer runs
//! through its own pipeline at once, because in `docker save` output `manifest.json` comes
//! last, so which entries are layers is known only at the end.

use super::memory::MemoryStore;
use super::{Opened, Origin, entry_name, resolve_link};
use crate::compress::{self, Compression, Decoder, SNIFF_LEN, Sniffed};
use crate::error::{Error, Result};
use crate::image::{LayerPipeline, LayerResult};
use crate::limits::Limits;
use crate::options::Options;
use crate::tar::stream::{EntrySink, Flow, StreamLimits, TarStream, Want};
use crate::tar::{EntryKind, TarEntry};
use std::collections::HashMap;
use std::io::{self, Write};

enum Current {
    None,
    Undecided { name: String, head: Vec<u8> },
    Small { name: String, buf: Vec<u8> },
    Layer { name: String, pipeline: Box<LayerPipeline> },
    Skip,
}

/// Collects what the single pass finds.
struct Collector {
    limits: Limits,
    small: HashMap<String, Vec<u8>>,
    small_total: u64,
    layers: HashMap<String, LayerResult>,
    sizes: HashMap<String, u64>,
    links: HashMap<String, String>,
    counts: HashMap<String, usize>,
    current: Current,
    errors: Vec<Error>,
}

impl Collector {
    fn decide(&mut self, name: String, head: Vec<u8>, size: u64) {
        let first = head.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let small_doc = matches!(first, Some(b'{') | Some(b'[')) || size <= 4096;
        let looks_like_layer = matches!(compress::sniff(&head), Sniffed::Gzip | Sniffed::Zstd | Sniffed::Tar)
            || (head.len() >= SNIFF_LEN && head.iter().all(|&b| b == 0));
        self.current = if looks_like_layer && !matches!(first, Some(b'{')) {
            let mut p = Box::new(LayerPipeline::new(&self.limits, self.limits.layer_uncompressed_bytes));
            p.push(&head);
            Current::Layer { name, pipeline: p }
        } else if small_doc && size <= self.limits.json_bytes {
            if self.small_total + size > self.limits.json_bytes * 4 {
                self.errors
                    .push(Error::limit("too many JSON documents to keep while streaming").in_entry(&name));
                Current::Skip
            } else {
                self.small_total += size;
                Current::Small { name, buf: head }
            }
        } else {
            Current::Skip
        };
    }
}

impl EntrySink for Collector {
    fn entry(&mut self, t: &TarEntry) -> Result<Want> {
        let name = entry_name(&t.path_lossy());
        match t.kind {
            EntryKind::Regular => {
                *self.counts.entry(name.clone()).or_default() += 1;
                self.sizes.insert(name.clone(), t.size);
                self.links.remove(&name);
                self.current = Current::Undecided { name, head: Vec::new() };
                Ok(Want::Body)
            }
            EntryKind::Symlink => {
                let target = resolve_link(&name, &String::from_utf8_lossy(&t.link));
                self.links.insert(name, target);
                Ok(Want::Skip)
            }
            EntryKind::Hardlink => {
                self.links.insert(name, entry_name(&String::from_utf8_lossy(&t.link)));
                Ok(Want::Skip)
            }
            _ => Ok(Want::Skip),
        }
    }

    fn content(&mut self, t: &TarEntry, mut data: &[u8]) -> Result<Want> {
        if let Current::Undecided { head, .. } = &mut self.current {
            let n = (SNIFF_LEN - head.len()).min(data.len());
            head.extend_from_slice(&data[..n]);
            data = &data[n..];
            if head.len() < SNIFF_LEN {
                return Ok(Want::Body);
            }
            if let Current::Undecided { name, head } = std::mem::replace(&mut self.current, Current::None) {
                self.decide(name, head, t.size);
            }
        }
        match &mut self.current {
            Current::Small { buf, .. } => buf.extend_from_slice(data),
            Current::Layer { pipeline, .. } => pipeline.push(data),
            _ => {}
        }
        Ok(Want::Body)
    }

    fn end(&mut self, t: &TarEntry) -> Result<Flow> {
        if matches!(self.current, Current::Undecided { .. })
            && let Current::Undecided { name, head } = std::mem::replace(&mut self.current, Current::None)
        {
            self.decide(name, head, t.size);
        }
        match std::mem::replace(&mut self.current, Current::None) {
            Current::Small { name, buf } => {
                self.small.insert(name, buf);
            }
            Current::Layer { name, pipeline } => {
                self.small.remove(&name);
                self.layers.insert(name, pipeline.finish());
            }
            _ => {}
        }
        Ok(Flow::Continue)
    }
}

struct Feed {
    tar: TarStream,
    collector: Collector,
}

impl Write for Feed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tar.push(buf, &mut self.collector).map_err(compress::to_io)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Stage {
    Sniffing(Vec<u8>),
    Running(Box<Decoder<Feed>>),
    Failed(Box<Decoder<Feed>>),
}

/// Inspects an image arriving as pushed chunks, in one pass.
pub struct StreamInspector {
    opts: Options,
    compression: Option<Compression>,
    stage: Stage,
    error: Option<Error>,
}

impl StreamInspector {
    /// `compression`: the outer compression if already known, else it is sniffed.
    pub fn new(compression: Option<Compression>, opts: &Options) -> Self {
        StreamInspector {
            opts: opts.clone(),
            compression,
            stage: Stage::Sniffing(Vec::new()),
            error: None,
        }
    }

    fn feed(&self) -> Feed {
        let l = &self.opts.limits;
        Feed {
            tar: TarStream::new(StreamLimits {
                meta_bytes: l.tar_meta_bytes,
                entries: l.layer_entries,
                path_bytes: l.path_bytes,
            }),
            collector: Collector {
                limits: l.clone(),
                small: HashMap::new(),
                small_total: 0,
                layers: HashMap::new(),
                sizes: HashMap::new(),
                links: HashMap::new(),
                counts: HashMap::new(),
                current: Current::None,
                errors: Vec::new(),
            },
        }
    }

    /// Records a read failure; what was read so far is still described.
    pub fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    pub fn push(&mut self, chunk: &[u8]) {
        match &mut self.stage {
            Stage::Sniffing(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= SNIFF_LEN {
                    let head = std::mem::take(head);
                    self.start(&head);
                }
            }
            Stage::Running(dec) => {
                if let Err(e) = dec.push(chunk) {
                    self.stop(e);
                }
            }
            Stage::Failed(_) => {}
        }
    }

    fn start(&mut self, head: &[u8]) {
        let c = match self.compression {
            Some(c) => c,
            None => match compress::sniff(head) {
                Sniffed::Gzip => Compression::Gzip,
                Sniffed::Zstd => Compression::Zstd,
                Sniffed::Tar => Compression::None,
                Sniffed::Foreign(what) => {
                    self.fail(Error::malformed(format!("not an image: the input is {what}")));
                    Compression::None
                }
                Sniffed::Unknown => {
                    self.fail(Error::malformed(
                        "not an image: the input is not a tar archive (nor gzip- or zstd-compressed)",
                    ));
                    Compression::None
                }
            },
        };
        self.compression = Some(c);
        let mut dec = Box::new(Decoder::new(c, self.feed(), self.opts.limits.zstd_window_bytes));
        if self.error.is_some() {
            self.stage = Stage::Failed(dec);
            return;
        }
        let r = dec.push(head);
        self.stage = Stage::Running(dec);
        if let Err(e) = r {
            self.stop(e);
        }
    }

    fn stop(&mut self, e: io::Error) {
        let what = match self.compression {
            Some(Compression::None) | None => "tar stream",
            Some(Compression::Gzip) => "gzip stream",
            Some(Compression::Zstd) => "zstd stream",
        };
        self.fail(compress::from_io(e, what));
        if let Stage::Running(dec) = std::mem::replace(&mut self.stage, Stage::Sniffing(Vec::new())) {
            self.stage = Stage::Failed(dec);
        }
    }

    /// Ends the input; what was found, for `origin` (its compression and `streamed` are set).
    pub fn finish(mut self, mut origin: Origin) -> Opened<'static> {
        if let Stage::Sniffing(head) = &mut self.stage {
            let head = std::mem::take(head);
            if head.is_empty() {
                return Opened::failed(origin, Error::malformed("not an image: the input is empty"));
            }
            self.start(&head);
        }
        origin.streamed = true;
        origin.compression = self.compression.unwrap_or(Compression::None);
        let mut dec = match std::mem::replace(&mut self.stage, Stage::Sniffing(Vec::new())) {
            Stage::Running(mut dec) => {
                if let Err(e) = dec.finish() {
                    self.stop(e);
                } else if let Err(e) = dec.get_mut().tar.finish() {
                    self.fail(e);
                }
                dec
            }
            Stage::Failed(dec) => dec,
            Stage::Sniffing(_) => {
                return Opened {
                    origin,
                    store: None,
                    errors: Vec::new(),
                    manifest_digest: None,
                    reread: None,
                    attached_notes: Vec::new(),
                };
            }
        };
        let feed = dec.get_mut();
        // An entry cut off by the end of the input still counts for what it held.
        let _ = feed.collector.end(&TarEntry {
            path: Vec::new(),
            link: Vec::new(),
            kind: EntryKind::Regular,
            size: 0,
            mode: 0,
            uid: 0,
            gid: 0,
            mtime: 0,
            header_offset: 0,
        });
        let c = &mut feed.collector;
        let mut store = MemoryStore {
            missing_note: None,
            small: std::mem::take(&mut c.small),
            layers: std::mem::take(&mut c.layers),
            sizes: std::mem::take(&mut c.sizes),
            links: std::mem::take(&mut c.links),
            errors: std::mem::take(&mut c.errors),
        };
        let mut dups: Vec<_> = c.counts.iter().filter(|(_, n)| **n > 1).collect();
        dups.sort();
        for (name, n) in dups {
            store.errors.push(
                Error::malformed(format!(
                    "the archive holds {n} entries named {name:?}; the last one is used"
                ))
                .in_entry(name),
            );
        }
        if let Some(e) = self.error.take() {
            store.errors.push(e);
        }
        Opened::with(origin, store)
    }
}

/// Forwards the body of one outer entry into a layer pipeline.
struct Forward<'a, S: EntrySink> {
    name: &'a str,
    inner: &'a mut LayerPipeline<S>,
    active: bool,
}

impl<S: EntrySink> EntrySink for Forward<'_, S> {
    fn entry(&mut self, t: &TarEntry) -> Result<Want> {
        self.active = t.kind == EntryKind::Regular && entry_name(&t.path_lossy()) == self.name;
        Ok(if self.active { Want::Body } else { Want::Skip })
    }
    fn content(&mut self, _: &TarEntry, data: &[u8]) -> Result<Want> {
        self.inner.push(data);
        Ok(if self.inner.is_stopped() {
            Want::Stop
        } else {
            Want::Body
        })
    }
    fn end(&mut self, _: &TarEntry) -> Result<Flow> {
        Ok(if self.active { Flow::Stop } else { Flow::Continue })
    }
}

struct ForwardFeed<'a, S: EntrySink> {
    tar: TarStream,
    fwd: Forward<'a, S>,
    /// The entry was fed whole: the decoder is stopped by a write error carrying no meaning.
    stopped: bool,
}

impl<S: EntrySink> Write for ForwardFeed<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.tar.push(buf, &mut self.fwd).map_err(compress::to_io)? == Flow::Stop {
            self.stopped = true;
            return Err(io::Error::other("the entry was fed whole"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Streams a compressed tarball again and feeds the outer entry `name` into `inner`: how a
/// file is read back from an input that allows no random access.
pub fn feed_entry<S: EntrySink>(
    source: &(impl crate::BlobSource + ?Sized),
    compression: Compression,
    name: &str,
    inner: &mut LayerPipeline<S>,
    limits: &Limits,
) -> Result<()> {
    let feed = ForwardFeed {
        tar: TarStream::new(StreamLimits {
            meta_bytes: limits.tar_meta_bytes,
            entries: limits.layer_entries,
            path_bytes: limits.path_bytes,
        }),
        fwd: Forward {
            name,
            inner,
            active: false,
        },
        stopped: false,
    };
    let mut dec = Decoder::new(compression, feed, limits.zstd_window_bytes);
    let mut failed = None;
    let mut push = |chunk: &[u8]| match dec.push(chunk) {
        Ok(()) => true,
        Err(e) => {
            // A stop (the entry was fed whole) is no failure.
            failed = (!dec.get_mut().stopped).then(|| compress::from_io(e, "tarball"));
            false
        }
    };
    crate::image::pipeline::feed_range(source, 0, source.len(), super::archive::CHUNK, &mut push, &mut |_| {})?;
    failed.map_or(Ok(()), Err)
}
