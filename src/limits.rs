//! Resource limits. Images are attacker-controlled: every size that comes from the input is
//! checked against one of these before it drives work or memory.

use serde::{Deserialize, Serialize};

/// Caps on what one inspection may consume. Hitting one is reported as an error of kind
/// `limit`; the run continues where it can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Decompressed bytes of one layer (gzip/zstd bomb guard).
    pub layer_uncompressed_bytes: u64,
    /// Decompressed bytes of all layers of one image together.
    pub image_uncompressed_bytes: u64,
    /// Tar entries in one layer.
    pub layer_entries: u64,
    /// Layers of one image.
    pub layers: usize,
    /// Length of one path (bytes), including PAX and GNU long names.
    pub path_bytes: usize,
    /// Size of one JSON document (manifest, index, config). Nesting depth is capped at 128
    /// by the JSON parser itself.
    pub json_bytes: u64,
    /// Bytes of one PAX extended header or GNU long-name record.
    pub tar_meta_bytes: u64,
    /// Bytes captured from one file for content inspection (os-release, package databases).
    pub capture_file_bytes: u64,
    /// Captured bytes in total per image.
    pub capture_total_bytes: u64,
    /// Largest zstd window accepted (bytes of history the decoder must keep).
    pub zstd_window_bytes: u64,
    /// Symlink hops followed when resolving a path inside the merged view.
    pub symlink_hops: usize,
    /// Bytes of each regular file scanned for secrets (0 turns the file scan off).
    pub scan_file_bytes: u64,
    /// Bytes of each executable (ELF) scanned for malware indicators: a miner's strings sit
    /// deep in its binary (other files are scanned up to `scan_file_bytes`).
    pub scan_executable_bytes: u64,
    /// Bytes kept of each account file (`/etc/passwd`, `/etc/shadow`, `/etc/group`) for the
    /// best-practice rules.
    pub account_file_bytes: u64,
    /// Malware-indicator matches kept per layer.
    pub content_matches: u64,
    /// Not a cap but a switch riding with the caps to every worker: hash each regular file's
    /// contents (sha256) as its layer is read, for comparing images by content (`porthole
    /// diff`, the page's Compare). Off in a plain inspection; neither a `--limit` nor in the
    /// JSON form (set in code by the comparisons).
    #[serde(skip)]
    pub file_digests: bool,
}

impl Default for Limits {
    fn default() -> Self {
        const GIB: u64 = 1 << 30;
        const MIB: u64 = 1 << 20;
        Limits {
            layer_uncompressed_bytes: 64 * GIB,
            image_uncompressed_bytes: 256 * GIB,
            layer_entries: 2_000_000,
            layers: 1024,
            path_bytes: 4096,
            json_bytes: 16 * MIB,
            tar_meta_bytes: MIB,
            capture_file_bytes: 64 * MIB,
            capture_total_bytes: 64 * MIB,
            zstd_window_bytes: 64 * MIB,
            symlink_hops: 16,
            scan_file_bytes: MIB,
            scan_executable_bytes: 16 * MIB,
            account_file_bytes: 256 * 1024,
            content_matches: 1000,
            file_digests: false,
        }
    }
}

/// Every limit's name (as `--limit NAME=…` and the page's settings take it) and what it caps.
pub const LIMITS: [(&str, &str); 15] = [
    (
        "layer_uncompressed_bytes",
        "decompressed bytes of one layer (gzip/zstd bomb guard)",
    ),
    (
        "image_uncompressed_bytes",
        "decompressed bytes of all layers of one image together",
    ),
    ("layer_entries", "tar entries in one layer"),
    ("layers", "layers of one image"),
    ("path_bytes", "bytes of one path, including PAX and GNU long names"),
    ("json_bytes", "bytes of one JSON document (manifest, index, config)"),
    (
        "tar_meta_bytes",
        "bytes of one PAX extended header or GNU long-name record",
    ),
    (
        "capture_file_bytes",
        "bytes captured from one file (os-release, package databases)",
    ),
    ("capture_total_bytes", "captured bytes held at once per layer"),
    (
        "zstd_window_bytes",
        "largest zstd window accepted (rounded down to a power of two)",
    ),
    ("symlink_hops", "symlink hops followed when resolving a path"),
    (
        "scan_file_bytes",
        "bytes of each regular file scanned for secrets (0: no file scan)",
    ),
    (
        "scan_executable_bytes",
        "bytes of each executable scanned for malware indicators",
    ),
    (
        "account_file_bytes",
        "bytes kept of /etc/passwd, /etc/shadow and /etc/group for the rules",
    ),
    ("content_matches", "malware-indicator matches kept per layer"),
];

