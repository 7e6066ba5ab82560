//! Browsing a registry: its repositories (`/v2/_catalog`) and a repository's tags
//! (`/v2/<name>/tags/list`), page by page (`n` and the `Link` header), sans-IO like
//! [`super::Fetch`]: [`List::next_step`] says which GET to send, the caller feeds the answer.
//! Authentication as for images: an anonymous or credentialed Bearer token (scope
//! `registry:catalog:*` for the catalog, `repository:<name>:pull` for tags), or Basic.

use super::auth::Credentials;
use super::conversation::{Ask, Conversation, Steps};
use super::fetch::{Purpose, ResponseHead};
use crate::error::{Error, Result};

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// The registry's repositories.
    Catalog,
    /// A repository's tags.
    Tags(String),
}

/// What `porthole ls` and the page's "Browse a registry" are given: `host[:port]` (its
/// catalog) or `host[:port]/repo` (its tags), `http://` or `https://` in front if wanted. The
/// reference rules (the default scheme, Docker Hub's API host) are the image references'.
pub fn target(input: &str) -> Result<(super::Reference, Listing)> {
    let input = input.trim().trim_end_matches('/');
    let after_scheme = input.split_once("://").map_or(input, |(_, r)| r);
    match after_scheme.split_once('/') {
        Some((_, path)) if path.contains([':', '@']) => Err(Error::malformed(format!(
            "{input:?}: name a repository without a tag or digest (host[:port]/repo)"
        ))),
        Some(_) => {
            let r = super::Reference::parse(input)?;
            let repo = r.repository.clone();
            Ok((r, Listing::Tags(repo)))
        }
        None if after_scheme.is_empty() => Err(Error::malformed("name a registry: host[:port] or host[:port]/repo")),
        // Parsed as a reference to a placeholder repository, for the registry's part.
        None => Ok((
            super::Reference::parse(&format!("{input}/porthole-listing"))?,
            Listing::Catalog,
        )),
    }
}

/// Names asked for per page (distribution caps `n` at 1000).
pub const PAGE_SIZE: usize = 1000;
/// Names listed at most (a registry cannot make the list grow without end).
pub const MAX_NAMES: usize = 1_000_000;
/// Bytes of names listed at most.
const MAX_NAME_BYTES: usize = 64 << 20;

/// The pages of a listing: what to ask next, and the names read so far.
pub struct Pages {
    base: String,
    what: Listing,
    next: Option<String>,
    names: Vec<String>,
    name_bytes: usize,
    host: String,
    /// The pages asked for, so that a `Link` back to one of them ends the listing.
    seen: std::collections::HashSet<String>,
}

/// A listing in progress: its pages, with authentication.
pub type List = Conversation<Pages>;

impl List {
    /// Lists `what` on the registry at `base` (`scheme://host[:port]`), asking for
    /// `page_size` names a page ([`PAGE_SIZE`] unless a registry wants fewer).
    pub fn list(base: &str, api_host: &str, creds: Option<Credentials>, what: Listing, page_size: usize) -> List {
        let n = page_size.clamp(1, PAGE_SIZE);
        let first = match &what {
            Listing::Catalog => format!("{base}/v2/_catalog?n={n}"),
            Listing::Tags(repo) => format!("{base}/v2/{repo}/tags/list?n={n}"),
        };
        let pages = Pages {
            base: base.to_string(),
            what,
            next: Some(first),
            names: Vec::new(),
            name_bytes: 0,
            host: api_host.to_string(),
            seen: std::collections::HashSet::new(),
        };
        Conversation::new(pages, creds, api_host, None)
    }

    /// The names listed, sorted (registries give tags in any order).
    pub fn names(self) -> Result<Vec<String>> {
        let mut names = self.finish()?.names;
        names.sort_unstable();
        Ok(names)
    }
}

impl Steps for Pages {
    fn next(&mut self) -> Option<Ask> {
        let url = self.next.take()?;
        self.seen.insert(url.clone());
        let purpose = match &self.what {
            Listing::Catalog => Purpose::Catalog,
            Listing::Tags(r) => Purpose::Tags(r.clone()),
        };
        Some(Ask::new(url, Some("application/json"), purpose))
    }

    fn scope(&self) -> String {
        match &self.what {
            Listing::Catalog => "registry:catalog:*".to_string(),
            Listing::Tags(r) => format!("repository:{r}:pull"),
        }
    }

