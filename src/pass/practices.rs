//! Best-practice checks and malware indicators, as reported: the rules of
//! `src/scan/practices/` evaluated over the image's facts (config, history, every file
//! version, the account files and the content matches the practice-scan analyzer found), after
//! the secret passes (whose findings CIS-DI-0010 reads). Content trust (CIS-DI-0005) needs the
//! trust verdict, which is made after the passes: [`content_trust`] adds it then. Findings the
//! ignore file names are left out and counted.

use super::{ImagePass, ImageView, resolve};
use crate::analyzer::{AccountFile, ContentMatch};
use crate::ignore::IgnoreList;
use crate::report::{BestPractice, ImageReport, SecretFinding, SuppressedPractice};
use crate::scan::practices::{Check, Facts, FileFact, FileHit, FileKind, Raised, rules};
use crate::tar::EntryKind;
use std::collections::HashMap;

pub(super) struct Practices;

/// The content-trust rule, evaluated once the trust verdict is known.
const CONTENT_TRUST: &str = "CIS-DI-0005";

impl ImagePass for Practices {
    fn id(&self) -> &'static str {
        "practices"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let set = rules();
        let view = image.view;
        let c = image.config.config.clone().unwrap_or_default();
        let mut version_of: HashMap<(usize, usize), usize> = HashMap::new();
        let mut files = Vec::with_capacity(view.tree.versions().len());
        for (i, v) in view.tree.versions().iter().enumerate() {
            version_of.insert((v.layer(), v.entry()), i);
            let e = view.entry(i);
            files.push(FileFact {
                path: e.path,
                kind: match e.kind {
                    EntryKind::Regular | EntryKind::Hardlink => FileKind::File,
                    EntryKind::Directory => FileKind::Dir,
                    EntryKind::Symlink => FileKind::Symlink,
                    _ => FileKind::Other,
                },
                mode: e.mode,
                size: e.size,
                layer: v.layer(),
                hidden: v.hidden(),
            });
        }
        let mut file_hits = Vec::new();
        for (l, r) in image.layers.iter().enumerate() {
            for m in r.findings.of::<ContentMatch>() {
                let Some(rule) = set.index(&m.rule) else { continue };
                let hidden = version_of
                    .get(&(l, m.entry))
                    .and_then(|&v| view.tree.version(v))
                    .is_some_and(|v| v.hidden());
                let path = view
                    .layers
                    .get(l)
                    .filter(|list| m.entry < list.len())
                    .map_or("?", |list| list.path(m.entry));
                let line = m.line.map(|n| format!(", line {n}")).unwrap_or_default();
                let hidden = if hidden {
                    ", hidden by a later layer but shipped"
                } else {
                    ""
                };
                file_hits.push(FileHit {
                    rule,
                    evidence: format!("{path} (layer {l}{line}{hidden}): {}", m.excerpt),
                });
            }
        }
        // The visible account file, as the layer that holds it kept it.
        let account = |path: &str| -> Option<&[u8]> {
            let v = resolve(view, path, image.opts.limits.symlink_hops)?;
            let ver = view.tree.version(v)?;
            let layer = image.layers.get(ver.layer())?;
            layer
                .findings
                .of::<AccountFile>()
                .find(|a| a.entry == ver.entry())
                .map(|a| a.bytes.as_slice())
        };
        let facts = Facts {
            user: c.user.as_deref(),
            healthcheck: health_check_on(c.healthcheck.as_ref()),
            history: image
                .config
                .history
                .iter()
                .map(|h| h.created_by.as_deref().unwrap_or(""))
                .collect(),
            command: c
                .entrypoint
                .iter()
                .flatten()
                .chain(c.cmd.iter().flatten())
                .map(String::as_str)
                .collect(),
            env: c.env.iter().flatten().map(String::as_str).collect(),
            labels: c
                .labels
                .iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            volumes: c
                .volumes
                .as_ref()
                .and_then(serde_json::Value::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default(),
            ports: c.exposed_ports.iter().flatten().map(|(k, _)| k.as_str()).collect(),
            tags: out.repo_tags.iter().map(String::as_str).collect(),
            trust: None,
            secrets: out.secrets.iter().map(describe_secret).collect(),
            passwd: account("/etc/passwd"),
            shadow: account("/etc/shadow"),
            group: account("/etc/group"),
            files,
            file_hits,
        };
        let raised = set.evaluate(&facts);
        add(out, raised, Some(&image.opts.vuln_policy.ignore));
    }
}

