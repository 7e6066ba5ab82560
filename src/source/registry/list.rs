//! Browsing a registry: its repositories (`/v2/_catalog`) and a repository's tags
//! (`/v2/<name>/tags/list`), page by page (`n` and the `Link` header), sans-IO like
//! [`super::Fetch`]: [`List::next_step`] says which GET to send, the caller feeds the answer.
//! Authentication as for images: an anonymous or credentialed Bearer token (scope
//! `registry:catalog:*` for the catalog, `repository:<name>:pull` for tags), or Basic.

use super::auth::{Challenge, Credentials, query_escape};
use super::fetch::{Next, Purpose, Request, ResponseHead};
use crate::error::{Error, ErrorKind, Result};

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// The registry's repositories.
    Catalog,
    /// A repository's tags.
    Tags(String),
}

/// Names asked for per page (distribution caps `n` at 1000).
pub const PAGE_SIZE: usize = 1000;
/// Names listed at most (a registry cannot make the list grow without end).
pub const MAX_NAMES: usize = 1_000_000;
/// Bytes of one page read at most.
const MAX_PAGE_BYTES: usize = 16 << 20;

/// A listing in progress.
pub struct List {
    base: String,
    api_host: String,
    creds: Option<Credentials>,
    what: Listing,
    /// The page to ask for next.
    next: Option<String>,
    /// A request to send before `next` (a token, or the same page again with credentials).
    pending: Option<Request>,
    in_flight: Option<Request>,
    /// The page a token is being asked for.
    resume: Option<String>,
    auth: Option<String>,
    retried: bool,
    head: ResponseHead,
    body: Vec<u8>,
    names: Vec<String>,
    pages: usize,
    error: Option<Error>,
}

impl List {
    /// Lists `what` on the registry at `base` (`scheme://host[:port]`), asking for
    /// `page_size` names a page ([`PAGE_SIZE`] unless a registry wants fewer).
    pub fn new(base: &str, api_host: &str, creds: Option<Credentials>, what: Listing, page_size: usize) -> List {
        let n = page_size.clamp(1, PAGE_SIZE);
        let first = match &what {
            Listing::Catalog => format!("{base}/v2/_catalog?n={n}"),
            Listing::Tags(repo) => format!("{base}/v2/{repo}/tags/list?n={n}"),
        };
        List {
            base: base.to_string(),
            api_host: api_host.to_string(),
            creds,
            what,
            next: Some(first),
            pending: None,
            in_flight: None,
            resume: None,
            auth: None,
            retried: false,
            head: ResponseHead::default(),
            body: Vec::new(),
            names: Vec::new(),
            pages: 0,
            error: None,
        }
    }

    fn purpose(&self) -> Purpose {
        match &self.what {
            Listing::Catalog => Purpose::Catalog,
            Listing::Tags(r) => Purpose::Tags(r.clone()),
        }
    }

    fn page(&self, url: String) -> Request {
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(a) = &self.auth {
            headers.push(("Authorization".to_string(), a.clone()));
        }
        Request {
            url,
            headers,
            purpose: self.purpose(),
        }
    }

    /// The next request to send, or `Done`.
    pub fn next_step(&mut self) -> Next {
        if self.error.is_some() {
            return Next::Done;
        }
        let req = match (self.pending.take(), self.next.take()) {
            (Some(p), next) => {
                self.next = next;
                p
            }
            (None, Some(url)) => self.page(url),
            (None, None) => return Next::Done,
        };
        self.in_flight = Some(req.clone());
        Next::Send(req)
    }

    /// The answer's status and headers; `true` when its body is wanted.
    pub fn head(&mut self, head: ResponseHead) -> bool {
        self.head = head;
        self.body.clear();
        let Some(req) = self.in_flight.clone() else {
            return false;
        };
        match self.head.status {
            200 => true,
            401 => {
                self.challenge(&req);
                false
            }
            s => {
                self.fail(self.refused(&req, s));
                false
            }
        }
    }

    /// A chunk of the answer's body.
    pub fn body(&mut self, chunk: &[u8]) {
        if self.body.len() + chunk.len() > MAX_PAGE_BYTES {
            self.fail(Error::limit(format!(
                "a page of the listing is over {MAX_PAGE_BYTES} bytes"
            )));
            return;
        }
        self.body.extend_from_slice(chunk);
    }

