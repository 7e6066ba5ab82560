//! Vulnerability matching end to end: OSV databases in each accepted layout, an image's
//! packages matched per ecosystem, `porthole vulns`, and hostile databases.

mod support;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use porthole::inspect::Options;
use porthole::vuln::{DbFile, VulnDb};
use std::io::Write;
use std::sync::Arc;

fn db(files: Vec<(&str, Vec<u8>)>) -> VulnDb {
    VulnDb::open(
        files
            .into_iter()
            .map(|(name, bytes)| DbFile {
                name: name.into(),
                source: Box::new(bytes),
            })
            .collect(),
        &mut |_, _, _| {},
    )
}

/// A zip of deflated members, as osv.dev's exports are.
fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Debian-shaped records (as osv.dev exports Debian's): the source package, per release.
const UTIL_LINUX_12: &str = r#"{"id":"DEBIAN-CVE-2024-28085","modified":"2024-04-01T00:00:00Z","aliases":["CVE-2024-28085"],
  "summary":"wall: escape sequences","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"}],
  "affected":[{"package":{"ecosystem":"Debian:12","name":"util-linux","purl":"pkg:deb/debian/util-linux?arch=source"},
  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.38.1-5+deb12u4"}]}],
  "ecosystem_specific":{"urgency":"not yet assigned"}},
  {"package":{"ecosystem":"Debian:11","name":"util-linux"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.36.1-8+deb11u2"}]}]}]}"#;
/// Fixed before the installed version: must not match.
const UTIL_LINUX_OLD: &str = r#"{"id":"DSA-0000-1","affected":[{"package":{"ecosystem":"Debian:12","name":"util-linux"},
  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.38.1-5+deb12u1"}]}]}]}"#;
/// Only for Debian 11: never matches a Debian 12 image, whatever the version.
const GLIBC_11: &str = r#"{"id":"DSA-0000-2","affected":[{"package":{"ecosystem":"Debian:11","name":"glibc"},
  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#;
/// Unfixed in Debian 12.
const GLIBC_12: &str = r#"{"id":"DEBIAN-CVE-2010-4756","affected":[{"package":{"ecosystem":"Debian:12","name":"glibc"},
  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#;
const REQUESTS: &str = r#"[{"id":"GHSA-j8r2-6x86-q33q","aliases":["CVE-2023-32681","PYSEC-2023-74"],
  "database_specific":{"severity":"MODERATE"},
  "affected":[{"package":{"ecosystem":"PyPI","name":"Requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.3.0"},{"fixed":"2.31.0"}]}]}]},
  {"id":"GHSA-9wx4-h78v-vm56","affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.32.0"}]}]}]}]"#;
const EXPRESS_MAL: &str = r#"{"id":"MAL-2025-1","summary":"Malicious code in express (npm)","affected":[{"package":{"ecosystem":"npm","name":"express"},"versions":["4.18.2"]}]}"#;
const GO_STDLIB: &str = r#"{"id":"GO-2024-2687","affected":[{"package":{"ecosystem":"Go","name":"stdlib"},
  "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.21.9"},{"introduced":"1.22.0-0"},{"fixed":"1.22.2"}]}]}]}"#;
const WITHDRAWN: &str = r#"{"id":"GHSA-withdrawn","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#;

fn image_with_packages() -> Vec<u8> {
    let mut t = TarBuilder::new();
    t.file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n", 0o644);
    // bsdutils as a real bookworm image lists it: an epoch on the binary, none on the source.
    t.file(
        "var/lib/dpkg/status",
        b"Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5+deb12u3)\nVersion: 1:2.38.1-5+deb12u3\n\n\
Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u9\n\n\
Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n",
        0o644,
    );
    let mut t2 = TarBuilder::new();
    t2.file(
        "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\n",
        0o644,
    );
    t2.file(
        "srv/node_modules/express/package.json",
        br#"{"name":"express","version":"4.18.2"}"#,
        0o644,
    );
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(4096, 0);
    elf.extend(porthole::scan::packages::golang::encode(
        "go1.22.1",
        "mod\texample.com/app\t(devel)\t\n",
    ));
    t2.file("usr/local/bin/app", &elf, 0o755);
    fixture::oci_archive(
        &[ImageSpec::new("v:1", vec![t.finish(), t2.finish()]).compressed(Compress::Gzip)],
        false,
    )
}