/// Whether the config's `Healthcheck` runs a test: `{"Test": ["CMD", …]}` or `["CMD-SHELL",
/// …]`, not `["NONE"]` (health checks turned off). Read from the value as written: a value of
/// another shape is no health check, never an unreadable config.
fn health_check_on(h: Option<&serde_json::Value>) -> bool {
    h.and_then(|h| h.get("Test"))
        .and_then(serde_json::Value::as_array)
        .and_then(|t| t.first())
        .and_then(serde_json::Value::as_str)
        .is_some_and(|t| t != "NONE")
}

/// A secret finding as evidence: where it is and which rule found it (never its value).
fn describe_secret(s: &SecretFinding) -> String {
    match s.location.as_str() {
        "file" => format!(
            "secret in {} (layer {}, line {}): {}",
            s.path.as_deref().unwrap_or("?"),
            s.layer.unwrap_or(0),
            s.line.unwrap_or(0),
            s.rule
        ),
        "history" => format!("secret in history {}: {}", s.history_index.unwrap_or(0), s.rule),
        loc => format!("secret in {loc} {}: {}", s.key.as_deref().unwrap_or(""), s.rule),
    }
}

/// Adds the raised rules to the report, without what the ignore file names (None: keep the
/// earlier decision for each rule, as recorded in `best_practices_suppressed`).
fn add(out: &mut ImageReport, raised: Vec<Raised>, ignore: Option<&IgnoreList>) {
    let set = rules();
    for r in raised {
        let spec = &set.rules[r.rule].spec;
        let mut kept = Vec::new();
        let mut dropped = 0;
        let mut reason = None;
        for ev in r.evidence {
            // Evidence about a file starts with its path: an ignore line's glob can name it.
            let path = ev.split(' ').next().filter(|p| p.starts_with('/')).unwrap_or("");
            match ignore.and_then(|i| i.find(&[spec.id.as_str()], path)) {
                Some(entry) => {
                    dropped += 1;
                    reason.get_or_insert_with(|| format!("ignore file line {}: {}", entry.line, entry.id));
                }
                None => kept.push(ev),
            }
        }
        // A files rule whose every path was left out keeps only its count line: none of it.
        if dropped > 0 && spec.check == Check::Files && !kept.iter().any(|e| e.starts_with('/')) {
            dropped += kept.len();
            kept.clear();
        }
        let earlier = out.best_practices_suppressed.iter().any(|s| s.id == spec.id && s.whole);
        if ignore.is_none() && earlier {
            continue;
        }
        if let Some(reason) = reason {
            out.best_practices_suppressed.push(SuppressedPractice {
                id: spec.id.clone(),
                severity: spec.severity,
                evidence: dropped,
                whole: kept.is_empty(),
                reason,
            });
        }
        if !kept.is_empty() {
            out.best_practices.push(BestPractice {
                id: spec.id.clone(),
                severity: spec.severity,
                title: spec.title.clone(),
                rationale: spec.rationale.clone(),
                evidence: kept,
                fix: spec.fix.clone(),
            });
        }
    }
    // Rule order, whatever order the rules were evaluated in.
    let order = |id: &str| set.index(id).unwrap_or(usize::MAX);
    out.best_practices.sort_by_key(|b| order(&b.id));
    out.best_practices_suppressed.sort_by_key(|s| order(&s.id));
}

/// Evaluates content trust (CIS-DI-0005) from the image's trust verdict, replacing an earlier
/// evaluation. `ignore`: the ignore file; None when it is not at hand (signatures checked
/// again in the page), and then an earlier suppression stands.
pub fn content_trust(out: &mut ImageReport, ignore: Option<&IgnoreList>) {
    let set = rules();
    let Some(rule) = set.index(CONTENT_TRUST) else { return };
    out.best_practices.retain(|b| b.id != CONTENT_TRUST);
    if ignore.is_some() {
        out.best_practices_suppressed.retain(|s| s.id != CONTENT_TRUST);
    }
    let Some(trust) = &out.trust else { return };
    let verdict = serde_json::to_value(trust.verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let facts = Facts {
        trust: Some(&verdict),
        ..Facts::default()
    };
    let raised: Vec<Raised> = set
        .evaluate(&facts)
        .into_iter()
        .filter(|r| r.rule == rule)
        .map(|r| Raised {
            rule: r.rule,
            evidence: vec![format!("trust: {}", trust.summary)],
        })
        .collect();
    add(out, raised, ignore);
}