    /// The answer is complete.
    pub fn end(&mut self) {
        let Some(req) = self.in_flight.take() else {
            return;
        };
        if self.error.is_some() || self.head.status != 200 {
            return;
        }
        let body = std::mem::take(&mut self.body);
        if req.purpose == Purpose::Token {
            return self.token(&body);
        }
        self.retried = false;
        if let Err(e) = self.read_page(&body) {
            self.fail(e);
        }
    }

    /// The connection failed.
    pub fn transport_error(&mut self, message: &str) {
        let url = self.in_flight.take().map(|r| r.url).unwrap_or_default();
        self.fail(Error::io(format!("cannot reach {url}: {message}")));
    }

    /// Whether the listing has stopped on an error.
    pub fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// The names listed, sorted (registries give tags in any order).
    pub fn finish(self) -> Result<Vec<String>> {
        match self.error {
            Some(e) => Err(e),
            None => {
                let mut names = self.names;
                names.sort_unstable();
                Ok(names)
            }
        }
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    fn read_page(&mut self, body: &[u8]) -> Result<()> {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| Error::malformed(format!("the registry's listing is not JSON: {e}")))?;
        let key = match self.what {
            Listing::Catalog => "repositories",
            Listing::Tags(_) => "tags",
        };
        // A repository without tags lists `null`.
        let list = match &v[key] {
            serde_json::Value::Null => &[][..],
            serde_json::Value::Array(a) => a.as_slice(),
            _ => {
                return Err(Error::malformed(format!("the registry's listing has no {key:?} list")));
            }
        };
        for name in list {
            let Some(name) = name.as_str() else {
                return Err(Error::malformed(format!(
                    "the registry's {key:?} list holds a non-string"
                )));
            };
            if self.names.len() >= MAX_NAMES {
                return Err(Error::limit(format!("the registry lists more than {MAX_NAMES} names")));
            }
            self.names.push(name.to_string());
        }
        self.pages += 1;
        let Some(target) = self.head.header("Link").and_then(super::link::next) else {
            return Ok(());
        };
        let url = super::link::resolve(&self.base, target).map_err(Error::io)?;
        // A page that adds nothing and points on would loop.
        if list.is_empty() {
            return Err(Error::malformed(
                "the registry's listing points to a next page after an empty one",
            ));
        }
        self.next = Some(url);
        Ok(())
    }

    fn challenge(&mut self, req: &Request) {
        let header = self.head.header("WWW-Authenticate").unwrap_or("").to_string();
        if self.retried || req.purpose == Purpose::Token {
            let e = self.refused(req, 401);
            return self.fail(e);
        }
        self.retried = true;
        match Challenge::parse(&header) {
            Challenge::Bearer {
                realm, service, scope, ..
            } => {
                let scope = scope.unwrap_or_else(|| match &self.what {
                    Listing::Catalog => "registry:catalog:*".to_string(),
                    Listing::Tags(r) => format!("repository:{r}:pull"),
                });
                if self.creds.is_some() && !super::fetch::realm_may_get_credentials(&realm, &self.api_host) {
                    return self.fail(Error::io(format!(
                        "the registry's token service {realm} is plain http on another host; porthole will not send \
your credentials there"
                    )));
                }
                let mut url = realm.clone();
                url.push(if realm.contains('?') { '&' } else { '?' });
                if let Some(s) = service {
                    url.push_str(&format!("service={}&", query_escape(&s)));
                }
                url.push_str(&format!("scope={}", query_escape(&scope)));
                let headers = self
                    .creds
                    .as_ref()
                    .map(|c| vec![("Authorization".to_string(), c.basic())])
                    .unwrap_or_default();
                self.resume = Some(req.url.clone());
                self.pending = Some(Request {
                    url,
                    headers,
                    purpose: Purpose::Token,
                });
            }
            Challenge::Basic => match &self.creds {
                Some(c) => {
                    self.auth = Some(c.basic());
                    self.pending = Some(self.page(req.url.clone()));
                }
                None => self.fail(Error::new(
                    ErrorKind::Io,
                    "the registry requires credentials (401, Basic): give a username and password",
                )),
            },
            Challenge::Other(h) => self.fail(Error::unsupported(format!(
                "the registry answered 401 with an authentication scheme porthole does not speak: {h:?}"
            ))),
        }
    }

    fn token(&mut self, body: &[u8]) {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let token = v["token"].as_str().or_else(|| v["access_token"].as_str());
        match (token, self.resume.take()) {
            (Some(t), Some(url)) => {
                self.auth = Some(format!("Bearer {t}"));
                self.pending = Some(self.page(url));
            }
            _ => self.fail(Error::io("the registry's token service answered without a token")),
        }
    }

