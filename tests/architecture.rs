//! The shape of the code, checked over the `crate::…` paths each module names (comments left
//! out): the walker knows no analyzer, the filesystem model knows no scanner, lower layers
//! never name higher ones, sources return data (never reports), and the top-level modules form
//! no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level modules left out: the binaries' and platform adapters' glue, and test support.
const GLUE: &[&str] = &["bin", "lib", "wasm", "fixture", "fuzzing"];

/// The code of a source file, without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate paths a piece of code names: `crate::a::b::C` → `a::b::C`.
fn named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].trim_end_matches(':').to_string());
    }
    out
}

/// Every source file under src/, by path relative to it, as code.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).expect("src/ is readable") {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(root)
                    .expect("under src/")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, code(&std::fs::read_to_string(&p).expect("a source file")));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    assert!(out.len() > 20, "found the sources");
    out
}

/// The top-level module a file belongs to (`fs/entry.rs` → `fs`, `inspect.rs` → `inspect`).
fn module(file: &str) -> &str {
    file.split('/').next().unwrap_or(file).trim_end_matches(".rs")
}

/// Top-level module → the top-level modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in sources() {
        let m = module(&file);
        if GLUE.contains(&m) {
            continue;
        }
        let deps = g.entry(m.to_string()).or_default();
        for path in named(&code) {
            let target = path.split("::").next().unwrap_or("").to_string();
            if target != m {
                deps.insert(target);
            }
        }
    }
    g
}

fn reaches(g: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        if m == to {
            return true;
        }
        if seen.insert(m.clone()) {
            todo.extend(g.get(&m).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn the_walker_names_no_analyzer_and_the_filesystem_model_no_scanner() {
    let src = sources();
    let walker = &src["image/walk.rs"];
    for path in named(walker) {
        assert!(
            !path.starts_with("scan"),
            "image/walk.rs names the scanner {path}: analyzers plug in behind LayerAnalyzer"
        );
        if let Some(item) = path.strip_prefix("analyzer::") {
            assert!(
                ["EntryMeta", "Findings", "LayerAnalyzer", "Want"].contains(&item),
                "image/walk.rs names analyzer::{item}: only the trait's side of the extension point"
            );
        }
    }
    // `use crate::analyzer::{A, B}` lists items after the path: check those lines whole.
    for line in walker.lines().filter(|l| l.contains("crate::analyzer")) {
        for word in [
            "Capture",
            "FileSecret",
            "BinaryModules",
            "for_layer",
            "secrets",
            "capture",
        ] {
            assert!(!line.contains(word), "image/walk.rs names {word}: {line}");
        }
    }
    for (file, code) in src.iter().filter(|(f, _)| f.starts_with("fs/")) {
        for path in named(code) {
            let top = path.split("::").next().unwrap_or("");
            assert!(
                ["error", "tar", "limits"].contains(&top),
                "{file} names crate::{path}: the filesystem model stays below the walk and the scanners"
            );
        }
    }
}

#[test]
fn lower_layers_never_name_higher_ones() {
    let g = graph();
    // Each module with the modules it must never name.
    let orchestration = ["inspect", "explore"];
    let rules: &[(&str, &[&str])] = &[
        // Sources return data; reports and checks are made by the orchestration.
        ("source", &["report", "checks", "pass", "parallel"]),
        // The scheduler computes layer results; the orchestration calls it, not the reverse.
        ("parallel", &["report", "checks", "pass"]),
        ("checks", &["pass", "parallel"]),
        ("tar", &["fs", "image", "analyzer", "scan", "source", "parallel"]),
        ("fs", &["image", "analyzer", "scan", "source", "parallel"]),
        ("scan", &["fs", "image", "analyzer", "tar", "source", "parallel"]),
        ("analyzer", &["image", "pass", "source", "parallel"]),
        ("image", &["scan", "pass", "source", "parallel"]),
        ("pass", &["source", "parallel", "checks"]),
        // Signatures are checked over blobs handed in: no source, layer or file is named.
        (
            "trust",
            &[
                "source", "parallel", "pass", "checks", "fs", "tar", "analyzer", "scan", "vuln",
            ],
        ),
        // Matching knows packages and databases, not images or reports.
        (
            "vuln",
            &[
                "fs", "image", "analyzer", "tar", "source", "parallel", "report", "pass", "checks",
            ],
        ),
    ];
    for (m, never) in rules {
        let deps = g.get(*m).unwrap_or_else(|| panic!("module {m} exists"));
        for n in never.iter().chain(orchestration.iter()) {
            assert!(!deps.contains(*n), "{m} names {n}: {deps:?}");
        }
    }
}

#[test]
fn no_import_cycles() {
    let g = graph();
    let mut on_cycles = Vec::new();
    for (m, deps) in &g {
        for d in deps {
            if reaches(&g, d, m) {
                on_cycles.push(format!("{m} → {d}"));
            }
        }
    }
    assert!(on_cycles.is_empty(), "edges that close an import cycle: {on_cycles:?}");
}
