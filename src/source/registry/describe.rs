//! What a registry says about each tag of a repository, for browsing: the manifest digest and
//! media type (a HEAD), and with details the platforms of an index, the image's compressed
//! size, its creation time and labels (its manifest and config, each checked against its
//! digest). Sans-IO steps of a [`super::conversation::Conversation`].

use super::auth::Credentials;
use super::conversation::{Ask, Conversation, Steps};
use super::fetch::{ACCEPT, Purpose, ResponseHead};
use crate::digest::Digest;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// One tag, as browsing shows it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TagInfo {
    pub tag: String,
    /// The manifest (or index) digest.
    pub digest: Option<String>,
    pub media_type: Option<String>,
    /// The platforms an index lists (`os/arch[/variant]`; attestation entries left out).
    pub platforms: Vec<String>,
    /// The platform the size, time and labels below are of (an index's linux/amd64, else its
    /// first), or `None` for a single-platform image.
    pub described_platform: Option<String>,
    /// Config plus layers, compressed, as the manifest declares them.
    pub size: Option<u64>,
    /// The config's `created`.
    pub created: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Why the tag could not be described (gone since it was listed, not a manifest, …).
    pub error: Option<String>,
}

enum Step {
    Head(usize),
    /// Manifest of tag `.0` by reference `.1`; its bytes must hash to `.2` when known.
    Manifest(usize, String, Option<Digest>, bool),
    Config(usize, Digest),
}

/// Describing tags of one repository.
pub struct Tags {
    base: String,
    repo: String,
    details: bool,
    queue: VecDeque<Step>,
    /// What each step asked, in order of asking (answers come back in that order).
    asked: VecDeque<Step>,
    pub infos: Vec<TagInfo>,
}

/// A description of tags in progress.
pub type Describe = Conversation<Tags>;

impl Describe {
    /// Describes `tags` of `repo` on the registry at `base`; `details` fetches each manifest and
    /// config. `authorization`: a token a listing of this repository already obtained.
    pub fn tags(
        base: &str,
        api_host: &str,
        repo: &str,
        tags: &[String],
        details: bool,
        creds: Option<Credentials>,
        authorization: Option<String>,
    ) -> Describe {
        let steps = Tags {
            base: base.to_string(),
            repo: repo.to_string(),
            details,
            queue: (0..tags.len()).map(Step::Head).collect(),
            asked: VecDeque::new(),
            infos: tags
                .iter()
                .map(|t| TagInfo {
                    tag: t.clone(),
                    ..Default::default()
                })
                .collect(),
        };
        Conversation::new(steps, creds, api_host, authorization)
    }
}

fn platform_of(v: &serde_json::Value) -> Option<String> {
    let os = v["os"].as_str()?;
    let arch = v["architecture"].as_str()?;
    if os == "unknown" || arch == "unknown" {
        return None; // buildx attestation manifests
    }
    Some(match v["variant"].as_str() {
        Some(var) => format!("{os}/{arch}/{var}"),
        None => format!("{os}/{arch}"),
    })
}

impl Tags {
    fn url(&self, path: &str) -> String {
        format!("{}/v2/{}/{path}", self.base, self.repo)
    }

