//! SARIF 2.1.0 (`porthole inspect --sarif FILE`): the vulnerabilities, secrets and
//! best-practice findings (malware indicators among them) of every image as results for
//! code-scanning dashboards. Locations are paths inside the image (no
//! leading `/`), with the image named as the logical location; GitHub's `security-severity`
//! carries the CVSS score where there is one.

use super::{ImageReport, Report};
use crate::scan::secrets::Severity;
use crate::vuln::Rating;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The SARIF log of a report.
pub fn write(report: &Report) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for img in &report.images {
        let image = img
            .name
            .clone()
            .or_else(|| img.config_digest.clone())
            .unwrap_or_else(|| "image".into());
        vulnerability_results(img, &image, &mut rules, &mut results);
        secret_results(img, &image, &mut rules, &mut results);
        practice_results(img, &image, &mut rules, &mut results);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "porthole",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://porthole.invalid/",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// A path inside the image as a relative URI reference: `/` kept, everything but unreserved
/// characters percent-encoded (file names may hold spaces, `#`, `%`, anything).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches('/').bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(path: &str, image: &str, line: Option<usize>) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": uri(path)}});
    if let Some(l) = line {
        physical["region"] = json!({"startLine": l});
    }
    json!({"physicalLocation": physical, "logicalLocations": [{"name": image, "kind": "module"}]})
}

fn vulnerability_results(
    img: &ImageReport,
    image: &str,
    rules: &mut BTreeMap<String, Value>,
    results: &mut Vec<Value>,
) {
    for v in &img.vulnerabilities {
        let level = match v.severity.rating {
            Rating::Critical | Rating::High => "error",
            Rating::Medium => "warning",
            _ => "note",
        };
        rules.entry(v.id.clone()).or_insert_with(|| {
            let mut props = json!({"tags": ["security", "vulnerability"]});
            let score = v.severity.score.or(match v.severity.rating {
                Rating::Critical => Some(9.5),
                Rating::High => Some(8.0),
                Rating::Medium => Some(5.5),
                Rating::Low => Some(2.0),
                _ => None,
            });
            if let Some(s) = score {
                props["security-severity"] = json!(format!("{s:.1}"));
            }
            let text = v.summary.clone().unwrap_or_else(|| v.id.clone());
            json!({
                "id": v.id,
                "shortDescription": {"text": text},
                "help": {"text": format!("{text}\nAliases: {}", if v.aliases.is_empty() { "none".into() } else { v.aliases.join(", ") })},
                "properties": props,
            })
        });
        let fix = if v.fixed.is_empty() {
            "no fixed version is known".to_string()
        } else {
            format!("fixed in {}", v.fixed.join(", "))
        };
        let malicious = if v.malicious { " It is a malicious package." } else { "" };
        results.push(json!({
            "ruleId": v.id,
            "level": level,
            "message": {"text": format!(
                "{} {} ({}, layer {}) is affected by {}: {fix}.{malicious}",
                v.package.name, v.package.version, v.package.ecosystem, v.package.layer, v.id
            )},
            "locations": [location(&v.package.path, image, None)],
            "partialFingerprints": {"porthole/package": format!("{}|{}|{}", v.id, v.package.purl, v.package.path)},
        }));
    }
}

/// Evidence lines shown in a result's message (all of them are in the JSON report).
const EVIDENCE_SHOWN: usize = 10;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// Best practices and malware indicators: their evidence names files, history entries and
/// config settings in words, so the image is their location.
fn practice_results(img: &ImageReport, image: &str, rules: &mut BTreeMap<String, Value>, results: &mut Vec<Value>) {
    for b in &img.best_practices {
        rules.entry(b.id.clone()).or_insert_with(|| {
            let kind = if b.id.starts_with("PH-MW-") {
                "malware"
            } else {
                "best-practice"
            };
            json!({
                "id": b.id,
                "shortDescription": {"text": b.title},
                "fullDescription": {"text": b.rationale},
                "help": {"text": b.fix},
                "properties": {"tags": ["security", kind]},
            })
        });
        let mut evidence: Vec<&str> = b.evidence.iter().take(EVIDENCE_SHOWN).map(String::as_str).collect();
        let more = b.evidence.len().saturating_sub(EVIDENCE_SHOWN);
        let more = format!("and {more} more");
        if b.evidence.len() > EVIDENCE_SHOWN {
            evidence.push(&more);
        }
        results.push(json!({
            "ruleId": b.id,
            "level": level(b.severity),
            "message": {"text": format!("{}: {}", b.title, evidence.join("; "))},
            "locations": [{"logicalLocations": [{"name": image, "kind": "module"}]}],
        }));
    }
}

fn secret_results(img: &ImageReport, image: &str, rules: &mut BTreeMap<String, Value>, results: &mut Vec<Value>) {
    for f in &img.secrets {
        let level = level(f.severity);
        rules.entry(f.rule.clone()).or_insert_with(|| {
            json!({
                "id": f.rule,
                "shortDescription": {"text": f.title},
                "properties": {"tags": ["security", "secret"]},
            })
        });
        let place = match (&f.path, &f.key) {
            (Some(p), _) => p.clone(),
            (None, Some(k)) => format!("config {} {k}", f.location),
            (None, None) => format!("config {}", f.location),
        };
        let mut r = json!({
            "ruleId": f.rule,
            "level": level,
            "message": {"text": format!("{} ({}) in {place}", f.title, f.match_redacted)},
        });
        r["locations"] = match &f.path {
            Some(p) => json!([location(p, image, f.line)]),
            // A secret in the config: the image is the only place to name.
            None => json!([{"logicalLocations": [{"name": image, "kind": "module"}]}]),
        };
        results.push(r);
    }
}
