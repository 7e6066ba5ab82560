//! Maven: `org.apache.maven.artifact.versioning.ComparableVersion` as in Maven 3.9 (the same
//! rules as Debian's Maven 3.8.7, which `tests/version_orderings.rs` compares it with), made a
//! total order.
//!
//! Hand-written (no Rust crate implements ComparableVersion) from the POM reference's "Version
//! Order Specification" and the behaviour of `ComparableVersion`: the lowercased version is
//! split into items at `.`, at `-` (which opens a sub-list) and at transitions between digits
//! and other characters (which also open a sub-list, as does a qualifier after a `.` when it is
//! followed by digits or ends the version); trailing null items (`0`, `""`, `ga`, `final`,
//! `release`) are dropped from each list; lists compare item by item, a missing item compared
//! as null. Qualifiers order `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `""` =
//! `ga` = `final` = `release` < `sp` < unknown ones (lexically); `a1`, `b1`, `m1` stand for
//! `alpha-1`, `beta-1`, `milestone-1`. Every string is a version, so nothing is lenient here.
//!
//! A list's sub-list is always its last item, so a version is a flat sequence of numbers,
//! qualifiers and sub-list openings, compared position by position (no recursion, whatever the
//! nesting). ComparableVersion itself is not transitive: a sub-list is above any qualifier but
//! equal to nothing when it is empty-ish, a zero is equal to nothing but above a sub-list, so
//! `1.0.alpha.1` > `1-1` > `1` > `1.0.alpha.1`, and `1.sp.1` < `1-1` while `1.sp.1` > `1`. To be
//! a total order this ordering departs from it in exactly those item comparisons: the release
//! qualifier (`""`, `ga`, …) counts as equal to a sub-list opening, `sp` and unknown qualifiers
//! as above one, and a zero as above the end of the version. They need a qualifier directly
//! followed by a separator (`1.foo.1`, `1-ga.1`) or an empty item (`1--1`, `1-0-1`); Maven's
//! usual versions never meet them. Known difference: Java counts non-ASCII decimal digits as
//! digits.

use super::{VersionScheme, cmp_digits};
use std::cmp::Ordering;

/// Maven's `ComparableVersion` ordering.
pub struct Maven;

impl VersionScheme for Maven {
    fn id(&self) -> &'static str {
        "maven"
    }

    fn compare(&self, a: &str, b: &str) -> Ordering {
        let (a, b) = (parse(a), parse(b));
        cmp_tokens(&flatten(&a), &flatten(&b))
    }
}

/// An item other than a list.
#[derive(Debug, PartialEq)]
enum Item {
    /// A number, as its digits without leading zeros (zero is empty).
    Number(String),
    /// A qualifier after aliasing (`cr` → `rc`; `ga`, `final`, `release` → `""`).
    Qualifier(String),
}

/// The known qualifiers, in order; `""` is a release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

impl Item {
    fn number(digits: &str) -> Item {
        Item::Number(String::from_utf8_lossy(super::strip_zeros(digits.as_bytes())).into_owned())
    }

    fn qualifier(text: &str, followed_by_digit: bool) -> Item {
        let text = match text {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "cr" => "rc",
            "ga" | "final" | "release" => "",
            t => t,
        };
        Item::Qualifier(text.to_owned())
    }

    fn parse(is_digit: bool, text: &str) -> Item {
        if is_digit {
            Item::number(text)
        } else {
            Item::qualifier(text, false)
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Number(n) => n.is_empty(),
            Item::Qualifier(q) => q.is_empty(),
        }
    }
}

/// Known qualifiers by rank, then unknown ones after them in Java's string order (UTF-16 code
/// units), which is what comparing Maven's `"7-" + qualifier` keys amounts to.
fn cmp_qualifier(a: &str, b: &str) -> Ordering {
    let rank = |q: &str| QUALIFIERS.iter().position(|k| *k == q);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

/// A version's lists: `chain[0]` is the top list's items, `chain[k + 1]` the items of the
/// sub-list that is the last item of list `k`.
type Chain = Vec<Vec<Item>>;

/// `ComparableVersion.parseVersion`.
fn parse(version: &str) -> Chain {
    let v = version.to_lowercase();
    let mut chain: Chain = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    for (i, c) in v.char_indices() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Number(String::new())
            } else {
                Item::parse(is_digit, v.get(start..i).unwrap_or_default())
            };
            push(&mut chain, item);
            start = i + 1;
            if c == '-' {
                chain.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // `1.0.X1`: a qualifier followed by digits gets a list of its own, as after `-`.
                if !current_is_empty(&chain) {
                    chain.push(Vec::new());
                }
                push(&mut chain, Item::qualifier(v.get(start..i).unwrap_or_default(), true));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut chain, Item::number(v.get(start..i).unwrap_or_default()));
                start = i;
                chain.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if v.len() > start {
        if !is_digit && !current_is_empty(&chain) {
            chain.push(Vec::new());
        }
        push(&mut chain, Item::parse(is_digit, v.get(start..).unwrap_or_default()));
    }
    normalize(&mut chain);
    chain
}

fn push(chain: &mut Chain, item: Item) {
    if let Some(list) = chain.last_mut() {
        list.push(item);
    }
}

