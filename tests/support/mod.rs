//! Shared test helpers: inspect bytes, a reader with short reads, byte surgery.
#![allow(dead_code)]

pub mod counting;
pub mod openssl;

use porthole::inspect::{Options, Quiet};
use porthole::{BlobSource, Report};

pub fn inspect(bytes: &[u8]) -> Report {
    inspect_with(
        bytes,
        &Options {
            files: true,
            ..Default::default()
        },
    )
}

pub fn inspect_with(bytes: &[u8], opts: &Options) -> Report {
    porthole::inspect_blob(bytes, "test.tar", opts, &mut Quiet)
}

/// Inspects the bytes as a one-pass stream (as stdin), fed in pieces of `chunk` bytes.
pub fn inspect_streamed(bytes: &[u8], chunk: usize) -> Report {
    let reader = ChunkedReader {
        data: bytes,
        pos: 0,
        chunk,
    };
    porthole::inspect_reader(
        reader,
        "-",
        &Options {
            files: true,
            ..Default::default()
        },
        &mut Quiet,
    )
}

struct ChunkedReader<'a> {
    data: &'a [u8],
    pos: usize,
    chunk: usize,
}

impl std::io::Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A source that returns at most a few bytes per read (varying), like a slow reader.
pub struct ShortReads<'a>(pub &'a [u8]);

impl BlobSource for ShortReads<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> porthole::Result<usize> {
        let max = 1 + (offset as usize * 7919) % 13;
        let n = buf.len().min(max);
        self.0[..].read_at(offset, &mut buf[..n])
    }
}

/// Where the body of the outer tar entry `name` starts, and its size.
pub fn entry_span(tar: &[u8], name: &str) -> (usize, usize) {
    let idx = porthole::tar::index::index(tar, 1 << 20, 1 << 20);
    let e = idx
        .entries
        .iter()
        .rev()
        .find(|e| e.entry.path_lossy() == name)
        .unwrap_or_else(|| panic!("no entry {name}"));
    (e.data_offset as usize, e.entry.size as usize)
}

/// The outer entry names, in order.
pub fn entry_names(tar: &[u8]) -> Vec<String> {
    porthole::tar::index::index(tar, 1 << 20, 1 << 20)
        .entries
        .iter()
        .map(|e| e.entry.path_lossy())
        .collect()
}

/// Comparable summary of an image report: everything but the source.
pub fn image_json(r: &Report) -> serde_json::Value {
    serde_json::to_value(&r.images).unwrap()
}

/// What one run of the `porthole` binary gave.
pub struct CliRun {
    pub code: i32,
    /// stdout parsed as JSON (`Null` when it is not JSON).
    pub json: serde_json::Value,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the `porthole` binary with `args`, `stdin` as its standard input, and no Docker
/// config (so credentials come only from the arguments).
pub fn porthole(args: &[&str], stdin: Option<&str>) -> CliRun {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut c = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(args)
        .env("DOCKER_CONFIG", "/nonexistent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut si = c.stdin.take().unwrap();
    if let Some(s) = stdin {
        si.write_all(s.as_bytes()).unwrap();
    }
    drop(si);
    let out = c.wait_with_output().unwrap();
    CliRun {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Fails with a clear message when a tool the test drives is not installed.
pub fn need(tool: &str) {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is not installed: run `scripts/setup.sh --tests` (or `make test`), which installs it"
    );
}

/// Asserts that `json` follows the JSON Schema in `docs/<schema>` (python3-jsonschema, as the
/// report's is checked), naming the first errors.
#[allow(dead_code)] // each test binary compiles this module; not every one checks a schema
pub fn follows_schema(json: &serde_json::Value, schema: &str) {
    use std::io::Write as _;
    let path = format!("{}/docs/{schema}", env!("CARGO_MANIFEST_DIR"));
    let script = format!(
        "import json,sys,jsonschema\nv=jsonschema.Draft202012Validator(json.load(open({path:?})))\n\
errs=list(v.iter_errors(json.load(sys.stdin)))\nprint(chr(10).join(e.message for e in errs[:5]))\nsys.exit(1 if errs else 0)"
    );
    let mut child = std::process::Command::new("python3")
        .args(["-c", &script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(json.to_string().as_bytes())
        .expect("python3 reads the document");
    let out = child.wait_with_output().expect("python3 ends");
    assert!(
        out.status.success(),
        "the document does not follow docs/{schema}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}
