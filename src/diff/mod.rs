//! Comparing two images ([`compare`]): their configs, layers, files (by content: each file's
//! sha256 from the `file-digests` analyzer that rides the one walk of every layer), packages,
//! secrets and vulnerabilities. How an image is packaged never counts (archive format,
//! compression, manifest and index, tags and names); with [`Mode::Semantic`] neither does what
//! differs between two builds of the same source (timestamps, history, layer boundaries).
//!
//! The result is a public contract like the report (docs/diff.md, docs/diff.schema.json):
//! change it only by adding.

mod files;
pub mod lines;
pub mod text;

use crate::inspect::{ImageState, Inspection};
use crate::report::ImageReport;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the diff's JSON shape; bumped only when fields are added.
pub const DIFF_VERSION: u32 = 1;

/// What counts as a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Everything but packaging: two images are equal when their layers (in order) and their
    /// configs are (field by field, and, for fields not compared one by one, by digest).
    Exact,
    /// "Is this the same build?": file and config timestamps, history, file order and layer
    /// boundaries are left out; what the merged filesystem holds and how it runs count.
    Semantic,
}

/// The comparison of image A with image B.
#[derive(Debug, Clone, Serialize)]
pub struct ImageDiff {
    pub diff_version: u32,
    pub porthole_version: String,
    pub mode: Mode,
    /// No difference that counts in this mode.
    pub equal: bool,
    pub a: Side,
    pub b: Side,
    /// How many of each kind of change.
    pub summary: DiffSummary,
    pub config: Vec<ConfigChange>,
    pub layers: LayerDiff,
    /// Every path whose visible version differs, sorted by path (the first 100,000; the
    /// summary counts them all).
    pub files: Vec<FileChange>,
    /// Paths that differ beyond those listed in `files`.
    pub files_unlisted: usize,
    pub packages: Vec<PackageChange>,
    pub secrets: SecretDiff,
    /// Present when both images were matched against a vulnerability database.
    pub vulnerabilities: Option<VulnerabilityDiff>,
    /// What was left out of the comparison, and why (packaging always; timestamps and
    /// history under `--semantic`; file contents when one side's could not be hashed).
    pub not_compared: Vec<String>,
    /// Why the comparison may be incomplete: an input that could not be read whole or failed
    /// verification (it is still compared where possible). Non-empty means exit 2.
    pub trouble: Vec<String>,
}

/// One image compared.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The input as given (path or reference).
    pub input: String,
    pub name: Option<String>,
    pub platform: Option<String>,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    /// The archive format and compression (reported, never compared).
    pub format: Option<String>,
    pub compression: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffSummary {
    pub config: usize,
    pub layers_shared: usize,
    pub layers_added: usize,
    pub layers_removed: usize,
    pub files_added: usize,
    pub files_removed: usize,
    pub files_changed: usize,
    pub packages_added: usize,
    pub packages_removed: usize,
    pub packages_upgraded: usize,
    pub packages_downgraded: usize,
    /// Version changed where porthole knows no ordering for the ecosystem.
    pub packages_changed: usize,
    pub secrets_new: usize,
    pub secrets_gone: usize,
    pub vulnerabilities_introduced: usize,
    pub vulnerabilities_fixed: usize,
}

/// One difference in the config. `a`/`b` are the values (absent: not set on that side), with
/// the values of secret-looking names redacted; a change hidden by redaction still shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    /// `user`, `env`, `entrypoint`, `cmd`, `working_dir`, `exposed_ports`, `labels`,
    /// `volumes`, `stop_signal`, `healthcheck`, `shell`, `on_build`, `os`, `architecture`,
    /// `variant`, `created`, `history`; `config` (the digests) when the configs differ only in
    /// fields not named here.
    pub field: String,
    /// The variable, label, port or volume (for `history`, the entry's index).
    pub key: Option<String>,
    pub a: Option<String>,
    pub b: Option<String>,
    /// Whether this change counts in the mode (timestamps and history do not under
    /// `--semantic`).
    pub counted: bool,
}

