//! An audit from start to end, sans-IO: its passes one after the other (anonymously the API,
//! the browser's preflight and the catalog; the account's catalog; then each identity's probes
//! of the repositories sampled), each a [`Conversation`] of [`Probes`]. The CLI and the page
//! drive the same run, so they give the same audit.

use super::Audit;
use super::probes::{Identity, Observed, Probe, Probes, SAMPLE, conclude};
use crate::error::{Error, Result};
use crate::source::registry::conversation::Conversation;
use crate::source::registry::{Credentials, Listing, Next, ResponseHead};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Repositories to probe (else up to three from the catalog).
    pub repos: Vec<String>,
    /// The registry is meant to be public: anonymous listing and pulls are `info`.
    pub public: bool,
    pub creds: Option<Credentials>,
    /// Whether the TLS certificate is verified (`--insecure` turns it off).
    pub tls_verified: bool,
    /// Run in a browser: the page cannot set `Origin`, send a preflight of its own or read CORS
    /// headers, so the CORS check is the CLI's.
    pub browser: bool,
    /// Whether the two probes that are not GET (the upload started and cancelled, the delete of
    /// an impossible digest) may be sent: always in the CLI, after the user's confirmation in
    /// the page.
    pub write_probes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Entry,
    AccountCatalog,
    AnonymousRepos,
    AccountRepos,
    Done,
}

/// An audit in progress.
pub struct AuditRun {
    base: String,
    host: String,
    opts: Options,
    /// Whether the account's passes run (never over plain http off loopback).
    account_ok: bool,
    repos: Vec<String>,
    stage: Stage,
    current: Option<Conversation<Probes>>,
    observed: Observed,
    error: Option<Error>,
}

impl AuditRun {
    /// An audit of the registry `target` names (`host[:port]`, or `host[:port]/repo` to probe
    /// that repository).
    pub fn new(target: &str, opts: Options) -> Result<AuditRun> {
        let (reference, what) = crate::source::registry::target(target)?;
        // Names go into the probes' URLs: only names the spec allows.
        if let Some(bad) = opts
            .repos
            .iter()
            .find(|r| !crate::source::registry::reference::valid_repository(r))
        {
            return Err(Error::malformed(format!("{bad:?} is not a repository name")));
        }
        let mut repos = opts.repos.clone();
        if let Listing::Tags(r) = what
            && !repos.contains(&r)
        {
            repos.insert(0, r);
        }
        let host = reference.api_host.clone();
        let mut observed = Observed::default();
        let account_ok = match &opts.creds {
            Some(_) if reference.scheme == "http" && !super::is_loopback(&host) => {
                observed.account_skipped = Some(
                    "not run: the registry is plain http off this machine, and porthole does not send credentials \
in clear"
                        .into(),
                );
                false
            }
            Some(_) => true,
            None => false,
        };
        let mut run = AuditRun {
            base: reference.base_url(),
            host,
            opts,
            account_ok,
            repos,
            stage: Stage::Entry,
            current: None,
            observed,
            error: None,
        };
        let entry = if run.opts.browser {
            vec![Probe::Api, Probe::Catalog]
        } else {
            vec![Probe::Api, Probe::Preflight, Probe::Catalog]
        };
        run.start(Identity::Anonymous, entry);
        Ok(run)
    }

    fn identity(&self) -> Identity {
        Identity::Account(self.opts.creds.as_ref().map(|c| c.username.clone()).unwrap_or_default())
    }

    fn start(&mut self, identity: Identity, plan: Vec<Probe>) {
        let creds = match identity {
            Identity::Anonymous => None,
            Identity::Account(_) => self.opts.creds.clone(),
        };
        let mut probes = Probes::new(&self.base, identity, plan, std::mem::take(&mut self.observed));
        probes.write_probes = self.opts.write_probes;
        self.current = Some(Conversation::new(probes, creds, &self.host, None));
    }

