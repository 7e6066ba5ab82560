//! Packages: every cataloger runs on the visible captured package databases, and every package
//! is attributed to the first layer whose copy of the same file lists it at that version (so
//! a package a base image installed is the base layer's, even where a later layer rewrote the
//! database). Modules that visible executables and archives list are packages of their layer.

use super::{ImagePass, ImageView};
use crate::analyzer::BinaryModules;
use crate::error::Error;
use crate::report::ImageReport;
use crate::scan::packages::{Found, Package, binary_purl, catalogers};
use std::collections::HashMap;

pub(super) struct Packages;

impl ImagePass for Packages {
    fn id(&self) -> &'static str {
        "packages"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let view = image.view;
        let versions = view.tree.versions();
        let distro = out.distro.as_ref();
        let mut found = Vec::new();
        for (path, v) in view.visible_iter() {
            let Some(cat) = catalogers().iter().find(|c| c.wants(path)) else {
                continue;
            };
            let Some(c) = image.capture(v) else { continue };
            if c.truncated {
                out.errors.push(
                    Error::limit(format!(
                        "{path} is larger than the capture limit; only its beginning was cataloged"
                    ))
                    .at_path(path)
                    .in_layer(versions[v].layer()),
                );
            }
            let own_layer = versions[v].layer();
            let Some(parsed) = &c.parsed else { continue };
            if let Some(problem) = &parsed.problem {
                out.errors.push(
                    Error::malformed(format!("{path}: {problem}"))
                        .at_path(path)
                        .in_layer(own_layer),
                );
            }
            // Earlier copies of the same file, oldest first.
            let earlier: Vec<(usize, &[Found])> = view
                .versions_of(path)
                .iter()
                .map(|&e| e as usize)
                .filter(|&e| e != v)
                .filter_map(|e| image.capture(e).map(|c| (versions[e].layer(), c)))
                .filter_map(|(l, c)| c.parsed.as_ref().map(|p| (l, p.found.as_slice())))
                .collect();
            for f in parsed.found.iter().cloned() {
                let layer = earlier
                    .iter()
                    .filter(|(l, _)| *l < own_layer)
                    .find(|(_, list)| list.iter().any(|e| e.name == f.name && e.version == f.version))
                    .map(|(l, _)| *l)
                    .unwrap_or(own_layer);
                found.push(Package {
                    kind: cat.kind().to_string(),
                    purl: cat.purl(&f, distro),
                    name: f.name,
                    version: f.version,
                    licenses: f.licenses,
                    path: path.to_string(),
                    layer,
                    arch: f.arch,
                    source: f.source,
                    source_version: f.source_version,
                });
            }
        }
        // Executables and archives that list what they were built from: visible ones only.
        let layers = image.layers;
        let visible_at: HashMap<(usize, usize), &str> =
            if layers.iter().any(|r| r.findings.of::<BinaryModules>().next().is_some()) {
                view.visible_iter()
                    .map(|(p, v)| ((versions[v].layer(), versions[v].entry()), p))
                    .collect()
            } else {
                HashMap::new()
            };
        for (l, r) in layers.iter().enumerate() {
            for b in r.findings.of::<BinaryModules>() {
                let Some(&path) = visible_at.get(&(l, b.entry)) else {
                    continue;
                };
                for f in &b.modules {
                    found.push(Package {
                        kind: b.kind.clone(),
                        purl: binary_purl(&b.kind, f, distro),
                        name: f.name.clone(),
                        version: f.version.clone(),
                        licenses: Vec::new(),
                        path: path.to_string(),
                        layer: l,
                        arch: None,
                        source: None,
                        source_version: None,
                    });
                }
            }
        }
        found.sort();
        out.packages = found;
    }
}
