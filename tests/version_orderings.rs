//! The version orderings (`porthole::vuln::version`) against the real tools, and the
//! properties every ordering must have.
//!
//! An ordering with a reference implementation on a Debian 12 machine is compared with it on
//! thousands of generated pairs (realistic shapes, their near neighbours, and garbage), each
//! tool run once for all pairs: apt's `apt_pkg.version_compare` (and `dpkg --compare-versions`
//! on a sample), packaging's `Version`, rpm's `labelCompare`, node-semver's `compare` and
//! Maven's `ComparableVersion`. `scripts/setup.sh --tests` installs them (and `npm ci` the
//! semver package); without one a test skips and says why, except under CI (`CI` set), where
//! it fails. apk, NuGet, RubyGems and Packagist have no tool here: their specifications'
//! orders are checked as shuffled lists. Every ordering must be a total order that never
//! panics and stays linear on hostile input.

use porthole::vuln::version::{ECOSYSTEMS, VersionScheme, scheme_for};
use std::cmp::Ordering;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*): the same versions every run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

type Generator = fn(&mut Rng) -> String;

fn number(r: &mut Rng) -> String {
    if r.chance(6) {
        return r.pick(&["00", "01", "007", "010"]).to_string();
    }
    r.pick(&[
        "0", "1", "1", "2", "2", "3", "4", "5", "9", "10", "11", "12", "19", "20", "99", "100", "2023",
    ])
    .to_string()
}

/// One to `max` numbers joined by `sep`.
fn numbers(r: &mut Rng, max: usize, sep: &str) -> String {
    let count = 1 + r.below(max);
    (0..count).map(|_| number(r)).collect::<Vec<_>>().join(sep)
}

/// Random characters from `alphabet`, up to `max` of them.
fn garbage(r: &mut Rng, alphabet: &[&str], max: usize) -> String {
    (0..r.below(max + 1)).map(|_| r.pick(alphabet)).collect()
}

const GARBAGE: &[&str] = &[
    "a", "b", "z", "A", "Z", "0", "1", "2", "9", ".", ".", "-", "-", "+", "~", ":", "_", " ", "^", "!", "é", "ü", "r",
    "p",
];

fn debian(r: &mut Rng) -> String {
    if r.chance(6) {
        return garbage(r, GARBAGE, 12);
    }
    let mut v = String::new();
    if r.chance(12) {
        v += r.pick(&["1:", "2:", "0:", "10:", "01:", "a:"]);
    }
    v += &numbers(r, 4, ".");
    if r.chance(35) {
        v += r.pick(&[
            "~rc1",
            "~rc2",
            "~beta1",
            "~alpha",
            "~~",
            "~",
            "+dfsg",
            "+dfsg1",
            "+ds",
            "+really2.0",
            "a",
            "b",
            "+git20230101.1a2b3c",
            "~git20230101",
            "+b1",
            ".1",
            "~bpo1",
            "+Z",
        ]);
    }
    if r.chance(70) {
        v += r.pick(&[
            "-1",
            "-2",
            "-10",
            "-0.1",
            "-1.1",
            "-1+deb12u1",
            "-1+deb12u2",
            "-1+b1",
            "-1+b2",
            "-1ubuntu1",
            "-1ubuntu0.22.04.1",
            "-1~bpo12+1",
            "-1~exp1",
            "-3build1",
            "-0ubuntu1~20.04",
            "-1a",
            "-",
            "-~",
        ]);
    }
    v
}

fn pep440(r: &mut Rng) -> String {
    if r.chance(12) {
        return r
            .pick(&[
                "1.0-foo",
                "2.0b1pl0",
                "1.0.x",
                "dev",
                "foo-bar",
                "",
                "1.0.*",
                "1.0+",
                "1.0+a..b",
                "1..0",
                ".1",
                "1.0-",
                "1.0_",
                "banana",
                "1.0.post-1",
                "2.0-final",
                "1.0rc1.x",
                "0.9-SNAPSHOT",
                "1.0b2-dev",
                "1.0+local version",
                "v",
                "1.0.0.0.x",
            ])
            .to_string();
    }
    if r.chance(5) {
        return garbage(r, GARBAGE, 10);
    }
    let mut v = String::new();
    if r.chance(4) {
        v += r.pick(&[" ", "\t", "v", "V", "\u{a0}"]);
    }
    if r.chance(5) {
        v += r.pick(&["1!", "0!", "2!"]);
    }
    v += &numbers(r, 4, ".");
    if r.chance(30) {
        v += r.pick(&["", "", ".", "-", "_"]);
        v += r.pick(&[
            "a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC", "Beta",
        ]);
        v += r.pick(&["", "", ".", "-", "_"]);
        if r.chance(80) {
            v += &number(r);
        }
    }
    if r.chance(15) {
        v += r.pick(&[
            ".post1", "-1", ".post", "post2", ".rev3", "-r4", "_post_5", ".POST6", "-post7",
        ]);
    }
    if r.chance(15) {
        v += r.pick(&[".dev0", ".dev", "dev3", "-dev4", "_dev5", ".DEV1"]);
    }
    if r.chance(10) {
        v += "+";
        v += &(0..1 + r.below(3))
            .map(|_| r.pick(&["abc", "1", "ubuntu", "5", "ABC", "0001", "x7"]))
            .collect::<Vec<_>>()
            .join(r.pick(&[".", "-", "_"]));
    }
    if r.chance(3) {
        v += " ";
    }
    v
}