/// Layers by diff_id (the uncompressed content; compression and blob digests never count).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerDiff {
    pub shared: Vec<LayerRef>,
    /// In B and not in A.
    pub added: Vec<LayerRef>,
    /// In A and not in B.
    pub removed: Vec<LayerRef>,
    /// The layers both images hold come in another order (the same layers stacked otherwise
    /// make another filesystem where they overlap).
    pub reordered: bool,
    /// Whether layer changes count (not under `--semantic`: two builds differ in every layer).
    pub counted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerRef {
    /// The layer's index in its image (B's for shared and added, A's for removed).
    pub index: usize,
    pub diff_id: Option<String>,
    pub created_by: Option<String>,
    pub size: Option<u64>,
}

/// One path whose visible version differs.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// For `changed`: what differs, of `type`, `content`, `size`, `mode`, `owner`, `link`,
    /// `mtime` (`mtime` only outside `--semantic`).
    pub what: Vec<&'static str>,
    pub a: Option<FileState>,
    pub b: Option<FileState>,
}

/// A visible file version, as compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileState {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    pub link_target: Option<String>,
    /// `sha256:…` of a regular file's contents (absent when the layer could not be hashed).
    pub sha256: Option<String>,
    /// The layer this version comes from (in its image).
    pub layer: usize,
}

/// A package added, removed or at another version. A package is the same across images when
/// its type, name and the file it was found in are.
#[derive(Debug, Clone, Serialize)]
pub struct PackageChange {
    /// `added`, `removed`, `upgraded`, `downgraded`, or `changed` (no known ordering).
    pub change: &'static str,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub path: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SecretDiff {
    /// In B and not in A.
    pub new: Vec<crate::report::SecretFinding>,
    /// In A and not in B.
    pub gone: Vec<crate::report::SecretFinding>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnerabilityDiff {
    /// Matched in B and not in A.
    pub introduced: Vec<crate::report::vulnerabilities::Vulnerability>,
    /// Matched in A and not in B.
    pub fixed: Vec<crate::report::vulnerabilities::Vulnerability>,
}

/// One input's inspection, ready to compare: the chosen image (the first: `--platform`
/// chooses among an index's) and what to call it.
pub struct Input<'a> {
    pub given: &'a str,
    pub inspection: &'a Inspection,
}

impl Input<'_> {
    fn image(&self) -> Option<(&ImageReport, &ImageState)> {
        Some((self.inspection.report.images.first()?, self.inspection.images.first()?))
    }
}