    fn manifest(&mut self, i: usize, body: &[u8], want: Option<Digest>, top: bool) -> Result<()> {
        let actual = Digest::of(body);
        if let Some(w) = want
            && w != actual
        {
            return Err(Error::integrity(format!(
                "the manifest of tag {} hashes to {actual}, not to the digest the registry named ({w})",
                self.infos[i].tag
            )));
        }
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| Error::malformed(format!("the manifest of tag {} is not JSON: {e}", self.infos[i].tag)))?;
        let info = &mut self.infos[i];
        if top {
            info.digest.get_or_insert_with(|| actual.to_string());
            if let Some(m) = v["mediaType"].as_str() {
                info.media_type = Some(m.to_string());
            }
        }
        if let Some(entries) = v["manifests"].as_array() {
            if !top {
                return Err(Error::malformed(format!(
                    "tag {}: an index lists another index",
                    info.tag
                )));
            }
            info.platforms = entries.iter().filter_map(|m| platform_of(&m["platform"])).collect();
            let chosen = entries
                .iter()
                .find(|m| platform_of(&m["platform"]).as_deref() == Some("linux/amd64"))
                .or_else(|| entries.iter().find(|m| platform_of(&m["platform"]).is_some()));
            if let Some(m) = chosen
                && let Some(d) = m["digest"].as_str().and_then(|d| Digest::parse(d).ok())
            {
                info.described_platform = platform_of(&m["platform"]);
                self.queue.push_front(Step::Manifest(i, d.to_string(), Some(d), false));
            }
            return Ok(());
        }
        // Sizes from the registry: summed without overflow.
        let size = |d: &serde_json::Value| d["size"].as_u64().unwrap_or(0);
        let layers = v["layers"]
            .as_array()
            .map(|l| l.iter().map(size).fold(0u64, u64::saturating_add))
            .unwrap_or(0);
        info.size = Some(size(&v["config"]).saturating_add(layers));
        if let Some(d) = v["config"]["digest"].as_str().and_then(|d| Digest::parse(d).ok()) {
            self.queue.push_front(Step::Config(i, d));
        }
        Ok(())
    }

    fn config(&mut self, i: usize, want: &Digest, body: &[u8]) -> Result<()> {
        let actual = Digest::of(body);
        if actual != *want {
            return Err(Error::integrity(format!(
                "the config of tag {} hashes to {actual}, not to {want}",
                self.infos[i].tag
            )));
        }
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| Error::malformed(format!("the config of tag {} is not JSON: {e}", self.infos[i].tag)))?;
        let info = &mut self.infos[i];
        info.created = v["created"].as_str().map(str::to_string);
        if let Some(labels) = v["config"]["Labels"].as_object() {
            info.labels = labels
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
        }
        Ok(())
    }
}

impl Steps for Tags {
    fn next(&mut self) -> Option<Ask> {
        let step = self.queue.pop_front()?;
        let ask = match &step {
            Step::Head(i) => Ask::new(
                self.url(&format!("manifests/{}", self.infos[*i].tag)),
                Some(ACCEPT),
                Purpose::ManifestHead(self.infos[*i].tag.clone()),
            ),
            Step::Manifest(_, reference, _, _) => Ask::new(
                self.url(&format!("manifests/{reference}")),
                Some(ACCEPT),
                Purpose::Manifest(reference.clone()),
            ),
            Step::Config(_, d) => Ask::new(self.url(&format!("blobs/{d}")), None, Purpose::Config(d.clone())),
        };
        self.asked.push_back(step);
        Some(ask)
    }

    fn scope(&self) -> String {
        format!("repository:{}:pull", self.repo)
    }

    fn answered(&mut self, _: &Ask, head: &ResponseHead, body: Vec<u8>) -> Result<()> {
        let Some(step) = self.asked.pop_front() else {
            return Ok(());
        };
        // A tag's trouble is the tag's, not the listing's end.
        let outcome = match step {
            Step::Head(i) => {
                let digest = head.header("Docker-Content-Digest").and_then(|d| Digest::parse(d).ok());
                let info = &mut self.infos[i];
                info.media_type = head
                    .header("Content-Type")
                    .map(|c| c.split(';').next().unwrap_or(c).trim().to_string());
                info.digest = digest.as_ref().map(Digest::to_string);
                // Without the digest header (a browser hides it unless the registry exposes
                // it), the manifest itself tells it.
                if self.details || digest.is_none() {
                    let reference = digest.as_ref().map_or_else(|| info.tag.clone(), Digest::to_string);
                    self.queue.push_front(Step::Manifest(i, reference, digest, true));
                }
                Ok(())
            }
            Step::Manifest(i, _, want, top) => self.manifest(i, &body, want, top).map_err(|e| (i, e)),
            Step::Config(i, d) => self.config(i, &d, &body).map_err(|e| (i, e)),
        };
        if let Err((i, e)) = outcome {
            self.infos[i].error = Some(e.message);
        }
        Ok(())
    }

