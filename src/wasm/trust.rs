//! The keys and roots the page's user gave, in the worker that inspects: set before an image
//! is opened ([`trust_set`]) and used again when the user adds one later
//! ([`super::Session::verify_trust`]). They stay in this worker's memory only.

use crate::trust::TrustPolicy;
use crate::trust::bundle::Pattern;
use serde::Deserialize;
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

thread_local! {
    static CURRENT: RefCell<TrustPolicy> = RefCell::new(TrustPolicy::default());
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Config {
    /// What the user dropped or pasted, `{name, text}` each: PEM public keys, PEM root
    /// certificates (for Notation) or sigstore's `trusted_root.json`, told apart here.
    files: Vec<Named>,
    identity: Option<String>,
    identity_regexp: Option<String>,
    issuer: Option<String>,
    issuer_regexp: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
    text: String,
}

/// The policy this worker's inspections use, with the browser's clock.
pub(super) fn current() -> TrustPolicy {
    let mut p = CURRENT.with(|c| c.borrow().clone());
    p.now = Some((js_sys::Date::now() / 1000.0) as i64);
    p
}

fn pattern(exact: Option<String>, re: Option<String>) -> Result<Option<Pattern>, String> {
    match (exact.filter(|s| !s.is_empty()), re.filter(|s| !s.is_empty())) {
        (Some(e), _) => Ok(Some(Pattern::Exact(e))),
        (None, Some(r)) => Pattern::regex(&r).map(Some),
        (None, None) => Ok(None),
    }
}

/// Sets this worker's keys and roots from the page (JSON: `{files: [{name, text}], identity,
/// identity_regexp, issuer, issuer_regexp}`). Returns what was taken as JSON (`{keys: [{name,
/// fingerprint, kind}], roots, trusted_root: {name, logs, authorities} | null}`), or what is
/// wrong with which file.
#[wasm_bindgen]
pub fn trust_set(config_json: &str) -> Result<String, JsValue> {
    let err = |e: String| JsValue::from_str(&e);
    let c: Config = serde_json::from_str(config_json).map_err(|e| err(e.to_string()))?;
    let mut p = TrustPolicy::default();
    for f in &c.files {
        if f.text.contains("-----BEGIN PUBLIC KEY-----") {
            p.keys
                .push(crate::trust::key::TrustedKey::from_pem(&f.name, &f.text).map_err(err)?);
        } else if f.text.contains("-----BEGIN CERTIFICATE-----") {
            let certs =
                crate::trust::x509::Cert::from_pem_chain(&f.text).map_err(|e| err(format!("{}: {e}", f.name)))?;
            p.roots.extend(certs);
        } else if f.text.trim_start().starts_with('{') {
            let root = crate::trust::trusted_root::TrustedRoot::parse(&f.name, f.text.as_bytes()).map_err(err)?;
            p.sigstore_root = Some(Arc::new(root));
        } else {
            return Err(err(format!(
                "{}: not a PEM public key, PEM certificates or sigstore's trusted_root.json",
                f.name
            )));
        }
    }
    p.identity.san = pattern(c.identity, c.identity_regexp).map_err(err)?;
    p.identity.issuer = pattern(c.issuer, c.issuer_regexp).map_err(err)?;
    let summary = serde_json::json!({
        "keys": p.keys.iter().map(|k| serde_json::json!({"name": k.name, "fingerprint": k.fingerprint, "kind": k.key.kind()})).collect::<Vec<_>>(),
        "roots": p.roots.len(),
        "trusted_root": p.sigstore_root.as_ref().map(|r| serde_json::json!({"name": r.name, "logs": r.logs.len(), "authorities": r.authorities.len()})),
    });
    CURRENT.with(|cur| *cur.borrow_mut() = p);
    Ok(summary.to_string())
}
