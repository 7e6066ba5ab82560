//! Rust executables built with `cargo auditable`: the dependency tree embedded in them, read by
//! [`crate::scan::packages::cargo`].

use super::executable::ModuleProbe;
use crate::scan::packages::Found;
use crate::scan::packages::cargo::AuditableProbe;

impl ModuleProbe for AuditableProbe {
    const ID: &'static str = "cargo-auditable";
    const KIND: &'static str = "cargo";
    fn feed(&mut self, data: &[u8]) {
        AuditableProbe::feed(self, data);
    }
    fn modules(self) -> Vec<Found> {
        self.finish()
    }
}
