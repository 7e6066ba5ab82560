//! Java archives (jar, war, ear, hpi, jpi), nested ones included: the Maven coordinates inside,
//! read by [`crate::scan::packages::java`].

use super::EntryMeta;
use super::executable::ModuleProbe;
use crate::scan::packages::Found;
use crate::scan::packages::java::{self, JarProbe};

impl ModuleProbe for JarProbe {
    const ID: &'static str = "java-archive";
    const KIND: &'static str = "maven";
    const MAGIC: Option<&'static [u8; 4]> = None;
    fn start(e: &EntryMeta) -> Option<Self> {
        // 22 bytes: the smallest zip (an end-of-central-directory record alone).
        (e.is_file() && e.size >= 22 && java::wants(e.path)).then(|| JarProbe::new(e.path))
    }
    fn feed(&mut self, data: &[u8]) {
        JarProbe::feed(self, data);
    }
    fn modules(self) -> Vec<Found> {
        self.finish()
    }
}
