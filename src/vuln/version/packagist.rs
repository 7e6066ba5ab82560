//! Packagist: Composer's `VersionParser::normalize`, then PHP's `version_compare`.
//!
//! Hand-written (no Rust crate) from composer/semver's `VersionParser::normalize` (its
//! regular expressions, run here with the `regex` crate, which the secret scanner already
//! uses) and php-src's `ext/standard/versioning.c`. Normalisation makes `v1.2`, `1.2.0` and
//! `1.2.0.0` one version and spells stabilities one way (`1.0-b2` → `1.0.0.0-beta2`,
//! `-p1`/`-pl1` → `-patch1`, `2.1.x-dev` → `2.1.9999999.9999999-dev`). PHP then splits the
//! version into numbers and words and orders words `dev` < `alpha` = `a` < `beta` = `b` <
//! `RC` = `rc` < (a number) < `pl` = `p`, unknown words first of all; where one version runs
//! out, the other's next number makes it newer and its next word is weighed against a number.
//! A string Composer rejects is compared as it is, after surrounding whitespace and a `v`
//! before a digit (osv.dev and osv-scalibr compare such strings with `version_compare` too).
//! No reference tool runs here: the tests are the documented orders as ordered lists.
//!
//! Where `version_compare` is not a total order (a version ending in `.` is below itself, a
//! version starting with `#` skips canonicalisation), this picks the nearest total order; PHP
//! reads numbers with a saturating `strtol`, here they have any length.

use super::{VersionScheme, cmp_digits};
use regex::bytes::Regex;
use std::cmp::Ordering;
use std::sync::OnceLock;

/// Composer's normalisation and PHP's `version_compare`.
pub struct Packagist;

impl VersionScheme for Packagist {
    fn id(&self) -> &'static str {
        "packagist"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (comparable(a.as_bytes()), comparable(b.as_bytes()));
        // PHP: an empty version is below any other.
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (a, b) = (canonicalize(&a), canonicalize(&b));
        let (a, b) = (elements(&a), elements(&b));
        for k in 0..a.len().max(b.len()) {
            let r = cmp_elem(a.get(k).unwrap_or(&Elem::Absent), b.get(k).unwrap_or(&Elem::Absent));
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}

/// The string `version_compare` sees: Composer's normal form, else the trimmed string without
/// a `v` before a digit.
fn comparable(v: &[u8]) -> Vec<u8> {
    normalize(v).unwrap_or_else(|| {
        let v = php_trim(v);
        let v = match v {
            [b'v' | b'V', d, ..] if d.is_ascii_digit() => v.get(1..).unwrap_or_default(),
            _ => v,
        };
        v.to_vec()
    })
}

/// PHP's `trim`: spaces, tabs, newlines, carriage returns, NUL and vertical tabs.
fn php_trim(v: &[u8]) -> &[u8] {
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0b');
    let start = v.iter().position(|c| !blank(c)).unwrap_or(v.len());
    let end = v.iter().rposition(|c| !blank(c)).map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or_default()
}

/// Composer's patterns, with `[0-9]` for `\d` and plain for possessive quantifiers (nothing
/// that follows them could take back what they matched, so the matches are the same).
struct Patterns {
    alias: Regex,
    stability_flag: Regex,
    build: Regex,
    classical: Regex,
    date: Regex,
    dev: Regex,
    branch: Regex,
}

const MODIFIER: &str = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?[0-9]+)*)?)?([.-]?dev)?";

fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(Patterns {
                alias: Regex::new(r"(?-u)^([^,\s]+) +as +([^,\s]+)$").ok()?,
                stability_flag: Regex::new(r"(?i-u)@(?:stable|RC|beta|alpha|dev)$").ok()?,
                build: Regex::new(r"(?-u)^([^,\s+]+)\+[^\s]+$").ok()?,
                classical: Regex::new(&format!(
                    r"(?i-u)^v?([0-9]{{1,5}})(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?{MODIFIER}$"
                ))
                .ok()?,
                date: Regex::new(&format!(
                    r"(?i-u)^v?([0-9]{{4}}(?:[.:-]?[0-9]{{2}}){{1,6}}(?:[.:-]?[0-9]{{1,3}})?){MODIFIER}$"
                ))
                .ok()?,
                dev: Regex::new(r"(?i-u)(.*?)[.-]?dev$").ok()?,
                branch: Regex::new(r"(?i-u)^v?([0-9]+)(\.(?:[0-9]+|[x*]))?(\.(?:[0-9]+|[x*]))?(\.(?:[0-9]+|[x*]))?$")
                    .ok()?,
            })
        })
        .as_ref()
}

