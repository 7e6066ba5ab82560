//! Version orderings, one per ecosystem family, behind [`VersionScheme`]. Every ordering is
//! total and lenient: a version its strict grammar rejects is still ordered (never dropped),
//! the way osv.dev orders such versions.
//!
//! Each scheme is one file; its header says whether it is hand-written and from which
//! specification. `tests/version_orderings.rs` compares them with the real tools (apt, rpm,
//! packaging, node-semver, Maven's `ComparableVersion`) and checks every scheme for
//! antisymmetry, transitivity and never panicking; the `versions` fuzz target does the same on
//! arbitrary input.

use std::cmp::Ordering;

mod apk;
mod dpkg;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod rpm;
mod rubygems;
mod semver;

pub use apk::Apk;
pub use dpkg::Dpkg;
pub use maven::Maven;
pub use nuget::NuGet;
pub use packagist::Packagist;
pub use pep440::Pep440;
pub use rpm::Rpm;
pub use rubygems::RubyGems;
pub use semver::Semver;

/// One ecosystem's version ordering.
pub trait VersionScheme: Sync {
    /// Stable kebab-case id (`dpkg`, `pep440`, …).
    fn id(&self) -> &'static str;
    /// Orders two versions of this ecosystem. Total: never fails, whatever the strings.
    fn compare(&self, a: &str, b: &str) -> Ordering;
}

/// Every OSV ecosystem (the part of the name before any `:`) porthole can order, with its
/// scheme. The names are those of the OSV schema's `ecosystems.json`; a family's derivatives
/// are listed where osv.dev and osv-scalibr order them the same way (apk for Wolfi and
/// Chainguard, rpm for every rpm-based distribution, SemVer for osv.dev's SemVer ecosystems).
pub static ECOSYSTEMS: &[(&str, &dyn VersionScheme)] = &[
    ("Debian", &Dpkg),
    ("Ubuntu", &Dpkg),
    ("Alpine", &Apk),
    ("Alpaquita", &Apk),
    ("BellSoft Hardened Containers", &Apk),
    ("Chainguard", &Apk),
    ("MinimOS", &Apk),
    ("Wolfi", &Apk),
    ("AlmaLinux", &Rpm),
    ("Azure Linux", &Rpm),
    ("Mageia", &Rpm),
    ("openEuler", &Rpm),
    ("openSUSE", &Rpm),
    ("Photon OS", &Rpm),
    ("Red Hat", &Rpm),
    ("Rocky Linux", &Rpm),
    ("SUSE", &Rpm),
    ("PyPI", &Pep440),
    ("npm", &Semver),
    ("crates.io", &Semver),
    ("Go", &Semver),
    ("Bitnami", &Semver),
    ("Hex", &Semver),
    ("SwiftURL", &Semver),
    ("Maven", &Maven),
    ("NuGet", &NuGet),
    ("RubyGems", &RubyGems),
    ("Packagist", &Packagist),
];

/// The ordering for an OSV ecosystem (`Debian:12`, `PyPI`, …; only the part before the first
/// `:` counts), if porthole knows it.
pub fn scheme_for(ecosystem: &str) -> Option<&'static dyn VersionScheme> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    ECOSYSTEMS
        .iter()
        .find(|(name, _)| *name == base)
        .map(|(_, scheme)| *scheme)
}

/// Compares two runs of ASCII digits as non-negative integers of any size (leading zeros
/// ignored, an empty run is zero), so no ordering overflows or loses precision on long numbers.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The digits without their leading zeros (zero itself becomes empty).
pub(crate) fn strip_zeros(digits: &[u8]) -> &[u8] {
    let start = digits.iter().position(|&d| d != b'0').unwrap_or(digits.len());
    digits.get(start..).unwrap_or_default()
}

/// The length of the run of bytes at the start of `s` that satisfy `pred`.
pub(crate) fn run_len(s: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    s.iter().position(|&c| !pred(c)).unwrap_or(s.len())
}

#[cfg(test)]
pub(crate) mod testing {
    use super::VersionScheme;
    use std::cmp::Ordering;

    /// Asserts that `sorted` is in strictly ascending order under `scheme` (every pair, both
    /// ways), and that sorting a reversed and an interleaved copy gives it back.
    pub fn assert_ascending(scheme: &dyn VersionScheme, sorted: &[&str]) {
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(scheme.compare(a, b), i.cmp(&j), "{}: {a:?} vs {b:?}", scheme.id());
            }
        }
        let mut shuffled: Vec<&str> = sorted.iter().rev().copied().collect();
        let half = shuffled.len() / 2;
        shuffled.rotate_left(half);
        shuffled.sort_by(|a, b| scheme.compare(a, b));
        assert_eq!(shuffled, sorted, "{}", scheme.id());
    }

    /// Asserts that each pair compares equal, both ways.
    pub fn assert_equal(scheme: &dyn VersionScheme, pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            assert_eq!(scheme.compare(a, b), Ordering::Equal, "{}: {a:?} vs {b:?}", scheme.id());
            assert_eq!(scheme.compare(b, a), Ordering::Equal, "{}: {b:?} vs {a:?}", scheme.id());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_resolve_with_and_without_a_release_suffix() {
        assert_eq!(scheme_for("Debian:12").map(|s| s.id()), Some("dpkg"));
        assert_eq!(scheme_for("Ubuntu:Pro:18.04:LTS").map(|s| s.id()), Some("dpkg"));
        assert_eq!(scheme_for("Alpine:v3.20").map(|s| s.id()), Some("apk"));
        assert_eq!(
            scheme_for("Red Hat:rhel_aus:8.4::appstream").map(|s| s.id()),
            Some("rpm")
        );
        assert_eq!(scheme_for("PyPI").map(|s| s.id()), Some("pep440"));
        assert_eq!(scheme_for("Go").map(|s| s.id()), Some("semver"));
        assert_eq!(
            scheme_for("Maven:https://maven.google.com").map(|s| s.id()),
            Some("maven")
        );
        assert!(scheme_for("Linux").is_none());
        assert!(scheme_for("").is_none());
        assert!(scheme_for("pypi").is_none(), "ecosystem names are case-sensitive");
    }

    #[test]
    fn digit_runs_compare_as_unbounded_integers() {
        assert_eq!(cmp_digits(b"0010", b"9"), Ordering::Greater);
        assert_eq!(cmp_digits(b"", b"000"), Ordering::Equal);
        assert_eq!(
            cmp_digits(b"123456789012345678901234567890", b"123456789012345678901234567891"),
            Ordering::Less
        );
    }
}