    /// The current pass ended: take what it saw, and start the next one.
    fn advance(&mut self) {
        let Some(c) = self.current.take() else {
            self.stage = Stage::Done;
            return;
        };
        match c.finish() {
            Ok(p) => self.observed = p.observed,
            Err(e) => {
                self.error = Some(e);
                self.stage = Stage::Done;
                return;
            }
        }
        if self.stage == Stage::Entry {
            let status = self.observed.api.as_ref().map_or(0, |a| a.status);
            if !matches!(status, 200 | 401) {
                self.error = Some(Error::io(format!(
                    "{} does not answer as a registry: GET /v2/ answered {} (a registry answers 200 or 401)",
                    self.base,
                    match status {
                        0 => "nothing".to_string(),
                        s => format!("HTTP {s}"),
                    }
                )));
                self.stage = Stage::Done;
                return;
            }
        }
        loop {
            self.stage = match self.stage {
                Stage::Entry => Stage::AccountCatalog,
                Stage::AccountCatalog => Stage::AnonymousRepos,
                Stage::AnonymousRepos => Stage::AccountRepos,
                Stage::AccountRepos | Stage::Done => Stage::Done,
            };
            match self.stage {
                Stage::AccountCatalog if self.account_ok => {
                    let id = self.identity();
                    return self.start(id, vec![Probe::Catalog]);
                }
                Stage::AnonymousRepos => {
                    self.sample();
                    if !self.repos.is_empty() {
                        let plan = Probes::of_repositories(&self.repos);
                        return self.start(Identity::Anonymous, plan);
                    }
                }
                Stage::AccountRepos if self.account_ok && !self.repos.is_empty() => {
                    let id = self.identity();
                    let plan = Probes::of_repositories(&self.repos);
                    return self.start(id, plan);
                }
                Stage::Done => return,
                _ => {}
            }
        }
    }

    /// The repositories to probe: those named, else the first a catalog listed.
    fn sample(&mut self) {
        if !self.repos.is_empty() {
            return;
        }
        for seen in [&self.observed.anonymous, &self.observed.account] {
            if let Some((_, names)) = &seen.catalog
                && self.repos.is_empty()
            {
                self.repos = names
                    .iter()
                    .filter(|n| crate::source::registry::reference::valid_repository(n))
                    .take(SAMPLE)
                    .cloned()
                    .collect();
            }
        }
    }

    /// The next request, a wait (429), or `Done`.
    pub fn next_step(&mut self) -> Next {
        loop {
            if self.error.is_some() || self.stage == Stage::Done {
                return Next::Done;
            }
            match self.current.as_mut().map(|c| c.next_step()) {
                Some(Next::Done) | None => self.advance(),
                Some(next) => return next,
            }
        }
    }

    pub fn head(&mut self, head: ResponseHead) -> bool {
        self.current.as_mut().is_some_and(|c| c.head(head))
    }

    pub fn body(&mut self, chunk: &[u8]) {
        if let Some(c) = self.current.as_mut() {
            c.body(chunk);
        }
    }

    pub fn end(&mut self) {
        if let Some(c) = self.current.as_mut() {
            c.end();
        }
    }

    pub fn transport_error(&mut self, message: &str) {
        if let Some(c) = self.current.as_mut() {
            c.transport_error(message);
        }
    }

    pub fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// The audit, or why the registry could not be audited.
    pub fn finish(self) -> Result<Audit> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let account = self.opts.creds.as_ref().map(|c| c.username.clone());
        let mut audit = conclude(
            &self.base,
            self.opts.public,
            account.as_deref(),
            &self.repos,
            &self.observed,
            self.opts.tls_verified,
        );
        if self.opts.browser {
            super::probes::as_seen_by_a_browser(&mut audit);
        }
        Ok(audit)
    }
}

impl crate::source::registry::Exchange for AuditRun {
    fn next_step(&mut self) -> Next {
        AuditRun::next_step(self)
    }
    fn head(&mut self, head: ResponseHead) -> bool {
        AuditRun::head(self, head)
    }
    fn body(&mut self, chunk: &[u8]) {
        AuditRun::body(self, chunk)
    }
    fn end(&mut self) {
        AuditRun::end(self)
    }
    fn transport_error(&mut self, message: &str) {
        AuditRun::transport_error(self, message)
    }
    fn stopped(&self) -> bool {
        AuditRun::stopped(self)
    }
}