fn the_db() -> VulnDb {
    db(vec![
        (
            "Debian/all.zip",
            zip(&[
                ("DEBIAN-CVE-2024-28085.json", UTIL_LINUX_12.as_bytes()),
                ("DSA-0000-1.json", UTIL_LINUX_OLD.as_bytes()),
                ("DSA-0000-2.json", GLIBC_11.as_bytes()),
                ("DEBIAN-CVE-2010-4756.json", GLIBC_12.as_bytes()),
            ]),
        ),
        ("pypi.json", REQUESTS.as_bytes().to_vec()),
        (
            "more.zip",
            fixture::zip_stored(&[
                ("MAL-2025-1.json", EXPRESS_MAL.as_bytes()),
                ("GO-2024-2687.json", GO_STDLIB.as_bytes()),
                ("withdrawn.json", WITHDRAWN.as_bytes()),
                ("README.md", b"not a record"),
            ]),
        ),
    ])
}

#[test]
fn an_image_s_packages_are_matched_in_their_ecosystems() {
    let db = the_db();
    assert_eq!(db.stats().records, 9, "{:?}", db.stats());
    assert_eq!(db.stats().skipped, 0, "{:?}", db.stats().errors);
    let opts = Options {
        vuln_db: Some(Arc::new(db)),
        ..Default::default()
    };
    let r = support::inspect_with(&image_with_packages(), &opts);
    let img = &r.images[0];
    let got: Vec<(&str, &str)> = img
        .vulnerabilities
        .iter()
        .map(|v| (v.id.as_str(), v.package.name.as_str()))
        .collect();
    // Most severe first: the malicious package (critical), CVSS 5.5 (medium), the MODERATE
    // word (medium), then the unrated ones by id.
    assert_eq!(
        got,
        [
            ("MAL-2025-1", "express"),
            ("DEBIAN-CVE-2024-28085", "bsdutils"),
            ("DEBIAN-CVE-2010-4756", "libc6"),
            ("GHSA-9wx4-h78v-vm56", "requests"),
            ("GO-2024-2687", "stdlib"),
        ],
        "{:#?}",
        img.vulnerabilities
    );
    let util = &img.vulnerabilities[1];
    assert_eq!(util.package.source.as_deref(), Some("util-linux"));
    assert_eq!(util.package.version, "1:2.38.1-5+deb12u3");
    assert_eq!(util.package.matched_version, "2.38.1-5+deb12u3");
    assert_eq!(util.package.ecosystem, "Debian:12");
    assert_eq!(util.fixed, ["2.38.1-5+deb12u4"]);
    assert_eq!(util.severity.score, Some(5.5));
    assert_eq!(util.database, "Debian/all.zip");
    assert_eq!(util.package.layer, 0);
    let glibc = &img.vulnerabilities[2];
    assert_eq!(
        (glibc.fixed.len(), glibc.status),
        (0, porthole::report::vulnerabilities::FixStatus::Unfixed)
    );
    let mal = &img.vulnerabilities[0];
    assert!(mal.malicious);
    assert_eq!(mal.package.layer, 1);
    let go = &img.vulnerabilities[4];
    assert_eq!(
        (go.package.matched_version.as_str(), go.fixed.as_slice()),
        ("1.22.1", ["1.22.2".to_string()].as_slice())
    );
    let s = img.vulnerability_summary.as_ref().unwrap();
    assert_eq!((s.total, s.malicious, s.fixable), (5, 1, 3));
    assert_eq!(
        (s.by_severity.critical, s.by_severity.medium, s.by_severity.unknown),
        (1, 1, 3)
    );
    assert_eq!(s.packages_checked, 6, "3 deb, requests, express, stdlib: {:?}", s.notes);
    assert_eq!(s.packages_affected, 5);
    assert!(s.notes.iter().any(|n| n.contains("working tree")), "{:?}", s.notes);
}

