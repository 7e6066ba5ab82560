//! What an attestation says, in words a reader wants: a SLSA provenance's builder, source,
//! commit, build arguments and materials (v0.2 as BuildKit writes it, and v1), and an SBOM's
//! packages (SPDX 2 and CycloneDX JSON), for comparing with porthole's own package list.

use crate::report::trust::{Material, Provenance, SbomPackage};
use serde_json::Value;

/// Packages listed from one SBOM at most.
const MAX_PACKAGES: usize = 20_000;
/// Materials and build arguments listed at most.
const MAX_ITEMS: usize = 500;
/// BuildKit's metadata key inside a provenance.
const BUILDKIT_METADATA: &str = "https://mobyproject.org/buildkit@v1#metadata";

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// A SLSA provenance (v0.2 or v1), or `None` for another predicate type.
pub fn provenance(predicate_type: &str, p: &Value) -> Option<Provenance> {
    let v1 = predicate_type.starts_with("https://slsa.dev/provenance/v1");
    if !v1 && !predicate_type.starts_with("https://slsa.dev/provenance/v0.") {
        return None;
    }
    let (builder, build_type, config, args, materials, meta) = if v1 {
        let def = &p["buildDefinition"];
        let ext = &def["externalParameters"];
        (
            &p["runDetails"]["builder"]["id"],
            &def["buildType"],
            &ext["configSource"],
            &ext["request"]["args"],
            &def["resolvedDependencies"],
            &p["runDetails"]["metadata"],
        )
    } else {
        (
            &p["builder"]["id"],
            &p["buildType"],
            &p["invocation"]["configSource"],
            &p["invocation"]["parameters"]["args"],
            &p["materials"],
            &p["metadata"],
        )
    };
    let vcs = &meta[BUILDKIT_METADATA]["vcs"];
    let mut build_args: Vec<(String, String)> = args
        .as_object()
        .map(|o| {
            o.iter()
                .take(MAX_ITEMS)
                .map(|(k, v)| (k.clone(), text(v).unwrap_or_else(|| v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    build_args.sort();
    Some(Provenance {
        builder: text(builder),
        build_type: text(build_type),
        source: text(&vcs["source"]).or_else(|| text(&config["uri"])),
        commit: text(&vcs["revision"]).or_else(|| text(&config["digest"]["sha1"])),
        build_args: build_args.into_iter().collect(),
        materials: materials
            .as_array()
            .map(|a| {
                a.iter()
                    .take(MAX_ITEMS)
                    .map(|m| Material {
                        uri: text(&m["uri"]).unwrap_or_default(),
                        digest: m["digest"]
                            .as_object()
                            .and_then(|d| d.iter().next())
                            .map(|(alg, h)| format!("{alg}:{}", h.as_str().unwrap_or(""))),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        started: text(&meta["buildStartedOn"]).or_else(|| text(&meta["startedOn"])),
        finished: text(&meta["buildFinishedOn"]).or_else(|| text(&meta["finishedOn"])),
    })
}

/// An SBOM's packages (SPDX 2 JSON or CycloneDX JSON), or `None` for another predicate type.
pub fn sbom(predicate_type: &str, p: &Value) -> Option<Vec<SbomPackage>> {
    let purl_of = |refs: &Value| {
        refs.as_array().and_then(|a| {
            a.iter()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| text(&r["referenceLocator"]))
        })
    };
    let list: Vec<SbomPackage> = if predicate_type.starts_with("https://spdx.dev/Document") {
        p["packages"]
            .as_array()?
            .iter()
            .take(MAX_PACKAGES)
            .filter_map(|pkg| {
                Some(SbomPackage {
                    name: text(&pkg["name"])?,
                    version: text(&pkg["versionInfo"]),
                    purl: purl_of(&pkg["externalRefs"]),
                })
            })
            .collect()
    } else if predicate_type.starts_with("https://cyclonedx.org/bom") {
        p["components"]
            .as_array()?
            .iter()
            .take(MAX_PACKAGES)
            .filter_map(|c| {
                Some(SbomPackage {
                    name: text(&c["name"])?,
                    version: text(&c["version"]),
                    purl: text(&c["purl"]),
                })
            })
            .collect()
    } else {
        return None;
    };
    Some(list)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn buildkit_provenance_v02_is_read_in_words() {
        let p = json!({
            "builder": {"id": "https://github.com/example/builder"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {"configSource": {"uri": "https://github.com/example/app.git#main", "digest": {"sha1": "abc"}},
                           "parameters": {"args": {"build-arg:VERSION": "1.2"}}},
            "materials": [{"uri": "pkg:docker/debian@12", "digest": {"sha256": "00ff"}}],
            "metadata": {"buildStartedOn": "2026-01-01T00:00:00Z",
                         "https://mobyproject.org/buildkit@v1#metadata": {"vcs": {"source": "https://github.com/example/app", "revision": "def"}}}
        });
        let v = super::provenance("https://slsa.dev/provenance/v0.2", &p).unwrap();
        assert_eq!(v.builder.as_deref(), Some("https://github.com/example/builder"));
        assert_eq!(v.source.as_deref(), Some("https://github.com/example/app"));
        assert_eq!(v.commit.as_deref(), Some("def"));
        assert_eq!(v.build_args.get("build-arg:VERSION").map(String::as_str), Some("1.2"));
        assert_eq!(v.materials[0].digest.as_deref(), Some("sha256:00ff"));
        assert!(super::provenance("https://spdx.dev/Document", &p).is_none());
    }

    #[test]
    fn spdx_and_cyclonedx_packages_are_listed() {
        let spdx = json!({"packages": [{"name": "zlib", "versionInfo": "1.3",
            "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/zlib@1.3"}]}, {"versionInfo": "x"}]});
        let s = super::sbom("https://spdx.dev/Document", &spdx).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].purl.as_deref(), Some("pkg:deb/debian/zlib@1.3"));
        let cdx = json!({"components": [{"name": "left-pad", "version": "1.0.0", "purl": "pkg:npm/left-pad@1.0.0"}]});
        assert_eq!(
            super::sbom("https://cyclonedx.org/bom/v1.6", &cdx).unwrap()[0].name,
            "left-pad"
        );
    }
}
