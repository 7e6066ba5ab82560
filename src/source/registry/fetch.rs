//! The registry conversation as a state machine (sans-IO): ping → (token) → manifest →
//! (platform manifest) → config → each layer, with one retry per auth challenge.

use super::auth::{Challenge, Credentials, query_escape, realm_may_get_credentials};
use super::reference::Reference;
use crate::compress::Compression;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::image::manifest::{Descriptor, Manifest};
use crate::image::{LayerPipeline, parse_json};
use crate::options::Options;
use crate::source::layout::blob_path;
use crate::source::memory::MemoryStore;
use crate::source::{ManifestDigestOrigin, Opened, Origin};
use crate::trust::attached::{FOUND_ANNOTATION, MAX_ATTACHED};
use std::collections::{HashMap, HashSet, VecDeque};

/// Every manifest type porthole reads (distribution 2.8 answers 404 for OCI manifests unless
/// the OCI type is listed).
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Why a request is made (for messages and for the page's progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Ping,
    Token,
    Manifest(String),
    Config(Digest),
    Layer(usize, Digest),
    /// The referrers API for an image digest (OCI distribution 1.1).
    Referrers(Digest),
    /// A further page of the referrers API's answer: the URL its `Link` header names.
    ReferrersPage(Digest, String),
    /// A tag that may hold what is attached to an image digest: cosign's `sha256-<hex>.sig` /
    /// `.att`, or the referrers tag schema's `sha256-<hex>`.
    AttachedTag(String, Digest),
    /// An attached artifact's manifest, found by `String` (`referrers API`, a tag).
    Artifact(Digest, String),
    /// A blob of an attached artifact (a signed payload, an envelope).
    ArtifactBlob(Digest),
    /// A page of the registry's repositories ([`super::List`]).
    Catalog,
    /// A page of a repository's tags ([`super::List`]).
    Tags(String),
    /// A tag's manifest digest, media type and size, without its body (HEAD).
    ManifestHead(String),
    /// One of an audit's probes: its method and its check (`crate::audit`).
    Probe(&'static str, &'static str),
}

impl Purpose {
    /// The HTTP method: HEAD for a manifest's headers only, GET for everything else.
    pub fn method(&self) -> &'static str {
        match self {
            Purpose::ManifestHead(_) => "HEAD",
            Purpose::Probe(method, _) => method,
            _ => "GET",
        }
    }

    /// Looking up what is attached to the image: a failure is a note, never the fetch's end.
    pub fn is_discovery(&self) -> bool {
        matches!(
            self,
            Purpose::Referrers(_)
                | Purpose::ReferrersPage(..)
                | Purpose::AttachedTag(..)
                | Purpose::Artifact(..)
                | Purpose::ArtifactBlob(_)
        )
    }
}

/// What an artifact's manifest may be (the referrers API answers with an index).
const INDEX_ACCEPT: &str = "application/vnd.oci.image.index.v1+json";
/// Layers of an attached artifact fetched at most.
const MAX_ARTIFACT_BLOBS: usize = 16;
/// Pages of referrers read per image digest (the artifacts they list are capped anyway).
const MAX_REFERRER_PAGES: usize = 16;

/// A request to send: always a GET.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub purpose: Purpose,
}

impl Request {
    /// GET, or HEAD where only the headers are wanted.
    pub fn method(&self) -> &'static str {
        self.purpose.method()
    }
}