/// Compares image A with image B. Never fails: an input that holds no image is compared as an
/// empty one, and the reason is in `trouble`.
pub fn compare(a: &Input, b: &Input, mode: Mode) -> ImageDiff {
    let semantic = mode == Mode::Semantic;
    let mut trouble = Vec::new();
    trouble.extend(trouble_of("A", a));
    trouble.extend(trouble_of("B", b));
    let empty_report = ImageReport::default();
    let empty_state = ImageState {
        layers: Vec::new(),
        blobs: Vec::new(),
        tree: crate::fs::MergedTree::build(&[]),
        config: Default::default(),
        trust: Default::default(),
    };
    let (ra, sa) = a.image().unwrap_or((&empty_report, &empty_state));
    let (rb, sb) = b.image().unwrap_or((&empty_report, &empty_state));

    let mut not_compared =
        vec!["packaging: archive format, compression, manifest and index, blob digests, tags and names".to_string()];
    if semantic {
        not_compared
            .push("--semantic: file and config timestamps, history, file order and layer boundaries".to_string());
    }

    let mut config = config_changes(sa, sb, semantic);
    // Fields porthole does not compare one by one (Hostname, os.version, history authors…):
    // configs that differ in nothing it names still differ.
    if !config.iter().any(|c| c.counted)
        && ra.config_digest != rb.config_digest
        && !semantic
        && a.image().is_some()
        && b.image().is_some()
    {
        config.push(ConfigChange {
            field: "config".to_string(),
            key: None,
            a: ra.config_digest.clone(),
            b: rb.config_digest.clone(),
            counted: true,
        });
    }
    let layers = layer_diff(ra, rb, !semantic);
    let file_changes = files::changes(sa, sb, semantic, &mut not_compared);
    let packages = package_changes(ra, rb);
    let secrets = secret_diff(ra, rb);
    let vulnerabilities = vulnerability_diff(ra, rb);

    let mut summary = DiffSummary {
        config: config.iter().filter(|c| c.counted).count(),
        layers_shared: layers.shared.len(),
        layers_added: layers.added.len(),
        layers_removed: layers.removed.len(),
        secrets_new: secrets.new.len(),
        secrets_gone: secrets.gone.len(),
        ..Default::default()
    };
    summary.files_added = file_changes.added;
    summary.files_removed = file_changes.removed;
    summary.files_changed = file_changes.changed;
    let files_unlisted = file_changes.total() - file_changes.listed.len();
    let files = file_changes.listed;
    for p in &packages {
        match p.change {
            "added" => summary.packages_added += 1,
            "removed" => summary.packages_removed += 1,
            "upgraded" => summary.packages_upgraded += 1,
            "downgraded" => summary.packages_downgraded += 1,
            _ => summary.packages_changed += 1,
        }
    }
    if let Some(v) = &vulnerabilities {
        summary.vulnerabilities_introduced = v.introduced.len();
        summary.vulnerabilities_fixed = v.fixed.len();
    }
    // Packages, secrets and vulnerabilities follow from the files, so they need no count of
    // their own; they are listed because they are what people ask about.
    let equal = summary.config == 0
        && (!layers.counted || layers.added.is_empty() && layers.removed.is_empty() && !layers.reordered)
        && files.is_empty()
        && files_unlisted == 0;
    ImageDiff {
        diff_version: DIFF_VERSION,
        porthole_version: env!("CARGO_PKG_VERSION").to_string(),
        mode,
        equal,
        a: side(a, ra),
        b: side(b, rb),
        summary,
        config,
        layers,
        files,
        files_unlisted,
        packages,
        secrets,
        vulnerabilities,
        not_compared,
        trouble,
    }
}

/// Exit status as diff(1)'s: 0 equal, 1 different, 2 trouble.
impl ImageDiff {
    pub fn exit_code(&self) -> u8 {
        if !self.trouble.is_empty() {
            2
        } else if self.equal {
            0
        } else {
            1
        }
    }
}

/// What makes one input's comparison unsure: no image, errors, failed verification.
fn trouble_of(label: &str, input: &Input) -> Vec<String> {
    let report = &input.inspection.report;
    let mut out: Vec<String> = report
        .errors
        .iter()
        .map(|e| format!("{label} ({}): {e}", input.given))
        .collect();
    match report.images.first() {
        None => out.push(format!("{label} ({}): no image could be read", input.given)),
        Some(img) => {
            out.extend(img.errors.iter().map(|e| format!("{label} ({}): {e}", input.given)));
            if report.has_mismatch() {
                out.push(format!(
                    "{label} ({}): a digest does not match (the image was changed or damaged)",
                    input.given
                ));
            }
        }
    }
    out
}

fn side(input: &Input, img: &ImageReport) -> Side {
    let source = &input.inspection.report.source;
    Side {
        input: input.given.to_string(),
        name: img.name.clone(),
        platform: img.platform.clone(),
        manifest_digest: img.manifest_digest.clone(),
        config_digest: img.config_digest.clone(),
        format: source.format.clone(),
        compression: source.compression.clone(),
        verified: img.verified,
    }
}

