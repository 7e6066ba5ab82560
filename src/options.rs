//! What the caller of an inspection wants.

use crate::digest::Digest;
use crate::image::manifest::Platform;
use crate::limits::Limits;

/// What the caller wants.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Platform to choose from a multi-platform index (default linux/amd64, else the only one).
    pub platform: Option<Platform>,
    pub limits: Limits,
    /// Include every file version in the report.
    pub files: bool,
    /// A manifest or config digest the user trusts; anything else is an integrity failure.
    pub expect_digest: Option<Digest>,
    /// Secret findings the user accepts: by rule id, or by file path glob.
    pub secret_allow: crate::scan::secrets::AllowList,
    /// A vulnerability database to match the packages against (read once, shared by every
    /// image inspected with these options).
    pub vuln_db: Option<std::sync::Arc<crate::vuln::VulnDb>>,
}
