//! Image passes: everything that looks at a whole image once its layers are read and merged.
//! Each pass runs once per image over an [`ImageView`] (the config, the merged filesystem,
//! each layer's result with its analyzers' findings) and writes its part of the image's
//! report. Passes run in the order of [`for_image`]; a pass may read what earlier ones wrote
//! (the packages pass reads the distribution the os-release pass found).
//!
//! Adding a pass is one new file here with a type implementing [`ImagePass`] and its line in
//! [`for_image`] (and, for a new part of the report, a field added to
//! [`crate::report::ImageReport`]: the report changes only by adding). docs/architecture.md
//! walks through an example.

mod config;
mod files;
mod os_release;
mod packages;
mod practices;
mod secrets;
mod summary;
mod vulnerabilities;

pub use files::file_records;
pub use practices::content_trust;
pub use vulnerabilities::match_packages;

use crate::analyzer::Capture;
use crate::fs::MergedView;
use crate::fs::entry::{normalize, parent};
use crate::image::{ImageConfig, LayerResult};
use crate::options::Options;
use crate::report::ImageReport;
use crate::tar::EntryKind;
use std::collections::HashMap;
use std::rc::Rc;

/// One image as the passes see it.
pub struct ImageView<'a> {
    pub config: &'a ImageConfig,
    /// The merged filesystem: every version of every path, and which one is visible.
    pub view: MergedView<'a>,
    /// Per layer, in order: its entries and its analyzers' findings (empty for a layer that
    /// could not be read).
    pub layers: &'a [Rc<LayerResult>],
    pub opts: &'a Options,
    /// The capture analyzer's findings by (layer, entry): looked up once per cataloged file
    /// and per earlier copy of it, so not searched for each time.
    captures: HashMap<(usize, usize), &'a Capture>,
}

/// Looks at a whole image and writes its part of the report.
pub trait ImagePass: Sync {
    /// Stable kebab-case id.
    fn id(&self) -> &'static str;
    /// Writes this pass's part of `out`; what cannot be read goes to `out.errors`.
    fn run(&self, image: &ImageView, out: &mut ImageReport);
}

/// Every image pass, in the order they run.
pub fn for_image() -> &'static [&'static dyn ImagePass] {
    &[
        &config::Config,
        &summary::Summary,
        &os_release::OsRelease,
        &packages::Packages,
        &vulnerabilities::Vulnerabilities,
        &secrets::FileSecrets,
        &secrets::ConfigSecrets,
        &practices::Practices,
        &files::Files,
    ]
}

/// Runs every pass over `image` into `out`.
pub fn run_all(image: &ImageView, out: &mut ImageReport) {
    for pass in for_image() {
        pass.run(image, out);
    }
}

impl<'a> ImageView<'a> {
    pub fn new(
        config: &'a ImageConfig,
        view: MergedView<'a>,
        layers: &'a [Rc<LayerResult>],
        opts: &'a Options,
    ) -> Self {
        let captures = layers
            .iter()
            .enumerate()
            .flat_map(|(l, r)| r.findings.of::<Capture>().map(move |c| ((l, c.entry), c)))
            .collect();
        ImageView {
            config,
            view,
            layers,
            opts,
            captures,
        }
    }

    /// The capture of file version `v` (an index into the merged tree's versions), if its
    /// layer's analyzers kept one.
    pub fn capture(&self, v: usize) -> Option<&'a Capture> {
        let ver = self.view.tree.versions()[v];
        self.captures.get(&(ver.layer(), ver.entry())).copied()
    }

    /// The captured bytes of the visible file at `path` (symlinks followed).
    pub fn visible_capture(&self, path: &str) -> Option<&[u8]> {
        let v = resolve(self.view, path, self.opts.limits.symlink_hops)?;
        self.capture(v).map(|c| c.bytes.as_slice())
    }
}

/// Resolves a path in the merged view, following symlinks (bounded), to a visible version.
pub fn resolve(view: MergedView, path: &str, hops: usize) -> Option<usize> {
    let mut path = normalize(path);
    for _ in 0..=hops {
        let v = view.visible(&path)?;
        let e = view.entry(v);
        if e.kind != EntryKind::Symlink {
            return Some(v);
        }
        let target = e.link_target.unwrap_or("");
        path = if target.starts_with('/') {
            normalize(target)
        } else {
            normalize(&format!("{}/{}", parent(&path), target))
        };
    }
    None
}
