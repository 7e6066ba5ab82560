//! Whether a version of a package is affected by an OSV record: its `versions` list and its
//! ECOSYSTEM and SEMVER ranges, in the ecosystem's own version order (the schema's evaluation:
//! events sorted, `introduced` opens, `fixed` and `last_affected` close). GIT ranges need the
//! repository and are never guessed.

use super::ecosystem::normalize_name;
use super::osv::{Affected, Event, Record};
use super::version::{Semver, VersionScheme, scheme_for};
use std::cmp::Ordering;

/// What a record says about one version of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The record does not name the package, or names other versions only.
    NotAffected,
    /// Affected; the versions that fix it (empty when none is known), lowest first.
    Affected { fixed: Vec<String> },
    /// The record names the package only through GIT ranges (commits, not versions).
    OnlyGitRanges,
    /// No version order is known for the ecosystem, and the version is not listed.
    NoOrdering,
}

/// Evaluates `record` for `version` of the package `name` in `ecosystem`.
pub fn evaluate(record: &Record, ecosystem: &str, name: &str, version: &str) -> Verdict {
    if record.withdrawn.is_some() {
        return Verdict::NotAffected;
    }
    let wanted = normalize_name(ecosystem, name);
    let scheme = scheme_for(ecosystem);
    let mut affected = false;
    let mut fixed: Vec<String> = Vec::new();
    let mut only_git = false;
    let mut unordered = false;
    for a in record.affected.iter().filter(|a| names_package(a, ecosystem, &wanted)) {
        let listed = a.versions.iter().any(|v| same(scheme, v, version));
        let ranges: Vec<_> = a
            .ranges
            .iter()
            .filter(|r| r.kind == "ECOSYSTEM" || r.kind == "SEMVER")
            .collect();
        if ranges.is_empty() && !listed {
            only_git |= a.ranges.iter().any(|r| r.kind == "GIT");
            continue;
        }
        let mut hit = listed;
        for r in &ranges {
            // SEMVER ranges are SemVer 2.0 whatever the ecosystem; ECOSYSTEM ranges need its order.
            let order: Option<&dyn VersionScheme> = if r.kind == "SEMVER" { Some(&Semver) } else { scheme };
            match order {
                Some(o) => {
                    if let Some(fix) = in_range(o, &r.events, version) {
                        hit = true;
                        fixed.extend(fix);
                    }
                }
                None => unordered |= !listed,
            }
        }
        if hit {
            affected = true;
            // A listed version's fix: the lowest fixed event above it in its version ranges
            // (a GIT range's fix is a commit).
            if listed && let Some(s) = scheme {
                fixed.extend(
                    ranges
                        .iter()
                        .flat_map(|r| r.events.iter())
                        .filter_map(|e| e.fixed.as_ref())
                        .filter(|f| s.compare(f, version) == Ordering::Greater)
                        .min_by(|x, y| s.compare(x, y))
                        .cloned(),
                );
            }
        }
    }
    if affected {
        match scheme {
            Some(s) => fixed.sort_by(|a, b| s.compare(a, b)),
            None => fixed.sort(),
        }
        fixed.dedup();
        Verdict::Affected { fixed }
    } else if unordered {
        Verdict::NoOrdering
    } else if only_git {
        Verdict::OnlyGitRanges
    } else {
        Verdict::NotAffected
    }
}

/// Whether an affected entry names the package (`wanted`: its name as the ecosystem compares
/// names, see [`normalize_name`]).
pub fn names_package(a: &Affected, ecosystem: &str, wanted: &str) -> bool {
    a.package
        .as_ref()
        .is_some_and(|p| p.ecosystem == ecosystem && normalize_name(ecosystem, &p.name) == wanted)
}

fn same(scheme: Option<&dyn VersionScheme>, a: &str, b: &str) -> bool {
    a == b || scheme.is_some_and(|s| s.compare(a, b) == Ordering::Equal)
}

