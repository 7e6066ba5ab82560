//! npm, crates.io, Go (and osv.dev's other SemVer ecosystems): SemVer 2.0.0 precedence, build
//! metadata ignored.
//!
//! Versions the `semver` crate parses (after the surrounding whitespace and a leading `v`, which
//! node-semver and Go accept) are ordered by it; `tests/version_orderings.rs` compares this with
//! node-semver's `semver.compare`. Go pseudo-versions (`v0.0.0-20210101000000-abcdef123456`)
//! are ordinary pre-releases. Anything else is read the way osv-scalibr's `semantic` package
//! reads a SemVer-like string (hand-written from it): the leading dot-separated numbers (a
//! missing one is 0), and from the first other character on a pre-release (metadata after a
//! `+` dropped, one leading `-` dropped); numbers after the third move to the pre-release as
//! `.N`, so `1.2.3.4` sorts below `1.2.3` as it does in osv-scanner. That reading gives every
//! valid version the crate's order, so the two mix into one total order.

use super::{VersionScheme, cmp_digits};
use std::cmp::Ordering;

/// SemVer precedence with osv-scalibr's lenient reading of non-SemVer strings.
pub struct Semver;

impl VersionScheme for Semver {
    fn id(&self) -> &'static str {
        "semver"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (trim(a), trim(b));
        match (::semver::Version::parse(a), ::semver::Version::parse(b)) {
            (Ok(va), Ok(vb)) => va.cmp_precedence(&vb),
            _ => Lenient::parse(a, 3).cmp_by(&Lenient::parse(b, 3), cmp_pre),
        }
    }
}

/// Whitespace around the version and one leading `v` (Go's prefix, accepted by node-semver).
fn trim(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('v').unwrap_or(v)
}

/// osv-scalibr's reading of a SemVer-like string (its `parseSemverLikeVersion`), also used by
/// the NuGet ordering with four numbers instead of three.
pub(super) struct Lenient<'a> {
    /// The leading numbers, at most the scheme's count, as digit runs.
    pub numbers: Vec<&'a [u8]>,
    /// The pre-release, `None` for a release.
    pub pre: Option<Vec<u8>>,
}

impl<'a> Lenient<'a> {
    /// Reads the leading dot-separated numbers (at most `max`), then takes everything from the
    /// first other character as the pre-release. osv-scalibr appends numbers beyond `max` to
    /// that rest (`1.2.3.4-rc` → `-rc.4`, `1.2.3.4` → `.4`), then drops everything from a `+`
    /// and one leading `-`.
    pub fn parse(v: &'a str, max: usize) -> Self {
        let v = v.as_bytes();
        let mut numbers: Vec<&[u8]> = Vec::new();
        let mut i = 0;
        while let Some(&c) = v.get(i) {
            if c == b'.' {
                i += 1;
            } else if c.is_ascii_digit() {
                let n = super::run_len(v.get(i..).unwrap_or_default(), |c| c.is_ascii_digit());
                numbers.push(v.get(i..i + n).unwrap_or_default());
                i += n;
            } else {
                break;
            }
        }
        let extra = numbers.split_off(numbers.len().min(max));
        let mut pre = v.get(i..).unwrap_or_default().to_vec();
        for n in extra {
            pre.push(b'.');
            pre.extend_from_slice(n);
        }
        if let Some(plus) = pre.iter().position(|&c| c == b'+') {
            pre.truncate(plus);
        }
        if pre.first() == Some(&b'-') {
            pre.remove(0);
        }
        Lenient {
            numbers,
            pre: if pre.is_empty() { None } else { Some(pre) },
        }
    }

    /// Compares the numbers (a missing one is 0), then the pre-releases (a release is above
    /// any pre-release) with `cmp_pre`.
    pub fn cmp_by(&self, other: &Self, cmp_pre: impl Fn(&[u8], &[u8]) -> Ordering) -> Ordering {
        let len = self.numbers.len().max(other.numbers.len());
        for k in 0..len {
            let a = self.numbers.get(k).copied().unwrap_or_default();
            let b = other.numbers.get(k).copied().unwrap_or_default();
            let r = cmp_digits(a, b);
            if r != Ordering::Equal {
                return r;
            }
        }
        match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => cmp_pre(a, b),
        }
    }
}

/// Compares two pre-releases identifier by identifier; a longer one wins a tie.
fn cmp_pre(a: &[u8], b: &[u8]) -> Ordering {
    a.split(|&c| c == b'.')
        .map(Ident)
        .cmp(b.split(|&c| c == b'.').map(Ident))
}

/// A pre-release identifier: all digits compare numerically and below the others, which
/// compare bytewise (SemVer's rules; only ASCII digits count, unlike Go's `big.Int` parse in
/// osv-scalibr, so that every valid version keeps SemVer's order).
#[derive(PartialEq, Eq)]
struct Ident<'a>(&'a [u8]);

impl Ident<'_> {
    fn is_numeric(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(u8::is_ascii_digit)
    }
}

impl Ord for Ident<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_numeric(), other.is_numeric()) {
            (true, true) => cmp_digits(self.0, other.0),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.0.cmp(other.0),
        }
    }
}

impl PartialOrd for Ident<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    /// SemVer 2.0.0 §11's examples, with Go pseudo-versions and lenient strings around them.
    #[test]
    fn semver_precedence_examples() {
        assert_ascending(
            &Semver,
            &[
                "0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20210101000000-abcdef123456",
                "garbage",
                "0.0.0",
                "0.9",
                "1.0.0-0.3.7",
                "1.0.0.1",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.0.1",
                "v1.2.0-pre",
                "1.2",
                "1.10.0",
                "2",
                "2.0.1-rc1+incompatible",
                "v2.0.1+incompatible",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &Semver,
            &[
                ("1.0.0", "v1.0.0"),
                ("", "0.0.0"),
                ("1.0.0", " 1.0.0\n"),
                ("1.0.0+build.1", "1.0.0+build.2"),
                ("1", "1.0.0"),
                ("1.0", "1.0.0-"),
                ("01.002.0003", "1.2.3"),
                ("1.2.3.4", "1.2.3-.4"),
            ],
        );
    }

    #[test]
    fn the_lenient_reading_agrees_with_the_crate_on_valid_versions() {
        let valid = [
            "0.0.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-0.3.7",
            "1.0.0-x.7.z.92",
            "1.0.0-x-y-z.--",
            "1.0.0-alpha+001",
            "1.0.0+20130313144700",
            "1.0.0-beta+exp.sha.5114f85",
            "1.0.0-a-b",
            "1.0.0--1",
            "1.0.0-0a",
            "1.0.0-11",
            "1.0.0-2",
            "18446744073709551615.0.0",
        ];
        for a in valid {
            for b in valid {
                let strict = ::semver::Version::parse(a)
                    .unwrap()
                    .cmp_precedence(&::semver::Version::parse(b).unwrap());
                assert_eq!(
                    Lenient::parse(a, 3).cmp_by(&Lenient::parse(b, 3), cmp_pre),
                    strict,
                    "{a} vs {b}"
                );
            }
        }
    }
}