/// A config value as text (JSON for anything but a string).
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn config_changes(a: &ImageState, b: &ImageState, semantic: bool) -> Vec<ConfigChange> {
    use crate::scan::secrets::{redact_text, scan_pair};
    let mut out = Vec::new();
    let mut push = |field: &str, key: Option<String>, va: Option<String>, vb: Option<String>, counted: bool| {
        if va != vb {
            out.push(ConfigChange {
                field: field.to_string(),
                key,
                a: va,
                b: vb,
                counted,
            });
        }
    };
    let (ca, cb) = (&a.config, &b.config);
    let ra = ca.config.clone().unwrap_or_default();
    let rb = cb.config.clone().unwrap_or_default();
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    push(
        "os",
        None,
        nonempty(&Some(ca.os.clone())),
        nonempty(&Some(cb.os.clone())),
        true,
    );
    push(
        "architecture",
        None,
        nonempty(&Some(ca.architecture.clone())),
        nonempty(&Some(cb.architecture.clone())),
        true,
    );
    push("variant", None, nonempty(&ca.variant), nonempty(&cb.variant), true);
    push("user", None, nonempty(&ra.user), nonempty(&rb.user), true);
    push(
        "working_dir",
        None,
        nonempty(&ra.working_dir),
        nonempty(&rb.working_dir),
        true,
    );
    // Command lines: compared whole, shown redacted.
    let argv = |v: &Option<Vec<String>>| {
        v.as_ref().filter(|v| !v.is_empty()).map(|v| {
            let redacted: Vec<String> = v.iter().map(|a| redact_text(a)).collect();
            serde_json::to_string(&redacted).unwrap_or_default()
        })
    };
    for (field, va, vb) in [
        ("entrypoint", &ra.entrypoint, &rb.entrypoint),
        ("cmd", &ra.cmd, &rb.cmd),
    ] {
        if va.as_ref().filter(|v| !v.is_empty()) != vb.as_ref().filter(|v| !v.is_empty()) {
            let (sa, sb) = (argv(va), argv(vb));
            let same_shown = sa == sb;
            out_changed(&mut push, field, None, sa, sb, same_shown, true);
        }
    }
    // Variables and labels: per name, values of secret-looking names redacted.
    let env_map = |r: &crate::image::config::RunConfig| -> BTreeMap<String, String> {
        r.env
            .iter()
            .flatten()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (e.clone(), String::new()),
            })
            .collect()
    };
    let labels = |r: &crate::image::config::RunConfig| r.labels.clone().unwrap_or_default();
    for (field, ma, mb) in [
        ("env", env_map(&ra), env_map(&rb)),
        ("labels", labels(&ra), labels(&rb)),
    ] {
        let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
        for k in keys {
            let (va, vb) = (ma.get(k), mb.get(k));
            if va != vb {
                let show = |v: Option<&String>| v.map(|v| scan_pair(k, v).value_redacted);
                let (sa, sb) = (show(va), show(vb));
                let same_shown = sa == sb;
                out_changed(&mut push, field, Some(k.clone()), sa, sb, same_shown, true);
            }
        }
    }
    // Ports and volumes: sets of names.
    let names = |v: Option<serde_json::Value>| -> BTreeSet<String> {
        match v {
            Some(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
            Some(serde_json::Value::Array(a)) => a.iter().map(shown).collect(),
            _ => BTreeSet::new(),
        }
    };
    let ports = |r: &crate::image::config::RunConfig| {
        names(
            r.exposed_ports
                .clone()
                .map(|m| serde_json::Value::Object(m.into_iter().collect())),
        )
    };
    for (field, sa, sb) in [
        ("exposed_ports", ports(&ra), ports(&rb)),
        ("volumes", names(ra.volumes.clone()), names(rb.volumes.clone())),
    ] {
        for k in sa.symmetric_difference(&sb) {
            let has = |s: &BTreeSet<String>| s.contains(k).then(|| k.clone());
            push(field, Some(k.clone()), has(&sa), has(&sb), true);
        }
    }
    let value = |v: &Option<serde_json::Value>| v.as_ref().filter(|v| !v.is_null()).map(shown);
    for (field, va, vb) in [
        ("stop_signal", &ra.stop_signal, &rb.stop_signal),
        ("healthcheck", &ra.healthcheck, &rb.healthcheck),
        ("shell", &ra.shell, &rb.shell),
        ("on_build", &ra.on_build, &rb.on_build),
    ] {
        push(
            field,
            None,
            value(va).map(|s| redact_text(&s)),
            value(vb).map(|s| redact_text(&s)),
            true,
        );
    }
    // When and how it was built: not what the image is, so not under --semantic.
    push("created", None, value(&ca.created), value(&cb.created), !semantic);
    let entry = |h: &crate::image::config::History| {
        let by = redact_text(h.created_by.as_deref().unwrap_or(""));
        match value(&h.created) {
            Some(t) => format!("{by} ({t})"),
            None => by,
        }
    };
    for i in 0..ca.history.len().max(cb.history.len()) {
        push(
            "history",
            Some(i.to_string()),
            ca.history.get(i).map(entry),
            cb.history.get(i).map(entry),
            !semantic,
        );
    }
    out
}

