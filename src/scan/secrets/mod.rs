//! Secret detection: rules as data (`rules.toml`, embedded), a keyword prefilter
//! (Aho-Corasick over every rule's keywords, case-insensitive) so each rule's regex runs only
//! in a window around its keywords, entropy and placeholder checks, and redaction: a matched
//! value is never kept whole, only a short prefix and its length.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Deserialize)]
struct RuleFile {
    rule: Vec<RuleSpec>,
}

/// A rule as written in `rules.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleSpec {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub regex: String,
    pub keywords: Vec<String>,
    #[serde(default)]
    pub group: Option<usize>,
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub paths: Vec<String>,
    /// Whether the rule also runs on binary files (PEM blocks embedded in binaries).
    #[serde(default)]
    pub binary: bool,
    /// A broad rule that yields when a specific rule matches an overlapping value.
    #[serde(default)]
    pub fallback: bool,
    /// The value must mix at least two kinds of characters.
    #[serde(default)]
    pub mixed: bool,
    #[serde(default)]
    pub tp: Vec<String>,
    #[serde(default)]
    pub fp: Vec<String>,
}

/// A compiled rule.
pub struct Rule {
    pub spec: RuleSpec,
    regex: Regex,
}

/// All rules, compiled once, with the keyword automaton.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    keywords: AhoCorasick,
    /// Only the keywords of rules that run on binary files (most bytes scanned are binary).
    binary_keywords: AhoCorasick,
    /// Binary keyword pattern index → index in `keywords`.
    binary_map: Vec<usize>,
    /// Keyword pattern index → rules that listed it.
    keyword_rules: Vec<Vec<usize>>,
}

/// The embedded rules.
pub const RULES_TOML: &str = include_str!("rules.toml");

/// One place in a text where a rule matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub rule: usize,
    /// Byte range of the secret value in the scanned text.
    pub start: usize,
    pub end: usize,
    /// 1-based line of the start.
    pub line: usize,
    /// The value, redacted.
    pub redacted: String,
}

/// What a scan found: secrets, and apart from them the placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanned {
    pub secrets: Vec<Hit>,
    /// Values a rule matched that look like stand-ins (`changeme`, `xxxx`): never secrets.
    pub placeholders: Vec<Hit>,
}

/// The compiled embedded rule set (compiled on first use).
pub fn rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    // The embedded rules are checked by tests; a broken file is a build defect, not input.
    SET.get_or_init(|| RuleSet::parse(RULES_TOML).expect("embedded rules.toml is valid")) // ok: embedded data, tested
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Values that are templates, references or documentation rather than secrets.
pub fn is_placeholder(value: &[u8]) -> bool {
    is_reference(value) || looks_like_placeholder(value)
}

/// Values that name where a secret comes from (a variable, a path, code that reads it)
/// rather than holding one.
pub fn is_reference(value: &[u8]) -> bool {
    let v = String::from_utf8_lossy(value).to_ascii_lowercase();
    const REFERENCES: &[&str] = &[
        "${",
        "$(",
        "%(",
        "%{",
        "os.environ",
        "process.env",
        "getenv",
        "env[",
        "env.",
        "settings.",
        "config.",
        "(",
    ];
    // `$VAR`, `${VAR}`, `$(cmd)` are references; `$6$…` (a crypt hash) is not.
    let var_ref = value.first() == Some(&b'$')
        && value
            .get(1)
            .is_some_and(|&b| b == b'{' || b == b'(' || b == b'_' || b.is_ascii_alphabetic());
    var_ref
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with('@')
        || REFERENCES.iter().any(|w| v.contains(w))
}

/// Values that look like a stand-in for a secret: `changeme`, `xxxx`, `dummy`, `<your key>`,
/// one repeated character. Reported apart (`secret_placeholders`), never as secrets.
pub fn looks_like_placeholder(value: &[u8]) -> bool {
    let v = String::from_utf8_lossy(value).to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "example",
        "changeme",
        "change_me",
        "change-me",
        "placeholder",
        "your",
        "xxxx",
        "****",
        "dummy",
        "sample",
        "redacted",
        "todo",
        "fixme",
        "here",
        "replace",
        "insert",
        "<",
        ">",
        "{{",
        "}}",
        "password_",
        "_password",
        "secret_key_",
        "...",
        "notasecret",
        "not-a-secret",
        "fake",
        "test123",
        "secret123",
        "password123",
    ];
    if WORDS.iter().any(|w| v.contains(w)) {
        return true;
    }
    if matches!(
        v.as_str(),
        "password" | "secret" | "token" | "null" | "none" | "true" | "false" | "undefined" | "nil"
    ) {
        return true;
    }
    // One repeated character (`aaaa…`, `0000…`).
    let first = value.first().copied();
    value.iter().all(|&b| Some(b) == first)
}

