//! Vulnerabilities: every cataloged package looked up in the vulnerability database the
//! options carry (nothing happens without one), one match per package and advisory.

use super::{ImagePass, ImageView};
use crate::report::ImageReport;
use crate::report::vulnerabilities::{
    FixStatus, SeverityCounts, Vulnerability, VulnerabilitySummary, VulnerablePackage,
};
use crate::vuln::{Matcher, VulnDb, query_for};
use std::collections::BTreeMap;

pub(super) struct Vulnerabilities;

/// How errors of reading a record back begin, so a new match replaces them.
const READ_BACK: &str = "vulnerability database: ";

impl ImagePass for Vulnerabilities {
    fn id(&self) -> &'static str {
        "vulnerabilities"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        if let Some(db) = image.opts.vuln_db.as_deref() {
            match_packages(out, db);
        }
    }
}

/// Matches the packages of a report against `db`, replacing what an earlier match found (the
/// page matches an open image again when a database arrives after it).
pub fn match_packages(out: &mut ImageReport, db: &VulnDb) {
    out.errors.retain(|e| !e.message.starts_with(READ_BACK));
    let mut matcher = Matcher::new(db);
    let mut summary = VulnerabilitySummary {
        database: db.stats().clone(),
        ..VulnerabilitySummary::default()
    };
    let mut not_checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut no_records: BTreeMap<String, usize> = BTreeMap::new();
    let mut found = Vec::new();
    // Packages of the same OSV package (a source package's binaries) in a row: its records are
    // read once, and only one package's records are held at a time.
    let mut queries = Vec::new();
    for p in &out.packages {
        match query_for(p, out.distro.as_ref()) {
            Ok(q) => match matcher.key(&q) {
                Some(key) => queries.push((key, p, q)),
                None => *no_records.entry(q.ecosystems.join(" or ")).or_default() += 1,
            },
            Err(why) => *not_checked.entry(why).or_default() += 1,
        }
    }
    queries.sort_by(|a, b| a.0.cmp(&b.0));
    for ((eco, _), p, q) in queries {
        summary.packages_checked += 1;
        let hits = matcher.hits(&q);
        summary.packages_affected += usize::from(!hits.is_empty());
        for h in hits {
            found.push(Vulnerability {
                status: if h.fixed.is_empty() {
                    FixStatus::Unfixed
                } else {
                    FixStatus::Fixed
                },
                id: h.id,
                aliases: h.aliases,
                summary: h.summary,
                severity: h.severity,
                package: VulnerablePackage {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    purl: p.purl.clone(),
                    kind: p.kind.clone(),
                    layer: p.layer,
                    path: p.path.clone(),
                    source: Some(q.name.clone()).filter(|n| *n != p.name),
                    ecosystem: eco.clone(),
                    matched_version: q.version.clone(),
                },
                fixed: h.fixed,
                malicious: h.malicious,
                database: h.database,
                modified: h.modified,
            });
        }
    }
    let mut counts = SeverityCounts::default();
    for v in &found {
        counts.add(v.severity.rating);
    }
    summary.total = found.len();
    summary.by_severity = counts;
    summary.fixable = found.iter().filter(|v| v.status == FixStatus::Fixed).count();
    summary.malicious = found.iter().filter(|v| v.malicious).count();
    summary.packages_not_checked = not_checked.values().sum();
    for (why, n) in not_checked {
        summary.notes.push(format!("{} not checked: {why}", packages(n)));
    }
    // Packages in an ecosystem the database has nothing for were looked at: counted as
    // checked, with a note, since an empty answer there means "no data", not "no issue".
    for (eco, n) in no_records {
        summary.packages_checked += n;
        summary.notes.push(format!(
            "the database has no advisories for {eco}: {} of it could not be matched",
            packages(n)
        ));
    }
    summary.notes.extend(matcher.notes());
    out.errors.extend(matcher.lookup.errors.drain(..).map(|mut e| {
        e.message = format!("{READ_BACK}{}", e.message);
        e
    }));
    found.sort_by(|a, b| {
        b.severity
            .rating
            .cmp(&a.severity.rating)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.package.path.cmp(&b.package.path))
    });
    out.vulnerabilities = found;
    out.vulnerability_summary = Some(summary);
}

fn packages(n: usize) -> String {
    if n == 1 {
        "1 package".into()
    } else {
        format!("{n} packages")
    }
}
