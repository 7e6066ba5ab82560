//! Fuzz target bodies. They live in the library so that a normal test can replay the
//! committed corpus (`tests/fuzz_corpus.rs`) and `cargo fuzz` (fuzz/) can drive them. Each
//! must return without panicking, hanging or allocating without bound for any input. (Feature
//! `fixtures`: the structured targets write real tars with the fixture builder.)

use crate::image::{Index, LayerPipeline, Manifest, parse_json};
use crate::inspect::{Options, Quiet};
use crate::limits::Limits;

/// Small limits so a fuzzer explores the code, not the machine's memory.
fn limits() -> Limits {
    Limits {
        layer_uncompressed_bytes: 16 << 20,
        image_uncompressed_bytes: 32 << 20,
        layer_entries: 10_000,
        json_bytes: 1 << 20,
        ..Default::default()
    }
}

/// The whole inspection of a file: format detection, the tar index, layouts, layers, merge,
/// scanners, the report.
pub fn inspect(data: &[u8]) {
    let opts = Options {
        limits: limits(),
        files: true,
        ..Default::default()
    };
    let report = crate::inspect_blob(data, "fuzz.tar", &opts, &mut Quiet);
    let _ = report.to_json();
    let _ = report.exit_code();
}

/// The same bytes as a one-pass stream, fed in uneven chunks.
pub fn stream(data: &[u8]) {
    let opts = Options {
        limits: limits(),
        ..Default::default()
    };
    let chunk = data.first().map(|&b| usize::from(b) + 1).unwrap_or(1);
    let reader = Chunks { data, pos: 0, chunk };
    let _ = crate::inspect_reader(reader, "-", &opts, &mut Quiet);
}

struct Chunks<'a> {
    data: &'a [u8],
    pos: usize,
    chunk: usize,
}

impl std::io::Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One layer blob through the pipeline (sniff, gzip/zstd, tar walk, scanners).
pub fn layer(data: &[u8]) {
    let mut p = LayerPipeline::new(&limits(), 16 << 20);
    for piece in data.chunks(4093) {
        p.push(piece);
    }
    let r = p.finish();
    let lists = [&r.entries];
    let tree = crate::fs::MergedTree::build(&lists);
    let view = tree.view(&lists);
    for (path, v) in view.visible_iter() {
        assert_eq!(
            view.visible(path),
            Some(v),
            "{path:?} is found where the index lists it"
        );
    }
    // The index: paths strictly in order, each slot's versions all of its path, every version
    // in exactly one slot.
    let mut seen = 0;
    for s in 0..tree.path_count() {
        let path = view.slot_path(s);
        assert!(s == 0 || view.slot_path(s - 1) < path, "slots out of order at {path:?}");
        for &v in view.versions_at(s) {
            assert_eq!(view.entry(v as usize).path, path);
            seen += 1;
        }
    }
    assert_eq!(seen, tree.versions().len());
}