/// Records a change whose values differ but may show the same once redacted: then say so.
fn out_changed(
    push: &mut impl FnMut(&str, Option<String>, Option<String>, Option<String>, bool),
    field: &str,
    key: Option<String>,
    a: Option<String>,
    b: Option<String>,
    same_shown: bool,
    counted: bool,
) {
    if same_shown {
        // Redaction made two values look alike: say so, so that the change still shows.
        push(
            field,
            key,
            a.map(|v| format!("{v} (redacted)")),
            b.map(|v| format!("{v} (redacted; not A's value)")),
            counted,
        );
    } else {
        push(field, key, a, b, counted);
    }
}

fn layer_diff(a: &ImageReport, b: &ImageReport, counted: bool) -> LayerDiff {
    let layer_ref = |l: &crate::report::LayerReport| LayerRef {
        index: l.index,
        diff_id: l.diff_id.clone(),
        created_by: l.created_by.clone(),
        size: l.uncompressed_size,
    };
    let ids = |img: &ImageReport| -> BTreeSet<String> { img.layers.iter().filter_map(|l| l.diff_id.clone()).collect() };
    let (ia, ib) = (ids(a), ids(b));
    let mut out = LayerDiff {
        counted,
        ..Default::default()
    };
    for l in &b.layers {
        match &l.diff_id {
            Some(d) if ia.contains(d) => out.shared.push(layer_ref(l)),
            _ => out.added.push(layer_ref(l)),
        }
    }
    for l in &a.layers {
        if !l.diff_id.as_ref().is_some_and(|d| ib.contains(d)) {
            out.removed.push(layer_ref(l));
        }
    }
    let shared_order = |img: &ImageReport, other: &BTreeSet<String>| -> Vec<String> {
        img.layers
            .iter()
            .filter_map(|l| l.diff_id.clone())
            .filter(|d| other.contains(d))
            .collect()
    };
    out.reordered = shared_order(a, &ib) != shared_order(b, &ia);
    out
}

/// The version ordering for a package type, where porthole knows one.
fn ordering(kind: &str) -> Option<&'static dyn crate::vuln::version::VersionScheme> {
    let ecosystem = match kind {
        "deb" => "Debian",
        "apk" => "Alpine",
        "rpm" => "Red Hat",
        "python" => "PyPI",
        "npm" => "npm",
        "cargo" => "crates.io",
        "go" => "Go",
        "maven" => "Maven",
        "nuget" => "NuGet",
        "gem" => "RubyGems",
        "composer" => "Packagist",
        _ => return None,
    };
    crate::vuln::version::scheme_for(ecosystem)
}

/// One version of a package to another, in its ecosystem's order: `upgraded`, `downgraded`,
/// or `changed` (no known order, or equal under it but spelled differently).
fn version_change(kind: &str, a: Option<&str>, b: Option<&str>) -> &'static str {
    match (ordering(kind), a, b) {
        (Some(s), Some(x), Some(y)) => match s.compare(x, y) {
            std::cmp::Ordering::Less => "upgraded",
            std::cmp::Ordering::Greater => "downgraded",
            std::cmp::Ordering::Equal => "changed",
        },
        _ => "changed",
    }
}

fn package_changes(a: &ImageReport, b: &ImageReport) -> Vec<PackageChange> {
    type Key = (String, String, String);
    let index = |img: &ImageReport| -> BTreeMap<Key, BTreeSet<String>> {
        let mut m: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
        for p in &img.packages {
            m.entry((p.kind.clone(), p.name.clone(), p.path.clone()))
                .or_default()
                .insert(p.version.clone());
        }
        m
    };
    let (ma, mb) = (index(a), index(b));
    let keys: BTreeSet<&Key> = ma.keys().chain(mb.keys()).collect();
    let mut out = Vec::new();
    for key in keys {
        let (kind, name, path) = key;
        let (va, vb) = (ma.get(key), mb.get(key));
        if va == vb {
            continue;
        }
        let joined = |v: Option<&BTreeSet<String>>| v.map(|s| s.iter().cloned().collect::<Vec<_>>().join(", "));
        let change = match (va, vb) {
            (None, _) => "added",
            (_, None) => "removed",
            (Some(x), Some(y)) if x.len() == 1 && y.len() == 1 => {
                version_change(kind, x.first().map(String::as_str), y.first().map(String::as_str))
            }
            _ => "changed",
        };
        out.push(PackageChange {
            change,
            kind: kind.clone(),
            name: name.clone(),
            path: path.clone(),
            a: joined(va),
            b: joined(vb),
        });
    }
    pair_moved(out)
}