    /// Why an answer other than 200 ends the listing, in words that say what to do.
    fn refused(&self, req: &Request, status: u16) -> Error {
        if req.purpose == Purpose::Token {
            return Error::io(format!(
                "the registry's token service refused a token (HTTP {status}){}",
                if self.creds.is_some() {
                    ": check the username and password or token"
                } else {
                    ": give a username and password or token"
                }
            ));
        }
        let denied = matches!(status, 401 | 403);
        match (&self.what, denied, status) {
            (Listing::Catalog, true, _) => Error::io(format!(
                "the registry refuses to list its repositories (HTTP {status}{}); name a repository instead: \
porthole ls {}/REPOSITORY",
                if self.creds.is_some() {
                    ", with these credentials"
                } else {
                    ", anonymously"
                },
                self.api_host
            )),
            (Listing::Catalog, false, 404) => Error::io(format!(
                "the registry has no catalog (HTTP 404; Docker Hub and some others list none); name a repository \
instead: porthole ls {}/REPOSITORY",
                self.api_host
            )),
            (Listing::Tags(r), true, _) => Error::io(format!(
                "the registry refuses to list the tags of {r} (HTTP {status}){}",
                if self.creds.is_some() {
                    ": these credentials do not grant pull access to it"
                } else {
                    ": give a username and password or token"
                }
            )),
            (Listing::Tags(r), false, 404) => Error::io(format!("the registry has no repository {r} (HTTP 404)")),
            (_, _, s) => Error::io(format!("listing {} failed with HTTP {s}", req.url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(l: &mut List, status: u16, headers: &[(&str, &str)], body: &str) -> String {
        let Next::Send(req) = l.next_step() else {
            panic!("no request");
        };
        let head = ResponseHead {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        if l.head(head) {
            l.body(body.as_bytes());
        }
        l.end();
        req.url
    }

    #[test]
    fn follows_pages_and_asks_for_a_token_with_the_catalog_scope() {
        let mut l = List::new("http://r:5000", "r:5000", None, Listing::Catalog, PAGE_SIZE);
        let first = answer(
            &mut l,
            401,
            &[("WWW-Authenticate", r#"Bearer realm="http://r:5000/token",service="r""#)],
            "",
        );
        assert_eq!(first, "http://r:5000/v2/_catalog?n=1000");
        let token = answer(&mut l, 200, &[], r#"{"token":"t"}"#);
        assert_eq!(token, "http://r:5000/token?service=r&scope=registry%3Acatalog%3A%2A");
        let Next::Send(again) = l.next_step() else { panic!() };
        assert_eq!(again.url, first);
        assert!(again.headers.contains(&("Authorization".into(), "Bearer t".into())));
        l.head(ResponseHead {
            status: 200,
            headers: vec![("Link".into(), r#"</v2/_catalog?n=1000&last=b>; rel="next""#.into())],
        });
        l.body(br#"{"repositories":["a","b"]}"#);
        l.end();
        let second = answer(&mut l, 200, &[], r#"{"repositories":["c"]}"#);
        assert_eq!(second, "http://r:5000/v2/_catalog?n=1000&last=b");
        assert!(matches!(l.next_step(), Next::Done));
        assert_eq!(l.finish().unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn refusals_say_what_to_do() {
        let mut l = List::new("http://r", "r", None, Listing::Catalog, PAGE_SIZE);
        answer(&mut l, 403, &[], "");
        assert!(l.finish().unwrap_err().message.contains("name a repository instead"));
        let mut l = List::new("http://r", "r", None, Listing::Tags("x/y".into()), PAGE_SIZE);
        answer(&mut l, 404, &[], "");
        assert!(l.finish().unwrap_err().message.contains("no repository x/y"));
        let mut l = List::new("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(&mut l, 200, &[], r#"{"name":"x","tags":null}"#);
        assert!(l.finish().unwrap().is_empty());
        // A next page after an empty one, or on another host, is not followed.
        let mut l = List::new("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(
            &mut l,
            200,
            &[("Link", "</v2/x/tags/list?last=z>; rel=next")],
            r#"{"tags":[]}"#,
        );
        assert!(l.finish().is_err());
        let mut l = List::new("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(
            &mut l,
            200,
            &[("Link", "<http://evil/v2/x>; rel=next")],
            r#"{"tags":["1"]}"#,
        );
        assert!(l.finish().unwrap_err().message.contains("not on http://r"));
    }
}
