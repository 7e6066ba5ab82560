//! Running an audit from the CLI: the passes over the native transport, paced.

use super::Audit;
use super::probes::{Identity, Observed, Probe, Probes, SAMPLE, conclude};
use crate::error::{Error, Result};
use crate::source::registry::conversation::Conversation;
use crate::source::registry::native::{Tls, agent, drive_paced};
use crate::source::registry::{Credentials, Listing};
use std::time::Duration;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Repositories to probe (else up to three from the catalog).
    pub repos: Vec<String>,
    /// The registry is meant to be public: anonymous listing and pulls are `info`.
    pub public: bool,
    pub creds: Option<Credentials>,
    pub tls: Tls,
    /// Requests per second at most.
    pub rate: f64,
}

/// Audits the registry `target` names (`host[:port]`, or `host[:port]/repo` to probe that
/// repository). Fails only when the registry cannot be audited at all (unreachable, not a
/// registry); everything else is a check's result.
pub fn run(target: &str, opts: &Options) -> Result<Audit> {
    let (reference, what) = crate::source::registry::target(target)?;
    let mut repos = opts.repos.clone();
    if let Listing::Tags(r) = what
        && !repos.contains(&r)
    {
        repos.insert(0, r);
    }
    let base = reference.base_url();
    let host = reference.api_host.clone();
    let agent = agent(&opts.tls)?;
    let pace = (opts.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / opts.rate));
    let pass =
        |identity: Identity, creds: Option<Credentials>, plan: Vec<Probe>, observed: Observed| -> Result<Observed> {
            let steps = Probes::new(&base, identity, plan, observed);
            let mut c = Conversation::new(steps, creds, &host, None);
            drive_paced(&agent, &mut c, &mut |_| {}, pace);
            Ok(c.finish()?.observed)
        };

    // Anonymous: the API, the preflight a browser sends, the catalog.
    let mut observed = pass(
        Identity::Anonymous,
        None,
        vec![Probe::Api, Probe::Preflight, Probe::Catalog],
        Observed::default(),
    )?;
    let api = observed.api.clone().unwrap_or_default();
    if !matches!(api.status, 200 | 401) {
        return Err(Error::io(format!(
            "{base} does not answer as a registry: GET /v2/ answered HTTP {} (a registry answers 200 or 401)",
            api.status
        )));
    }
    // The account: never over plain http off this machine (the audit would leak what it
    // checks for).
    let account = opts.creds.as_ref().map(|c| c.username.clone());
    let account_ok = match &opts.creds {
        Some(_) if reference.scheme == "http" && !super::is_loopback(&host) => {
            observed.account_skipped = Some(
                "not run: the registry is plain http off this machine, and porthole does not send credentials in clear"
                    .into(),
            );
            false
        }
        Some(_) => true,
        None => false,
    };
    let identity = || Identity::Account(account.clone().unwrap_or_default());
    if account_ok {
        observed = pass(identity(), opts.creds.clone(), vec![Probe::Catalog], observed)?;
    }
    if repos.is_empty() {
        for seen in [&observed.anonymous, &observed.account] {
            if let Some((_, names)) = &seen.catalog
                && repos.is_empty()
            {
                repos = names.iter().take(SAMPLE).cloned().collect();
            }
        }
    }
    if !repos.is_empty() {
        observed = pass(Identity::Anonymous, None, Probes::of_repositories(&repos), observed)?;
        if account_ok {
            observed = pass(
                identity(),
                opts.creds.clone(),
                Probes::of_repositories(&repos),
                observed,
            )?;
        }
    }
    Ok(conclude(
        &base,
        opts.public,
        account.as_deref(),
        &repos,
        &observed,
        !opts.tls.insecure,
    ))
}
