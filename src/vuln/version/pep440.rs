//! PyPI: PEP 440 (the "Version specifiers" specification of the Python Packaging Authority).
//!
//! Valid versions are parsed and ordered by the `pep440_rs` crate, which
//! `tests/version_orderings.rs` compares with `packaging.version.Version`. A version the crate
//! rejects is ordered as packaging's `LegacyVersion` did before packaging 22 (osv.dev's PyPI
//! ordering came from it; osv-scalibr ports it): below every valid version, and among
//! themselves by setuptools' old key, written here by hand from that algorithm: digit runs
//! zero-padded to 8, words prefixed with `*`, `pre`/`preview`/`rc` as `c`, `dev` as `@`, a
//! trailing `*final`, zeros and `final-` markers dropped before a word.
//!
//! Known differences: a release number above `u64::MAX` makes the crate reject a version that
//! packaging accepts (it is then ordered as a legacy version), and non-ASCII digits and case
//! folding are not treated as Python's regular expressions treat them.

use super::VersionScheme;
use pep440_rs::Version;
use std::cmp::Ordering;
use std::str::FromStr;

/// PEP 440 with packaging's legacy fallback.
pub struct Pep440;

impl VersionScheme for Pep440 {
    fn id(&self) -> &'static str {
        "pep440"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        match (parse(a), parse(b)) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            (Ok(_), Err(_)) => Ordering::Greater,
            (Err(_), Ok(_)) => Ordering::Less,
            (Err(_), Err(_)) => legacy_key(a).cmp(&legacy_key(b)),
        }
    }
}

/// A valid version, after the surrounding whitespace packaging ignores (Python's `\s`, which
/// takes Unicode spaces and the ASCII separators 0x1c-0x1f; the crate trims ASCII only).
fn parse(v: &str) -> Result<Version, pep440_rs::VersionParseError> {
    let is_space = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    Version::from_str(v.trim_matches(is_space))
}

/// packaging's `_legacy_cmpkey` (its epoch, -1, is what puts legacy versions first and is
/// left out here). Linear in the length of the version.
fn legacy_key(v: &str) -> Vec<String> {
    let lower = v.to_lowercase();
    let mut key: Vec<String> = Vec::new();
    for piece in legacy_pieces(&lower).chain(std::iter::once("final")) {
        let piece = match piece {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            "" | "." => continue,
            p => p,
        };
        let part = if piece.starts_with(|c: char| c.is_ascii_digit()) {
            format!("{piece:0>8}")
        } else {
            format!("*{piece}")
        };
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while key.last().is_some_and(|p| p == "*final-") {
                    key.pop();
                }
            }
            while key.last().is_some_and(|p| p == "00000000") {
                key.pop();
            }
        }
        key.push(part);
    }
    key
}

/// What `re.split(r"(\d+|[a-z]+|\.|-)", v)` yields: each run of digits, of lowercase ASCII
/// letters, each `.` and `-`, and each run of anything else between them.
fn legacy_pieces(v: &str) -> impl Iterator<Item = &str> {
    let class = |c: u8| match c {
        b'0'..=b'9' => 1,
        b'a'..=b'z' => 2,
        b'.' | b'-' => 3,
        _ => 0,
    };
    let bytes = v.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        let first = *bytes.get(start)?;
        let kind = class(first);
        let len = if kind == 3 {
            1
        } else {
            super::run_len(bytes.get(start..)?, |c| class(c) == kind)
        };
        // Runs end at ASCII bytes or at the end, so `start` stays on a char boundary.
        let piece = v.get(start..start + len)?;
        start += len;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn pep440_examples_in_order() {
        // The specification's summary of permitted suffixes and relative ordering, legacy
        // versions first.
        assert_ascending(
            &Pep440,
            &[
                "foo",
                "1.0-foo",
                "1.0foo",
                "1.0.dev456",
                "1.0a1",
                "1.0a2.dev456",
                "1.0a12.dev456",
                "1.0a12",
                "1.0b1.dev456",
                "1.0b2",
                "1.0b2.post345.dev456",
                "1.0b2.post345",
                "1.0rc1.dev456",
                "1.0rc1",
                "1.0",
                "1.0+abc.5",
                "1.0+abc.7",
                "1.0+5",
                "1.0.post456.dev34",
                "1.0.post456",
                "1.0.15",
                "1.1.dev1",
                "v2!0.1",
            ],
        );
    }

    #[test]
    fn normalised_spellings_are_equal() {
        assert_equal(
            &Pep440,
            &[
                ("1.0", "1.0.0"),
                ("1.0a1", "1.0.alpha.1"),
                ("1.0c1", "1.0rc1"),
                ("1.0-1", "1.0.post1"),
                ("1.0.rev", "1.0.post0"),
                ("V1.0", " 1.0\u{a0}"),
                ("1.0+ABC", "1.0+abc"),
                ("0!1.0", "1.0"),
            ],
        );
    }

    #[test]
    fn legacy_versions_follow_setuptools() {
        assert_eq!(legacy_key("1.0-dev"), ["00000001", "*@", "*final"]);
        assert_eq!(legacy_key("1.0-x"), ["00000001", "*final-", "*x", "*final"]);
        assert_eq!(legacy_key("2.0b1pl0"), ["00000002", "*b", "00000001", "*pl", "*final"]);
        assert_eq!(legacy_key("1_x"), ["00000001", "*_", "*x", "*final"]);
        assert_eq!(Pep440.compare("1.0.x-dev", "1.0.x-pre"), Ordering::Less);
        assert_eq!(Pep440.compare("2.0b1pl1", "2.0b1pl0"), Ordering::Greater);
        assert_eq!(Pep440.compare("2.0b1pl0", "2.0b1pl"), Ordering::Equal);
        assert_eq!(Pep440.compare("2.0b1pl0", "0.1"), Ordering::Less, "legacy before valid");
        assert_eq!(Pep440.compare("", "0.0"), Ordering::Less);
        let long = "1.".repeat(5_000);
        assert_eq!(Pep440.compare(&long, &format!("{long}x")), Ordering::Less);
    }
}
