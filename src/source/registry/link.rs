//! Pagination by the `Link` header (RFC 8288), as the distribution API pages its lists (the
//! referrers API, `tags/list`, `_catalog`): `Link: </v2/…?n=100&last=x>; rel="next"`.

/// The target of the `rel="next"` link of a `Link` header, as written.
pub fn next(header: &str) -> Option<&str> {
    // Link values are separated by commas outside `<…>` (a URI may hold commas).
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_end_matches(',')
                    .trim_end()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target);
        }
        rest = &after[params_end..];
    }
    None
}

/// The URL to ask for a `next` link found on `base` (`scheme://host[:port]`): a path on the
/// same registry, or an absolute URL on it. Anything on another host is refused, since the
/// page only talks to the registry the user named.
pub fn resolve(base: &str, target: &str) -> Result<String, String> {
    if target.starts_with('/') && !target.starts_with("//") {
        return Ok(format!("{base}{target}"));
    }
    match target.strip_prefix(base) {
        Some(path) if path.starts_with('/') => Ok(target.to_string()),
        _ => Err(format!(
            "the next page is at {target:?}, not on {base}; it was not asked for"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link_among_others() {
        assert_eq!(
            next(r#"</v2/r/tags/list?n=2&last=b>; rel="next""#),
            Some("/v2/r/tags/list?n=2&last=b")
        );
        assert_eq!(next("</a,b>; rel=prev, </c>; rel=\"first next\""), Some("/c"));
        assert_eq!(next("</x>; REL=Next"), Some("/x"));
        assert_eq!(next("</n>; rel=next, </p>; rel=prev"), Some("/n"));
        assert_eq!(next("</x>; rel=\"prev\""), None);
        assert_eq!(next("no link"), None);
        assert_eq!(next("</unclosed; rel=next"), None);
    }

    #[test]
    fn resolves_only_on_the_same_registry() {
        let base = "https://r.example:5000";
        assert_eq!(
            resolve(base, "/v2/x?last=a").unwrap(),
            "https://r.example:5000/v2/x?last=a"
        );
        assert_eq!(
            resolve(base, "https://r.example:5000/v2/x").unwrap(),
            "https://r.example:5000/v2/x"
        );
        assert!(resolve(base, "https://r.example:5000.evil/v2/x").is_err());
        assert!(resolve(base, "https://elsewhere.example/v2/x").is_err());
        assert!(resolve(base, "//elsewhere.example/v2/x").is_err());
        assert!(resolve(base, "v2/x").is_err());
    }
}
