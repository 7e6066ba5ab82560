//! npm packages: `node_modules/<name>/package.json` and `node_modules/@scope/<name>/package.json`
//! anywhere (global installs in `/usr/lib/node_modules`, `/usr/local/lib/node_modules` too).

use super::{Cataloger, Distro, Found, purl};
use serde::Deserialize;

pub struct Npm;

#[derive(Deserialize)]
struct PackageJson {
    name: Option<String>,
    version: Option<String>,
    license: Option<serde_json::Value>,
    licenses: Option<Vec<serde_json::Value>>,
}

fn license_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("type").and_then(|t| t.as_str()).map(str::to_string),
        _ => None,
    }
}

impl Cataloger for Npm {
    fn id(&self) -> &'static str {
        "npm-installed"
    }
    fn kind(&self) -> &'static str {
        "npm"
    }
    fn wants(&self, path: &str) -> bool {
        // Only a package's own manifest: the directory right under node_modules (or a scope).
        let Some(dir) = path.strip_suffix("/package.json") else {
            return false;
        };
        let Some(i) = dir.rfind("/node_modules/") else {
            return false;
        };
        let rest = &dir[i + "/node_modules/".len()..];
        match rest.split_once('/') {
            None => !rest.is_empty() && !rest.starts_with('.'),
            Some((scope, name)) => scope.starts_with('@') && !name.is_empty() && !name.contains('/'),
        }
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let Ok(p) = serde_json::from_slice::<PackageJson>(bytes) else {
            return Vec::new();
        };
        let (Some(name), Some(version)) = (p.name, p.version) else {
            return Vec::new();
        };
        let mut licenses: Vec<String> = p.license.as_ref().and_then(license_text).into_iter().collect();
        licenses.extend(p.licenses.iter().flatten().filter_map(license_text));
        vec![Found {
            name,
            version,
            licenses,
            arch: None,
            source: None,
            source_version: None,
        }]
    }
    fn purl(&self, f: &Found, _: Option<&Distro>) -> String {
        match f.name.split_once('/') {
            Some((scope, name)) if scope.starts_with('@') => purl::build("npm", Some(scope), name, &f.version, &[]),
            _ => purl::build("npm", None, &f.name, &f.version, &[]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_manifests_only() {
        assert!(Npm.wants("/app/node_modules/express/package.json"));
        assert!(Npm.wants("/usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"));
        assert!(!Npm.wants("/app/node_modules/express/lib/package.json"));
        assert!(!Npm.wants("/app/package.json"));
        let f = Npm.parse("/x", br#"{"name":"@babel/core","version":"7.24.0","license":"MIT"}"#);
        assert_eq!(Npm.purl(&f[0], None), "pkg:npm/%40babel/core@7.24.0");
        assert_eq!(f[0].licenses, vec!["MIT"]);
    }
}
