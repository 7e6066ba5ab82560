//! "Browse a registry", driven by the worker's `fetch()` calls: the core's sans-IO listing
//! ([`crate::source::registry::List`]) and tag descriptions
//! ([`crate::source::registry::Describe`]), with the same protocol as [`super::registry`]:
//! `next_request()`, `head()`, `body()`, `end()`, then `finish()`.

use crate::source::registry::{Credentials, Describe, Exchange, List, Listing, Next, ResponseHead};
use wasm_bindgen::prelude::*;

enum Inner {
    List(List),
    Describe(Describe),
}

/// A listing (a registry's repositories, a repository's tags) or a description of some tags.
#[wasm_bindgen]
pub struct RegistryBrowse {
    inner: Option<Inner>,
    base: String,
    /// The repository whose tags are listed or described.
    repository: Option<String>,
}

fn creds(username: &str, password: &str) -> Option<Credentials> {
    (!username.is_empty() || !password.is_empty()).then(|| Credentials {
        username: username.to_string(),
        password: password.to_string(),
    })
}

fn parse(target: &str) -> std::result::Result<(crate::source::registry::Reference, Listing), JsValue> {
    crate::source::registry::target(target).map_err(|e| JsValue::from_str(&e.message))
}

#[wasm_bindgen]
impl RegistryBrowse {
    /// Lists `target` (`host[:port]`: its repositories; `host[:port]/repo`: its tags).
    /// Credentials stay in this object's memory only.
    pub fn list(
        target: &str,
        username: &str,
        password: &str,
        page_size: usize,
    ) -> std::result::Result<RegistryBrowse, JsValue> {
        let (r, what) = parse(target)?;
        let repository = match &what {
            Listing::Tags(repo) => Some(repo.clone()),
            Listing::Catalog => None,
        };
        let base = r.base_url();
        Ok(RegistryBrowse {
            inner: Some(Inner::List(List::list(
                &base,
                &r.api_host,
                creds(username, password),
                what,
                page_size,
            ))),
            base,
            repository,
        })
    }

    /// Describes `tags_json` (a JSON array of tag names) of the repository `target` names;
    /// `details` reads each manifest and config. `authorization`: what the listing obtained
    /// (empty for none), so that no second token is asked for.
    pub fn describe(
        target: &str,
        tags_json: &str,
        details: bool,
        username: &str,
        password: &str,
        authorization: &str,
    ) -> std::result::Result<RegistryBrowse, JsValue> {
        let (r, what) = parse(target)?;
        let Listing::Tags(repo) = what else {
            return Err(JsValue::from_str("name a repository: host[:port]/repo"));
        };
        let tags: Vec<String> =
            serde_json::from_str(tags_json).map_err(|e| JsValue::from_str(&format!("tags: {e}")))?;
        let base = r.base_url();
        let auth = (!authorization.is_empty()).then(|| authorization.to_string());
        Ok(RegistryBrowse {
            inner: Some(Inner::Describe(Describe::tags(
                &base,
                &r.api_host,
                &repo,
                &tags,
                details,
                creds(username, password),
                auth,
            ))),
            base,
            repository: Some(repo),
        })
    }

    fn exchange(&mut self) -> Option<&mut dyn Exchange> {
        match self.inner.as_mut()? {
            Inner::List(l) => Some(l),
            Inner::Describe(d) => Some(d),
        }
    }

    /// The next request as JSON `{url, method, headers: [[name, value]…]}`, `{wait: ms}` to
    /// wait before asking again (the registry answered 429), or `undefined` when done.
    pub fn next_request(&mut self) -> Option<String> {
        request_json(self.exchange()?.next_step())
    }

    /// The response status and headers (JSON `[[name, value]…]`); whether to read the body.
    pub fn head(&mut self, status: u16, headers_json: &str) -> bool {
        let headers: Vec<(String, String)> = serde_json::from_str(headers_json).unwrap_or_default();
        self.exchange()
            .is_some_and(|x| x.head(ResponseHead { status, headers }))
    }

    /// A chunk of the response body.
    pub fn body(&mut self, chunk: &[u8]) {
        if let Some(x) = self.exchange() {
            x.body(chunk);
        }
    }

    /// The response is complete.
    pub fn end(&mut self) {
        if let Some(x) = self.exchange() {
            x.end();
        }
    }

    /// The request failed in transport (network, TLS, mixed content).
    pub fn transport_error(&mut self, message: &str) {
        if let Some(x) = self.exchange() {
            x.transport_error(message);
        }
    }

