//! Go executables: the build info the linker embeds (main module and every dependency with
//! its version), read by [`crate::scan::packages::golang`].

use super::EntryMeta;
use super::executable::{ModuleProbe, maybe_executable};
use crate::scan::packages::Found;
use crate::scan::packages::golang::GoProbe;

impl ModuleProbe for GoProbe {
    const ID: &'static str = "go-build-info";
    const KIND: &'static str = "go";
    const MAGIC: Option<&'static [u8; 4]> = Some(b"\x7fELF");
    fn start(e: &EntryMeta) -> Option<Self> {
        maybe_executable(e).then(GoProbe::default)
    }
    fn feed(&mut self, data: &[u8]) {
        GoProbe::feed(self, data);
    }
    fn modules(self) -> Vec<Found> {
        self.finish().map(|info| info.modules).unwrap_or_default()
    }
}
