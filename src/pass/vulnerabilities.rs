//! Vulnerabilities: every cataloged package looked up in the vulnerability database the
//! options carry (nothing happens without one), one match per package and advisory.

use super::{ImagePass, ImageView};
use crate::options::VulnPolicy;
use crate::report::ImageReport;
use crate::report::vulnerabilities::{
    FixStatus, SeverityCounts, Suppressed, Vulnerability, VulnerabilitySummary, VulnerablePackage,
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
            match_packages(out, db, &image.opts.vuln_policy);
        }
    }
}

/// Matches the packages of a report against `db`, replacing what an earlier match found (the
/// page matches an open image again when a database arrives after it); what `policy` accepts
/// is left out and listed as suppressed.
pub fn match_packages(out: &mut ImageReport, db: &VulnDb, policy: &VulnPolicy) {
    out.errors.retain(|e| !e.message.starts_with(READ_BACK));
    let mut matcher = Matcher::new(db);
    let mut summary = VulnerabilitySummary {
        database: db.stats().clone(),
        ..VulnerabilitySummary::default()
    };
    let mut not_checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut no_records: BTreeMap<String, usize> = BTreeMap::new();
    let mut found = Vec::new();
    // Packages of the same OSV package (a source package's binaries) in a row, so the Matcher
    // answers them from the last query's hits; every package's records read ahead at once.
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
    matcher.prepare(queries.iter().map(|(_, _, q)| q));
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
    found.sort_by(|a, b| {
        b.severity
            .rating
            .cmp(&a.severity.rating)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.package.path.cmp(&b.package.path))
    });
    found.retain(|v| match suppression(v, policy, out.manifest_digest.as_deref()) {
        Some(s) => {
            summary.suppressed.push(s);
            false
        }
        None => true,
    });
    summary.base_image = declared_base(&out.config.labels);
    if let Some(n) = policy.base_layers {
        summary.base_layers = Some(n);
        summary.from_base = Some(found.iter().filter(|v| v.package.layer < n).count());
        summary.from_own = Some(found.iter().filter(|v| v.package.layer >= n).count());
    } else if let Some(base) = &summary.base_image {
        summary.notes.push(format!(
            "the image declares its base, {base}; give the number of its layers (--base-layers N) to tell its vulnerabilities from the image's own"
        ));
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
    out.vulnerabilities = found;
    out.vulnerability_summary = Some(summary);
}

/// Why the policy leaves a match out, if it does: the ignore file first, then VEX, then
/// `--only-fixed`.
fn suppression(v: &Vulnerability, policy: &VulnPolicy, image_digest: Option<&str>) -> Option<Suppressed> {
    let ids: Vec<&str> = std::iter::once(v.id.as_str())
        .chain(v.aliases.iter().map(String::as_str))
        .collect();
    let (by, reason) = if let Some(e) = policy.ignore.find(&ids, &v.package.path) {
        ("ignore", format!("ignore file line {}: {}", e.line, e.id))
    } else if let Some(s) = policy.vex.not_affected(&ids, &v.package.purl, image_digest) {
        ("vex", format!("{}: not_affected ({})", s.document, s.why))
    } else if policy.only_fixed && v.status == FixStatus::Unfixed {
        ("only_fixed", "no fixed version is known".to_string())
    } else {
        return None;
    };
    Some(Suppressed {
        id: v.id.clone(),
        package: v.package.name.clone(),
        version: v.package.version.clone(),
        path: v.package.path.clone(),
        by: by.into(),
        reason,
    })
}

/// `org.opencontainers.image.base.name`, with `@` and `…base.digest` when both are labels.
fn declared_base(labels: &BTreeMap<String, String>) -> Option<String> {
    let name = labels
        .get("org.opencontainers.image.base.name")
        .filter(|n| !n.is_empty());
    let digest = labels
        .get("org.opencontainers.image.base.digest")
        .filter(|d| !d.is_empty());
    match (name, digest) {
        (Some(n), Some(d)) => Some(format!("{n}@{d}")),
        (Some(n), None) => Some(n.clone()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    }
}

fn packages(n: usize) -> String {
    if n == 1 {
        "1 package".into()
    } else {
        format!("{n} packages")
    }
}