/// The status and headers of a response (after redirects).
#[derive(Debug, Clone, Default)]
pub struct ResponseHead {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to do next.
pub enum Next {
    Send(Request),
    /// Wait this many milliseconds, then ask again (a registry answered 429; only browsing's
    /// conversations wait, a fetch never does).
    Wait(u64),
    Done,
}

enum Body {
    Ignore,
    Buffer(Vec<u8>),
    Layer(Box<LayerPipeline>),
}

/// A fetch in progress. Drive it: `while let Next::Send(req) = f.next_step() { let head = …;
/// if f.head(head) { for chunk in body { f.body(chunk) } } f.end(); }`, then `f.finish()`.
pub struct Fetch {
    reference: Reference,
    creds: Option<Credentials>,
    opts: Options,
    auth: Option<String>,
    /// Requests still to make, in order.
    queue: VecDeque<Purpose>,
    current: Option<Request>,
    /// Set while the current request is a retry after an auth challenge.
    retried: bool,
    /// A token request interrupted this purpose; it is retried after.
    resume: Option<Purpose>,
    body: Body,
    head: ResponseHead,
    store: MemoryStore,
    /// The digest the top manifest must have: the one asked for, or Docker-Content-Digest.
    top_digest: Option<Digest>,
    top_digest_source: &'static str,
    top_media_type: Option<String>,
    top_name: Option<String>,
    layers: Vec<Descriptor>,
    /// The digest of the first manifest fetched (the one the reference names).
    first_manifest: Option<Digest>,
    /// The current request was replaced (auth challenge): `end` must not complete it.
    replaced: bool,
    /// A token service gave us a token (so a later 401 is not about the password).
    token_issued: bool,
    /// Decompressed bytes of the layers fetched so far (the image budget is shared).
    uncompressed_used: u64,
    /// A response body is arriving (so a transport failure is a broken-off answer).
    receiving: bool,
    bytes_this_answer: u64,
    fatal: Option<Error>,
    errors: Vec<Error>,
    bytes: u64,
    /// The platform of the manifest an index led to.
    platform: Option<String>,
    /// Whether the image's manifest was read (its layers are known).
    manifest_read: bool,
    /// Config and layer bytes received, and what the manifest declares they add up to.
    blob_bytes: u64,
    declared_bytes: u64,
    /// `index.json` entries for what was found attached (tags, the referrers answers).
    attached: Vec<serde_json::Value>,
    /// Image digests looked up, and artifacts and blobs asked for (each once).
    looked_up: HashSet<Digest>,
    asked: HashSet<Digest>,
    /// What could not be looked up.
    attached_notes: Vec<String>,
    /// Pages of the referrers API's answer read, per image digest.
    referrer_pages: HashMap<Digest, usize>,
    /// Bytes of attached documents received; past [`Fetch::discovery_budget`], no more are asked.
    attached_bytes: u64,
    /// Artifact manifests asked for (up to [`MAX_ATTACHED`]; one more once the note is made).
    artifacts: usize,
}

fn header_pairs(auth: &Option<String>, accept: Option<&str>) -> Vec<(String, String)> {
    let mut h = Vec::new();
    if let Some(a) = accept {
        h.push(("Accept".to_string(), a.to_string()));
    }
    if let Some(a) = auth {
        h.push(("Authorization".to_string(), a.clone()));
    }
    h
}

impl Fetch {
    pub fn new(reference: Reference, creds: Option<Credentials>, opts: &Options) -> Fetch {
        // A token given without a username is used as a bearer token directly.
        let auth = creds
            .as_ref()
            .filter(|c| c.username.is_empty() && !c.password.is_empty())
            .map(|c| format!("Bearer {}", c.password));
        let mut queue = VecDeque::new();
        queue.push_back(Purpose::Ping);
        queue.push_back(Purpose::Manifest(reference.manifest_ref()));
        Fetch {
            top_digest: reference.digest.clone(),
            top_digest_source: "the digest in the reference",
            top_name: Some(reference.to_string()),
            reference,
            creds,
            opts: opts.clone(),
            auth,
            queue,
            current: None,
            retried: false,
            resume: None,
            body: Body::Ignore,
            head: ResponseHead::default(),
            store: MemoryStore::default(),
            top_media_type: None,
            layers: Vec::new(),
            first_manifest: None,
            replaced: false,
            token_issued: false,
            uncompressed_used: 0,
            receiving: false,
            bytes_this_answer: 0,
            fatal: None,
            errors: Vec::new(),
            bytes: 0,
            platform: None,
            manifest_read: false,
            blob_bytes: 0,
            declared_bytes: 0,
            attached: Vec::new(),
            looked_up: HashSet::new(),
            asked: HashSet::new(),
            attached_notes: Vec::new(),
            referrer_pages: HashMap::new(),
            attached_bytes: 0,
            artifacts: 0,
        }
    }

    /// Bytes of signatures and attestations a fetch keeps at most (as a stream keeps small
    /// documents: four times the JSON limit).
    fn discovery_budget(&self) -> u64 {
        self.opts.limits.json_bytes.saturating_mul(4)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}", self.reference.base_url(), path)
    }

    fn request_for(&self, p: &Purpose) -> Request {
        let repo = &self.reference.repository;
        let (url, accept) = match p {
            Purpose::Ping | Purpose::Token => (self.url(""), None),
            Purpose::Manifest(r) | Purpose::AttachedTag(r, _) => {
                (self.url(&format!("{repo}/manifests/{r}")), Some(ACCEPT))
            }
            Purpose::Artifact(d, _) => (self.url(&format!("{repo}/manifests/{d}")), Some(ACCEPT)),
            Purpose::Referrers(d) => (self.url(&format!("{repo}/referrers/{d}")), Some(INDEX_ACCEPT)),
            Purpose::ReferrersPage(_, url) => (url.clone(), Some(INDEX_ACCEPT)),
            Purpose::Config(d) | Purpose::Layer(_, d) | Purpose::ArtifactBlob(d) => {
                (self.url(&format!("{repo}/blobs/{d}")), None)
            }
            // Listing is List's, never asked for by a fetch.
            Purpose::Catalog => (self.url("_catalog"), None),
            Purpose::Tags(r) => (self.url(&format!("{r}/tags/list")), None),
            Purpose::ManifestHead(r) => (self.url(&format!("{repo}/manifests/{r}")), Some(ACCEPT)),
            Purpose::Probe(..) => (self.url(""), None),
        };
        Request {
            url,
            headers: header_pairs(&self.auth, accept),
            purpose: p.clone(),
        }
    }

    /// The next request, or `Done` (also after a fatal error).
    pub fn next_step(&mut self) -> Next {
        if self.fatal.is_some() {
            return Next::Done;
        }
        if let Some(r) = &self.current {
            return Next::Send(r.clone());
        }
        // Past the budget for attached documents, their remaining lookups are dropped.
        if self.attached_bytes > self.discovery_budget() {
            self.queue.retain(|p| !p.is_discovery());
        }
        match self.queue.pop_front() {
            Some(p) => {
                let r = self.request_for(&p);
                self.current = Some(r.clone());
                Next::Send(r)
            }
            None => Next::Done,
        }
    }

    fn fail(&mut self, e: Error) {
        self.fatal.get_or_insert(e);
        self.current = None;
    }

    /// Whether the fetch has stopped (a fatal error): nothing more will be asked.
    pub fn stopped(&self) -> bool {
        self.fatal.is_some()
    }