fn rpm(r: &mut Rng) -> String {
    if r.chance(6) {
        return garbage(r, GARBAGE, 12);
    }
    let mut v = String::new();
    if r.chance(12) {
        v += r.pick(&["1:", "0:", "12:", ":", "a:", "00:"]);
    }
    for k in 0..1 + r.below(4) {
        if k > 0 {
            v += r.pick(&[".", ".", ".", "_", "+", "~", "^", ""]);
        }
        v += &if r.chance(80) {
            number(r)
        } else {
            r.pick(&["a", "b", "rc", "beta", "git", "Z", "p"]).to_string()
        };
    }
    if r.chance(20) {
        v += r.pick(&["~rc1", "^git20230101.abc", "~beta", "a", ".1", "^", "~"]);
    }
    if r.chance(70) {
        v += r.pick(&[
            "-1",
            "-2",
            "-10",
            "-1.el8",
            "-2.el9_2",
            "-1.fc39",
            "-0.1.rc1.el8",
            "-3.module+el8.5.0+12345+abcdef12",
            "-1~beta",
            "-150400.3.5.1",
            "-lp154.2.1",
            "-",
            "-1.1",
            "-0",
            "-1^1",
        ]);
    }
    v
}

fn semver(r: &mut Rng) -> String {
    if r.chance(12) {
        return r
            .pick(&[
                "1.2",
                "1",
                "1.2.3.4",
                "01.2.3",
                "1.2.3-",
                "1.2.3-01",
                "=1.2.3",
                "V1.2.3",
                "garbage",
                "",
                "1.2.3-a..b",
                "1.2.x",
                "99999999999999999.0.0",
                "1.2.3+",
                "1.2.3-+b",
                "v1.2",
                "1.2.3 - 1.2.4",
                "1.2.3beta",
            ])
            .to_string();
    }
    if r.chance(4) {
        return garbage(r, GARBAGE, 10);
    }
    let mut v = String::new();
    if r.chance(10) {
        v += "v";
    }
    if r.chance(3) {
        v.insert(0, ' ');
    }
    let major = number(r).trim_start_matches('0').to_string();
    let minor = number(r).trim_start_matches('0').to_string();
    let patch = number(r).trim_start_matches('0').to_string();
    let nz = |s: String| if s.is_empty() { "0".to_string() } else { s };
    v += &format!("{}.{}.{}", nz(major), nz(minor), nz(patch));
    if r.chance(40) {
        v += "-";
        v += &(0..1 + r.below(3))
            .map(|_| {
                r.pick(&[
                    "alpha",
                    "beta",
                    "rc",
                    "0",
                    "1",
                    "2",
                    "11",
                    "x",
                    "a-b",
                    "--",
                    "0a",
                    "Beta",
                    "20210101000000-abcdef123456",
                    "pre",
                    "7",
                ])
            })
            .collect::<Vec<_>>()
            .join(".");
    }
    if r.chance(15) {
        v += r.pick(&[
            "+build.1",
            "+001",
            "+exp.sha.5114f85",
            "+incompatible",
            "+20130313144700",
        ]);
    }
    v
}

fn maven(r: &mut Rng) -> String {
    if r.chance(5) {
        return r
            .pick(&[
                "", "1-", "1..2", ".1", "-1", "1.", "a", "1-.1", "--", "1-a.b-2", "_1", "1_2",
            ])
            .to_string();
    }
    let mut v = String::new();
    for k in 0..1 + r.below(5) {
        if k > 0 {
            v += r.pick(&[".", ".", "-", "-", ""]);
        }
        v += &if r.chance(65) {
            if r.chance(3) {
                r.pick(&["999999999999", "12345678901234567890", "2147483648"])
                    .to_string()
            } else {
                number(r)
            }
        } else {
            r.pick(&[
                "alpha",
                "beta",
                "milestone",
                "rc",
                "cr",
                "snapshot",
                "SNAPSHOT",
                "ga",
                "final",
                "FINAL",
                "release",
                "RELEASE",
                "sp",
                "a",
                "b",
                "m",
                "foo",
                "abc",
                "pom",
                "Final",
                "jre",
                "android",
                "M1",
                "RC2",
                "b7",
                "Beta",
                "GA",
                "x",
                "sec",
            ])
            .to_string()
        };
    }
    v
}

fn nuget(r: &mut Rng) -> String {
    let mut v = numbers(r, 4, ".");
    if r.chance(35) {
        v += "-";
        v += &(0..1 + r.below(2))
            .map(|_| r.pick(&["alpha", "Beta", "rc", "1", "2", "10", "preview"]))
            .collect::<Vec<_>>()
            .join(".");
    }
    if r.chance(10) {
        v += "+meta";
    }
    v
}

