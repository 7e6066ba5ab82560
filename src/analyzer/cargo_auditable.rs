//! Rust executables built with `cargo auditable`: the dependency tree embedded in them, read by
//! [`crate::scan::packages::cargo`].

use super::EntryMeta;
use super::executable::{ModuleProbe, maybe_executable};
use crate::scan::packages::Found;
use crate::scan::packages::cargo::AuditableProbe;

impl ModuleProbe for AuditableProbe {
    const ID: &'static str = "cargo-auditable";
    const KIND: &'static str = "cargo";
    const MAGIC: Option<&'static [u8; 4]> = Some(b"\x7fELF");
    fn start(e: &EntryMeta) -> Option<Self> {
        maybe_executable(e).then(AuditableProbe::default)
    }
    fn feed(&mut self, data: &[u8]) {
        AuditableProbe::feed(self, data);
    }
    fn modules(self) -> Vec<Found> {
        self.finish()
    }
}
