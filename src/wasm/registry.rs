//! A registry fetch driven by the worker's `fetch()` calls (the protocol itself is the core's
//! sans-IO [`crate::source::registry::Fetch`]).

use super::session::Session;
use super::{JsObserver, PlannedImage, PlannedLayer, js_err, session_options};
use crate::blob::BlobSource;
use crate::options::Options;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A registry fetch driven by the worker's `fetch()` calls: ask `next_request()`, send it,
/// give `head()` the status and headers, push each body chunk to `body()`, then `end()`;
/// when `next_request()` returns `undefined`, `finish()` gives the [`Session`].
#[wasm_bindgen]
pub struct RegistryFetch {
    fetch: Option<crate::source::registry::Fetch>,
    opts: Options,
    callback: Option<js_sys::Function>,
    /// The reference as the user typed it: the name the layer table shows while it arrives.
    name: String,
    /// Whether the layers were announced (`planned`, once the manifest was read).
    announced: bool,
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
        let name = reference;
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
            name: name.to_string(),
            announced: false,
        })
    }

    /// The next request as JSON `{url, headers: [[name, value]…], purpose, layer}`, or
    /// `undefined` when done. Always a GET.
    pub fn next_request(&mut self) -> Option<String> {
        use crate::source::registry::{Next, Purpose};
        let f = self.fetch.as_mut()?;
        match f.next_step() {
            // A fetch never waits (only browsing does).
            Next::Done | Next::Wait(_) => None,
            Next::Send(r) => {
                let (purpose, layer) = match r.purpose {
                    Purpose::Ping => ("ping", None),
                    Purpose::Token => ("token", None),
                    Purpose::Manifest(_) => ("manifest", None),
                    Purpose::Config(_) => ("config", None),
                    Purpose::Layer(i, _) => ("layer", Some(i)),
                    Purpose::Referrers(_)
                    | Purpose::ReferrersPage(..)
                    | Purpose::AttachedTag(..)
                    | Purpose::Artifact(..)
                    | Purpose::ArtifactBlob(_) => ("signatures", None),
                    Purpose::Catalog | Purpose::Tags(_) | Purpose::ManifestHead(_) | Purpose::Probe(..) => {
                        ("list", None)
                    }
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
    /// The response body is complete. Once the image's manifest has been read, the progress
    /// callback is told its layers: `("planned", 1, 0, json)` as for a file.
    pub fn end(&mut self) {
        let Some(f) = self.fetch.as_mut() else { return };
        f.end();
        if self.announced {
            return;
        }
        if let Some((platform, layers)) = f.planned() {
            self.announced = true;
            let image = PlannedImage {
                name: Some(self.name.clone()),
                platform: platform.map(str::to_string),
                layers: layers
                    .iter()
                    .map(|l| PlannedLayer {
                        digest: (!l.digest.is_empty()).then(|| l.digest.clone()),
                        size: l.size(),
                        media_type: l.media_type.clone(),
                    })
                    .collect(),
            };
            let obs = JsObserver {
                callback: self.callback.clone(),
                done: 0,
                total: 0,
            };
            obs.emit(
                "planned",
                1.0,
                0.0,
                &serde_json::to_string(&[image]).unwrap_or_default(),
            );
        }
    }

    /// Config and layer bytes received so far, and the total the manifest declares (0 until
    /// it is read): `[done, total]`.
    pub fn blob_progress(&self) -> Vec<f64> {
        let (done, total) = self.fetch.as_ref().map_or((0, 0), |f| f.blob_progress());
        vec![done as f64, total as f64]
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
