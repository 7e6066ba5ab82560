//! The audit's probes as steps of a registry conversation, and what their answers mean.
//!
//! A pass runs as one identity (anonymous, or the account given) through the client's
//! [`Conversation`] (token flow and Basic as for pulls). What each answer was is kept in
//! [`Observed`]; [`conclude`] turns it into the checks, so the reading of answers is plain
//! code tested with sample answers.

use super::{Audit, Check, Evidence, Outcome, Severity, is_loopback};
use crate::error::Result;
use crate::source::registry::conversation::{Ask, Steps};
use crate::source::registry::{Purpose, ResponseHead};
use std::collections::VecDeque;

/// The origin the CORS probe claims to come from (a name that cannot be registered).
pub const PROBE_ORIGIN: &str = "https://porthole-audit.invalid";
/// A manifest digest that cannot exist: the sha256 of [`IMPOSSIBLE_TEXT`], which is not JSON,
/// so no registry ever accepted it as a manifest. Deleting it changes nothing.
pub const IMPOSSIBLE_DIGEST: &str = "sha256:c6e7fbaa7b20d81a862482b244c712ae53799743678173282aff4c8ece35e749";
/// What [`IMPOSSIBLE_DIGEST`] is the digest of.
pub const IMPOSSIBLE_TEXT: &str = "porthole audit: no manifest has this digest; this text is not JSON\n";
/// Repositories sampled from a catalog.
pub const SAMPLE: usize = 3;

/// Who a pass runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Anonymous,
    Account(String),
}

impl Identity {
    fn shown(&self) -> String {
        match self {
            Identity::Anonymous => "anonymous".into(),
            Identity::Account(u) if u.is_empty() => "with the token given".into(),
            Identity::Account(u) => format!("as {u}"),
        }
    }
}

/// One probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// `GET /v2/` without credentials, claiming [`PROBE_ORIGIN`].
    Api,
    /// `OPTIONS /v2/`: the preflight a browser would send.
    Preflight,
    Catalog,
    Tags(String),
    Head(String, String),
    /// `POST /v2/<repo>/blobs/uploads/`: an upload started…
    Push(String),
    /// …and cancelled at once (`DELETE` of the upload's location).
    Cancel(String, String),
    /// `DELETE /v2/<repo>/manifests/<IMPOSSIBLE_DIGEST>`.
    Delete(String),
}

/// An answer, kept for the conclusion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the passes saw, per identity.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub catalog: Option<(Answer, Vec<String>)>,
    /// Per repository: its tag list, and the HEAD of its first tag.
    pub pulls: Vec<(String, Answer, Option<Answer>)>,
    /// Per repository: the upload started, and its cancellation.
    pub pushes: Vec<(String, Answer, Option<Answer>)>,
    pub deletes: Vec<(String, Answer)>,
    /// Repositories the registry said do not exist (404 to their tag list): not probed further.
    pub missing: Vec<String>,
    pub evidence: Vec<(&'static str, Evidence)>,
}

/// What every pass saw.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub api: Option<Answer>,
    pub preflight: Option<Answer>,
    pub anonymous: Seen,
    pub account: Seen,
    /// Why the account pass did not run, if it did not.
    pub account_skipped: Option<String>,
}

/// One pass of probes as one identity.
pub struct Probes {
    base: String,
    identity: Identity,
    queue: VecDeque<Probe>,
    asked: Option<Probe>,
    pub observed: Observed,
    /// Whether the upload and delete probes may be sent (the page asks first).
    pub write_probes: bool,
}

impl Probes {
    /// The probes `plan` as `identity` on the registry at `base`, adding to `observed`.
    pub fn new(base: &str, identity: Identity, plan: Vec<Probe>, observed: Observed) -> Probes {
        Probes {
            base: base.to_string(),
            identity,
            queue: plan.into(),
            asked: None,
            observed,
            write_probes: true,
        }
    }

    /// The probes of the repositories: their tags (then a HEAD of the first), an upload
    /// started (then cancelled), a delete of a digest that cannot exist.
    pub fn of_repositories(repos: &[String]) -> Vec<Probe> {
        repos
            .iter()
            .flat_map(|r| [Probe::Tags(r.clone()), Probe::Push(r.clone()), Probe::Delete(r.clone())])
            .collect()
    }

    fn seen(&mut self) -> &mut Seen {
        match self.identity {
            Identity::Anonymous => &mut self.observed.anonymous,
            Identity::Account(_) => &mut self.observed.account,
        }
    }