/// Whiteout merging from structured input (random bytes would never get past a tar header
/// checksum): each byte pair is one entry of a layer — what it is (file, directory, symlink,
/// hardlink, whiteout, opaque marker) and which of a few colliding paths — and `0xff` starts
/// the next layer. The layers are written as real tars into an OCI archive and inspected; the
/// merged view must equal a model applying the OCI rules entry by entry, and listing every
/// directory must reach exactly the visible paths.
pub fn merge(data: &[u8]) {
    use crate::fixture::{ImageSpec, TarBuilder};
    use crate::tar::EntryKind;
    use std::collections::BTreeMap;
    const PATHS: [&str; 12] = [
        "a", "a/b", "a/b/c", "a/b/d", "a-b", "a.c", "a/b0", "b", "b/a", "b/a/b", "a0", "c",
    ];
    let mut layers: Vec<Vec<(u8, &str)>> = vec![Vec::new()];
    for pair in data.chunks_exact(2).take(256) {
        if pair[0] == 0xff {
            if layers.len() < 8 {
                layers.push(Vec::new());
            }
        } else if let Some(layer) = layers.last_mut() {
            layer.push((pair[0] % 6, PATHS[usize::from(pair[1]) % PATHS.len()]));
        }
    }
    // The model: visible path → (layer, kind), whiteouts of a layer first, as the spec says.
    let mut model: BTreeMap<String, (usize, EntryKind)> = BTreeMap::new();
    let below = |m: &BTreeMap<String, (usize, EntryKind)>, dir: &str| -> Vec<String> {
        m.keys()
            .filter(|k| k.starts_with(&format!("{dir}/")))
            .cloned()
            .collect()
    };
    let mut tars = Vec::new();
    for (l, entries) in layers.iter().enumerate() {
        let mut t = TarBuilder::new();
        for &(kind, p) in entries {
            let path = format!("/{p}");
            match kind {
                4 => {
                    t.whiteout(p);
                    for k in below(&model, &path) {
                        model.remove(&k);
                    }
                    model.remove(&path);
                }
                5 => {
                    t.opaque(p);
                    for k in below(&model, &path) {
                        model.remove(&k);
                    }
                }
                _ => {}
            }
        }
        for &(kind, p) in entries {
            let path = format!("/{p}");
            let kind = match kind {
                0 => {
                    t.file(p, p.as_bytes(), 0o644);
                    EntryKind::Regular
                }
                1 => {
                    t.dir(p);
                    EntryKind::Directory
                }
                2 => {
                    t.symlink(p, "a");
                    EntryKind::Symlink
                }
                3 => {
                    t.hardlink(p, "c");
                    EntryKind::Hardlink
                }
                _ => continue,
            };
            let old = model.insert(path.clone(), (l, kind));
            if old.is_some_and(|(_, k)| k == EntryKind::Directory) && kind != EntryKind::Directory {
                for k in below(&model, &path) {
                    model.remove(&k);
                }
            }
        }
        tars.push(t.finish());
    }
    let bytes = crate::fixture::oci_archive(&[ImageSpec::new("example.com/merge:1", tars)], false);
    let opts = Options {
        limits: limits(),
        ..Default::default()
    };
    let ins = crate::inspect::explore_blob(&bytes[..], "merge.tar", &opts, &mut Quiet);
    let state = &ins.images[0];
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let merged: BTreeMap<String, (usize, EntryKind)> = view
        .visible_iter()
        .map(|(p, v)| (p.to_string(), (state.tree.versions()[v].layer(), view.entry(v).kind)))
        .collect();
    assert_eq!(merged, model, "layers {layers:?}");
    // Walking the listings from the root reaches every visible path (through implied
    // directories too) and nothing else.
    let mut reached = Vec::new();
    let mut dirs = vec!["/".to_string()];
    while let Some(dir) = dirs.pop() {
        for n in crate::explore::list_dir(state, &dir, crate::explore::Filter::default()) {
            assert!(n.visible, "{} listed but not visible; layers {layers:?}", n.path);
            if n.version.is_some() {
                reached.push(n.path.clone());
            }
            if n.has_children {
                dirs.push(n.path);
            }
        }
    }
    reached.sort();
    assert_eq!(reached, model.keys().cloned().collect::<Vec<_>>(), "layers {layers:?}");
}

/// Manifests, indexes and configs.
pub fn json(data: &[u8]) {
    let max = 1 << 20;
    let _ = parse_json::<Manifest>(data, "manifest", max);
    let _ = parse_json::<Index>(data, "index", max);
    let _ = parse_json::<crate::image::ImageConfig>(data, "config", max);
}

/// The secret scanner, as on a text file, a binary file and a config value; and the
/// best-practice rules' content matcher and account-file checks on the same bytes.
pub fn secrets(data: &[u8]) {
    let set = crate::scan::secrets::rules();
    let _ = set.scan_all(data, Some("/app/.env"), false);
    let _ = set.scan(data, Some("/etc/shadow"), crate::scan::secrets::looks_binary(data));
    let text = String::from_utf8_lossy(data);
    let _ = crate::scan::secrets::redact_text(&text);
    let practices = crate::scan::practices::rules();
    use crate::scan::practices::Place;
    for place in [Place::TextFile, Place::BinaryFile, Place::History] {
        let _ = practices.scan(data, place);
    }
    let facts = crate::scan::practices::Facts {
        passwd: Some(data),
        shadow: Some(data),
        group: Some(data),
        history: vec![&text],
        ..Default::default()
    };
    let _ = practices.evaluate(&facts);
}

