//! The image's run configuration as reported: user, env, command line, labels, ports, with
//! every secret-looking value redacted (secret values never reach the report whole).

use super::{ImagePass, ImageView};
use crate::report::{ConfigReport, ImageReport};
use crate::scan::secrets::{redact_text, scan_pair};

pub(super) struct Config;

impl ImagePass for Config {
    fn id(&self) -> &'static str {
        "config"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let Some(c) = &image.config.config else {
            out.config = ConfigReport::default();
            return;
        };
        let env = c
            .env
            .iter()
            .flatten()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => format!("{k}={}", scan_pair(k, v).value_redacted),
                None => e.clone(),
            })
            .collect();
        let labels = c
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), scan_pair(k, v).value_redacted))
            .collect();
        out.config = ConfigReport {
            user: c.user.clone().filter(|u| !u.is_empty()),
            env,
            cmd: c.cmd.iter().flatten().map(|a| redact_text(a)).collect(),
            entrypoint: c.entrypoint.iter().flatten().map(|a| redact_text(a)).collect(),
            working_dir: c.working_dir.clone().filter(|w| !w.is_empty()),
            labels,
            exposed_ports: c
                .exposed_ports
                .as_ref()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        };
    }
}
