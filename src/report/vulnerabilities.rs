//! The vulnerabilities part of an image's report (`images[].vulnerabilities`,
//! `images[].vulnerability_summary`): one match per cataloged package and advisory.

use crate::vuln::{DbStats, Rating, SeverityReport};
use serde::Serialize;

/// One advisory that affects one cataloged package.
#[derive(Debug, Clone, Serialize)]
pub struct Vulnerability {
    /// The advisory's OSV id (`DSA-5555-1`, `GHSA-…`, `PYSEC-…`, `MAL-…`).
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: SeverityReport,
    pub package: VulnerablePackage,
    /// Versions that fix it, lowest first, in the ecosystem's terms (for Debian, source
    /// package versions).
    pub fixed: Vec<String>,
    /// `fixed` when a fixed version is known, else `unfixed`.
    pub status: FixStatus,
    /// An OpenSSF malicious-packages record: the package is malware, not merely vulnerable.
    pub malicious: bool,
    /// The database file the advisory came from.
    pub database: String,
    /// The advisory's `modified` time.
    pub modified: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixStatus {
    Fixed,
    Unfixed,
}

/// The package a match is about, as cataloged, and how it was looked up.
#[derive(Debug, Clone, Serialize)]
pub struct VulnerablePackage {
    /// The cataloged (binary) package.
    pub name: String,
    pub version: String,
    pub purl: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The layer that brought this version (as in `packages[]`).
    pub layer: usize,
    pub path: String,
    /// The source package, where it differs from `name` (the name OSV uses for Debian, Ubuntu
    /// and Alpine).
    pub source: Option<String>,
    /// The OSV ecosystem it matched in (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// The version compared with the advisory (for Debian, the source version).
    pub matched_version: String,
}

/// Counts for one image, and what the matching could not do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnerabilitySummary {
    /// Matches (package × advisory).
    pub total: usize,
    pub by_severity: SeverityCounts,
    /// Matches with a fixed version.
    pub fixable: usize,
    pub malicious: usize,
    /// Packages looked up in the database / of those, affected by at least one advisory.
    pub packages_checked: usize,
    pub packages_affected: usize,
    /// Packages that could not be looked up (no OSV ecosystem for their type, an unknown
    /// distribution), each reason with its count in `notes`.
    pub packages_not_checked: usize,
    /// What could not be evaluated, and why (GIT-only ranges, unknown version orders).
    pub notes: Vec<String>,
    /// Matches left out of `vulnerabilities` by the user's policy (`--ignore`, `--vex`,
    /// `--only-fixed`), each with why.
    pub suppressed: Vec<Suppressed>,
    /// The base image the image declares (`org.opencontainers.image.base.name`, with
    /// `@digest` when `…base.digest` is given too), if it does.
    pub base_image: Option<String>,
    /// How many of the first layers are the base image's (`--base-layers N`); then
    /// `from_base` and `from_own` count the matches in packages those layers brought and the
    /// image's own.
    pub base_layers: Option<usize>,
    pub from_base: Option<usize>,
    pub from_own: Option<usize>,
    /// The database matched against.
    pub database: DbStats,
}

/// A match the user's policy left out.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    pub id: String,
    /// The package name, version and file, as in the match.
    pub package: String,
    pub version: String,
    pub path: String,
    /// `ignore` (the ignore file), `vex` (an OpenVEX statement) or `only_fixed`.
    pub by: String,
    /// The ignore file's line, the VEX document and its justification, …
    pub reason: String,
}

/// Matches by rating.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub none: usize,
    pub unknown: usize,
}

impl SeverityCounts {
    pub fn add(&mut self, r: Rating) {
        *match r {
            Rating::Critical => &mut self.critical,
            Rating::High => &mut self.high,
            Rating::Medium => &mut self.medium,
            Rating::Low => &mut self.low,
            Rating::None => &mut self.none,
            Rating::Unknown => &mut self.unknown,
        } += 1;
    }
}
