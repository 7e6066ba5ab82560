//! The JSON report: a public contract (`docs/report.md`, `docs/report.schema.json`). The CLI
//! and the page serialise these same types. Change only by adding fields.

pub mod sarif;
pub mod sbom;
pub mod trust;
pub mod vulnerabilities;

use crate::digest::Digest;
use crate::error::Error;
use serde::Serialize;
use std::collections::BTreeMap;

pub const REPORT_VERSION: u32 = 1;

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub report_version: u32,
    pub porthole_version: String,
    pub source: SourceInfo,
    /// What went wrong before (or outside) any one image.
    pub errors: Vec<Error>,
    pub images: Vec<ImageReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// `file`, `stdin`, `directory` (or `registry`, later).
    pub kind: String,
    /// Base name of the file or directory (`-` for stdin).
    pub path: Option<String>,
    /// Compression of the whole input: `none`, `gzip`, `zstd`.
    pub compression: String,
    /// `docker-archive`, `oci-layout` or `docker-archive+oci-layout`; null if not recognised.
    pub format: Option<String>,
    /// True when the input could only be read once, front to back (no random access).
    pub streamed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckWhat {
    ManifestDigest,
    ConfigDigest,
    BlobDigest,
    BlobSize,
    DiffId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Verified,
    Mismatch,
    NotCheckable,
}

/// One integrity check: what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub what: CheckWhat,
    pub status: CheckStatus,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub reason: Option<String>,
}