#[test]
fn without_a_database_nothing_is_matched_and_the_summary_is_null() {
    let r = support::inspect(&image_with_packages());
    assert!(r.images[0].vulnerabilities.is_empty());
    assert!(r.images[0].vulnerability_summary.is_none());
}

#[test]
fn hostile_databases_give_errors_naming_file_and_record() {
    let deep = format!(
        "{{\"id\":\"DEEP\",\"summary\":{}{}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let long = format!(
        r#"{{"id":"LONG","affected":[{{"package":{{"ecosystem":"PyPI","name":"requests"}},"versions":["{}"],"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"{}ü"}}]}}]}}]}}"#,
        "9".repeat(10_000),
        "1".repeat(10_000)
    );
    let good = zip(&[
        ("A.json", br#"{"id":"A","affected":[]}"#.as_slice()),
        ("B.json", br#"{"id":"B","affected":"nope"}"#.as_slice()),
        ("C.json", deep.as_bytes()),
        ("D.json", b"\xff\xfe not json".as_slice()),
        ("LONG.json", long.as_bytes()),
    ]);
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let db = db(vec![
        ("good.zip", good),
        ("broken.zip", truncated),
        ("array.json", br#"[{"id":"E"}, 7, {"id":"F"}]"#.to_vec()),
        ("empty.json", Vec::new()),
    ]);
    let s = db.stats();
    assert_eq!(s.records, 4, "A, LONG, E, F: {s:?}");
    let at = |entry: &str, path: Option<&str>| {
        s.errors
            .iter()
            .any(|e| e.entry.as_deref() == Some(entry) && e.path.as_deref() == path)
    };
    assert!(
        at("good.zip", Some("B.json")) && at("good.zip", Some("C.json")) && at("good.zip", Some("D.json")),
        "{s:#?}"
    );
    assert!(at("broken.zip", None), "{s:#?}");
    assert!(at("empty.json", None), "{s:#?}");
    assert!(s.errors.iter().any(|e| e.message.contains("element 1")), "{s:#?}");
    assert_eq!(s.skipped, s.errors.len());
    // The ten-thousand-character versions are compared, not a crash.
    let mut m = porthole::vuln::Matcher::new(&db);
    let q = porthole::vuln::Query {
        ecosystems: vec!["PyPI".into()],
        name: "requests".into(),
        version: "9".repeat(10_000),
    };
    assert_eq!(m.hits(&q).len(), 1);
}

#[test]
fn a_zip_bomb_member_is_refused_and_the_rest_read() {
    let bomb = vec![b' '; (porthole::vuln::database::MAX_DOCUMENT_BYTES + 1024) as usize];
    let z = zip(&[
        ("A.json", br#"{"id":"A"}"#.as_slice()),
        ("BOMB.json", bomb.as_slice()),
        ("C.json", br#"{"id":"C"}"#.as_slice()),
    ]);
    assert!(z.len() < 2 << 20, "the bomb is small: {}", z.len());
    let db = db(vec![("bomb.zip", z)]);
    let s = db.stats();
    assert_eq!(s.records, 2);
    assert_eq!(s.errors.len(), 1);
    assert_eq!(s.errors[0].kind, porthole::error::ErrorKind::Limit);
    assert_eq!(s.errors[0].path.as_deref(), Some("BOMB.json"));
}

/// `../shared/osv` (osv.dev's export layout), where the workplace has it: in CI it must be there.
fn shared_osv() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = std::env::var_os("PORTHOLE_OSV_DIR")
        .map(Into::into)
        .into_iter()
        .chain([root.join("../shared/osv"), "/work/shared/osv".into()])
        .find(|p: &std::path::PathBuf| p.join("PyPI/all.zip").exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared OSV export is missing (set PORTHOLE_OSV_DIR)"
        );
        eprintln!("skipped: no shared OSV export here");
    }
    found
}

#[test]
fn the_osv_export_layout_is_read_whole() {
    let Some(dir) = shared_osv() else { return };
    let (db, _) = porthole::vuln::files::open_paths(&[dir], &mut |_, _, _| {}).unwrap();
    let s = db.stats();
    // The counts osv/README.md gives.
    assert_eq!(
        s.files.iter().map(|f| (f.name.as_str(), f.records)).collect::<Vec<_>>(),
        [
            ("Go/all.zip", 4291),
            ("PyPI/all.zip", 2661),
            ("crates.io/all.zip", 1206)
        ]
    );
    assert_eq!(s.skipped, 0, "{:?}", s.errors);
    assert_eq!(s.records, 8158);
    assert!(
        s.index_bytes < 4 << 20,
        "the index of 8,158 records takes {} bytes",
        s.index_bytes
    );
}

fn porthole(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(args)
        .env_remove("PORTHOLE_VULN_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin).unwrap();
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn vulns_answers_a_querybatch_in_order() {
    let dir = tempdir();
    std::fs::write(dir.join("pypi.json"), REQUESTS).unwrap();
    std::fs::write(dir.join("debian.json"), format!("[{UTIL_LINUX_12},{GLIBC_12}]")).unwrap();
    let queries = br#"{"queries":[
        {"package":{"ecosystem":"Debian:12","name":"util-linux"},"version":"2.38.1-5+deb12u3"},
        {"package":{"purl":"pkg:pypi/requests@2.31.0"}},
        {"package":{"purl":"pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u4?distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u4"}},
        {"package":{"ecosystem":"PyPI","name":"requests"}},
        {"commit":"abc"}]}"#;
    let d = dir.to_str().unwrap();
    let (code, out, err) = porthole(&["vulns", "--db", d, "--queries", "-", "--json"], queries);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids = |i: usize| -> Vec<String> {
        v["results"][i]["vulns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(v["results"].as_array().unwrap().len(), 5);
    assert_eq!(ids(0), ["DEBIAN-CVE-2024-28085"]);
    assert_eq!(v["results"][0]["vulns"][0]["fixed"][0], "2.38.1-5+deb12u4");
    assert_eq!(v["results"][0]["vulns"][0]["aliases"][0], "CVE-2024-28085");
    assert_eq!(ids(1), ["GHSA-9wx4-h78v-vm56"]);
    assert_eq!(
        ids(2),
        Vec::<String>::new(),
        "fixed in the source version the purl names"
    );
    assert!(v["results"][3]["error"].as_str().unwrap().contains("no version"));
    assert!(v["results"][4]["error"].as_str().unwrap().contains("commit"));
    // Package URLs as arguments, and a table without --json.
    let (code, out, _) = porthole(&["vulns", "--db", d, "pkg:pypi/requests@2.30.0"], b"");
    assert_eq!(code, 0);
    assert!(out.contains("GHSA-j8r2-6x86-q33q") && out.contains("2.31.0"), "{out}");
    let (code, _, err) = porthole(&["vulns", "pkg:pypi/requests@2.0.0"], b"");
    assert_eq!(code, 1, "{err}");
}

#[test]
fn inspect_with_a_database_fails_on_vulnerabilities_when_asked() {
    let dir = tempdir();
    std::fs::write(dir.join("pypi.json"), REQUESTS).unwrap();
    let image = dir.join("img.tar");
    std::fs::write(&image, image_with_packages()).unwrap();
    let (img, db) = (image.to_str().unwrap(), dir.join("pypi.json"));
    let db = db.to_str().unwrap();
    let (code, out, err) = porthole(&["inspect", img, "--vuln-db", db, "--json"], b"");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["images"][0]["vulnerabilities"][0]["id"], "GHSA-9wx4-h78v-vm56");
    assert_eq!(porthole(&["inspect", img, "--vuln-db", db, "--fail-on-vuln"], b"").0, 6);
    assert_eq!(
        porthole(&["inspect", img, "--vuln-db", db, "--fail-on-vuln=critical"], b"").0,
        0
    );
    assert_eq!(
        porthole(&["inspect", img, "--fail-on-vuln"], b"").0,
        1,
        "no database: a usage error"
    );
    let (code, out, _) = porthole(&["inspect", img, "--vuln-db", db], b"");
    assert_eq!(code, 0);
    assert!(out.contains("GHSA-9wx4-h78v-vm56"), "{out}");
    assert_eq!(porthole(&["inspect", img, "--vuln-db", "/nonexistent/db"], b"").0, 1);
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "porthole-vulns-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn ignore_files_vex_and_only_fixed_leave_matches_out_and_count_them() {
    let dir = tempdir();
    let db = dir.join("db.json");
    std::fs::write(&db, format!("[{UTIL_LINUX_12},{GLIBC_12},{EXPRESS_MAL}]")).unwrap();
    let image = dir.join("img.tar");
    std::fs::write(&image, image_with_packages()).unwrap();
    let (img, db) = (image.to_str().unwrap(), db.to_str().unwrap());
    let ids = |out: &str| -> (Vec<String>, Vec<(String, String)>) {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        let i = &v["images"][0];
        (
            i["vulnerabilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect(),
            i["vulnerability_summary"]["suppressed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    (
                        x["id"].as_str().unwrap().to_string(),
                        x["by"].as_str().unwrap().to_string(),
                    )
                })
                .collect(),
        )
    };
    let (all, none) = ids(&porthole(&["inspect", img, "--vuln-db", db, "--json"], b"").1);
    assert_eq!(all, ["MAL-2025-1", "DEBIAN-CVE-2024-28085", "DEBIAN-CVE-2010-4756"]);
    assert!(none.is_empty());
    // By alias, limited by a path glob that matches, and one that does not.
    let ignore = dir.join("ignore");
    std::fs::write(
        &ignore,
        "# accepted\nCVE-2024-28085 /var/lib/dpkg/**\nMAL-2025-1 /nowhere/**\n",
    )
    .unwrap();
    let vex = dir.join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"DEBIAN-CVE-2010-4756"},
          "products":[{"@id":"pkg:deb/debian/libc6"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}"#,
    )
    .unwrap();
    let args = [
        "inspect",
        img,
        "--vuln-db",
        db,
        "--json",
        "--ignore",
        ignore.to_str().unwrap(),
        "--vex",
        vex.to_str().unwrap(),
    ];
    let (code, out, err) = porthole(&args, b"");
    assert_eq!(code, 0, "{err}");
    let (kept, suppressed) = ids(&out);
    assert_eq!(kept, ["MAL-2025-1"]);
    assert_eq!(
        suppressed,
        [
            ("DEBIAN-CVE-2024-28085".to_string(), "ignore".to_string()),
            ("DEBIAN-CVE-2010-4756".to_string(), "vex".to_string())
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["images"][0]["vulnerability_summary"]["total"], 1,
        "counts exclude what was suppressed"
    );
    assert!(
        v["images"][0]["vulnerability_summary"]["suppressed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("line 2")
    );
    // --only-fixed: the malicious package has no fix.
    let (kept, suppressed) = ids(&porthole(&["inspect", img, "--vuln-db", db, "--json", "--only-fixed"], b"").1);
    assert_eq!(kept, ["DEBIAN-CVE-2024-28085"]);
    assert_eq!(suppressed.len(), 2);
    // A suppressed match does not fail the run.
    assert_eq!(
        porthole(
            &[
                "inspect",
                img,
                "--vuln-db",
                db,
                "--only-fixed",
                "--fail-on-vuln=critical"
            ],
            b""
        )
        .0,
        0
    );
    assert_eq!(
        porthole(&["inspect", img, "--vuln-db", db, "--fail-on-vuln=critical"], b"").0,
        6
    );
    // A broken ignore file is a usage error naming the line.
    std::fs::write(&ignore, "CVE-1 /a /b\n").unwrap();
    let (code, _, err) = porthole(
        &["inspect", img, "--vuln-db", db, "--ignore", ignore.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 1);
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn base_layers_split_the_matches() {
    let dir = tempdir();
    let db = dir.join("db.json");
    std::fs::write(&db, format!("[{UTIL_LINUX_12},{GLIBC_12},{EXPRESS_MAL}]")).unwrap();
    let image = dir.join("img.tar");
    std::fs::write(&image, image_with_packages()).unwrap();
    let (code, out, _) = porthole(
        &[
            "inspect",
            image.to_str().unwrap(),
            "--vuln-db",
            db.to_str().unwrap(),
            "--json",
            "--base-layers",
            "1",
        ],
        b"",
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v["images"][0]["vulnerability_summary"];
    assert_eq!(
        (
            s["base_layers"].as_u64(),
            s["from_base"].as_u64(),
            s["from_own"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
}

/// How many best-practice findings `porthole inspect --json` reports for `img`.
fn s_practices(img: &str) -> usize {
    let (_, out, _) = porthole(&["inspect", img, "--json"], b"");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    r["images"][0]["best_practices"].as_array().map_or(0, Vec::len)
}

#[test]
fn sarif_and_cyclonedx_carry_the_matches() {
    let dir = tempdir();
    let db = dir.join("db.json");
    std::fs::write(&db, format!("[{UTIL_LINUX_12},{GLIBC_12},{EXPRESS_MAL}]")).unwrap();
    let image = dir.join("img.tar");
    std::fs::write(&image, image_with_packages()).unwrap();
    let sarif = dir.join("out.sarif");
    let (img, db) = (image.to_str().unwrap(), db.to_str().unwrap());
    let (code, _, err) = porthole(
        &["inspect", img, "--vuln-db", db, "--sarif", sarif.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    let results = run["results"].as_array().unwrap();
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // The vulnerabilities; the image's best-practice findings come as results too.
    let practice = |r: &&serde_json::Value| {
        let id = r["ruleId"].as_str().unwrap();
        ["CIS-", "DKL-", "PH-"].iter().any(|p| id.starts_with(p))
    };
    assert_eq!(results.iter().filter(|r| !practice(r)).count(), 3);
    let practices = results.iter().filter(practice).count();
    assert!(practices > 0, "best practices are results too");
    assert_eq!(practices, s_practices(img));
    for r in results {
        assert!(
            rule_ids.contains(&r["ruleId"].as_str().unwrap()),
            "every result's rule is described"
        );
    }
    let util = results.iter().find(|r| r["ruleId"] == "DEBIAN-CVE-2024-28085").unwrap();
    assert_eq!(util["level"], "warning");
    assert_eq!(
        util["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "DEBIAN-CVE-2024-28085")
        .unwrap();
    assert_eq!(rule["properties"]["security-severity"], "5.5");
    // CycloneDX: one vulnerability per advisory, affecting the components it matched.
    let (code, out, _) = porthole(&["sbom", img, "--vuln-db", db, "--format", "cyclonedx-json"], b"");
    assert_eq!(code, 0);
    let bom: serde_json::Value = serde_json::from_str(&out).unwrap();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 3);
    let util = vulns.iter().find(|v| v["id"] == "DEBIAN-CVE-2024-28085").unwrap();
    assert_eq!(util["ratings"][0]["method"], "CVSSv31");
    assert_eq!(util["ratings"][0]["score"], 5.5);
    let r = util["affects"][0]["ref"].as_str().unwrap();
    let comp = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == r)
        .unwrap();
    assert_eq!(comp["name"], "bsdutils");
    assert_eq!(util["recommendation"], "Upgrade bsdutils to 2.38.1-5+deb12u4");
}

#[test]
fn db_index_is_used_while_current_and_refused_once_the_files_change() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("Debian")).unwrap();
    std::fs::write(dir.join("Debian/all.json"), format!("[{UTIL_LINUX_12},{GLIBC_12}]")).unwrap();
    std::fs::write(dir.join("pypi.json"), REQUESTS).unwrap();
    // The page's list of files, which is not a database file.
    std::fs::write(
        dir.join("index.json"),
        r#"{"files":["pypi.json","Debian/all.json"],"index":"porthole-index.bin"}"#,
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let (code, out, err) = porthole(&["db", "index", d], b"");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("4 records in 2 files indexed (0 skipped)"), "{out}");
    let saved = std::fs::read(dir.join("porthole-index.bin")).unwrap();
    let query = ["vulns", "--db", d, "--json", "pkg:pypi/requests@2.30.0"];
    let (code, first, err) = porthole(&query, b"");
    assert_eq!(code, 0);
    assert!(err.is_empty(), "the index is current: {err}");
    // The index loads as the database reads, in any order of the files.
    let files = |names: &[&str]| -> Vec<DbFile> {
        names
            .iter()
            .map(|n| DbFile {
                name: n.to_string(),
                source: Box::new(std::fs::read(dir.join(n)).unwrap()),
            })
            .collect()
    };
    let loaded = VulnDb::load_index(files(&["pypi.json", "Debian/all.json"]), &saved).unwrap();
    assert_eq!(loaded.stats().records, 4);
    assert!(
        VulnDb::load_index(files(&["pypi.json"]), &saved).is_err(),
        "a file missing"
    );
    assert!(VulnDb::load_index(files(&["pypi.json", "Debian/all.json"]), &saved[..saved.len() / 2]).is_err());
    assert!(VulnDb::load_index(files(&["pypi.json", "Debian/all.json"]), b"garbage").is_err());
    // A file changed: the index is not used, the database is read again, with a note.
    std::fs::write(dir.join("pypi.json"), format!("{REQUESTS}\n")).unwrap();
    let (code, second, err) = porthole(&query, b"");
    assert_eq!(code, 0);
    assert!(
        err.contains("porthole-index.bin was not used") && err.contains("porthole db index"),
        "{err}"
    );
    assert_eq!(first, second);
}

#[test]
fn a_one_element_array_in_a_zip_member_is_read_back() {
    let one = format!("[{UTIL_LINUX_12}]");
    let db = db(vec![(
        "Debian/all.zip",
        zip(&[
            ("one.json", one.as_bytes()),
            ("two.json", format!("[{GLIBC_12},{GLIBC_11}]").as_bytes()),
        ]),
    )]);
    assert_eq!((db.stats().records, db.stats().skipped), (3, 0));
    let mut m = porthole::vuln::Matcher::new(&db);
    let q = |name: &str, version: &str| porthole::vuln::Query {
        ecosystems: vec!["Debian:12".into()],
        name: name.into(),
        version: version.into(),
    };
    assert_eq!(m.hits(&q("util-linux", "2.38.1-5+deb12u3")).len(), 1);
    assert_eq!(m.hits(&q("glibc", "2.36-9")).len(), 1);
    assert!(m.lookup.errors.is_empty(), "{:?}", m.lookup.errors);
    // The ecosystems count records: this one names util-linux in two releases.
    assert_eq!(db.stats().ecosystems.get("Debian:12"), Some(&2));
}