    fn check_of(p: &Probe) -> &'static str {
        match p {
            Probe::Api | Probe::Preflight => "cors",
            Probe::Catalog => "catalog",
            Probe::Tags(_) | Probe::Head(..) => "pull",
            Probe::Push(_) | Probe::Cancel(..) => "push",
            Probe::Delete(_) => "delete",
        }
    }

    fn record(&mut self, ask: &Ask, head: &ResponseHead, body: &[u8]) -> Answer {
        let answer = Answer {
            status: head.status,
            headers: head.headers.clone(),
            // Whole (answers are bounded by the conversation): names are read from it; the
            // evidence shows its start only.
            body: String::from_utf8_lossy(body).into_owned(),
        };
        let evidence = Evidence {
            request: format!("{} {} ({})", ask.purpose.method(), ask.url, self.identity.shown()),
            answer: describe(&answer),
        };
        let check = self.asked.as_ref().map_or("api", Self::check_of);
        self.seen().evidence.push((check, evidence));
        answer
    }

    fn took(&mut self, ask: &Ask, head: &ResponseHead, body: &[u8]) {
        let answer = self.record(ask, head, body);
        let Some(probe) = self.asked.take() else { return };
        match probe {
            Probe::Api => self.observed.api = Some(answer),
            Probe::Preflight => self.observed.preflight = Some(answer),
            Probe::Catalog => {
                let names = names(&answer, "repositories");
                self.seen().catalog = Some((answer, names));
            }
            Probe::Tags(repo) => {
                // A repository that does not exist gets no upload and no delete: the probes
                // only touch what is there.
                if answer.status == 404 {
                    self.queue
                        .retain(|p| !matches!(p, Probe::Push(r) | Probe::Delete(r) if *r == repo));
                    self.seen().missing.push(repo.clone());
                }
                let tags = names(&answer, "tags");
                if answer.status == 200
                    && let Some(first) = tags
                        .first()
                        .filter(|t| crate::source::registry::reference::valid_tag(t))
                {
                    self.queue.push_front(Probe::Head(repo.clone(), first.clone()));
                }
                self.seen().pulls.push((repo, answer, None));
            }
            Probe::Head(repo, _) => {
                if let Some(p) = self.seen().pulls.iter_mut().rev().find(|p| p.0 == repo) {
                    p.2 = Some(answer);
                }
            }
            Probe::Push(repo) => {
                // An upload was started: cancel it at once, on this registry only.
                if answer.status == 202
                    && let Some(loc) = answer.header("Location")
                    && let Ok(url) = crate::source::registry::link::resolve(&self.base, loc)
                    && upload_of(&self.base, &repo, &url)
                {
                    self.queue.push_front(Probe::Cancel(repo.clone(), url));
                }
                self.seen().pushes.push((repo, answer, None));
            }
            Probe::Cancel(repo, _) => {
                if let Some(p) = self.seen().pushes.iter_mut().rev().find(|p| p.0 == repo) {
                    p.2 = Some(answer);
                }
            }
            Probe::Delete(repo) => self.seen().deletes.push((repo, answer)),
        }
    }
}

/// Whether `url` is an upload of `repo` on this registry (`/v2/<repo>/blobs/uploads/<id>`, no
/// dot segments, no fragment): the only thing the cancel may DELETE.
fn upload_of(base: &str, repo: &str, url: &str) -> bool {
    let Some(rest) = url.strip_prefix(base) else {
        return false;
    };
    let path = rest.split('?').next().unwrap_or("");
    let Some(id) = path.strip_prefix(&format!("/v2/{repo}/blobs/uploads/")) else {
        return false;
    };
    !id.is_empty() && !rest.contains('#') && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
}

/// The names a list answer holds (`repositories` or `tags`).
fn names(answer: &Answer, key: &str) -> Vec<String> {
    if answer.status != 200 {
        return Vec::new();
    }
    serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| {
            v[key]
                .as_array()
                .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
        })
        .unwrap_or_default()
}

