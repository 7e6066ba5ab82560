//! Bindings for the browser workers (wasm32 only). No logic here: each file adapts one part of
//! the core to JavaScript.
//!
//! - [`blob`]: a `Blob`-backed [`BlobSource`](crate::BlobSource) read by slices with `FileReaderSync`;
//! - [`session`]: a [`Session`] that inspects a file (or takes a finished registry fetch) and then
//!   answers the page's questions (directory listings, searches, file bytes, exports);
//! - [`registry`]: [`RegistryFetch`], the sans-IO registry conversation driven by `fetch()`;
//! - [`vulndb`]: the vulnerability database, indexed once and handed to each inspection's worker;
//! - [`pool`]: the pool's schedule ([`layer_jobs`]) and what a layer worker runs
//!   ([`LayerFeed`], [`RelayHashes`]).

mod blob;
mod browse;
mod compare;
mod pool;
mod registry;
mod session;
mod trust;
mod vulndb;

pub use pool::{LayerFeed, RelayHashes, layer_jobs, relay_chunk, warm_up_layer};
pub use registry::RegistryFetch;
pub use session::Session;
pub use trust::trust_set;
pub use vulndb::{vuln_db_export, vuln_db_import, vuln_db_load_index, vuln_db_open};

use crate::error::Error;
use crate::inspect::Observer;
use crate::options::Options;
use crate::source::layout::ImagePlan;
use blob::BlobReader;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The options of every page entry point: the page's limit settings, and no file list in
/// the report (a session makes it when the report is exported, see [`Session::write_report`]).
fn session_options(limits_json: Option<String>) -> std::result::Result<Options, JsValue> {
    Ok(Options {
        files: false,
        limits: limits_from(limits_json)?,
        vuln_db: vulndb::current(),
        trust: trust::current(),
        keep_trust_inputs: true,
        ..Default::default()
    })
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

/// A dropped file as a source read by slices, with its name and length.
fn dropped(file: web_sys::File) -> std::result::Result<(BlobReader, String, u64), JsValue> {
    let len = file.size() as u64;
    let name = file.name();
    Ok((BlobReader::of(file.into())?, name, len))
}

fn limits_from(json: Option<String>) -> std::result::Result<crate::Limits, JsValue> {
    match json.filter(|j| !j.trim().is_empty()) {
        Some(j) => crate::Limits::from_json(&j).map_err(|e| JsValue::from_str(&e)),
        None => Ok(crate::Limits::default()),
    }
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