/// Where the file that lists a package names its version (`requests-2.31.0.dist-info`,
/// `rack-3.0.8.gemspec`, `commons-io-2.15.1.jar`), an upgrade reads as one package removed and
/// another added: a lone pair of the same type and name is one change, at B's path.
fn pair_moved(changes: Vec<PackageChange>) -> Vec<PackageChange> {
    let mut count: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for c in &changes {
        *count.entry((c.change, c.kind.as_str(), c.name.as_str())).or_default() += 1;
    }
    let lone = |change: &str, c: &PackageChange| count.get(&(change, c.kind.as_str(), c.name.as_str())) == Some(&1);
    let paired: Vec<bool> = changes
        .iter()
        .map(|c| matches!(c.change, "added" | "removed") && lone("added", c) && lone("removed", c))
        .collect();
    let mut out = Vec::new();
    let mut removed_version: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    for (c, &p) in changes.iter().zip(&paired) {
        if p && c.change == "removed" {
            removed_version.insert((c.kind.clone(), c.name.clone()), c.a.clone());
        }
    }
    for (c, p) in changes.into_iter().zip(paired) {
        if !p {
            out.push(c);
        } else if c.change == "added" {
            let a = removed_version.remove(&(c.kind.clone(), c.name.clone())).flatten();
            let change = version_change(&c.kind, a.as_deref(), c.b.as_deref());
            out.push(PackageChange { change, a, ..c });
        }
    }
    out.sort_by(|x, y| (&x.kind, &x.name, &x.path).cmp(&(&y.kind, &y.name, &y.path)));
    out
}

/// A secret is the same across images when its rule, where it is and its redacted match are;
/// the line and the layer may move.
fn secret_diff(a: &ImageReport, b: &ImageReport) -> SecretDiff {
    let key = |s: &crate::report::SecretFinding| {
        (
            s.rule.clone(),
            s.location.clone(),
            s.path.clone(),
            s.key.clone(),
            s.match_redacted.clone(),
        )
    };
    let ka: BTreeSet<_> = a.secrets.iter().map(key).collect();
    let kb: BTreeSet<_> = b.secrets.iter().map(key).collect();
    SecretDiff {
        new: b.secrets.iter().filter(|s| !ka.contains(&key(s))).cloned().collect(),
        gone: a.secrets.iter().filter(|s| !kb.contains(&key(s))).cloned().collect(),
    }
}

fn vulnerability_diff(a: &ImageReport, b: &ImageReport) -> Option<VulnerabilityDiff> {
    // Both sides must have been matched; otherwise "introduced" would mean "not looked for".
    if a.vulnerability_summary.is_none() || b.vulnerability_summary.is_none() {
        return None;
    }
    let key = |v: &crate::report::vulnerabilities::Vulnerability| {
        (
            v.id.clone(),
            v.package.kind.clone(),
            v.package.name.clone(),
            v.package.path.clone(),
        )
    };
    let ka: BTreeSet<_> = a.vulnerabilities.iter().map(key).collect();
    let kb: BTreeSet<_> = b.vulnerabilities.iter().map(key).collect();
    Some(VulnerabilityDiff {
        introduced: b
            .vulnerabilities
            .iter()
            .filter(|v| !ka.contains(&key(v)))
            .cloned()
            .collect(),
        fixed: a
            .vulnerabilities
            .iter()
            .filter(|v| !kb.contains(&key(v)))
            .cloned()
            .collect(),
    })
}