/// An answer in one line: the status, the headers that matter, the start of a text body.
fn describe(a: &Answer) -> String {
    const SHOWN: &[&str] = &[
        "WWW-Authenticate",
        "Docker-Distribution-API-Version",
        "Server",
        "X-Powered-By",
        "Location",
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Expose-Headers",
    ];
    if a.status == 0 {
        return format!("000 no answer read: {}", a.body);
    }
    let mut out = a.status.to_string();
    for name in SHOWN {
        if let Some(v) = a.header(name) {
            out.push_str(&format!("; {name}: {v}"));
        }
    }
    let body: String = a.body.split_whitespace().collect::<Vec<_>>().join(" ");
    if !body.is_empty() {
        let cut: String = body.chars().take(200).collect();
        out.push_str(&format!(
            "; body: {cut}{}",
            if cut.len() < body.len() { "…" } else { "" }
        ));
    }
    out
}

impl Steps for Probes {
    fn next(&mut self) -> Option<Ask> {
        let mut probe = self.queue.pop_front()?;
        while !self.write_probes && matches!(probe, Probe::Push(_) | Probe::Delete(_)) {
            probe = self.queue.pop_front()?;
        }
        let base = &self.base;
        let (url, method, accept) = match &probe {
            Probe::Api => (format!("{base}/v2/"), "GET", None),
            Probe::Preflight => (format!("{base}/v2/"), "OPTIONS", None),
            Probe::Catalog => (format!("{base}/v2/_catalog?n=100"), "GET", Some("application/json")),
            Probe::Tags(r) => (
                format!("{base}/v2/{r}/tags/list?n=100"),
                "GET",
                Some("application/json"),
            ),
            Probe::Head(r, t) => (
                format!("{base}/v2/{r}/manifests/{t}"),
                "HEAD",
                Some(crate::source::registry::ACCEPT),
            ),
            Probe::Push(r) => (format!("{base}/v2/{r}/blobs/uploads/"), "POST", None),
            Probe::Cancel(_, url) => (url.clone(), "DELETE", None),
            Probe::Delete(r) => (format!("{base}/v2/{r}/manifests/{IMPOSSIBLE_DIGEST}"), "DELETE", None),
        };
        let mut ask = Ask::new(url, accept, Purpose::Probe(method, Self::check_of(&probe)));
        match probe {
            // The registry's own answer, without credentials, as a browser would get it.
            Probe::Api => {
                ask.authenticate = false;
                ask.headers.push(("Origin".into(), PROBE_ORIGIN.into()));
            }
            Probe::Preflight => {
                ask.authenticate = false;
                ask.headers.extend([
                    ("Origin".into(), PROBE_ORIGIN.into()),
                    ("Access-Control-Request-Method".into(), "GET".into()),
                    ("Access-Control-Request-Headers".into(), "authorization".into()),
                ]);
            }
            _ => {}
        }
        self.asked = Some(probe);
        Some(ask)
    }

    fn unanswerable_is_answer(&self) -> bool {
        true
    }

    fn scope(&self) -> String {
        match &self.asked {
            Some(Probe::Catalog) => "registry:catalog:*".into(),
            Some(Probe::Tags(r) | Probe::Head(r, _)) => format!("repository:{r}:pull"),
            Some(Probe::Push(r) | Probe::Cancel(r, _)) => format!("repository:{r}:pull,push"),
            Some(Probe::Delete(r)) => format!("repository:{r}:delete"),
            _ => String::new(),
        }
    }

    fn answered(&mut self, ask: &Ask, head: &ResponseHead, body: Vec<u8>) -> Result<()> {
        self.took(ask, head, &body);
        Ok(())
    }

    fn refused(&mut self, ask: &Ask, head: &ResponseHead, body: &[u8], _: bool) -> Result<()> {
        self.took(ask, head, body);
        Ok(())
    }

    /// A probe that could not be sent (a browser refusing a DELETE the registry's CORS policy
    /// does not allow, a connection reset) is kept as an answer of status 0, with why.
    fn failed(&mut self, ask: &Ask, message: &str) -> Result<()> {
        // The first request failing means the registry cannot be reached at all.
        if self.asked == Some(Probe::Api) {
            return Err(crate::error::Error::io(format!("cannot reach {}: {message}", ask.url)));
        }
        let head = ResponseHead {
            status: 0,
            headers: Vec::new(),
        };
        self.took(ask, &head, message.as_bytes());
        Ok(())
    }
}

fn evidence(seen: &Seen, check: &str) -> Vec<Evidence> {
    seen.evidence
        .iter()
        .filter(|(c, _)| *c == check)
        .map(|(_, e)| e.clone())
        .collect()
}

fn status_words(a: &Answer) -> String {
    format!("HTTP {}", a.status)
}

