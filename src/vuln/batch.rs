//! Looking packages up without an image, in the shape of osv.dev's `/v1/querybatch`: the
//! contract `porthole vulns --json` keeps for the tools that script against it.

use super::{Hit, Matcher, Query, VulnDb, query_for_purl};
use serde::{Deserialize, Serialize};

/// The request: `{"queries":[…]}`.
#[derive(Debug, Deserialize)]
pub struct Batch {
    pub queries: Vec<BatchQuery>,
}

/// One query: a package by ecosystem and name, or by purl; the version beside it or in the purl.
#[derive(Debug, Default, Deserialize)]
pub struct BatchQuery {
    #[serde(default)]
    pub package: Option<BatchPackage>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub commit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BatchPackage {
    #[serde(default)]
    pub ecosystem: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub purl: Option<String>,
}

/// The answer: one result per query, in order.
#[derive(Debug, Serialize)]
pub struct Answer {
    pub results: Vec<QueryResult>,
    /// What could not be evaluated (GIT-only ranges, unknown orders), as sentences.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct QueryResult {
    /// The package as looked up (`ecosystem`, `name`, `version`); null when the query was
    /// not understood.
    pub package: Option<LookedUp>,
    pub vulns: Vec<VulnAnswer>,
    /// Why the query could not be answered, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LookedUp {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
}

/// One matching advisory.
#[derive(Debug, Serialize)]
pub struct VulnAnswer {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub modified: Option<String>,
    pub severity: super::SeverityReport,
    pub fixed: Vec<String>,
    pub malicious: bool,
    pub database: String,
}

impl From<Hit> for VulnAnswer {
    fn from(h: Hit) -> Self {
        VulnAnswer {
            id: h.id,
            aliases: h.aliases,
            summary: h.summary,
            modified: h.modified,
            severity: h.severity,
            fixed: h.fixed,
            malicious: h.malicious,
            database: h.database,
        }
    }
}

/// Parses a querybatch request.
pub fn parse(bytes: &[u8]) -> Result<Batch, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not a querybatch request ({{\"queries\":[…]}}): {e}"))
}

/// The query a batch entry names.
fn query(q: &BatchQuery) -> Result<Query, String> {
    if q.commit.is_some() {
        return Err("queries by commit need the source repository; porthole answers package queries".into());
    }
    let p = q.package.as_ref().ok_or("the query names no package")?;
    if let Some(purl) = &p.purl {
        let with_version = match (&q.version, purl.contains('@')) {
            (Some(v), false) => format!("{purl}@{v}"),
            _ => purl.clone(),
        };
        return query_for_purl(&with_version);
    }
    let (Some(eco), Some(name)) = (&p.ecosystem, &p.name) else {
        return Err("the package needs an ecosystem and a name, or a purl".into());
    };
    let version = q
        .version
        .clone()
        .filter(|v| !v.is_empty())
        .ok_or("the query has no version")?;
    Ok(Query {
        ecosystems: vec![eco.clone()],
        name: name.clone(),
        version,
    })
}

/// Answers every query against the database.
pub fn answer(db: &VulnDb, queries: &[BatchQuery]) -> Answer {
    let mut m = Matcher::new(db);
    let understood: Vec<Query> = queries.iter().filter_map(|q| query(q).ok()).collect();
    m.prepare(understood.iter());
    let results = queries
        .iter()
        .map(|bq| match query(bq) {
            Ok(q) => {
                let eco = m
                    .ecosystem(&q)
                    .or(q.ecosystems.first().map(String::as_str))
                    .unwrap_or_default()
                    .to_string();
                let vulns = m.hits(&q).into_iter().map(VulnAnswer::from).collect();
                QueryResult {
                    package: Some(LookedUp {
                        name: q.name,
                        ecosystem: eco,
                        version: q.version,
                    }),
                    vulns,
                    error: None,
                }
            }
            Err(e) => QueryResult {
                package: None,
                vulns: Vec::new(),
                error: Some(e),
            },
        })
        .collect();
    let mut notes = m.notes();
    notes.extend(m.lookup.errors.iter().map(|e| e.to_string()));
    Answer { results, notes }
}

/// Queries from package URLs given on the command line.
pub fn purl_queries(purls: &[String]) -> Vec<BatchQuery> {
    purls
        .iter()
        .map(|p| BatchQuery {
            package: Some(BatchPackage {
                purl: Some(p.clone()),
                ..BatchPackage::default()
            }),
            ..BatchQuery::default()
        })
        .collect()
}
