//! OpenVEX documents (`--vex FILE`, openvex.dev): statements that a vulnerability does not
//! affect a product. A `not_affected` statement suppresses the matches it covers; the other
//! statuses (`affected`, `fixed`, `under_investigation`) change nothing. A statement covers a
//! package when it names the advisory (by id or alias) and, if it lists products, one of them
//! is the package's purl or the image (`pkg:oci/…`; with subcomponents, the package must be
//! one of those).

use super::ecosystem::normalize_name;
use crate::scan::packages::purl::{self, Purl};
use serde::Deserialize;

/// The statements of one or more documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vex {
    pub statements: Vec<Statement>,
}

/// One `not_affected` statement, reduced to what matching needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The vulnerability's name and aliases.
    pub names: Vec<String>,
    pub products: Vec<Product>,
    /// The justification or impact statement, for the report.
    pub why: String,
    /// Which document it came from.
    pub document: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub subcomponents: Vec<String>,
}

#[derive(Deserialize)]
struct Document {
    statements: Vec<RawStatement>,
}

#[derive(Deserialize)]
struct RawStatement {
    vulnerability: RawVulnerability,
    #[serde(default)]
    products: Vec<RawProduct>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
}

/// OpenVEX 0.2 writes `{"name": …, "aliases": […]}`; 0.0.x wrote the name as a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawVulnerability {
    Name(String),
    Object {
        #[serde(default)]
        name: Option<String>,
        #[serde(rename = "@id", default)]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

/// A product is `{"@id": …, "subcomponents": [{"@id": …}]}` (0.2) or a string (0.0.x).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawProduct {
    Id(String),
    Object {
        #[serde(rename = "@id")]
        id: String,
        #[serde(default)]
        subcomponents: Vec<RawProduct>,
    },
}

impl RawProduct {
    fn id(&self) -> &str {
        match self {
            RawProduct::Id(s) | RawProduct::Object { id: s, .. } => s,
        }
    }
}

impl Vex {
    /// Adds the `not_affected` statements of one document (`name`: how the report names it).
    pub fn add_document(&mut self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let doc: Document =
            serde_json::from_slice(bytes).map_err(|e| format!("{name}: not an OpenVEX document: {e}"))?;
        for s in doc.statements.into_iter().filter(|s| s.status == "not_affected") {
            let names = match s.vulnerability {
                RawVulnerability::Name(n) => vec![n],
                RawVulnerability::Object { name, id, aliases } => name.into_iter().chain(id).chain(aliases).collect(),
            };
            let products = s
                .products
                .iter()
                .map(|p| Product {
                    id: p.id().to_string(),
                    subcomponents: match p {
                        RawProduct::Object { subcomponents, .. } => {
                            subcomponents.iter().map(|c| c.id().to_string()).collect()
                        }
                        RawProduct::Id(_) => Vec::new(),
                    },
                })
                .collect();
            self.statements.push(Statement {
                names,
                products,
                why: s
                    .justification
                    .or(s.impact_statement)
                    .unwrap_or_else(|| "not_affected".into()),
                document: name.to_string(),
            });
        }
        Ok(())
    }

    /// The statement that says the advisory (any of `ids`) does not affect the package
    /// `package_purl` in the image whose manifest digest is `image_digest`.
    pub fn not_affected(&self, ids: &[&str], package_purl: &str, image_digest: Option<&str>) -> Option<&Statement> {
        let package = purl::parse(package_purl).ok();
        self.statements.iter().find(|s| {
            s.names.iter().any(|n| ids.iter().any(|id| id.eq_ignore_ascii_case(n)))
                && (s.products.is_empty()
                    || s.products.iter().any(|p| {
                        let image = is_image(&p.id, image_digest);
                        let covers = |id: &str| package.as_ref().is_some_and(|q| purl_covers(id, q));
                        // With subcomponents, the product is what holds them (the image).
                        if p.subcomponents.is_empty() {
                            image || covers(&p.id)
                        } else {
                            image && p.subcomponents.iter().any(|c| covers(c))
                        }
                    }))
        })
    }
}

/// Whether a product names the image: a `pkg:oci/…` purl (with a digest, the image's), or the
/// image's manifest digest itself.
fn is_image(id: &str, image_digest: Option<&str>) -> bool {
    if let Ok(p) = purl::parse(id)
        && p.kind == "oci"
    {
        return match (p.version.as_deref(), image_digest) {
            (Some(v), Some(d)) => v.eq_ignore_ascii_case(d),
            (Some(_), None) => false,
            (None, _) => true,
        };
    }
    image_digest.is_some_and(|d| id.eq_ignore_ascii_case(d))
}

/// Whether the product purl `id` covers the package: same type, namespace and name (as the
/// ecosystem compares names), the same version if it gives one, and its qualifiers a subset
/// of the package's (a purl with fewer qualifiers covers more).
fn purl_covers(id: &str, package: &Purl) -> bool {
    let Ok(p) = purl::parse(id) else { return false };
    let eco = match p.kind.as_str() {
        "pypi" => "PyPI",
        "nuget" => "NuGet",
        "composer" => "Packagist",
        _ => "",
    };
    p.kind == package.kind
        && p.namespace == package.namespace
        && normalize_name(eco, &p.name) == normalize_name(eco, &package.name)
        && p.version.as_ref().is_none_or(|v| Some(v) == package.version.as_ref())
        && p.qualifiers.iter().all(|q| package.qualifiers.contains(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
      {"vulnerability":{"name":"CVE-2024-28085","aliases":["DEBIAN-CVE-2024-28085"]},
       "products":[{"@id":"pkg:oci/app@sha256:aa","subcomponents":[{"@id":"pkg:deb/debian/bsdutils"}]}],
       "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
      {"vulnerability":"GHSA-1","products":["pkg:pypi/Requests@2.31.0"],"status":"not_affected"},
      {"vulnerability":{"name":"CVE-2","aliases":[]},"status":"affected"},
      {"vulnerability":{"name":"CVE-3"},"status":"not_affected","impact_statement":"not reachable"}]}"#;

    #[test]
    fn not_affected_statements_cover_their_products() {
        let mut v = Vex::default();
        v.add_document("vex.json", DOC.as_bytes()).unwrap();
        assert_eq!(v.statements.len(), 3, "only not_affected statements");
        let deb = "pkg:deb/debian/bsdutils@1%3A2.38.1-5?arch=amd64&distro=debian-12";
        let s = v
            .not_affected(&["DEBIAN-CVE-2024-28085"], deb, Some("sha256:aa"))
            .unwrap();
        assert_eq!(s.why, "vulnerable_code_not_in_execute_path");
        assert!(
            v.not_affected(&["CVE-2024-28085"], deb, Some("sha256:bb")).is_none(),
            "another image"
        );
        assert!(
            v.not_affected(&["CVE-2024-28085"], "pkg:deb/debian/mount@1", Some("sha256:aa"))
                .is_none()
        );
        assert!(v.not_affected(&["GHSA-1"], "pkg:pypi/requests@2.31.0", None).is_some());
        assert!(v.not_affected(&["GHSA-1"], "pkg:pypi/requests@2.30.0", None).is_none());
        assert!(v.not_affected(&["CVE-2"], "pkg:pypi/x@1", None).is_none());
        assert!(
            v.not_affected(&["cve-3"], "pkg:npm/x@1", None).is_some(),
            "no products: everything"
        );
        assert!(v.add_document("bad.json", b"{}").unwrap_err().starts_with("bad.json:"));
    }
}
