//! The vulnerability database in the page: the dropped (or fetched) database files as `Blob`s
//! read by slices, indexed once in one worker ([`vuln_db_open`]), the index handed to each
//! inspection's worker ([`vuln_db_export`], [`vuln_db_import`]). The database of the worker is
//! the one its sessions match against.

use super::blob::BlobReader;
use super::js_err;
use crate::vuln::{DbFile, VulnDb};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

thread_local! {
    static CURRENT: RefCell<Option<Arc<VulnDb>>> = const { RefCell::new(None) };
}

/// Makes `db` this worker's database. `Options` holds it in an `Arc` because natively the
/// threads of one inspection share it; a worker is one thread, so here it is never sent.
#[allow(clippy::arc_with_non_send_sync)]
fn set(db: VulnDb) {
    CURRENT.with(|c| *c.borrow_mut() = Some(Arc::new(db)));
}

/// The database this worker's inspections match against, if one was loaded.
pub(super) fn current() -> Option<Arc<VulnDb>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The files of a JavaScript array of `Blob`s (a `File` gives its name; a fetched `Blob`
/// the name in `names` at the same index).
fn db_files(files: &js_sys::Array, names: &js_sys::Array) -> Result<Vec<DbFile>, JsValue> {
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let blob: web_sys::Blob = f
            .dyn_into()
            .map_err(|_| JsValue::from_str("a database file is not a Blob"))?;
        let name = names
            .get(i as u32)
            .as_string()
            .or_else(|| blob.dyn_ref::<web_sys::File>().map(web_sys::File::name))
            .unwrap_or_else(|| format!("file {}", i + 1));
        out.push(DbFile {
            name,
            source: Box::new(BlobReader::of(blob)?),
        });
    }
    Ok(out)
}

/// Reads database files into this worker's database; returns its stats as JSON (records,
/// files, what was skipped and why). `progress(done, total, file)` is called as files are read.
#[wasm_bindgen]
pub fn vuln_db_open(
    files: js_sys::Array,
    names: js_sys::Array,
    progress: Option<js_sys::Function>,
) -> Result<String, JsValue> {
    let files = db_files(&files, &names)?;
    let db = VulnDb::open(files, &mut |done, total, file| {
        if let Some(f) = &progress {
            let _ = f.call3(
                &JsValue::NULL,
                &JsValue::from_f64(done as f64),
                &JsValue::from_f64(total as f64),
                &JsValue::from_f64(file as f64),
            );
        }
    });
    let stats = serde_json::to_string(db.stats()).unwrap_or_default();
    set(db);
    Ok(stats)
}

/// [`vuln_db_open`] with an index file `porthole db index` wrote for these files (the host
/// placed it beside them): no record is read. Fails when the index is not for these files.
#[wasm_bindgen]
pub fn vuln_db_load_index(files: js_sys::Array, names: js_sys::Array, saved: &[u8]) -> Result<String, JsValue> {
    let db = VulnDb::load_index(db_files(&files, &names)?, saved).map_err(js_err)?;
    let stats = serde_json::to_string(db.stats()).unwrap_or_default();
    set(db);
    Ok(stats)
}

/// This worker's database index, for [`vuln_db_import`] in another worker.
#[wasm_bindgen]
pub fn vuln_db_export() -> Vec<u8> {
    current().map(|db| db.export()).unwrap_or_default()
}

/// Makes the database another worker read (the same files, in the same order, and what
/// [`vuln_db_export`] gave there) this worker's database.
#[wasm_bindgen]
pub fn vuln_db_import(files: js_sys::Array, names: js_sys::Array, index: &[u8]) -> Result<(), JsValue> {
    let db = VulnDb::import(db_files(&files, &names)?, index).map_err(js_err)?;
    set(db);
    Ok(())
}
