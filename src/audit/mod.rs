//! What an anonymous user — or a given account — can do to a registry, without changing it:
//! list, pull, push, delete; whether credentials travel in clear; what it discloses; whether
//! cross-origin reads are opened with credentials. Each check has a result, a severity on one
//! scale, the exact requests and answers as evidence, and the fix in words (`checks.toml`).
//!
//! Only GET, HEAD and OPTIONS are sent, and two probes: an upload started and at once
//! cancelled (`POST …/blobs/uploads/`, then `DELETE` of the upload it answered with), and a
//! `DELETE` of a manifest digest that cannot exist. The probes are sans-IO steps
//! ([`probes::Probes`]) of the registry client's conversation, run once anonymously and once
//! with the credentials given.

pub mod probes;
pub mod run;

use serde::{Deserialize, Serialize};

/// The scale every result is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    /// `info`, `low`, `medium` or `high`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing to fix.
    Pass,
    /// Found: see the severity.
    Finding,
    /// Could not be checked (no repository to sample, a refused catalog, no credentials): says
    /// why, and never changes the exit code.
    NotRun,
}

/// One request and its answer, as evidence. Credentials and tokens never appear in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// `GET http://host/v2/_catalog?n=100 (anonymous)`.
    pub request: String,
    /// `401; WWW-Authenticate: Bearer realm="…"`, and the start of a body that is text.
    pub answer: String,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub outcome: Outcome,
    /// The severity of what was found (`info` for a pass or a check not run).
    pub severity: Severity,
    /// What was found, or why the check did not run, in words.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// What to change (configuration lines for distribution, nginx, Harbor); empty for a pass.
    pub fix: String,
}

/// The audit of one registry (`porthole audit --json`; docs/audit.schema.json).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// `scheme://host[:port]`.
    pub registry: String,
    /// Whether the registry was declared public (`--public`): anonymous pulls and listings are
    /// then `info`.
    pub public: bool,
    /// The account the second pass ran as (its user name), if any.
    pub account: Option<String>,
    /// The repositories the probes sampled (named, or the catalog's first).
    pub repositories: Vec<String>,
    pub checks: Vec<Check>,
    /// How many findings at each severity.
    pub summary: std::collections::BTreeMap<String, usize>,
}

impl Audit {
    /// The highest severity found, if anything was.
    pub fn worst(&self) -> Option<Severity> {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Finding)
            .map(|c| c.severity)
            .max()
    }
}

#[derive(Deserialize)]
struct Meta {
    check: Vec<MetaCheck>,
}

#[derive(Deserialize)]
struct MetaCheck {
    id: String,
    title: String,
    fix: String,
}

/// A check's title and fix, from `checks.toml`.
fn meta(id: &str) -> (String, String) {
    static META: std::sync::OnceLock<Vec<MetaCheck>> = std::sync::OnceLock::new();
    let all = META.get_or_init(|| {
        toml::from_str::<Meta>(include_str!("checks.toml"))
            .map(|m| m.check)
            .unwrap_or_default()
    });
    all.iter()
        .find(|c| c.id == id)
        .map(|c| (c.title.clone(), c.fix.clone()))
        .unwrap_or_else(|| (id.to_string(), String::new()))
}

impl Check {
    /// A result for check `id` (its title and fix from `checks.toml`).
    pub fn new(id: &str, outcome: Outcome, severity: Severity, summary: impl Into<String>) -> Check {
        let (title, fix) = meta(id);
        let severity = if outcome == Outcome::Finding {
            severity
        } else {
            Severity::Info
        };
        Check {
            id: id.to_string(),
            title,
            outcome,
            severity,
            summary: summary.into(),
            evidence: Vec::new(),
            fix: if outcome == Outcome::Finding {
                fix
            } else {
                String::new()
            },
        }
    }

    pub fn with(mut self, evidence: Vec<Evidence>) -> Check {
        self.evidence = evidence;
        self
    }
}

pub use crate::source::registry::reference::is_loopback;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_its_title_and_findings_their_fix() {
        let ids = [
            "api",
            "transport",
            "credentials-over-http",
            "version-disclosure",
            "anonymous-catalog",
            "anonymous-pull",
            "anonymous-push",
            "anonymous-delete",
            "cors",
            "account-catalog",
            "account-pull",
            "account-push",
            "account-delete",
        ];
        for id in ids {
            let (title, _) = meta(id);
            assert_ne!(title, id, "{id} has no title in checks.toml");
        }
        for id in [
            "transport",
            "anonymous-push",
            "anonymous-delete",
            "cors",
            "account-delete",
        ] {
            let c = Check::new(id, Outcome::Finding, Severity::High, "x");
            assert!(!c.fix.is_empty(), "{id} has no fix");
        }
        assert!(Check::new("cors", Outcome::Pass, Severity::High, "").fix.is_empty());
        assert_eq!(
            Check::new("cors", Outcome::NotRun, Severity::High, "").severity,
            Severity::Info
        );
        assert!(Severity::High > Severity::Medium && Severity::Low > Severity::Info);
        assert!(is_loopback("127.0.0.1:5000") && is_loopback("localhost") && !is_loopback("10.0.0.1:5000"));
        assert!(is_loopback("127.0.0.2") && is_loopback("[::1]:5000") && is_loopback("::1"));
        assert!(!is_loopback("127.evil.example") && !is_loopback("127.0.0.1.nip.io:5000"));
    }
}