    fn refused(&mut self, ask: &Ask, head: &ResponseHead, _: &[u8], credentials: bool) -> Result<()> {
        let status = head.status;
        let Some(step) = self.asked.pop_front() else {
            return Ok(());
        };
        if matches!(status, 401 | 403) {
            return Err(Error::io(format!(
                "the registry refuses to show the manifests of {} (HTTP {status}){}",
                self.repo,
                if credentials {
                    ": these credentials do not grant pull access to it"
                } else {
                    ": give a username and password or token"
                }
            )));
        }
        let i = match step {
            Step::Head(i) | Step::Manifest(i, ..) | Step::Config(i, _) => i,
        };
        self.infos[i].error = Some(match status {
            404 => format!("{} answered 404 (gone since it was listed?)", ask.url),
            s => format!("{} answered HTTP {s}", ask.url),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::registry::Next;

    /// A route: url suffix, headers, body.
    type Route<'a> = (&'a str, Vec<(&'a str, String)>, Vec<u8>);

    /// Answers each request from `routes`, 404 when none matches.
    fn run(d: &mut Describe, routes: &[Route]) -> Vec<String> {
        let mut asked = Vec::new();
        while let Next::Send(req) = d.next_step() {
            asked.push(format!("{} {}", req.method(), req.url));
            let route = routes.iter().find(|(u, _, _)| req.url.ends_with(u));
            let (status, headers, body) = match route {
                Some((_, h, b)) => (
                    200,
                    h.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
                    b.clone(),
                ),
                None => (404, Vec::new(), Vec::new()),
            };
            if d.head(ResponseHead { status, headers }) {
                d.body(&body);
            }
            d.end();
            assert!(asked.len() < 50);
        }
        asked
    }

    #[test]
    fn heads_each_tag_and_with_details_reads_the_platform_manifest_and_config() {
        let config = br#"{"created":"2026-01-02T03:04:05Z","config":{"Labels":{"a":"b"}}}"#.to_vec();
        let cd = Digest::of(&config);
        let manifest = format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"digest":"{cd}","size":{}}},"layers":[{{"digest":"{cd}","size":100}}]}}"#,
            config.len()
        )
        .into_bytes();
        let md = Digest::of(&manifest);
        let index = format!(
            r#"{{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"digest":"{cd}","platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},{{"digest":"{md}","platform":{{"os":"linux","architecture":"amd64"}}}},{{"digest":"{cd}","platform":{{"os":"unknown","architecture":"unknown"}}}}]}}"#
        )
        .into_bytes();
        let id = Digest::of(&index);
        let oci = "application/vnd.oci.image.index.v1+json".to_string();
        let (by_index, by_manifest, by_config) = (
            format!("/manifests/{id}"),
            format!("/manifests/{md}"),
            format!("/blobs/{cd}"),
        );
        let routes: Vec<Route> = vec![
            (
                "/manifests/1",
                vec![("Docker-Content-Digest", id.to_string()), ("Content-Type", oci)],
                Vec::new(),
            ),
            (&by_index, vec![], index.clone()),
            (&by_manifest, vec![], manifest.clone()),
            (&by_config, vec![], config.clone()),
        ];
        let tags = vec!["1".to_string(), "gone".to_string()];
        let mut d = Describe::tags("http://r", "r", "x", &tags, true, None, None);
        let asked = run(&mut d, &routes);
        assert_eq!(asked[0], "HEAD http://r/v2/x/manifests/1");
        let infos = d.finish().unwrap().infos;
        let one = &infos[0];
        assert_eq!(one.digest.as_deref(), Some(id.as_str()));
        assert_eq!(one.platforms, ["linux/arm64/v8", "linux/amd64"]);
        assert_eq!(one.described_platform.as_deref(), Some("linux/amd64"));
        assert_eq!(one.size, Some(config.len() as u64 + 100));
        assert_eq!(one.created.as_deref(), Some("2026-01-02T03:04:05Z"));
        assert_eq!(one.labels.get("a").map(String::as_str), Some("b"));
        assert!(one.error.is_none(), "{:?}", one.error);
        assert!(infos[1].error.as_deref().unwrap().contains("404"));

        // Without details: one HEAD per tag; a manifest that does not hash to its digest is
        // the tag's error.
        let mut d = Describe::tags("http://r", "r", "x", &tags[..1], false, None, None);
        assert_eq!(run(&mut d, &routes).len(), 1);
        let mut bad = routes.clone();
        bad[1].2 = b"{}".to_vec();
        let mut d = Describe::tags("http://r", "r", "x", &tags[..1], true, None, None);
        run(&mut d, &bad);
        let e = d.finish().unwrap().infos[0].error.clone().unwrap();
        assert!(e.contains("hashes to"), "{e}");
    }
}
