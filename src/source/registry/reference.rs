//! Image references: `[scheme://]host[:port]/repo[:tag][@sha256:…]`, with Docker Hub short
//! names normalised the way Docker does (`alpine` → `docker.io/library/alpine:latest`).

use crate::digest::Digest;
use crate::error::{Error, Result};

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// The registry as named (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// Where the API answers (`registry-1.docker.io` for Docker Hub).
    pub api_host: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

/// A repository name as the distribution spec allows it: lowercase components of letters,
/// digits and `._-` (none of them `.` or `..`, none starting with a separator), joined by `/`,
/// at most 255 bytes. Names a registry lists are checked too: they go into URLs.
pub fn valid_repository(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.split('/').all(|c| {
            !c.is_empty()
                && c.as_bytes()[0].is_ascii_alphanumeric()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        })
}

/// A tag: up to 128 letters, digits and `._-`, not starting with `.` or `-`.
pub fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && (tag.as_bytes()[0].is_ascii_alphanumeric() || tag.as_bytes()[0] == b'_')
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Whether `host` (`name[:port]`, `[v6][:port]`) is this machine: `localhost` or a loopback
/// address (127.0.0.0/8, ::1) — an address, never a name that merely starts like one.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Reference {
    pub fn parse(input: &str) -> Result<Reference> {
        let bad = |why: &str| Error::malformed(format!("{input:?} is not an image reference: {why}"));
        let s = input.trim();
        let (scheme, rest) = if let Some(r) = s.strip_prefix("https://") {
            (Some("https"), r)
        } else if let Some(r) = s.strip_prefix("http://") {
            (Some("http"), r)
        } else {
            (None, s)
        };
        if rest.is_empty() || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("empty or contains spaces"));
        }
        let (name, digest) = match rest.split_once('@') {
            Some((n, d)) => (n, Some(Digest::parse(d).map_err(|e| bad(&e.message))?)),
            None => (rest, None),
        };
        let (first, remainder) = match name.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (name, None),
        };
        // The first component is a registry when it looks like a host (Docker's rule).
        let (registry, path) = match remainder {
            Some(r) if first.contains('.') || first.contains(':') || first == "localhost" || scheme.is_some() => {
                (first.to_string(), r.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let (path, tag) = match path.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p.to_string(), Some(t.to_string())),
            _ => (path, None),
        };
        let registry = if registry == "index.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        let repository = if registry == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if !valid_repository(&repository) {
            return Err(bad(
                "the repository name must be lowercase letters, digits and . _ - separated by /",
            ));
        }
        if let Some(t) = &tag
            && !valid_tag(t)
        {
            return Err(bad("the tag must be up to 128 letters, digits and . _ -"));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        let scheme = scheme.unwrap_or(if is_loopback(&registry) { "http" } else { "https" });
        let api_host = if registry == "docker.io" {
            "registry-1.docker.io".to_string()
        } else {
            registry.clone()
        };
        Ok(Reference {
            scheme,
            registry,
            api_host,
            repository,
            tag,
            digest,
        })
    }

    /// `scheme://api_host`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.api_host)
    }

    /// The tag or digest to ask the manifests endpoint for (the digest wins).
    pub fn manifest_ref(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    pub fn is_docker_hub(&self) -> bool {
        self.registry == "docker.io"
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_short_names() {
        let r = p("alpine");
        assert_eq!(r.to_string(), "docker.io/library/alpine:latest");
        assert_eq!(r.base_url(), "https://registry-1.docker.io");
        assert_eq!(p("bitnami/redis:7").to_string(), "docker.io/bitnami/redis:7");
        assert_eq!(
            p("index.docker.io/library/busybox").to_string(),
            "docker.io/library/busybox:latest"
        );
    }

    #[test]
    fn hosts_ports_tags_digests_and_schemes() {
        let r = p("127.0.0.1:5000/team/app:1.2");
        assert_eq!(
            (r.scheme, r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("http", "127.0.0.1:5000", "team/app", Some("1.2"))
        );
        assert_eq!(p("localhost/app").scheme, "http");
        assert_eq!(p("registry.example.com/app").scheme, "https");
        assert_eq!(p("http://registry.example.com:8080/app").scheme, "http");
        assert_eq!(p("https://127.0.0.1:5000/app").scheme, "https");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = p(&format!("quay.io/x/y@{d}"));
        assert_eq!(r.tag, None);
        assert_eq!(r.manifest_ref(), d);
        let r = p(&format!("quay.io/x/y:v1@{d}"));
        assert_eq!(r.manifest_ref(), d, "the digest wins over the tag");
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "UPPER/case", "a b", "host:5000/", "x:tag:more!", "x@sha256:short"] {
            assert!(Reference::parse(bad).is_err(), "{bad:?}");
        }
    }
}
