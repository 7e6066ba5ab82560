//! The Bearer token flow against the real CNCF distribution registry (Debian's
//! `docker-registry`) configured with `auth: token`, so the registry itself validates the
//! tokens (ES256 signature, x5c chain against `rootcertbundle`, issuer, audience, expiry,
//! access claims). The tokens come from `tests/token_issuer.py` (python3 + python3-cryptography),
//! images are pushed by the real `skopeo`, and the CLI is run as a user would.

mod support;
use porthole::fixture::{self, Compress};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SERVICE: &str = "porthole-test";
const ISSUER: &str = "porthole-test-issuer";
const USER: &str = "alice";
/// Distinctive, so that finding it anywhere in the output is meaningful.
const PASSWORD: &str = "pw-Zq81-s3cret";
/// A valid account that the token service grants only anonymous access.
const GUEST: &str = "bob";
const GUEST_PASSWORD: &str = "bob-Kx42-pass";
/// How many token requests one CLI run may make (a ping challenge, a scope challenge, and
/// one spare): more means a retry loop.
const MAX_TOKEN_REQUESTS: usize = 3;

fn need_python_cryptography() {
    support::need("python3");
    let ok = Command::new("python3")
        .args(["-c", "import cryptography.x509"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "python3 cannot import the cryptography module, which tests/token_issuer.py needs: \
         apt-get install python3-cryptography"
    );
}

/// A token issuer and a registry that trusts it, in one temp dir.
struct Env {
    issuer: Child,
    registry: Child,
    /// The registry's port.
    port: u16,
    issuer_port: u16,
    dir: PathBuf,
}

impl Drop for Env {
    fn drop(&mut self) {
        for c in [&mut self.registry, &mut self.issuer] {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts `tests/token_issuer.py` (it picks its port and says `ready PORT`), then a registry
/// whose `auth: token` points at it.
fn start(name: &str) -> Env {
    start_with(name, &[])
}

/// [`start`] with extra arguments for the issuer.
fn start_with(name: &str, issuer_args: &[&str]) -> Env {
    need_python_cryptography();
    support::need("docker-registry");
    let dir = std::env::temp_dir().join(format!("porthole-regtoken-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/token_issuer.py");
    let mut issuer = Command::new("python3")
        .arg(script)
        .args(["--port", "0", "--dir"])
        .arg(&dir)
        .args(["--user", USER, "--password", PASSWORD, "--issuer", ISSUER])
        .arg(format!("--guest={GUEST}:{GUEST_PASSWORD}"))
        .args(issuer_args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("issuer.err")).unwrap())
        .spawn()
        .unwrap();
    let stdout = issuer.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let issuer_port: u16 = match line.trim().strip_prefix("ready ").and_then(|p| p.parse().ok()) {
        Some(p) => p,
        None => {
            let _ = issuer.kill();
            let _ = issuer.wait();
            panic!(
                "the token issuer did not start (said {line:?}): {}",
                std::fs::read_to_string(dir.join("issuer.err")).unwrap_or_default()
            );
        }
    };
    assert!(dir.join("root.pem").exists(), "the issuer wrote no root.pem");

    let port = support::free_port();
    let config = format!(
        "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {data}\n\
auth:\n  token:\n    realm: http://127.0.0.1:{issuer_port}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {root}\n\
http:\n  addr: 127.0.0.1:{port}\n  headers:\n    Access-Control-Allow-Origin: ['*']\n",
        data = dir.join("data").display(),
        root = dir.join("root.pem").display(),
    );
    std::fs::write(dir.join("config.yml"), config).unwrap();
    let registry = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("registry.log")).unwrap())
        .spawn()
        .unwrap();
    let env = Env {
        issuer,
        registry,
        port,
        issuer_port,
        dir,
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the registry did not start: {}",
            env.registry_log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    env
}

impl Env {
    fn push(&self, archive: &Path, name: &str) {
        support::need("skopeo");
        let out = Command::new("skopeo")
            .args(["copy", "-q", "--dest-tls-verify=false"])
            .arg(format!("--dest-creds={USER}:{PASSWORD}"))
            .arg(format!("oci-archive:{}", archive.display()))
            .arg(format!("docker://127.0.0.1:{}/{name}", self.port))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo push of {name} failed: {}\nregistry log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.registry_log()
        );
    }

    /// Pushes the fixture sample image (written into the env's dir, removed with it) as `name`.
    fn push_sample(&self, name: &str) {
        let tar = self.dir.join("sample.tar");
        if !tar.exists() {
            std::fs::write(
                &tar,
                fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
            )
            .unwrap();
        }
        self.push(&tar, name);
    }

    fn reference(&self, name: &str) -> String {
        format!("127.0.0.1:{}/{name}", self.port)
    }

    /// The last lines of the registry's log (why it refused a token, say).
    fn registry_log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// The issuer's request log, one JSON object a request.
    fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("requests.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Runs the CLI and returns what it did plus the token requests it made.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let before = self.requests().len();
        let (code, json, stdout, stderr) = cli(args, stdin);
        let tokens: Vec<serde_json::Value> = self.requests().split_off(before);
        let run = Run {
            code,
            json,
            stdout,
            stderr,
            tokens,
        };
        assert!(
            run.tokens.len() <= MAX_TOKEN_REQUESTS,
            "{} token requests in one run (a retry loop?): {:#?}",
            run.tokens.len(),
            run.tokens
        );
        for secret in [PASSWORD, GUEST_PASSWORD, "wrong-pw-Yt7"] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "a password reached the output:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
        run
    }
}

struct Run {
    code: i32,
    json: serde_json::Value,
    stdout: String,
    stderr: String,
    /// The issuer's log entries written during the run.
    tokens: Vec<serde_json::Value>,
}

impl Run {
    fn context(&self) -> String {
        format!(
            "exit {}\nstderr: {}\ntoken requests: {:#?}",
            self.code, self.stderr, self.tokens
        )
    }
    /// Every token request of the run was made as `auth` ("anonymous", "basic:alice", …) for
    /// `scope`, to our service, with a GET.
    fn assert_token_requests(&self, auth: &str, scope: &str) {
        assert!(!self.tokens.is_empty(), "no token request: {}", self.context());
        for t in &self.tokens {
            assert_eq!(t["method"], "GET", "{}", self.context());
            assert_eq!(t["auth"], auth, "{}", self.context());
            assert_eq!(t["service"], SERVICE, "{}", self.context());
            assert_eq!(t["scope"], serde_json::json!([scope]), "{}", self.context());
        }
    }
}

fn cli(args: &[&str], stdin: Option<&str>) -> (i32, serde_json::Value, String, String) {
    let r = support::porthole(args, stdin);
    (r.code, r.json, r.stdout, r.stderr)
}

/// A bare HTTP/1.0 request (for talking to the issuer directly): status line, headers, body.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn assert_verified(run: &Run) {
    assert_eq!(run.code, 0, "{}", run.context());
    let img = &run.json["images"][0];
    assert_eq!(img["verified"], true, "{}", run.context());
    assert!(img["manifest_digest"].as_str().unwrap_or("").starts_with("sha256:"));
    assert_eq!(run.json["source"]["kind"], "registry");
}

#[test]
fn anonymous_pull_of_a_public_repository_goes_through_the_token_flow() {
    let env = start("public");
    env.push_sample("public/app:1");
    let r = env.reference("public/app:1");

    // The registry refuses a request without a token (so the flow below is really needed).
    let (status, _, _) = http(env.port, "GET", "/v2/public/app/manifests/1", &[]);
    assert_eq!(status, 401);

    let run = env.run(&["inspect", &r, "--json"], None);
    assert_verified(&run);
    run.assert_token_requests("anonymous", "repository:public/app:pull");
    assert_eq!(
        run.tokens.len(),
        1,
        "one token serves the ping and the pulls: {}",
        run.context()
    );

    // The same image given a user with access: the token request carries the credentials.
    let run = env.run(
        &["inspect", &r, "--json", "--username", USER, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_verified(&run);
    run.assert_token_requests("basic:alice", "repository:public/app:pull");
}

#[test]
fn a_private_repository_needs_the_right_credentials() {
    let env = start("private");
    env.push_sample("private/app:1");
    let r = env.reference("private/app:1");

    // Anonymous: the issuer hands out a token without access; the registry refuses it.
    let run = env.run(&["inspect", &r], None);
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(run.stderr.contains("requires credentials"), "{}", run.context());
    run.assert_token_requests("anonymous", "repository:private/app:pull");

    // The right password on stdin.
    let run = env.run(
        &["inspect", &r, "--json", "--username", USER, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_verified(&run);
    run.assert_token_requests("basic:alice", "repository:private/app:pull");
    assert_eq!(run.tokens.len(), 1, "{}", run.context());
    assert!(!run.json.to_string().contains(PASSWORD));

    // A wrong password: the token service answers 401.
    let run = env.run(
        &["inspect", &r, "--username", USER, "--password-stdin"],
        Some("wrong-pw-Yt7\n"),
    );
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(run.stderr.contains("rejected the credentials"), "{}", run.context());
    run.assert_token_requests("bad-credentials", "repository:private/app:pull");
    assert_eq!(run.tokens.len(), 1, "{}", run.context());

    // A pull by digest with the right password works the same way.
    let (_, by_tag, _, _) = cli(
        &["inspect", &r, "--json", "--username", USER, "--password-stdin"],
        Some(PASSWORD),
    );
    let digest = by_tag["images"][0]["manifest_digest"].as_str().unwrap().to_string();
    let run = env.run(
        &[
            "inspect",
            &env.reference(&format!("private/app@{digest}")),
            "--json",
            "--username",
            USER,
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert_verified(&run);
    assert_eq!(run.json["images"][0]["manifest_digest"], digest.as_str());
}

#[test]
fn a_token_given_as_the_password_is_sent_as_is() {
    let env = start("rawtoken");
    env.push_sample("private/app:1");
    let basic = {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
        )
    };
    let (status, _, body) = http(
        env.issuer_port,
        "GET",
        &format!("/token?service={SERVICE}&scope=repository:private/app:pull"),
        &[("Authorization", &basic)],
    );
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // No --username: the password is a bearer token, used without asking the issuer.
    let run = env.run(
        &["inspect", &env.reference("private/app:1"), "--json", "--password-stdin"],
        Some(&token),
    );
    assert_verified(&run);
    assert!(run.tokens.is_empty(), "{}", run.context());
    assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token));
}

#[test]
fn tokens_the_registry_refuses_end_the_run_without_a_retry_loop() {
    // Every token is already expired (past the registry's 60 s leeway): the registry refuses
    // each one, so a client that retried on every 401 would spin.
    let env = start_with("expired", &["--expires-in=-600"]);
    let (status, _, body) = http(
        env.issuer_port,
        "GET",
        &format!("/token?service={SERVICE}&scope=repository:public/app:pull"),
        &[],
    );
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, _) = http(
        env.port,
        "GET",
        "/v2/",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(status, 401, "the registry must refuse an expired token");

    let run = env.run(&["inspect", &env.reference("public/app:1")], None);
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(run.stderr.contains("401"), "{}", run.context());
    run.assert_token_requests("anonymous", "repository:public/app:pull");
    let run = env.run(
        &[
            "inspect",
            &env.reference("private/app:1"),
            "--username",
            USER,
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert_eq!(run.code, 2, "{}", run.context());
    run.assert_token_requests("basic:alice", "repository:private/app:pull");
}

#[test]
fn credentials_from_the_docker_config_file_reach_the_token_service() {
    let env = start("dockercfg");
    env.push_sample("private/app:1");
    let cfg = env.dir.join("docker-config");
    std::fs::create_dir_all(&cfg).unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{auth}"}}}}}}"#, env.port),
    )
    .unwrap();
    let before = env.requests().len();
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["inspect", &env.reference("private/app:1"), "--json"])
        .env("DOCKER_CONFIG", &cfg)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let tokens = env.requests().split_off(before);
    assert_eq!(tokens.len(), 1, "{tokens:#?}");
    assert_eq!(tokens[0]["auth"], "basic:alice");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD) && !stderr.contains(PASSWORD));
}

#[test]
fn valid_credentials_without_access_are_not_called_wrong() {
    let env = start("noaccess");
    env.push_sample("private/app:1");
    // bob's password is right (the issuer gives him a token), but the token grants no pull
    // on private/app: the registry answers 401 with error="insufficient_scope".
    let run = env.run(
        &[
            "inspect",
            &env.reference("private/app:1"),
            "--username",
            GUEST,
            "--password-stdin",
        ],
        Some(GUEST_PASSWORD),
    );
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(run.tokens.iter().all(|t| t["status"] == 200), "{}", run.context());
    assert!(
        !run.stderr.contains("rejected the credentials"),
        "the token service accepted the credentials; the account lacks pull access: {}",
        run.context()
    );
    assert!(
        run.stderr.contains("private/app") && (run.stderr.contains("access") || run.stderr.contains("permission")),
        "{}",
        run.context()
    );
}

#[test]
fn the_issuer_answers_cors_preflights_and_refuses_wrong_credentials() {
    let env = start("issuer");
    let port = env.issuer_port;
    let (status, head, _) = http(port, "OPTIONS", "/token", &[]);
    assert_eq!(status, 204, "{head}");
    assert!(head.contains("Access-Control-Allow-Origin: *"), "{head}");
    assert!(head.contains("Access-Control-Allow-Headers: Authorization"), "{head}");
    let (status, head, _) = http(
        port,
        "GET",
        &format!("/token?service={SERVICE}&scope=repository:private/app:pull"),
        &[("Authorization", "Basic YWxpY2U6bm9wZQ==")],
    );
    assert_eq!(status, 401, "{head}");
    assert!(head.contains("Access-Control-Allow-Origin: *"), "{head}");
    let log = env.requests();
    assert_eq!(log[0]["method"], "OPTIONS");
    assert_eq!(log[1]["auth"], "bad-credentials");
    assert!(
        !std::fs::read_to_string(env.dir.join("requests.log"))
            .unwrap()
            .contains(PASSWORD)
    );
}

/// `porthole ls` through the token flow: the catalog needs `registry:catalog:*`, which this
/// issuer grants the full account only (anonymous and guest listings are refused, with what
/// to do instead); a public repository's tags list anonymously with its pull scope, and one
/// token serves the listing and every tag's HEAD.
#[test]
fn ls_asks_for_the_catalog_scope_and_a_refused_catalog_says_what_to_do() {
    let env = start("ls");
    env.push_sample("public/app:1");
    env.push_sample("private/app:2");
    let host = format!("127.0.0.1:{}", env.port);

    let run = env.run(&["ls", &host], None);
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(
        run.stderr.contains("refuses to list its repositories"),
        "{}",
        run.context()
    );
    assert!(run.stderr.contains("porthole ls"), "{}", run.context());
    run.assert_token_requests("anonymous", "registry:catalog:*");

    let run = env.run(
        &["ls", &host, "--json", "--username", USER, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        run.json["repositories"],
        serde_json::json!(["private/app", "public/app"])
    );
    run.assert_token_requests("basic:alice", "registry:catalog:*");

    let run = env.run(&["ls", &env.reference("public/app"), "--json"], None);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(run.json["tags"][0]["tag"], "1");
    assert!(run.json["tags"][0]["digest"].as_str().unwrap().starts_with("sha256:"));
    run.assert_token_requests("anonymous", "repository:public/app:pull");
    assert_eq!(
        run.tokens.len(),
        1,
        "one token for the list and the HEADs: {}",
        run.context()
    );

    let run = env.run(&["ls", &env.reference("private/app")], None);
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(
        run.stderr.contains("refuses to list the tags of private/app"),
        "{}",
        run.context()
    );
}

/// An audit check's (outcome, severity).
fn outcome(audit: &serde_json::Value, id: &str) -> (String, String) {
    let c = audit["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    (
        c["outcome"].as_str().unwrap().to_string(),
        c["severity"].as_str().unwrap().to_string(),
    )
}

/// `porthole audit` through the token flow: the issuer gives anonymous users pull on public/…
/// only and the catalog to the full account only, so anonymously the catalog is refused and a
/// public repository pulls (high, as the registry is not declared public); with the account,
/// pushing is allowed and deleting is not (the issuer grants no `delete`). The password never
/// appears in the audit.
#[test]
fn audit_through_the_token_flow() {
    let env = start("audit");
    env.push_sample("public/app:1");
    let host = format!("127.0.0.1:{}", env.port);
    // `cli`, not `env.run`: an audit asks a token for each scope it probes, as each identity.
    let (code, json, _, err) = cli(
        &["audit", &host, "--json", "--repo", "public/app", "--rate", "200"],
        None,
    );
    assert_eq!(code, 9, "{err}");
    assert_eq!(outcome(&json, "anonymous-catalog"), ("pass".into(), "info".into()));
    assert_eq!(outcome(&json, "anonymous-pull"), ("finding".into(), "high".into()));
    assert_eq!(outcome(&json, "anonymous-push"), ("pass".into(), "info".into()));
    let (code, json, stdout, err) = cli(
        &[
            "audit",
            &host,
            "--json",
            "--repo",
            "public/app",
            "--rate",
            "200",
            "--public",
            "--username",
            USER,
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(outcome(&json, "account-catalog"), ("finding".into(), "info".into()));
    assert_eq!(outcome(&json, "account-push"), ("finding".into(), "info".into()));
    assert_eq!(outcome(&json, "account-delete").0, "pass");
    assert!(!stdout.contains(PASSWORD) && !err.contains(PASSWORD));
}