/// `VersionParser::normalize`, `None` where Composer throws.
fn normalize(v: &[u8]) -> Option<Vec<u8>> {
    let p = patterns()?;
    let mut v = php_trim(v);
    if let Some(c) = p.alias.captures(v) {
        v = c.get(1)?.as_bytes();
    }
    if let Some(m) = p.stability_flag.find(v) {
        v = v.get(..m.start())?;
    }
    if matches!(v, b"master" | b"trunk" | b"default") {
        return Some([b"dev-", v].concat());
    }
    if v.get(..4).is_some_and(|head| head.eq_ignore_ascii_case(b"dev-")) {
        return Some([b"dev-", v.get(4..)?].concat());
    }
    if let Some(c) = p.build.captures(v) {
        v = c.get(1)?.as_bytes();
    }
    let (mut version, c, index) = if let Some(c) = p.classical.captures(v) {
        let mut version = group(&c, 1).to_vec();
        for i in 2..=4 {
            let part = group(&c, i);
            version.extend_from_slice(if part.is_empty() { b".0" } else { part });
        }
        (version, c, 5)
    } else if let Some(c) = p.date.captures(v) {
        let version = group(&c, 1)
            .iter()
            .map(|&d| if d.is_ascii_digit() { d } else { b'.' })
            .collect();
        (version, c, 2)
    } else {
        // A numeric branch: `1.x-dev`, `2.1.*-dev`.
        let c = p.dev.captures(v)?;
        let normalized = normalize_branch(p, group(&c, 1));
        return if normalized.windows(4).any(|w| w == b"dev-") {
            None
        } else {
            Some(normalized)
        };
    };
    let stability = group(&c, index);
    if !stability.is_empty() {
        if stability == b"stable" {
            return Some(version);
        }
        version.push(b'-');
        version.extend_from_slice(expand_stability(stability).as_bytes());
        let number = group(&c, index + 1);
        let start = super::run_len(number, |c| c == b'.' || c == b'-');
        version.extend_from_slice(number.get(start..).unwrap_or_default());
    }
    if !group(&c, index + 2).is_empty() {
        version.extend_from_slice(b"-dev");
    }
    Some(version)
}

/// A capture group's text, empty when it did not take part.
fn group<'h>(c: &regex::bytes::Captures<'h>, i: usize) -> &'h [u8] {
    c.get(i).map(|m| m.as_bytes()).unwrap_or_default()
}

/// `VersionParser::expandStability`.
fn expand_stability(s: &[u8]) -> String {
    let s = String::from_utf8_lossy(s).to_ascii_lowercase();
    match s.as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        _ => s,
    }
}

/// `VersionParser::normalizeBranch`: `1.2.x` → `1.2.9999999.9999999-dev`, anything else
/// `dev-` + name.
fn normalize_branch(p: &Patterns, name: &[u8]) -> Vec<u8> {
    let name = php_trim(name);
    let Some(c) = p.branch.captures(name) else {
        return [b"dev-", name].concat();
    };
    let mut version = Vec::new();
    for i in 1..=4 {
        match c.get(i) {
            Some(part) => version.extend(
                part.as_bytes()
                    .iter()
                    .map(|&c| if c == b'*' || c == b'X' { b'x' } else { c }),
            ),
            None => version.extend_from_slice(b".x"),
        }
    }
    let mut out = Vec::new();
    for &c in &version {
        if c == b'x' {
            out.extend_from_slice(b"9999999");
        } else {
            out.push(c);
        }
    }
    out.extend_from_slice(b"-dev");
    out
}

/// One part of a version for `version_compare`.
#[derive(Debug, PartialEq)]
enum Elem<'a> {
    /// A number (its digits).
    Number(&'a [u8]),
    /// A word, by its special-form rank: -1 unknown, 0 `dev`, 1 `a…`, 2 `b…`, 3 `RC…`/`rc…`,
    /// 4 `#…`, 5 `p…`.
    Word(i8),
    /// The empty part after a trailing `.`, which PHP puts below everything.
    TrailingEmpty,
    /// Past the end of the shorter version.
    Absent,
}

/// `php_canonicalize_version`: the separators `-_+` and any other non-alphanumeric byte
/// become a single `.`, and a `.` goes between a digit and a non-digit (which keeps even
/// punctuation: `1~2` → `1.~.2`); the first byte stays as it is, and a version starting with
/// `#` is left alone.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = v.split_first() else {
        return Vec::new();
    };
    if first == b'#' {
        return v.to_vec();
    }
    let is_dig = |x: u8| x.is_ascii_digit();
    let is_ndig = |x: u8| !x.is_ascii_digit() && x != b'.';
    let mut buf = Vec::with_capacity(v.len() * 2);
    buf.push(first);
    let mut lp = first;
    for &c in rest {
        let dot_last = buf.last() == Some(&b'.');
        if matches!(c, b'-' | b'_' | b'+') {
            if !dot_last {
                buf.push(b'.');
            }
        } else if (is_ndig(lp) && is_dig(c)) || (is_dig(lp) && is_ndig(c)) {
            if !dot_last {
                buf.push(b'.');
            }
            buf.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if !dot_last {
                buf.push(b'.');
            }
        } else {
            buf.push(c);
        }
        lp = c;
    }
    buf
}

