//! Which OSV package a cataloged package is: the ecosystem (with the distribution's release),
//! the name OSV uses (for Debian and Alpine the source package), and the version to compare.

use crate::scan::packages::purl;
use crate::scan::packages::{Distro, Package};

/// A package as OSV names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The ecosystems to look the package up in, most specific first (Ubuntu's LTS releases
    /// are `Ubuntu:22.04:LTS` in OSV, the others `Ubuntu:23.10`): the first one the database
    /// has is used.
    pub ecosystems: Vec<String>,
    pub name: String,
    pub version: String,
}

/// The OSV query for a cataloged package; `Err` says why it cannot be matched (no OSV
/// ecosystem for its type, a distribution porthole cannot name, a version that is no version).
pub fn query_for(p: &Package, distro: Option<&Distro>) -> Result<Query, String> {
    let one = |eco: &str, name: &str, version: &str| Query {
        ecosystems: vec![eco.to_string()],
        name: name.to_string(),
        version: version.to_string(),
    };
    match p.kind.as_str() {
        "deb" => {
            let ecosystems = distro_ecosystems(distro, &["debian", "ubuntu"])?;
            let name = p.source.as_deref().unwrap_or(&p.name);
            let version = match &p.source_version {
                Some(v) => v.clone(),
                None => strip_binnmu(&p.version).to_string(),
            };
            Ok(Query {
                ecosystems,
                name: name.to_string(),
                version,
            })
        }
        "apk" => {
            let ecosystems = distro_ecosystems(distro, &["alpine"])?;
            Ok(Query {
                ecosystems,
                name: p.source.clone().unwrap_or_else(|| p.name.clone()),
                version: p.version.clone(),
            })
        }
        "rpm" => {
            let ecosystems = distro_ecosystems(distro, RPM_DISTROS)?;
            let name = p.source.as_deref().and_then(source_rpm_name).unwrap_or(&p.name);
            Ok(Query {
                ecosystems,
                name: name.to_string(),
                version: p.version.clone(),
            })
        }
        "python" => Ok(one("PyPI", &p.name, &p.version)),
        "npm" => Ok(one("npm", &p.name, &p.version)),
        "cargo" => Ok(one("crates.io", &p.name, &p.version)),
        "gem" => Ok(one("RubyGems", &p.name, &p.version)),
        "composer" => Ok(one("Packagist", &p.name, &p.version)),
        "nuget" => Ok(one("NuGet", &p.name, &p.version)),
        "maven" => Ok(one("Maven", &p.name, &p.version)),
        "go" => go_query(&p.name, &p.version),
        other => Err(format!("no OSV ecosystem for {other} packages yet")),
    }
}

/// Go: modules with `v`-prefixed versions (OSV writes them bare), and the standard library
/// as `stdlib` at the toolchain's version (`go1.22rc1` → `1.22.0-rc.1`).
fn go_query(name: &str, version: &str) -> Result<Query, String> {
    let version = if name == "stdlib" {
        go_toolchain_version(version).ok_or_else(|| format!("{version} is not a Go release"))?
    } else if version == "(devel)" || version.is_empty() {
        return Err(format!(
            "{name} was built from a working tree ({version}), not a released version"
        ));
    } else {
        version.strip_prefix('v').unwrap_or(version).to_string()
    };
    Ok(Query {
        ecosystems: vec!["Go".into()],
        name: name.to_string(),
        version,
    })
}

/// `go1.21.5` → `1.21.5`, `go1.21` → `1.21.0`, `go1.22rc1` → `1.22.0-rc.1` (how the Go
/// vulnerability database writes toolchain versions); anything after a space or `+`
/// (`go1.21.5 X:boringcrypto`) is a build tag.
fn go_toolchain_version(v: &str) -> Option<String> {
    let v = v.strip_prefix("go")?;
    let v = v.split([' ', '+']).next().unwrap_or(v);
    let pre_at = v.find(|c: char| c.is_ascii_alphabetic());
    let (nums, pre) = match pre_at {
        Some(i) => (&v[..i], Some(&v[i..])), // ok: `i` is at an ASCII character
        None => (v, None),
    };
    let mut parts: Vec<&str> = nums.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = parts.join(".");
    if let Some(pre) = pre {
        let split = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        out.push_str(&format!("-{}.{}", &pre[..split], &pre[split..])); // ok: ASCII boundary
        if out.ends_with('.') {
            out.pop();
        }
    }
    Some(out)
}

