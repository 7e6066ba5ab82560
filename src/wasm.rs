//! Bindings for the browser worker (wasm32 only): a `Blob`-backed [`BlobSource`] read by
//! slices with `FileReaderSync`, and entry points that return the JSON report. No logic here.

use crate::blob::BlobSource;
use crate::error::{Error, Result};
use crate::inspect::{Observer, Options};
use wasm_bindgen::prelude::*;

/// A `File` or `Blob`, read synchronously by slices (only possible inside a worker).
struct BlobReader {
    blob: web_sys::Blob,
    len: u64,
    reader: web_sys::FileReaderSync,
}

impl BlobSource for BlobReader {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
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
        arr.slice(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}

/// Reports progress to a JavaScript callback `(event, a, b)`:
/// `("bytes", done, total)`, `("layer", image, layer)`, `("planned", images, 0)`.
struct JsObserver {
    callback: Option<js_sys::Function>,
    done: u64,
    total: u64,
}

impl JsObserver {
    fn emit(&self, what: &str, a: f64, b: f64) {
        if let Some(f) = &self.callback {
            let _ = f.call3(
                &JsValue::NULL,
                &JsValue::from_str(what),
                &JsValue::from_f64(a),
                &JsValue::from_f64(b),
            );
        }
    }
}

impl Observer for JsObserver {
    fn planned(&mut self, plans: &[crate::source::layout::ImagePlan]) {
        self.emit("planned", plans.len() as f64, 0.0);
    }
    fn layer(&mut self, image: usize, layer: usize) {
        self.emit("layer", image as f64, layer as f64);
    }
    fn bytes(&mut self, n: u64) {
        self.done += n;
        self.emit("bytes", self.done as f64, self.total as f64);
    }
}

/// Inspects a dropped file and returns the JSON report (the same as
/// `porthole inspect --json [--files]` on that file).
#[wasm_bindgen]
pub fn inspect_file(
    file: web_sys::File,
    files: bool,
    progress: Option<js_sys::Function>,
) -> std::result::Result<String, JsValue> {
    let reader = web_sys::FileReaderSync::new()?;
    let len = file.size() as u64;
    let name = file.name();
    let source = BlobReader {
        blob: file.into(),
        len,
        reader,
    };
    let opts = Options {
        files,
        ..Default::default()
    };
    let mut obs = JsObserver {
        callback: progress,
        done: 0,
        total: len,
    };
    let report = crate::inspect::inspect_blob(&source, &name, &opts, &mut obs);
    Ok(report.to_json())
}

/// The version of the core, shown in the page.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