    /// A lookup of what is attached failed: say so and go on with the next request.
    fn discovery_failed(&mut self, why: String) {
        let what = self.current.take().map(|r| r.url).unwrap_or_default();
        self.receiving = false;
        self.body = Body::Ignore;
        self.retried = false;
        self.resume = None;
        self.attached_notes
            .push(format!("looking up signatures at {what}: {why}"));
    }

    /// Whether the current request is a lookup of what is attached (or the token for one).
    fn discovering(&self) -> bool {
        self.current.as_ref().is_some_and(|r| {
            r.purpose.is_discovery()
                || (r.purpose == Purpose::Token && self.resume.as_ref().is_some_and(Purpose::is_discovery))
        })
    }

    /// The transport could not complete the request (network, TLS, CORS in a browser).
    pub fn transport_error(&mut self, message: &str) {
        if self.discovering() {
            return self.discovery_failed(format!("no answer ({message})"));
        }
        let what = self.current.as_ref().map(|r| r.url.clone()).unwrap_or_default();
        let e = if self.receiving {
            Error::io(format!(
                "the answer from {what} broke off after {} bytes: {message}",
                self.bytes_this_answer
            ))
        } else {
            Error::io(format!("cannot reach {what}: {message}"))
        };
        self.fail(e);
    }

    /// The browser refused the answer (CORS): explain what the registry must send.
    pub fn cors_blocked(&mut self, origin: &str) {
        // A registry without the referrers API answers 404 from a router that often sends no
        // CORS headers: the browser hides it, so it counts as that 404 (the tag fallback).
        if let Some(p @ (Purpose::Referrers(_) | Purpose::AttachedTag(..))) =
            self.current.as_ref().map(|r| r.purpose.clone())
        {
            self.current = None;
            self.receiving = false;
            self.retried = false;
            return self.discovery_miss_of(&p, "", 404);
        }
        if self.discovering() {
            return self.discovery_failed("the browser blocked the answer (CORS)".into());
        }
        let registry = self.reference.base_url();
        self.fail(Error::io(super::cors_help(&registry, origin)));
    }

    /// The reference being fetched.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The response head arrived. Returns whether the body is wanted.
    pub fn head(&mut self, head: ResponseHead) -> bool {
        let Some(req) = self.current.clone() else { return false };
        self.head = head;
        let status = self.head.status;
        self.body = Body::Ignore;
        if status == 401 {
            return self.challenge(&req);
        }
        if req.purpose == Purpose::Ping {
            // Any non-401 answer lets us go on; 404 means this is not a registry API.
            if status == 404 {
                self.fail(Error::unsupported(format!(
                    "{} answers 404 for /v2/: it is not an OCI distribution registry",
                    self.reference.base_url()
                )));
            }
            return false;
        }
        if status != 200 && req.purpose.is_discovery() {
            self.discovery_miss(&req, status);
            return false;
        }
        if status != 200 && self.discovering() {
            self.discovery_failed(format!("the token service answered HTTP {status}"));
            return false;
        }
        if status != 200 {
            let e = self.status_error(&req, status);
            self.fail(e);
            return false;
        }
        match &req.purpose {
            Purpose::Layer(..) => {
                // The image's decompression budget is shared by its layers, as for tarballs.
                let budget = self
                    .opts
                    .limits
                    .image_uncompressed_bytes
                    .saturating_sub(self.uncompressed_used);
                self.body = Body::Layer(Box::new(LayerPipeline::new(&self.opts.limits, budget)));
            }
            _ => self.body = Body::Buffer(Vec::new()),
        }
        self.receiving = true;
        self.bytes_this_answer = 0;
        true
    }

    /// A lookup answered without the document: a registry without the referrers API falls
    /// back to the referrers tag; a tag that does not exist means nothing is attached there.
    fn discovery_miss(&mut self, req: &Request, status: u16) {
        self.discovery_miss_of(&req.purpose, &req.url, status)
    }

    fn discovery_miss_of(&mut self, purpose: &Purpose, url: &str, status: u16) {
        match purpose {
            Purpose::Referrers(d) => {
                let tag = format!("{}-{}", d.algorithm(), d.hex());
                self.queue.push_front(Purpose::AttachedTag(tag, d.clone()));
            }
            Purpose::AttachedTag(..) if status == 404 => {}
            Purpose::ArtifactBlob(_) if status == 404 => {}
            _ => self.attached_notes.push(format!("{url} answered HTTP {status}")),
        }
    }

    /// Once the image's manifest is known: look up what is attached to it (and to the index
    /// that led to it), by the referrers API and cosign's tags.
    fn look_up_attached(&mut self, digests: &[Digest]) {
        for d in digests {
            if !self.looked_up.insert(d.clone()) {
                continue;
            }
            self.queue.push_back(Purpose::Referrers(d.clone()));
            for suffix in ["sig", "att"] {
                let tag = format!("{}-{}.{suffix}", d.algorithm(), d.hex());
                self.queue.push_back(Purpose::AttachedTag(tag, d.clone()));
            }
        }
    }

