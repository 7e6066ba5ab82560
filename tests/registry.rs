//! The registry client against the real CNCF distribution registry (Debian's
//! `docker-registry`), with images pushed by the real `skopeo`: anonymous, Basic auth,
//! platform choice, tampered storage, and the errors users hit. `make test` installs the tools.

mod support;
use porthole::fixture::{self, Compress};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Registry {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The CORS part of the registry config, as the README shows it.
const CORS: &str = "  headers:
    Access-Control-Allow-Origin: ['*']
    Access-Control-Allow-Methods: [GET, HEAD, OPTIONS]
    Access-Control-Allow-Headers: [Authorization, Accept]
    Access-Control-Expose-Headers: [Docker-Content-Digest, WWW-Authenticate, Retry-After, Link]
";

/// Starts a registry on 127.0.0.1 with filesystem storage in a temp dir; `htpasswd` turns
/// on Basic auth with that user and password.
fn start(name: &str, htpasswd: Option<(&str, &str)>) -> Registry {
    start_with(name, htpasswd, false)
}

/// A private CA and a certificate for 127.0.0.1 signed by it, written to `dir`
/// (ca.pem, cert.pem, key.pem).
fn private_ca(dir: &Path) {
    support::need("openssl");
    let run = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=porthole test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "cert.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

fn start_with(name: &str, htpasswd: Option<(&str, &str)>, tls: bool) -> Registry {
    start_config(name, htpasswd, tls, "", CORS)
}

/// A registry with `storage` lines added under `storage:` (deletion, read-only) and `headers`
/// as its `http.headers` block.
fn start_config(name: &str, htpasswd: Option<(&str, &str)>, tls: bool, storage: &str, headers: &str) -> Registry {
    support::need("docker-registry");
    let dir = std::env::temp_dir().join(format!("porthole-registry-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = support::free_port();
    let mut auth = String::new();
    if let Some((u, p)) = htpasswd {
        support::need("htpasswd");
        let file = dir.join("htpasswd");
        let ok = Command::new("htpasswd")
            .arg("-Bbc")
            .arg(&file)
            .arg(u)
            .arg(p)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success());
        auth = format!(
            "auth:\n  htpasswd:\n    realm: porthole-test\n    path: {}\n",
            file.display()
        );
    }
    let tls = if tls {
        private_ca(&dir);
        format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            dir.join("cert.pem").display(),
            dir.join("key.pem").display()
        )
    } else {
        String::new()
    };
    let config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n{storage}{auth}http:\n  addr: 127.0.0.1:{port}\n{tls}{headers}",
        dir.join("data").display()
    );
    std::fs::write(dir.join("config.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "the registry did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Registry { child, port, dir }
}

impl Registry {
    /// Restarts the registry with `storage` lines added under `storage:` (same data, same port).
    fn restart_with_storage(&mut self, storage: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let file = self.dir.join("config.yml");
        let config = std::fs::read_to_string(&file)
            .unwrap()
            .replacen("\nhttp:", &format!("\n{storage}http:"), 1);
        std::fs::write(&file, config).unwrap();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Command::new("docker-registry")
            .arg("serve")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the registry did not start again"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn push(&self, archive: &Path, name: &str, creds: Option<(&str, &str)>, all: bool) {
        support::need("skopeo");
        let mut c = Command::new("skopeo");
        c.args(["copy", "-q", "--dest-tls-verify=false"]);
        if all {
            c.arg("--all");
        }
        if let Some((u, p)) = creds {
            c.arg(format!("--dest-creds={u}:{p}"));
        }
        c.arg(format!("oci-archive:{}", archive.display()))
            .arg(format!("docker://127.0.0.1:{}/{name}", self.port));
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "skopeo push failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fn reference(&self, name: &str) -> String {
        format!("127.0.0.1:{}/{name}", self.port)
    }
}

fn write_tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("porthole-reg-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn cli(args: &[&str], stdin: Option<&str>) -> (i32, serde_json::Value, String) {
    let r = support::porthole(args, stdin);
    (r.code, r.json, r.stderr)
}

/// What must agree between a registry image and a tarball of it (blob digests may differ
/// when a push recompresses).
fn essence(r: &serde_json::Value) -> serde_json::Value {
    let img = &r["images"][0];
    let layers: Vec<_> = img["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["diff_id"].clone(), l["verified"].clone()))
        .collect();
    serde_json::json!({
        "config_digest": img["config_digest"], "verified": img["verified"], "summary": img["summary"],
        "files": img["files"], "layers": layers, "platform": img["platform"], "os": img["os_release"],
    })
}

#[test]
fn anonymous_pull_matches_the_tarball_for_gzip_and_zstd_images() {
    let reg = start("anon", None);
    for (c, tag) in [(Compress::Gzip, "gzip"), (Compress::Zstd, "zstd")] {
        let tar = write_tmp(
            &format!("{tag}.tar"),
            &fixture::oci_archive(&[fixture::sample("x", c)], false),
        );
        reg.push(&tar, &format!("sample:{tag}"), None, false);
        let (code, from_registry, err) = cli(
            &["inspect", &reg.reference(&format!("sample:{tag}")), "--json", "--files"],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let (_, from_tar, _) = cli(&["inspect", tar.to_str().unwrap(), "--json", "--files"], None);
        assert_eq!(essence(&from_registry), essence(&from_tar), "{tag}");
        assert_eq!(from_registry["source"]["kind"], "registry");
        let md = from_registry["images"][0]["manifest_digest"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(md.starts_with("sha256:"));
        // By digest, too.
        let (code, by_digest, err) = cli(&["inspect", &reg.reference(&format!("sample@{md}")), "--json"], None);
        assert_eq!(code, 0, "{err}");
        assert_eq!(by_digest["images"][0]["manifest_digest"], md.as_str());
        // `porthole diff` takes a reference like a file: the pushed image equals its tarball.
        let (code, d, err) = cli(
            &[
                "diff",
                &reg.reference(&format!("sample:{tag}")),
                tar.to_str().unwrap(),
                "--json",
            ],
            None,
        );
        assert_eq!((code, d["equal"].as_bool()), (0, Some(true)), "{err}");
        let _ = std::fs::remove_file(tar);
    }
}

#[test]
fn multi_platform_index_chooses_platforms() {
    let reg = start("multi", None);
    let s = fixture::sample("x", Compress::Gzip);
    let arm = fixture::ImageSpec {
        arch: "arm64".into(),
        variant: Some("v8".into()),
        ..s.clone()
    };
    let mut arm = arm;
    arm.env.push("ARCH=arm64".into());
    let tar = write_tmp("multi.tar", &fixture::oci_multiplatform("x", &[s, arm]));
    reg.push(&tar, "multi:1", None, true);
    let (code, r, err) = cli(&["inspect", &reg.reference("multi:1"), "--json"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["images"][0]["platform"], "linux/amd64");
    assert_eq!(
        r["images"][0]["platforms_available"],
        serde_json::json!(["linux/amd64", "linux/arm64/v8"])
    );
    // Browsing shows the index's platforms, and describes its linux/amd64 image.
    let (code, j, err) = cli(&["ls", &reg.reference("multi"), "--json", "--details"], None);
    assert_eq!(code, 0, "{err}");
    let t = &j["tags"][0];
    assert_eq!(
        t["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64/v8"]),
        "{t}"
    );
    assert_eq!(t["described_platform"], "linux/amd64");
    assert!(t["media_type"].as_str().unwrap().contains("index"), "{t}");
    assert!(t["size"].as_u64().unwrap() > 0, "{t}");
    assert!(t["labels"]["org.opencontainers.image.source"].is_string(), "{t}");
    let (code, r, _) = cli(
        &[
            "inspect",
            &reg.reference("multi:1"),
            "--json",
            "--platform",
            "linux/arm64",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(
        r["images"][0]["config"]["env"]
            .as_array()
            .unwrap()
            .contains(&"ARCH=arm64".into())
    );
    let (code, _, err) = cli(
        &["inspect", &reg.reference("multi:1"), "--platform", "linux/ppc64le"],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("linux/arm64/v8"), "{err}");
    let _ = std::fs::remove_file(tar);
}

#[test]
fn basic_auth_with_right_and_wrong_credentials() {
    let reg = start("basic", Some(("alice", "s3cret-pw")));
    let tar = write_tmp(
        "basic.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    reg.push(&tar, "private:1", Some(("alice", "s3cret-pw")), false);
    let r = reg.reference("private:1");
    let (code, _, err) = cli(&["inspect", &r], None);
    assert_eq!(code, 2);
    assert!(err.contains("requires credentials"), "{err}");
    let (code, _, err) = cli(
        &["inspect", &r, "--username", "alice", "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("rejected the credentials"), "{err}");
    let (code, json, err) = cli(
        &["inspect", &r, "--json", "--username", "alice", "--password-stdin"],
        Some("s3cret-pw\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        !json.to_string().contains("s3cret-pw"),
        "the password must never reach the report"
    );
    assert!(!err.contains("s3cret-pw"));
    // From a docker config file.
    let cfg = std::env::temp_dir().join(format!("porthole-dockercfg-{}", std::process::id()));
    std::fs::create_dir_all(&cfg).unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-pw");
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{auth}"}}}}}}"#, reg.port),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["inspect", &r])
        .env("DOCKER_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(cfg);
    let _ = std::fs::remove_file(tar);
}

#[test]
fn a_blob_tampered_in_storage_names_the_layer() {
    let reg = start("tamper", None);
    let tar = write_tmp(
        "tamper.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    reg.push(&tar, "t:1", None, false);
    let (_, r, _) = cli(&["inspect", &reg.reference("t:1"), "--json"], None);
    let digest = r["images"][0]["layers"][1]["digest"].as_str().unwrap()[7..].to_string();
    let data = reg.dir.join(format!(
        "data/docker/registry/v2/blobs/sha256/{}/{digest}/data",
        &digest[..2]
    ));
    let mut bytes = std::fs::read(&data).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&data, bytes).unwrap();
    let (code, r, err) = cli(&["inspect", &reg.reference("t:1"), "--json"], None);
    assert_eq!(code, 3, "{err}");
    assert_eq!(r["images"][0]["layers"][1]["checks"][0]["status"], "mismatch");
    assert_eq!(r["images"][0]["layers"][0]["verified"], true);
    let _ = std::fs::remove_file(tar);
}

#[test]
fn unreachable_and_missing_images_say_why() {
    let reg = start("missing", None);
    let (code, _, err) = cli(&["inspect", &reg.reference("nothing:here")], None);
    assert_eq!(code, 2);
    assert!(err.contains("404") && err.contains("not found"), "{err}");
    let port = support::free_port();
    let (code, _, err) = cli(&["inspect", &format!("127.0.0.1:{port}/x:1")], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach"), "{err}");
}

#[test]
fn a_registry_behind_a_private_ca_needs_ca_file_or_insecure() {
    let reg = start_with("tls", None, true);
    let tar = write_tmp(
        "tls.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    reg.push(&tar, "t:1", None, false);
    let r = format!("https://127.0.0.1:{}/t:1", reg.port);
    let (code, _, err) = cli(&["inspect", &r], None);
    assert_eq!(code, 2);
    assert!(err.contains("--ca-file") && err.contains("--insecure"), "{err}");
    let ca = reg.dir.join("ca.pem");
    let (code, _, err) = cli(&["inspect", &r, "--ca-file", ca.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&["inspect", &r, "--insecure"], None);
    assert_eq!(code, 0, "{err}");
    let _ = std::fs::remove_file(tar);
}

/// Uploads a blob through the distribution API (POST, then PUT with the digest).
fn upload_blob(reg: &Registry, repo: &str, bytes: &[u8]) {
    let base = format!("http://127.0.0.1:{}", reg.port);
    let resp = ureq::post(&format!("{base}/v2/{repo}/blobs/uploads/"))
        .send_empty()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    let location = resp.headers().get("Location").unwrap().to_str().unwrap().to_string();
    let url = if location.starts_with("http") {
        location
    } else {
        format!("{base}{location}")
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    let digest = porthole::digest::Digest::of(bytes);
    let resp = ureq::put(&format!("{url}{sep}digest={digest}"))
        .header("Content-Type", "application/octet-stream")
        .send(bytes)
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "blob upload");
}

/// Puts a manifest (or index) under `reference` (a tag or its digest).
fn put_manifest(reg: &Registry, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) {
    let url = format!("http://127.0.0.1:{}/v2/{repo}/manifests/{reference}", reg.port);
    let resp = ureq::put(&url)
        .config()
        .http_status_as_error(false)
        .build()
        .header("Content-Type", media_type)
        .send(bytes)
        .unwrap();
    let status = resp.status().as_u16();
    assert_eq!(
        status,
        201,
        "PUT {url}: {}",
        resp.into_body().read_to_string().unwrap_or_default()
    );
}

/// Pushes an artifact (its blobs, then its manifest under `reference`, or its digest).
fn push_artifact(reg: &Registry, repo: &str, e: &porthole::fixture::signing::Extra, reference: Option<&str>) {
    for b in &e.blobs {
        upload_blob(reg, repo, b);
    }
    let by_digest = e.digest().to_string();
    put_manifest(reg, repo, reference.unwrap_or(&by_digest), &e.media_type, &e.document);
}

/// cosign signatures pushed to the real registry as cosign pushes them (its `.sig` tag) and as
/// OCI 1.1 referrers through the referrers tag schema (distribution 2.8 has no referrers API:
/// it answers 404 and porthole falls back): found, verified with the key, bound.
#[test]
fn cosign_signatures_in_the_real_registry_verify_with_the_key() {
    use porthole::fixture::signing;
    let reg = start("signed", None);
    let tar = write_tmp(
        "signed.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    reg.push(&tar, "signed:1", None, false);
    let reference = reg.reference("signed:1");
    let (code, r, err) = cli(&["inspect", &reference, "--json"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["images"][0]["trust"]["verdict"], "unsigned");
    let digest = porthole::digest::Digest::parse(r["images"][0]["manifest_digest"].as_str().unwrap()).unwrap();
    let size = r["images"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["what"] == "blob_size")
        .map(|c| c["actual"].as_str().unwrap().parse::<usize>().unwrap())
        .unwrap();

    let dir = support::openssl::key_dir("registry");
    let key = support::openssl::KeyPair::new(&dir, "p256");
    let payload = signing::simple_signing_payload(digest.as_str(), &reg.reference("signed"));
    let sig = signing::cosign_signatures(&[(payload.clone(), key.sign(&payload))]);
    push_artifact(&reg, "signed", &sig, Some(&signing::cosign_tag(&digest, "sig")));
    let (code, r, err) = cli(
        &[
            "inspect",
            &reference,
            "--json",
            "--key",
            key.public_path(),
            "--require-signature",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let img = &r["images"][0];
    assert_eq!(img["trust"]["verdict"], "verified", "{}", img["trust"]);
    assert_eq!(
        img["signatures"][0]["found"],
        format!("tag {}", signing::cosign_tag(&digest, "sig"))
    );
    assert!(img["errors"].as_array().unwrap().is_empty());

    // An OCI 1.1 referrer, listed by the referrers tag schema.
    let referrer = signing::cosign_referrer(&payload, key.sign(&payload), (&digest, size));
    push_artifact(&reg, "signed", &referrer, None);
    let list = signing::referrers_index(&[&referrer]);
    put_manifest(
        &reg,
        "signed",
        &format!("sha256-{}", digest.hex()),
        &list.media_type,
        &list.document,
    );
    let (code, r, err) = cli(
        &[
            "inspect",
            &reference,
            "--json",
            "--key",
            key.public_path(),
            "--require-signature",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let sigs = r["images"][0]["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{sigs:?}");
    assert!(sigs.iter().all(|s| s["verified"] == true), "{sigs:?}");
    let found: Vec<&str> = sigs.iter().map(|s| s["found"].as_str().unwrap()).collect();
    assert!(
        found.contains(&format!("tag sha256-{}", digest.hex()).as_str()),
        "{found:?}"
    );
    // Without the key: found, not verified; --require-signature exits 7.
    let (code, _, err) = cli(&["inspect", &reference, "--require-signature"], None);
    assert_eq!(code, 7, "{err}");
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

/// `porthole ls`: the catalog and a repository's tags of the real registry, every page (a page
/// size of 2 makes several), anonymously and with Basic credentials; a refused catalog and a
/// missing repository say what to do.
#[test]
fn ls_lists_repositories_and_tags_page_by_page() {
    let img = fixture::sample("x", Compress::Gzip);
    let (manifest, blobs) = img.oci_manifest();
    let oci = porthole::image::manifest::OCI_MANIFEST;
    let reg = start("ls", None);
    let repos = ["a/one", "a/two", "b", "c/d/e", "z"];
    for repo in repos {
        for b in &blobs {
            upload_blob(&reg, repo, b);
        }
        for tag in ["1", "2", "latest"] {
            put_manifest(&reg, repo, tag, oci, &manifest);
        }
    }
    let host = format!("127.0.0.1:{}", reg.port);
    let (code, j, err) = cli(&["ls", &host, "--json", "--page-size", "2"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["repositories"], serde_json::json!(repos), "{j}");
    assert_eq!(j["registry"], format!("http://{host}"));
    let (code, j, err) = cli(&["ls", &format!("{host}/c/d/e"), "--json", "--page-size", "2"], None);
    assert_eq!(code, 0, "{err}");
    let tags: Vec<_> = j["tags"].as_array().unwrap().iter().map(|t| t["tag"].clone()).collect();
    assert_eq!(tags, ["1", "2", "latest"], "{j}");
    assert_eq!(j["repository"], "c/d/e");
    // Names and digests (a HEAD each); no details without --details.
    let md = porthole::digest::Digest::of(&manifest).to_string();
    for t in j["tags"].as_array().unwrap() {
        assert_eq!(t["digest"], md, "{t}");
        assert_eq!(t["media_type"], oci);
        assert!(t["size"].is_null() && t["created"].is_null());
    }
    // With --details: the size the manifest declares, the config's time and labels.
    let (code, j, err) = cli(&["ls", &format!("{host}/b"), "--json", "--details"], None);
    assert_eq!(code, 0, "{err}");
    let t = &j["tags"][0];
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let declared = m["config"]["size"].as_u64().unwrap()
        + m["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .sum::<u64>();
    assert_eq!(t["size"], declared, "{t}");
    // The sample's config has labels and no creation time.
    assert_eq!(
        t["labels"]["org.opencontainers.image.source"],
        "https://example.invalid/<b>html</b>"
    );
    assert!(t["created"].is_null(), "{t}");
    assert_eq!(t["described_platform"], serde_json::Value::Null);
    // The table.
    let run = support::porthole(&["ls", &format!("{host}/b"), "--details"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table = run.stdout;
    assert!(table.starts_with("TAG "), "{table}");
    assert!(table.contains(&md), "{table}");
    let (code, _, err) = cli(&["ls", &format!("{host}/nothing-here")], None);
    assert_eq!(code, 2);
    assert!(err.contains("no repository nothing-here"), "{err}");
    let (code, _, err) = cli(&["ls", &format!("{host}/b:1")], None);
    assert_eq!(code, 1, "{err}");
    drop(reg);

    let reg = start("ls-basic", Some(("alice", "s3cret-pw")));
    let tar = write_tmp("ls.tar", &fixture::oci_archive(&[img], false));
    reg.push(&tar, "private:1", Some(("alice", "s3cret-pw")), false);
    let host = format!("127.0.0.1:{}", reg.port);
    let (code, _, err) = cli(&["ls", &host], None);
    assert_eq!(code, 2);
    assert!(err.contains("requires credentials"), "{err}");
    let (code, j, err) = cli(
        &["ls", &host, "--json", "--username", "alice", "--password-stdin"],
        Some("s3cret-pw\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["repositories"], serde_json::json!(["private"]));
    let (code, _, err) = cli(
        &["ls", &host, "--username", "alice", "--password-stdin"],
        Some("wrong\n"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("refuses to list its repositories"), "{err}");
    let _ = std::fs::remove_file(tar);
}

/// The registry's storage: every file's path and sha256, `_uploads/` left out (where a cancelled
/// upload leaves the registry's own bookkeeping until its purging runs).
fn storage(reg: &Registry) -> std::collections::BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut std::collections::BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
            if rel.split('/').any(|c| c == "_uploads") {
                continue;
            }
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    rel,
                    porthole::digest::Digest::of(&std::fs::read(&p).unwrap()).to_string(),
                );
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    let root = reg.dir.join("data");
    walk(&root, &root, &mut out);
    out
}

/// The audit validates against docs/audit.schema.json.
fn valid_audit(j: &serde_json::Value) {
    support::follows_schema(j, "audit.schema.json");
}

/// `porthole audit` with `args`: exit code, the JSON, and each check as (outcome, severity).
fn audit(
    args: &[&str],
    stdin: Option<&str>,
) -> (
    i32,
    serde_json::Value,
    std::collections::BTreeMap<String, (String, String)>,
) {
    let mut all = vec!["audit", "--json", "--rate", "200"];
    all.extend_from_slice(args);
    let (code, j, err) = cli(&all, stdin);
    assert!(j.is_object() || code == 2, "exit {code}: {err}");
    if j.is_object() {
        valid_audit(&j);
    }
    let checks = j["checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
                    (s("id"), (s("outcome"), s("severity")))
                })
                .collect()
        })
        .unwrap_or_default();
    (code, j, checks)
}

fn expect(
    checks: &std::collections::BTreeMap<String, (String, String)>,
    want: &[(&str, &str, &str)],
    j: &serde_json::Value,
) {
    for (id, outcome, severity) in want {
        assert_eq!(
            checks.get(*id).map(|(o, s)| (o.as_str(), s.as_str())),
            Some((*outcome, *severity)),
            "{id}: {}",
            serde_json::to_string_pretty(&j["checks"].as_array().unwrap().iter().find(|c| c["id"] == *id)).unwrap()
        );
    }
}

/// `porthole audit` against the real registry in each configuration: open, declared public,
/// deletion enabled, read-only, htpasswd (anonymous and with the account), CORS with
/// credentials. Each verdict matches the configuration, the exit code follows --fail-on, and
/// the storage is byte-identical before and after outside `_uploads/`.
#[test]
fn audit_verdicts_match_each_configuration_and_change_nothing() {
    let tar = write_tmp(
        "audit.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    let delete = "  delete:\n    enabled: true\n";
    let readonly = "  maintenance:\n    readonly:\n      enabled: true\n";

    // Open: anyone lists, pulls and pushes; deletion is off (distribution's default).
    let reg = start_config("audit-open", None, false, "", CORS);
    reg.push(&tar, "team/app:1", None, false);
    let before = storage(&reg);
    let host = format!("127.0.0.1:{}", reg.port);
    let (code, j, c) = audit(&[&host], None);
    assert_eq!(code, 9, "{j}");
    expect(
        &c,
        &[
            ("api", "pass", "info"),
            ("transport", "finding", "info"),
            ("anonymous-catalog", "finding", "high"),
            ("anonymous-pull", "finding", "high"),
            ("anonymous-push", "finding", "high"),
            ("anonymous-delete", "pass", "info"),
            ("cors", "pass", "info"),
            ("credentials-over-http", "pass", "info"),
            ("account-push", "not_run", "info"),
        ],
        &j,
    );
    assert_eq!(j["repositories"], serde_json::json!(["team/app"]));
    let push = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "anonymous-push")
        .unwrap();
    let ev = push["evidence"].to_string();
    assert!(
        ev.contains("POST ") && ev.contains("202") && ev.contains("DELETE "),
        "{ev}"
    );
    assert!(push["fix"].as_str().unwrap().contains("auth.htpasswd"));
    assert_eq!(storage(&reg), before, "the audit changed the storage");
    // Declared public: listing and pulling are info; the push is still high.
    let (code, _, c) = audit(&[&host, "--public"], None);
    assert_eq!(code, 9);
    expect(
        &c,
        &[
            ("anonymous-catalog", "finding", "info"),
            ("anonymous-pull", "finding", "info"),
            ("anonymous-push", "finding", "high"),
        ],
        &j,
    );
    // --fail-on above everything found never fails… (there is nothing above high) and a text run.
    let run = support::porthole(&["audit", &host, "--rate", "200"], None);
    assert_eq!(run.code, 9);
    assert!(run.stdout.contains("HIGH     anonymous-push"), "{}", run.stdout);
    assert_eq!(storage(&reg), before);
    drop(reg);

    // Deletion enabled: anonymous users may delete.
    let reg = start_config("audit-delete", None, false, delete, CORS);
    reg.push(&tar, "team/app:1", None, false);
    let before = storage(&reg);
    let (code, j, c) = audit(&[&format!("127.0.0.1:{}", reg.port)], None);
    assert_eq!(code, 9);
    expect(&c, &[("anonymous-delete", "finding", "high")], &j);
    assert_eq!(storage(&reg), before, "the delete probe changed the storage");
    drop(reg);

    // Read-only (a mirror): no upload can start.
    let mut reg = start_config("audit-readonly", None, false, "", CORS);
    reg.push(&tar, "team/app:1", None, false);
    reg.restart_with_storage(readonly);
    let before = storage(&reg);
    let (code, j, c) = audit(
        &[&format!("127.0.0.1:{}", reg.port), "--repo", "team/app", "--public"],
        None,
    );
    assert_eq!(code, 0, "{j}");
    expect(
        &c,
        &[("anonymous-push", "pass", "info"), ("anonymous-delete", "pass", "info")],
        &j,
    );
    assert_eq!(storage(&reg), before);
    drop(reg);

    // htpasswd, deletion enabled: nothing anonymously; the account may do everything, and
    // deletion for authenticated users is medium.
    let reg = start_config("audit-basic", Some(("alice", "s3cret-pw")), false, delete, CORS);
    reg.push(&tar, "team/app:1", Some(("alice", "s3cret-pw")), false);
    let before = storage(&reg);
    let host = format!("127.0.0.1:{}", reg.port);
    let (code, j, c) = audit(&[&host], None);
    assert_eq!(code, 0, "{j}");
    expect(
        &c,
        &[
            ("anonymous-catalog", "pass", "info"),
            ("anonymous-pull", "not_run", "info"),
            ("anonymous-push", "not_run", "info"),
        ],
        &j,
    );
    let pull = j["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "anonymous-pull")
        .unwrap();
    assert!(pull["summary"].as_str().unwrap().contains("--repo"));
    let (code, j, c) = audit(&[&host, "--username", "alice", "--password-stdin"], Some("s3cret-pw\n"));
    assert_eq!(code, 0, "{j}");
    expect(
        &c,
        &[
            ("anonymous-pull", "pass", "info"),
            ("anonymous-push", "pass", "info"),
            ("anonymous-delete", "pass", "info"),
            ("account-catalog", "finding", "info"),
            ("account-pull", "finding", "info"),
            ("account-push", "finding", "info"),
            ("account-delete", "finding", "medium"),
        ],
        &j,
    );
    assert!(!j.to_string().contains("s3cret-pw"), "the password is in the audit");
    let (code, _, _) = audit(
        &[&host, "--username", "alice", "--password-stdin", "--fail-on", "medium"],
        Some("s3cret-pw\n"),
    );
    assert_eq!(code, 9);
    assert_eq!(storage(&reg), before);
    drop(reg);

    // CORS that opens credentialed reads to every site.
    let headers = "  headers:\n    Access-Control-Allow-Origin: ['*']\n    Access-Control-Allow-Credentials: [true]\n";
    let reg = start_config("audit-cors", None, false, "", headers);
    let (_, j, c) = audit(&[&format!("127.0.0.1:{}", reg.port), "--public"], None);
    expect(&c, &[("cors", "finding", "medium")], &j);
    drop(reg);

    // Not a registry, and nothing at all: exit 2, and why.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(4) {
            use std::io::{Read as _, Write as _};
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let run = support::porthole(&["audit", &format!("127.0.0.1:{port}")], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("does not answer as a registry"), "{}", run.stderr);
    let run = support::porthole(&["audit", &format!("127.0.0.1:{}", support::free_port())], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let _ = std::fs::remove_file(tar);
}

/// docs/fleet.md's one-machine fan-out, run verbatim against the test registry: `porthole ls
/// --references` lists every tag of every repository pinned to its digest, `xargs -P` inspects
/// them, one JSON report per tag, each verified.
#[test]
fn the_fleet_fan_out_of_the_docs_inspects_every_tag() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fleet.md")).unwrap();
    let block = doc
        .split("<!-- fleet-local -->")
        .nth(1)
        .and_then(|b| b.split("<!-- /fleet-local -->").next())
        .unwrap();
    let script = block.trim().trim_start_matches("```sh").trim_end_matches("```");
    let img = fixture::sample("x", Compress::Gzip);
    let (manifest, blobs) = img.oci_manifest();
    let reg = start("fleet", None);
    let mut want = Vec::new();
    for repo in ["team/api", "team/web", "base"] {
        for b in &blobs {
            upload_blob(&reg, repo, b);
        }
        for tag in ["1", "2"] {
            put_manifest(&reg, repo, tag, porthole::image::manifest::OCI_MANIFEST, &manifest);
            want.push(format!("127.0.0.1:{}/{repo}:{tag}", reg.port));
        }
    }
    let dir = reg.dir.join("fleet");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_porthole"))
        .parent()
        .unwrap()
        .to_path_buf();
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(&dir)
        .env("REGISTRY", format!("127.0.0.1:{}", reg.port))
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()),
        )
        .env("DOCKER_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let work = std::fs::read_to_string(dir.join("work.txt")).unwrap();
    let digest = porthole::digest::Digest::of(&manifest);
    let listed: Vec<&str> = work.lines().collect();
    assert_eq!(listed.len(), want.len(), "{work}");
    for w in &want {
        assert!(
            listed.contains(&format!("{w}@{digest}").as_str()),
            "{w} missing from {work}"
        );
    }
    let reports: Vec<_> = std::fs::read_dir(dir.join("reports")).unwrap().flatten().collect();
    assert_eq!(reports.len(), want.len());
    for r in reports {
        let j: serde_json::Value = serde_json::from_slice(&std::fs::read(r.path()).unwrap()).unwrap();
        assert_eq!(j["images"][0]["verified"], true, "{}", r.path().display());
        assert_eq!(j["images"][0]["manifest_digest"], digest.as_str());
    }
}
