//! Debian and Ubuntu: `[epoch:]upstream[-revision]` ordered as dpkg and apt order it.
//!
//! Hand-written (no well-kept crate implements it) from deb-version(7) and apt's
//! `debVersioningSystem::CmpFragment`, which `tests/version_orderings.rs` compares it with
//! (`apt_pkg.version_compare`, and `dpkg --compare-versions` on a sample). Nothing is rejected:
//! the epoch is whatever precedes the first `:` and is compared as a fragment like the rest (so
//! a numeric epoch compares numerically and a garbage one still has a place), the revision is
//! whatever follows the last `-`, and a missing revision counts as `0`.

use super::VersionScheme;
use std::cmp::Ordering;

/// dpkg's ordering: `~` sorts before everything (even the end), letters before other
/// characters, digit runs numerically.
pub struct Dpkg;

impl VersionScheme for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (split(a.as_bytes()), split(b.as_bytes()));
        cmp_fragment(a.epoch, b.epoch)
            .then_with(|| cmp_fragment(a.upstream, b.upstream))
            .then_with(|| cmp_fragment(a.revision, b.revision))
    }
}

struct Parts<'a> {
    epoch: &'a [u8],
    upstream: &'a [u8],
    revision: &'a [u8],
}

/// Splits as apt does: the epoch before the first `:` (leading zeros dropped, so `0:` is no
/// epoch; a `:` in first place is no separator at all, apt keeps it in the upstream version),
/// the revision after the last `-` (absent: `0`, which is what apt compares it with).
fn split(v: &[u8]) -> Parts<'_> {
    let (epoch, rest) = match v.iter().position(|&c| c == b':') {
        Some(colon) if colon > 0 => {
            let epoch = v.get(..colon).unwrap_or_default();
            let zeros = super::run_len(epoch, |c| c == b'0');
            (
                epoch.get(zeros..).unwrap_or_default(),
                v.get(colon + 1..).unwrap_or_default(),
            )
        }
        _ => (&[][..], v),
    };
    let (upstream, revision) = match rest.iter().rposition(|&c| c == b'-') {
        Some(dash) => (
            rest.get(..dash).unwrap_or_default(),
            rest.get(dash + 1..).unwrap_or_default(),
        ),
        None => (rest, &b"0"[..]),
    };
    Parts {
        epoch,
        upstream,
        revision,
    }
}

/// The weight of one non-digit byte: `~` below the end of the string, the end and digits at
/// zero, letters by their value, then other bytes. Bytes above 0x7f land between letters and
/// ASCII punctuation, where apt and dpkg put them (a signed `char` plus 256).
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) if c >= 0x80 => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// apt's `CmpFragment`. It differs from dpkg's `verrevcmp` in one place only: an empty fragment
/// is below every non-empty one except those starting with `~` (so an empty revision, `1.0-`,
/// is below `1.0-0`), where `verrevcmp` would call it equal to `0`.
fn cmp_fragment(a: &[u8], b: &[u8]) -> Ordering {
    match (a.first(), b.first()) {
        (None, None) => Ordering::Equal,
        (None, Some(&c)) => {
            if c == b'~' {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Some(&c), None) => {
            if c == b'~' {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        _ => verrevcmp(a, b),
    }
}

/// dpkg's comparison of two non-empty fragments: alternately a run of non-digits compared byte
/// by byte by [`order`], then a run of digits compared numerically (any length).
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let is_digit = |s: &[u8], i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            // Equal weights here are two real non-digit bytes: neither side is at its end.
            i += 1;
            j += 1;
        }
        i += super::run_len(a.get(i..).unwrap_or_default(), |c| c == b'0');
        j += super::run_len(b.get(j..).unwrap_or_default(), |c| c == b'0');
        let da = super::run_len(a.get(i..).unwrap_or_default(), |c| c.is_ascii_digit());
        let db = super::run_len(b.get(j..).unwrap_or_default(), |c| c.is_ascii_digit());
        // Without leading zeros the longer run is the larger number; equal lengths compare
        // digit by digit.
        let digits = da.cmp(&db).then_with(|| a.get(i..i + da).cmp(&b.get(j..j + db)));
        if digits != Ordering::Equal {
            return digits;
        }
        i += da;
        j += db;
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn deb_version_examples_in_order() {
        assert_ascending(
            &Dpkg,
            &[
                "~~",
                "~~a",
                "~",
                "",
                "0~rc1",
                "0",
                "0a",
                "0.9",
                "1.0~beta1",
                "1.0~rc1",
                "1.0",
                "1.0-0.1",
                "1.0-1~bpo12+1",
                "1.0-1",
                "1.0-1+b1",
                "1.0-1+deb12u1",
                "1.0-1.1",
                "1.0-2",
                "1.0a",
                "1.0+dfsg-1",
                "1.0.1",
                "1.2",
                "1.10",
                "2.0",
                "1:0.1",
                "1:1.0-1",
                "2:0",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &Dpkg,
            &[
                ("1.0", "1.0-0"),
                ("0:1.0", "1.0"),
                ("00:1.0", "1.0"),
                ("01:1.0", "1:1.0"),
                ("1.01", "1.1"),
                ("1.0", "1.00"),
                ("a", "a0"),
            ],
        );
    }

    #[test]
    fn lenient_on_what_dpkg_rejects() {
        // apt's order for an empty revision and for a non-numeric epoch.
        assert_eq!(Dpkg.compare("1.0-", "1.0"), Ordering::Less);
        assert_eq!(Dpkg.compare("1.0-", "1.0-~"), Ordering::Greater);
        assert_eq!(Dpkg.compare("a:1.0", "1:1.0"), Ordering::Greater);
        assert_eq!(
            Dpkg.compare(":1.0", "1.0"),
            Ordering::Greater,
            "a leading `:` is part of the version"
        );
        assert_eq!(Dpkg.compare("1.0 2", "1.0 3"), Ordering::Less);
        // Non-ASCII bytes sort after letters and before ASCII punctuation.
        assert_eq!(Dpkg.compare("1é", "1z"), Ordering::Greater);
        assert_eq!(Dpkg.compare("1é", "1+"), Ordering::Less);
        let long = "9".repeat(10_000);
        assert_eq!(Dpkg.compare(&long, &format!("1{long}")), Ordering::Less);
    }
}
