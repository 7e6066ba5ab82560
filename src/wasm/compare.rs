//! The page's Compare: two dropped files inspected with every file hashed, compared as
//! `porthole diff --json` compares them, and kept so that both versions of a changed file can
//! be read on demand.

use super::blob::BlobReader;
use super::{JsObserver, dropped, js_err, session_options};
use crate::inspect::Inspection;
use crate::options::Options;
use wasm_bindgen::prelude::*;

/// One side of a comparison: the file and its inspection.
struct Side {
    source: BlobReader,
    ins: Inspection,
}

/// Two images compared, kept in the worker.
#[wasm_bindgen]
pub struct Comparison {
    a: Side,
    b: Side,
    opts: Options,
    diff: String,
}

#[wasm_bindgen]
impl Comparison {
    /// Inspects `a` then `b` (each read by slices, every regular file hashed) and compares
    /// them. `progress` gets `(event, a, b, detail)` as for a `Session`, plus
    /// `("side", 0 | 1, 0, name)` when each file starts. `semantic`: as `porthole diff
    /// --semantic`.
    pub fn open(
        a: web_sys::File,
        b: web_sys::File,
        progress: Option<js_sys::Function>,
        limits_json: Option<String>,
        semantic: bool,
    ) -> std::result::Result<Comparison, JsValue> {
        let mut opts = session_options(limits_json)?;
        opts.limits.file_digests = true;
        opts.keep_trust_inputs = false;
        let read = |file: web_sys::File, i: f64| -> std::result::Result<(Side, String), JsValue> {
            let (source, name, len) = dropped(file)?;
            let mut obs = JsObserver {
                callback: progress.clone(),
                done: 0,
                total: len,
            };
            obs.emit("side", i, 0.0, &name);
            let ins = crate::inspect::explore_blob(&source, &name, &opts, &mut obs);
            obs.emit("bytes", len as f64, len as f64, "");
            Ok((Side { source, ins }, name))
        };
        let (a, name_a) = read(a, 0.0)?;
        let (b, name_b) = read(b, 1.0)?;
        let mode = if semantic {
            crate::diff::Mode::Semantic
        } else {
            crate::diff::Mode::Exact
        };
        let d = crate::diff::compare(
            &crate::diff::Input {
                given: &name_a,
                inspection: &a.ins,
            },
            &crate::diff::Input {
                given: &name_b,
                inspection: &b.ins,
            },
            mode,
        );
        let diff = serde_json::to_string_pretty(&d).map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(Comparison { a, b, opts, diff })
    }

    /// The comparison, exactly what `porthole diff A B --json` prints but for the final newline.
    pub fn diff_json(&self) -> String {
        self.diff.clone()
    }

    /// The line diff of the next piece (`len` bytes of each side) of both versions of `path`
    /// (a side without it reads as empty), from `at` (JSON of [`crate::diff::lines::Position`],
    /// or empty for the start): JSON of [`crate::diff::lines::Piece`], whose `next` is where
    /// the piece after it starts.
    pub fn line_diff(&self, path: &str, at: &str, len: u32) -> std::result::Result<String, JsValue> {
        let at: crate::diff::lines::Position = if at.trim().is_empty() {
            Default::default()
        } else {
            serde_json::from_str(at).map_err(|e| JsValue::from_str(&e.to_string()))?
        };
        let piece = |side: u32, offset: u64| match self.visible(side, path) {
            Some(version) => self.read_version(side, version, offset, len),
            None => Ok(Vec::new()),
        };
        let (a, b) = (piece(0, at.a_offset)?, piece(1, at.b_offset)?);
        let (a_end, b_end) = (a.len() < len as usize, b.len() < len as usize);
        let p = crate::diff::lines::piece(&a, &b, at, a_end, b_end);
        serde_json::to_string(&p).map_err(|e| JsValue::from_str(&e.to_string()))
    }

    /// Up to `len` bytes at `offset` of the visible file at `path` in image `side` (0 = A,
    /// 1 = B), read on demand by walking its layer again.
    pub fn read(&self, side: u32, path: &str, offset: f64, len: u32) -> std::result::Result<Vec<u8>, JsValue> {
        let version = self
            .visible(side, path)
            .ok_or_else(|| JsValue::from_str(&format!("{path} is not in the image")))?;
        self.read_version(side, version, offset as u64, len)
    }
}

impl Comparison {
    fn side(&self, side: u32) -> &Side {
        if side == 0 { &self.a } else { &self.b }
    }

    /// The visible version of `path` in image `side`, if it has one.
    fn visible(&self, side: u32, path: &str) -> Option<usize> {
        let state = self.side(side).ins.images.first()?;
        let lists = state.entry_lists();
        state.tree.view(&lists).visible(path)
    }

    fn read_version(&self, side: u32, version: usize, offset: u64, len: u32) -> std::result::Result<Vec<u8>, JsValue> {
        let s = self.side(side);
        crate::explore::read_file(&s.source, &s.ins, 0, version, offset, len as usize, &self.opts.limits)
            .map_err(js_err)
    }
}
