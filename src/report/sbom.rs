//! SBOM export: SPDX 2.3 JSON and CycloneDX 1.6 JSON, from an image report's packages.
//! The creation time is passed in (the browser has no clock in wasm32-unknown-unknown).

use super::ImageReport;
use crate::digest::Digest;
use serde_json::{Value, json};

/// The SBOM formats porthole writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    SpdxJson,
    CycloneDxJson,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "spdx-json" | "spdx" => Some(Format::SpdxJson),
            "cyclonedx-json" | "cyclonedx" => Some(Format::CycloneDxJson),
            _ => None,
        }
    }
}

/// SPDX license ids porthole passes through as ids; anything else is kept as a name
/// (CycloneDX) or left as NOASSERTION (SPDX), so the documents stay valid.
const KNOWN_IDS: &[&str] = &[
    "0BSD",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC0-1.0",
    "EPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MPL-2.0",
    "OpenSSL",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
    "X11",
    "Zlib",
    "curl",
];

/// A license list as one SPDX expression, when every entry is a known SPDX id.
fn spdx_expression(licenses: &[String]) -> Option<String> {
    (!licenses.is_empty() && licenses.iter().all(|l| KNOWN_IDS.contains(&l.as_str()))).then(|| licenses.join(" AND "))
}

fn image_name(img: &ImageReport) -> String {
    img.name
        .clone()
        .or_else(|| img.config_digest.clone())
        .unwrap_or_else(|| "image".into())
}

/// A UUID (version 4 layout) derived from the image and time, so a document is stable for a
/// given image and creation time.
fn uuid_for(img: &ImageReport, created: &str) -> String {
    let d = Digest::of(format!("{}{created}", img.config_digest.as_deref().unwrap_or("")).as_bytes());
    let h = d.hex();
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Writes the SBOM of one image.
pub fn write(img: &ImageReport, format: Format, created: &str) -> String {
    let doc = match format {
        Format::SpdxJson => spdx(img, created),
        Format::CycloneDxJson => cyclonedx(img, created),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn spdx(img: &ImageReport, created: &str) -> Value {
    let name = image_name(img);
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Image",
        "name": name,
        "versionInfo": img.config_digest,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "CONTAINER",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"
    })];
    for (i, p) in img.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{i}", p.kind);
        packages.push(json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": spdx_expression(&p.licenses).unwrap_or_else(|| "NOASSERTION".into()),
            "copyrightText": "NOASSERTION",
            "sourceInfo": format!("found in {} (layer {})", p.path, p.layer),
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}],
        }));
        relationships
            .push(json!({"spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": id}));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://porthole.invalid/spdx/{}", uuid_for(img, created)),
        "creationInfo": {"created": created, "creators": [format!("Tool: porthole-{}", env!("CARGO_PKG_VERSION"))]},
        "packages": packages,
        "relationships": relationships,
    })
}

fn cyclonedx(img: &ImageReport, created: &str) -> Value {
    let components: Vec<Value> = img
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let licenses: Vec<Value> = match spdx_expression(&p.licenses) {
                Some(e) if p.licenses.len() == 1 => vec![json!({"license": {"id": e}})],
                Some(e) => vec![json!({"expression": e})],
                None => p.licenses.iter().map(|l| json!({"license": {"name": l}})).collect(),
            };
            json!({
                "type": "library",
                "bom-ref": format!("pkg-{i}"),
                "name": p.name,
                "version": p.version,
                "purl": p.purl,
                "licenses": licenses,
                "properties": [
                    {"name": "porthole:path", "value": p.path},
                    {"name": "porthole:layer", "value": p.layer.to_string()}
                ],
            })
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_for(img, created)),
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": {"components": [{"type": "application", "name": "porthole", "version": env!("CARGO_PKG_VERSION")}]},
            "component": {"type": "container", "bom-ref": "image", "name": image_name(img), "version": img.config_digest},
        },
        "components": components,
        "vulnerabilities": cyclonedx_vulnerabilities(img),
    })
}

/// CycloneDX's `vulnerabilities`: one entry per advisory, affecting the components it
/// matched (empty without a vulnerability database).
fn cyclonedx_vulnerabilities(img: &ImageReport) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in &img.vulnerabilities {
        let component = img
            .packages
            .iter()
            .position(|p| p.name == v.package.name && p.version == v.package.version && p.path == v.package.path);
        let affects = component.map(
            |i| json!({"ref": format!("pkg-{i}"), "versions": [{"version": v.package.version, "status": "affected"}]}),
        );
        if let Some(&at) = index.get(v.id.as_str()) {
            if let (Some(a), Some(list)) = (affects, out.get_mut(at).and_then(|e| e["affects"].as_array_mut())) {
                list.push(a);
            }
            continue;
        }
        let method = match v.severity.kind.as_deref() {
            Some("CVSS_V4") => "CVSSv4",
            Some("CVSS_V3") if v.severity.vector.as_deref().is_some_and(|x| x.starts_with("CVSS:3.1")) => "CVSSv31",
            Some("CVSS_V3") => "CVSSv3",
            Some("CVSS_V2") => "CVSSv2",
            _ => "other",
        };
        let mut rating = json!({"severity": v.severity.rating.as_str(), "method": method});
        if let Some(score) = v.severity.score {
            rating["score"] = json!(score);
        }
        if let Some(vector) = &v.severity.vector {
            rating["vector"] = json!(vector);
        }
        let mut entry = json!({
            "bom-ref": format!("vuln-{}", out.len()),
            "id": v.id,
            "source": {"name": v.database},
            "ratings": [rating],
            "references": v.aliases.iter().map(|a| json!({"id": a, "source": {"name": alias_source(a)}})).collect::<Vec<_>>(),
            "affects": affects.into_iter().collect::<Vec<_>>(),
        });
        if let Some(s) = &v.summary {
            entry["description"] = json!(s);
        }
        if !v.fixed.is_empty() {
            entry["recommendation"] = json!(format!("Upgrade {} to {}", v.package.name, v.fixed.join(" or ")));
        }
        if v.malicious {
            entry["detail"] =
                json!("A malicious package (OpenSSF malicious-packages): remove it; no version of it is safe.");
        }
        index.insert(&v.id, out.len());
        out.push(entry);
    }
    out
}

/// The database an alias comes from, by its prefix.
fn alias_source(alias: &str) -> &'static str {
    match alias.split('-').next().unwrap_or("") {
        "CVE" => "NVD",
        "GHSA" => "GitHub Advisory Database",
        "PYSEC" => "PyPA Advisory Database",
        "GO" => "Go Vulnerability Database",
        "RUSTSEC" => "RustSec Advisory Database",
        _ => "OSV",
    }
}

/// Now as RFC 3339 UTC (native only; the page passes its own clock).
#[cfg(not(target_arch = "wasm32"))]
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_763_800_000), "2025-11-22T08:26:40Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
