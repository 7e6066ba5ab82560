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

/// What to do after a 401.
#[derive(Debug)]
pub enum Challenged {
    /// Ask the token service at `url` (with `headers`), then send the request again.
    Token {
        url: String,
        headers: Vec<(String, String)>,
    },
    /// Send the request again (the credentials are now in the headers: Basic).
    Again,
    /// A 401 after the credentials or token were sent: refused (the caller says for what).
    Refused,
    /// Nothing porthole can answer with.
    Fail(String),
}

/// The client's side of authentication for a run of requests to one registry: the
/// credentials, the `Authorization` value that works so far, one retry per challenge.
#[derive(Debug, Clone)]
pub struct Session {
    creds: Option<Credentials>,
    api_host: String,
    /// The `Authorization` header value in use (a Bearer token, or Basic).
    pub authorization: Option<String>,
    retried: bool,
}

impl Session {
    /// A session with `creds` for the registry at `api_host`, starting with `authorization`
    /// (a token another session obtained) if given. A token given without a username is used
    /// as a bearer token directly, as a fetch does.
    pub fn new(creds: Option<Credentials>, api_host: &str, authorization: Option<String>) -> Session {
        let authorization = authorization.or_else(|| {
            creds
                .as_ref()
                .filter(|c| c.username.is_empty() && !c.password.is_empty())
                .map(|c| format!("Bearer {}", c.password))
        });
        Session {
            creds,
            api_host: api_host.to_string(),
            authorization,
            retried: false,
        }
    }

    /// Whether the user gave credentials.
    pub fn has_credentials(&self) -> bool {
        self.creds.is_some()
    }

    /// The headers of a request: `Accept` if given, and the authorization in use.
    pub fn headers(&self, accept: Option<&str>) -> Vec<(String, String)> {
        let mut h = Vec::new();
        if let Some(a) = accept {
            h.push(("Accept".to_string(), a.to_string()));
        }
        if let Some(a) = &self.authorization {
            h.push(("Authorization".to_string(), a.clone()));
        }
        h
    }

    /// A request was answered: the next challenge gets its retry again.
    pub fn answered(&mut self) {
        self.retried = false;
    }

    /// A 401 with `header` (`WWW-Authenticate`): what to do. `scope` is asked for when the
    /// challenge names none.
    pub fn challenge(&mut self, header: &str, scope: &str) -> Challenged {
        if self.retried {
            return Challenged::Refused;
        }
        self.retried = true;
        match Challenge::parse(header) {
            Challenge::Bearer {
                realm,
                service,
                scope: asked,
                ..
            } => {
                if self.creds.is_some() && !realm_may_get_credentials(&realm, &self.api_host) {
                    return Challenged::Fail(format!(
                        "the registry's token service {realm} is plain http off this machine; porthole will not send \
your credentials there in clear (an https realm is required)"
                    ));
                }
                let scope = asked.unwrap_or_else(|| scope.to_string());
                let mut url = realm.clone();
                url.push(if realm.contains('?') { '&' } else { '?' });
                if let Some(s) = service {
                    url.push_str(&format!("service={}&", query_escape(&s)));
                }
                url.push_str(&format!("scope={}", query_escape(&scope)));
                // A token given without a username goes to the token service as the Basic
                // password (what most registries' token services accept).
                let headers = self
                    .creds
                    .as_ref()
                    .filter(|c| !c.password.is_empty() || !c.username.is_empty())
                    .map(|c| vec![("Authorization".to_string(), c.basic())])
                    .unwrap_or_default();
                Challenged::Token { url, headers }
            }
            Challenge::Basic => match &self.creds {
                Some(c) => {
                    self.authorization = Some(c.basic());
                    Challenged::Again
                }
                None => Challenged::Fail(
                    "the registry requires credentials (401, Basic): give a username and password".into(),
                ),
            },
            Challenge::Other(h) if h.is_empty() => Challenged::Fail(
                "the registry answered 401 without a WWW-Authenticate header that can be read: a browser sees it \
only when the registry lists WWW-Authenticate in Access-Control-Expose-Headers"
                    .into(),
            ),
            Challenge::Other(h) => Challenged::Fail(format!(
                "the registry asks for an authentication scheme porthole does not speak: {h:?}"
            )),
        }
    }

    /// The token service answered `body`: the token to use from now on.
    pub fn token(&mut self, body: &[u8]) -> Result<(), String> {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let token = v["token"]
            .as_str()
            .or_else(|| v["access_token"].as_str())
            .ok_or("the registry's token service answered without a token")?;
        self.authorization = Some(format!("Bearer {token}"));
        Ok(())
    }
}

/// Whether credentials may go to a token `realm`: https anywhere, plain http only on this
/// machine (a local test registry and its token service). Never in clear over a network.
pub fn realm_may_get_credentials(realm: &str, _registry_host: &str) -> bool {
    if realm.starts_with("https://") {
        return true;
    }
    let Some(rest) = realm.strip_prefix("http://") else {
        return false;
    };
    super::reference::is_loopback(rest.split(['/', '?']).next().unwrap_or(""))
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