/// The example values vendors publish in their documentation (AWS's `AKIAIOSFODNN7EXAMPLE`
/// and its secret key): found in countless READMEs and SDKs, never reported at all.
pub fn is_vendor_example(value: &[u8]) -> bool {
    const EXAMPLES: &[&[u8]] = &[
        b"AKIAIOSFODNN7EXAMPLE",
        b"AKIAI44QH8DHBEXAMPLE",
        b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        b"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    ];
    // AWS documents its example keys with this suffix.
    EXAMPLES.contains(&value) || value.ends_with(b"EXAMPLE") || value.ends_with(b"EXAMPLEKEY")
}

/// Whether a value mixes at least two of: lowercase, uppercase, digits, symbols (other than
/// the separators `-`, `_`, `.` that identifiers and words use).
pub fn mixes_kinds(value: &[u8]) -> bool {
    let mut kinds = [false; 4];
    for &b in value {
        match b {
            b'a'..=b'z' => kinds[0] = true,
            b'A'..=b'Z' => kinds[1] = true,
            b'0'..=b'9' => kinds[2] = true,
            b'-' | b'_' | b'.' => {}
            _ => kinds[3] = true,
        }
    }
    kinds.iter().filter(|&&k| k).count() >= 2
}

/// A short, safe form of a secret: a prefix and the length.
pub fn redact(value: &[u8]) -> String {
    let s = String::from_utf8_lossy(value);
    let keep = if s.chars().count() >= 16 { 4 } else { 2 };
    let prefix: String = s.chars().take(keep).collect();
    format!("{prefix}… ({} chars)", s.chars().count())
}

impl RuleSet {
    /// Parses and compiles rules from TOML.
    pub fn parse(toml_text: &str) -> Result<RuleSet, String> {
        let file: RuleFile = toml::from_str(toml_text).map_err(|e| format!("rules: {e}"))?;
        let mut rules = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, spec) in file.rule.into_iter().enumerate() {
            let regex = RegexBuilder::new(&spec.regex)
                .unicode(false)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| format!("rule {}: {e}", spec.id))?;
            if spec.keywords.is_empty() {
                return Err(format!("rule {} has no keywords", spec.id));
            }
            for k in &spec.keywords {
                let k = k.to_ascii_lowercase();
                match keywords.iter().position(|x| *x == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
            rules.push(Rule { spec, regex });
        }
        let build = |k: &[String]| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(k)
                .map_err(|e| format!("keywords: {e}"))
        };
        let binary_map: Vec<usize> = (0..keywords.len())
            .filter(|&k| keyword_rules[k].iter().any(|&r| rules[r].spec.binary))
            .collect();
        let binary_keywords = build(&binary_map.iter().map(|&k| keywords[k].clone()).collect::<Vec<_>>())?;
        let keywords = build(&keywords)?;
        Ok(RuleSet {
            rules,
            keywords,
            binary_keywords,
            binary_map,
            keyword_rules,
        })
    }

    fn applies(rule: &RuleSpec, path: Option<&str>, binary: bool) -> bool {
        if binary && !rule.binary {
            return false;
        }
        rule.paths.is_empty() || path.is_some_and(|p| rule.paths.iter().any(|s| p.ends_with(s.as_str())))
    }

    /// Finds secrets in `text`. `path` selects path-bound rules; `binary` limits scanning to
    /// the rules that make sense in binary data.
    pub fn scan(&self, text: &[u8], path: Option<&str>, binary: bool) -> Vec<Hit> {
        self.scan_all(text, path, binary).secrets
    }

    /// Finds secrets in `text`, and apart from them the values a rule matched that look like
    /// placeholders (references and vendors' documented examples are dropped).
    pub fn scan_all(&self, text: &[u8], path: Option<&str>, binary: bool) -> Scanned {
        // Binary data (most bytes scanned) can only hold PEM blocks, whose armor is upper
        // case (RFC 7468): one vectorised substring search rules out nearly every file.
        if binary && memchr::memmem::find(text, b"PRIVATE KEY").is_none() {
            return Scanned::default();
        }
        // Windows around keyword hits, per rule.
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.rules.len()];
        let automaton = if binary { &self.binary_keywords } else { &self.keywords };
        for m in automaton.find_overlapping_iter(text) {
            let k = m.pattern().as_usize();
            let k = if binary { self.binary_map[k] } else { k };
            for &r in &self.keyword_rules[k] {
                if !Self::applies(&self.rules[r].spec, path, binary) {
                    continue;
                }
                let back = text[..m.start()]
                    .iter()
                    .rev()
                    .take(1024)
                    .position(|&b| b == b'\n')
                    .unwrap_or(1024.min(m.start()));
                let start = m.start() - back;
                let end = (m.end() + 2048).min(text.len());
                let w = &mut windows[r];
                match w.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => w.push((start, end)),
                }
            }
        }
        let mut hits = Vec::new();
        let mut placeholders = Vec::new();
        for (r, ws) in windows.iter().enumerate() {
            let rule = &self.rules[r];
            let group = rule.spec.group.unwrap_or(1);
            for &(ws_start, ws_end) in ws {
                for caps in rule.regex.captures_iter(&text[ws_start..ws_end]) {
                    let Some(m) = caps.get(group).or_else(|| caps.get(0)) else {
                        continue;
                    };
                    let value = m.as_bytes();
                    let placeholder = !is_reference(value) && looks_like_placeholder(value);
                    if is_vendor_example(value)
                        || (is_placeholder(value) && !placeholder)
                        || (!placeholder
                            && (rule.spec.entropy.is_some_and(|e| entropy(value) < e)
                                || (rule.spec.mixed && !mixes_kinds(value))))
                    {
                        continue;
                    }
                    let start = ws_start + m.start();
                    let list = if placeholder { &mut placeholders } else { &mut hits };
                    if list.iter().any(|h: &Hit| h.rule == r && h.start == start) {
                        continue;
                    }
                    let line = text[..start].iter().filter(|&&b| b == b'\n').count() + 1;
                    list.push(Hit {
                        rule: r,
                        start,
                        end: ws_start + m.end(),
                        line,
                        redacted: redact(value),
                    });
                }
            }
        }
        Scanned {
            secrets: self.specific_first(hits),
            placeholders: self.specific_first(placeholders),
        }
    }

    /// A specific rule's finding wins over a broad one on the same value; in text order.
    fn specific_first(&self, mut hits: Vec<Hit>) -> Vec<Hit> {
        let specific: Vec<(usize, usize)> = hits
            .iter()
            .filter(|h| !self.rules[h.rule].spec.fallback)
            .map(|h| (h.start, h.end))
            .collect();
        hits.retain(|h| !self.rules[h.rule].spec.fallback || !specific.iter().any(|&(s, e)| h.start < e && s < h.end));
        hits.sort_by_key(|h| (h.start, h.rule));
        hits
    }
}

