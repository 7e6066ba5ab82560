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
    /// Which vulnerability matches to report and how to attribute them.
    pub vuln_policy: VulnPolicy,
    /// The keys (and, later, roots) signatures are verified against.
    pub trust: crate::trust::TrustPolicy,
    /// Keep the signature documents read (at most 32 MiB per image) so that
    /// [`crate::inspect::Inspection::verify_trust`] can check them again with other keys: the
    /// page sets it (keys added after a drop); the CLI checks once and keeps none.
    pub keep_trust_inputs: bool,
}

/// Which vulnerability matches count: the ones the user accepts are left out of the list (and
/// counted, each with why).
#[derive(Debug, Clone, Default)]
pub struct VulnPolicy {
    /// Only matches with a known fix (`--only-fixed`).
    pub only_fixed: bool,
    /// Ids (and path globs) the user accepts (`--ignore FILE`).
    pub ignore: crate::ignore::IgnoreList,
    /// OpenVEX `not_affected` statements (`--vex FILE`).
    pub vex: crate::vuln::vex::Vex,
    /// How many of the first layers are the base image's (`--base-layers N`).
    pub base_layers: Option<usize>,
}
