//! Package catalogers: one per ecosystem, one file each, behind [`Cataloger`]. Each declares
//! the paths it wants (cheap, by path); the layer walk captures those files (bounded); after
//! the merge, each visible captured file is parsed, and every package is attributed to the
//! first layer whose copy of the same file lists it at that version.

mod apk;
pub mod cargo;
mod composer;
mod distro;
mod dpkg;
mod gem;
pub mod golang;
pub mod java;
mod npm;
mod nuget;
pub mod purl;
mod python;
mod rpm;

pub use distro::{Distro, detect_distro, os_release_fields};

use serde::Serialize;

/// One installed package, as reported (`images[].packages[]`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Package {
    /// `deb`, `apk`, `rpm`, `python`, `npm`, `go`, `maven`, `gem`, `cargo`, `composer`, `nuget`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    pub licenses: Vec<String>,
    /// The file the package was found in.
    pub path: String,
    /// The first layer whose copy of that file lists the package at this version.
    pub layer: usize,
    /// Architecture, where the database records one.
    pub arch: Option<String>,
    /// The source package (deb `Source`, apk origin), where recorded.
    pub source: Option<String>,
    /// The source package's version where the database records one apart from the package's
    /// own (dpkg's `Source: name (version)`); vulnerability matching reads it.
    #[serde(skip)]
    pub source_version: Option<String>,
}

/// What a cataloger extracts from one file, before paths and layers are attached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Found {
    pub name: String,
    pub version: String,
    pub licenses: Vec<String>,
    pub arch: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub source_version: Option<String>,
}

impl Found {
    /// The package a one-package file (a gemspec, a METADATA file) describes, if it names
    /// both a name and a version.
    pub fn one(name: Option<String>, version: Option<String>, licenses: Vec<String>) -> Vec<Found> {
        match (name, version) {
            (Some(name), Some(version)) => vec![Found {
                name,
                version,
                licenses,
                arch: None,
                source: None,
                source_version: None,
            }],
            _ => Vec::new(),
        }
    }
}

/// What a cataloger read from one file: the packages, and why the file could be read only in
/// part (or not at all), if so.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Parsed {
    pub found: Vec<Found>,
    pub problem: Option<String>,
}

/// One ecosystem's reader.
pub trait Cataloger: Sync {
    /// Stable kebab-case id.
    fn id(&self) -> &'static str;
    /// The package `type` it reports.
    fn kind(&self) -> &'static str;
    /// Whether the file at `path` (absolute, normalised) holds packages for this cataloger.
    fn wants(&self, path: &str) -> bool;
    /// Reads the captured bytes of one such file.
    fn parse(&self, path: &str, bytes: &[u8]) -> Vec<Found>;
    /// [`Cataloger::parse`], also saying what could not be read (binary databases).
    fn read(&self, path: &str, bytes: &[u8]) -> Parsed {
        Parsed {
            found: self.parse(path, bytes),
            problem: None,
        }
    }
    /// The package URL of a found package.
    fn purl(&self, found: &Found, distro: Option<&Distro>) -> String;
}

/// Every cataloger.
pub fn catalogers() -> &'static [&'static dyn Cataloger] {
    &[
        &dpkg::Dpkg,
        &apk::Apk,
        &rpm::Rpm,
        &python::Python,
        &npm::Npm,
        &gem::Gem,
        &composer::Composer,
        &nuget::Nuget,
    ]
}

/// Whether any cataloger (or distro detection) wants this file captured.
pub fn wants(path: &str) -> bool {
    distro::wants(path) || catalogers().iter().any(|c| c.wants(path))
}

/// The purl of a module found in an executable or archive of the given `type`.
pub fn binary_purl(kind: &str, f: &Found, distro: Option<&Distro>) -> String {
    match kind {
        "maven" => java::purl(f, distro),
        "cargo" => cargo::purl(f, distro),
        _ => golang::purl(f, distro),
    }
}
