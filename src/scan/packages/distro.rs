//! Which distribution an image is: `/etc/os-release` (or `/usr/lib/os-release`), then the
//! older release files, then busybox.

use serde::Serialize;

/// The distribution, as packages' `distro` qualifiers need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distro {
    /// `debian`, `ubuntu`, `alpine`, `rhel`, `fedora`, `busybox`, …
    pub id: String,
    pub version_id: Option<String>,
}

impl Distro {
    /// `debian-12`, `alpine-3.19.1`.
    pub fn qualifier(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{}-{v}", self.id),
            None => self.id.clone(),
        }
    }
}

pub fn wants(path: &str) -> bool {
    matches!(
        path,
        "/etc/alpine-release" | "/etc/debian_version" | "/etc/redhat-release" | "/bin/busybox"
    )
}

/// Parses `KEY=value` lines of an os-release file.
pub fn os_release_fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v);
            let v = v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')).unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

/// Detects the distro from the captured files of the merged view: `os_release` (already
/// resolved through symlinks), else `read(path)` of the fallback files.
pub fn detect_distro(os_release: Option<&[u8]>, read: &dyn Fn(&str) -> Option<Vec<u8>>) -> Option<Distro> {
    if let Some(bytes) = os_release {
        let fields = os_release_fields(&String::from_utf8_lossy(bytes));
        let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        if let Some(id) = get("ID") {
            return Some(Distro {
                id,
                version_id: get("VERSION_ID"),
            });
        }
    }
    let text = |p: &str| read(p).map(|b| String::from_utf8_lossy(&b).trim().to_string());
    if let Some(v) = text("/etc/alpine-release") {
        return Some(Distro {
            id: "alpine".into(),
            version_id: Some(v),
        });
    }
    if let Some(v) = text("/etc/debian_version") {
        let major = v.split('.').next().unwrap_or(&v).to_string();
        return Some(Distro {
            id: "debian".into(),
            version_id: Some(major),
        });
    }
    if let Some(v) = text("/etc/redhat-release") {
        let version = v
            .split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()));
        let id = if v.to_ascii_lowercase().contains("centos") {
            "centos"
        } else {
            "rhel"
        };
        return Some(Distro {
            id: id.into(),
            version_id: version.map(str::to_string),
        });
    }
    if let Some(b) = read("/bin/busybox") {
        let needle = b"BusyBox v";
        if let Some(i) = b.windows(needle.len()).position(|w| w == needle) {
            let v: String = b[i + needle.len()..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == b'.')
                .map(|&c| c as char)
                .collect();
            return Some(Distro {
                id: "busybox".into(),
                version_id: (!v.is_empty()).then_some(v),
            });
        }
    }
    None
}