/// The OSV ecosystems of a distribution's packages: `Debian:12`, `Alpine:v3.19`,
/// `Ubuntu:22.04:LTS` (or `Ubuntu:22.04`). `family` lists the distributions whose packages
/// these are (apk packages in a Debian image belong to no Debian release).
pub fn distro_ecosystems(distro: Option<&Distro>, family: &[&str]) -> Result<Vec<String>, String> {
    let d = distro.ok_or("the distribution is unknown (no os-release)")?;
    if !family.contains(&d.id.as_str()) {
        return Err(format!(
            "{} packages in a {} image belong to no release OSV knows",
            family.join("/"),
            d.id
        ));
    }
    let version = d.version_id.as_deref().unwrap_or("");
    let need = |what: &str| -> Result<Vec<String>, String> { Err(format!("{} has no {what} in its os-release", d.id)) };
    match d.id.as_str() {
        "debian" => {
            let major = version.split('.').next().unwrap_or("");
            if major.is_empty() {
                return need("VERSION_ID (testing and unstable have no OSV release)");
            }
            Ok(vec![format!("Debian:{major}")])
        }
        "ubuntu" => {
            if version.is_empty() {
                return need("VERSION_ID");
            }
            Ok(vec![format!("Ubuntu:{version}:LTS"), format!("Ubuntu:{version}")])
        }
        "alpine" => {
            let mut it = version.split(['.', '_']);
            match (it.next(), it.next()) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => Ok(vec![format!("Alpine:v{a}.{b}")]),
                _ => need("VERSION_ID"),
            }
        }
        "rocky" | "almalinux" | "mageia" => {
            let major = version.split('.').next().unwrap_or("");
            if major.is_empty() {
                return need("VERSION_ID");
            }
            let eco = match d.id.as_str() {
                "rocky" => "Rocky Linux",
                "almalinux" => "AlmaLinux",
                _ => "Mageia",
            };
            Ok(vec![format!("{eco}:{major}")])
        }
        // `15.5` → `openSUSE:Leap 15.5`, `SUSE:Linux Enterprise Server 15 SP5`.
        "opensuse-leap" if !version.is_empty() => Ok(vec![format!("openSUSE:Leap {version}")]),
        "sles" if !version.is_empty() => {
            let (major, sp) = version.split_once('.').unwrap_or((version, "0"));
            Ok(vec![if sp == "0" {
                format!("SUSE:Linux Enterprise Server {major}")
            } else {
                format!("SUSE:Linux Enterprise Server {major} SP{sp}")
            }])
        }
        other => Err(format!("no OSV ecosystem is known for the distribution {other}")),
    }
}

/// The rpm distributions whose OSV ecosystems porthole can name from os-release (Red Hat's
/// are named per product stream, `Red Hat:enterprise_linux:9::appstream`, which os-release
/// does not say).
const RPM_DISTROS: &[&str] = &["rocky", "almalinux", "opensuse-leap", "sles", "mageia"];

/// `util-linux-2.37.4-15.el9.src.rpm` → `util-linux`: the source rpm's name, without its
/// version and release.
fn source_rpm_name(srpm: &str) -> Option<&str> {
    let base = srpm.strip_suffix(".rpm")?;
    let base = base
        .strip_suffix(".src")
        .or_else(|| base.strip_suffix(".nosrc"))
        .unwrap_or(base);
    let (rest, _release) = base.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    (!name.is_empty()).then_some(name)
}

