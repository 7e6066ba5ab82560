//! Running an audit from the CLI: the passes over the native transport, paced.

use super::Audit;
use super::run::{AuditRun, Options as RunOptions};
use crate::error::Result;
use crate::source::registry::Credentials;
use crate::source::registry::native::{Tls, agent, drive_paced};
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
    let mut run = AuditRun::new(
        target,
        RunOptions {
            repos: opts.repos.clone(),
            public: opts.public,
            creds: opts.creds.clone(),
            tls_verified: !opts.tls.insecure,
            browser: false,
            write_probes: true,
        },
    )?;
    let pace = (opts.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / opts.rate));
    drive_paced(&agent(&opts.tls)?, &mut run, &mut |_| {}, pace);
    run.finish()
}