/// Whether `version` is in the range the events describe; if so, the fix that closes it (if any).
fn in_range(s: &dyn VersionScheme, events: &[Event], version: &str) -> Option<Option<String>> {
    // (version, rank, event): `introduced: "0"` is below everything; at a tie `introduced`
    // comes first, so `introduced: X, fixed: X` is the empty range it means.
    let mut sorted: Vec<(&str, u8, &Event)> = events
        .iter()
        .filter_map(|e| {
            if let Some(v) = &e.introduced {
                Some((v.as_str(), 0, e))
            } else if let Some(v) = &e.fixed {
                Some((v.as_str(), 1, e))
            } else if let Some(v) = &e.last_affected {
                Some((v.as_str(), 1, e))
            } else {
                e.limit.as_ref().map(|v| (v.as_str(), 1, e))
            }
        })
        .collect();
    let cmp = |a: &str, b: &str| match (a, b) {
        ("0", "0") => Ordering::Equal,
        ("0", _) => Ordering::Less,
        (_, "0") => Ordering::Greater,
        _ => s.compare(a, b),
    };
    sorted.sort_by(|a, b| cmp(a.0, b.0).then(a.1.cmp(&b.1)));
    if events
        .iter()
        .filter_map(|e| e.limit.as_deref())
        .any(|l| s.compare(version, l) != Ordering::Less)
    {
        return None;
    }
    let mut affected = false;
    let mut fix = None;
    for (_, _, e) in sorted {
        if affected {
            if let Some(f) = &e.fixed {
                affected = s.compare(version, f) == Ordering::Less;
                if affected && fix.is_none() {
                    fix = Some(f.clone());
                }
            } else if let Some(l) = &e.last_affected {
                affected = l == version || s.compare(version, l) != Ordering::Greater;
            }
        } else if let Some(i) = &e.introduced {
            affected = i == "0" || s.compare(version, i) != Ordering::Less;
            fix = None;
        }
    }
    affected.then_some(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vuln::osv::parse_record;

    /// A plain numeric dotted order, so these tests do not depend on any one ecosystem's.
    struct Dotted;
    impl VersionScheme for Dotted {
        fn id(&self) -> &'static str {
            "dotted"
        }
        fn compare(&self, a: &str, b: &str) -> Ordering {
            let n = |v: &str| v.split('.').map(|p| p.parse::<u64>().unwrap_or(0)).collect::<Vec<_>>();
            n(a).cmp(&n(b))
        }
    }

    fn events(json: &str) -> Vec<Event> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ranges_as_the_schema_evaluates_them() {
        let e = events(r#"[{"introduced":"0"},{"fixed":"1.2"},{"introduced":"2.0"},{"fixed":"2.3"}]"#);
        assert_eq!(in_range(&Dotted, &e, "1.1"), Some(Some("1.2".into())));
        assert_eq!(in_range(&Dotted, &e, "1.2"), None);
        assert_eq!(in_range(&Dotted, &e, "1.9"), None);
        assert_eq!(in_range(&Dotted, &e, "2.0"), Some(Some("2.3".into())));
        assert_eq!(in_range(&Dotted, &e, "3.0"), None);
        // Events in any order mean the same.
        let e = events(r#"[{"fixed":"2.3"},{"introduced":"2.0"},{"fixed":"1.2"},{"introduced":"0"}]"#);
        assert_eq!(in_range(&Dotted, &e, "2.1"), Some(Some("2.3".into())));
        // last_affected includes its version; no fix is known.
        let e = events(r#"[{"introduced":"1.0"},{"last_affected":"1.5"}]"#);
        assert_eq!(in_range(&Dotted, &e, "1.5"), Some(None));
        assert_eq!(in_range(&Dotted, &e, "1.6"), None);
        assert_eq!(in_range(&Dotted, &e, "0.9"), None);
        // introduced == fixed is an empty range (RustSec writes such).
        let e = events(r#"[{"introduced":"1.0"},{"fixed":"1.0"}]"#);
        assert_eq!(in_range(&Dotted, &e, "1.0"), None);
        // Open-ended.
        let e = events(r#"[{"introduced":"1.0"}]"#);
        assert_eq!(in_range(&Dotted, &e, "9.0"), Some(None));
        let e = events(r#"[{"introduced":"0"},{"limit":"2.0"}]"#);
        assert_eq!(in_range(&Dotted, &e, "2.1"), None);
    }

    #[test]
    fn git_only_records_are_not_guessed_and_withdrawn_ones_never_match() {
        let r = parse_record(
            br#"{"id":"X","affected":[{"package":{"ecosystem":"Foo","name":"a"},
            "ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"abc"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(evaluate(&r, "Foo", "a", "1.0"), Verdict::OnlyGitRanges);
        let r = parse_record(
            br#"{"id":"X","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Foo","name":"a"},"versions":["1.0"]}]}"#,
        )
        .unwrap();
        assert_eq!(evaluate(&r, "Foo", "a", "1.0"), Verdict::NotAffected);
    }

    #[test]
    fn semver_ranges_are_semver_in_any_ecosystem_and_git_fixes_are_not_versions() {
        // Pub has no order of its own here; its SEMVER range is SemVer.
        let r = parse_record(
            br#"{"id":"X","affected":[{"package":{"ecosystem":"Pub","name":"a"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            evaluate(&r, "Pub", "a", "1.1.9"),
            Verdict::Affected {
                fixed: vec!["1.2.0".into()]
            }
        );
        assert_eq!(evaluate(&r, "Pub", "a", "1.2.0"), Verdict::NotAffected);
        // A listed version with only a GIT fix: no fixed version is known.
        let r = parse_record(
            br#"{"id":"Y","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"versions":["1.0"],
            "ranges":[{"type":"GIT","repo":"https://x","events":[{"introduced":"0"},{"fixed":"ffff"}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(evaluate(&r, "PyPI", "a", "1.0"), Verdict::Affected { fixed: vec![] });
    }

    #[test]
    fn listed_versions_match_without_an_ordering() {
        let r = parse_record(
            br#"{"id":"X","affected":[{"package":{"ecosystem":"Foo","name":"a"},"versions":["1.0","1.1"],
            "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]},
            {"package":{"ecosystem":"Foo","name":"b"},"versions":["1.0"]}]}"#,
        )
        .unwrap();
        assert_eq!(evaluate(&r, "Foo", "a", "1.1"), Verdict::Affected { fixed: vec![] });
        assert_eq!(evaluate(&r, "Foo", "a", "1.05"), Verdict::NoOrdering);
        assert_eq!(evaluate(&r, "Foo", "c", "1.0"), Verdict::NotAffected);
        assert_eq!(evaluate(&r, "Bar", "a", "1.0"), Verdict::NotAffected);
    }
}
