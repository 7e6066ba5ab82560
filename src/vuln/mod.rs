//! Vulnerabilities and malicious packages, offline: OSV databases the user gives are read once
//! into a compact index ([`VulnDb`]); each cataloged package is looked up by its OSV ecosystem
//! and name ([`ecosystem`]) and each record naming it is evaluated in that ecosystem's version
//! order ([`matching`], [`version`]). Nothing here knows the report: the image pass
//! (`pass::vulnerabilities`) and the CLI's `vulns` command turn [`Hit`]s into their output.

pub mod batch;
pub mod database;
pub mod ecosystem;
#[cfg(unix)]
pub mod files;
pub mod matching;
pub mod osv;
pub mod severity;
pub mod version;
pub mod vex;

pub use database::{DbFile, DbStats, VulnDb};
pub use ecosystem::{Query, query_for, query_for_purl};
pub use severity::{Rating, SeverityReport};

use crate::error::Error;
use matching::Verdict;

/// The most stored record bytes [`Matcher::prepare`] keeps at once.
const READ_AHEAD_BUDGET: usize = 32 << 20;

/// One record that affects a queried version.
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub modified: Option<String>,
    pub severity: SeverityReport,
    /// Versions that fix it, lowest first (empty: no fix known).
    pub fixed: Vec<String>,
    /// An OpenSSF malicious-packages record (`MAL-…`).
    pub malicious: bool,
    /// The ecosystem it matched in (`Debian:12`).
    pub ecosystem: String,
    /// The database file it came from.
    pub database: String,
}

/// What looking up queries found besides hits: why some could not be evaluated.
#[derive(Debug, Default)]
pub struct Lookup {
    /// Records that name a queried package only by commits (GIT ranges), by record id.
    pub git_only: Vec<String>,
    /// Records that name a queried package in an ecosystem without a known version order.
    pub unordered: Vec<String>,
    /// Records that could not be read back.
    pub errors: Vec<Error>,
}

/// Looks queries up. Records are evaluated as they are read back, one at a time; the hits of
/// the last query are kept, so the same package and version asked in a row (a source
/// package's binaries: sort queries by [`Matcher::key`]) is read once.
pub struct Matcher<'a> {
    db: &'a VulnDb,
    /// The hits of the last query, kept for the next one of the same package and version.
    last: Option<((String, String, String), Vec<Hit>)>,
    ahead: database::ReadAhead,
    pub lookup: Lookup,
}

impl<'a> Matcher<'a> {
    pub fn new(db: &'a VulnDb) -> Self {
        Matcher {
            db,
            last: None,
            ahead: database::ReadAhead::default(),
            lookup: Lookup::default(),
        }
    }

    /// Reads the records of all these queries' packages ahead, in file order (see
    /// [`VulnDb::read_ahead`]); matching then reads nothing more unless the budget ran out.
    pub fn prepare<'q>(&mut self, queries: impl Iterator<Item = &'q Query>) {
        let keys: Vec<(&str, &str)> = queries
            .filter_map(|q| self.ecosystem(q).map(|e| (e, q.name.as_str())))
            .collect();
        self.ahead = self.db.read_ahead(keys.into_iter(), READ_AHEAD_BUDGET);
    }

    /// What queries are grouped by so that each package's records are read once: the
    /// ecosystem the database has and the name as the ecosystem compares names.
    pub fn key(&self, q: &Query) -> Option<(String, String)> {
        let eco = self.ecosystem(q)?;
        Some((eco.to_string(), ecosystem::normalize_name(eco, &q.name)))
    }

    /// The ecosystem of the query the database has records for, if any.
    pub fn ecosystem<'q>(&self, q: &'q Query) -> Option<&'q str> {
        q.ecosystems
            .iter()
            .map(String::as_str)
            .find(|e| self.db.has_ecosystem(e))
    }

    /// Every record affecting the queried version, most severe first.
    pub fn hits(&mut self, q: &Query) -> Vec<Hit> {
        let Some(eco) = self.ecosystem(q) else {
            return Vec::new();
        };
        let wanted = ecosystem::normalize_name(eco, &q.name);
        let key = (eco.to_string(), wanted.clone(), q.version.clone());
        if let Some((k, hits)) = &self.last
            && *k == key
        {
            return hits.clone();
        }
        let mut out: Vec<Hit> = Vec::new();
        let lookup = &mut self.lookup;
        self.db.for_each_record(eco, &q.name, &mut self.ahead, |found| {
            let f = match found {
                Ok(f) => f,
                Err(e) => return lookup.errors.push(e),
            };
            let r = &f.record;
            match matching::evaluate(r, eco, &q.name, &q.version) {
                Verdict::Affected { fixed } if !out.iter().any(|h| h.id == r.id) => {
                    // The severity given for this package, where the record gives one per package.
                    let per_package: Vec<osv::Severity> = r
                        .affected
                        .iter()
                        .filter(|a| matching::names_package(a, eco, &wanted))
                        .flat_map(|a| a.severity.clone())
                        .collect();
                    out.push(Hit {
                        id: r.id.clone(),
                        aliases: r.aliases.clone(),
                        summary: r.summary.clone(),
                        modified: r.modified.clone(),
                        severity: severity::assess(r, &per_package),
                        fixed,
                        malicious: r.id.starts_with("MAL-"),
                        ecosystem: eco.to_string(),
                        database: f.file.clone(),
                    });
                }
                Verdict::Affected { .. } | Verdict::NotAffected => {}
                Verdict::OnlyGitRanges => lookup.git_only.push(r.id.clone()),
                Verdict::NoOrdering => lookup.unordered.push(r.id.clone()),
            }
        });
        out.sort_by(|a, b| b.severity.rating.cmp(&a.severity.rating).then_with(|| a.id.cmp(&b.id)));
        self.last = Some((key, out.clone()));
        out
    }

    /// Sentences for a report's notes: what could not be evaluated, and why.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let list = |ids: &[String]| {
            let mut ids = ids.to_vec();
            ids.sort();
            ids.dedup();
            let n = ids.len();
            let mut shown = ids.into_iter().take(10).collect::<Vec<_>>().join(", ");
            if n > 10 {
                shown.push_str(&format!(" and {} more", n - 10));
            }
            (n, shown)
        };
        if !self.lookup.git_only.is_empty() {
            let (n, ids) = list(&self.lookup.git_only);
            notes.push(format!(
                "{n} {} packages of this image only by commits (GIT ranges), which cannot be evaluated without the source repository: {ids}",
                advisories(n, "names", "name")
            ));
        }
        if !self.lookup.unordered.is_empty() {
            let (n, ids) = list(&self.lookup.unordered);
            notes.push(format!(
                "{n} {} version ranges of an ecosystem whose version order porthole does not know yet: {ids}",
                advisories(n, "uses", "use")
            ));
        }
        notes
    }
}

/// `advisory names` / `advisories name`.
fn advisories(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("advisory {one}")
    } else {
        format!("advisories {many}")
    }
}
