//! Reads the Maven coordinates inside Java archives (jar, war, ear, hpi, jpi), nested ones
//! included ([`crate::scan::packages::java`]).

use super::{BinaryModules, EntryMeta, Findings, LayerAnalyzer, Want};
use crate::scan::packages::java::{self, JarProbe};

#[derive(Default)]
pub(super) struct JavaArchive {
    probe: Option<JarProbe>,
    found: Vec<BinaryModules>,
}

impl LayerAnalyzer for JavaArchive {
    fn id(&self) -> &'static str {
        "java-archive"
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        // 22 bytes: the smallest zip (an end-of-central-directory record alone).
        self.probe = (e.is_file() && e.size >= 22 && java::wants(e.path)).then(|| JarProbe::new(e.path));
        if self.probe.is_some() { Want::Body } else { Want::Skip }
    }

    fn content(&mut self, data: &[u8]) -> Want {
        if let Some(p) = &mut self.probe {
            p.feed(data);
        }
        Want::Body
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if let Some(found) = self
            .probe
            .take()
            .and_then(|p| BinaryModules::of(e, "maven", p.finish()))
        {
            self.found.push(found);
        }
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.found);
    }
}