/// `text` with every secret replaced by its redacted form (for config values and build
/// commands shown in a report).
pub fn redact_text(text: &str) -> String {
    let hits = rules().scan(text.as_bytes(), None, false);
    replace_hits(text, &hits)
}

/// The span of `text` to hide for a hit: the whole value token (a value the regex cut at its
/// length cap continues to the next separator), a whole key block from `-----BEGIN` to its
/// `-----END` line, and never a split character.
fn redaction_span(text: &str, h: &Hit) -> (usize, usize) {
    let b = text.as_bytes();
    let mut start = h.start.min(b.len());
    let mut end = h.end.min(b.len());
    // Hits come from a byte-level scan: they may end inside a character.
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if let Some(begin) = text[..end]
        .rfind("-----BEGIN ")
        .filter(|&i| i >= start.saturating_sub(64))
    {
        start = start.min(begin);
        // Through the closing `-----END …-----` marker, or to the end when it is missing.
        end = match text[end..].find("-----END ") {
            Some(i) => {
                let after = end + i + "-----END ".len();
                text[after..].find("-----").map(|n| after + n + 5).unwrap_or(b.len())
            }
            None => b.len(),
        };
    } else {
        while end < b.len() && !b[end].is_ascii_whitespace() && !b"\"'`;,)]}".contains(&b[end]) {
            end += 1;
        }
    }
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

fn replace_hits(text: &str, hits: &[Hit]) -> String {
    // Overlapping hits are merged, so no part of any of them stays in clear.
    let mut spans: Vec<(usize, usize, &str)> = hits
        .iter()
        .map(|h| {
            let (s, e) = redaction_span(text, h);
            (s, e, h.redacted.as_str())
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut merged: Vec<(usize, usize, &str)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 < last.1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e, r) in merged {
        out.push_str(&text[at..s]);
        out.push_str(r);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// A `KEY=VALUE` pair (an env entry or a label) scanned for secrets.
pub struct PairScan {
    /// Rule hits, in the coordinates of the text `KEY=VALUE`.
    pub hits: Vec<Hit>,
    /// Placeholder values a rule matched, in the same coordinates (never secrets).
    pub placeholders: Vec<Hit>,
    /// Set when no rule matched but the name says secret and the value is real: its
    /// redacted form.
    pub by_name: Option<String>,
    /// The value with every secret redacted.
    pub value_redacted: String,
}

/// Scans a `KEY=VALUE` pair: by the rules, and by the name (`*_PASSWORD` with a real value).
pub fn scan_pair(key: &str, value: &str) -> PairScan {
    let text = format!("{key}={value}");
    let Scanned {
        secrets: hits,
        placeholders,
    } = rules().scan_all(text.as_bytes(), None, false);
    let by_name = (hits.is_empty() && suspicious_name(key) && value.len() >= 4 && !is_placeholder(value.as_bytes()))
        .then(|| redact(value.as_bytes()));
    // The value is redacted on its own: hits are shifted into its coordinates (a hit in the
    // key itself redacts the whole value, which is then not to be trusted either).
    let value_redacted = match &by_name {
        Some(r) => r.clone(),
        None if hits.iter().any(|h| h.start <= key.len()) && !hits.is_empty() => redact(value.as_bytes()),
        None => {
            let off = key.len() + 1;
            let shifted: Vec<Hit> = hits
                .iter()
                .map(|h| Hit {
                    start: h.start - off,
                    end: h.end.saturating_sub(off),
                    ..h.clone()
                })
                .collect();
            replace_hits(value, &shifted)
        }
    };
    PairScan {
        hits,
        placeholders,
        by_name,
        value_redacted,
    }
}

/// Findings the user accepts (known test fixtures, vendored examples).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    /// Rule ids to ignore.
    pub rules: Vec<String>,
    /// Path globs: `*` matches within a path component, `**` across components, `?` one
    /// character (`/usr/share/doc/**`, `**/testdata/*.pem`).
    pub paths: Vec<String>,
}

impl AllowList {
    pub fn allows(&self, rule: &str, path: Option<&str>) -> bool {
        self.rules.iter().any(|r| r == rule) || path.is_some_and(|p| self.paths.iter().any(|g| glob_match(g, p)))
    }
}

/// Matches a path against a glob (`*`, `**`, `?`).
pub fn glob_match(glob: &str, path: &str) -> bool {
    fn go(g: &[u8], p: &[u8]) -> bool {
        match g.first() {
            None => p.is_empty(),
            Some(b'*') if g.get(1) == Some(&b'*') => {
                let rest = g[2..].strip_prefix(b"/").unwrap_or(&g[2..]);
                rest.is_empty() || (0..=p.len()).any(|i| (i == 0 || p[i - 1] == b'/') && go(rest, &p[i..]))
            }
            Some(b'*') => (0..=p.len())
                .take_while(|&i| i == 0 || p[i - 1] != b'/')
                .any(|i| go(&g[1..], &p[i..])),
            Some(b'?') => p.first().is_some_and(|&c| c != b'/') && go(&g[1..], &p[1..]),
            Some(&c) => p.first() == Some(&c) && go(&g[1..], &p[1..]),
        }
    }
    go(glob.as_bytes(), path.as_bytes())
}

/// Whether content looks binary: a NUL byte in its first 8 KiB.
pub fn looks_binary(head: &[u8]) -> bool {
    // memchr, not a byte loop: this runs on every scanned file (a byte loop was 7% of the
    // native CLI's time on an image of 100 000 small files).
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}

/// Environment variable (or label) names that hold secrets by convention.
pub fn suspicious_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| n.contains(w))
        && !n.ends_with("_FILE")
        && !n.ends_with("_PATH")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_matches_its_true_positives_and_not_its_false_positives() {
        let set = rules();
        assert!(set.rules.len() >= 30);
        let mut ids = std::collections::HashSet::new();
        let mut failures = Vec::new();
        for (i, r) in set.rules.iter().enumerate() {
            let s = &r.spec;
            assert!(ids.insert(s.id.clone()), "duplicate id {}", s.id);
            assert!(
                s.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                s.id
            );
            assert!(!s.tp.is_empty() && !s.fp.is_empty(), "{} needs samples", s.id);
            let path = s.paths.first().map(|p| format!("/root/{p}"));
            for tp in &s.tp {
                let hits = set.scan(tp.as_bytes(), path.as_deref(), false);
                if !hits.iter().any(|h| h.rule == i) {
                    failures.push(format!("{} misses {tp:?}", s.id));
                }
            }
            for fp in &s.fp {
                let hits = set.scan(fp.as_bytes(), path.as_deref(), false);
                if hits.iter().any(|h| h.rule == i) {
                    failures.push(format!("{} wrongly matches {fp:?}", s.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("/usr/share/doc/**", "/usr/share/doc/a/b.txt"));
        assert!(glob_match("**/testdata/*.pem", "/src/app/testdata/key.pem"));
        assert!(!glob_match("**/testdata/*.pem", "/src/app/testdata/sub/key.pem"));
        assert!(glob_match("/etc/ssl/private/?.key", "/etc/ssl/private/a.key"));
        assert!(!glob_match("/etc/*", "/etc/ssl/x"));
        assert!(glob_match("/etc/*", "/etc/passwd"));
        let a = AllowList {
            rules: vec!["jwt".into()],
            paths: vec!["/opt/**".into()],
        };
        assert!(
            a.allows("jwt", None)
                && a.allows("private-key", Some("/opt/x/y"))
                && !a.allows("private-key", Some("/etc/x"))
        );
    }

    #[test]
    fn redaction_never_leaves_a_value_in_clear_and_never_panics() {
        // A token in the key (shorter redaction than the key: slicing must not panic).
        let key = "ghp_q8ZtW3Lw9Xr5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8";
        let p = scan_pair(key, "x");
        assert!(!p.hits.is_empty());
        // A key block in a build command: nothing of its body survives.
        let cmd = "RUN echo '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz3Lw9Xr5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8Ri3TaPoW4nM1bV5cX9zL\nSECONDLINEz3Lw9Xr5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8Ri3Ta\n-----END RSA PRIVATE KEY-----' > /k && make";
        let r = redact_text(cmd);
        assert!(!r.contains("MIIEow") && !r.contains("SECONDLINE"), "{r}");
        assert!(r.ends_with("' > /k && make"), "{r}");
        // A value longer than the rule's cap, and one ending in a multi-byte character.
        let long = format!("Xr5Nm2Kv7Qb1{}", "aB3".repeat(60));
        let p = scan_pair("DB_PASSWORD", &long);
        assert!(!p.value_redacted.contains("aB3aB3"), "{}", p.value_redacted);
        let uni = format!("{}é", "Xr5Nm2Kv7Qb1".repeat(11));
        let p = scan_pair("DB_PASSWORD", &uni);
        assert!(!p.value_redacted.contains("Xr5Nm2Kv7Qb1Xr5"), "{}", p.value_redacted);
    }

    #[test]
    fn redaction_keeps_only_a_prefix_and_the_length() {
        assert_eq!(redact(b"ghp_Zt3Lw9Xr5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8Ri3T"), "ghp_… (41 chars)");
        assert_eq!(redact(b"s3cretpw"), "s3… (8 chars)");
    }

    #[test]
    fn path_bound_rules_only_apply_to_their_files() {
        let text =
            b"root:$6$Zt3Lw9Xr$5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8Ri3TaPoW4nM1bV5cX9zL2kJ6hG3fD8sA0qE4r:19700:0:99999:7:::";
        assert!(!rules().scan(text, Some("/etc/shadow"), false).is_empty());
        assert!(rules().scan(text, Some("/usr/share/doc/x"), false).is_empty());
    }

    #[test]
    fn binary_files_are_only_searched_for_key_blocks() {
        let mut bin = b"\x00\x01ELF DB_PASSWORD=Xr5Nm2Kv7Qb1Hj6 ".to_vec();
        bin.extend_from_slice(b"\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz3Lw9Xr5Nm2Kv7Qb1Hj6Cd4Fs0Gy2Ue8Ri3TaPoW4nM1bV5cX9zL\n");
        let hits = rules().scan(&bin, None, looks_binary(&bin));
        assert_eq!(hits.len(), 1);
        assert_eq!(rules().rules[hits[0].rule].spec.id, "private-key");
        assert_eq!(hits[0].line, 2);
    }
}