    /// Asks for an attached artifact's manifest once (up to [`MAX_ATTACHED`]).
    fn ask_artifact(&mut self, d: &Descriptor, found: &str) {
        let Ok(digest) = d.digest() else {
            self.attached_notes.push(format!(
                "{found} lists an artifact with an invalid digest {:?}",
                d.digest
            ));
            return;
        };
        if self.artifacts >= MAX_ATTACHED {
            if self.artifacts == MAX_ATTACHED {
                self.artifacts += 1;
                self.attached_notes.push(format!(
                    "more than {MAX_ATTACHED} artifacts are attached; the rest were not read"
                ));
            }
            return;
        }
        if self.asked.insert(digest.clone()) {
            self.artifacts += 1;
            self.queue.push_back(Purpose::Artifact(digest, found.to_string()));
        }
    }

    /// Asks for the blobs of an attached artifact that porthole reads (small documents).
    fn ask_artifact_blobs(&mut self, m: &Manifest) {
        for l in m.layers.iter().take(MAX_ARTIFACT_BLOBS) {
            let Ok(d) = l.digest() else { continue };
            if l.size().is_some_and(|s| s > self.opts.limits.json_bytes) {
                continue;
            }
            if self.asked.insert(d.clone()) {
                self.queue.push_back(Purpose::ArtifactBlob(d));
            }
        }
    }

    /// Keeps a document found attached, listed in the layout's `index.json` as `tag`.
    fn keep_attached(&mut self, bytes: Vec<u8>, media_type: &str, tag: &str, found: Option<&str>) -> Digest {
        let digest = Digest::of(&bytes);
        let mut annotations = serde_json::Map::new();
        annotations.insert(
            "org.opencontainers.image.ref.name".into(),
            serde_json::Value::String(tag.to_string()),
        );
        if let Some(f) = found {
            annotations.insert(FOUND_ANNOTATION.into(), serde_json::Value::String(f.to_string()));
        }
        self.attached.push(serde_json::json!({
            "mediaType": media_type, "digest": digest.to_string(), "size": bytes.len(), "annotations": annotations
        }));
        self.store.sizes.insert(blob_path(&digest), bytes.len() as u64);
        self.store.small.insert(blob_path(&digest), bytes);
        digest
    }

    fn status_error(&self, req: &Request, status: u16) -> Error {
        let what = match &req.purpose {
            Purpose::Ping => "the registry API".to_string(),
            Purpose::Token => "a token".to_string(),
            Purpose::Manifest(r) => format!("manifest {r} of {}", self.reference.repository),
            Purpose::Config(d) => format!("config blob {d}"),
            Purpose::Layer(i, d) => format!("layer {i} blob {d}"),
            Purpose::Referrers(d) | Purpose::ReferrersPage(d, _) => format!("the referrers of {d}"),
            Purpose::AttachedTag(t, _) => format!("tag {t}"),
            Purpose::Artifact(d, _) => format!("attached artifact {d}"),
            Purpose::ArtifactBlob(d) => format!("attached blob {d}"),
            Purpose::Catalog => "the catalog".to_string(),
            Purpose::Tags(r) => format!("the tags of {r}"),
            Purpose::ManifestHead(r) => format!("manifest {r} of {}", self.reference.repository),
            Purpose::Probe(_, check) => format!("the audit's {check} probe"),
        };
        match status {
            403 => Error::new(
                ErrorKind::Io,
                format!(
                    "access to {what} is forbidden (403): the credentials lack pull permission for {}",
                    self.reference.repository
                ),
            ),
            404 => Error::new(
                ErrorKind::Io,
                format!(
                    "{what} was not found (404): check the repository name and tag of {}",
                    self.reference
                ),
            ),
            429 => Error::new(
                ErrorKind::Io,
                format!(
                    "the registry is rate-limiting requests (429){}",
                    self.head
                        .header("Retry-After")
                        .map(|s| format!("; retry after {s} seconds"))
                        .unwrap_or_default()
                ),
            ),
            s => Error::new(ErrorKind::Io, format!("fetching {what} failed with HTTP {s}")),
        }
    }

    fn challenge(&mut self, req: &Request) -> bool {
        let header = self.head.header("WWW-Authenticate").unwrap_or("").to_string();
        let looking_up = req.purpose.is_discovery()
            || (req.purpose == Purpose::Token && self.resume.as_ref().is_some_and(Purpose::is_discovery));
        if looking_up && (self.retried || req.purpose == Purpose::Token) {
            let why = self.auth_failure(req, &header);
            self.discovery_failed(why);
            return false;
        }
        // A lookup the registry guards in a way porthole cannot answer is a note.
        if looking_up {
            let unanswerable = match Challenge::parse(&header) {
                Challenge::Basic => self.creds.is_none(),
                Challenge::Other(_) => true,
                Challenge::Bearer { .. } => false,
            };
            if unanswerable {
                self.discovery_failed(format!(
                    "the registry asks for credentials porthole cannot give ({header:?})"
                ));
                return false;
            }
        }
        if self.retried || req.purpose == Purpose::Token {
            let e = Error::new(ErrorKind::Io, self.auth_failure(req, &header));
            self.fail(e);
            return false;
        }
        self.retried = true;
        self.replaced = true;
        match Challenge::parse(&header) {
            Challenge::Bearer {
                realm, service, scope, ..
            } => {
                let scope = scope.unwrap_or_else(|| format!("repository:{}:pull", self.reference.repository));
                let mut url = realm.clone();
                url.push(if realm.contains('?') { '&' } else { '?' });
                if let Some(s) = service {
                    url.push_str(&format!("service={}&", query_escape(&s)));
                }
                url.push_str(&format!("scope={}", query_escape(&scope)));
                // A token given without a username goes to the token service as the Basic
                // password (what GitHub's and most registries' token services accept).
                // Credentials never travel in clear to another host: a plain-http realm gets
                // them only on this machine.
                if self.creds.is_some() && !realm_may_get_credentials(&realm, &self.reference.api_host) {
                    self.fail(Error::io(format!(
                        "the registry's token service {realm} is plain http off this machine; porthole will not send \
your credentials there in clear (an https realm is required)"
                    )));
                    return false;
                }
                let auth = self
                    .creds
                    .as_ref()
                    .filter(|c| !c.password.is_empty() || !c.username.is_empty())
                    .map(|c| c.basic());
                self.resume = Some(req.purpose.clone());
                self.current = Some(Request {
                    url,
                    headers: header_pairs(&auth, None),
                    purpose: Purpose::Token,
                });
            }
            Challenge::Basic => match &self.creds {
                Some(c) => {
                    self.auth = Some(c.basic());
                    self.current = Some(self.request_for(&req.purpose));
                }
                None => self.fail(Error::new(
                    ErrorKind::Io,
                    "the registry requires credentials (401, Basic): give a username and password",
                )),
            },
            Challenge::Other(h) if h.is_empty() => self.fail(Error::io(
                "the registry answered 401 without a WWW-Authenticate header that can be read: a browser sees it only \
when the registry lists WWW-Authenticate in Access-Control-Expose-Headers",
            )),
            Challenge::Other(h) => self.fail(Error::unsupported(format!(
                "the registry asks for an authentication scheme porthole does not speak: {h:?}"
            ))),
        }
        false
    }

