//! Red Hat, SUSE and the other rpm-based distributions: `[epoch:]version[-release]` ordered by
//! rpm's `rpmvercmp`.
//!
//! Hand-written (no maintained crate) from rpm's `rpmio/rpmvercmp.c` and `parseEVR`, which
//! `tests/version_orderings.rs` compares with (`rpm.labelCompare` of python3-rpm, the string
//! split by `rpm.ver`). The epoch is a run of digits before a `:` (else 0), the release what
//! follows the last `-`. Where rpm's own dependency matching skips the release when one side
//! has none, a total order cannot: a missing release compares as an empty one, below any
//! release (`1.0` < `1.0-1`), as osv-scalibr does.

use super::{VersionScheme, cmp_digits};
use std::cmp::Ordering;

/// rpm's ordering: alphanumeric segments, digits above letters, `~` before everything (even
/// the end), `^` after the end but before anything else.
pub struct Rpm;

impl VersionScheme for Rpm {
    fn id(&self) -> &'static str {
        "rpm"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (split(a.as_bytes()), split(b.as_bytes()));
        rpmvercmp(a.0, b.0)
            .then_with(|| rpmvercmp(a.1, b.1))
            .then_with(|| rpmvercmp(a.2, b.2))
    }
}

/// (epoch, version, release) as rpm's `parseEVR` splits them; a missing epoch is `0`.
fn split(evr: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let digits = super::run_len(evr, |c| c.is_ascii_digit());
    let (epoch, vr) = match evr.get(digits) {
        Some(b':') => {
            let epoch = evr.get(..digits).unwrap_or_default();
            (
                if epoch.is_empty() { &b"0"[..] } else { epoch },
                evr.get(digits + 1..).unwrap_or_default(),
            )
        }
        _ => (&b"0"[..], evr),
    };
    match vr.iter().rposition(|&c| c == b'-') {
        Some(dash) => (
            epoch,
            vr.get(..dash).unwrap_or_default(),
            vr.get(dash + 1..).unwrap_or_default(),
        ),
        None => (epoch, vr, &[][..]),
    }
}

/// `rpmvercmp`: skip separators (anything but ASCII letters, digits, `~` and `^`), handle `~`
/// and `^`, then compare a run of digits (numerically) or of letters (bytewise); a numeric run
/// beats an alphabetic one; whichever string has something left at the end is newer.
fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let keep = |c: &u8| c.is_ascii_alphanumeric() || *c == b'~' || *c == b'^';
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        i += a
            .get(i..)
            .unwrap_or_default()
            .iter()
            .position(keep)
            .unwrap_or(a.len() - i);
        j += b
            .get(j..)
            .unwrap_or_default()
            .iter()
            .position(keep)
            .unwrap_or(b.len() - j);
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // A caret is like a tilde, except that the end of the other string is older.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let numeric = ca.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let sa = a.get(i..).unwrap_or_default();
        let sa = sa.get(..super::run_len(sa, class)).unwrap_or_default();
        let sb = b.get(j..).unwrap_or_default();
        let sb = sb.get(..super::run_len(sb, class)).unwrap_or_default();
        if sb.is_empty() {
            // Different kinds of segment: a number is newer than letters.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let r = if numeric { cmp_digits(sa, sb) } else { sa.cmp(sb) };
        if r != Ordering::Equal {
            return r;
        }
        i += sa.len();
        j += sb.len();
    }
    // Separators may differ; whoever has anything left is newer.
    match (i < a.len(), j < b.len()) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn rpmvercmp_examples_in_order() {
        assert_ascending(
            &Rpm,
            &[
                "",
                "0.1",
                "1.a",
                "1.0~rc1",
                "1.0-~1",
                "1.0",
                "1.0-1~beta",
                "1.0-1",
                "1.0-1.el8",
                "1.0-1.el8_4",
                "1.0-1.el9",
                "1.0-2",
                "1.0-10",
                "1.0^",
                "1.0^git1",
                "1.0^git2",
                "1.0a",
                "1.0.0",
                "1.0.1~rc1",
                "1.0.1",
                "1.1",
                "1.10",
                "2",
                "1:0",
                "1:1.0-1",
                "10:0.1",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &Rpm,
            &[
                ("1.0", "1_0"),
                ("1.0", "1.0."),
                ("1.01", "1.1"),
                ("0:1.0-1", "1.0-1"),
                (":1.0", "1.0"),
                ("1.0-", "1.0"),
                ("1..0", "1.0"),
                ("1é0", "1.0"),
            ],
        );
    }

    #[test]
    fn release_is_after_the_last_dash() {
        assert_eq!(split(b"1:2-3-4"), (&b"1"[..], &b"2-3"[..], &b"4"[..]));
        assert_eq!(split(b"a:1-2"), (&b"0"[..], &b"a:1"[..], &b"2"[..]));
        assert_eq!(split(b"12"), (&b"0"[..], &b"12"[..], &b""[..]));
    }
}