/// What the answers mean: the checks, in a fixed order.
pub fn conclude(
    base: &str,
    public: bool,
    account: Option<&str>,
    repos: &[String],
    observed: &Observed,
    tls_verified: bool,
) -> Audit {
    let (scheme, host) = base.split_once("://").unwrap_or(("https", base));
    let local = is_loopback(host);
    let plain = scheme == "http";
    let mut checks = Vec::new();
    let api_evidence = |o: &Observed| {
        o.anonymous
            .evidence
            .iter()
            .filter(|(c, _)| *c == "cors")
            .map(|(_, e)| e.clone())
            .collect::<Vec<_>>()
    };
    let api = observed.api.clone().unwrap_or_default();

    // The API.
    let version = api.header("Docker-Distribution-API-Version").unwrap_or("");
    checks.push(
        Check::new(
            "api",
            Outcome::Pass,
            Severity::Info,
            format!(
                "GET /v2/ without credentials answered {}{}",
                status_words(&api),
                if version.is_empty() {
                    " (no Docker-Distribution-API-Version header)".to_string()
                } else {
                    format!(", {version}")
                }
            ),
        )
        .with(api_evidence(observed).into_iter().take(1).collect()),
    );

    // Transport.
    checks.push(match (plain, local) {
        (false, _) if tls_verified => Check::new(
            "transport",
            Outcome::Pass,
            Severity::Info,
            "https, with a certificate porthole verified",
        ),
        (false, _) => Check::new(
            "transport",
            Outcome::Finding,
            Severity::Medium,
            "https, but its certificate was not verified (--insecure)",
        ),
        (true, true) => Check::new(
            "transport",
            Outcome::Finding,
            Severity::Info,
            "plain http, on this machine (loopback): nothing crosses the network",
        ),
        (true, false) => Check::new(
            "transport",
            Outcome::Finding,
            Severity::Medium,
            "plain http off this machine: anyone on the path reads the images and can change them",
        ),
    });

    // Credentials in clear: the registry asks for them (401) over plain http, or its token
    // service is plain http, off loopback.
    let realm = match crate::source::registry::Challenge::parse(api.header("WWW-Authenticate").unwrap_or("")) {
        crate::source::registry::Challenge::Bearer { realm, .. } => Some(realm),
        _ => None,
    };
    let realm_plain = realm
        .as_deref()
        .filter(|r| !crate::source::registry::auth::realm_may_get_credentials(r, host));
    let asks_in_clear = plain && !local && api.status == 401;
    checks.push(if asks_in_clear || realm_plain.is_some() {
        Check::new(
            "credentials-over-http",
            Outcome::Finding,
            Severity::High,
            match realm_plain {
                Some(r) => format!("the token service {r} is plain http: passwords and tokens cross the network in clear"),
                None => "the registry asks for credentials (401) over plain http: passwords and tokens cross the network in clear"
                    .to_string(),
            },
        )
        .with(api_evidence(observed).into_iter().take(1).collect())
    } else {
        Check::new(
            "credentials-over-http",
            Outcome::Pass,
            Severity::Info,
            if plain && !local {
                "the registry asks for no credentials, so none travel (but see transport)"
            } else {
                "no credentials travel over plain http off this machine"
            },
        )
    });

    // What the answers disclose.
    let mut disclosed: Vec<String> = Vec::new();
    for seen in [&observed.anonymous, &observed.account] {
        for (_, e) in &seen.evidence {
            for name in ["Server:", "X-Powered-By:"] {
                if let Some(i) = e.answer.find(name) {
                    let v = e.answer[i..].split(';').next().unwrap_or("").to_string();
                    if !disclosed.contains(&v) {
                        disclosed.push(v);
                    }
                }
            }
        }
    }
    checks.push(if disclosed.is_empty() {
        Check::new(
            "version-disclosure",
            Outcome::Pass,
            Severity::Info,
            "no Server or X-Powered-By header",
        )
    } else {
        let versioned = disclosed.iter().any(|d| d.chars().any(|c| c.is_ascii_digit()));
        Check::new(
            "version-disclosure",
            Outcome::Finding,
            if versioned { Severity::Low } else { Severity::Info },
            format!("the answers say {}", disclosed.join(", ")),
        )
    });

    let anonymous = Judged::Anonymous { public };
    let no_repo = "no repository to sample: the catalog listed none (or was refused); name one with --repo";
    let none_there = format!("the repositories probed do not exist (HTTP 404): {}", repos.join(", "));
    // Not sampled: what a check says when there is no repository to probe.
    let unsampled = |seen: &Seen| {
        if repos.is_empty() {
            Some(no_repo.to_string())
        } else if repos.iter().all(|r| seen.missing.contains(r)) {
            Some(none_there.clone())
        } else {
            None
        }
    };
    let anon = &observed.anonymous;
    checks.push(catalog_check(anonymous, anon));
    checks.push(pull_check(anonymous, anon, repos, unsampled(anon)));
    // Push and delete are not tried on repositories that do not exist.
    checks.push(push_check(anonymous, anon, unsampled(anon)));
    checks.push(delete_check(anonymous, anon, unsampled(anon)));

    // CORS.
    let acao = api.header("Access-Control-Allow-Origin").unwrap_or("");
    let acac = api
        .header("Access-Control-Allow-Credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let methods = observed
        .preflight
        .as_ref()
        .and_then(|p| p.header("Access-Control-Allow-Methods"))
        .unwrap_or("none named");
    let cors_summary = |what: &str| format!("{what}; a preflight is allowed the methods: {methods}");
    checks.push(
        match (acao.trim(), acac) {
            ("*", true) => Check::new(
                "cors",
                Outcome::Finding,
                Severity::Medium,
                cors_summary("Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true"),
            ),
            (o, true) if o == PROBE_ORIGIN => Check::new(
                "cors",
                Outcome::Finding,
                Severity::Medium,
                cors_summary("any origin is echoed in Access-Control-Allow-Origin, with credentials allowed"),
            ),
            ("*", false) => Check::new(
                "cors",
                Outcome::Pass,
                Severity::Info,
                cors_summary(
                    "any site may read what anonymous users can (Access-Control-Allow-Origin: *), without credentials",
                ),
            ),
            ("", _) => Check::new(
                "cors",
                Outcome::Pass,
                Severity::Info,
                cors_summary("no cross-origin reads allowed (no Access-Control-Allow-Origin)"),
            ),
            (o, _) => Check::new(
                "cors",
                Outcome::Pass,
                Severity::Info,
                cors_summary(&format!("cross-origin reads allowed for {o} only")),
            ),
        }
        .with(api_evidence(observed)),
    );

    // The account given.
    let acct = &observed.account;
    let skipped = match (account, &observed.account_skipped) {
        (None, _) => Some("no credentials given".to_string()),
        (Some(_), Some(why)) => Some(why.clone()),
        _ => None,
    };
    if let Some(why) = skipped {
        for id in ["account-catalog", "account-pull", "account-push", "account-delete"] {
            checks.push(Check::new(id, Outcome::NotRun, Severity::Info, why.clone()));
        }
    } else {
        checks.push(catalog_check(Judged::Account, acct));
        checks.push(pull_check(Judged::Account, acct, repos, unsampled(acct)));
        checks.push(push_check(Judged::Account, acct, unsampled(acct)));
        checks.push(delete_check(Judged::Account, acct, unsampled(acct)));
    }

    let summary = summary(&checks);
    Audit {
        registry: base.to_string(),
        public,
        account: account.map(str::to_string),
        repositories: repos.to_vec(),
        checks,
        summary,
    }
}

/// Why a probe gave no answer to judge: never sent (not allowed), or the request failed.
fn untried<'a>(answers: impl Iterator<Item = &'a Answer>) -> Option<String> {
    let answers: Vec<&Answer> = answers.collect();
    if answers.is_empty() {
        return Some("not tried: the upload and delete probes were not allowed (the page asks first)".into());
    }
    answers.iter().all(|a| a.status == 0).then(|| {
        format!(
            "no answer could be read (a browser may still have sent it): {}",
            answers[0].body
        )
    })
}