    /// Why a second 401 ends the run, in words that say what to change.
    fn auth_failure(&self, req: &Request, header: &str) -> String {
        let repo = &self.reference.repository;
        let with_creds = self.creds.is_some();
        let insufficient =
            matches!(Challenge::parse(header), Challenge::Bearer { error: Some(e), .. } if e == "insufficient_scope");
        let missing_too = "a repository that does not exist is answered the same way";
        if req.purpose == Purpose::Token {
            return if with_creds {
                "the registry's token service rejected the credentials (401): check the username and password or token"
                    .into()
            } else {
                "the registry's token service requires credentials (401): give a username and password or token".into()
            };
        }
        if insufficient && with_creds {
            format!(
                "the credentials were accepted, but they do not grant pull access to {repo} (401 insufficient_scope); {missing_too}"
            )
        } else if insufficient || !with_creds {
            format!(
                "the registry requires credentials for {repo} (401): give a username and password or token; {missing_too}"
            )
        } else if self.token_issued {
            "the registry refused the token its own token service issued (401): check the registry's token configuration and clocks".into()
        } else {
            "the registry rejected the credentials (401): check the username and password or token".into()
        }
    }

    /// A chunk of the current response body.
    pub fn body(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        if let Some(Purpose::Config(_) | Purpose::Layer(..)) = self.current.as_ref().map(|r| &r.purpose) {
            self.blob_bytes += chunk.len() as u64;
        }
        self.bytes_this_answer += chunk.len() as u64;
        let limit = self.opts.limits.json_bytes;
        if self.discovering() {
            let before = self.attached_bytes;
            self.attached_bytes += chunk.len() as u64;
            let budget = self.discovery_budget();
            if self.attached_bytes > budget {
                if before <= budget {
                    self.attached_notes.push(format!(
                        "the signatures and attestations attached are over {budget} bytes in all; the rest were not read"
                    ));
                }
                self.body = Body::Ignore;
                return;
            }
        }
        match &mut self.body {
            Body::Buffer(b) => {
                if b.len() as u64 + chunk.len() as u64 > limit {
                    self.body = Body::Ignore;
                    if self.discovering() {
                        let what = self.current.as_ref().map(|r| r.url.clone()).unwrap_or_default();
                        self.attached_notes
                            .push(format!("{what} is over the JSON limit of {limit} bytes: not read"));
                        return;
                    }
                    self.fail(Error::limit(format!(
                        "a registry document is over the JSON limit of {limit} bytes"
                    )));
                } else {
                    b.extend_from_slice(chunk);
                }
            }
            Body::Layer(p) => p.push(chunk),
            Body::Ignore => {}
        }
    }

    /// Bytes of response bodies received so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Once the image's manifest was read: the platform an index led to, and the layers it
    /// lists (what a page shows while they arrive).
    pub fn planned(&self) -> Option<(Option<&str>, &[Descriptor])> {
        self.manifest_read
            .then_some((self.platform.as_deref(), self.layers.as_slice()))
    }

    /// Config and layer bytes received, and the total the manifest declares (0 before it).
    pub fn blob_progress(&self) -> (u64, u64) {
        (self.blob_bytes, self.declared_bytes)
    }

    /// The current response is complete.
    pub fn end(&mut self) {
        self.receiving = false;
        let Some(req) = self.current.clone() else { return };
        if self.fatal.is_some() {
            return;
        }
        // A challenge replaced the request: the replacement is sent next.
        if std::mem::take(&mut self.replaced) {
            return;
        }
        self.current = None;
        let body = std::mem::replace(&mut self.body, Body::Ignore);
        if let Err(e) = self.complete(&req, body) {
            self.fail(e);
        }
    }