/// Every package cataloger's parser, and the Go build-info probe.
pub fn packages(data: &[u8]) {
    // Each cataloger under a path it reads (the binary databases pick their format by name).
    const PATHS: [&str; 5] = [
        "/fuzz",
        "/var/lib/rpm/rpmdb.sqlite",
        "/var/lib/rpm/Packages",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/var/lib/dpkg/status",
    ];
    for c in crate::scan::packages::catalogers() {
        for path in PATHS.iter().filter(|p| **p == "/fuzz" || c.wants(p)) {
            for f in c.read(path, data).found {
                let _ = c.purl(&f, None);
            }
        }
    }
    let mut jar = crate::scan::packages::java::JarProbe::new("/fuzz.jar");
    for piece in data.chunks(11) {
        jar.feed(piece);
    }
    for f in jar.finish() {
        let _ = crate::scan::packages::java::purl(&f, None);
    }
    let mut probe = crate::scan::packages::golang::GoProbe::default();
    for piece in data.chunks(7) {
        probe.feed(piece);
    }
    let _ = probe.finish();
    let _ = crate::scan::packages::golang::parse(data);
}

/// The registry client fed fuzzed answers: the first bytes pick statuses and headers, the
/// rest is the body of every answer.
pub fn registry(data: &[u8]) {
    use crate::source::registry::{Fetch, Next, Reference, ResponseHead};
    let Ok(reference) = Reference::parse("127.0.0.1:5000/fuzz/app:1") else {
        return;
    };
    let opts = Options {
        limits: limits(),
        ..Default::default()
    };
    let mut fetch = Fetch::new(reference, None, &opts);
    let statuses = [200u16, 401, 404, 429, 500, 200, 200, 401];
    let challenge = String::from_utf8_lossy(data.get(..data.len().min(120)).unwrap_or(&[])).into_owned();
    for step in 0..32 {
        let Next::Send(_) = fetch.next_step() else { break };
        let pick = data.get(step).copied().unwrap_or(0) as usize;
        let head = ResponseHead {
            status: statuses[pick % statuses.len()],
            headers: vec![
                ("WWW-Authenticate".into(), challenge.clone()),
                (
                    "Content-Type".into(),
                    "application/vnd.oci.image.manifest.v1+json".into(),
                ),
            ],
        };
        if fetch.head(head) {
            fetch.body(data);
        }
        fetch.end();
    }
    let input = crate::inspect::Input::<dyn crate::BlobSource>::Opened(fetch.finish());
    let _ = crate::inspect::inspect(input, &crate::Options::default(), &mut Quiet)
        .report
        .to_json();
}

/// Every version ordering on two strings (the input split at its first NUL byte, else in
/// half): each must compare them the same way both ways round and find each equal to itself.
pub fn versions(data: &[u8]) {
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(nul) => (
            data.get(..nul).unwrap_or_default(),
            data.get(nul + 1..).unwrap_or_default(),
        ),
        None => data.split_at(data.len() / 2),
    };
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let mut seen: Vec<&str> = Vec::new();
    for (_, scheme) in crate::vuln::version::ECOSYSTEMS {
        if seen.contains(&scheme.id()) {
            continue;
        }
        seen.push(scheme.id());
        let ab = scheme.compare(&a, &b);
        assert_eq!(ab, scheme.compare(&b, &a).reverse(), "{}: {a:?} vs {b:?}", scheme.id());
        assert_eq!(
            scheme.compare(&a, &a),
            std::cmp::Ordering::Equal,
            "{}: {a:?}",
            scheme.id()
        );
    }
}

