//! Resource limits. Images are attacker-controlled: every size that comes from the input is
//! checked against one of these before it drives work or memory.

use serde::Serialize;

/// Caps on what one inspection may consume. Hitting one is reported as an error of kind
/// `limit`; the run continues where it can.
#[derive(Debug, Clone, Serialize)]
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
    /// Size of one JSON document (manifest, index, config).
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
        }
    }
}