    fn answered(&mut self, _: &Ask, head: &ResponseHead, body: Vec<u8>) -> Result<()> {
        let v: serde_json::Value = serde_json::from_slice(&body)
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
            // Names go into URLs and work lists: only names the spec allows.
            let valid = match self.what {
                Listing::Catalog => super::reference::valid_repository(name),
                Listing::Tags(_) => super::reference::valid_tag(name),
            };
            if !valid {
                return Err(Error::malformed(format!(
                    "the registry lists {name:?}, which is not a valid {} name",
                    if key == "tags" { "tag" } else { "repository" }
                )));
            }
            self.name_bytes += name.len();
            if self.names.len() >= MAX_NAMES || self.name_bytes > MAX_NAME_BYTES {
                return Err(Error::limit(format!(
                    "the registry lists more than {MAX_NAMES} names or {} MiB of them",
                    MAX_NAME_BYTES >> 20
                )));
            }
            self.names.push(name.to_string());
        }
        let Some(target) = head.header("Link").and_then(super::link::next) else {
            return Ok(());
        };
        let url = super::link::resolve(&self.base, target).map_err(Error::io)?;
        // A page that adds nothing and points on would loop.
        if list.is_empty() {
            return Err(Error::malformed(
                "the registry's listing points to a next page after an empty one",
            ));
        }
        if self.seen.contains(&url) {
            return Err(Error::malformed(format!(
                "the registry's listing points back to a page it gave already ({url})"
            )));
        }
        self.next = Some(url);
        Ok(())
    }

    /// Why an answer other than 200 ends the listing, in words that say what to do.
    fn refused(&mut self, ask: &Ask, head: &ResponseHead, _: &[u8], credentials: bool) -> Result<()> {
        let status = head.status;
        let denied = matches!(status, 401 | 403);
        let host = &self.host;
        Err(match (&self.what, denied, status) {
            (Listing::Catalog, true, _) => Error::io(format!(
                "the registry refuses to list its repositories (HTTP {status}{}); name a repository instead: \
{host}/REPOSITORY (porthole ls {host}/REPOSITORY)",
                if credentials {
                    ", with these credentials"
                } else {
                    ", anonymously"
                },
            )),
            (Listing::Catalog, false, 404) => Error::io(format!(
                "the registry has no catalog (HTTP 404; Docker Hub and some others list none); name a repository \
instead: {host}/REPOSITORY (porthole ls {host}/REPOSITORY)"
            )),
            (Listing::Tags(r), true, _) => Error::io(format!(
                "the registry refuses to list the tags of {r} (HTTP {status}){}",
                if credentials {
                    ": these credentials do not grant pull access to it"
                } else {
                    ": give a username and password or token"
                }
            )),
            (Listing::Tags(r), false, 404) => Error::io(format!("the registry has no repository {r} (HTTP 404)")),
            (_, _, s) => Error::io(format!("listing {} failed with HTTP {s}", ask.url)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::registry::Next;

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
        let mut l = List::list("http://r:5000", "r:5000", None, Listing::Catalog, PAGE_SIZE);
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
        assert_eq!(l.names().unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn too_many_requests_waits_as_asked_then_asks_again() {
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        let first = answer(&mut l, 429, &[("Retry-After", "3")], "");
        assert!(matches!(l.next_step(), Next::Wait(3000)));
        assert_eq!(answer(&mut l, 429, &[], ""), first);
        assert!(matches!(l.next_step(), Next::Wait(2000)), "then 1, 2, 4… s");
        answer(&mut l, 200, &[], r#"{"tags":["a"]}"#);
        assert_eq!(l.names().unwrap(), ["a"]);
        // Not for ever: after four retries the 429 is the answer.
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        for _ in 0..5 {
            answer(&mut l, 429, &[("Retry-After", "99999")], "");
            if let Next::Wait(ms) = l.next_step() {
                assert_eq!(ms, 60_000);
            }
        }
        assert!(l.names().unwrap_err().message.contains("429"));
    }

    #[test]
    fn targets_name_a_registry_or_a_repository() {
        let (r, w) = target("127.0.0.1:5000").unwrap();
        assert_eq!((r.base_url().as_str(), w), ("http://127.0.0.1:5000", Listing::Catalog));
        let (r, w) = target("https://r.example/team/app/").unwrap();
        assert_eq!(r.base_url(), "https://r.example");
        assert_eq!(w, Listing::Tags("team/app".into()));
        let (r, _) = target("docker.io/library/alpine").unwrap();
        assert_eq!(r.base_url(), "https://registry-1.docker.io");
        assert!(target("r.example/app:1").is_err());
        assert!(target("r.example/app@sha256:00").is_err());
        assert!(target("").is_err());
    }

    #[test]
    fn refusals_say_what_to_do() {
        let mut l = List::list("http://r", "r", None, Listing::Catalog, PAGE_SIZE);
        answer(&mut l, 403, &[], "");
        assert!(l.names().unwrap_err().message.contains("name a repository instead"));
        let mut l = List::list("http://r", "r", None, Listing::Tags("x/y".into()), PAGE_SIZE);
        answer(&mut l, 404, &[], "");
        assert!(l.names().unwrap_err().message.contains("no repository x/y"));
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(&mut l, 200, &[], r#"{"name":"x","tags":null}"#);
        assert!(l.names().unwrap().is_empty());
        // A next page after an empty one, or on another host, is not followed.
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(
            &mut l,
            200,
            &[("Link", "</v2/x/tags/list?last=z>; rel=next")],
            r#"{"tags":[]}"#,
        );
        assert!(l.names().is_err());
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(
            &mut l,
            200,
            &[("Link", "<http://evil/v2/x>; rel=next")],
            r#"{"tags":["1"]}"#,
        );
        assert!(l.names().unwrap_err().message.contains("not on http://r"));
        // A page that points back to itself, and names that are not names.
        let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
        answer(
            &mut l,
            200,
            &[("Link", "</v2/x/tags/list?n=1000>; rel=next")],
            r#"{"tags":["1"]}"#,
        );
        assert!(l.names().unwrap_err().message.contains("points back"));
        for bad in [r#"{"tags":["a\nhttp://evil/x"]}"#, r#"{"tags":[".."]}"#] {
            let mut l = List::list("http://r", "r", None, Listing::Tags("x".into()), PAGE_SIZE);
            answer(&mut l, 200, &[], bad);
            assert!(l.names().unwrap_err().message.contains("not a valid tag"), "{bad}");
        }
        let mut l = List::list("http://r", "r", None, Listing::Catalog, PAGE_SIZE);
        answer(&mut l, 200, &[], r#"{"repositories":["a/../b"]}"#);
        assert!(l.names().unwrap_err().message.contains("not a valid repository"));
    }
}