impl Check {
    pub fn compare(what: CheckWhat, expected: &Digest, actual: &Digest) -> Check {
        if !expected.is_sha256() {
            return Check {
                what,
                status: CheckStatus::NotCheckable,
                expected: Some(expected.to_string()),
                actual: None,
                reason: Some(format!("{} digests cannot be computed", expected.algorithm())),
            };
        }
        Check {
            what,
            status: if expected == actual {
                CheckStatus::Verified
            } else {
                CheckStatus::Mismatch
            },
            expected: Some(expected.to_string()),
            actual: Some(actual.to_string()),
            reason: None,
        }
    }
    pub fn compare_size(what: CheckWhat, expected: u64, actual: u64) -> Check {
        Check {
            what,
            status: if expected == actual {
                CheckStatus::Verified
            } else {
                CheckStatus::Mismatch
            },
            expected: Some(expected.to_string()),
            actual: Some(actual.to_string()),
            reason: None,
        }
    }
    pub fn not_checkable(what: CheckWhat, reason: impl Into<String>) -> Check {
        Check {
            what,
            status: CheckStatus::NotCheckable,
            expected: None,
            actual: None,
            reason: Some(reason.into()),
        }
    }
    pub fn with_reason(mut self, reason: impl Into<String>) -> Check {
        self.reason = Some(reason.into());
        self
    }
    pub fn with_expected(mut self, expected: Option<String>) -> Check {
        self.expected = expected;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OsRelease {
    pub id: Option<String>,
    pub version_id: Option<String>,
    pub pretty_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ConfigReport {
    pub user: Option<String>,
    pub env: Vec<String>,
    pub cmd: Vec<String>,
    pub entrypoint: Vec<String>,
    pub working_dir: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub exposed_ports: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub index: usize,
    /// Digest of the blob as shipped (compressed), from the manifest or computed.
    pub digest: Option<String>,
    pub diff_id: Option<String>,
    pub media_type: Option<String>,
    /// Compression sniffed from the blob: `none`, `gzip`, `zstd`.
    pub compression: Option<String>,
    pub size: Option<u64>,
    pub uncompressed_size: Option<u64>,
    pub created_by: Option<String>,
    pub verified: bool,
    pub checks: Vec<Check>,
    pub files_added: u64,
    pub files_modified: u64,
    pub files_deleted: u64,
    /// Bytes of regular files this layer writes at paths no lower layer has (added after the
    /// first contract).
    pub bytes_added: u64,
    /// Bytes of regular files this layer writes over a lower layer's version of the path.
    pub bytes_modified: u64,
    /// Bytes of regular files this layer ships that the final image hides (a later layer, or
    /// this one, deletes or overwrites them): the layers' sum is `summary.wasted_bytes`.
    pub bytes_wasted: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    pub entries: u64,
    pub regular_files: u64,
    pub total_size: u64,
    pub wasted_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileRecord {
    pub path: String,
    /// Base64 of the raw name when it is not valid UTF-8 (then `path` is lossy).
    pub path_raw: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    pub layer: usize,
    pub link_target: Option<String>,
    pub deleted_in: Option<usize>,
    pub overwritten_in: Option<usize>,
    /// Mode bits worth a glance, spelled out: set-user-ID, set-group-ID, sticky, and writable
    /// by anyone (on anything but a symlink, whose mode means nothing).
    pub setuid: bool,
    pub setgid: bool,
    pub sticky: bool,
    pub world_writable: bool,
}

/// A secret found in the image. The value itself is never kept: only `match_redacted`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecretFinding {
    /// The rule's stable id (`aws-access-key-id`, …).
    pub rule: String,
    pub title: String,
    pub severity: crate::scan::secrets::Severity,
    /// `file`, `env`, `label`, `history` or `cmd` (the config's Entrypoint/Cmd).
    pub location: String,
    /// The file's path (file findings).
    pub path: Option<String>,
    /// The env or label name.
    pub key: Option<String>,
    /// The layer holding the file (0-based).
    pub layer: Option<usize>,
    /// The index in the config's history (history findings).
    pub history_index: Option<usize>,
    /// 1-based line in the file or value.
    pub line: Option<usize>,
    /// The file version is hidden by a later layer but still ships in the image.
    pub deleted: bool,
    pub deleted_in: Option<usize>,
    pub overwritten_in: Option<usize>,
    /// A short prefix of the value and its length.
    pub match_redacted: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageReport {
    pub name: Option<String>,
    pub repo_tags: Vec<String>,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub platform: Option<String>,
    pub platforms_available: Vec<String>,
    pub verified: bool,
    pub checks: Vec<Check>,
    pub os_release: Option<OsRelease>,
    pub config: ConfigReport,
    pub layers: Vec<LayerReport>,
    pub summary: Summary,
    pub files: Vec<FileRecord>,
    pub secrets: Vec<SecretFinding>,
    pub packages: Vec<crate::scan::packages::Package>,
    /// The distribution, from os-release or the older release files (added after the first
    /// contract; used in package URLs).
    pub distro: Option<crate::scan::packages::Distro>,
    pub errors: Vec<Error>,
    /// Advisories affecting the packages, when a vulnerability database was given (added
    /// after the first contract; empty otherwise).
    pub vulnerabilities: Vec<vulnerabilities::Vulnerability>,
    /// Counts and notes of the matching; null when no database was given.
    pub vulnerability_summary: Option<vulnerabilities::VulnerabilitySummary>,
    /// Signatures attached to the image (added after the first contract).
    pub signatures: Vec<trust::Signature>,
    /// Attestations (in-toto statements) attached to the image (added after the first contract).
    pub attestations: Vec<trust::Attestation>,
    /// Who made the image, in one verdict (added after the first contract).
    pub trust: Option<trust::Trust>,
    /// Best-practice rules and malware indicators that apply to the image, in rule order
    /// (added after the first contract; rules in `src/scan/practices/rules.toml`).
    pub best_practices: Vec<BestPractice>,
    /// Best-practice findings (or part of their evidence) the ignore file left out (added
    /// after the first contract).
    pub best_practices_suppressed: Vec<SuppressedPractice>,
    /// Values a secret rule matched that look like placeholders (`changeme`, `xxxx`, `dummy`):
    /// never counted as secrets (added after the first contract).
    pub secret_placeholders: Vec<SecretFinding>,
}

/// A best-practice rule (or malware indicator) that applies to an image, with what shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BestPractice {
    /// The rule's stable id: dockle's (`CIS-DI-0001`, `DKL-DI-0006`) or porthole's (`PH-…`).
    pub id: String,
    pub severity: crate::scan::secrets::Severity,
    pub title: String,
    /// Why it matters.
    pub rationale: String,
    /// What shows it: paths (with their layer), history entries, config settings.
    pub evidence: Vec<String>,
    /// How to fix it.
    pub fix: String,
}

/// A best-practice finding, or part of its evidence, that the ignore file left out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SuppressedPractice {
    pub id: String,
    pub severity: crate::scan::secrets::Severity,
    /// How many evidence lines were left out.
    pub evidence: usize,
    /// Whether the whole finding was left out (else only part of its evidence).
    pub whole: bool,
    /// The ignore file's line that did it.
    pub reason: String,
}

impl Report {
    /// Whether any check of any image failed.
    pub fn has_mismatch(&self) -> bool {
        self.images.iter().any(|i| {
            i.checks
                .iter()
                .chain(i.layers.iter().flat_map(|l| l.checks.iter()))
                .any(|c| c.status == CheckStatus::Mismatch)
        })
    }

    /// Whether anything went wrong that leaves the report incomplete.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.images.iter().any(|i| !i.errors.is_empty())
    }

    /// Whether any secret at or above `min` was found.
    pub fn has_secret_at_least(&self, min: crate::scan::secrets::Severity) -> bool {
        self.images.iter().any(|i| i.secrets.iter().any(|s| s.severity >= min))
    }

    /// Whether any best-practice finding at or above `min` applies (`--fail-on-check`).
    pub fn has_practice_at_least(&self, min: crate::scan::secrets::Severity) -> bool {
        self.images
            .iter()
            .any(|i| i.best_practices.iter().any(|b| b.severity >= min))
    }

    /// Whether any vulnerability rated `min` or above was matched.
    pub fn has_vulnerability_at_least(&self, min: crate::vuln::Rating) -> bool {
        self.images
            .iter()
            .any(|i| i.vulnerabilities.iter().any(|v| v.severity.rating >= min))
    }

    /// Whether every image has a signature that verifies against a key or root given and
    /// binds to the manifest digest porthole verified (`--require-signature`).
    pub fn signature_verified(&self) -> bool {
        !self.images.is_empty()
            && self.images.iter().all(|i| {
                i.trust
                    .as_ref()
                    .is_some_and(|t| t.verdict == trust::TrustVerdict::Verified)
            })
    }

    /// The CLI's exit code, per the contract: 2 no image, 3 integrity, 4 incomplete, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.images.is_empty() {
            2
        } else if self.has_mismatch() {
            3
        } else if self.has_errors() {
            4
        } else {
            0
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