fn current_is_empty(chain: &Chain) -> bool {
    chain.last().is_none_or(Vec::is_empty)
}

/// `ListItem.normalize`, innermost list first: trailing null items go (a non-empty sub-list
/// does not stop that, it is skipped over), and a list left empty is itself a null item of its
/// parent, so the chain ends there.
fn normalize(chain: &mut Chain) {
    for k in (0..chain.len()).rev() {
        let has_sub = chain.len() > k + 1;
        let Some(list) = chain.get_mut(k) else { continue };
        while list.last().is_some_and(Item::is_null) {
            list.pop();
        }
        if list.is_empty() && !has_sub && k > 0 {
            chain.truncate(k);
        }
    }
}

/// One position of a version: an item, or the opening of the sub-list that ends a list.
enum Token<'a> {
    Item(&'a Item),
    Open,
}

/// The version as a flat sequence: each list's items, then (if it has one) an opening and its
/// sub-list's.
fn flatten(chain: &[Vec<Item>]) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (k, items) in chain.iter().enumerate() {
        if k > 0 {
            out.push(Token::Open);
        }
        out.extend(items.iter().map(Token::Item));
    }
    out
}

/// Where a position stands in the total order: pre-release qualifiers, then the release
/// qualifier, a sub-list opening and the end of the version (all equal), then `sp` and unknown
/// qualifiers, then numbers. Within a class qualifiers compare by rank and numbers by value.
fn class(t: Option<&Token<'_>>) -> u8 {
    match t {
        Some(Token::Item(Item::Qualifier(q))) => match cmp_qualifier(q, "") {
            Ordering::Less => 0,
            Ordering::Equal => 1,
            Ordering::Greater => 2,
        },
        Some(Token::Open) | None => 1,
        Some(Token::Item(Item::Number(_))) => 3,
    }
}

fn cmp_tokens(a: &[Token<'_>], b: &[Token<'_>]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(k), b.get(k));
        let r = class(x).cmp(&class(y)).then_with(|| match (x, y) {
            (Some(Token::Item(Item::Number(m))), Some(Token::Item(Item::Number(n)))) => {
                cmp_digits(m.as_bytes(), n.as_bytes())
            }
            (Some(Token::Item(Item::Qualifier(p))), Some(Token::Item(Item::Qualifier(q)))) => cmp_qualifier(p, q),
            _ => Ordering::Equal,
        });
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_ascending, assert_equal};
    use super::*;

    #[test]
    fn comparable_version_examples_in_order() {
        // Maven's own ComparableVersionTest sequence, extended.
        assert_ascending(
            &Maven,
            &[
                "1-alpha2snapshot",
                "1-alpha2",
                "1-alpha-123",
                "1-beta-2",
                "1-beta123",
                "1-m2",
                "1-m11",
                "1-rc",
                "1-cr2",
                "1-rc123",
                "1-SNAPSHOT",
                "1",
                "1-sp",
                "1-sp2",
                "1-sp123",
                "1-abc",
                "1-def",
                "1-pom-1",
                "1-1-snapshot",
                "1-1",
                "1-2",
                "1-123",
                "2.0.0.RC1",
                "2.0.0-RC2",
                "2.0.0",
                "2.0.0.RELEASE-1",
                "2.0.1",
                "2.0.10",
                "12345678901234567890",
            ],
        );
    }

    #[test]
    fn equal_spellings() {
        assert_equal(
            &Maven,
            &[
                ("1", "1.0.0"),
                ("1", "1-0"),
                ("1", "1.0-0"),
                ("1", "1-ga"),
                ("1", "1.FINAL"),
                ("1", "1-release"),
                ("1a1", "1-alpha-1"),
                ("1b2", "1-beta-2"),
                ("1m3", "1-milestone-3"),
                ("1cr1", "1rc1"),
                ("1.0.0.RC1", "1-rc-1"),
                ("", "0"),
                ("1..1", "1.0.1"),
            ],
        );
        assert_eq!(Maven.compare("1.0.0.1", "1.0.0-1"), Ordering::Greater);
        assert_eq!(
            Maven.compare("1-a", "1-alpha"),
            Ordering::Greater,
            "`a` alone is unknown"
        );
    }

    #[test]
    fn total_where_comparable_version_is_not() {
        // ComparableVersion: 1.0.alpha.1 > 1-1 > 1 > 1.0.alpha.1. Here a zero is above the end.
        assert_ascending(&Maven, &["1", "1-1", "1.0.alpha.1"]);
        // ComparableVersion: 1.sp.1 < 1-1 but 1.sp.1 > 1 < 1-1. Here `sp` is above an opening.
        assert_ascending(&Maven, &["1", "1-1", "1.sp.1"]);
        assert_ascending(&Maven, &["99--SNAPSHOT", "99-", "99-b"]);
    }

    #[test]
    fn deep_nesting_is_a_loop() {
        let long = "1-".repeat(5_000);
        assert_eq!(
            Maven.compare(&format!("{long}2"), &format!("{long}1")),
            Ordering::Greater
        );
        assert_eq!(Maven.compare(&long, &format!("{long}alpha")), Ordering::Greater);
        assert_eq!(
            Maven.compare(&long, &format!("{long}a")),
            Ordering::Less,
            "unknown qualifiers are above a release"
        );
    }
}
