//! PHP packages: `vendor/composer/installed.json` (Composer 1: a list; Composer 2:
//! `{"packages": [...]}`; each with `name`, `version`, `license`).

use super::{Cataloger, Distro, Found, purl};
use serde::Deserialize;

pub struct Composer;

#[derive(Deserialize)]
struct Pkg {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    license: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 { packages: Vec<Pkg> },
    V1(Vec<Pkg>),
}

impl Cataloger for Composer {
    fn id(&self) -> &'static str {
        "php-composer-installed"
    }
    fn kind(&self) -> &'static str {
        "composer"
    }
    fn wants(&self, path: &str) -> bool {
        path.ends_with("/vendor/composer/installed.json")
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let pkgs = match serde_json::from_slice::<Installed>(bytes) {
            Ok(Installed::V2 { packages }) | Ok(Installed::V1(packages)) => packages,
            Err(_) => return Vec::new(),
        };
        pkgs.into_iter()
            .filter_map(|p| {
                Some(Found {
                    name: p.name?,
                    version: p.version?,
                    licenses: p.license,
                    arch: None,
                    source: None,
                    source_version: None,
                })
            })
            .collect()
    }
    fn purl(&self, f: &Found, _: Option<&Distro>) -> String {
        match f.name.split_once('/') {
            Some((vendor, name)) => purl::build("composer", Some(vendor), name, &f.version, &[]),
            None => purl::build("composer", None, &f.name, &f.version, &[]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts() {
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"]}],"dev":true}"#;
        let f = Composer.parse("/app/vendor/composer/installed.json", v2);
        assert_eq!(Composer.purl(&f[0], None), "pkg:composer/monolog/monolog@3.5.0");
        let v1 = br#"[{"name":"psr/log","version":"1.1.4","license":["MIT"]}]"#;
        assert_eq!(Composer.parse("/x", v1)[0].name, "psr/log");
    }
}