/// Whose rights a check judges: anyone's, or the account's given.
#[derive(Debug, Clone, Copy)]
enum Judged {
    Anonymous { public: bool },
    Account,
}

impl Judged {
    fn id(self, check: &str) -> String {
        match self {
            Judged::Anonymous { .. } => format!("anonymous-{check}"),
            Judged::Account => format!("account-{check}"),
        }
    }

    fn who(self) -> &'static str {
        match self {
            Judged::Anonymous { .. } => "anyone",
            Judged::Account => "the account",
        }
    }

    /// What reading weighs: anyone reading a private registry is high; a public one, or an
    /// account doing what accounts do, is information.
    fn may_read(self) -> Severity {
        match self {
            Judged::Anonymous { public: false } => Severity::High,
            _ => Severity::Info,
        }
    }

    fn may_write(self) -> Severity {
        match self {
            Judged::Anonymous { .. } => Severity::High,
            Judged::Account => Severity::Info,
        }
    }

    /// An account that may delete is worth knowing of: one leaked token can erase images.
    fn may_delete(self) -> Severity {
        match self {
            Judged::Anonymous { .. } => Severity::High,
            Judged::Account => Severity::Medium,
        }
    }

    fn public_note(self) -> &'static str {
        match self {
            Judged::Anonymous { public: true } => " (declared public)",
            _ => "",
        }
    }
}

