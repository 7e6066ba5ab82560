//! The native transport: a blocking HTTP client (ureq) driving [`Fetch`].

use super::{Credentials, Describe, Exchange, Fetch, List, Listing, Next, Reference, ResponseHead, TagInfo};
use crate::error::{Error, Result};
use crate::options::Options;
use crate::source::Opened;
use std::time::Duration;

/// TLS settings for private registries.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// Accept any certificate (for testing only).
    pub insecure: bool,
}

pub(crate) fn agent(tls: &Tls) -> Result<ureq::Agent> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut t = TlsConfig::builder().disable_verification(tls.insecure);
    if let Some(path) = &tls.ca_file {
        let pem =
            std::fs::read(path).map_err(|e| Error::io(format!("cannot read --ca-file {}: {e}", path.display())))?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(Error::malformed(format!(
                "--ca-file {} holds no PEM certificate",
                path.display()
            )));
        }
        t = t.root_certs(RootCerts::new_with_certs(&certs));
    }
    Ok(ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(10)
        .timeout_connect(Some(Duration::from_secs(20)))
        .tls_config(t.build())
        .user_agent(concat!("porthole/", env!("CARGO_PKG_VERSION")))
        .build()
        .into())
}

/// Explains a transport failure in words a user can act on.
fn explain(e: &ureq::Error) -> String {
    let s = e.to_string();
    if s.contains("UnknownIssuer") || s.contains("certificate") || s.contains("InvalidCertificate") {
        format!(
            "{s} — the registry's certificate is not trusted: pass --ca-file with its CA certificate (PEM), or --insecure to skip verification"
        )
    } else if s.contains("Connection refused") || s.contains("ConnectionRefused") {
        format!("{s} — is the registry running, and is the port right?")
    } else {
        s
    }
}

/// Fetches an image from a registry; `progress` gets the body bytes as they arrive.
pub fn fetch(
    reference: Reference,
    creds: Option<Credentials>,
    tls: &Tls,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Opened<'static> {
    let mut fetch = Fetch::new(reference, creds, opts);
    match agent(tls) {
        Ok(agent) => drive(&agent, &mut fetch, progress),
        Err(e) => fetch.transport_error(&e.message),
    }
    fetch.finish()
}

/// Lists a registry's repositories or a repository's tags (`base`: `scheme://host[:port]`).
pub fn list(
    base: &str,
    api_host: &str,
    creds: Option<Credentials>,
    tls: &Tls,
    what: Listing,
    page_size: usize,
) -> Result<Vec<String>> {
    let mut list = List::list(base, api_host, creds, what, page_size);
    drive(&agent(tls)?, &mut list, &mut |_| {});
    list.names()
}

/// Lists a repository's tags and describes each ([`Describe`]): digests, and with `details`
/// platforms, size, creation time and labels. The descriptions run [`PARALLEL`] at a time, each
/// over its share of the tags, with the token the listing obtained.
pub fn describe_tags(
    base: &str,
    api_host: &str,
    repo: &str,
    creds: Option<Credentials>,
    tls: &Tls,
    details: bool,
    page_size: usize,
) -> Result<Vec<TagInfo>> {
    let agent = agent(tls)?;
    let mut list = List::list(
        base,
        api_host,
        creds.clone(),
        Listing::Tags(repo.to_string()),
        page_size,
    );
    drive(&agent, &mut list, &mut |_| {});
    let token = list.authorization().map(str::to_string);
    let tags = list.names()?;
    let share = tags.len().div_ceil(PARALLEL).max(1);
    let results: Vec<Result<Vec<TagInfo>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = tags
            .chunks(share)
            .map(|chunk| {
                let (agent, creds, token) = (agent.clone(), creds.clone(), token.clone());
                scope.spawn(move || {
                    let mut describe = Describe::tags(base, api_host, repo, chunk, details, creds, token);
                    drive(&agent, &mut describe, &mut |_| {});
                    describe.finish().map(|t| t.infos)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(crate::error::Error::io("a description thread failed")))
            })
            .collect()
    });
    let mut infos = Vec::with_capacity(tags.len());
    for r in results {
        infos.extend(r?);
    }
    Ok(infos)
}

/// Descriptions of tags under way at once (as the page's).
const PARALLEL: usize = 6;

fn drive(agent: &ureq::Agent, fetch: &mut impl Exchange, progress: &mut dyn FnMut(u64)) {
    drive_paced(agent, fetch, progress, None)
}

/// Drives `fetch`, sending at most one request per `pace` when given (an audit's rate).
pub(crate) fn drive_paced(
    agent: &ureq::Agent,
    fetch: &mut impl Exchange,
    progress: &mut dyn FnMut(u64),
    pace: Option<Duration>,
) {
    let mut buf = vec![0u8; 1 << 20];
    let mut last: Option<std::time::Instant> = None;
    loop {
        let req = match fetch.next_step() {
            Next::Send(req) => req,
            Next::Wait(ms) => {
                std::thread::sleep(Duration::from_millis(ms));
                continue;
            }
            Next::Done => return,
        };
        if let (Some(pace), Some(at)) = (pace, last) {
            std::thread::sleep(pace.saturating_sub(at.elapsed()));
        }
        last = Some(std::time::Instant::now());
        macro_rules! with_headers {
            ($b:expr) => {{
                let mut b = $b;
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b
            }};
        }
        let answer = match req.method() {
            "HEAD" => with_headers!(agent.head(&req.url)).call(),
            "OPTIONS" => with_headers!(agent.options(&req.url)).call(),
            // Only an audit's two probes (an upload started, a delete of a digest that cannot
            // exist) are sent with these.
            "POST" => with_headers!(agent.post(&req.url)).send_empty(),
            "DELETE" => with_headers!(agent.delete(&req.url)).call(),
            _ => with_headers!(agent.get(&req.url)).call(),
        };
        let resp = match answer {
            Ok(resp) => resp,
            Err(e) => {
                // A failed lookup of what is attached is a note; anything else ends the fetch.
                fetch.transport_error(&explain(&e));
                if fetch.stopped() {
                    return;
                }
                continue;
            }
        };
        let head = ResponseHead {
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
        };
        if fetch.head(head) {
            let mut body = resp.into_body();
            let reader = body.with_config().limit(u64::MAX).reader();
            let read = crate::blob::read_pieces(reader, &mut buf, |piece| {
                fetch.body(piece);
                progress(piece.len() as u64);
            });
            if let Err(e) = read {
                fetch.transport_error(&format!("the response body broke off: {e}"));
                if fetch.stopped() {
                    return;
                }
                continue;
            }
        }
        fetch.end();
    }
}
