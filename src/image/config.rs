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
    // The rest only compared and judged, so kept as written: a value of an unexpected type
    // must not make the whole config unreadable.
    #[serde(rename = "Volumes", default)]
    pub volumes: Option<serde_json::Value>,
    #[serde(rename = "StopSignal", default)]
    pub stop_signal: Option<serde_json::Value>,
    #[serde(rename = "Healthcheck", default)]
    pub healthcheck: Option<serde_json::Value>,
    #[serde(rename = "Shell", default)]
    pub shell: Option<serde_json::Value>,
    #[serde(rename = "OnBuild", default)]
    pub on_build: Option<serde_json::Value>,
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