fn catalog_check(identity: Judged, seen: &Seen) -> Check {
    let id = identity.id("catalog");
    let id = id.as_str();
    let who = identity.who();
    let anonymous = matches!(identity, Judged::Anonymous { .. });
    match &seen.catalog {
        Some((a, names)) if a.status == 200 => Check::new(
            id,
            Outcome::Finding,
            identity.may_read(),
            format!(
                "{who} can list the repositories{}: {} on the first page",
                identity.public_note(),
                names.len()
            ),
        ),
        Some((a, _)) if a.status == 404 => Check::new(
            id,
            Outcome::Pass,
            Severity::Info,
            "the registry has no catalog (HTTP 404)",
        ),
        Some((a, _)) if !anonymous || matches!(a.status, 401 | 403) => Check::new(
            id,
            Outcome::Pass,
            Severity::Info,
            format!("{who} may not list the repositories ({})", status_words(a)),
        ),
        Some((a, _)) => Check::new(
            id,
            Outcome::NotRun,
            Severity::Info,
            format!("the catalog answered {}", status_words(a)),
        ),
        None => Check::new(id, Outcome::NotRun, Severity::Info, "not asked"),
    }
    .with(evidence(seen, "catalog"))
}

fn pull_check(identity: Judged, seen: &Seen, repos: &[String], unsampled: Option<String>) -> Check {
    let id = identity.id("pull");
    let id = id.as_str();
    let pulled: Vec<&str> = seen
        .pulls
        .iter()
        .filter(|(_, tags, head)| tags.status == 200 && head.as_ref().is_none_or(|h| h.status == 200))
        .map(|(r, ..)| r.as_str())
        .collect();
    if let Some(why) = unsampled {
        Check::new(id, Outcome::NotRun, Severity::Info, why)
    } else if !pulled.is_empty() {
        Check::new(
            id,
            Outcome::Finding,
            identity.may_read(),
            format!(
                "{} can list tags and pull{}: {}",
                identity.who(),
                identity.public_note(),
                pulled.join(", ")
            ),
        )
    } else {
        Check::new(
            id,
            Outcome::Pass,
            Severity::Info,
            format!("{} may pull none of: {}", identity.who(), repos.join(", ")),
        )
    }
    .with(evidence(seen, "pull"))
}

fn push_check(identity: Judged, seen: &Seen, unsampled: Option<String>) -> Check {
    let id = identity.id("push");
    let id = id.as_str();
    if let Some(why) = unsampled {
        return Check::new(id, Outcome::NotRun, Severity::Info, why);
    }
    if let Some(why) = untried(seen.pushes.iter().map(|(_, a, _)| a)) {
        return Check::new(id, Outcome::NotRun, Severity::Info, why).with(evidence(seen, "push"));
    }
    let started: Vec<String> = seen
        .pushes
        .iter()
        .filter(|(_, a, _)| a.status == 202)
        .map(|(r, _, cancel)| match cancel {
            Some(c) if (200..300).contains(&c.status) => format!("{r} (cancelled: HTTP {})", c.status),
            Some(c) if c.status == 0 => {
                format!(
                    "{r} (the cancel's answer could not be read: the upload may stay open until the registry purges it)"
                )
            }
            Some(c) => format!("{r} (the cancel answered HTTP {})", c.status),
            None => format!("{r} (not cancelled: the answer named no upload location this client could read)"),
        })
        .collect();
    let who = identity.who();
    let check = if started.is_empty() {
        let answers: Vec<String> = seen
            .pushes
            .iter()
            .map(|(r, a, _)| format!("{r}: HTTP {}", a.status))
            .collect();
        Check::new(
            id,
            Outcome::Pass,
            Severity::Info,
            format!("no upload could be started ({})", answers.join(", ")),
        )
    } else {
        Check::new(
            id,
            Outcome::Finding,
            identity.may_write(),
            format!(
                "{who} can push: an upload was started in {}. The registry keeps the cancelled upload's bookkeeping \
under _uploads/ until its upload purging runs; nothing else was written",
                started.join(", ")
            ),
        )
    };
    check.with(evidence(seen, "push"))
}

