//! Ruby gems: `specifications/*.gemspec` under a gem home (the installed spec RubyGems
//! writes: `s.name = "rack".freeze`, `s.version = "3.0.8"`, `s.licenses = ["MIT".freeze]`).

use super::{Cataloger, Distro, Found, purl};

pub struct Gem;

/// The first quoted string after `key` on a `s.key = …` line.
fn quoted_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .trim_start()
        .strip_prefix("s.")?
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?;
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(&rest[start..end])
}

/// Every quoted string on a line (for `s.licenses = ["MIT".freeze, "Ruby".freeze]`).
fn quoted_all(line: &str) -> Vec<String> {
    line.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

impl Cataloger for Gem {
    fn id(&self) -> &'static str {
        "ruby-installed-gemspec"
    }
    fn kind(&self) -> &'static str {
        "gem"
    }
    fn wants(&self, path: &str) -> bool {
        path.ends_with(".gemspec") && path.contains("/specifications/")
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let text = String::from_utf8_lossy(bytes);
        let (mut name, mut version, mut licenses) = (None, None, Vec::new());
        for line in text.lines() {
            if let Some(v) = quoted_after(line, "name") {
                name.get_or_insert_with(|| v.to_string());
            } else if let Some(v) = quoted_after(line, "version") {
                version.get_or_insert_with(|| v.to_string());
            } else if line.trim_start().starts_with("s.licenses") || line.trim_start().starts_with("s.license ") {
                licenses.extend(quoted_all(line));
            }
        }
        Found::one(name, version, licenses)
    }
    fn purl(&self, f: &Found, _: Option<&Distro>) -> String {
        purl::build("gem", None, &f.name, &f.version, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_gemspec() {
        let spec = "# -*- encoding: utf-8 -*-\n# stub: rack 3.0.8 ruby lib\n\nGem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.licenses = [\"MIT\".freeze]\n  s.summary = \"a modular Ruby webserver interface\".freeze\nend\n";
        let f = Gem.parse("/usr/local/bundle/specifications/rack-3.0.8.gemspec", spec.as_bytes());
        assert_eq!((f[0].name.as_str(), f[0].version.as_str()), ("rack", "3.0.8"));
        assert_eq!(f[0].licenses, vec!["MIT"]);
        assert_eq!(Gem.purl(&f[0], None), "pkg:gem/rack@3.0.8");
    }
}
