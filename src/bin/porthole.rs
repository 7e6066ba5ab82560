//! The `porthole` CLI: arguments → core → output. See `porthole inspect --help`.

use clap::{Parser, Subcommand};
use porthole::digest::Digest;
use porthole::image::Platform;
use porthole::inspect::{Observer, Options};
use porthole::report::{CheckStatus, Report};
use porthole::scan::secrets::Severity;
use porthole::source::registry::{Credentials, Reference};
use porthole::vuln::{Rating, VulnDb};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints to stdout, ignoring a closed pipe (`porthole … | head` must not panic). Control
/// characters other than newline and tab (escape sequences from an image's names, labels or
/// commands) are written as `\x{1b}`: nothing an image holds can drive the terminal.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($t)*);
        let _ = writeln!(std::io::stdout().lock(), "{}", terminal_safe(&line));
    }};
}

/// `text` with its control characters but newline and tab escaped (`\x{1b}`).
fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\x{{{:02x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[derive(Parser)]
#[command(
    name = "porthole",
    version,
    about = "Look inside container images, verify them, and report what they hold"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect an image tarball (docker save, OCI archive, gzipped or not), an OCI layout
    /// directory, `-` for standard input, or an image in a registry
    /// (`host[:port]/repo[:tag|@sha256:…]`, Docker Hub short names like `alpine`).
    ///
    /// Exit codes: 0 ok; 1 usage error; 2 no image could be described; 3 integrity failure;
    /// 4 the report is incomplete (a limit was hit or part of the image could not be read);
    /// 7 --require-signature and no signature verifies and binds; 6 a vulnerability at or
    /// above --fail-on-vuln was found; 5 a secret at or above --fail-on-secrets was found; 8 a
    /// best-practice finding at or above --fail-on-check applies (the first that applies, in
    /// this order).
    Inspect {
        #[command(flatten)]
        input: Input,
        /// Include every version of every file in the report.
        #[arg(long)]
        files: bool,
        /// Print the JSON report instead of a summary.
        #[arg(long)]
        json: bool,
        /// Exit 5 when a secret at or above this severity (low, medium, high, critical) is
        /// found; without a value, high.
        #[arg(long, value_name = "SEVERITY", num_args = 0..=1, default_missing_value = "high")]
        fail_on_secrets: Option<String>,
        /// Exit 6 when a vulnerability at or above this severity (low, medium, high,
        /// critical) is found (needs --vuln-db); without a value, any severity.
        #[arg(long, value_name = "SEVERITY", num_args = 0..=1, default_missing_value = "unknown")]
        fail_on_vuln: Option<String>,
        /// Exit 8 when a best-practice finding (or malware indicator) at or above this severity
        /// (low, medium, high, critical) applies and is not ignored; without a value, high.
        #[arg(long, value_name = "SEVERITY", num_args = 0..=1, default_missing_value = "high")]
        fail_on_check: Option<String>,
        /// Also write the vulnerabilities, secrets and best-practice findings as SARIF 2.1.0
        /// (code-scanning dashboards) to this file.
        #[arg(long, value_name = "FILE")]
        sarif: Option<PathBuf>,
        /// Exit 7 unless a signature verifies (against a --key, a --trust-store root, or the
        /// --trusted-root and the identity policy) and signs the manifest digest porthole verified.
        #[arg(long)]
        require_signature: bool,
    },
    /// Look packages up in vulnerability databases without an image: package URLs as
    /// arguments, or osv.dev `querybatch` JSON with --queries. `--json` answers like
    /// osv.dev's /v1/querybatch: one result per query, in order.
    Vulns {
        /// An OSV database: osv.dev's export directory, a zip, or JSON files (repeatable;
        /// PORTHOLE_VULN_DB names a default).
        #[arg(long = "db", value_name = "PATH")]
        db: Vec<PathBuf>,
        /// A file (or `-` for stdin) of {"queries":[{"package":{"ecosystem","name"} or
        /// {"purl"},"version"}]}.
        #[arg(long, value_name = "FILE")]
        queries: Option<PathBuf>,
        /// Package URLs with versions (pkg:pypi/requests@2.31.0).
        purls: Vec<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Vulnerability databases: `porthole db index DIR` reads the OSV database in DIR once and
    /// writes its index beside it (porthole-index.bin), so that `--vuln-db DIR` and the page
    /// load the index instead of reading every record again.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// List a registry's repositories (`porthole ls HOST[:PORT]`, from its catalog) or a
    /// repository's tags with their digests (`porthole ls HOST[:PORT]/REPO`), every page.
    /// Sends GET and HEAD requests only.
    ///
    /// Exit codes: 0 listed; 1 usage error; 2 the registry could not be listed (unreachable,
    /// refused, no catalog).
    Ls {
        /// The registry, or registry/repository (`http://` or `https://` may lead).
        target: String,
        /// Print JSON: {"registry", "repositories"} or {"registry", "repository", "tags": [{"tag",
        /// "digest", "media_type", "platforms", "described_platform", "size", "created",
        /// "labels", "error"}]}.
        #[arg(long)]
        json: bool,
        /// For each tag, also read its manifest and config (checked against their digests):
        /// the platforms of an index, the compressed size, the creation time and the labels.
        #[arg(long)]
        details: bool,
        /// Print every tag of the repository — or of every repository in the catalog — as an
        /// image reference pinned to its digest (`host/repo:tag@sha256:…`), one per line: the
        /// work list for `porthole inspect` fan-outs (docs/fleet.md).
        #[arg(long)]
        references: bool,
        /// Names asked for per page (at most 1000, the default).
        #[arg(long, default_value_t = 1000)]
        page_size: usize,
        #[command(flatten)]
        access: RegistryAccess,
    },
    /// Audit a registry's exposure without changing it: what an anonymous user — and the
    /// account given — can list, pull, push and delete; credentials in clear; what it
    /// discloses; CORS. Sends GET, HEAD and OPTIONS, and two probes only: an upload started and
    /// at once cancelled, and a DELETE of a manifest digest that cannot exist.
    ///
    /// Exit codes: 0 nothing at or above --fail-on; 1 usage error; 2 the registry could not be
    /// audited (unreachable, not a registry); 9 a finding at or above --fail-on.
    Audit {
        /// The registry (`host[:port]`, `http://` or `https://` may lead), or `host/repo` to
        /// probe that repository.
        target: String,
        /// A repository to probe (repeatable; default: the first three the catalog lists).
        #[arg(long = "repo", value_name = "REPO")]
        repos: Vec<String>,
        /// The registry is meant to be public: anonymous listing and pulls are info, not high.
        #[arg(long)]
        public: bool,
        /// Print the audit as JSON (docs/audit.schema.json).
        #[arg(long)]
        json: bool,
        /// Exit 9 when a finding is at or above this severity (info, low, medium, high).
        #[arg(long, value_name = "SEVERITY", default_value = "high")]
        fail_on: String,
        /// Requests per second at most.
        #[arg(long, default_value_t = 10.0)]
        rate: f64,
        #[command(flatten)]
        access: RegistryAccess,
    },
    /// Write a software bill of materials (SPDX 2.3 or CycloneDX 1.6 JSON) of an image's
    /// packages. Takes the same inputs and options as `inspect`; exit codes as `inspect`.
    Sbom {
        #[command(flatten)]
        input: Input,
        /// spdx-json or cyclonedx-json.
        #[arg(long, default_value = "spdx-json")]
        format: String,
    },
    /// Compare two images (each a tarball, layout directory, `-` or registry reference): config,
    /// layers, files by content, packages, secrets, and vulnerabilities with --vuln-db. How an
    /// image is packaged never counts. The options apply to both inputs.
    ///
    /// Exit codes as diff(1): 0 equal; 1 different; 2 trouble (an input could not be read
    /// whole or failed verification — it is still compared where possible — or a usage error).
    Diff {
        #[command(flatten)]
        input: Input,
        /// The second image (B; the first is A).
        other: PathBuf,
        /// Also leave out what differs between two builds of the same source (file and config
        /// timestamps, history, file order, layer boundaries): "is this the same build?".
        #[arg(long)]
        semantic: bool,
        /// Print the comparison as JSON (docs/diff.md).
        #[arg(long)]
        json: bool,
    },
}

/// How to reach a registry (for `inspect`, `ls` and `audit`).
#[derive(clap::Args)]
struct RegistryAccess {
    /// Registry user name (the password or token is read from stdin with --password-stdin).
    #[arg(long)]
    username: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Extra CA certificates (PEM) to trust for the registry.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Do not verify the registry's TLS certificate.
    #[arg(long)]
    insecure: bool,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Index the database in DIR (osv.dev's <Ecosystem>/all.zip layout, zips or JSON files)
    /// into DIR/porthole-index.bin; run it again whenever the files change.
    Index {
        /// The database directory.
        dir: PathBuf,
    },
}

/// Where the image comes from and how to read it (shared by every command).
#[derive(clap::Args)]
struct Input {
    /// The file, directory, `-` for stdin, or an image reference.
    path: PathBuf,
    /// Platform to pick from a multi-platform index: os/arch[/variant].
    #[arg(long)]
    platform: Option<String>,
    /// The manifest or config digest you trust (sha256:…); anything else exits 3.
    #[arg(long)]
    expect_digest: Option<String>,
    /// Largest decompressed size of one layer, in bytes.
    #[arg(long)]
    max_layer_bytes: Option<u64>,
    #[command(flatten)]
    access: RegistryAccess,
    /// Ignore secret findings of this rule id (repeatable).
    #[arg(long, value_name = "RULE")]
    allow_secret_rule: Vec<String>,
    /// Ignore secret findings in files matching this glob (`*`, `**`, `?`; repeatable).
    #[arg(long, value_name = "GLOB")]
    allow_secret_path: Vec<String>,
    /// Bytes of each file scanned for secrets (default 1048576; 0 turns the file scan off).
    #[arg(long, value_name = "BYTES")]
    scan_file_bytes: Option<u64>,
    /// Threads that process layers (default: the machine's cores, at most 8; 1 = sequential).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Match the packages against this OSV vulnerability database: osv.dev's export
    /// directory (`<Ecosystem>/all.zip`), a zip or a JSON file (repeatable; PORTHOLE_VULN_DB
    /// names a default, several separated by `:`).
    #[arg(long, value_name = "PATH")]
    vuln_db: Vec<PathBuf>,
    /// Report only vulnerabilities with a known fix.
    #[arg(long)]
    only_fixed: bool,
    /// Accepted findings: one id (an advisory or an alias such as a CVE, or a best-practice
    /// rule such as CIS-DI-0001) per line, optionally followed by a path glob; `#` comments.
    /// Suppressions are counted in the report.
    #[arg(long, value_name = "FILE")]
    ignore: Option<PathBuf>,
    /// OpenVEX documents whose `not_affected` statements suppress matches (repeatable).
    #[arg(long, value_name = "FILE")]
    vex: Vec<PathBuf>,
    /// How many of the first layers are the base image's: vulnerabilities are counted as the
    /// base's or the image's own.
    #[arg(long, value_name = "N")]
    base_layers: Option<usize>,
    /// A public key (PEM, as `cosign generate-key-pair` writes cosign.pub) that signatures are
    /// verified against: ECDSA P-256/P-384, RSA or Ed25519 (repeatable).
    #[arg(long, value_name = "FILE")]
    key: Vec<PathBuf>,
    /// Root certificates (PEM) that Notation signatures must chain to (repeatable).
    #[arg(long, value_name = "FILE")]
    trust_store: Vec<PathBuf>,
    /// Sigstore's trusted_root.json (Fulcio authorities, Rekor logs) that Sigstore bundles are
    /// verified against.
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// The identity (certificate SAN: e-mail or URI) a keyless signature must come from.
    #[arg(long, value_name = "SAN", conflicts_with = "certificate_identity_regexp")]
    certificate_identity: Option<String>,
    /// The same, as a regular expression matching the whole SAN.
    #[arg(long, value_name = "REGEX")]
    certificate_identity_regexp: Option<String>,
    /// The OIDC issuer a keyless signature's certificate must name.
    #[arg(long, value_name = "URL", conflicts_with = "certificate_oidc_issuer_regexp")]
    certificate_oidc_issuer: Option<String>,
    /// The same, as a regular expression matching the whole issuer.
    #[arg(long, value_name = "REGEX")]
    certificate_oidc_issuer_regexp: Option<String>,
    /// Sets a safety limit, e.g. `--limit layer_entries=100000 --limit json_bytes=4M`
    /// (repeatable; `--limit help` lists every limit with its default).
    #[arg(long, value_name = "NAME=SIZE")]
    limit: Vec<String>,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("porthole: {msg}");
    ExitCode::from(1)
}

/// Shows progress on stderr for big inputs when stderr is a terminal.
struct Progress {
    done: u64,
    last: u64,
    total: u64,
    on: bool,
}

impl Observer for Progress {
    fn bytes(&mut self, n: u64) {
        self.done += n;
        if self.on && self.done - self.last >= 64 << 20 {
            self.last = self.done;
            eprint!("\r{} / {} MB", self.done >> 20, self.total >> 20);
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // diff(1)'s convention for `porthole diff`: trouble, usage included, is 2.
            let usage_code = if std::env::args().nth(1).as_deref() == Some("diff") {
                2
            } else {
                1
            };
            let code = if e.use_stderr() { usage_code } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Audit {
            target,
            repos,
            public,
            json,
            fail_on,
            rate,
            access,
        } => audit(&target, repos, public, json, &fail_on, rate, access),
        Command::Ls {
            target,
            json,
            details,
            references,
            page_size,
            access,
        } => {
            if references {
                ls_references(&target, json, page_size, access)
            } else {
                ls(&target, json, details, page_size, access)
            }
        }
        Command::Inspect {
            input,
            files,
            json,
            fail_on_secrets,
            fail_on_vuln,
            fail_on_check,
            sarif,
            require_signature,
        } => {
            let fail_on_check = match fail_on_check.as_deref().map(Severity::parse) {
                None => None,
                Some(Some(s)) => Some(s),
                Some(None) => return usage("--fail-on-check takes low, medium, high or critical"),
            };
            let fail_on_secrets = match fail_on_secrets.as_deref().map(Severity::parse) {
                None => None,
                Some(Some(s)) => Some(s),
                Some(None) => return usage("--fail-on-secrets takes low, medium, high or critical"),
            };
            let fail_on_vuln = match fail_on_vuln.as_deref().map(Rating::parse) {
                None => None,
                Some(Some(r)) => Some(r),
                Some(None) => return usage("--fail-on-vuln takes low, medium, high or critical"),
            };
            let has_db =
                !input.vuln_db.is_empty() || std::env::var_os("PORTHOLE_VULN_DB").is_some_and(|v| !v.is_empty());
            if fail_on_vuln.is_some() && !has_db {
                return usage("--fail-on-vuln needs a vulnerability database (--vuln-db or PORTHOLE_VULN_DB)");
            }
            let report = match read_image(input, files, !json) {
                Ok(r) => r,
                Err(code) => return code,
            };
            print_errors(&report);
            if let Some(path) = &sarif
                && let Err(e) = std::fs::write(path, porthole::report::sarif::write(&report) + "\n")
            {
                eprintln!("porthole: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            if json {
                if !report.images.is_empty() {
                    out!("{}", report.to_json());
                }
            } else {
                print_summary(&report);
            }
            let code = match report.exit_code() {
                0 if require_signature && !report.signature_verified() => {
                    for img in &report.images {
                        if let Some(t) = &img.trust {
                            eprintln!(
                                "porthole: --require-signature: {}: {}",
                                img.name.as_deref().unwrap_or("(unnamed)"),
                                t.summary
                            );
                        }
                    }
                    7
                }
                0 if fail_on_vuln.is_some_and(|r| report.has_vulnerability_at_least(r)) => 6,
                0 if fail_on_secrets.is_some_and(|s| report.has_secret_at_least(s)) => 5,
                0 if fail_on_check.is_some_and(|s| report.has_practice_at_least(s)) => 8,
                c => c,
            };
            ExitCode::from(code as u8)
        }
        Command::Vulns {
            db,
            queries,
            purls,
            json,
        } => vulns(db, queries, purls, json),
        Command::Db {
            command: DbCommand::Index { dir },
        } => {
            if !dir.is_dir() {
                return usage(&format!("{} is not a directory", dir.display()));
            }
            match porthole::vuln::files::write_index(&dir, &mut |_, _, _| {}) {
                Ok(db) => {
                    let s = db.stats();
                    for e in &s.errors {
                        eprintln!("porthole: vulnerability database: {e}");
                    }
                    out!(
                        "{}: {} records in {} files indexed ({} skipped), index {} KiB",
                        dir.join(porthole::vuln::database::INDEX_FILE).display(),
                        s.records,
                        s.files.len(),
                        s.skipped,
                        db.save_index().len() >> 10
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("porthole: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Diff {
            input,
            other,
            semantic,
            json,
        } => diff(input, other, semantic, json),
        Command::Sbom { input, format } => {
            let Some(format) = porthole::report::sbom::Format::parse(&format) else {
                return usage("--format takes spdx-json or cyclonedx-json");
            };
            let report = match read_image(input, false, false) {
                Ok(r) => r,
                Err(code) => return code,
            };
            print_errors(&report);
            if report.images.len() > 1 {
                eprintln!(
                    "porthole: the archive holds {} images; the SBOM describes the first",
                    report.images.len()
                );
            }
            if let Some(img) = report.images.first() {
                out!(
                    "{}",
                    porthole::report::sbom::write(img, format, &porthole::report::sbom::now_rfc3339())
                );
            }
            ExitCode::from(report.exit_code() as u8)
        }
    }
}

/// `diff`'s exit code for what stopped it before comparing: as diff(1), any trouble is 2
/// (`--limit help` stays 0).
fn diff_trouble(code: ExitCode) -> ExitCode {
    if code == ExitCode::SUCCESS {
        code
    } else {
        ExitCode::from(2)
    }
}

/// `porthole diff A B`.
fn diff(input: Input, other: PathBuf, semantic: bool, json: bool) -> ExitCode {
    if input.path.as_os_str() == "-" && other.as_os_str() == "-" {
        eprintln!("porthole: only one of the two images can come from standard input");
        return ExitCode::from(2);
    }
    if input.expect_digest.is_some() {
        eprintln!("porthole: --expect-digest names one image; diff compares two (inspect each to pin it)");
        return ExitCode::from(2);
    }
    let mut reader = match Reader::new(input, false, !json) {
        Ok(r) => r,
        Err(code) => return diff_trouble(code),
    };
    reader.opts.limits.file_digests = true;
    // The password from stdin is for whichever input is a reference (one of the two may be a file).
    reader.password_for_any = true;
    let first = reader.path.clone();
    let a = match reader.open(&first) {
        Ok(a) => a,
        Err(code) => return diff_trouble(code),
    };
    let b = match reader.open(&other) {
        Ok(b) => b,
        Err(code) => return diff_trouble(code),
    };
    if reader.access.password_stdin && reader.password.is_none() {
        eprintln!("porthole: --password-stdin needs an image reference (neither input is one)");
        return ExitCode::from(2);
    }
    let mode = if semantic {
        porthole::diff::Mode::Semantic
    } else {
        porthole::diff::Mode::Exact
    };
    let (ga, gb) = (first.display().to_string(), other.display().to_string());
    let d = porthole::diff::compare(
        &porthole::diff::Input {
            given: &ga,
            inspection: &a,
        },
        &porthole::diff::Input {
            given: &gb,
            inspection: &b,
        },
        mode,
    );
    if json {
        out!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        use std::io::Write as _;
        let _ = std::io::stdout()
            .lock()
            .write_all(porthole::diff::text::render(&d).as_bytes());
    }
    ExitCode::from(d.exit_code())
}

/// `porthole vulns`: queries from a file or stdin and from purls, answered in order.
fn vulns(db: Vec<PathBuf>, queries: Option<PathBuf>, purls: Vec<String>, json: bool) -> ExitCode {
    use porthole::vuln::batch;
    let mut list = Vec::new();
    if let Some(path) = queries {
        let bytes = if path.as_os_str() == "-" {
            let mut b = Vec::new();
            if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b) {
                return usage(&format!("cannot read queries from stdin: {e}"));
            }
            b
        } else {
            match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => return usage(&format!("cannot read {}: {e}", path.display())),
            }
        };
        match batch::parse(&bytes) {
            Ok(b) => list.extend(b.queries),
            Err(e) => return usage(&format!("{}: {e}", path.display())),
        }
    }
    list.extend(batch::purl_queries(&purls));
    if list.is_empty() {
        return usage("porthole vulns needs package URLs or --queries FILE");
    }
    let db = match open_vuln_db(db, !json) {
        Ok(Some(db)) => db,
        Ok(None) => return usage("porthole vulns needs --db PATH (or PORTHOLE_VULN_DB)"),
        Err(code) => return code,
    };
    let answer = batch::answer(&db, &list);
    if json {
        out!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    for r in &answer.results {
        let what = match &r.package {
            Some(p) => format!("{} {} {}", p.ecosystem, p.name, p.version),
            None => "(not understood)".into(),
        };
        match (&r.error, r.vulns.len()) {
            (Some(e), _) => out!("{what}: {e}"),
            (None, 0) => out!("{what}: no known vulnerabilities"),
            (None, n) => {
                out!("{what}: {n}");
                for v in &r.vulns {
                    out!(
                        "  {:<8} {:<22} fixed in {:<16} {}",
                        v.severity.rating.as_str(),
                        v.id,
                        if v.fixed.is_empty() {
                            "-".to_string()
                        } else {
                            v.fixed.join(", ")
                        },
                        v.summary.as_deref().unwrap_or("").chars().take(70).collect::<String>()
                    );
                }
            }
        }
    }
    for n in &answer.notes {
        eprintln!("porthole: {n}");
    }
    ExitCode::SUCCESS
}

fn print_errors(report: &Report) {
    for e in report
        .errors
        .iter()
        .chain(report.images.iter().flat_map(|i| i.errors.iter()))
    {
        eprintln!("porthole: {}", terminal_safe(&e.to_string()));
    }
}

/// Reads the image named by `input` (file, directory, stdin or registry) into a report, or
/// the exit code for a usage or open error.
fn read_image(input: Input, files: bool, progress: bool) -> Result<Report, ExitCode> {
    let mut reader = Reader::new(input, files, progress)?;
    let path = reader.path.clone();
    Ok(reader.open(&path)?.report)
}

/// The options of one command line, ready to open its inputs (one, or `diff`'s two).
struct Reader {
    opts: Options,
    /// The first input.
    path: PathBuf,
    access: RegistryAccess,
    threads: Option<usize>,
    progress: bool,
    /// The password read from stdin, once, for every registry input.
    password: Option<Option<Credentials>>,
    /// `--password-stdin` with an input that is not a reference is not a mistake (diff: the
    /// other input may be one).
    password_for_any: bool,
}

impl Reader {
    fn new(input: Input, files: bool, progress: bool) -> Result<Reader, ExitCode> {
        let Input {
            path,
            platform,
            expect_digest,
            max_layer_bytes,
            access,
            allow_secret_rule,
            allow_secret_path,
            scan_file_bytes,
            threads,
            vuln_db,
            only_fixed,
            ignore,
            vex,
            base_layers,
            key,
            trust_store,
            trusted_root,
            certificate_identity,
            certificate_identity_regexp,
            certificate_oidc_issuer,
            certificate_oidc_issuer_regexp,
            limit,
        } = input;
        let mut opts = Options {
            files,
            ..Default::default()
        };
        if let Some(p) = platform {
            match Platform::parse(&p) {
                Some(p) => opts.platform = Some(p),
                None => return Err(usage(&format!("--platform {p:?} is not os/arch[/variant]"))),
            }
        }
        if let Some(d) = expect_digest {
            match Digest::parse(&d) {
                Ok(d) if d.is_sha256() => opts.expect_digest = Some(d),
                Ok(_) => {
                    return Err(usage(
                        "--expect-digest must be a sha256 digest (the only algorithm porthole computes)",
                    ));
                }
                Err(e) => return Err(usage(&format!("--expect-digest: {}", e.message))),
            }
        }
        if let Some(m) = max_layer_bytes {
            opts.limits.layer_uncompressed_bytes = m;
        }
        if let Some(b) = scan_file_bytes {
            opts.limits.scan_file_bytes = b;
        }
        for l in &limit {
            if l == "help" {
                let defaults = serde_json::to_value(porthole::Limits::default()).unwrap_or_default();
                println!("Limits (--limit NAME=SIZE; sizes take K, M, G suffixes, binary):");
                for (name, what) in porthole::limits::LIMITS {
                    println!("  {name:26} {:>14}  {what}", defaults[name]);
                }
                return Err(ExitCode::SUCCESS);
            }
            let Some((name, value)) = l.split_once('=') else {
                return Err(usage(&format!(
                    "--limit takes NAME=SIZE, not {l:?} (--limit help lists them)"
                )));
            };
            if let Err(e) = opts.limits.set(name.trim(), value) {
                return Err(usage(&format!("--limit {l}: {e}")));
            }
        }
        opts.secret_allow = porthole::scan::secrets::AllowList {
            rules: allow_secret_rule,
            paths: allow_secret_path,
        };
        opts.vuln_db = open_vuln_db(vuln_db, progress)?.map(std::sync::Arc::new);
        opts.vuln_policy.only_fixed = only_fixed;
        opts.vuln_policy.base_layers = base_layers;
        if let Some(path) = ignore {
            let text =
                std::fs::read_to_string(&path).map_err(|e| usage(&format!("cannot read {}: {e}", path.display())))?;
            opts.vuln_policy.ignore =
                porthole::ignore::IgnoreList::parse(&text).map_err(|e| usage(&format!("{}: {e}", path.display())))?;
        }
        for path in vex {
            let bytes = std::fs::read(&path).map_err(|e| usage(&format!("cannot read {}: {e}", path.display())))?;
            opts.vuln_policy
                .vex
                .add_document(&base_name(&path), &bytes)
                .map_err(|e| usage(&e))?;
        }
        for path in key {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| usage(&format!("cannot read --key {}: {e}", path.display())))?;
            let k = porthole::trust::key::TrustedKey::from_pem(&base_name(&path), &text)
                .map_err(|e| usage(&format!("--key {}: {e}", path.display())))?;
            opts.trust.keys.push(k);
        }
        for path in trust_store {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| usage(&format!("cannot read --trust-store {}: {e}", path.display())))?;
            let certs = porthole::trust::x509::Cert::from_pem_chain(&text)
                .map_err(|e| usage(&format!("--trust-store {}: {e}", path.display())))?;
            opts.trust.roots.extend(certs);
        }
        if let Some(path) = trusted_root {
            let bytes = std::fs::read(&path)
                .map_err(|e| usage(&format!("cannot read --trusted-root {}: {e}", path.display())))?;
            let root = porthole::trust::trusted_root::TrustedRoot::parse(&base_name(&path), &bytes)
                .map_err(|e| usage(&format!("--trusted-root: {e}")))?;
            opts.trust.sigstore_root = Some(std::sync::Arc::new(root));
        }
        use porthole::trust::bundle::Pattern;
        let pattern = |exact: Option<String>, re: Option<String>, flag: &str| match (exact, re) {
            (Some(e), _) => Ok(Some(Pattern::Exact(e))),
            (None, Some(r)) => Pattern::regex(&r).map(Some).map_err(|e| usage(&format!("{flag}: {e}"))),
            (None, None) => Ok(None),
        };
        opts.trust.identity.san = pattern(
            certificate_identity,
            certificate_identity_regexp,
            "--certificate-identity-regexp",
        )?;
        opts.trust.identity.issuer = pattern(
            certificate_oidc_issuer,
            certificate_oidc_issuer_regexp,
            "--certificate-oidc-issuer-regexp",
        )?;
        opts.trust.now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok());
        Ok(Reader {
            opts,
            path,
            access,
            threads,
            progress,
            password: None,
            password_for_any: false,
        })
    }

    /// Opens and inspects one input with these options.
    fn open(&mut self, path: &Path) -> Result<porthole::inspect::Inspection, ExitCode> {
        let (opts, threads, progress) = (&self.opts, self.threads, self.progress);
        let registry_ref = if path.as_os_str() != "-" && !path.exists() && !looks_like_a_file(path) {
            match path.to_str().map(Reference::parse) {
                Some(Ok(r)) => Some(r),
                Some(Err(e)) => {
                    eprintln!(
                        "porthole: {} is neither a file nor an image reference ({})",
                        path.display(),
                        e.message
                    );
                    return Err(ExitCode::from(2));
                }
                None => None,
            }
        } else {
            None
        };
        if self.access.password_stdin && registry_ref.is_none() && !self.password_for_any {
            return Err(usage(
                "--password-stdin needs an image reference (and stdin free for the password)",
            ));
        }
        let name = base_name(path);
        let mut obs = Progress {
            done: 0,
            last: 0,
            total: 0,
            on: false,
        };
        let file;
        let input: porthole::inspect::Input = if let Some(reference) = registry_ref {
            let creds = match &self.password {
                Some(c) => c.clone(),
                None => {
                    let c = credentials(&reference, self.access.username.clone(), self.access.password_stdin)
                        .map_err(|m| usage(&m))?;
                    if self.access.password_stdin {
                        self.password = Some(c.clone());
                    }
                    c
                }
            };
            let tls = porthole::source::registry::native::Tls {
                ca_file: self.access.ca_file.clone(),
                insecure: self.access.insecure,
            };
            porthole::inspect::Input::Opened(porthole::source::registry::native::fetch(
                reference,
                creds,
                &tls,
                opts,
                &mut |_| {},
            ))
        } else if path.as_os_str() == "-" {
            porthole::inspect::Input::Opened(porthole::source::read_stream(
                std::io::stdin().lock(),
                "-",
                opts,
                &mut |_| {},
            ))
        } else if path.is_dir() {
            porthole::inspect::Input::Opened(porthole::source::dir::DirStore::open(path, &name))
        } else {
            file = match porthole::blob::FileSource::open(path) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("porthole: {e}");
                    return Err(ExitCode::from(2));
                }
            };
            use std::io::IsTerminal;
            obs.total = porthole::BlobSource::len(&file);
            obs.on = progress && std::io::stderr().is_terminal();
            let threads = threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
                .max(1);
            let read = std::sync::atomic::AtomicU64::new(0);
            let prepared = porthole::parallel::on_threads(&file, opts, threads, &|n| {
                read.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            });
            obs.bytes(read.into_inner());
            porthole::inspect::Input::File {
                source: &file,
                name: &name,
                prepared,
            }
        };
        let inspection = porthole::inspect::inspect(input, opts, &mut obs);
        if obs.last > 0 {
            eprint!("\r\x1b[K");
        }
        Ok(inspection)
    }
}

/// The databases named on the command line, else by PORTHOLE_VULN_DB; what could not be read
/// in them is said on stderr (the rest is used).
fn open_vuln_db(mut paths: Vec<PathBuf>, progress: bool) -> Result<Option<VulnDb>, ExitCode> {
    if paths.is_empty() {
        let Some(env) = std::env::var_os("PORTHOLE_VULN_DB").filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        paths = std::env::split_paths(&env).collect();
    }
    use std::io::IsTerminal;
    let show = progress && std::io::stderr().is_terminal();
    let (db, notes) = porthole::vuln::files::open_paths(&paths, &mut |done, total, _| {
        if show {
            eprint!(
                "\rreading the vulnerability database: {} / {} MB\x1b[K",
                done >> 20,
                total >> 20
            );
        }
    })
    .map_err(|e| usage(&e.to_string()))?;
    for n in notes {
        eprintln!("porthole: {n}");
    }
    if show {
        eprint!("\r\x1b[K");
    }
    let stats = db.stats();
    for e in &stats.errors {
        eprintln!("porthole: vulnerability database: {e}");
    }
    if stats.skipped > stats.errors.len() {
        eprintln!(
            "porthole: vulnerability database: {} more records could not be read",
            stats.skipped - stats.errors.len()
        );
    }
    if stats.records == 0 {
        return Err(usage(&format!(
            "no OSV record could be read from {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Some(db))
}

/// The registry or repository `target` names, the credentials and TLS settings for it.
#[allow(clippy::type_complexity)]
fn reach(
    target: &str,
    access: RegistryAccess,
) -> Result<
    (
        Reference,
        porthole::source::registry::Listing,
        Option<Credentials>,
        porthole::source::registry::native::Tls,
    ),
    ExitCode,
> {
    let (reference, what) = porthole::source::registry::target(target).map_err(|e| usage(&e.message))?;
    let creds = credentials(&reference, access.username, access.password_stdin).map_err(|e| usage(&e))?;
    let tls = porthole::source::registry::native::Tls {
        ca_file: access.ca_file,
        insecure: access.insecure,
    };
    Ok((reference, what, creds, tls))
}

/// `porthole ls --references`: every tag of a repository, or of every repository of the
/// catalog, as references pinned to their digests. A repository that cannot be listed is
/// said on stderr and makes the exit code 2; the others are still printed.
fn ls_references(target: &str, json: bool, page_size: usize, access: RegistryAccess) -> ExitCode {
    use porthole::source::registry::{Listing, native};
    let (reference, what, creds, tls) = match reach(target, access) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let base = reference.base_url();
    let host = &reference.api_host;
    let repos = match what {
        Listing::Tags(r) => vec![r],
        Listing::Catalog => match native::list(&base, host, creds.clone(), &tls, Listing::Catalog, page_size) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("porthole: {}", e.message);
                return ExitCode::from(2);
            }
        },
    };
    // Plain http off loopback must be named again (references default to https there).
    let prefix = if reference.scheme == "http" && !porthole::audit::is_loopback(&reference.registry) {
        format!("http://{}", reference.registry)
    } else {
        reference.registry.clone()
    };
    let mut refs = Vec::new();
    let mut failed = false;
    for repo in &repos {
        match native::describe_tags(&base, host, repo, creds.clone(), &tls, false, page_size) {
            Ok(tags) => {
                for t in tags {
                    match (&t.digest, &t.error) {
                        (Some(d), None) => refs.push(format!("{prefix}/{repo}:{}@{d}", t.tag)),
                        (_, e) => eprintln!("porthole: {repo}:{}: {}", t.tag, e.as_deref().unwrap_or("no digest")),
                    }
                }
            }
            Err(e) => {
                eprintln!("porthole: {repo}: {}", e.message);
                failed = true;
            }
        }
    }
    if json {
        let v = serde_json::json!({ "registry": base, "references": refs });
        out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for r in &refs {
            out!("{r}");
        }
    }
    eprintln!("{} references in {} repositories", refs.len(), repos.len());
    if failed { ExitCode::from(2) } else { ExitCode::SUCCESS }
}

/// `porthole ls`: a registry's repositories, or a repository's tags.
fn ls(target: &str, json: bool, details: bool, page_size: usize, access: RegistryAccess) -> ExitCode {
    use porthole::source::registry::{Listing, native};
    let (reference, what, creds, tls) = match reach(target, access) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let base = reference.base_url();
    let failed = |e: porthole::error::Error| {
        eprintln!("porthole: {}", e.message);
        ExitCode::from(2)
    };
    let repo = match what {
        Listing::Tags(repo) => repo,
        Listing::Catalog => {
            let names = match native::list(&base, &reference.api_host, creds, &tls, Listing::Catalog, page_size) {
                Ok(n) => n,
                Err(e) => return failed(e),
            };
            if json {
                let v = serde_json::json!({ "registry": base, "repositories": names });
                out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                for n in &names {
                    out!("{n}");
                }
                eprintln!("{} repositories", names.len());
            }
            return ExitCode::SUCCESS;
        }
    };
    let tags = match native::describe_tags(&base, &reference.api_host, &repo, creds, &tls, details, page_size) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    if json {
        let v = serde_json::json!({ "registry": base, "repository": repo, "tags": tags });
        out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    let width = tags.iter().map(|t| t.tag.len()).max().unwrap_or(3).max(3);
    if details {
        out!(
            "{:width$}  {:71}  {:10}  {:20}  PLATFORMS",
            "TAG",
            "DIGEST",
            "SIZE",
            "CREATED"
        );
    } else {
        out!("{:width$}  DIGEST", "TAG");
    }
    for t in &tags {
        let digest = t.digest.as_deref().unwrap_or("-");
        if let Some(e) = &t.error {
            out!("{:width$}  {digest}  ({e})", t.tag);
        } else if details {
            let size = t.size.map(human_bytes).unwrap_or_else(|| "-".into());
            let created = t.created.as_deref().map(|c| c.get(..19).unwrap_or(c)).unwrap_or("-");
            let platforms = if t.platforms.is_empty() {
                "-".to_string()
            } else {
                t.platforms.join(", ")
            };
            out!("{:width$}  {digest:71}  {size:10}  {created:20}  {platforms}", t.tag);
        } else {
            out!("{:width$}  {digest}", t.tag);
        }
    }
    eprintln!("{} tags", tags.len());
    ExitCode::SUCCESS
}

/// `porthole audit`: the checks, their evidence and fixes; exit 9 at or above `--fail-on`.
fn audit(
    target: &str,
    repos: Vec<String>,
    public: bool,
    json: bool,
    fail_on: &str,
    rate: f64,
    access: RegistryAccess,
) -> ExitCode {
    use porthole::audit::{Outcome, Severity};
    let Some(fail_on) = Severity::parse(fail_on) else {
        return usage("--fail-on takes info, low, medium or high");
    };
    if !(rate > 0.0 && rate <= 1000.0) {
        return usage("--rate takes a number of requests per second above 0 (at most 1000)");
    }
    // Only credentials given here: the audit's write probes must not run as whatever account
    // Docker's config file happens to hold.
    let explicit = access.username.is_some() || access.password_stdin;
    let (_, _, creds, tls) = match reach(target, access) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let opts = porthole::audit::run::Options {
        repos,
        public,
        creds: creds.filter(|_| explicit),
        tls_verified: !tls.insecure,
        browser: false,
        write_probes: true,
    };
    let audit = match porthole::audit::native::run(target, opts, &tls, rate) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("porthole: the registry could not be audited: {}", e.message);
            return ExitCode::from(2);
        }
    };
    if json {
        out!("{}", serde_json::to_string_pretty(&audit).unwrap_or_default());
    } else {
        let who = match &audit.account {
            Some(a) if a.is_empty() => "anonymously and with the token given".to_string(),
            Some(a) => format!("anonymously and as {a}"),
            None => "anonymously".to_string(),
        };
        out!("Audit of {} ({who})", audit.registry);
        if !audit.repositories.is_empty() {
            out!("Repositories probed: {}", audit.repositories.join(", "));
        }
        for c in &audit.checks {
            let mark = match c.outcome {
                Outcome::Finding => c.severity.as_str().to_uppercase(),
                Outcome::Pass => "pass".into(),
                Outcome::NotRun => "not run".into(),
            };
            out!("\n{mark:8} {}: {}", c.id, c.title);
            out!("         {}", c.summary);
            if c.outcome == Outcome::Finding {
                for e in &c.evidence {
                    out!("         > {}\n           {}", e.request, e.answer);
                }
                if !c.fix.is_empty() {
                    out!("         fix: {}", c.fix);
                }
            }
        }
        let s = &audit.summary;
        let n = |k: &str| s.get(k).copied().unwrap_or(0);
        out!(
            "\nFindings: {} high, {} medium, {} low, {} info",
            n("high"),
            n("medium"),
            n("low"),
            n("info")
        );
    }
    match audit.worst() {
        Some(w) if w >= fail_on => ExitCode::from(9),
        _ => ExitCode::SUCCESS,
    }
}

/// A size for a table: bytes in KB, MB or GB (powers of 1000, as registries' UIs show).
fn human_bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

fn looks_like_a_file(p: &Path) -> bool {
    let s = p.to_string_lossy();
    s.starts_with(['/', '.', '~'])
        || [".tar", ".tar.gz", ".tgz", ".tar.zst", ".json"]
            .iter()
            .any(|ext| s.ends_with(ext))
}

/// Credentials from --username/--password-stdin, else from ~/.docker/config.json `auths`.
fn credentials(r: &Reference, username: Option<String>, password_stdin: bool) -> Result<Option<Credentials>, String> {
    if password_stdin {
        let mut pw = String::new();
        std::io::stdin()
            .read_line(&mut pw)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        let password = pw.trim_end_matches(['\n', '\r']).to_string();
        return Ok(Some(Credentials {
            username: username.unwrap_or_default(),
            password,
        }));
    }
    if username.is_some() {
        return Err("--username needs --password-stdin".into());
    }
    Ok(docker_config_auth(r))
}

/// The `auths` entry for the registry in `$DOCKER_CONFIG/config.json` (or ~/.docker).
fn docker_config_auth(r: &Reference) -> Option<Credentials> {
    use base64::Engine as _;
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let auths = v.get("auths")?.as_object()?;
    let keys: Vec<String> = if r.is_docker_hub() {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
        ]
    } else {
        vec![
            r.registry.clone(),
            format!("https://{}", r.registry),
            format!("http://{}", r.registry),
        ]
    };
    let entry = keys.iter().find_map(|k| auths.get(k))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(entry.get("auth")?.as_str()?)
        .ok()?;
    let (u, p) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
    Some(Credentials {
        username: u.to_string(),
        password: p.to_string(),
    })
}

fn base_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn print_summary(r: &Report) {
    if r.images.is_empty() {
        out!("No image could be described.");
        return;
    }
    for img in &r.images {
        out!("Image {}", img.name.as_deref().unwrap_or("(unnamed)"));
        if let Some(d) = &img.manifest_digest {
            out!("  manifest  {d}");
        }
        out!("  config    {}", img.config_digest.as_deref().unwrap_or("-"));
        out!("  platform  {}", img.platform.as_deref().unwrap_or("-"));
        if let Some(os) = &img.os_release {
            out!(
                "  os        {}",
                os.pretty_name.as_deref().or(os.id.as_deref()).unwrap_or("-")
            );
        }
        let mismatches: Vec<String> = img
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Mismatch)
            .map(|c| {
                format!(
                    "{:?} expected {} got {}",
                    c.what,
                    c.expected.as_deref().unwrap_or("-"),
                    c.actual.as_deref().unwrap_or("-")
                )
            })
            .chain(img.layers.iter().flat_map(|l| {
                l.checks
                    .iter()
                    .filter(|c| c.status == CheckStatus::Mismatch)
                    .map(move |c| {
                        format!(
                            "layer {} {:?}: expected {} got {}",
                            l.index,
                            c.what,
                            c.expected.as_deref().unwrap_or("-"),
                            c.actual.as_deref().unwrap_or("(unreadable)")
                        )
                    })
            }))
            .collect();
        let verified = img
            .layers
            .iter()
            .flat_map(|l| &l.checks)
            .chain(&img.checks)
            .filter(|c| c.status == CheckStatus::Verified)
            .count();
        if mismatches.is_empty() {
            out!(
                "  verdict   {} digests and sizes verified, none mismatched{}",
                verified,
                if img.verified {
                    ""
                } else {
                    " (some layers could not be checked)"
                }
            );
        } else {
            out!("  verdict   INTEGRITY FAILURE");
            for m in mismatches {
                out!("            {m}");
            }
        }
        if let Some(t) = &img.trust {
            out!("  trust     {}", t.summary);
            for sig in &img.signatures {
                out!(
                    "    {} ({}): {}",
                    sig.kind,
                    sig.found,
                    if sig.verified {
                        format!("verified, {}", sig.signer.describe().unwrap_or_default())
                    } else {
                        sig.reason.clone().unwrap_or_default()
                    }
                );
            }
            for a in &img.attestations {
                out!(
                    "    attestation {} ({}): {}",
                    a.predicate_type.as_deref().unwrap_or("?"),
                    a.found,
                    if a.verified {
                        format!("verified, {}", a.signer.describe().unwrap_or_default())
                    } else {
                        a.reason.clone().unwrap_or_default()
                    }
                );
            }
            for n in &t.notes {
                out!("    note: {n}");
            }
        }
        out!("  layers    {}", img.layers.len());
        for l in &img.layers {
            out!(
                "    {:>3}  {}  {:>12} B  +{} ~{} -{}  {}  {}",
                l.index,
                l.digest.as_deref().map(|d| &d[..d.len().min(19)]).unwrap_or("-"),
                l.size.unwrap_or(0),
                l.files_added,
                l.files_modified,
                l.files_deleted,
                if l.verified { "ok" } else { "unverified" },
                l.created_by
                    .as_deref()
                    .map(|c| c.chars().take(60).collect::<String>())
                    .unwrap_or_default()
            );
        }
        let s = &img.summary;
        out!(
            "  files     {} entries, {} regular files, {} bytes; {} bytes wasted on hidden copies",
            s.entries,
            s.regular_files,
            s.total_size,
            s.wasted_bytes
        );
        if !img.secrets.is_empty() {
            let count = |s: Severity| img.secrets.iter().filter(|f| f.severity == s).count();
            out!(
                "  secrets   {} found: {} critical, {} high, {} medium, {} low",
                img.secrets.len(),
                count(Severity::Critical),
                count(Severity::High),
                count(Severity::Medium),
                count(Severity::Low)
            );
            for f in &img.secrets {
                let place = match f.location.as_str() {
                    "file" => format!(
                        "{} (layer {}, line {}){}",
                        f.path.as_deref().unwrap_or("?"),
                        f.layer.unwrap_or(0),
                        f.line.unwrap_or(0),
                        match (f.deleted_in, f.overwritten_in) {
                            (Some(d), _) => format!(
                                " — removed in layer {d}, still shipped in layer {}",
                                f.layer.unwrap_or(0)
                            ),
                            (_, Some(o)) => format!(
                                " — replaced in layer {o}, still shipped in layer {}",
                                f.layer.unwrap_or(0)
                            ),
                            _ => String::new(),
                        }
                    ),
                    "history" => format!("history entry {}", f.history_index.unwrap_or(0)),
                    loc => format!("{loc} {}", f.key.as_deref().unwrap_or("?")),
                };
                out!(
                    "            {:<8} {:<26} {}  {}",
                    f.severity.as_str(),
                    f.rule,
                    f.match_redacted,
                    place
                );
            }
        }
        if !img.best_practices.is_empty() || !img.best_practices_suppressed.is_empty() {
            let count = |s: Severity| img.best_practices.iter().filter(|b| b.severity == s).count();
            out!(
                "  practices {} best-practice findings: {} critical, {} high, {} medium, {} low; {} ignored",
                img.best_practices.len(),
                count(Severity::Critical),
                count(Severity::High),
                count(Severity::Medium),
                count(Severity::Low),
                img.best_practices_suppressed.len()
            );
            for b in &img.best_practices {
                out!("            {:<8} {:<12} {}", b.severity.as_str(), b.id, b.title);
                for ev in b.evidence.iter().take(3) {
                    // Paths come from the image: no control character reaches the terminal.
                    let ev: String = ev.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
                    out!("                                  {ev}");
                }
                if b.evidence.len() > 3 {
                    out!(
                        "                                  … {} more (--json)",
                        b.evidence.len() - 3
                    );
                }
            }
        }
        if let Some(vs) = &img.vulnerability_summary {
            let c = &vs.by_severity;
            out!(
                "  vulns     {} found in {} of {} packages: {} critical, {} high, {} medium, {} low, {} unrated; {} fixable{}",
                vs.total,
                vs.packages_affected,
                vs.packages_checked,
                c.critical,
                c.high,
                c.medium,
                c.low,
                c.none + c.unknown,
                vs.fixable,
                if vs.malicious > 0 {
                    format!("; {} MALICIOUS", vs.malicious)
                } else {
                    String::new()
                }
            );
            for v in &img.vulnerabilities {
                out!(
                    "            {:<8} {:<22} {} {} -> {}  (layer {})",
                    v.severity.rating.as_str(),
                    v.id,
                    v.package.name,
                    v.package.version,
                    if v.fixed.is_empty() {
                        "no fix".to_string()
                    } else {
                        v.fixed.join(", ")
                    },
                    v.package.layer
                );
            }
            for n in &vs.notes {
                out!("            note: {n}");
            }
        }
        if !img.errors.is_empty() {
            out!("  errors    {}", img.errors.len());
        }
    }
}
