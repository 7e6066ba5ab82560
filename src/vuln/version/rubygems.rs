//! RubyGems: `Gem::Version#<=>`.
//!
//! Hand-written (no Rust crate implements it) from RubyGems' `lib/rubygems/version.rb`: `-` is
//! read as `.pre.`, the version is cut into segments (runs of digits, which are numbers, and
//! runs of ASCII letters, which make it a pre-release; anything else only separates), trailing
//! zeros are dropped from the numeric part and from the rest (`canonical_segments`), and the
//! segments compare pairwise, a missing one as 0, a string below a number, strings bytewise.
//! Gem::Version rejects strings outside its pattern; they are cut into segments the same way
//! (osv-scalibr's choice too), and an empty version is `0`, as in RubyGems. No reference tool
//! runs here: the tests are RubyGems' documented examples as ordered lists.

use super::{VersionScheme, cmp_digits};
use std::cmp::Ordering;

/// RubyGems' ordering.
pub struct RubyGems;

impl VersionScheme for RubyGems {
    fn id(&self) -> &'static str {
        "rubygems"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (canonical_segments(a), canonical_segments(b));
        let zero = Segment::Number(b"");
        for k in 0..a.len().max(b.len()) {
            let (x, y) = (a.get(k).unwrap_or(&zero), b.get(k).unwrap_or(&zero));
            let r = match (x, y) {
                (Segment::Number(x), Segment::Number(y)) => cmp_digits(x, y),
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
            };
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}

#[derive(Debug, PartialEq)]
enum Segment<'a> {
    /// Digits (leading zeros included; compared by value).
    Number(&'a [u8]),
    /// ASCII letters, `pre` for a `-`.
    Text(&'a [u8]),
}

impl Segment<'_> {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n.iter().all(|&d| d == b'0'))
    }
}

/// `Gem::Version#canonical_segments`.
fn canonical_segments(v: &str) -> Vec<Segment<'_>> {
    // Ruby's `strip` takes ASCII whitespace and NUL.
    let v = v
        .trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0' || c == '\x0b')
        .as_bytes();
    let mut segments = Vec::new();
    let mut i = 0;
    while let Some(&c) = v.get(i) {
        let rest = v.get(i..).unwrap_or_default();
        if c.is_ascii_digit() {
            let n = super::run_len(rest, |c| c.is_ascii_digit());
            segments.push(Segment::Number(rest.get(..n).unwrap_or_default()));
            i += n;
        } else if c.is_ascii_alphabetic() {
            let n = super::run_len(rest, |c| c.is_ascii_alphabetic());
            segments.push(Segment::Text(rest.get(..n).unwrap_or_default()));
            i += n;
        } else {
            if c == b'-' {
                segments.push(Segment::Text(b"pre"));
            }
            i += 1;
        }
    }
    // The numbers before the first string, then the rest, each without trailing zeros.
    let first_text = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut rest = segments.split_off(first_text);
    while segments.last().is_some_and(Segment::is_zero) {
        segments.pop();
    }
    while rest.last().is_some_and(Segment::is_zero) {
        rest.pop();
    }
    segments.append(&mut rest);
    segments
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn gem_version_examples_in_order() {
        assert_ascending(
            &RubyGems,
            &[
                "0.9", "1.0.a", "1.0.a.2", "1.0.a10", "1.0.b1", "1.0.rc1", "1.0", "1.0.0.1", "1.0.1", "1.1.pre",
                "1.1-1", "1.1", "1.2", "1.10", "2",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &RubyGems,
            &[
                ("1", "1.0.0"),
                ("1.0.a", "1.a"),
                ("1.0.a.0", "1.0.a"),
                ("1-1", "1.pre.1"),
                ("01.2", "1.2"),
                ("", "0"),
                (" 1.0\n", "1.0"),
                ("1.0b1", "1.0.b.1"),
            ],
        );
    }

    #[test]
    fn canonical_segments_drop_trailing_zeros_of_each_part() {
        assert_eq!(
            canonical_segments("1.0.0.a.0.b.0"),
            [
                Segment::Number(b"1"),
                Segment::Text(b"a"),
                Segment::Number(b"0"),
                Segment::Text(b"b")
            ]
        );
        assert_eq!(
            RubyGems.compare("1.A", "1.a"),
            Ordering::Less,
            "strings compare bytewise"
        );
    }
}
