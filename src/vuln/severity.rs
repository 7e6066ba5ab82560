//! How bad an advisory is: the CVSS base score computed from its vector (the `cvss` crate,
//! v2, v3.x and v4), else a database's own word for it; malicious packages are always critical.

use super::osv::Record;
use serde::Serialize;
use std::str::FromStr;

/// A rating, in the order of severity (for `--fail-on-vuln` and sorting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Unknown => "unknown",
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        }
    }

    /// Parses a rating word (GitHub's `MODERATE` is medium).
    pub fn parse(word: &str) -> Option<Rating> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "critical" => Rating::Critical,
            "high" | "important" => Rating::High,
            "medium" | "moderate" => Rating::Medium,
            "low" | "negligible" => Rating::Low,
            "none" => Rating::None,
            "unknown" => Rating::Unknown,
            _ => return None,
        })
    }
}

/// A record's severity as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityReport {
    /// `CVSS_V3`, `CVSS_V4`, `CVSS_V2`, or the database's own type; null when only a word or
    /// nothing was given.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The CVSS vector (or the database's score text).
    pub vector: Option<String>,
    /// The CVSS base score computed from the vector.
    pub score: Option<f64>,
    pub rating: Rating,
}

/// The CVSS base score and rating of a vector, if it parses.
pub fn cvss_score(kind: &str, vector: &str) -> Option<(f64, Rating)> {
    let rating = |s: cvss::Severity| match s {
        cvss::Severity::None => Rating::None,
        cvss::Severity::Low => Rating::Low,
        cvss::Severity::Medium => Rating::Medium,
        cvss::Severity::High => Rating::High,
        cvss::Severity::Critical => Rating::Critical,
    };
    match kind {
        "CVSS_V3" => cvss::v3::Vector::from_str(vector).ok().map(|v| {
            let s = v.score();
            (s.value(), rating(s.severity()))
        }),
        "CVSS_V4" => cvss::v4::Vector::from_str(vector)
            .ok()
            .map(|v| (v.score().value(), rating(v.score().severity()))),
        "CVSS_V2" => cvss::v2::Vector::from_str(vector).ok().map(|v| {
            let s = v.score();
            (s.value(), rating(s.severity()))
        }),
        _ => None,
    }
}

/// The severity to report for a record: the newest CVSS version among the record's own and
/// the matched package's (`affected`), else a database's word (`database_specific.severity`, or a
/// non-CVSS severity such as Ubuntu's), else unknown. `MAL-` records are critical.
pub fn assess(record: &Record, affected: &[super::osv::Severity]) -> SeverityReport {
    if record.id.starts_with("MAL-") {
        return SeverityReport {
            kind: None,
            vector: None,
            score: None,
            rating: Rating::Critical,
        };
    }
    let all: Vec<&super::osv::Severity> = record.severity.iter().chain(affected).collect();
    for kind in ["CVSS_V4", "CVSS_V3", "CVSS_V2"] {
        for s in all.iter().filter(|s| s.kind == kind) {
            if let Some((score, rating)) = cvss_score(kind, &s.score) {
                return SeverityReport {
                    kind: Some(kind.into()),
                    vector: Some(s.score.clone()),
                    score: Some(score),
                    rating,
                };
            }
        }
    }
    if let Some(s) = all.iter().find(|s| !s.kind.starts_with("CVSS_"))
        && let Some(rating) = Rating::parse(&s.score)
    {
        return SeverityReport {
            kind: Some(s.kind.clone()),
            vector: Some(s.score.clone()),
            score: None,
            rating,
        };
    }
    let word = record
        .database_specific
        .as_ref()
        .and_then(|d| d.severity.as_ref())
        .and_then(|v| v.as_str())
        .and_then(Rating::parse);
    SeverityReport {
        kind: None,
        vector: all.first().map(|s| s.score.clone()),
        score: None,
        rating: word.unwrap_or(Rating::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_from_vectors() {
        // NVD's numbers for these vectors.
        let (s, r) = cvss_score("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((s, r), (9.8, Rating::Critical));
        let (s, r) = cvss_score("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N").unwrap();
        assert_eq!((s, r), (3.1, Rating::Low));
        let (s, r) = cvss_score(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        )
        .unwrap();
        assert_eq!((s, r), (9.3, Rating::Critical));
        assert_eq!(cvss_score("CVSS_V3", "CVSS:3.1/garbage"), None);
    }

    #[test]
    fn malicious_records_are_critical_and_words_count() {
        let r = super::super::osv::parse_record(br#"{"id":"MAL-2024-1"}"#).unwrap();
        assert_eq!(assess(&r, &[]).rating, Rating::Critical);
        let r =
            super::super::osv::parse_record(br#"{"id":"GHSA-x","database_specific":{"severity":"MODERATE"}}"#).unwrap();
        assert_eq!(assess(&r, &[]).rating, Rating::Medium);
        let r = super::super::osv::parse_record(br#"{"id":"USN-1","severity":[{"type":"Ubuntu","score":"high"}]}"#)
            .unwrap();
        assert_eq!(assess(&r, &[]).rating, Rating::High);
        let r = super::super::osv::parse_record(br#"{"id":"GO-1"}"#).unwrap();
        assert_eq!(assess(&r, &[]).rating, Rating::Unknown);
    }
}