fn rubygems(r: &mut Rng) -> String {
    let mut v = numbers(r, 4, ".");
    if r.chance(35) {
        v += r.pick(&[".pre", ".rc1", ".beta.2", "-1", ".a", "a", ".0.a", ".A"]);
    }
    v
}

fn packagist(r: &mut Rng) -> String {
    let mut v = String::new();
    if r.chance(15) {
        v += "v";
    }
    v += &numbers(r, 4, ".");
    if r.chance(35) {
        v += r.pick(&[
            "-dev", "-alpha1", "-beta", "-RC1", "-rc.2", "-p1", "-pl2", "-patch1", ".x-dev", "-stable", "beta3",
            "-BETA.1",
        ]);
    }
    if r.chance(5) {
        v = r
            .pick(&[
                "dev-master",
                "master",
                "dev-feature/x",
                "foo",
                "1.0.0 as 2.0.0",
                "1.0@dev",
                "2010-01-02",
            ])
            .to_string();
    }
    v
}

const GENERATORS: &[Generator] = &[debian, pep440, rpm, semver, maven, nuget, rubygems, packagist];

/// A near neighbour of `v`: one small edit of the kind that separates versions.
fn mutate(r: &mut Rng, v: &str) -> String {
    let mut s = v.to_string();
    match r.below(6) {
        0 => {
            s += r.pick(&[
                "~",
                "0",
                "a",
                "+b1",
                ".0",
                "-1",
                "~rc1",
                "1",
                "-r1",
                ".dev0",
                "-SNAPSHOT",
                "^",
            ])
        }
        1 => {
            // Change one digit.
            let digits: Vec<usize> = s
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if !digits.is_empty() {
                let i = digits[r.below(digits.len())];
                let d = r.pick(&["0", "1", "2", "9"]);
                s.replace_range(i..i + 1, d);
            }
        }
        2 => {
            s.pop();
        }
        3 => {
            // Change one separator.
            let seps: Vec<usize> = s
                .char_indices()
                .filter(|(_, c)| ".-+~_".contains(*c))
                .map(|(i, _)| i)
                .collect();
            if !seps.is_empty() {
                let i = seps[r.below(seps.len())];
                s.replace_range(i..i + 1, r.pick(&[".", "-", "+", "~", "_"]));
            }
        }
        4 => {
            // A leading zero.
            if let Some(i) = s.find(|c: char| c.is_ascii_digit()) {
                s.insert(i, '0');
            }
        }
        _ => s = s.to_uppercase(),
    }
    s
}

