//! Bindings for the browser worker (wasm32 only): a `Blob`-backed [`BlobSource`] read by
//! slices with `FileReaderSync`, and a [`Session`] that inspects a file and then answers the
//! page's questions (directory listings, searches, file bytes). No logic here.

use crate::blob::BlobSource;
use crate::error::{Error, Result};
use crate::explore::{self, Filter};
use crate::inspect::{Inspection, Observer};
use crate::options::Options;
use crate::source::layout::ImagePlan;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A `File` or `Blob`, read synchronously by slices (only possible inside a worker). Each
/// `FileReaderSync` call costs about a millisecond, so reads go through a read-ahead window.
struct BlobReader {
    blob: web_sys::Blob,
    len: u64,
    reader: web_sys::FileReaderSync,
    /// The last window read: (offset, bytes).
    window: std::cell::RefCell<(u64, Vec<u8>)>,
}

/// Read-ahead size: large enough that the per-call cost vanishes, small for wasm memory.
const READ_AHEAD: u64 = 4 << 20;
/// The window after a seek (a tar header, a small JSON entry): reading 4 MiB there costs ~15 ms
/// where 64 KiB costs ~1 ms. Sequential reads double it up to READ_AHEAD.
const READ_AHEAD_MIN: u64 = 64 << 10;

impl BlobReader {
    fn new(blob: web_sys::Blob, len: u64, reader: web_sys::FileReaderSync) -> Self {
        BlobReader {
            blob,
            len,
            reader,
            window: std::cell::RefCell::new((0, Vec::new())),
        }
    }

    /// Reads `[offset, offset+want)` straight from the blob into `buf`.
    fn read_direct(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let end = (offset + buf.len() as u64).min(self.len);
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| Error::io(format!("Blob.slice failed: {e:?}")).at_offset(offset))?;
        let ab = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| Error::io(format!("FileReaderSync failed: {e:?}")).at_offset(offset))?;
        let arr = js_sys::Uint8Array::new(&ab);
        let n = (arr.length() as usize).min(buf.len());
        arr.subarray(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}

impl BlobSource for BlobReader {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        // Big reads go straight through; small ones are served from the window.
        if buf.len() as u64 >= READ_AHEAD {
            return self.read_direct(offset, buf);
        }
        let mut w = self.window.borrow_mut();
        let (start, bytes) = &mut *w;
        if offset < *start || offset >= *start + bytes.len() as u64 {
            let sequential = !bytes.is_empty() && offset == *start + bytes.len() as u64;
            let want = if sequential {
                (bytes.len() as u64 * 2).clamp(READ_AHEAD_MIN, READ_AHEAD)
            } else {
                READ_AHEAD_MIN.max(buf.len() as u64)
            };
            let size = want.min(self.len - offset) as usize;
            bytes.resize(size, 0);
            let n = self.read_direct(offset, bytes)?;
            bytes.truncate(n);
            *start = offset;
        }
        let from = (offset - *start) as usize;
        let n = buf.len().min(bytes.len() - from);
        buf[..n].copy_from_slice(&bytes[from..from + n]);
        Ok(n)
    }
}

/// The options of every page entry point: the page's limit settings, and no file list in
/// the report (a session makes it when the report is exported, see [`Session::write_report`]).
fn session_options(limits_json: Option<String>) -> std::result::Result<Options, JsValue> {
    Ok(Options {
        files: false,
        limits: limits_from(limits_json)?,
        ..Default::default()
    })
}

/// Passes what is written to a JavaScript function, about 1 MiB at a time.
struct JsChunks {
    sink: js_sys::Function,
    buf: Vec<u8>,
}

impl JsChunks {
    const PIECE: usize = 1 << 20;

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = js_sys::Uint8Array::from(&self.buf[..]);
        self.buf.clear();
        self.sink
            .call1(&JsValue::NULL, &piece)
            .map(|_| ())
            .map_err(|e| std::io::Error::other(format!("{e:?}")))
    }
}