/// Parses `123`, `64K`, `16MiB`, `2G`, `1.5GB` (binary multiples: K = 1024).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let num: f64 = num.replace('_', "").parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let v = num * mult as f64;
    (v.is_finite() && v >= 0.0 && v <= u64::MAX as f64).then_some(v as u64)
}

impl Limits {
    /// Sets one limit by name; the value takes size suffixes (`64M`).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let v = parse_size(value).ok_or_else(|| format!("{value:?} is not a size (e.g. 4096, 64M, 2GiB)"))?;
        let small = |v: u64| usize::try_from(v).map_err(|_| format!("{value} is too large for {name}"));
        match name {
            "layer_uncompressed_bytes" => self.layer_uncompressed_bytes = v,
            "image_uncompressed_bytes" => self.image_uncompressed_bytes = v,
            "layer_entries" => self.layer_entries = v,
            "layers" => self.layers = small(v)?,
            "path_bytes" => self.path_bytes = small(v)?,
            "json_bytes" => self.json_bytes = v,
            "tar_meta_bytes" => self.tar_meta_bytes = v,
            "capture_file_bytes" => self.capture_file_bytes = v,
            "capture_total_bytes" => self.capture_total_bytes = v,
            "zstd_window_bytes" => self.zstd_window_bytes = v,
            "symlink_hops" => self.symlink_hops = small(v)?,
            "scan_file_bytes" => self.scan_file_bytes = v,
            "scan_executable_bytes" => self.scan_executable_bytes = v,
            "account_file_bytes" => self.account_file_bytes = v,
            "content_matches" => self.content_matches = v,
            _ => {
                let names: Vec<&str> = LIMITS.iter().map(|(n, _)| *n).collect();
                return Err(format!("no limit named {name:?}; the limits are {}", names.join(", ")));
            }
        }
        Ok(())
    }

    /// The limits from a JSON object of `name: number` (missing names keep their defaults).
    pub fn from_json(json: &str) -> Result<Limits, String> {
        serde_json::from_str(json).map_err(|e| format!("limits: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_names_and_json() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64M"), Some(64 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5k"), Some(1536));
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("12 parsecs"), None);
        let mut l = Limits::default();
        // Every listed name can be set, and setting it changes what serializes under that name.
        for (name, _) in LIMITS {
            l.set(name, "7").unwrap();
            assert_eq!(serde_json::to_value(&l).unwrap()[name], 7, "{name}");
        }
        assert_eq!(
            serde_json::to_value(&l).unwrap().as_object().unwrap().len(),
            LIMITS.len()
        );
        assert!(l.set("nope", "1").unwrap_err().contains("layer_entries"));
        let j = Limits::from_json(r#"{"layers": 3}"#).unwrap();
        assert_eq!((j.layers, j.path_bytes), (3, Limits::default().path_bytes));
        assert!(Limits::from_json(r#"{"layerz": 3}"#).is_err());
    }

    #[test]
    fn the_limits_doc_lists_every_limit() {
        let doc = include_str!("../docs/limits.md");
        for (name, _) in LIMITS {
            assert!(
                doc.contains(&format!("| `{name}` |")),
                "docs/limits.md's table lacks {name}"
            );
        }
    }
}