/// An OSV database file: the bytes as given (a zip or JSON), and as the only member of a zip;
/// every record indexed is then read back and evaluated for a version of its package, and
/// the index survives an export and import. Nothing may panic; every record is indexed or
/// counted as skipped.
pub fn osv(data: &[u8]) {
    use crate::vuln::{DbFile, Matcher, Query, VulnDb};
    let zipped = crate::fixture::zip_stored(&[("record.json", data)]);
    for bytes in [data.to_vec(), zipped] {
        let file = |b: Vec<u8>| DbFile {
            name: "fuzz".into(),
            source: Box::new(b),
        };
        let db = VulnDb::open(vec![file(bytes.clone())], &mut |_, _, _| {});
        let s = db.stats();
        assert!(
            s.records + s.skipped <= 1 + data.len(),
            "records and skips are bounded by the input"
        );
        let again = VulnDb::import(vec![file(bytes)], &db.export()).expect("an exported index imports"); // ok: a fuzz assertion
        assert_eq!(again.stats(), db.stats());
        let mut m = Matcher::new(&db);
        for eco in s.ecosystems.keys() {
            let q = Query {
                ecosystems: vec![eco.clone()],
                name: String::from_utf8_lossy(data.get(..16).unwrap_or(data)).into_owned(),
                version: "1.0".into(),
            };
            let _ = m.hits(&q);
        }
    }
    if let Ok(records) = crate::vuln::osv::parse_document(data) {
        for r in records.into_iter().flatten() {
            for a in &r.affected {
                if let Some(p) = &a.package {
                    let _ = crate::vuln::matching::evaluate(&r, &p.ecosystem, &p.name, "1.0");
                }
            }
        }
    }
}

/// Signature documents: the bytes as a Sigstore bundle (checked against the bytes as a trusted
/// root too), a Notation envelope, a DSSE envelope, a cosign payload, an in-toto statement, a
/// PEM or DER key or certificate, and as the signature layer of an archive's cosign and
/// bundle referrers. Nothing may panic, and nothing unverifiable may verify.
pub fn trust(data: &[u8]) {
    use crate::trust::{bundle, cosign, intoto, key, notation, timestamp, trusted_root, x509};
    let text = String::from_utf8_lossy(data);
    let root = trusted_root::TrustedRoot::parse("fuzz", data).ok();
    let _ = key::PublicKey::from_pem(&text);
    let _ = key::PublicKey::from_spki_der(data);
    if let Ok(c) = x509::Cert::from_der(data) {
        let _ = (c.name(), c.subject_alt_names(), c.validity(), c.public_key());
        let _ = x509::verify_path(&c, &[], std::slice::from_ref(&c), 0, x509::Usage { eku: None });
    }
    let _ = x509::Cert::from_pem_chain(&text);
    // A timestamp response, against an empty root: never trusted.
    assert!(
        timestamp::verify(data, b"fuzz", &trusted_root::TrustedRoot::default()).is_err(),
        "a timestamp verified without a timestamp authority"
    );
    let _ = cosign::parse_payload(data);
    let _ = intoto::Statement::parse(data);
    if let Ok(env) = serde_json::from_slice::<intoto::Envelope>(data) {
        let _ = env.body();
    }
    let identity = bundle::Identity {
        san: Some(bundle::Pattern::Exact("fuzz@example.com".into())),
        issuer: None,
    };
    let outcome = bundle::verify(
        data,
        &bundle::Policy {
            keys: &[],
            root: root.as_ref(),
            identity: &identity,
        },
    );
    assert!(
        outcome.checked.is_err() || root.is_some(),
        "a bundle verified without a trusted root"
    );
    assert!(
        notation::verify(data, &[], Some(0)).checked.is_err(),
        "a Notation signature verified without roots"
    );
    // As the layers of an archive's referrers.
    use crate::fixture::signing;
    let img = crate::fixture::sample("fuzz", crate::fixture::Compress::None);
    let (m, _) = img.oci_manifest();
    let digest = crate::digest::Digest::of(&m);
    let sig =
        signing::cosign_signatures(&[(data.to_vec(), "AAAA".into())]).tagged(&signing::cosign_tag(&digest, "sig"));
    let bundled = signing::sigstore_bundle(data.to_vec(), (&digest, m.len()), "");
    let archive = crate::fixture::oci_archive_with(&[img], false, &[sig, bundled]);
    let opts = Options {
        limits: limits(),
        ..Default::default()
    };
    let r = crate::inspect_blob(archive.as_slice(), "fuzz.tar", &opts, &mut Quiet);
    for i in &r.images {
        assert!(
            i.signatures.iter().all(|s| !s.verified),
            "a signature verified with no key or root given"
        );
    }
}

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target by name (for the corpus replay test).
pub const TARGETS: &[(&str, Target)] = &[
    ("inspect", inspect),
    ("stream", stream),
    ("layer", layer),
    ("json", json),
    ("secrets", secrets),
    ("packages", packages),
    ("registry", registry),
    ("merge", merge),
    ("versions", versions),
    ("osv", osv),
    ("trust", trust),
];
