//! The pool of layer workers: the schedule the coordinator carries out ([`layer_jobs`]) and
//! what each layer worker runs ([`LayerFeed`], [`RelayHashes`]).

use super::{dropped, planned_json, session_options};
use wasm_bindgen::prelude::*;

/// How the coordinator reads a dropped file's layers with a pool of up to `workers` layer
/// workers, as JSON `{"jobs": [{"entry", "offset", "size"}], "layers": [[[image, layer]…]…],
/// "images": <as the "planned" event>, "tasks": [{"job", "part"}], "workers"}`: the distinct
/// layer blobs (largest first), the planned layers each one is, the images, and the schedule
/// ([`crate::parallel::schedule`]: the tasks in hand-out order, `job` an index into `jobs`,
/// `part` `"all"`, `"relay"` or `"digests"`; `workers` below 2: no pool). Known after reading
/// only the tar headers and manifests; no jobs when the file can only be read in one pass (a
/// compressed tarball) or cannot be planned. `min_bytes`: fewer bytes of layers than this (twice
/// as many when a layer would be split) are read by one worker.
#[wasm_bindgen]
pub fn layer_jobs(
    file: web_sys::File,
    limits_json: Option<String>,
    workers: usize,
    min_bytes: f64,
) -> std::result::Result<String, JsValue> {
    let (source, _, _) = dropped(file)?;
    let opts = session_options(limits_json)?;
    let plan = crate::parallel::plan_jobs(&source, &opts);
    let schedule = crate::parallel::schedule(&plan.jobs, workers, min_bytes as u64);
    Ok(format!(
        "{{\"jobs\":{},\"layers\":{},\"images\":{},\"tasks\":{},\"workers\":{}}}",
        serde_json::to_string(&plan.jobs).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&plan.layers).unwrap_or_else(|_| "[]".into()),
        planned_json(&plan.images),
        serde_json::to_string(&schedule.tasks).unwrap_or_else(|_| "[]".into()),
        schedule.workers
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
    /// `inflated`: `"gzip"` when the page inflates the blob with the browser's
    /// `DecompressionStream` (after [`gzip_inflatable`] said yes): `push` then takes the
    /// decompressed stream and `push_blob` / `blob_read` the blob.
    #[wasm_bindgen(constructor)]
    pub fn new(
        job_json: &str,
        limits_json: Option<String>,
        part: Option<String>,
        inflated: Option<String>,
    ) -> std::result::Result<LayerFeed, JsValue> {
        let job: crate::parallel::LayerJob =
            serde_json::from_str(job_json).map_err(|e| JsValue::from_str(&format!("bad job: {e}")))?;
        let opts = session_options(limits_json)?;
        let part = part_of(part.as_deref());
        Ok(LayerFeed(match inflated.as_deref() {
            None => crate::parallel::JobFeed::new(&job, part, &opts),
            Some("gzip") => {
                crate::parallel::JobFeed::decompressed_outside(&job, part, &opts, crate::compress::Compression::Gzip)
            }
            Some(other) => {
                return Err(JsValue::from_str(&format!(
                    "cannot take a stream inflated from {other:?}"
                )));
            }
        }))
    }

    /// The next bytes of the blob (inflated by the browser: of the decompressed stream); false
    /// once no more are wanted (inflated by the browser: once decoding stopped at an error or
    /// a limit; the blob is still wanted for its digest).
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        self.0.push(chunk)
    }

    /// Inflated by the browser: the next bytes of the blob itself, hashed here; false once all
    /// of it arrived.
    pub fn push_blob(&mut self, chunk: &[u8]) -> bool {
        self.0.push_blob(chunk)
    }

    /// Inflated by the browser: `size` bytes of the blob were read elsewhere, and hashed there
    /// when `sha256_hex` is given (WebCrypto, for a blob small enough to hold whole).
    pub fn blob_read(&mut self, size: f64, sha256_hex: Option<String>) -> std::result::Result<(), JsValue> {
        let digest = match sha256_hex {
            Some(hex) => Some(
                crate::digest::Digest::parse(&format!("sha256:{hex}"))
                    .map_err(|e| JsValue::from_str(&e.to_string()))?,
            ),
            None => None,
        };
        self.0.blob_read(size as u64, digest);
        Ok(())
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

/// Whether the page may let the browser inflate a layer blob that starts with `head` (its
/// first bytes, as many as the first chunk read): it is gzip and its whole first member header,
/// which this core accepts, is there. Anything else is inflated here.
#[wasm_bindgen]
pub fn gzip_inflatable(head: &[u8]) -> bool {
    crate::compress::gzip_head_complete(head)
}

/// `"relay"`, `"digests"` (see [`crate::parallel::Part`]), else the whole job.
pub(super) fn part_of(s: Option<&str>) -> crate::parallel::Part {
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
