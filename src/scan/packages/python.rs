//! Python distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info`
//! files (core metadata: `Name`, `Version`, `License`, `License-Expression`, classifiers).

use super::{Cataloger, Distro, Found, purl};

pub struct Python;

impl Cataloger for Python {
    fn id(&self) -> &'static str {
        "python-installed"
    }
    fn kind(&self) -> &'static str {
        "python"
    }
    fn wants(&self, path: &str) -> bool {
        path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") || path.ends_with(".egg-info")
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let text = String::from_utf8_lossy(bytes);
        let mut name = None;
        let mut version = None;
        let mut licenses = Vec::new();
        // Headers end at the first blank line; the body is the description.
        for line in text.lines().take_while(|l| !l.trim().is_empty()) {
            let Some((k, v)) = line.split_once(':') else { continue };
            let v = v.trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(v.to_string()),
                "version" => version = Some(v.to_string()),
                "license-expression" => licenses.insert(0, v.to_string()),
                "license" if !v.is_empty() && v.len() < 80 && v != "UNKNOWN" => licenses.push(v.to_string()),
                "classifier" => {
                    if let Some(l) = v.strip_prefix("License :: ") {
                        let l = l.rsplit(" :: ").next().unwrap_or(l).to_string();
                        if !licenses.contains(&l) {
                            licenses.push(l);
                        }
                    }
                }
                _ => {}
            }
        }
        Found::one(name, version, licenses)
    }
    fn purl(&self, f: &Found, _: Option<&Distro>) -> String {
        // PyPI names are case-insensitive and `_` means `-` (the purl spec's normalisation).
        purl::build(
            "pypi",
            None,
            &f.name.to_ascii_lowercase().replace('_', "-"),
            &f.version,
            &[],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_core_metadata() {
        let m = "Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\n\nFlask-Login provides user session management.\nName: not-a-header\n";
        let f = Python.parse(
            "/usr/lib/python3/dist-packages/Flask_Login-0.6.3.dist-info/METADATA",
            m.as_bytes(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].licenses, vec!["MIT", "MIT License"]);
        assert_eq!(Python.purl(&f[0], None), "pkg:pypi/flask-login@0.6.3");
        assert!(Python.wants("/x/requests-2.31.0.egg-info"));
    }
}