    fn complete(&mut self, req: &Request, body: Body) -> Result<()> {
        let limits = self.opts.limits.clone();
        match (&req.purpose, body) {
            (Purpose::Ping, _) => {}
            (Purpose::Token, Body::Buffer(b)) => {
                #[derive(serde::Deserialize)]
                struct Token {
                    token: Option<String>,
                    access_token: Option<String>,
                }
                let t: Token = match parse_json(&b, "the token answer", limits.json_bytes) {
                    Ok(t) => t,
                    Err(e) if self.resume.as_ref().is_some_and(Purpose::is_discovery) => {
                        self.resume = None;
                        self.attached_notes.push(format!(
                            "looking up signatures: the token answer cannot be read: {}",
                            e.message
                        ));
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                let token = t
                    .token
                    .or(t.access_token)
                    .ok_or_else(|| Error::malformed("the token service answered without a token"))?;
                self.auth = Some(format!("Bearer {token}"));
                self.token_issued = true;
                if let Some(p) = self.resume.take() {
                    self.current = Some(self.request_for(&p));
                }
            }
            (Purpose::Manifest(r), Body::Buffer(b)) => self.manifest(r, b)?,
            (Purpose::Config(d), Body::Buffer(b)) => {
                self.store.sizes.insert(blob_path(d), b.len() as u64);
                self.store.small.insert(blob_path(d), b);
                for (i, l) in self.layers.clone().iter().enumerate() {
                    match l.digest() {
                        Ok(d) if !l.is_foreign() => self.queue.push_back(Purpose::Layer(i, d)),
                        _ => {}
                    }
                }
            }
            (Purpose::Referrers(d), Body::Buffer(b)) => self.referrers(d, b, 1),
            (Purpose::ReferrersPage(d, _), Body::Buffer(b)) => {
                let page = self.referrer_pages.get(d).copied().unwrap_or(1) + 1;
                self.referrers(d, b, page)
            }
            (Purpose::AttachedTag(tag, d), Body::Buffer(b)) => self.attached_tag(tag, d, b),
            (Purpose::Artifact(d, found), Body::Buffer(b)) => {
                match parse_json::<Manifest>(&b, "artifact manifest", limits.json_bytes) {
                    Ok(m) => self.ask_artifact_blobs(&m),
                    Err(e) => self
                        .attached_notes
                        .push(format!("the artifact {d} ({found}): {}", e.message)),
                }
                // Kept under the digest asked for; the trust pass checks the bytes against it.
                self.store.sizes.insert(blob_path(d), b.len() as u64);
                self.store.small.insert(blob_path(d), b);
            }
            (Purpose::ArtifactBlob(d), Body::Buffer(b)) => {
                self.store.sizes.insert(blob_path(d), b.len() as u64);
                self.store.small.insert(blob_path(d), b);
            }
            (Purpose::Layer(_, d), Body::Layer(p)) => {
                let r = p.finish();
                self.uncompressed_used = self
                    .uncompressed_used
                    .saturating_add(r.digests.uncompressed_size.unwrap_or(0));
                self.store.sizes.insert(blob_path(d), r.digests.blob_size);
                self.store.layers.insert(blob_path(d), r);
            }
            _ => {}
        }
        // The retry budget is per challenge: a completed request (not the token on its way
        // to the retry) earns a fresh one.
        if req.purpose != Purpose::Token {
            self.retried = false;
        }
        Ok(())
    }

    /// The referrers API answered (page `page`): an index of what is attached to `d`.
    fn referrers(&mut self, d: &Digest, bytes: Vec<u8>, page: usize) {
        let limit = self.opts.limits.json_bytes;
        let index: crate::image::manifest::Index = match parse_json(&bytes, "referrers answer", limit) {
            Ok(i) => i,
            Err(e) => {
                self.attached_notes.push(format!(
                    "the referrers API's answer for {d} is not an index: {}",
                    e.message
                ));
                // The referrers tag is the fallback for an API that is not there, not for a
                // later page gone wrong.
                if page == 1 {
                    let tag = format!("{}-{}", d.algorithm(), d.hex());
                    self.queue.push_front(Purpose::AttachedTag(tag, d.clone()));
                }
                return;
            }
        };
        self.referrer_pages.insert(d.clone(), page);
        // More pages: the `Link` header names the next one, on this registry only.
        if let Some(target) = self.head.header("Link").and_then(super::link::next) {
            match super::link::resolve(&self.reference.base_url(), target) {
                Ok(_) if page >= MAX_REFERRER_PAGES => self.attached_notes.push(format!(
                    "the registry lists the referrers of {d} on more than {MAX_REFERRER_PAGES} pages; only those were read"
                )),
                Ok(url) => self.queue.push_front(Purpose::ReferrersPage(d.clone(), url)),
                Err(e) => self.attached_notes.push(format!("the referrers of {d}: {e}")),
            }
        }
        let tag = format!("{}-{}", d.algorithm(), d.hex());
        self.keep_attached(bytes, crate::image::manifest::OCI_INDEX, &tag, Some("referrers API"));
        for m in &index.manifests {
            self.ask_artifact(m, "referrers API");
        }
    }

    /// A tag that may hold what is attached answered: a cosign signature or attestation
    /// manifest, or (the referrers tag schema) an index of referrers.
    fn attached_tag(&mut self, tag: &str, d: &Digest, bytes: Vec<u8>) {
        let limit = self.opts.limits.json_bytes;
        let m: Manifest = match parse_json(&bytes, "attached manifest", limit) {
            Ok(m) => m,
            Err(e) => {
                self.attached_notes.push(format!("tag {tag} of {d}: {}", e.message));
                return;
            }
        };
        // The referrers tag schema's tag names an index; anything else under it is not read
        // (kept, it would be taken for a second image).
        if !tag.contains('.') && m.manifests.is_none() {
            self.attached_notes
                .push(format!("tag {tag} of {d} holds no index of referrers; it was not read"));
            return;
        }
        let media_type = m.media_type.clone().unwrap_or_else(|| {
            if m.manifests.is_some() {
                crate::image::manifest::OCI_INDEX
            } else {
                crate::image::manifest::OCI_MANIFEST
            }
            .to_string()
        });
        self.keep_attached(bytes, &media_type, tag, None);
        match &m.manifests {
            Some(children) => {
                let found = format!("tag {tag}");
                for c in children {
                    self.ask_artifact(c, &found);
                }
            }
            None => self.ask_artifact_blobs(&m),
        }
    }

    fn manifest(&mut self, asked: &str, bytes: Vec<u8>) -> Result<()> {
        let limits = &self.opts.limits;
        let content_type = self
            .head
            .header("Content-Type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if content_type.contains("distribution.manifest.v1") {
            return Err(Error::unsupported(
                "the registry serves a Docker schema1 manifest, which is unsupported (too old)",
            ));
        }
        let m: Manifest = parse_json(&bytes, "manifest", limits.json_bytes)?;
        if m.schema_version == Some(1) || m.fs_layers.is_some() {
            return Err(Error::unsupported(
                "the registry serves a Docker schema1 manifest, which is unsupported (too old)",
            ));
        }
        let digest = Digest::of(&bytes);
        let top = self.first_manifest.is_none();
        if top {
            self.first_manifest = Some(digest.clone());
            if self.top_digest.is_none()
                && let Some(d) = self
                    .head
                    .header("Docker-Content-Digest")
                    .and_then(|d| Digest::parse(d).ok())
            {
                self.top_digest = Some(d);
                self.top_digest_source = "the registry's Docker-Content-Digest header";
            }
            self.top_media_type = Some(if content_type.is_empty() {
                m.media_type.clone().unwrap_or_default()
            } else {
                content_type.clone()
            });
        }
        self.store.sizes.insert(blob_path(&digest), bytes.len() as u64);
        self.store.small.insert(blob_path(&digest), bytes);
        if let Some(children) = &m.manifests {
            if !top {
                return Err(Error::malformed("an image index points to another index"));
            }
            let (child, _) = crate::source::layout::choose(children, self.opts.platform.as_ref())?;
            self.platform = child.platform.as_ref().map(crate::image::Platform::render);
            let d = child.digest()?;
            self.queue.push_front(Purpose::Manifest(d.to_string()));
            return Ok(());
        }
        let cfg = m
            .config
            .as_ref()
            .ok_or_else(|| Error::malformed(format!("manifest {asked} has no config")))?;
        if m.layers.is_empty() && !content_type.is_empty() && !content_type.contains("manifest") {
            return Err(Error::unsupported(format!(
                "unknown manifest media type {content_type:?}"
            )));
        }
        self.layers = m.layers.clone();
        self.manifest_read = true;
        let mut lookup = vec![digest.clone()];
        lookup.extend(self.first_manifest.clone());
        lookup.reverse();
        self.declared_bytes = cfg.size().unwrap_or(0) + m.layers.iter().map(|l| l.size().unwrap_or(0)).sum::<u64>();
        self.queue.push_back(Purpose::Config(cfg.digest()?));
        self.look_up_attached(&lookup);
        Ok(())
    }

    /// What was fetched, laid out as an OCI image layout in a store, so the report is
    /// assembled by the same code as for a tarball of the same image.
    pub fn finish(mut self) -> Opened<'static> {
        let origin = Origin {
            kind: "registry",
            path: Some(self.reference.to_string()),
            compression: Compression::None,
            streamed: true,
            format: Some("registry"),
        };
        if let Some(e) = self.fatal.take() {
            // Nothing describable unless manifest, config and some layers arrived.
            if self.layers.is_empty() {
                return Opened::failed(origin, e);
            }
            self.errors.push(e);
        }
        // Lay the fetched documents out as an OCI layout whose index names the top manifest.
        let Some(found) = self.first_manifest.clone() else {
            return Opened::failed(origin, Error::malformed("no manifest was fetched"));
        };
        let expected = self.top_digest.clone().unwrap_or_else(|| found.clone());
        let mut annotations = serde_json::Map::new();
        if let Some(n) = &self.top_name {
            annotations.insert("io.containerd.image.name".into(), serde_json::Value::String(n.clone()));
        }
        let size = self.store.sizes.get(&blob_path(&found)).copied().unwrap_or(0);
        let mut manifests = vec![serde_json::json!({
            "mediaType": self.top_media_type.clone().unwrap_or_default(), "digest": expected.to_string(), "size": size,
            "annotations": annotations
        })];
        manifests.append(&mut self.attached);
        let index = serde_json::json!({"schemaVersion": 2, "manifests": manifests});
        if expected != found {
            // Keep the fetched bytes findable under the digest they were asked for, so the
            // manifest check reports the mismatch.
            if let Some(b) = self.store.small.get(&blob_path(&found)).cloned() {
                self.store.small.insert(blob_path(&expected), b);
                self.store.sizes.insert(blob_path(&expected), size);
            }
        }
        let idx = serde_json::to_vec(&index).unwrap_or_default();
        self.store.sizes.insert("index.json".into(), idx.len() as u64);
        self.store.small.insert("index.json".into(), idx);
        self.store.errors.append(&mut self.errors);
        self.store.missing_note =
            Some("the layer blob was not downloaded (see the error that stopped the fetch)".into());
        let mut opened = Opened::with(origin, self.store);
        opened.attached_notes = self.attached_notes;
        opened.manifest_digest = Some(match self.top_digest {
            None => ManifestDigestOrigin::Unnamed,
            Some(_) => ManifestDigestOrigin::Named(self.top_digest_source.to_string()),
        });
        opened
    }
}

#[cfg(test)]
mod tests {
    use super::realm_may_get_credentials as ok;

