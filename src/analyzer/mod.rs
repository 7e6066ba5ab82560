//! Layer analyzers: everything that looks at a layer's entries and bytes as they stream by,
//! riding the single walk of each layer ([`crate::image::walk::LayerWalker`]), in the spirit
//! of ripgrep's `Sink` and trivy's analyzers. The walker knows none of them by name: it runs
//! the list [`for_layer`] returns, and each analyzer's findings travel in the layer's result
//! ([`Findings`], one serialisable collection: postcard bytes between workers).
//!
//! Adding an analyzer is one new file here with a type implementing [`LayerAnalyzer`], its line
//! in [`for_layer`], and, if it finds something of a new kind, a line in the `findings!` list
//! that declares [`Finding`]. docs/architecture.md walks through an example.

mod capture;
mod cargo_auditable;
mod executable;
mod file_digest;
mod go_build_info;
mod java_archive;
mod practices;
mod secrets;

pub use capture::Capture;
pub use file_digest::FileDigest;
pub use practices::{AccountFile, ContentMatch};
pub use secrets::FileSecret;

use crate::fs::Marker;
use crate::limits::Limits;
use crate::scan::packages::{cargo::AuditableProbe, golang::GoProbe, java::JarProbe};
use crate::tar::EntryKind;
pub use crate::tar::stream::Want;

/// One entry of a layer as an analyzer sees it: the path normalised, whiteouts resolved.
#[derive(Debug, Clone, Copy)]
pub struct EntryMeta<'a> {
    /// Index into the layer's entry list (findings refer to entries by it).
    pub index: usize,
    /// Absolute and normalised (see [`crate::fs::entry::normalize`]); for a whiteout, the
    /// path it deletes.
    pub path: &'a str,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub marker: Option<Marker>,
}

impl EntryMeta<'_> {
    /// A regular file with contents (not a whiteout marker).
    pub fn is_file(&self) -> bool {
        self.kind == EntryKind::Regular && self.marker.is_none()
    }
}

/// Looks at a layer's entries as the walk passes them. Call order, per entry: [`entry`]; if it
/// returned [`Want::Body`], [`content`] with the body's pieces in order until one returns
/// [`Want::Skip`] (or the body ends), then [`end_entry`]. [`Want::Stop`] from either means the
/// analyzer needs nothing more of this layer: it is not called again until [`finish`].
/// Analyzers do not fail: what they cannot read becomes part of their findings.
///
/// [`entry`]: LayerAnalyzer::entry
/// [`content`]: LayerAnalyzer::content
/// [`end_entry`]: LayerAnalyzer::end_entry
/// [`finish`]: LayerAnalyzer::finish
pub trait LayerAnalyzer {
    /// Stable kebab-case id.
    fn id(&self) -> &'static str;
    /// A new entry: is its body wanted? Decide by the metadata alone (cheap: it runs for
    /// every entry of every layer).
    fn entry(&mut self, e: &EntryMeta) -> Want;
    /// The next piece of the body of the entry last accepted.
    fn content(&mut self, chunk: &[u8]) -> Want;
    /// The body of the entry last accepted has ended (also after `content` said `Skip`).
    fn end_entry(&mut self, e: &EntryMeta);
    /// The layer has ended: what was found.
    fn finish(self: Box<Self>, out: &mut Findings);
}

/// Every layer analyzer, fresh for one layer, in the order their findings are recorded.
pub fn for_layer(limits: &Limits) -> Vec<Box<dyn LayerAnalyzer>> {
    let mut all: Vec<Box<dyn LayerAnalyzer>> = vec![
        Box::new(capture::CaptureFiles::new(limits)),
        Box::new(secrets::SecretScan::new(limits)),
        Box::new(executable::Modules::<GoProbe>::new()),
        Box::new(executable::Modules::<AuditableProbe>::new()),
        Box::new(executable::Modules::<JarProbe>::new()),
        Box::new(practices::PracticeScan::new(limits)),
    ];
    if limits.file_digests {
        all.push(Box::<file_digest::FileDigests>::default());
    }
    all
}

/// The modules an executable or archive of a layer says it was built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BinaryModules {
    /// Index into the layer's entries.
    pub entry: usize,
    /// The package `type` of the modules (`go`, `maven`, `cargo`).
    pub kind: String,
    pub modules: Vec<crate::scan::packages::Found>,
}

impl BinaryModules {
    /// What entry `e` lists, if it lists anything.
    fn of(e: &EntryMeta, kind: &str, modules: Vec<crate::scan::packages::Found>) -> Option<Self> {
        (!modules.is_empty()).then(|| BinaryModules {
            entry: e.index,
            kind: kind.into(),
            modules,
        })
    }
}

/// Declares the kinds of finding: one variant each, with its conversions.
macro_rules! findings {
    ($($(#[$doc:meta])* $variant:ident($ty:ty),)*) => {
        /// One thing a layer analyzer found; a new kind of finding is a new variant.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum Finding {
            $($(#[$doc])* $variant($ty),)*
        }
        $(
            impl From<$ty> for Finding {
                fn from(f: $ty) -> Self {
                    Finding::$variant(f)
                }
            }
            impl FindingKind for $ty {
                fn from_finding(f: &Finding) -> Option<&Self> {
                    match f {
                        Finding::$variant(x) => Some(x),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )*
    };
}

findings! {
    /// The contents of a file kept for the image passes (os-release, package databases).
    Capture(Capture),
    /// A secret in a file's contents.
    Secret(FileSecret),
    /// Modules an executable or archive was built from.
    Modules(BinaryModules),
    /// A regular file's sha256 (only when [`Limits::file_digests`] is set).
    FileDigest(FileDigest),
    /// A malware-indicator rule's match in a file's contents.
    Content(ContentMatch),
    /// An account file (passwd, shadow, group) kept for the best-practice rules.
    Account(AccountFile),
}

/// A type that is one kind of [`Finding`] (see [`Findings::of`]).
pub trait FindingKind: Sized + 'static {
    fn from_finding(f: &Finding) -> Option<&Self>;
}

/// What the analyzers found in one layer, in the order they recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Findings(Vec<Finding>);

impl Findings {
    pub fn push(&mut self, f: impl Into<Finding>) {
        self.0.push(f.into());
    }

    /// Pushes each of `found`, in order.
    pub fn extend<T: Into<Finding>>(&mut self, found: impl IntoIterator<Item = T>) {
        self.0.extend(found.into_iter().map(Into::into));
    }

    /// The findings of one kind, in order: `findings.of::<Capture>()`.
    pub fn of<T: FindingKind>(&self) -> impl Iterator<Item = &T> {
        self.0.iter().filter_map(T::from_finding)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