/// `n` pairs: half between versions of a pool, half between a version and a near neighbour.
fn pairs(seed: u64, generator: Generator, n: usize) -> Vec<(String, String)> {
    let mut r = Rng::new(seed);
    let pool: Vec<String> = (0..n / 2).map(|_| generator(&mut r)).collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n / 2 {
        let (a, b) = (r.below(pool.len()), r.below(pool.len()));
        out.push((pool[a].clone(), pool[b].clone()));
    }
    for _ in 0..n / 2 {
        let a = pool[r.below(pool.len())].clone();
        let b = mutate(&mut r, &a);
        out.push(if r.chance(50) { (a, b) } else { (b, a) });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running the tools.

/// Whether a tool-backed test can run. A missing tool skips the test (saying why), except under
/// CI, where it fails.
fn available(what: &str, ok: bool) -> bool {
    if ok {
        return true;
    }
    let hint = "run `scripts/setup.sh --tests` and `npm ci`, which install it";
    assert!(std::env::var_os("CI").is_none(), "{what} is missing: {hint}");
    eprintln!("skipped: {what} is missing ({hint})");
    false
}

/// Whether `program args` runs and succeeds.
fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a tool with `input` on its stdin (written from a thread, so a large output cannot
/// block it) and returns its stdout; a tool that fails fails the test.
fn run(cmd: &mut Command, input: String) -> String {
    let mut child = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the tool");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("run the tool");
    writer.join().expect("writer").expect("write the tool's input");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs a Python 3 script (Debian's interpreter, which has the Debian-packaged modules) that
/// reads the pairs as JSON and prints one JSON value per pair.
fn python(script: &str, pairs: &[(String, String)]) -> Vec<serde_json::Value> {
    let out = run(
        Command::new("/usr/bin/python3").args(["-c", script]),
        serde_json::to_string(pairs).expect("JSON"),
    );
    serde_json::from_str(&out).expect("the script prints a JSON list")
}

fn python_has(module: &str) -> bool {
    runs("/usr/bin/python3", &["-c", &format!("import {module}")])
}

fn sign(o: Ordering) -> i64 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// Compares `scheme` with the tool's answers (-1, 0, 1; `null` for a pair the tool does not
/// order) and fails with the first disagreements. Returns how many pairs were compared.
fn agree(scheme: &dyn VersionScheme, tool: &str, pairs: &[(String, String)], answers: &[serde_json::Value]) -> usize {
    assert_eq!(answers.len(), pairs.len(), "{tool} answered every pair");
    let mut compared = 0;
    let mut wrong = Vec::new();
    for ((a, b), answer) in pairs.iter().zip(answers) {
        let Some(want) = answer.as_i64() else { continue };
        compared += 1;
        let got = sign(scheme.compare(a, b));
        if got != want.signum() {
            wrong.push(format!(
                "  {a:?} vs {b:?}: {tool} says {want}, {} says {got}",
                scheme.id()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {compared} pairs disagree with {tool}; the first:\n{}",
        wrong.len(),
        wrong.iter().take(15).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("{}: {compared} pairs agree with {tool}", scheme.id());
    compared
}

fn scheme(ecosystem: &str) -> &'static dyn VersionScheme {
    scheme_for(ecosystem).expect("a known ecosystem")
}

// ---------------------------------------------------------------------------------------------
// The tool-backed tests.

#[test]
fn dpkg_agrees_with_apt() {
    if !available("python3-apt (/usr/bin/python3 with apt_pkg)", python_has("apt_pkg")) {
        return;
    }
    // apt reads before the string for an empty version, or one whose part after the epoch
    // starts with `-` (undefined behaviour in `DoCmpVersion`): such pairs stay out.
    let apt_safe = |v: &str| {
        let rest = v.split_once(':').map_or(v, |(_, rest)| rest);
        !v.is_empty() && !rest.starts_with('-')
    };
    let pairs: Vec<_> = pairs(0xdeb, debian, 6000)
        .into_iter()
        .filter(|(a, b)| apt_safe(a) && apt_safe(b))
        .collect();
    let script = "import apt_pkg, json, sys\n\
                  apt_pkg.init()\n\
                  pairs = json.loads(sys.stdin.buffer.read())\n\
                  print(json.dumps([(r > 0) - (r < 0) for r in (apt_pkg.version_compare(a, b) for a, b in pairs)]))";
    let answers = python(script, &pairs);
    assert!(agree(scheme("Debian"), "apt_pkg.version_compare", &pairs, &answers) > 5000);
}

#[test]
fn dpkg_agrees_with_dpkg_on_a_sample() {
    if !available("dpkg", runs("dpkg", &["--version"])) {
        return;
    }
    // One shell runs dpkg for each pair: `lt` and `eq` exit 0 or 1, anything else (a version
    // dpkg rejects) leaves the pair out.
    let pairs: Vec<_> = pairs(0xd9c, debian, 300)
        .into_iter()
        .filter(|(a, b)| !a.contains('\n') && !b.contains('\n'))
        .collect();
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\n{b}\n")).collect();
    let script = "while IFS= read -r a && IFS= read -r b; do \
                  dpkg --compare-versions \"$a\" lt \"$b\" 2>/dev/null; lt=$?; \
                  dpkg --compare-versions \"$a\" eq \"$b\" 2>/dev/null; eq=$?; \
                  echo \"$lt $eq\"; done";
    let out = run(Command::new("sh").args(["-c", script]), input);
    let answers: Vec<serde_json::Value> = out
        .lines()
        .map(|l| match l {
            "0 1" => (-1).into(),
            "1 0" => 0.into(),
            "1 1" => 1.into(),
            _ => serde_json::Value::Null,
        })
        .collect();
    assert!(agree(scheme("Debian"), "dpkg --compare-versions", &pairs, &answers) > 100);
}

#[test]
fn pep440_agrees_with_packaging() {
    if !available(
        "python3-packaging (/usr/bin/python3 with packaging)",
        python_has("packaging.version"),
    ) {
        return;
    }
    let pairs = pairs(0x440, pep440, 6000);
    // Per pair: whether packaging accepts each version, and their order when it accepts both.
    let script = "import json, sys\n\
                  from packaging.version import Version, InvalidVersion\n\
                  def parse(s):\n    try:\n        return Version(s)\n    except InvalidVersion:\n        return None\n\
                  out = []\n\
                  for a, b in json.loads(sys.stdin.buffer.read()):\n    x, y = parse(a), parse(b)\n    \
                  out.append([x is not None, y is not None, None if x is None or y is None else (x > y) - (x < y)])\n\
                  print(json.dumps(out))";
    let answers = python(script, &pairs);
    // Which versions the scheme takes as valid: those not below the smallest valid version
    // (legacy versions sort before every valid one).
    let pypi = scheme("PyPI");
    let valid = |v: &str| pypi.compare(v, "0.dev0") != Ordering::Less;
    let mut wrong = Vec::new();
    for ((a, b), answer) in pairs.iter().zip(&answers) {
        for (v, i) in [(a, 0), (b, 1)] {
            let want = answer[i].as_bool().expect("a validity flag");
            if valid(v) != want && wrong.len() < 15 {
                wrong.push(format!("  {v:?}: packaging says valid={want}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "validity disagrees with packaging:\n{}",
        wrong.join("\n")
    );
    let answers: Vec<serde_json::Value> = answers.iter().map(|a| a[2].clone()).collect();
    assert!(agree(pypi, "packaging.version.Version", &pairs, &answers) > 3000);
}

#[test]
fn rpm_agrees_with_rpm() {
    if !available("python3-rpm (/usr/bin/python3 with rpm)", python_has("rpm")) {
        return;
    }
    // rpm splits the string (`rpm.ver`); a missing epoch is 0 and a missing release compares
    // as an empty one (see rpm.rs). `labelCompare` refuses an empty version, so each part goes
    // through `rpmvercmp` on its own, in the release slot, which takes anything.
    let pairs = pairs(0x4e1, rpm, 6000);
    let script = "import json, rpm, sys\n\
                  def evr(s):\n    if not s:\n        return ('0', '', '')\n    v = rpm.ver(s)\n    \
                  return (v.e or '0', v.v or '', v.r or '')\n\
                  def vercmp(x, y):\n    return rpm.labelCompare(('0', '1', x), ('0', '1', y))\n\
                  out = []\n\
                  for a, b in json.loads(sys.stdin.buffer.read()):\n    x, y = evr(a), evr(b)\n    \
                  out.append(vercmp(x[0], y[0]) or vercmp(x[1], y[1]) or vercmp(x[2], y[2]))\n\
                  print(json.dumps(out))";
    let answers = python(script, &pairs);
    assert!(agree(scheme("Red Hat"), "rpm.labelCompare", &pairs, &answers) > 5000);
}

#[test]
fn semver_agrees_with_node_semver() {
    let has_semver = runs("node", &["-e", "require('semver')"]);
    if !available("node with the semver package (node_modules/semver)", has_semver) {
        return;
    }
    let pairs = pairs(0x5e3, semver, 6000);
    // `null` where node-semver throws (a version it does not accept).
    let script = "const semver = require('semver'); let input = '';\n\
                  process.stdin.on('data', d => input += d);\n\
                  process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map(([a, b]) => {\n\
                  try { return semver.compare(a, b); } catch (e) { return null; } }))));";
    let out = run(
        Command::new("node").args(["-e", script]),
        serde_json::to_string(&pairs).expect("JSON"),
    );
    let answers: Vec<serde_json::Value> = serde_json::from_str(&out).expect("a JSON list");
    for ecosystem in ["npm", "crates.io", "Go"] {
        assert!(agree(scheme(ecosystem), "node-semver compare", &pairs, &answers) > 3000);
    }
}

#[test]
fn maven_agrees_with_comparable_version() {
    let jar = [
        "/usr/share/java/maven3-artifact.jar",
        "/usr/share/java/maven-artifact-3.x.jar",
    ]
    .into_iter()
    .find(|j| Path::new(j).exists());
    let ok = jar.is_some() && runs("java", &["-version"]);
    if !available(
        "java with Maven's maven-artifact jar (default-jre-headless, libmaven3-core-java)",
        ok,
    ) {
        return;
    }
    // ComparableVersion's main prints `   <previous> <op> <next>` for each consecutive pair of
    // its arguments: with a, b, a', b', … as arguments every line is a comparison to check.
    let pairs = pairs(0x3a7, maven, 6000);
    let args: Vec<&str> = pairs.iter().flat_map(|(a, b)| [a.as_str(), b.as_str()]).collect();
    let out = run(
        Command::new("java")
            .args([
                "-cp",
                jar.unwrap_or_default(),
                "org.apache.maven.artifact.versioning.ComparableVersion",
            ])
            .args(&args),
        String::new(),
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("   ")).collect();
    assert_eq!(lines.len(), args.len() - 1, "one comparison line per consecutive pair");
    // Maven's own parse of each argument: after a header, `N. <version> -> <canonical>;
    // tokens: [<items>]` lines, in order, between the comparison lines.
    let numbered: Vec<&str> = out.lines().filter(|l| !l.starts_with("   ")).skip(1).collect();
    assert_eq!(numbered.len(), args.len(), "one parse line per argument");
    let parsed: Vec<Vec<Tok>> = numbered
        .iter()
        .zip(&args)
        .enumerate()
        .map(|(k, (line, a))| {
            assert!(
                line.starts_with(&format!("{}. {a} -> ", k + 1)),
                "{line:?} is the parse of {a:?}"
            );
            maven_tokens(line.rsplit_once("; tokens: ").map(|(_, t)| t).expect("tokens"))
        })
        .collect();
    let (mut chain, mut answers, mut departed) = (Vec::new(), Vec::new(), 0);
    for (k, line) in lines.iter().enumerate() {
        let (a, b) = (args[k], args[k + 1]);
        let op = line
            .strip_prefix(&format!("   {a} "))
            .and_then(|l| l.strip_suffix(&format!(" {b}")));
        let answer: serde_json::Value = match op {
            Some("<") => (-1).into(),
            Some("==") => 0.into(),
            Some(">") => 1.into(),
            _ => panic!("unexpected line {line:?} for {a:?} vs {b:?}"),
        };
        // The printout drops an empty (release) qualifier that starts a list (`release.1` prints
        // as `[1]`), so a version that may have one is left out as unreadable.
        let hides_release = |v: &str| {
            ["ga.", "final.", "release."]
                .iter()
                .any(|q| v.to_lowercase().contains(q))
        };
        if hides_release(a) || hides_release(b) || departs(&parsed[k], &parsed[k + 1]) {
            departed += 1;
            continue;
        }
        chain.push((a.to_string(), b.to_string()));
        answers.push(answer);
    }
    eprintln!(
        "maven: {departed} pairs left out (ComparableVersion is not transitive there, see maven.rs, or its printout is ambiguous)"
    );
    assert!(agree(scheme("Maven"), "ComparableVersion", &chain, &answers) > 9000);
}

/// An item of Maven's parse as `ComparableVersion` prints it, flattened like maven.rs does: a
/// number, a qualifier (after aliasing; the release qualifier is empty), or a sub-list opening.
#[derive(PartialEq, Debug)]
enum Tok {
    Num(String),
    Qualifier(String),
    Open,
}

/// Reads `[1, [rc, [1]]]`: a list's items, `, `-separated, sub-lists in brackets; an empty
/// text is the release qualifier unless it is an empty list's inside (`[]`).
fn maven_tokens(items: &str) -> Vec<Tok> {
    let emit = |text: String, out: &mut Vec<Tok>| {
        out.push(if !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit()) {
            Tok::Num(text)
        } else {
            Tok::Qualifier(text)
        });
    };
    let mut out = Vec::new();
    let mut leaf = String::new();
    // Whether the current slot held a sub-list, and for each open list whether its first slot
    // is still the current one.
    let mut slot_is_list = false;
    let mut first_slot: Vec<bool> = Vec::new();
    let mut chars = items.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                if !first_slot.is_empty() {
                    out.push(Tok::Open);
                }
                first_slot.push(true);
                slot_is_list = false;
                leaf.clear();
            }
            ']' => {
                let first = first_slot.pop().unwrap_or(true);
                if !(slot_is_list || first && leaf.is_empty()) {
                    emit(std::mem::take(&mut leaf), &mut out);
                }
                leaf.clear();
                slot_is_list = true;
            }
            ',' if chars.peek() == Some(&' ') => {
                chars.next();
                if !slot_is_list {
                    emit(std::mem::take(&mut leaf), &mut out);
                }
                leaf.clear();
                slot_is_list = false;
                if let Some(f) = first_slot.last_mut() {
                    *f = false;
                }
            }
            c => leaf.push(c),
        }
    }
    out
}

/// Whether ComparableVersion's answer for two parses rests on an item comparison maven.rs
/// changes to be transitive: the release qualifier, `sp` or an unknown qualifier against a
/// sub-list opening, or a zero against the end of a version.
fn departs(a: &[Tok], b: &[Tok]) -> bool {
    let pre = |q: &str| ["alpha", "beta", "milestone", "rc", "snapshot"].contains(&q);
    for k in 0..a.len().max(b.len()) {
        match (a.get(k), b.get(k)) {
            (x, y) if x == y => {}
            (Some(Tok::Qualifier(q)), Some(Tok::Open)) | (Some(Tok::Open), Some(Tok::Qualifier(q))) => return !pre(q),
            (Some(Tok::Num(n)), None) | (None, Some(Tok::Num(n))) if n == "0" => return true,
            // The release qualifier, an opening and the end are equal to each other.
            (Some(Tok::Qualifier(q)), None) | (None, Some(Tok::Qualifier(q))) if q.is_empty() => {}
            (Some(Tok::Open), None) | (None, Some(Tok::Open)) => {}
            _ => return false,
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Orders from the specifications, for the orderings without a tool here (and a few more).

/// A merge sort that never panics whatever the comparator does (std's sorts may panic on an
/// inconsistent one; an inconsistency should fail an assertion that says which versions).
fn merge_sort<T: Clone>(items: &[T], cmp: &dyn Fn(&T, &T) -> Ordering) -> Vec<T> {
    if items.len() <= 1 {
        return items.to_vec();
    }
    let (left, right) = items.split_at(items.len() / 2);
    let (left, right) = (merge_sort(left, cmp), merge_sort(right, cmp));
    let mut out = Vec::with_capacity(items.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if cmp(&right[j], &left[i]) == Ordering::Less {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

fn shuffle<T>(r: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = r.below(i + 1);
        items.swap(i, j);
    }
}

#[test]
fn known_orders_survive_shuffled_sorts() {
    let tables: &[(&str, &[&str])] = &[
        // apk-tools' rules (version.c, apk-package(5)) on real Alpine versions.
        (
            "Alpine",
            &[
                "1.2.3_alpha1-r0",
                "1.2.3_beta2-r0",
                "1.2.3_pre1-r0",
                "1.2.3_rc1-r0",
                "1.2.3-r0",
                "1.2.3-r1",
                "1.2.3-r9",
                "1.2.3-r10",
                "1.2.3_git20230101-r0",
                "1.2.3_p1-r0",
                "1.2.3_p2-r3",
                "1.2.3a-r0",
                "1.2.3b-r0",
                "1.2.4-r0",
                "1.2.10-r0",
                "1.3_rc1-r0",
                "1.3-r0",
                "3.0.8-r0",
                "3.0.10-r0",
                "3.1.0_alpha1-r0",
                "3.1.0-r0",
            ],
        ),
        // Maven's version order specification, with Spring- and Guava-style versions.
        (
            "Maven",
            &[
                "1.0-alpha-1",
                "1.0-alpha-2",
                "1.0-beta-1",
                "1.0-M1",
                "1.0-RC1",
                "1.0-SNAPSHOT",
                "1.0",
                "1.0-sp-1",
                "1.0-jre",
                "1.0-1",
                "1.0.1",
                "5.2.0.RC1",
                "5.2.0.RELEASE",
                "5.2.1.RELEASE",
                // An unknown qualifier is above a release (Spring's old snapshots sort last).
                "5.2.1.BUILD-SNAPSHOT",
                "30.1-android",
                "30.1-jre",
                "31.0.1-jre",
                "31.1-jre",
            ],
        ),
        // NuGet's documented precedence, with legacy four-part versions.
        (
            "NuGet",
            &[
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.0.1",
                "1.0.1-preview.1",
                "1.0.1",
                "4.0.0-preview2.20301.4",
                "4.0.0",
                "4.0.0.1",
                "6.0.0-rc.2.21480.5",
                "6.0.0",
            ],
        ),
        // Gem::Version's documented examples, with Rails-style versions.
        (
            "RubyGems",
            &[
                "1.0.a",
                "1.0.a.2",
                "1.0.b1",
                "1.0",
                "1.0.1",
                "5.2.4.rc1",
                "5.2.4",
                "5.2.4.1",
                "6.0.0.beta1",
                "6.0.0.beta3",
                "6.0.0.rc1",
                "6.0.0",
                "6.1.0",
                "7.0.0.alpha2",
                "7.0.0",
                "7.0.10",
            ],
        ),
        // Composer's stabilities and PHP's special forms, with Symfony- and Laravel-style versions.
        (
            "Packagist",
            &[
                "dev-main",
                "4.4.0-dev",
                "v4.4.0-alpha1",
                "v4.4.0-BETA1",
                "v4.4.0-beta2",
                "v4.4.0-RC1",
                "v4.4.0",
                "v4.4.0-p1",
                "v4.4.1",
                "4.4.x-dev",
                "v5.0.0-RC1",
                "5.0",
                "v5.0.1",
                "v10.48.2",
            ],
        ),
        // Debian and rpm, as their documentation orders them.
        (
            "Debian",
            &[
                "1.0~rc1-1",
                "1.0-1",
                "1.0-1+deb12u1",
                "1.0-1.1",
                "1.0+dfsg-1",
                "1.0.1-1",
                "1:0.9-1",
            ],
        ),
        (
            "Red Hat",
            &[
                "1.0~rc1-1.el8",
                "1.0-1.el8",
                "1.0-1.el8_4",
                "1.0^git1-1.el8",
                "1.0.1-1.el8",
                "1:0.9-1.el8",
            ],
        ),
        (
            "PyPI",
            &[
                "1.0.dev1",
                "1.0a1",
                "1.0b1",
                "1.0rc1",
                "1.0",
                "1.0.post1",
                "1.1.dev1",
                "1!0.1",
            ],
        ),
        (
            "npm",
            &[
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-beta",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1",
                "2.0.0",
            ],
        ),
    ];
    let mut r = Rng::new(0x50f7);
    let mut checked = 0;
    for (ecosystem, table) in tables {
        let s = scheme(ecosystem);
        for _ in 0..20 {
            let mut shuffled = table.to_vec();
            shuffle(&mut r, &mut shuffled);
            let sorted = merge_sort(&shuffled, &|a: &&str, b: &&str| s.compare(a, b));
            assert_eq!(
                &sorted, table,
                "{ecosystem}: a shuffled sort gives the documented order"
            );
        }
        for (i, a) in table.iter().enumerate() {
            for (j, b) in table.iter().enumerate() {
                assert_eq!(s.compare(a, b), i.cmp(&j), "{ecosystem}: {a:?} vs {b:?}");
                checked += 1;
            }
        }
    }
    eprintln!("{checked} ordered pairs from the specifications");
}

// ---------------------------------------------------------------------------------------------
// Properties of every ordering.

/// Each scheme once.
fn schemes() -> Vec<&'static dyn VersionScheme> {
    let mut out: Vec<&'static dyn VersionScheme> = Vec::new();
    for (_, s) in ECOSYSTEMS {
        if !out.iter().any(|o| o.id() == s.id()) {
            out.push(*s);
        }
    }
    out
}

/// Short hostile strings: empty, separators alone, non-ASCII (combining marks, case-folding
/// oddities, other scripts' digits), NUL, huge numbers.
fn hostile() -> Vec<String> {
    [
        "",
        " ",
        "~",
        "^",
        "-",
        ".",
        ":",
        "+",
        "_",
        "#",
        "@",
        "*",
        "0",
        "00",
        "-0",
        "1:",
        "::",
        "1.",
        ".1",
        "..",
        "--",
        "1--1",
        "1.0-",
        "é",
        "ü1",
        "日本",
        "🦀",
        "1\u{0}2",
        "\u{0}",
        "\u{300}",
        "İ",
        "ẞ",
        "\u{212a}",
        "ſ",
        "١٢٣",
        "v",
        "V1",
        "1.0.0-",
        "1.0.0+",
        "1!2",
        "1.0-1-1-1",
        "99999999999999999999999999.1",
        "18446744073709551616",
        "1.0.0-99999999999999999999",
        "#1.2",
        "1~2",
        "1.0.x-dev",
        "dev-",
        "-r",
        "_p",
        "1_p1_",
        "1-r1-r2",
        "\t1.0\n",
        "\u{feff}1.0",
        "1.0.0.RELEASE-",
        "1-1-",
        "0.0.0-0",
        "a:b:c-d-e",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Long hostile strings of `n` bytes or so, each repeating a shape.
fn long(n: usize) -> Vec<String> {
    [
        "9", "1.", "1-", "~", "a1", "1.0~", "-r", "_p", "é", ".", "1a", "x-", "0", "rc", "1:", "+", "^1",
    ]
    .iter()
    .map(|unit| unit.repeat(n / unit.len()))
    .collect()
}

/// Every ordering is reflexive, antisymmetric and transitive on generated, mutated and hostile
/// strings (a sort of each pool must leave every pair in order) and never panics.
#[test]
fn every_ordering_is_a_total_order() {
    let mut r = Rng::new(0x707a1);
    let mut pool: Vec<String> = hostile();
    for generator in GENERATORS {
        for _ in 0..10 {
            let v = generator(&mut r);
            let m = mutate(&mut r, &v);
            pool.push(v);
            pool.push(m);
        }
    }
    pool.extend(long(300));
    let mut compared = 0;
    for s in schemes() {
        let cmp = |a: &String, b: &String| s.compare(a, b);
        for (i, a) in pool.iter().enumerate() {
            assert_eq!(cmp(a, a), Ordering::Equal, "{}: {a:?} is not equal to itself", s.id());
            for b in &pool[i + 1..] {
                assert_eq!(
                    cmp(a, b),
                    cmp(b, a).reverse(),
                    "{}: {a:?} vs {b:?} is not antisymmetric",
                    s.id()
                );
                compared += 2;
            }
        }
        // Sorting and checking every pair finds any intransitive triple among them.
        let sorted = merge_sort(&pool, &cmp);
        for (i, a) in sorted.iter().enumerate() {
            for b in &sorted[i + 1..] {
                assert_ne!(
                    cmp(a, b),
                    Ordering::Greater,
                    "{}: sorted, yet {a:?} > {b:?}: not transitive",
                    s.id()
                );
                compared += 1;
            }
        }
        // Triples of near neighbours, where an inconsistency would most likely hide.
        for _ in 0..1500 {
            let base = GENERATORS[r.below(GENERATORS.len())](&mut r);
            let b = mutate(&mut r, &base);
            let c = mutate(&mut r, &b);
            let t = [base, b, c];
            for (x, y, z) in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)] {
                let (a, b, c) = (&t[x], &t[y], &t[z]);
                if cmp(a, b) != Ordering::Greater && cmp(b, c) != Ordering::Greater {
                    let ac = cmp(a, c);
                    assert_ne!(
                        ac,
                        Ordering::Greater,
                        "{}: {a:?} <= {b:?} <= {c:?} but {a:?} > {c:?}",
                        s.id()
                    );
                    if cmp(a, b) == Ordering::Equal && cmp(b, c) == Ordering::Equal {
                        assert_eq!(
                            ac,
                            Ordering::Equal,
                            "{}: {a:?} = {b:?} = {c:?} but {a:?} != {c:?}",
                            s.id()
                        );
                    }
                }
                compared += 3;
            }
        }
    }
    eprintln!("{compared} comparisons on {} strings per ordering", pool.len());
}

/// Long versions compare in linear time: eight times longer versions take about eight times
/// longer (a quadratic step would take 64 times), and every comparison is antisymmetric.
#[test]
fn long_versions_compare_in_linear_time() {
    let time = |s: &dyn VersionScheme, inputs: &[String]| {
        let mut total = Duration::ZERO;
        for a in inputs {
            let near = format!("{a}1");
            // The faster of two runs, so another test's work weighs less.
            let best = (0..2)
                .map(|_| {
                    let start = Instant::now();
                    let _ = s.compare(a, &near);
                    start.elapsed()
                })
                .min()
                .unwrap_or_default();
            assert_eq!(
                s.compare(a, &near),
                s.compare(&near, a).reverse(),
                "{}: antisymmetric on long strings",
                s.id()
            );
            total += best;
        }
        total
    };
    let (short, long) = (long(3_000), long(24_000));
    for s in schemes() {
        let (t_short, t_long) = (time(s, &short), time(s, &long));
        assert!(
            t_long < t_short * 30 + Duration::from_millis(50),
            "{}: 8× longer versions took {t_long:?} instead of {t_short:?}",
            s.id()
        );
    }
}

#[test]
fn every_listed_ecosystem_resolves() {
    for (name, s) in ECOSYSTEMS {
        assert_eq!(scheme_for(name).map(|x| x.id()), Some(s.id()));
        assert_eq!(
            scheme_for(&format!("{name}:some-release")).map(|x| x.id()),
            Some(s.id())
        );
    }
    assert_eq!(
        schemes().len(),
        9,
        "dpkg, apk, rpm, pep440, semver, maven, nuget, rubygems, packagist"
    );
}