/// The canonical version split at its dots.
fn elements(canonical: &[u8]) -> Vec<Elem<'_>> {
    let parts: Vec<&[u8]> = canonical.split(|&c| c == b'.').collect();
    let last = parts.len().saturating_sub(1);
    parts
        .into_iter()
        .enumerate()
        .map(|(k, part)| match part.first() {
            Some(d) if d.is_ascii_digit() => Elem::Number(
                part.get(..super::run_len(part, |c| c.is_ascii_digit()))
                    .unwrap_or_default(),
            ),
            None if k == last && k > 0 => Elem::TrailingEmpty,
            _ => Elem::Word(word_rank(part)),
        })
        .collect()
}

/// `compare_special_version_forms`: a word counts as the first special form it starts with.
fn word_rank(w: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| w.starts_with(form))
        .map_or(-1, |&(_, rank)| rank)
}

/// Numbers weigh as the special form `#` (between `RC` and `pl`) against words, and beat the
/// absence of a part; a missing part weighs as `#` against words.
fn cmp_elem(a: &Elem<'_>, b: &Elem<'_>) -> Ordering {
    let weight = |e: &Elem<'_>| match e {
        Elem::Number(_) => (4, 1),
        Elem::Word(r) => (*r, 0),
        Elem::Absent => (4, 0),
        Elem::TrailingEmpty => (-2, 0),
    };
    match (a, b) {
        (Elem::Number(x), Elem::Number(y)) => cmp_digits(x, y),
        _ => weight(a).cmp(&weight(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn composer_and_php_order() {
        assert_ascending(
            &Packagist,
            &[
                "",
                "foo",
                "dev-master",
                "1.0.0-dev",
                "1.0.0-alpha",
                "1.0.0-alpha2",
                "1.0.0-beta1",
                "1.0.0-RC1",
                "1.0.0-rc.2",
                "1.0.0",
                "1.0.0-p1",
                "1.0.0-patch2",
                "1.0.0.1",
                "v1.0.1",
                "1.0.x-dev",
                "1.1",
                "2.0.0-beta",
                "2.0.0",
                "20100102",
            ],
        );
    }

    #[test]
    fn normal_forms() {
        let n = |v: &str| normalize(v.as_bytes()).map(|n| String::from_utf8_lossy(&n).into_owned());
        assert_eq!(n("1.0").as_deref(), Some("1.0.0.0"));
        assert_eq!(n(" v2.1.3 ").as_deref(), Some("2.1.3.0"));
        assert_eq!(n("1.0.0-b2").as_deref(), Some("1.0.0.0-beta2"));
        assert_eq!(n("1.0.0-RC.1").as_deref(), Some("1.0.0.0-RC1"));
        assert_eq!(n("1.0.0-pl3").as_deref(), Some("1.0.0.0-patch3"));
        assert_eq!(n("1.0.0-beta.1-dev").as_deref(), Some("1.0.0.0-beta1-dev"));
        assert_eq!(n("1.0.0-stable").as_deref(), Some("1.0.0.0"));
        assert_eq!(n("1.0.0+build.1").as_deref(), Some("1.0.0.0"));
        assert_eq!(n("1.2.3 as 1.2.x-dev").as_deref(), Some("1.2.3.0"));
        assert_eq!(n("1.0@beta").as_deref(), Some("1.0.0.0"));
        assert_eq!(n("2010-01-02").as_deref(), Some("2010.01.02"));
        assert_eq!(n("2.1.x-dev").as_deref(), Some("2.1.9999999.9999999-dev"));
        assert_eq!(n("dev-feature/x").as_deref(), Some("dev-feature/x"));
        assert_eq!(n("master").as_deref(), Some("dev-master"));
        assert_eq!(n("foo"), None);
        assert_eq!(n("1.0.0.0.0"), None);
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &Packagist,
            &[
                ("1.0", "1.0.0"),
                ("v1.0.0", "1.0.0.0"),
                ("1.0.0-b1", "1.0.0-beta1"),
                ("1.0.0-p1", "1.0.0-pl1"),
                ("1.0.0-rc1", "1.0.0-RC1"),
                ("1.0.0+foo", "1.0.0"),
                // Rejected by Composer, compared as PHP does: `betax` counts as `beta`.
                ("1.0betax1", "1.0betay1"),
            ],
        );
        assert_eq!(Packagist.compare("x1.", "x1"), Ordering::Less);
        assert_eq!(Packagist.compare("x1.", "x1.foo"), Ordering::Less);
        assert_eq!(Packagist.compare("1~2", "1.2"), Ordering::Less);
    }
}
