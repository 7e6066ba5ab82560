//! .NET packages: `*.deps.json` (the runtime's dependency manifest: `libraries` keyed by
//! `Name/Version`, with `type: "package"` for NuGet packages).

use super::{Cataloger, Distro, Found, purl};
use serde::Deserialize;
use std::collections::BTreeMap;

pub struct Nuget;

#[derive(Deserialize)]
struct DepsJson {
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(rename = "type", default)]
    kind: String,
}

impl Cataloger for Nuget {
    fn id(&self) -> &'static str {
        "dotnet-deps"
    }
    fn kind(&self) -> &'static str {
        "nuget"
    }
    fn wants(&self, path: &str) -> bool {
        path.ends_with(".deps.json")
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let Ok(deps) = serde_json::from_slice::<DepsJson>(bytes) else {
            return Vec::new();
        };
        deps.libraries
            .into_iter()
            .filter(|(_, l)| l.kind == "package")
            .filter_map(|(key, _)| {
                let (name, version) = key.split_once('/')?;
                Some(Found {
                    name: name.into(),
                    version: version.into(),
                    licenses: Vec::new(),
                    arch: None,
                    source: None,
                    source_version: None,
                })
            })
            .collect()
    }
    fn purl(&self, f: &Found, _: Option<&Distro>) -> String {
        purl::build("nuget", None, &f.name, &f.version, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_not_projects() {
        let deps = br#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},"libraries":{"app/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.3":{"type":"package","serviceable":true}}}"#;
        let f = Nuget.parse("/app/app.deps.json", deps);
        assert_eq!(f.len(), 1);
        assert_eq!(Nuget.purl(&f[0], None), "pkg:nuget/Newtonsoft.Json@13.0.3");
    }
}