/// A Debian binary-only rebuild's version is the source's plus `+bN`.
fn strip_binnmu(v: &str) -> &str {
    match v.rsplit_once("+b") {
        Some((head, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => v,
    }
}

/// A package name as the ecosystem compares names: PyPI's are case-insensitive with runs of
/// `-`, `_` and `.` equal (PEP 503); NuGet's and Packagist's are case-insensitive.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    match ecosystem.split(':').next().unwrap_or(ecosystem) {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !out.ends_with('-') {
                        out.push('-');
                    }
                } else {
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        "NuGet" | "Packagist" => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// The OSV query a package URL names. For `pkg:deb` and `pkg:apk` the release comes from the
/// `distro` qualifier and the source package from `upstream` (`name` or `name@version`, as
/// syft writes it).
pub fn query_for_purl(text: &str) -> Result<Query, String> {
    let p = purl::parse(text)?;
    let ns = p.namespace.as_deref();
    let version = p.version.clone().unwrap_or_default();
    if version.is_empty() {
        return Err(format!("{text} has no version"));
    }
    let one = |eco: &str, name: String| Query {
        ecosystems: vec![eco.to_string()],
        name,
        version: version.clone(),
    };
    let joined = |sep: &str| match ns {
        Some(ns) => format!("{ns}{sep}{}", p.name),
        None => p.name.clone(),
    };
    match p.kind.as_str() {
        "pypi" => Ok(one("PyPI", p.name.clone())),
        "npm" => Ok(one("npm", joined("/"))),
        "cargo" => Ok(one("crates.io", p.name.clone())),
        "gem" => Ok(one("RubyGems", p.name.clone())),
        "composer" => Ok(one("Packagist", joined("/"))),
        "nuget" => Ok(one("NuGet", p.name.clone())),
        "maven" => Ok(one("Maven", joined(":"))),
        "golang" => go_query(&joined("/"), &version),
        "deb" | "apk" | "rpm" => {
            let distro = p
                .qualifier("distro")
                .ok_or_else(|| format!("{text} has no distro qualifier (distro=debian-12) to say which release"))?;
            let (id, release) = distro.split_once('-').unwrap_or((distro, ""));
            let d = Distro {
                id: ns.unwrap_or(id).to_string(),
                version_id: (!release.is_empty()).then(|| release.to_string()),
            };
            let (name, source_version) = match p.qualifier("upstream") {
                Some(u) if p.kind == "rpm" => (source_rpm_name(u).unwrap_or(u).to_string(), None),
                Some(u) => match u.split_once('@') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (u.to_string(), None),
                },
                None => (p.name.clone(), None),
            };
            let version = match source_version {
                Some(v) => v,
                None if p.kind == "deb" => strip_binnmu(&version).to_string(),
                // rpm purls carry the epoch as a qualifier; OSV writes `epoch:version-release`.
                None if p.kind == "rpm" => match p.qualifier("epoch").filter(|e| *e != "0") {
                    Some(e) => format!("{e}:{version}"),
                    None => version.clone(),
                },
                None => version.clone(),
            };
            let family: &[&str] = match p.kind.as_str() {
                "deb" => &["debian", "ubuntu"],
                "apk" => &["alpine"],
                _ => RPM_DISTROS,
            };
            Ok(Query {
                ecosystems: distro_ecosystems(Some(&d), family)?,
                name,
                version,
            })
        }
        other => Err(format!("no OSV ecosystem for pkg:{other} yet")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(kind: &str, name: &str, version: &str, source: Option<&str>, source_version: Option<&str>) -> Package {
        Package {
            kind: kind.into(),
            name: name.into(),
            version: version.into(),
            purl: String::new(),
            licenses: vec![],
            path: String::new(),
            layer: 0,
            arch: None,
            source: source.map(Into::into),
            source_version: source_version.map(Into::into),
        }
    }

    fn distro(id: &str, v: &str) -> Distro {
        Distro {
            id: id.into(),
            version_id: Some(v.into()),
        }
    }

    #[test]
    fn debian_matches_the_source_package_at_the_source_version() {
        let d = distro("debian", "12");
        let bsdutils = pkg(
            "deb",
            "bsdutils",
            "1:2.38.1-5+deb12u3",
            Some("util-linux"),
            Some("2.38.1-5+deb12u3"),
        );
        let q = query_for(&bsdutils, Some(&d)).unwrap();
        assert_eq!(
            (q.ecosystems[0].as_str(), q.name.as_str(), q.version.as_str()),
            ("Debian:12", "util-linux", "2.38.1-5+deb12u3")
        );
        // A binNMU without a Source version: the binary's version less `+bN`.
        let q = query_for(&pkg("deb", "libfoo1", "1.2-3+b2", Some("foo"), None), Some(&d)).unwrap();
        assert_eq!((q.name.as_str(), q.version.as_str()), ("foo", "1.2-3"));
        assert!(query_for(&bsdutils, None).is_err());
        let q = query_for(&bsdutils, Some(&distro("ubuntu", "22.04"))).unwrap();
        assert_eq!(q.ecosystems, ["Ubuntu:22.04:LTS", "Ubuntu:22.04"]);
    }

    #[test]
    fn rpm_distributions_use_the_source_rpm() {
        let p = pkg(
            "rpm",
            "libblkid",
            "2.37.4-15.el9",
            Some("util-linux-2.37.4-15.el9.src.rpm"),
            None,
        );
        let q = query_for(&p, Some(&distro("rocky", "9.3"))).unwrap();
        assert_eq!(
            (q.ecosystems[0].as_str(), q.name.as_str(), q.version.as_str()),
            ("Rocky Linux:9", "util-linux", "2.37.4-15.el9")
        );
        assert_eq!(
            query_for(&p, Some(&distro("sles", "15.5"))).unwrap().ecosystems,
            ["SUSE:Linux Enterprise Server 15 SP5"]
        );
        assert_eq!(
            query_for(&p, Some(&distro("opensuse-leap", "15.5")))
                .unwrap()
                .ecosystems,
            ["openSUSE:Leap 15.5"]
        );
        assert!(query_for(&p, Some(&distro("rhel", "9.3"))).is_err());
        assert_eq!(source_rpm_name("bash-5.1.8-6.el9.src.rpm"), Some("bash"));
        assert_eq!(source_rpm_name("nonsense"), None);
    }

    #[test]
    fn alpine_uses_the_origin_and_the_minor_release() {
        let q = query_for(
            &pkg("apk", "libcrypto3", "3.1.4-r5", Some("openssl"), None),
            Some(&distro("alpine", "3.19.1")),
        )
        .unwrap();
        assert_eq!((q.ecosystems[0].as_str(), q.name.as_str()), ("Alpine:v3.19", "openssl"));
    }

    #[test]
    fn go_versions_as_the_go_database_writes_them() {
        assert_eq!(go_toolchain_version("go1.21.5").as_deref(), Some("1.21.5"));
        assert_eq!(go_toolchain_version("go1.21").as_deref(), Some("1.21.0"));
        assert_eq!(go_toolchain_version("go1.22rc1").as_deref(), Some("1.22.0-rc.1"));
        assert_eq!(
            go_toolchain_version("go1.21.5 X:boringcrypto").as_deref(),
            Some("1.21.5")
        );
        assert_eq!(go_toolchain_version("devel +abc"), None);
        let q = query_for(&pkg("go", "golang.org/x/net", "v0.17.0", None, None), None).unwrap();
        assert_eq!(q.version, "0.17.0");
        assert!(query_for(&pkg("go", "example.com/app", "(devel)", None, None), None).is_err());
    }

    #[test]
    fn names_compare_as_their_ecosystem_compares_them() {
        assert_eq!(normalize_name("PyPI", "Zope.Interface__x"), "zope-interface-x");
        assert_eq!(normalize_name("Go", "github.com/Foo/Bar"), "github.com/Foo/Bar");
    }

    #[test]
    fn purls_name_osv_packages() {
        let q = query_for_purl("pkg:pypi/requests@2.31.0").unwrap();
        assert_eq!(
            (q.ecosystems[0].as_str(), q.name.as_str(), q.version.as_str()),
            ("PyPI", "requests", "2.31.0")
        );
        let q = query_for_purl("pkg:npm/%40babel/traverse@7.22.0").unwrap();
        assert_eq!(q.name, "@babel/traverse");
        let q = query_for_purl("pkg:golang/golang.org/x/net@v0.17.0").unwrap();
        assert_eq!((q.name.as_str(), q.version.as_str()), ("golang.org/x/net", "0.17.0"));
        let q = query_for_purl("pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3").unwrap();
        assert_eq!(
            (q.ecosystems[0].as_str(), q.name.as_str(), q.version.as_str()),
            ("Debian:12", "util-linux", "2.38.1-5+deb12u3")
        );
        let q = query_for_purl("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?distro=debian-12&upstream=glibc").unwrap();
        assert_eq!((q.name.as_str(), q.version.as_str()), ("glibc", "2.36-9+deb12u4"));
        assert!(query_for_purl("pkg:deb/debian/libc6@2.36-9").is_err());
        let q = query_for_purl("pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rocky-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm").unwrap();
        assert_eq!(
            (q.ecosystems[0].as_str(), q.name.as_str(), q.version.as_str()),
            ("Rocky Linux:9", "openssl", "1:3.0.7-27.el9")
        );
        assert!(query_for_purl("pkg:pypi/requests").is_err());
        assert!(query_for_purl("requests==2.0").is_err());
    }
}