    /// The browser refused the answer while the registry is reachable: CORS.
    pub fn cors_blocked(&mut self, origin: &str) {
        let help = crate::source::registry::cors_help(&self.base, origin);
        if let Some(x) = self.exchange() {
            x.transport_error(&help);
        }
    }

    /// A listing: `{registry, repository, names, authorization}` (the authorization stays in
    /// the worker, for the descriptions); a description: `{registry, repository, tags}` with
    /// each tag as `porthole ls --json` gives it. Throws the error that ended it.
    pub fn finish(&mut self) -> std::result::Result<String, JsValue> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| JsValue::from_str("finish() was already called"))?;
        let err = |e: crate::error::Error| JsValue::from_str(&e.message);
        let v = match inner {
            Inner::List(l) => {
                let authorization = l.authorization().map(str::to_string);
                serde_json::json!({
                    "registry": self.base, "repository": self.repository,
                    "names": l.names().map_err(err)?, "authorization": authorization,
                })
            }
            Inner::Describe(d) => serde_json::json!({
                "registry": self.base, "repository": self.repository, "tags": d.finish().map_err(err)?.infos,
            }),
        };
        Ok(v.to_string())
    }
}

/// An audit of a registry's exposure (`porthole audit`, the core's [`crate::audit::run::AuditRun`])
/// driven by the worker's `fetch()` calls, like [`RegistryBrowse`].
#[wasm_bindgen]
pub struct RegistryAudit {
    run: Option<crate::audit::run::AuditRun>,
    base: String,
}

#[wasm_bindgen]
impl RegistryAudit {
    /// Audits `target` (`host[:port]` or `host[:port]/repo`); `repos_json`: a JSON array of more
    /// repositories to probe; `write_probes`: the user allowed the upload (cancelled at once) and
    /// the delete of a digest that cannot exist. Credentials stay in this object's memory.
    #[wasm_bindgen(constructor)]
    pub fn new(
        target: &str,
        repos_json: &str,
        public: bool,
        username: &str,
        password: &str,
        write_probes: bool,
    ) -> std::result::Result<RegistryAudit, JsValue> {
        let repos: Vec<String> = serde_json::from_str(repos_json).unwrap_or_default();
        let (r, _) = parse(target)?;
        let run = crate::audit::run::AuditRun::new(
            target,
            crate::audit::run::Options {
                repos,
                public,
                creds: creds(username, password),
                tls_verified: true,
                browser: true,
                write_probes,
            },
        )
        .map_err(|e| JsValue::from_str(&e.message))?;
        Ok(RegistryAudit {
            run: Some(run),
            base: r.base_url(),
        })
    }

    /// As [`RegistryBrowse::next_request`].
    pub fn next_request(&mut self) -> Option<String> {
        request_json(self.run.as_mut()?.next_step())
    }

    pub fn head(&mut self, status: u16, headers_json: &str) -> bool {
        let headers: Vec<(String, String)> = serde_json::from_str(headers_json).unwrap_or_default();
        self.run
            .as_mut()
            .is_some_and(|r| r.head(ResponseHead { status, headers }))
    }

    pub fn body(&mut self, chunk: &[u8]) {
        if let Some(r) = self.run.as_mut() {
            r.body(chunk);
        }
    }

    pub fn end(&mut self) {
        if let Some(r) = self.run.as_mut() {
            r.end();
        }
    }

    pub fn transport_error(&mut self, message: &str) {
        if let Some(r) = self.run.as_mut() {
            r.transport_error(message);
        }
    }

    /// The browser refused the answer (CORS): for the first request, the registry does not
    /// allow this page; for a probe, that probe could not be judged here.
    pub fn cors_blocked(&mut self, origin: &str) {
        let help = crate::source::registry::cors_help(&self.base, origin);
        self.transport_error(&help);
    }

    /// The audit as `porthole audit --json` gives it (a page cannot judge CORS or version
    /// disclosure: those checks say so). Throws why the registry could not be audited.
    pub fn finish(&mut self) -> std::result::Result<String, JsValue> {
        let run = self
            .run
            .take()
            .ok_or_else(|| JsValue::from_str("finish() was already called"))?;
        let audit = run.finish().map_err(|e| JsValue::from_str(&e.message))?;
        serde_json::to_string(&audit).map_err(|e| JsValue::from_str(&e.to_string()))
    }
}

/// A request as the worker sends it: `{url, method, headers}`, or `{wait: ms}`.
fn request_json(next: Next) -> Option<String> {
    match next {
        Next::Done => None,
        Next::Wait(ms) => Some(serde_json::json!({ "wait": ms }).to_string()),
        Next::Send(r) => {
            Some(serde_json::json!({ "url": r.url, "method": r.method(), "headers": r.headers }).to_string())
        }
    }
}