fn delete_check(identity: Judged, seen: &Seen, unsampled: Option<String>) -> Check {
    let id = identity.id("delete");
    let id = id.as_str();
    if let Some(why) = unsampled {
        return Check::new(id, Outcome::NotRun, Severity::Info, why);
    }
    if let Some(why) = untried(seen.deletes.iter().map(|(_, a)| a)) {
        return Check::new(id, Outcome::NotRun, Severity::Info, why).with(evidence(seen, "delete"));
    }
    let who = identity.who();
    let enabled: Vec<&str> = seen
        .deletes
        .iter()
        .filter(|(_, a)| a.status == 202 || (a.status == 404 && a.body.contains("MANIFEST_UNKNOWN")))
        .map(|(r, _)| r.as_str())
        .collect();
    let disabled = seen.deletes.iter().any(|(_, a)| a.status == 405);
    let check = if !enabled.is_empty() {
        Check::new(
            id,
            Outcome::Finding,
            identity.may_delete(),
            format!(
                "deletion is enabled and {who} may delete: a DELETE of a manifest that cannot exist was answered as a \
missing manifest in {}",
                enabled.join(", ")
            ),
        )
    } else if disabled {
        Check::new(id, Outcome::Pass, Severity::Info, "deletion is disabled (HTTP 405)")
    } else {
        let answers: Vec<String> = seen
            .deletes
            .iter()
            .map(|(r, a)| format!("{r}: HTTP {}", a.status))
            .collect();
        Check::new(
            id,
            Outcome::Pass,
            Severity::Info,
            format!("{who} may not delete ({})", answers.join(", ")),
        )
    };
    check.with(evidence(seen, "delete"))
}

/// What a page cannot judge: a browser sends `Origin` itself, cannot send a preflight of its
/// own, and sees only the headers a registry exposes (not `Server`, not the CORS headers).
pub fn as_seen_by_a_browser(audit: &mut Audit) {
    for c in &mut audit.checks {
        let why = match c.id.as_str() {
            "cors" => "a browser cannot read a registry's CORS headers: run `porthole audit` for this check",
            "version-disclosure" => {
                "a browser sees only the headers a registry exposes: run `porthole audit` for this check"
            }
            _ => continue,
        };
        *c = Check::new(&c.id, Outcome::NotRun, Severity::Info, why);
    }
    audit.summary = summary(&audit.checks);
}

