//! Alpine (and the apk-based Wolfi, Chainguard, …): apk-tools' version ordering.
//!
//! Hand-written (no crate) from apk-tools' `src/version.c` (apk 3; the grammar is
//! `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`, apk-package(5)). apk itself
//! orders any string: it reads tokens until one is out of place, and an out-of-place token is
//! a token kind of its own (below the end of a version), so invalid versions need no separate
//! rule.
//!
//! Two deliberate differences, both on versions apk 3 rejects: digits right after the letter
//! (`5.7.1p1`, which apk 2 accepted and Alpine's older advisories use) are read as apk 2 read
//! them, as the next number, instead of ending the version as out of place; and apk reads
//! numbers into a wrapping `u64` where here a number of any length compares by its value. On
//! every version apk 3 accepts, the order is apk 3's. The tests check apk's rules as ordered
//! lists (no reference tool runs here).

use super::{VersionScheme, cmp_digits};
use std::cmp::Ordering;

/// apk-tools' ordering (`apk version -t`).
pub struct Apk;

impl VersionScheme for Apk {
    fn id(&self) -> &'static str {
        "apk"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let mut ta = Tokens::new(a.as_bytes());
        let mut tb = Tokens::new(b.as_bytes());
        while ta.kind == tb.kind && ta.kind < Kind::End {
            let r = cmp_values(&ta, &tb);
            if r != Ordering::Equal {
                return r;
            }
            ta.next();
            tb.next();
        }
        if ta.kind == tb.kind {
            return Ordering::Equal;
        }
        // The first token kinds that differ decide: a pre-release suffix (`_alpha`…`_rc`) is
        // below anything, otherwise the kind further along the grammar is lower (so `1.2` <
        // `1.2.1`, `1.2_p1` < `1.2a`, and a version that ends, or goes wrong, is lower still).
        if ta.kind == Kind::Suffix && ta.suffix < SUFFIX_NONE {
            return Ordering::Less;
        }
        if tb.kind == Kind::Suffix && tb.suffix < SUFFIX_NONE {
            return Ordering::Greater;
        }
        tb.kind.cmp(&ta.kind)
    }
}

/// Token kinds in grammar order (the order matters: see `compare`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffixes by rank; `NONE` is where a version without a suffix sits.
const SUFFIXES: [&[u8]; 9] = [b"alpha", b"beta", b"pre", b"rc", b"cvs", b"svn", b"git", b"hg", b"p"];
const SUFFIX_NONE: u8 = 4;

/// The rank of a suffix name: below `SUFFIX_NONE` for pre-releases, above it for the others.
fn suffix_rank(name: &[u8]) -> Option<u8> {
    let i = SUFFIXES.iter().position(|s| *s == name)?;
    let i = u8::try_from(i).ok()?;
    Some(if i < SUFFIX_NONE { i } else { i + 1 })
}

/// apk's lexer: the current token and the rest of the string.
struct Tokens<'a> {
    rest: &'a [u8],
    kind: Kind,
    value: &'a [u8],
    suffix: u8,
}

impl<'a> Tokens<'a> {
    fn new(v: &'a [u8]) -> Self {
        let mut t = Tokens {
            rest: v,
            kind: Kind::InitialDigit,
            value: &[],
            suffix: 0,
        };
        t.digits();
        t
    }

    /// Takes a run of digits as the current token's value; none at all is invalid.
    fn digits(&mut self) {
        let n = super::run_len(self.rest, |c| c.is_ascii_digit());
        self.take(n);
        if self.value.is_empty() {
            self.kind = Kind::Invalid;
        }
    }

    /// Moves `n` bytes from the rest into the current token's value.
    fn take(&mut self, n: usize) {
        let n = n.min(self.rest.len());
        let (value, rest) = self.rest.split_at(n);
        self.value = value;
        self.rest = rest;
    }