    #[test]
    fn credentials_only_go_to_safe_realms() {
        assert!(ok("https://auth.example.com/token", "registry.example.com"));
        assert!(ok("http://127.0.0.1:5001/token", "127.0.0.1:5000"));
        assert!(!ok("http://evil.example.net/token", "registry.example.com"));
        assert!(ok("http://127.0.0.2:80/token", "127.0.0.1:5000"));
        // Plain http off this machine never gets credentials, the registry's own host included.
        assert!(!ok("http://registry.corp:5001/token", "registry.corp:5000"));
        assert!(!ok("http://127.evil.example/token", "127.evil.example"));
        assert!(!ok("ftp://x/token", "x"));
    }

    /// Answers the ping with 200 and the manifest request with `status` and `headers`; the
    /// report's error text.
    fn manifest_answered(status: u16, headers: &[(&str, &str)]) -> String {
        use super::{Fetch, Next, Purpose, ResponseHead};
        let reference = crate::source::registry::Reference::parse("127.0.0.1:5000/team/app:1").unwrap();
        let mut fetch = Fetch::new(reference, None, &crate::options::Options::default());
        let mut asked = Vec::new();
        while let Next::Send(req) = fetch.next_step() {
            asked.push(req.purpose.clone());
            let manifest = matches!(req.purpose, Purpose::Manifest(_));
            let head = ResponseHead {
                status: if manifest { status } else { 200 },
                headers: if manifest {
                    headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
                } else {
                    Vec::new()
                },
            };
            if fetch.head(head) {
                fetch.body(b"{}");
            }
            fetch.end();
            assert!(asked.len() < 8, "the fetch keeps asking: {asked:?}");
        }
        assert!(asked.iter().any(|p| matches!(p, Purpose::Manifest(_))), "{asked:?}");
        fetch
            .finish()
            .errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn forbidden_and_rate_limited_answers_say_why() {
        let forbidden = manifest_answered(403, &[]);
        assert!(forbidden.contains("forbidden (403)"), "{forbidden}");
        assert!(forbidden.contains("pull permission for team/app"), "{forbidden}");
        let limited = manifest_answered(429, &[("Retry-After", "30")]);
        assert!(
            limited.contains("rate-limiting requests (429); retry after 30 seconds"),
            "{limited}"
        );
        let limited = manifest_answered(429, &[]);
        assert!(
            limited.contains("(429)") && !limited.contains("retry after"),
            "{limited}"
        );
        let other = manifest_answered(502, &[]);
        assert!(other.contains("manifest 1 of team/app failed with HTTP 502"), "{other}");
    }

    /// What a page shows while the image arrives: the layers once the manifest is read, and
    /// the config and layer bytes received of the total the manifest declares.
    #[test]
    fn the_manifest_announces_the_layers_and_the_bytes_to_come() {
        use super::{Fetch, Next, Purpose, ResponseHead};
        use crate::digest::Digest;
        let reference = crate::source::registry::Reference::parse("127.0.0.1:5000/team/app:1").unwrap();
        let mut fetch = Fetch::new(reference, None, &crate::options::Options::default());
        let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let layer = format!("sha256:{}", "ab".repeat(32));
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer}","size":1000}}]}}"#,
            Digest::of(config),
            config.len()
        );
        let mut seen = Vec::new();
        while let Next::Send(req) = fetch.next_step() {
            assert!(seen.len() < 8, "the fetch keeps asking: {seen:?}");
            seen.push(req.purpose.clone());
            let (status, body): (u16, &[u8]) = match req.purpose {
                Purpose::Manifest(_) => (200, manifest.as_bytes()),
                Purpose::Config(_) => (200, config),
                Purpose::Layer(..) => (404, b""),
                _ => (200, b""),
            };
            let head = ResponseHead {
                status,
                headers: vec![(
                    "Content-Type".into(),
                    "application/vnd.oci.image.manifest.v1+json".into(),
                )],
            };
            if fetch.head(head) {
                fetch.body(body);
            }
            let before = fetch.planned().is_some();
            fetch.end();
            match req.purpose {
                Purpose::Manifest(_) => {
                    assert!(!before, "not before the manifest ended");
                    let (platform, layers) = fetch.planned().expect("announced");
                    assert_eq!(platform, None);
                    assert_eq!(layers.len(), 1);
                    assert_eq!(layers[0].digest, layer);
                    assert_eq!(fetch.blob_progress(), (0, config.len() as u64 + 1000));
                }
                Purpose::Config(_) => {
                    assert_eq!(fetch.blob_progress(), (config.len() as u64, config.len() as u64 + 1000));
                }
                _ => {}
            }
        }
        assert!(seen.iter().any(|p| matches!(p, Purpose::Config(_))), "{seen:?}");
    }
}