/// How many findings at each severity.
fn summary(checks: &[Check]) -> std::collections::BTreeMap<String, usize> {
    let mut summary: std::collections::BTreeMap<String, usize> = ["high", "medium", "low", "info"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    for c in checks.iter().filter(|c| c.outcome == Outcome::Finding) {
        *summary.entry(c.severity.as_str().to_string()).or_default() += 1;
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Answer {
        Answer {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.to_string(),
        }
    }

    fn outcome(a: &Audit, id: &str) -> (Outcome, Severity) {
        let c = a.checks.iter().find(|c| c.id == id).unwrap();
        (c.outcome, c.severity)
    }

    /// Sample answers of an open registry with deletion on, and of a locked one.
    #[test]
    fn answers_read_as_the_severity_scale_says() {
        let repos = vec!["team/app".to_string()];
        let mut open = Observed {
            api: Some(answer(
                200,
                &[
                    ("Docker-Distribution-API-Version", "registry/2.0"),
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                "{}",
            )),
            ..Default::default()
        };
        open.anonymous.catalog = Some((answer(200, &[], r#"{"repositories":["team/app"]}"#), repos.clone()));
        open.anonymous
            .pulls
            .push(("team/app".into(), answer(200, &[], ""), Some(answer(200, &[], ""))));
        open.anonymous.pushes.push((
            "team/app".into(),
            answer(202, &[("Location", "/v2/team/app/blobs/uploads/u")], ""),
            Some(answer(204, &[], "")),
        ));
        open.anonymous.deletes.push((
            "team/app".into(),
            answer(404, &[], r#"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#),
        ));
        let a = conclude("http://10.0.0.5:5000", false, None, &repos, &open, true);
        assert_eq!(outcome(&a, "anonymous-catalog"), (Outcome::Finding, Severity::High));
        assert_eq!(outcome(&a, "anonymous-pull"), (Outcome::Finding, Severity::High));
        assert_eq!(outcome(&a, "anonymous-push"), (Outcome::Finding, Severity::High));
        assert_eq!(outcome(&a, "anonymous-delete"), (Outcome::Finding, Severity::High));
        assert_eq!(outcome(&a, "transport"), (Outcome::Finding, Severity::Medium));
        assert_eq!(outcome(&a, "cors"), (Outcome::Finding, Severity::Medium));
        assert_eq!(outcome(&a, "account-delete").0, Outcome::NotRun);
        assert_eq!(a.worst(), Some(Severity::High));
        // Declared public: listing and pulling are info, pushing and deleting are not.
        let p = conclude("http://10.0.0.5:5000", true, None, &repos, &open, true);
        assert_eq!(outcome(&p, "anonymous-pull"), (Outcome::Finding, Severity::Info));
        assert_eq!(outcome(&p, "anonymous-push"), (Outcome::Finding, Severity::High));

        let mut locked = Observed {
            api: Some(answer(
                401,
                &[
                    ("Docker-Distribution-API-Version", "registry/2.0"),
                    (
                        "WWW-Authenticate",
                        r#"Bearer realm="http://auth.example/token",service="r""#,
                    ),
                    ("Server", "nginx/1.22.1"),
                ],
                "",
            )),
            ..Default::default()
        };
        locked.anonymous.evidence.push((
            "cors",
            Evidence {
                request: "GET".into(),
                answer: describe(locked.api.as_ref().unwrap()),
            },
        ));
        locked.anonymous.catalog = Some((answer(401, &[], ""), vec![]));
        locked
            .anonymous
            .pulls
            .push(("team/app".into(), answer(401, &[], ""), None));
        locked
            .anonymous
            .pushes
            .push(("team/app".into(), answer(401, &[], ""), None));
        locked
            .anonymous
            .deletes
            .push(("team/app".into(), answer(405, &[], "UNSUPPORTED")));
        locked.account.deletes.push(("team/app".into(), answer(202, &[], "")));
        let a = conclude("https://r.example", false, Some("alice"), &repos, &locked, true);
        for id in [
            "anonymous-catalog",
            "anonymous-pull",
            "anonymous-push",
            "anonymous-delete",
            "transport",
            "cors",
        ] {
            assert_eq!(outcome(&a, id).0, Outcome::Pass, "{id}");
        }
        assert_eq!(outcome(&a, "credentials-over-http"), (Outcome::Finding, Severity::High));
        assert_eq!(outcome(&a, "version-disclosure"), (Outcome::Finding, Severity::Low));
        assert_eq!(outcome(&a, "account-delete"), (Outcome::Finding, Severity::Medium));
        // No repository: the repository checks do not run, and say why.
        let a = conclude("https://r.example", false, None, &[], &locked, true);
        let c = a.checks.iter().find(|c| c.id == "anonymous-push").unwrap();
        assert_eq!(c.outcome, Outcome::NotRun);
        assert!(c.summary.contains("--repo"));
    }

    #[test]
    fn the_cancel_deletes_only_an_upload_of_the_repository() {
        let b = "http://r:5000";
        assert!(upload_of(
            b,
            "team/app",
            "http://r:5000/v2/team/app/blobs/uploads/1a2b-3c?_state=x"
        ));
        for bad in [
            "http://r:5000/v2/team/app/manifests/sha256:00",
            "http://r:5000/v2/team/app/blobs/uploads/../../manifests/latest",
            "http://r:5000/v2/other/blobs/uploads/1",
            "http://r:5000/v2/team/app/blobs/uploads/",
            "http://r:5000/v2/team/app/blobs/uploads/1#x",
            "http://evil/v2/team/app/blobs/uploads/1",
        ] {
            assert!(!upload_of(b, "team/app", bad), "{bad}");
        }
    }

    #[test]
    fn the_impossible_digest_is_a_digest_of_no_json() {
        assert_eq!(
            crate::digest::Digest::of(IMPOSSIBLE_TEXT.as_bytes()).as_str(),
            IMPOSSIBLE_DIGEST
        );
        assert!(serde_json::from_str::<serde_json::Value>(IMPOSSIBLE_TEXT).is_err());
    }
}
