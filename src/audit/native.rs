//! Running an audit from the CLI: the passes over the native transport, paced.

use super::Audit;
use super::run::{AuditRun, Options};
use crate::error::Result;
use crate::source::registry::native::{Tls, agent, drive_paced};
use std::time::Duration;

/// Audits the registry `target` names (`host[:port]`, or `host[:port]/repo` to probe that
/// repository), at most `rate` requests a second. What the CLI decides itself overrides `opts`:
/// whether TLS is verified comes from `tls`, it is not a browser, and it may send the two write
/// probes. Fails only when the registry cannot be audited at all (unreachable, not a registry);
/// everything else is a check's result.
pub fn run(target: &str, opts: Options, tls: &Tls, rate: f64) -> Result<Audit> {
    let opts = Options {
        tls_verified: !tls.insecure,
        browser: false,
        write_probes: true,
        ..opts
    };
    let mut run = AuditRun::new(target, opts)?;
    let pace = (rate > 0.0).then(|| Duration::from_secs_f64(1.0 / rate));
    drive_paced(&agent(tls)?, &mut run, &mut |_| {}, pace);
    run.finish()
}
