//! The image configuration (OCI image-spec `config.md`; Docker's is the same shape).

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: Option<RunConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Vec<History>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RunConfig {
    #[serde(rename = "User", default)]
    pub user: Option<String>,
    #[serde(rename = "Env", default)]
    pub env: Option<Vec<String>>,
    #[serde(rename = "Cmd", default)]
    pub cmd: Option<Vec<String>>,
    #[serde(rename = "Entrypoint", default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "WorkingDir", default)]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels", default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(rename = "ExposedPorts", default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// The health check (added for the best-practice rules).
    #[serde(rename = "Healthcheck", default)]
    pub healthcheck: Option<HealthConfig>,
    /// VOLUME paths (added for the best-practice rules).
    #[serde(rename = "Volumes", default)]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
}

/// The config's `Healthcheck`: only the test is read.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct HealthConfig {
    /// `["CMD", …]`, `["CMD-SHELL", "…"]`, or `["NONE"]` (health checks turned off).
    #[serde(rename = "Test", default)]
    pub test: Option<Vec<String>>,
}

impl HealthConfig {
    /// Whether a health check runs: a test that is not `NONE`.
    pub fn is_on(&self) -> bool {
        self.test
            .as_deref()
            .and_then(<[String]>::first)
            .is_some_and(|t| t != "NONE")
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct History {
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: Option<bool>,
}

impl ImageConfig {
    /// `created_by` for each layer: history entries with `empty_layer` produce no layer.
    pub fn layer_history(&self) -> Vec<Option<String>> {
        self.history
            .iter()
            .filter(|h| !h.empty_layer.unwrap_or(false))
            .map(|h| h.created_by.clone())
            .collect()
    }
}
