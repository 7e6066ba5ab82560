//! NuGet: `NuGetVersion` ordered by NuGet.Versioning's `VersionComparer.Default`.
//!
//! Hand-written (no Rust crate implements NuGet's rules) from the NuGet documentation ("Package
//! versioning") and NuGet.Versioning's parser and comparer: one to four numbers (a missing one
//! is 0, so `1.0` = `1.0.0.0`), SemVer 2.0 pre-release labels compared case-insensitively,
//! numeric labels (as `int.TryParse` reads them) below the others, a release above its
//! pre-releases, metadata after `+` ignored. A string NuGet rejects is read the way
//! osv-scalibr reads it (a SemVer-like string with four numbers, see `semver.rs`) and ordered
//! with the same rules. No reference tool runs here: the tests are the documentation's
//! examples as ordered lists.
//!
//! Known difference: NuGet keeps numbers in an `int`; here they have any length.

use super::VersionScheme;
use super::semver::Lenient;
use std::cmp::Ordering;

/// NuGet's ordering.
pub struct NuGet;

impl VersionScheme for NuGet {
    fn id(&self) -> &'static str {
        "nuget"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        key(a).cmp_by(&key(b), cmp_labels)
    }
}

/// The version as numbers and labels: NuGet's own reading when it accepts the string, else
/// osv-scalibr's.
fn key(v: &str) -> Lenient<'_> {
    let v = v.trim();
    strict(v).unwrap_or_else(|| Lenient::parse(v.strip_prefix('v').unwrap_or(v), 4))
}

/// `NuGetVersion.TryParse`: `numbers[-labels][+metadata]`, where the numbers are one to four
/// dot-separated runs of digits (an empty run is 0), every label is a non-empty
/// `[0-9A-Za-z-]` word without a leading zero if numeric, and metadata parts are non-empty
/// words.
fn strict(v: &str) -> Option<Lenient<'_>> {
    let s = v.as_bytes();
    let first = s.iter().position(|&c| c == b'-' || c == b'+');
    let (numbers, labels, metadata) = match first {
        None => (s, None, None),
        // A trailing `-` or `+` stays part of what NuGet takes as the numbers.
        Some(p) if p + 1 == s.len() => return None,
        Some(p) => {
            let (numbers, rest) = (s.get(..p)?, s.get(p + 1..)?);
            if s.get(p) == Some(&b'+') {
                (numbers, None, Some(rest))
            } else {
                match rest.iter().position(|&c| c == b'+') {
                    Some(q) => (numbers, Some(rest.get(..q)?), Some(rest.get(q + 1..)?)),
                    None => (numbers, Some(rest), None),
                }
            }
        }
    };
    let word = |w: &[u8]| !w.is_empty() && w.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
    if numbers.is_empty() || numbers.split(|&c| c == b'.').count() > 4 {
        return None;
    }
    if !numbers.split(|&c| c == b'.').all(|n| n.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    if let Some(labels) = labels {
        let leading_zero = |w: &[u8]| w.len() > 1 && w.first() == Some(&b'0') && w.iter().all(u8::is_ascii_digit);
        if !labels.split(|&c| c == b'.').all(|w| word(w) && !leading_zero(w)) {
            return None;
        }
    }
    if metadata.is_some_and(|m| !m.split(|&c| c == b'.').all(word)) {
        return None;
    }
    Some(Lenient {
        numbers: numbers.split(|&c| c == b'.').collect(),
        pre: labels.map(<[u8]>::to_vec),
    })
}

/// `VersionComparer.CompareReleaseLabels`: label by label, more labels win a tie.
fn cmp_labels(a: &[u8], b: &[u8]) -> Ordering {
    let mut a = a.split(|&c| c == b'.');
    let mut b = b.split(|&c| c == b'.');
    loop {
        let r = match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => cmp_label(x, y),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
}

/// `VersionComparer.CompareRelease`: labels `int.TryParse` reads (an optional sign, digits,
/// within an `i32`) compare as numbers and below the others, which compare ordinally ignoring
/// ASCII case.
fn cmp_label(a: &[u8], b: &[u8]) -> Ordering {
    let int = |w: &[u8]| std::str::from_utf8(w).ok().and_then(|w| w.parse::<i32>().ok());
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a
            .iter()
            .map(u8::to_ascii_uppercase)
            .cmp(b.iter().map(u8::to_ascii_uppercase)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn nuget_documentation_order() {
        assert_ascending(
            &NuGet,
            &[
                "garbage",
                "0.9",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-Beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.0.1-beta",
                "1.0.0.1",
                "1.0.0.10",
                "1.0.1-0",
                "1.0.1-2",
                "1.0.1-10",
                "1.0.1-a",
                "1.0.1",
                "1.1",
                "2.0.0.0",
                "10.0.0",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &NuGet,
            &[
                ("1.0", "1.0.0.0"),
                ("1", "1.0.0"),
                ("1.0.0-BETA", "1.0.0-beta"),
                ("1.0.0+build.1", "1.0.0+other"),
                ("01.02.03", "1.2.3"),
                (" 1.0.0 ", "1.0.0"),
                ("1..2", "1.0.2"),
            ],
        );
    }

    #[test]
    fn strict_parse_follows_nuget() {
        assert!(strict("1.0.0.0").is_some());
        assert!(strict("1.0.0.0.0").is_none());
        assert!(strict("1.0.0-").is_none());
        assert!(strict("1.0.0-01").is_none());
        assert!(strict("1.0.0-0a").is_some());
        assert!(strict("1.0.0-a..b").is_none());
        assert!(strict("1.0.0+").is_none());
        assert!(strict("v1.0.0").is_none());
        // Rejected versions are still ordered: `v1.0.0` reads as 1.0.0.
        assert_eq!(NuGet.compare("v1.0.0", "1.0.0"), Ordering::Equal);
        assert_eq!(NuGet.compare("1.0.0.0.5", "1.0.0.0"), Ordering::Less);
    }
}