impl std::io::Write for JsChunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= Self::PIECE {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Writes `report` as [`crate::report::Report::to_json`] does, in pieces, to `sink`.
fn write_json_chunks(report: &crate::report::Report, sink: js_sys::Function) -> std::result::Result<(), JsValue> {
    use std::io::Write;
    let mut w = JsChunks {
        sink,
        buf: Vec::with_capacity(JsChunks::PIECE + 4096),
    };
    serde_json::to_writer_pretty(&mut w, report).map_err(|e| JsValue::from_str(&e.to_string()))?;
    w.flush().map_err(|e| JsValue::from_str(&e.to_string()))
}

/// What the page can show before any layer is read.
#[derive(Serialize)]
struct PlannedImage {
    name: Option<String>,
    platform: Option<String>,
    layers: Vec<PlannedLayer>,
}

#[derive(Serialize)]
struct PlannedLayer {
    digest: Option<String>,
    size: Option<u64>,
    media_type: Option<String>,
}

/// Reports progress to a JavaScript callback `(event, a, b, detail)`:
/// `("planned", images, 0, json)` with the images and layers known from the manifests,
/// `("layer", image, layer)` when a layer starts, `("bytes", done, total)` as input is read.
struct JsObserver {
    callback: Option<js_sys::Function>,
    done: u64,
    total: u64,
}

impl JsObserver {
    fn emit(&self, what: &str, a: f64, b: f64, detail: &str) {
        if let Some(f) = &self.callback {
            let args = js_sys::Array::of4(
                &JsValue::from_str(what),
                &JsValue::from_f64(a),
                &JsValue::from_f64(b),
                &JsValue::from_str(detail),
            );
            let _ = f.apply(&JsValue::NULL, &args);
        }
    }
}

/// The images and layers known from the manifests, as the `planned` event carries them.
fn planned_json(plans: &[ImagePlan]) -> String {
    let images: Vec<PlannedImage> = plans
        .iter()
        .map(|p| PlannedImage {
            name: p.name.clone(),
            platform: p.platform.clone(),
            layers: p
                .layers
                .iter()
                .map(|l| PlannedLayer {
                    digest: l.digest.as_ref().map(|d| d.to_string()),
                    size: l.size,
                    media_type: l.media_type.clone(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string(&images).unwrap_or_default()
}

impl Observer for JsObserver {
    fn planned(&mut self, plans: &[ImagePlan]) {
        self.emit("planned", plans.len() as f64, 0.0, &planned_json(plans));
    }
    fn layer(&mut self, image: usize, layer: usize) {
        self.emit("layer", image as f64, layer as f64, "");
    }
    fn bytes(&mut self, n: u64) {
        self.done += n;
        self.emit("bytes", self.done as f64, self.total as f64, "");
    }
}

fn js_err(e: Error) -> JsValue {
    JsValue::from_str(&e.to_string())
}

fn filter(show_deleted: bool, changed_in: i32) -> Filter {
    Filter {
        show_deleted,
        changed_in: usize::try_from(changed_in).ok(),
    }
}

/// One inspected image, kept in the worker so the page can explore it.
#[wasm_bindgen]
pub struct Session {
    /// The dropped file; `None` for a registry image (its blobs are not kept).
    source: Option<BlobReader>,
    ins: Inspection,
    opts: Options,
}

#[wasm_bindgen]
impl Session {
    /// Inspects a dropped file (read by slices, never whole). `progress` receives
    /// `(event, a, b, detail)` calls, see the worker.
    /// `limits_json`: the page's limit settings (`{"layer_entries": 100000, …}`, see
    /// `Limits`); missing names keep their defaults.
    pub fn open(
        file: web_sys::File,
        progress: Option<js_sys::Function>,
        limits_json: Option<String>,
    ) -> std::result::Result<Session, JsValue> {
        let (source, name, len) = dropped(file)?;
        let opts = session_options(limits_json)?;
        let mut obs = JsObserver {
            callback: progress,
            done: 0,
            total: len,
        };
        let ins = crate::inspect::explore_blob(&source, &name, &opts, &mut obs);
        // Only layer bytes are counted on the way; the end is the whole file.
        obs.emit("bytes", len as f64, len as f64, "");
        Ok(Session {
            source: Some(source),
            ins,
            opts,
        })
    }

    /// [`Session::open`] with layers already processed by a pool of workers
    /// ([`LayerFeed`]): `entries[i]` is the job's entry, `results[i]` what it returned,
    /// `parts[i]` (optional, default `"all"`) the part it ran; a walking part (`"relay"`) and
    /// its partners (`"digests"`) of the same entry are joined. Layers
    /// missing from the lists are read here.
    pub fn open_prepared(
        file: web_sys::File,
        progress: Option<js_sys::Function>,
        limits_json: Option<String>,
        entries: Vec<String>,
        results: Vec<js_sys::Uint8Array>,
        parts: Option<Vec<String>>,
    ) -> std::result::Result<Session, JsValue> {
        let (source, name, len) = dropped(file)?;
        let opts = session_options(limits_json)?;
        let parts = parts.unwrap_or_default();
        let prepared = crate::parallel::prepare(
            entries
                .into_iter()
                .zip(results)
                .enumerate()
                .map(|(i, (e, r))| {
                    (
                        e,
                        part_of(parts.get(i).map(String::as_str)),
                        crate::parallel::decode_result(&r.to_vec()),
                    )
                })
                .collect(),
        );
        let mut obs = JsObserver {
            callback: progress,
            done: 0,
            total: len,
        };
        let input = crate::inspect::Input::File {
            source: &source,
            name: &name,
            prepared,
        };
        let ins = crate::inspect::inspect(input, &opts, &mut obs);
        obs.emit("bytes", len as f64, len as f64, "");
        Ok(Session {
            source: Some(source),
            ins,
            opts,
        })
    }

    /// The report as JSON without its file lists (`"files": []`; see [`Session::file_count`]),
    /// for showing.
    pub fn report_json(&self) -> String {
        self.ins.report.to_json()
    }

    /// How many file versions image `image` holds (its `--files` list's length).
    pub fn file_count(&self, image: usize) -> usize {
        self.ins.file_count(image)
    }

    /// Writes the full report, exactly what `porthole inspect --json --files` prints for the
    /// file but for the final newline, to `sink` in pieces of about 1 MiB (`sink(Uint8Array)`):
    /// the text is never held whole in wasm memory.
    pub fn write_report(&self, sink: js_sys::Function) -> std::result::Result<(), JsValue> {
        write_json_chunks(&self.ins.report_with_files(), sink)
    }

    /// An SBOM of image `image` (`spdx-json` or `cyclonedx-json`), as `porthole sbom` writes it.
    /// `created_secs` is the creation time (seconds since the epoch; wasm has no clock).
    pub fn sbom(&self, image: usize, format: &str, created_secs: f64) -> std::result::Result<String, JsValue> {
        let format = crate::report::sbom::Format::parse(format)
            .ok_or_else(|| JsValue::from_str("the SBOM format is spdx-json or cyclonedx-json"))?;
        let img = self
            .ins
            .report
            .images
            .get(image)
            .ok_or_else(|| JsValue::from_str("no such image"))?;
        let created = crate::report::sbom::rfc3339(created_secs.max(0.0) as u64);
        Ok(crate::report::sbom::write(img, format, &created))
    }

    /// The CLI's exit code for this report (0 ok, 2 no image, 3 integrity failure, 4 incomplete).
    pub fn exit_code(&self) -> i32 {
        self.ins.report.exit_code()
    }

    /// The children of a directory of image `image`'s merged view, as a JSON array of nodes.
    /// `changed_in` < 0 means no layer filter.
    pub fn list_dir(&self, image: usize, path: &str, show_deleted: bool, changed_in: i32) -> String {
        let nodes = match self.ins.images.get(image) {
            Some(st) => explore::list_dir(st, path, filter(show_deleted, changed_in)),
            None => Vec::new(),
        };
        serde_json::to_string(&nodes).unwrap_or_else(|_| "[]".into())
    }

    /// Every version of a path, oldest first, as a JSON array of nodes (each with its
    /// `version` id for `read_file`).
    pub fn versions(&self, image: usize, path: &str) -> String {
        let nodes = match self.ins.images.get(image) {
            Some(st) => explore::versions(st, path),
            None => Vec::new(),
        };
        serde_json::to_string(&nodes).unwrap_or_else(|_| "[]".into())
    }

    /// Paths containing `query`: JSON `{"nodes": [...], "total": N}`.
    pub fn search(&self, image: usize, query: &str, show_deleted: bool, changed_in: i32, limit: usize) -> String {
        let (nodes, total) = match self.ins.images.get(image) {
            Some(st) => explore::search(st, query, filter(show_deleted, changed_in), limit),
            None => (Vec::new(), 0),
        };
        serde_json::json!({ "nodes": nodes, "total": total }).to_string()
    }

    /// Up to `len` bytes at `offset` of file version `version` (from a node), read on demand by
    /// walking its layer again.
    pub fn read_file(
        &self,
        image: usize,
        version: usize,
        offset: f64,
        len: u32,
    ) -> std::result::Result<Vec<u8>, JsValue> {
        let source = self.source.as_ref().ok_or_else(|| {
            JsValue::from_str(
                "file contents of a registry image are not kept in the page; save the image as a tarball to read its files",
            )
        })?;
        explore::read_file(
            source,
            &self.ins,
            image,
            version,
            offset as u64,
            len as usize,
            &self.opts.limits,
        )
        .map_err(js_err)
    }
}

/// A registry fetch driven by the worker's `fetch()` calls: ask `next_request()`, send it,
/// give `head()` the status and headers, push each body chunk to `body()`, then `end()`;
/// when `next_request()` returns `undefined`, `finish()` gives the [`Session`].
#[wasm_bindgen]
pub struct RegistryFetch {
    fetch: Option<crate::source::registry::Fetch>,
    opts: Options,
    callback: Option<js_sys::Function>,
}

#[derive(Serialize)]
struct JsRequest<'a> {
    url: &'a str,
    headers: &'a [(String, String)],
    purpose: &'static str,
    layer: Option<usize>,
}

#[wasm_bindgen]
impl RegistryFetch {
    /// `platform` may be empty (default linux/amd64, else the only one). Credentials stay in
    /// this object's memory only.
    #[wasm_bindgen(constructor)]
    pub fn new(
        reference: &str,
        username: &str,
        password: &str,
        platform: &str,
        progress: Option<js_sys::Function>,
        limits_json: Option<String>,
    ) -> std::result::Result<RegistryFetch, JsValue> {
        use crate::source::registry::{Credentials, Fetch, Reference};
        let reference = Reference::parse(reference).map_err(js_err)?;
        let mut opts = session_options(limits_json)?;
        if !platform.is_empty() {
            opts.platform = Some(
                crate::image::Platform::parse(platform)
                    .ok_or_else(|| JsValue::from_str("the platform must be os/arch[/variant]"))?,
            );
        }
        let creds = (!username.is_empty() || !password.is_empty()).then(|| Credentials {
            username: username.to_string(),
            password: password.to_string(),
        });
        Ok(RegistryFetch {
            fetch: Some(Fetch::new(reference, creds, &opts)),
            opts,
            callback: progress,
        })
    }

    /// The next request as JSON `{url, headers: [[name, value]…], purpose, layer}`, or
    /// `undefined` when done. Always a GET.
    pub fn next_request(&mut self) -> Option<String> {
        use crate::source::registry::{Next, Purpose};
        let f = self.fetch.as_mut()?;
        match f.next_step() {
            Next::Done => None,
            Next::Send(r) => {
                let (purpose, layer) = match r.purpose {
                    Purpose::Ping => ("ping", None),
                    Purpose::Token => ("token", None),
                    Purpose::Manifest(_) => ("manifest", None),
                    Purpose::Config(_) => ("config", None),
                    Purpose::Layer(i, _) => ("layer", Some(i)),
                };
                serde_json::to_string(&JsRequest {
                    url: &r.url,
                    headers: &r.headers,
                    purpose,
                    layer,
                })
                .ok()
            }
        }
    }

    /// The response status and headers (JSON `[[name, value]…]`); returns whether to read the body.
    pub fn head(&mut self, status: u16, headers_json: &str) -> bool {
        let headers: Vec<(String, String)> = serde_json::from_str(headers_json).unwrap_or_default();
        match self.fetch.as_mut() {
            Some(f) => f.head(crate::source::registry::ResponseHead { status, headers }),
            None => false,
        }
    }

    /// A chunk of the response body, as it arrives.
    pub fn body(&mut self, chunk: &[u8]) {
        if let Some(f) = self.fetch.as_mut() {
            f.body(chunk);
            if let Some(cb) = &self.callback {
                let obs = JsObserver {
                    callback: Some(cb.clone()),
                    done: 0,
                    total: 0,
                };
                obs.emit("bytes", f.bytes() as f64, 0.0, "");
            }
        }
    }

    /// The response body is complete.
    pub fn end(&mut self) {
        if let Some(f) = self.fetch.as_mut() {
            f.end();
        }
    }

    /// The request failed in transport (network, TLS, mixed content).
    pub fn transport_error(&mut self, message: &str) {
        if let Some(f) = self.fetch.as_mut() {
            f.transport_error(message);
        }
    }

    /// The browser refused the answer while the registry is reachable: CORS.
    pub fn cors_blocked(&mut self, origin: &str) {
        if let Some(f) = self.fetch.as_mut() {
            f.cors_blocked(origin);
        }
    }

    /// Assembles the report (the same as for a tarball of the image) and returns the session.
    pub fn finish(&mut self) -> std::result::Result<Session, JsValue> {
        let f = self
            .fetch
            .take()
            .ok_or_else(|| JsValue::from_str("finish() was already called"))?;
        let mut obs = JsObserver {
            callback: self.callback.clone(),
            done: 0,
            total: 0,
        };
        let input = crate::inspect::Input::<dyn BlobSource>::Opened(f.finish());
        let ins = crate::inspect::inspect(input, &self.opts, &mut obs);
        Ok(Session {
            source: None,
            ins,
            opts: self.opts.clone(),
        })
    }
}

/// A dropped file as a source read by slices, with its name and length.
fn dropped(file: web_sys::File) -> std::result::Result<(BlobReader, String, u64), JsValue> {
    let reader = web_sys::FileReaderSync::new()?;
    let len = file.size() as u64;
    let name = file.name();
    Ok((BlobReader::new(file.into(), len, reader), name, len))
}

fn limits_from(json: Option<String>) -> std::result::Result<crate::Limits, JsValue> {
    match json.filter(|j| !j.trim().is_empty()) {
        Some(j) => crate::Limits::from_json(&j).map_err(|e| JsValue::from_str(&e)),
        None => Ok(crate::Limits::default()),
    }
}

/// The distinct layer blobs of a dropped file's images, largest first, and the images they
/// belong to, as JSON `{"jobs": [{"entry", "offset", "size"}], "images": <as the "planned"
/// event>}`: the jobs for a pool of workers, known after reading only the tar headers and
/// manifests. `jobs` is empty when the file can only be read in one pass (a compressed
/// tarball) or cannot be planned.
#[wasm_bindgen]
pub fn layer_jobs(file: web_sys::File, limits_json: Option<String>) -> std::result::Result<String, JsValue> {
    let (source, _, _) = dropped(file)?;
    let opts = session_options(limits_json)?;
    let (jobs, plans) = crate::parallel::plan_jobs(&source, &opts);
    Ok(format!(
        "{{\"jobs\":{},\"images\":{}}}",
        serde_json::to_string(&jobs).unwrap_or_else(|_| "[]".into()),
        planned_json(&plans)
    ))
}

/// One job of [`layer_jobs`] processed in this worker (its own wasm instance), its blob's bytes
/// pushed in as the worker streams them from the `File` (`file.slice(...).stream()`): reading
/// overlaps the work, and every call into wasm is short (V8 optimises code between calls, not
/// during one). The result's bytes go to [`Session::open_prepared`].
#[wasm_bindgen]
pub struct LayerFeed(crate::parallel::JobFeed);

#[wasm_bindgen]
impl LayerFeed {
    /// `part`: half of the job, for a layer that dominates the image, split between two
    /// workers: `"relay"` (decompress and walk, passing the decompressed bytes on to a
    /// [`RelayHashes`]) or `"digests"` (both digests: the relay's partner when relaying
    /// stopped); default the whole job.
    #[wasm_bindgen(constructor)]
    pub fn new(
        job_json: &str,
        limits_json: Option<String>,
        part: Option<String>,
    ) -> std::result::Result<LayerFeed, JsValue> {
        let job: crate::parallel::LayerJob =
            serde_json::from_str(job_json).map_err(|e| JsValue::from_str(&format!("bad job: {e}")))?;
        let opts = session_options(limits_json)?;
        Ok(LayerFeed(crate::parallel::JobFeed::new(
            &job,
            part_of(part.as_deref()),
            &opts,
        )))
    }

    /// The next bytes of the blob; false once no more are wanted.
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        self.0.push(chunk)
    }

    /// The result, as bytes for [`Session::open_prepared`] (an error if the bytes ended early).
    pub fn finish(self) -> Vec<u8> {
        crate::parallel::encode_result(&self.0.finish())
    }

    /// Part `"relay"`: the decompressed bytes since the last call, for the partner worker's
    /// [`RelayHashes`] (push at most `relay_chunk()` blob bytes between two calls), as a view
    /// at the start of `into` (a buffer the partner handed back) when it has room, else of a
    /// new buffer with a quarter more room than needed (to be handed back and reused: a new
    /// ArrayBuffer for every piece costs the browser as much as a tenth of the hashing).
    pub fn take_relayed_into(&mut self, into: Option<js_sys::Uint8Array>) -> js_sys::Uint8Array {
        self.0.take_relayed_with(|bytes| {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            let buffer = match into {
                Some(b) if b.length() >= len => b,
                _ => js_sys::Uint8Array::new_with_length(len.saturating_add(len / 4)),
            };
            let view = buffer.subarray(0, len);
            view.copy_from(bytes);
            view
        })
    }

    /// Part `"relay"`, at the end: whether the layer is uncompressed (nothing was relayed: the
    /// blob digest is the uncompressed digest too, `RelayHashes.finish_blob(true)`).
    pub fn relays_blob(&self) -> bool {
        self.0.relays_blob()
    }

    /// Part `"relay"`: whether relaying stopped (a chunk inflated too much); the partner then
    /// reads the layer itself (part `"digests"`).
    pub fn relay_aborted(&mut self) -> bool {
        self.0.relay_aborted()
    }
}

/// The blob bytes to push into a relaying [`LayerFeed`] at a time.
#[wasm_bindgen]
pub fn relay_chunk() -> usize {
    crate::parallel::RELAY_CHUNK
}

/// Hashes what a relaying [`LayerFeed`] (part `"relay"`) passes on: its decompressed bytes (in
/// the partner worker), or its blob (in whichever of the two workers is less busy: the hasher
/// moves between them with `state` and `RelayHashes.resume`).
#[wasm_bindgen]
#[derive(Default)]
pub struct RelayHashes(crate::parallel::RelayHashes);

#[wasm_bindgen]
impl RelayHashes {
    #[wasm_bindgen(constructor)]
    pub fn new() -> RelayHashes {
        RelayHashes::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.0.push(bytes);
    }

    /// The running state as bytes, for `RelayHashes.resume` in another worker.
    pub fn state(&self) -> Vec<u8> {
        self.0.state()
    }

    /// A hasher going on from another's `state()`; throws if the bytes are not one.
    pub fn resume(state: &[u8]) -> std::result::Result<RelayHashes, JsValue> {
        crate::parallel::RelayHashes::resume(state)
            .map(RelayHashes)
            .ok_or_else(|| JsValue::from_str("not a hasher state"))
    }

    /// As the blob's hasher: its digests as bytes for [`Session::open_prepared`] (part
    /// `"digests"`); `blob_is_stream`: the relaying worker's `relays_blob()`.
    pub fn finish_blob(self, blob_is_stream: bool) -> Vec<u8> {
        crate::parallel::encode_result(&Ok(self.0.finish_blob(blob_is_stream)))
    }

    /// As the decompressed stream's hasher (part `"digests"`; nothing if `blob_is_stream`).
    pub fn finish_uncompressed(self, blob_is_stream: bool) -> Vec<u8> {
        crate::parallel::encode_result(&Ok(self.0.finish_uncompressed(blob_is_stream)))
    }
}

/// `"relay"`, `"digests"` (see [`crate::parallel::Part`]), else the whole job.
fn part_of(s: Option<&str>) -> crate::parallel::Part {
    match s {
        Some("relay") => crate::parallel::Part::Relay,
        Some("digests") => crate::parallel::Part::Digests,
        _ => crate::parallel::Part::All,
    }
}

/// A small uncompressed layer ([`crate::parallel::warm_up_layer`]) that the page gzips and
/// runs through a [`LayerFeed`] before any file arrives. V8 first runs wasm in its baseline
/// tier and optimises a function only once it is hot, in the background: without this, the
/// first layers of a file were read at about half speed.
#[wasm_bindgen]
pub fn warm_up_layer(kib: u32) -> Vec<u8> {
    crate::parallel::warm_up_layer(kib)
}

/// Every limit as JSON: `[{"name", "default", "what"}]`, for the page's settings.
#[wasm_bindgen]
pub fn limits_json() -> String {
    let defaults = serde_json::to_value(crate::Limits::default()).unwrap_or_default();
    let list: Vec<serde_json::Value> = crate::limits::LIMITS
        .iter()
        .map(|(name, what)| serde_json::json!({"name": name, "default": defaults[name], "what": what}))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The wasm instance's memory size in bytes (its high-water mark: wasm memory never shrinks).
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// The version of the core, shown in the page.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
