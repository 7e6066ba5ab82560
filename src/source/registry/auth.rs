//! Registry authentication: `WWW-Authenticate` challenges (Bearer token flow, Basic).

use base64::Engine as _;

/// What the user gave. The password may also be a token (then the username may be empty).
/// Kept in memory only; never logged or put in a report.
#[derive(Clone, Default)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({:?}, ***)", self.username)
    }
}

impl Credentials {
    /// `Authorization` value for HTTP Basic.
    pub fn basic(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
    }
}

/// A parsed `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
        /// `error="insufficient_scope"` and the like, on a retry.
        error: Option<String>,
    },
    Basic,
    Other(String),
}

impl Challenge {
    /// Parses `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
    pub fn parse(header: &str) -> Challenge {
        let h = header.trim();
        let (scheme, params) = h.split_once(' ').unwrap_or((h, ""));
        let mut realm = None;
        let mut service = None;
        let mut scope = None;
        let mut error = None;
        // Quoted values may contain commas (scopes do): walk key="value" pairs.
        let mut rest = params.trim();
        while !rest.is_empty() {
            let Some((key, after)) = rest.split_once('=') else {
                break;
            };
            let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
            let after = after.trim_start();
            let (value, next) = if let Some(q) = after.strip_prefix('"') {
                match q.find('"') {
                    Some(end) => (&q[..end], &q[end + 1..]),
                    None => (q, ""),
                }
            } else {
                match after.find(',') {
                    Some(end) => (&after[..end], &after[end..]),
                    None => (after, ""),
                }
            };
            match key.as_str() {
                "realm" => realm = Some(value.to_string()),
                "service" => service = Some(value.to_string()),
                "scope" => scope = Some(value.to_string()),
                "error" => error = Some(value.to_string()),
                _ => {}
            }
            rest = next.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        }
        match scheme.to_ascii_lowercase().as_str() {
            "bearer" => match realm {
                Some(realm) => Challenge::Bearer {
                    realm,
                    service,
                    scope,
                    error,
                },
                None => Challenge::Other(h.to_string()),
            },
            "basic" => Challenge::Basic,
            _ => Challenge::Other(h.to_string()),
        }
    }
}

/// Percent-encodes a query value.
pub fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#
            ),
            Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/alpine:pull,push".into()),
                error: None,
            }
        );
        assert_eq!(Challenge::parse(r#"Basic realm="Registry Realm""#), Challenge::Basic);
        assert!(matches!(Challenge::parse("Bearer service=x"), Challenge::Other(_)));
        assert_eq!(query_escape("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
        let c = Credentials {
            username: "u".into(),
            password: "p".into(),
        };
        assert_eq!(c.basic(), "Basic dTpw");
        assert!(!format!("{c:?}").contains('p') || !format!("{c:?}").contains("\"p\""));
    }
}