    fn skip(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    /// The next token, checking that its kind may follow the current one.
    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.kind = Kind::End;
            return;
        };
        let prev = self.kind;
        self.kind = match c {
            b'a'..=b'z' if prev <= Kind::Digit => {
                self.take(1);
                Kind::Letter
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if prev > Kind::Digit {
                        self.kind = Kind::Invalid;
                        return;
                    }
                    self.skip(1);
                }
                let kind = match prev {
                    // apk 3 stops at digits after the letter; apk 2 read them as the next
                    // number (`5.7.1p1-r0` < `5.7.1p1-r1`), and Alpine's advisories carry such
                    // versions from those years, so they keep apk 2's order.
                    Kind::Letter if c != b'.' => Kind::Digit,
                    Kind::InitialDigit | Kind::Digit => Kind::Digit,
                    Kind::Suffix => Kind::SuffixNo,
                    _ => {
                        self.kind = Kind::Invalid;
                        return;
                    }
                };
                self.kind = kind;
                self.digits();
                return;
            }
            b'_' if prev <= Kind::SuffixNo => {
                self.skip(1);
                let n = super::run_len(self.rest, |c| c.is_ascii_lowercase());
                self.take(n);
                match suffix_rank(self.value) {
                    Some(rank) => {
                        self.suffix = rank;
                        Kind::Suffix
                    }
                    None => Kind::Invalid,
                }
            }
            b'~' if prev < Kind::CommitHash => {
                self.skip(1);
                let n = super::run_len(self.rest, |c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
                self.take(n);
                if self.value.is_empty() {
                    Kind::Invalid
                } else {
                    Kind::CommitHash
                }
            }
            b'-' if prev < Kind::RevisionNo && self.rest.starts_with(b"-r") => {
                self.skip(2);
                self.kind = Kind::RevisionNo;
                self.digits();
                return;
            }
            _ => Kind::Invalid,
        };
    }
}

/// Compares the values of two tokens of the same kind.
fn cmp_values(a: &Tokens<'_>, b: &Tokens<'_>) -> Ordering {
    match a.kind {
        // A component with a leading zero compares as a string (`1.01` < `1.1`, Gentoo's rule).
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => a.value.cmp(b.value),
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => cmp_digits(a.value, b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        // Letters, commit hashes: bytes.
        _ => a.value.cmp(b.value),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn apk_examples_in_order() {
        assert_ascending(
            &Apk,
            &[
                "",
                "0.1.0_alpha",
                "0.1.0_alpha2",
                "0.1.0",
                "0.1.3_alpha",
                "0.6",
                "0.6.0",
                "0.6.1",
                "0.7-r1",
                "0.7.0",
                "0.8_beta1",
                "0.8_beta2",
                "0.9.12",
                "0.12",
                "0.12.3",
                "1.0_alpha",
                "1.0_beta",
                "1.0_pre1",
                "1.0_rc1",
                "1.0_rc2",
                "1.0",
                "1.0-r0",
                "1.0-r1",
                "1.0-r10",
                "1.0~1a2b-r0",
                "1.0~ff",
                "1.0_cvs20200101",
                "1.0_svn",
                "1.0_git20230101",
                "1.0_hg",
                "1.0_p1",
                "1.0_p1-r1",
                "1.0_p2",
                "1.0a",
                "1.0b",
                "1.0.01",
                "1.0.1",
                "1.01",
                "1.1",
                "2.3.0b-r1",
                "2.3.0b-r4",
                "10.0",
            ],
        );
    }

    #[test]
    fn equal_and_invalid() {
        assert_equal(
            &Apk,
            &[
                ("01.0", "1.0"),
                ("1.0-r", "1.0-rx"),        // both go wrong at the same place
                ("1.0_foo", "1.0_bar1"),    // an unknown suffix is invalid
                ("1.0bc", "1.0bd"),         // two letters
                ("1.0-r1-r2", "1.0-r1-r3"), // two revisions
                ("1.0_p1_alpha", "1.0_p1_alpha"),
            ],
        );
        // A version that goes wrong is below one that ends there, above a pre-release suffix.
        assert_eq!(Apk.compare("1.0_foo", "1.0"), Ordering::Less);
        assert_eq!(Apk.compare("1.0_foo", "1.0_alpha"), Ordering::Greater);
        assert_eq!(Apk.compare("1.0", "1.0bc"), Ordering::Less);
        assert_eq!(Apk.compare("23_foo", "4_beta"), Ordering::Greater);
        // Digits after the letter, read as apk 2 read them.
        assert_eq!(Apk.compare("5.7.1p1-r0", "5.7.1p1-r1"), Ordering::Less);
        assert_eq!(Apk.compare("6.6.2p1", "6.6.2p2"), Ordering::Less);
        assert_eq!(Apk.compare("1.0p1", "1.0p"), Ordering::Greater);
        assert_eq!(Apk.compare("1.0p1", "1.0.1"), Ordering::Less);
        assert_eq!(Apk.compare("", "x"), Ordering::Equal);
        assert_eq!(
            Apk.compare("99999999999999999999999", "99999999999999999999998"),
            Ordering::Greater
        );
    }
}
