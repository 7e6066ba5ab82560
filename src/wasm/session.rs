//! One inspected file or registry image, kept in the coordinator worker so that the page can
//! explore it.

use super::blob::BlobReader;
use super::pool::part_of;
use super::{JsObserver, dropped, js_err, session_options};
use crate::explore::{self, Filter};
use crate::inspect::Inspection;
use crate::options::Options;
use wasm_bindgen::prelude::*;

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
    pub(super) source: Option<BlobReader>,
    pub(super) ins: Inspection,
    pub(super) opts: Options,
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

    /// Matches the packages again against this worker's database (one loaded after the image
    /// was opened); returns per image `{vulnerabilities, vulnerability_summary}` as JSON.
    pub fn match_vulns(&mut self) -> String {
        self.opts.vuln_db = super::vulndb::current();
        let mut out = Vec::new();
        for img in &mut self.ins.report.images {
            if let Some(db) = self.opts.vuln_db.as_deref() {
                crate::pass::match_packages(img, db, &self.opts.vuln_policy);
            }
            out.push(serde_json::json!({
                "vulnerabilities": img.vulnerabilities,
                "vulnerability_summary": img.vulnerability_summary,
                "errors": img.errors,
            }));
        }
        serde_json::to_string(&out).unwrap_or_default()
    }

    /// Checks the signatures and attestations again with this worker's keys and roots (set
    /// by `trust_set` after the image was opened); returns per image `{signatures,
    /// attestations, trust, best_practices, best_practices_suppressed}` as JSON (content
    /// trust, CIS-DI-0005, follows the verdict).
    pub fn verify_trust(&mut self) -> String {
        self.opts.trust = super::trust::current();
        self.ins.verify_trust(&self.opts.trust, &self.opts.limits);
        let out: Vec<serde_json::Value> = self
            .ins
            .report
            .images
            .iter()
            .map(|img| {
                serde_json::json!({
                    "signatures": img.signatures,
                    "attestations": img.attestations,
                    "trust": img.trust,
                    "best_practices": img.best_practices,
                    "best_practices_suppressed": img.best_practices_suppressed,
                })
            })
            .collect();
        serde_json::to_string(&out).unwrap_or_default()
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

    /// The children of directory `path` of image `image` with their sizes, largest first, as
    /// a JSON array ([`explore::sizes`]): what the size picture draws, one level at a time.
    pub fn sizes(&self, image: usize, path: &str) -> String {
        let nodes = match self.ins.images.get(image) {
            Some(st) => explore::sizes(st, path),
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
