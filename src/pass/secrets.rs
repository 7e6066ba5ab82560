//! Secrets, as reported: those the secret-scan analyzer found in files, with the fate of the
//! file version they are in (a secret in a file a later layer deleted or replaced still ships
//! in its layer), and those in the config: env values and secret-looking env names with a
//! real value, labels, the command line, and the build commands in the history. Findings the
//! user accepts (`--allow-secret`) are left out. Values that look like placeholders go to
//! `secret_placeholders`, never counted as secrets.

use super::{ImagePass, ImageView};
use crate::analyzer::FileSecret;
use crate::report::{ImageReport, SecretFinding};
use crate::scan::secrets::{Hit, Scanned, Severity, rules, scan_pair};
use std::collections::HashMap;

pub(super) struct FileSecrets;
pub(super) struct ConfigSecrets;

fn finding(hit: &Hit, location: &str) -> SecretFinding {
    let rule = &rules().rules[hit.rule].spec;
    SecretFinding {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        location: location.to_string(),
        path: None,
        key: None,
        layer: None,
        history_index: None,
        line: Some(hit.line),
        deleted: false,
        deleted_in: None,
        overwritten_in: None,
        match_redacted: hit.redacted.clone(),
    }
}

/// Adds the findings the user does not accept: secrets, and placeholders apart.
fn report(image: &ImageView, found: Vec<(SecretFinding, bool)>, out: &mut ImageReport) {
    let allow = &image.opts.secret_allow;
    for (s, placeholder) in found {
        if allow.allows(&s.rule, s.path.as_deref()) {
            continue;
        }
        if placeholder {
            out.secret_placeholders.push(s);
        } else {
            out.secrets.push(s);
        }
    }
}

/// Each hit of a scan, with whether it is a placeholder.
fn tagged(s: Scanned) -> impl Iterator<Item = (Hit, bool)> {
    let placeholders = s.placeholders.into_iter().map(|h| (h, true));
    s.secrets.into_iter().map(|h| (h, false)).chain(placeholders)
}

impl ImagePass for FileSecrets {
    fn id(&self) -> &'static str {
        "file-secrets"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let view = image.view;
        let mut version_of: HashMap<(usize, usize), usize> = HashMap::new();
        for (i, v) in view.tree.versions().iter().enumerate() {
            version_of.insert((v.layer(), v.entry()), i);
        }
        let mut found = Vec::new();
        for (l, r) in image.layers.iter().enumerate() {
            for s in r.findings.of::<FileSecret>() {
                let mut f = finding(&s.hit, "file");
                f.path = Some(view.layers[l].path(s.entry).to_string());
                f.layer = Some(l);
                if let Some(&v) = version_of.get(&(l, s.entry)) {
                    let v = view.tree.versions()[v];
                    f.deleted_in = v.deleted_in();
                    f.overwritten_in = v.overwritten_in();
                    f.deleted = v.hidden();
                }
                found.push((f, s.placeholder));
            }
        }
        report(image, found, out);
    }
}

impl ImagePass for ConfigSecrets {
    fn id(&self) -> &'static str {
        "config-secrets"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let mut found = Vec::new();
        let c = image.config.config.clone().unwrap_or_default();
        let env = c.env.unwrap_or_default().into_iter().map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e, String::new()),
        });
        let labels = c.labels.unwrap_or_default().into_iter();
        for (location, (k, v)) in env.map(|p| ("env", p)).chain(labels.map(|p| ("label", p))) {
            let scan = scan_pair(&k, &v);
            let hits = scan.hits.iter().map(|h| (h, false));
            for (h, placeholder) in hits.chain(scan.placeholders.iter().map(|h| (h, true))) {
                let mut f = finding(h, location);
                f.key = Some(k.clone());
                found.push((f, placeholder));
            }
            if let Some(redacted) = scan.by_name {
                found.push((
                    SecretFinding {
                        rule: "secret-named-variable".into(),
                        title: "A variable named like a secret holds a value".into(),
                        severity: Severity::Medium,
                        location: location.to_string(),
                        path: None,
                        key: Some(k.clone()),
                        layer: None,
                        history_index: None,
                        line: Some(1),
                        deleted: false,
                        deleted_in: None,
                        overwritten_in: None,
                        match_redacted: redacted,
                    },
                    false,
                ));
            }
        }
        // The command line the image runs: scanned as the build commands are.
        for arg in c.entrypoint.iter().flatten().chain(c.cmd.iter().flatten()) {
            for (hit, placeholder) in tagged(rules().scan_all(arg.as_bytes(), None, false)) {
                let mut f = finding(&hit, "cmd");
                f.location = "cmd".into();
                found.push((f, placeholder));
            }
        }
        for (i, h) in image.config.history.iter().enumerate() {
            let Some(cmd) = &h.created_by else { continue };
            for (hit, placeholder) in tagged(rules().scan_all(cmd.as_bytes(), None, false)) {
                let mut f = finding(&hit, "history");
                f.history_index = Some(i);
                found.push((f, placeholder));
            }
        }
        report(image, found, out);
    }
}
