//! The OSV record (ossf.github.io/osv-schema), the parts matching and reporting read. Fields
//! nothing reads (`details`, `references`, `ecosystem_specific`, …) are skipped unparsed, so a
//! record is typed strictly only where porthole depends on it: a wrong type there is an error
//! naming the record, and the record is skipped.

use serde::Deserialize;

/// One advisory.
#[derive(Debug, Clone, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub modified: Option<String>,
    /// Set when the advisory was retracted: such a record never matches.
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub database_specific: Option<DatabaseSpecific>,
}

/// A severity score: `type` (`CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …) and its `score`
/// (for CVSS, the vector string).
#[derive(Debug, Clone, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

/// What a database adds beside the schema. Only a textual `severity` (GitHub's `HIGH`,
/// `MODERATE`, …) is read; anything else is ignored whatever its type.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DatabaseSpecific {
    #[serde(default)]
    pub severity: Option<serde_json::Value>,
}

/// One affected package: which package, and the versions or ranges of it.
#[derive(Debug, Clone, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<AffectedPackage>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    /// Per-package severity (schema 1.5+), used when the record has none of its own.
    #[serde(default)]
    pub severity: Vec<Severity>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AffectedPackage {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

/// A range of affected versions: events over one ordering.
#[derive(Debug, Clone, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range; exactly one field is set in a valid record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

/// The most bytes one record (or one file of records) may take, decompressed. Real records
/// are under 100 KiB; anything far beyond that is damage or an attack.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Parses one JSON document: one record, or an array of records. Each element that is not a
/// valid record gives its error (with its position in the array) and is skipped.
pub fn parse_document(bytes: &[u8]) -> Result<Vec<Result<Record, String>>, String> {
    let bytes = strip_bom(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        let items: Vec<&serde_json::value::RawValue> =
            serde_json::from_slice(bytes).map_err(|e| format!("not a JSON array of records: {e}"))?;
        Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, raw)| parse_record(raw.get().as_bytes()).map_err(|e| format!("element {i}: {e}")))
            .collect())
    } else {
        Ok(vec![parse_record(bytes)])
    }
}

/// Parses one record.
pub fn parse_record(bytes: &[u8]) -> Result<Record, String> {
    let record: Record = serde_json::from_slice(strip_bom(bytes)).map_err(|e| format!("not an OSV record: {e}"))?;
    if record.id.is_empty() {
        return Err("the record has an empty id".into());
    }
    Ok(record)
}

/// The byte ranges of the elements of a JSON array (or the whole document when it is one
/// record), so a record can be read again later without parsing the rest.
pub fn element_spans(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, String> {
    let body = strip_bom(bytes);
    let skip = bytes.len() - body.len();
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
        return Ok(std::iter::once(0..bytes.len()).collect());
    }
    let items: Vec<&serde_json::value::RawValue> =
        serde_json::from_slice(body).map_err(|e| format!("not a JSON array of records: {e}"))?;
    let base = body.as_ptr() as usize;
    Ok(items
        .into_iter()
        .map(|raw| {
            let start = raw.get().as_ptr() as usize - base + skip;
            start..start + raw.get().len()
        })
        .collect())
}

/// Whether a JSON document is an array (of records), rather than one record.
pub fn is_array(bytes: &[u8]) -> bool {
    strip_bom(bytes).iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_record_and_skips_what_it_does_not_need() {
        let r = parse_record(
            br#"{"id":"X-1","aliases":["CVE-1"],"details":{"odd":1},"references":7,
            "affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM",
            "events":[{"introduced":"0"},{"fixed":"1.0"}]}],"ecosystem_specific":[1,2]}],
            "database_specific":{"severity":"HIGH","cwe_ids":["CWE-1"]}}"#,
        )
        .unwrap();
        assert_eq!(r.affected[0].ranges[0].events[1].fixed.as_deref(), Some("1.0"));
        assert_eq!(r.database_specific.unwrap().severity.unwrap(), "HIGH");
    }

    #[test]
    fn wrong_types_are_errors_naming_the_element() {
        assert!(parse_record(br#"{"id":"X","affected":{"package":1}}"#).is_err());
        assert!(parse_record(br#"{"id":""}"#).is_err());
        let doc = parse_document(br#"[{"id":"A"},{"id":5},{"id":"C"}]"#).unwrap();
        assert_eq!(doc.len(), 3);
        assert!(doc[1].as_ref().unwrap_err().starts_with("element 1:"));
        assert_eq!(doc[2].as_ref().unwrap().id, "C");
    }

    #[test]
    fn spans_point_at_each_element() {
        let text = b"\xEF\xBB\xBF [ {\"id\":\"A\"} ,{\"id\":\"B\"}]";
        let spans = element_spans(text).unwrap();
        assert_eq!(&text[spans[1].clone()], br#"{"id":"B"}"#);
        assert_eq!(element_spans(br#"{"id":"A"}"#).unwrap().first(), Some(&(0..10)));
    }

    #[test]
    fn deep_nesting_is_skipped_or_an_error_never_a_crash() {
        let deep = |field: &str| {
            format!(
                "{{\"id\":\"A\",\"{field}\":{}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
        };
        // A field nothing reads is skipped without recursing; one that is read hits the limit.
        assert!(parse_record(deep("details").as_bytes()).is_ok());
        assert!(parse_record(deep("affected").as_bytes()).is_err());
    }
}
