//! Signatures and attestations: key-based cosign signatures made by the real `openssl` over
//! real simple-signing payloads, in the exact manifests cosign writes, found under cosign's
//! tags, as OCI 1.1 referrers and through the referrers tag schema; buildx attestation
//! manifests; and every way to lie, each with its verdict and never a pass.

mod support;
use porthole::digest::Digest;
use porthole::fixture::signing::{self, Extra};
use porthole::fixture::{self, Compress};
use serde_json::Value;
use support::openssl::{KeyPair, key_dir};

/// The sample image and its manifest digest.
fn image() -> (fixture::ImageSpec, Digest, usize) {
    let img = fixture::sample("registry.example/team/app:1", Compress::Gzip);
    let (m, _) = img.oci_manifest();
    (img, Digest::of(&m), m.len())
}

fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("porthole-trust-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `porthole inspect FILE --json` with `args`: exit code and the first image's report.
fn inspect(file: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["inspect", file.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    let r = support::porthole(&all, None);
    (r.code, r.json["images"][0].clone(), r.stderr)
}

/// A cosign signature of `digest`, signed by `key`, under cosign's `.sig` tag for `tag_for`.
fn signed(key: &KeyPair, digest: &Digest, tag_for: &Digest) -> Extra {
    let payload = signing::simple_signing_payload(digest.as_str(), "registry.example/team/app");
    signing::cosign_signatures(&[(payload.clone(), key.sign(&payload))]).tagged(&signing::cosign_tag(tag_for, "sig"))
}

#[test]
fn a_cosign_signature_verifies_with_every_kind_of_key_and_binds() {
    let dir = key_dir("kinds");
    let (img, digest, _) = image();
    for kind in ["p256", "p384", "p384-sha384", "p521", "rsa", "ed25519"] {
        let key = KeyPair::new(&dir, kind);
        let tar = write(
            &format!("{kind}.tar"),
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[signed(&key, &digest, &digest)]),
        );
        let (code, r, err) = inspect(&tar, &["--key", key.public_path(), "--require-signature"]);
        assert_eq!(code, 0, "{kind}: {err}\n{}", r["trust"]);
        let sig = &r["signatures"][0];
        assert_eq!(sig["kind"], "cosign");
        assert_eq!(sig["verified"], true, "{kind}: {sig}");
        assert_eq!(sig["binds"], true);
        assert_eq!(sig["covers"], digest.as_str());
        assert_eq!(sig["reference"], "registry.example/team/app");
        assert_eq!(sig["found"], format!("tag {}", signing::cosign_tag(&digest, "sig")));
        assert_eq!(sig["signer"]["key"], format!("{kind}.pub"));
        let fp = sig["signer"]["key_fingerprint"].as_str().unwrap();
        assert!(fp.starts_with("SHA256:") && fp.len() == 71, "{fp}");
        assert_eq!(r["trust"]["verdict"], "verified");
        assert!(
            r["trust"]["summary"]
                .as_str()
                .unwrap()
                .starts_with(&format!("signed by key {kind}.pub (SHA256:")),
            "{}",
            r["trust"]["summary"]
        );
        // The signature manifest is not an image of its own.
        assert_eq!(
            support::porthole(&["inspect", tar.to_str().unwrap(), "--json"], None).json["images"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let _ = std::fs::remove_file(tar);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_a_key_a_signature_is_found_but_not_verified() {
    let dir = key_dir("nokey");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, _) = image();
    let tar = write(
        "nokey.tar",
        &fixture::oci_archive_with(&[img], false, &[signed(&key, &digest, &digest)]),
    );
    let (code, r, _) = inspect(&tar, &[]);
    assert_eq!(code, 0);
    assert_eq!(r["trust"]["verdict"], "unverified");
    assert_eq!(r["trust"]["summary"], "signed — not verified (no key or root given)");
    assert_eq!(r["signatures"][0]["binds"], true);
    assert_eq!(r["signatures"][0]["verified"], false);
    let (code, _, err) = inspect(&tar, &["--require-signature"]);
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("no key or root given"), "{err}");
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

/// The page checks an image's signatures again when keys are added after the drop, from the
/// documents the inspection kept; an inspection made to be checked once (the CLI's) keeps none.
#[test]
fn signatures_are_checked_again_with_keys_added_later_only_when_kept() {
    let dir = key_dir("again");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, _) = image();
    let tar = fixture::oci_archive_with(&[img], false, &[signed(&key, &digest, &digest)]);
    let pem = std::fs::read_to_string(key.public_path()).unwrap();
    let policy = porthole::trust::TrustPolicy {
        keys: vec![porthole::trust::key::TrustedKey::from_pem("later.pub", &pem).unwrap()],
        ..Default::default()
    };
    for keep in [true, false] {
        let opts = porthole::inspect::Options {
            keep_trust_inputs: keep,
            ..Default::default()
        };
        let mut ins = porthole::inspect::explore_blob(&tar[..], "t.tar", &opts, &mut porthole::inspect::Quiet);
        let sig = &ins.report.images[0].signatures[0];
        assert!(!sig.verified, "{sig:?}");
        ins.verify_trust(&policy, &opts.limits);
        let sig = &ins.report.images[0].signatures[0];
        if keep {
            assert!(sig.verified, "{sig:?}");
            assert_eq!(sig.signer.key.as_deref(), Some("later.pub"));
        } else {
            // Nothing was kept: the report stays as it was.
            assert!(!sig.verified);
            assert!(
                sig.reason.as_deref().unwrap_or("").starts_with("no key or root given"),
                "{sig:?}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// An artifact of any kind is read up to its 16th layer, and a note says what was left.
#[test]
fn only_the_first_layers_of_an_artifact_are_read_and_a_note_says_so() {
    let (img, digest, size) = image();
    let bundle = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#.to_vec();
    let mut e = signing::sigstore_bundle(bundle, (&digest, size), "");
    let mut m: Value = serde_json::from_slice(&e.document).unwrap();
    let layer = m["layers"][0].clone();
    m["layers"] = Value::Array(vec![layer; 20]);
    e.document = serde_json::to_vec(&m).unwrap();
    let tar = write("layers.tar", &fixture::oci_archive_with(&[img], false, &[e]));
    let (_, r, err) = inspect(&tar, &[]);
    assert_eq!(r["signatures"].as_array().unwrap().len(), 16, "{err} {r}");
    let notes = r["trust"]["notes"].to_string();
    assert!(notes.contains("has 20 layers; only the first 16 were read"), "{notes}");
    let _ = std::fs::remove_file(tar);
}

#[test]
fn an_unsigned_image_and_a_docker_save_archive_say_so() {
    let (img, _, _) = image();
    let tar = write("unsigned.tar", &fixture::oci_archive(std::slice::from_ref(&img), false));
    let (code, r, _) = inspect(&tar, &[]);
    assert_eq!(code, 0);
    assert_eq!(r["trust"]["verdict"], "unsigned");
    assert_eq!(r["trust"]["summary"], "not signed");
    assert_eq!(r["signatures"], serde_json::json!([]));
    let docker = write("docker.tar", &fixture::docker_archive(&[img], false));
    let (code, r, err) = inspect(&docker, &["--require-signature"]);
    assert_eq!(code, 7, "{err}");
    assert_eq!(r["trust"]["verdict"], "not_checkable");
    assert!(err.contains("docker save archive has no manifest digest"), "{err}");
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_file(docker);
}

/// Every way to lie gets a verdict that is not a pass, with the reason in words.
#[test]
fn every_lie_is_caught_with_its_reason() {
    let dir = key_dir("lies");
    let key = KeyPair::new(&dir, "p256");
    let other_key = KeyPair::new(&dir, "ed25519");
    let (img, digest, size) = image();
    let other = Digest::of(b"another image's manifest");
    let payload = signing::simple_signing_payload(digest.as_str(), "registry.example/team/app");
    let tag = signing::cosign_tag(&digest, "sig");
    let cases: Vec<(&str, Extra, &str)> = vec![
        // Properly signed, but over another image's digest.
        ("another digest", signed(&key, &other, &digest), "it signs sha256:"),
        // The payload changed after signing (its blob digests are consistent: a rewrite).
        (
            "changed payload",
            signing::cosign_signatures(&[(
                signing::simple_signing_payload(digest.as_str(), "registry.example/evil"),
                key.sign(&payload),
            )])
            .tagged(&tag),
            "does not verify",
        ),
        ("wrong key", signed(&other_key, &digest, &digest), "does not verify"),
        (
            "not base64",
            signing::cosign_signatures(&[(payload.clone(), "%%%not base64%%%".into())]).tagged(&tag),
            "not base64",
        ),
        (
            "not a payload",
            signing::cosign_signatures(&[(b"{\"critical\":1}".to_vec(), key.sign(b"{\"critical\":1}"))]).tagged(&tag),
            "not a simple-signing document",
        ),
        (
            "no signature",
            signing::cosign_signatures(&[(payload.clone(), String::new())]).tagged(&tag),
            "has no dev.cosignproject.cosign/signature annotation",
        ),
        (
            "der garbage",
            signing::cosign_signatures(&[(payload.clone(), "AAAA".into())]).tagged(&tag),
            "not DER ECDSA",
        ),
    ];
    for (what, extra, reason) in cases {
        let tar = write(
            "lie.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[extra]),
        );
        let (code, r, err) = inspect(&tar, &["--key", key.public_path(), "--require-signature"]);
        assert_eq!(code, 7, "{what}: {err}");
        let sig = &r["signatures"][0];
        assert_eq!(sig["verified"], false, "{what}");
        assert!(sig["reason"].as_str().unwrap_or("").contains(reason), "{what}: {sig}");
        assert_eq!(r["trust"]["verdict"], "invalid", "{what}");
        assert!(
            r["trust"]["summary"]
                .as_str()
                .unwrap()
                .starts_with("signature does not verify: "),
            "{what}: {}",
            r["trust"]["summary"]
        );
    }
    // A referrer whose subject is another image, listed for this one (the referrers tag
    // schema) and as a referrer of its own in index.json.
    let lying = signing::cosign_referrer(&payload, key.sign(&payload), (&other, size));
    let listed = signing::referrers_index(&[&lying]).tagged(&format!("sha256-{}", digest.hex()));
    for extras in [vec![listed], vec![lying.clone()]] {
        let tar = write(
            "subject.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &extras),
        );
        let (code, r, err) = inspect(&tar, &["--key", key.public_path(), "--require-signature"]);
        assert_eq!(code, 7, "{err}");
        let sig = &r["signatures"][0];
        assert_eq!(sig["verified"], false);
        assert_eq!(sig["binds"], false);
        assert!(
            sig["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("subject is {other}, another image")),
            "{sig}"
        );
    }
    // One good and one bad signature: the good one verifies; the bad one is listed with why.
    let both = signing::cosign_signatures(&[
        (payload.clone(), other_key.sign(&payload)),
        (payload.clone(), key.sign(&payload)),
    ])
    .tagged(&tag);
    let tar = write(
        "both.tar",
        &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[both]),
    );
    let (code, r, _) = inspect(&tar, &["--key", key.public_path(), "--require-signature"]);
    assert_eq!(code, 0);
    assert_eq!(r["signatures"][0]["verified"], false);
    assert_eq!(r["signatures"][1]["verified"], true);
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn referrers_with_a_subject_and_the_referrers_tag_schema_are_found() {
    let dir = key_dir("referrers");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, size) = image();
    let payload = signing::simple_signing_payload(digest.as_str(), "registry.example/team/app");
    let referrer = signing::cosign_referrer(&payload, key.sign(&payload), (&digest, size));
    let listed = signing::referrers_index(&[&referrer]).tagged(&format!("sha256-{}", digest.hex()));
    for (extras, found) in [
        (vec![referrer.clone()], "index.json (subject)".to_string()),
        (vec![listed], format!("tag sha256-{}", digest.hex())),
    ] {
        let tar = write(
            "ref.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &extras),
        );
        let (code, r, err) = inspect(&tar, &["--key", key.public_path(), "--require-signature"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(r["signatures"].as_array().unwrap().len(), 1, "{}", r["signatures"]);
        assert_eq!(r["signatures"][0]["found"], found.as_str());
        assert_eq!(r["signatures"][0]["verified"], true);
        assert_eq!(r["signatures"][0]["artifact"], referrer.digest().as_str());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_cosign_attestation_is_verified_with_the_key() {
    let dir = key_dir("att");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, _) = image();
    let provenance = "https://slsa.dev/provenance/v1";
    let statement = signing::statement(&digest, "registry.example/team/app", provenance, serde_json::json!({}));
    let pae = porthole::trust::intoto::pae(porthole::trust::intoto::IN_TOTO_PAYLOAD, &statement);
    let good = signing::cosign_attestation(signing::dsse_envelope(&statement, &[key.sign(&pae)]), provenance)
        .tagged(&signing::cosign_tag(&digest, "att"));
    let tar = write(
        "att.tar",
        &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[good]),
    );
    let (code, r, err) = inspect(&tar, &["--key", key.public_path()]);
    assert_eq!(code, 0, "{err}");
    let a = &r["attestations"][0];
    assert_eq!(a["kind"], "cosign");
    assert_eq!(a["predicate_type"], provenance);
    assert_eq!(a["subjects"], serde_json::json!([digest.as_str()]));
    assert_eq!(
        (a["signed"].clone(), a["binds"].clone(), a["verified"].clone()),
        (true.into(), true.into(), true.into()),
        "{a}"
    );
    // The statement signed over its bare bytes, not the DSSE encoding, does not verify.
    let bare = signing::cosign_attestation(signing::dsse_envelope(&statement, &[key.sign(&statement)]), provenance)
        .tagged(&signing::cosign_tag(&digest, "att"));
    let tar = write(
        "att.tar",
        &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[bare]),
    );
    let (_, r, _) = inspect(&tar, &["--key", key.public_path()]);
    assert_eq!(r["attestations"][0]["verified"], false);
    assert!(
        r["attestations"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not verify")
    );
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn buildx_attestation_manifests_are_listed_for_their_platform() {
    let s = fixture::sample("x", Compress::Gzip);
    let tar = write("buildx.tar", &fixture::oci_multiplatform("x", &[s]));
    let (code, r, err) = inspect(&tar, &[]);
    assert_eq!(code, 0, "{err}");
    let a = &r["attestations"][0];
    assert_eq!(a["kind"], "buildx");
    assert_eq!(a["found"], "image index (buildx attestation manifest)");
    assert_eq!(a["signed"], false);
    assert!(a["reason"].as_str().unwrap().starts_with("not signed"), "{a}");
    let _ = std::fs::remove_file(tar);
}

/// A registry simulated from answers of the specification's exact shape: each request
/// answered from `routes` (path → status, content type, body), 404 otherwise. Returns the
/// report and the paths asked, in order.
fn fetch_from(
    routes: &std::collections::HashMap<String, (u16, String, Vec<u8>)>,
    key: &KeyPair,
) -> (Value, Vec<String>) {
    fetch_with_links(routes, &Default::default(), key)
}

/// [`fetch_from`], with a `Link` header on the answers to the paths of `links`.
fn fetch_with_links(
    routes: &std::collections::HashMap<String, (u16, String, Vec<u8>)>,
    links: &std::collections::HashMap<String, String>,
    key: &KeyPair,
) -> (Value, Vec<String>) {
    use porthole::source::registry::{Fetch, Next, Reference, ResponseHead};
    let reference = Reference::parse("127.0.0.1:5000/team/app:1").unwrap();
    let mut opts = porthole::Options::default();
    opts.trust.keys.push(
        porthole::trust::key::TrustedKey::from_pem("cosign.pub", &std::fs::read_to_string(&key.public).unwrap())
            .unwrap(),
    );
    let mut fetch = Fetch::new(reference, None, &opts);
    let mut asked = Vec::new();
    while let Next::Send(req) = fetch.next_step() {
        assert!(req.method() == "GET");
        let path = req.url.split_once("/v2/").map(|(_, p)| format!("/v2/{p}")).unwrap();
        asked.push(path.clone());
        assert!(asked.len() < 40, "the fetch keeps asking: {asked:?}");
        let (status, ctype, body) = routes.get(&path).cloned().unwrap_or((404, String::new(), Vec::new()));
        let mut headers = vec![("Content-Type".to_string(), ctype)];
        if path.contains("/manifests/") && status == 200 {
            headers.push(("Docker-Content-Digest".into(), Digest::of(&body).to_string()));
        }
        if let Some(link) = links.get(&path) {
            headers.push(("Link".into(), link.clone()));
        }
        if fetch.head(ResponseHead { status, headers }) {
            fetch.body(&body);
        }
        fetch.end();
    }
    let opened = fetch.finish();
    let report = porthole::inspect::inspect::<dyn porthole::BlobSource>(
        porthole::inspect::Input::Opened(opened),
        &opts,
        &mut porthole::inspect::Quiet,
    )
    .report;
    (serde_json::to_value(&report.images[0]).unwrap(), asked)
}

/// The image's manifest, config and layers as a registry serves them.
fn image_routes(img: &fixture::ImageSpec) -> std::collections::HashMap<String, (u16, String, Vec<u8>)> {
    let (m, blobs) = img.oci_manifest();
    let mut routes = std::collections::HashMap::new();
    routes.insert("/v2/".to_string(), (200, "application/json".into(), b"{}".to_vec()));
    let oci = porthole::image::manifest::OCI_MANIFEST.to_string();
    routes.insert("/v2/team/app/manifests/1".into(), (200, oci.clone(), m.clone()));
    routes.insert(format!("/v2/team/app/manifests/{}", Digest::of(&m)), (200, oci, m));
    for b in blobs {
        routes.insert(
            format!("/v2/team/app/blobs/{}", Digest::of(&b)),
            (200, "application/octet-stream".into(), b),
        );
    }
    routes
}

fn serve_artifact(routes: &mut std::collections::HashMap<String, (u16, String, Vec<u8>)>, e: &Extra) {
    routes.insert(
        format!("/v2/team/app/manifests/{}", e.digest()),
        (200, e.media_type.clone(), e.document.clone()),
    );
    for b in &e.blobs {
        routes.insert(
            format!("/v2/team/app/blobs/{}", Digest::of(b)),
            (200, "application/octet-stream".into(), b.clone()),
        );
    }
}

#[test]
fn the_referrers_api_is_asked_first_and_the_referrers_tag_is_its_fallback() {
    let dir = key_dir("api");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, size) = image();
    let payload = signing::simple_signing_payload(digest.as_str(), "127.0.0.1:5000/team/app");
    let referrer = signing::cosign_referrer(&payload, key.sign(&payload), (&digest, size));
    let answer = signing::referrers_index(&[&referrer]);
    let index = porthole::image::manifest::OCI_INDEX.to_string();

    // A registry with the referrers API (OCI distribution 1.1).
    let mut routes = image_routes(&img);
    serve_artifact(&mut routes, &referrer);
    routes.insert(
        format!("/v2/team/app/referrers/{digest}"),
        (200, index.clone(), answer.document.clone()),
    );
    let (r, asked) = fetch_from(&routes, &key);
    assert_eq!(r["signatures"][0]["found"], "referrers API", "{}", r["trust"]);
    assert_eq!(r["signatures"][0]["verified"], true, "{}", r["signatures"]);
    assert_eq!(r["trust"]["verdict"], "verified");
    assert!(asked.contains(&format!("/v2/team/app/referrers/{digest}")));
    assert!(asked.contains(&format!(
        "/v2/team/app/manifests/{}",
        signing::cosign_tag(&digest, "sig")
    )));
    // With the API, the referrers tag is not asked.
    assert!(
        !asked.contains(&format!("/v2/team/app/manifests/sha256-{}", digest.hex())),
        "{asked:?}"
    );

    // Without it (404): the referrers tag schema.
    let mut routes = image_routes(&img);
    serve_artifact(&mut routes, &referrer);
    let tag = format!("sha256-{}", digest.hex());
    routes.insert(
        format!("/v2/team/app/manifests/{tag}"),
        (200, index.clone(), answer.document.clone()),
    );
    let (r, asked) = fetch_from(&routes, &key);
    assert!(asked.contains(&format!("/v2/team/app/manifests/{tag}")), "{asked:?}");
    assert_eq!(r["signatures"][0]["found"], format!("tag {tag}"));
    assert_eq!(r["signatures"][0]["verified"], true);
    assert!(r["errors"].as_array().unwrap().is_empty(), "{}", r["errors"]);

    // A registry that answers the lookups with errors: notes, and the image is still whole.
    let mut routes = image_routes(&img);
    routes.insert(
        format!("/v2/team/app/referrers/{digest}"),
        (500, String::new(), Vec::new()),
    );
    routes.insert(
        format!("/v2/team/app/manifests/{tag}"),
        (500, String::new(), Vec::new()),
    );
    routes.insert(
        format!("/v2/team/app/manifests/{}", signing::cosign_tag(&digest, "sig")),
        (200, "application/json".into(), b"not json".to_vec()),
    );
    let (r, _) = fetch_from(&routes, &key);
    assert!(r["errors"].as_array().unwrap().is_empty(), "{}", r["errors"]);
    assert_eq!(r["trust"]["verdict"], "unsigned");
    let notes = r["trust"]["notes"].to_string();
    assert!(notes.contains("answered HTTP 500"), "{notes}");
    assert_eq!(r["verified"], true);

    // An image manifest under the referrers tag is no list of referrers (and no second image).
    let mut routes = image_routes(&img);
    let (m, _) = img.oci_manifest();
    routes.insert(
        format!("/v2/team/app/manifests/{tag}"),
        (200, porthole::image::manifest::OCI_MANIFEST.into(), m),
    );
    let (r, _) = fetch_from(&routes, &key);
    assert!(
        r["trust"]["notes"].to_string().contains("holds no index of referrers"),
        "{}",
        r["trust"]
    );
    assert_eq!(r["trust"]["verdict"], "unsigned");

    // An answer on two pages (the `Link` header, RFC 8288): both are read; a next page on
    // another host is not asked for.
    let payload2 = signing::simple_signing_payload(digest.as_str(), "127.0.0.1:5000/team/app-mirror");
    let second_referrer = signing::cosign_referrer(&payload2, key.sign(&payload2), (&digest, size));
    let mut routes = image_routes(&img);
    serve_artifact(&mut routes, &referrer);
    serve_artifact(&mut routes, &second_referrer);
    let first = format!("/v2/team/app/referrers/{digest}");
    let second = format!("{first}?n=1&last=x");
    routes.insert(
        first.clone(),
        (200, index.clone(), signing::referrers_index(&[&referrer]).document),
    );
    routes.insert(
        second.clone(),
        (
            200,
            index.clone(),
            signing::referrers_index(&[&second_referrer]).document,
        ),
    );
    let mut links = std::collections::HashMap::new();
    links.insert(first.clone(), format!("<{second}>; rel=\"next\""));
    let (r, asked) = fetch_with_links(&routes, &links, &key);
    assert!(asked.contains(&second), "{asked:?}");
    let sigs = r["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{}", r["trust"]);
    assert!(sigs.iter().all(|s| s["verified"] == true), "{sigs:?}");
    links.insert(first.clone(), "<https://elsewhere.example/v2/x>; rel=next".into());
    let (r, asked) = fetch_with_links(&routes, &links, &key);
    assert!(!asked.iter().any(|a| a.contains("elsewhere")), "{asked:?}");
    assert_eq!(r["signatures"].as_array().unwrap().len(), 1);
    assert!(
        r["trust"]["notes"].to_string().contains("it was not asked for"),
        "{}",
        r["trust"]
    );

    // An answer listing a referrer whose subject is another image.
    let other = Digest::of(b"another image");
    let lying = signing::cosign_manifest(
        &[(
            payload.clone(),
            porthole::trust::cosign::SIMPLE_SIGNING,
            vec![(porthole::trust::cosign::SIGNATURE_ANNOTATION, key.sign(&payload))],
        )],
        Some((&other, size)),
        None,
    );
    let mut routes = image_routes(&img);
    serve_artifact(&mut routes, &lying);
    routes.insert(
        format!("/v2/team/app/referrers/{digest}"),
        (
            200,
            porthole::image::manifest::OCI_INDEX.into(),
            signing::referrers_index(&[&lying]).document,
        ),
    );
    let (r, _) = fetch_from(&routes, &key);
    assert_eq!(r["signatures"][0]["verified"], false);
    assert!(
        r["signatures"][0]["reason"].as_str().unwrap().contains("another image"),
        "{}",
        r["signatures"]
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Notation's test material (tests/notation_material.py, Python's `cryptography`) for the
/// image: a test CA and one JWS envelope per case.
fn notation_material(test: &str, digest: &Digest, size: usize, now: i64) -> std::path::PathBuf {
    support::need("python3");
    let dir = key_dir(test);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/notation_material.py");
    let out = std::process::Command::new("python3")
        .args([
            script,
            dir.to_str().unwrap(),
            digest.as_str(),
            &size.to_string(),
            &now.to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn notation_signatures_verify_against_the_trust_store_and_every_lie_is_caught() {
    let (img, digest, size) = image();
    let dir = notation_material("notation", &digest, size, now());
    let root = dir.join("root.pem");
    let cases: &[(&str, Option<&str>)] = &[
        ("good-ps256", None),
        ("good-ps512", None),
        ("good-es256", None),
        ("good-es512", None),
        ("expired-cert", Some("expired on")),
        ("no-code-signing", Some("is not for code signing")),
        ("ca-signer", Some("is a CA certificate")),
        ("untrusted", Some("does not chain to a trusted root")),
        ("issuer-not-ca", Some("is not a CA certificate")),
        ("path-too-long", Some("allows 0 intermediate certificates")),
        ("other-digest", Some("it signs sha256:abab")),
        ("tampered", Some("does not verify")),
        ("signature-expired", Some("the signature expired on")),
        ("rs256", Some("not one Notation allows")),
        ("unknown-crit", Some("does not understand")),
    ];
    for (case, want) in cases {
        let envelope = std::fs::read(dir.join(format!("{case}.jws"))).unwrap();
        let sig = signing::notation_signature(envelope, (&digest, size));
        let tar = write(
            "notation.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[sig]),
        );
        let (code, r, err) = inspect(&tar, &["--trust-store", root.to_str().unwrap(), "--require-signature"]);
        let s = &r["signatures"][0];
        assert_eq!(s["kind"], "notation", "{case}: {r}");
        assert_eq!(s["found"], "index.json (subject)");
        match want {
            None => {
                assert_eq!(code, 0, "{case}: {err} {s}");
                assert_eq!(s["verified"], true);
                assert_eq!(s["binds"], true);
                assert!(s["signer"]["identity"].as_str().unwrap().contains("CN=porthole"), "{s}");
                assert!(
                    r["trust"]["summary"]
                        .as_str()
                        .unwrap()
                        .starts_with("signed by O=porthole tests,CN=porthole"),
                    "{}",
                    r["trust"]
                );
            }
            Some(reason) => {
                assert_eq!(code, 7, "{case}: {s}");
                assert_eq!(s["verified"], false, "{case}");
                assert!(s["reason"].as_str().unwrap_or("").contains(reason), "{case}: {s}");
                assert_eq!(r["trust"]["verdict"], "invalid", "{case}");
            }
        }
    }
    // Without a trust store: found and checked as far as it can be, not verified.
    let envelope = std::fs::read(dir.join("good-ps256.jws")).unwrap();
    let tar = write(
        "notation.tar",
        &fixture::oci_archive_with(
            std::slice::from_ref(&img),
            false,
            &[signing::notation_signature(envelope, (&digest, size))],
        ),
    );
    let (code, r, _) = inspect(&tar, &[]);
    assert_eq!(code, 0);
    assert_eq!(r["trust"]["verdict"], "unverified", "{}", r["trust"]);
    // A root that is not the signer's.
    let other = dir.join("other-root.pem");
    let (_, r, _) = inspect(&tar, &["--trust-store", other.to_str().unwrap()]);
    assert!(
        r["signatures"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not chain"),
        "{}",
        r["signatures"]
    );
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

/// porthole's certificate paths and `openssl verify`'s agree on every chain of the material
/// (the chain alone: porthole's further rules for signing certificates are checked above).
#[test]
fn certificate_paths_agree_with_openssl_verify() {
    use porthole::trust::x509::{Cert, Usage, verify_path};
    let (_, digest, size) = image();
    let at = now();
    let dir = notation_material("x509", &digest, size, at);
    let root_pem = std::fs::read_to_string(dir.join("root.pem")).unwrap();
    let roots = Cert::from_pem_chain(&root_pem).unwrap();
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(case) = name.strip_prefix("chain-").and_then(|n| n.strip_suffix(".pem")) else {
            continue;
        };
        // A CA certificate as the signer is porthole's rule, not a path property openssl checks.
        if case == "ca-signer" {
            continue;
        }
        let chain = Cert::from_pem_chain(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let leaf_file = dir.join(format!("leaf-{case}.pem"));
        let rest_file = dir.join(format!("rest-{case}.pem"));
        let pem = |c: &Cert| {
            use base64::Engine as _;
            let b64 = base64::engine::general_purpose::STANDARD.encode(&c.der);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(64)
                .map(|l| std::str::from_utf8(l).unwrap())
                .collect();
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                lines.join("\n")
            )
        };
        std::fs::write(&leaf_file, pem(&chain[0])).unwrap();
        std::fs::write(&rest_file, chain[1..].iter().map(pem).collect::<String>()).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(dir.join("root.pem"))
            .arg("-untrusted")
            .arg(&rest_file)
            .args(["-attime", &at.to_string(), "-purpose", "any"])
            .arg(&leaf_file)
            .output()
            .unwrap();
        let openssl_ok = out.status.success();
        let ours = verify_path(&chain[0], &chain[1..], &roots, at, Usage { eku: None });
        assert_eq!(
            ours.is_ok(),
            openssl_ok,
            "{case}: porthole {ours:?}, openssl {}",
            String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr)
        );
        compared += 1;
    }
    assert!(compared >= 12, "{compared} chains compared");
    let _ = std::fs::remove_dir_all(dir);
}

/// Sigstore bundles made by `@sigstore/sign` against mock Fulcio, Rekor and CT services
/// (tests/sigstore/make-bundles.mjs), each also judged by the reference implementation,
/// `@sigstore/verify`: porthole must agree on every one. Two it accepts and porthole (as
/// sigstore-go and cosign) refuses are named: an inclusion proof whose root is not the
/// checkpoint's, and a DSSE statement about another artifact.
#[test]
fn sigstore_bundles_agree_with_sigstore_verify() {
    support::need("node");
    let root_dir = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(root_dir)
            .join("node_modules/@sigstore/sign")
            .exists(),
        "run `npm ci` (make test does) for @sigstore/sign and @sigstore/verify"
    );
    let (img, digest, size) = image();
    let (manifest, _) = img.oci_manifest();
    let dir = key_dir("sigstore");
    let manifest_file = dir.join("manifest.json");
    std::fs::write(&manifest_file, &manifest).unwrap();
    let out = std::process::Command::new("node")
        .arg(format!("{root_dir}/tests/sigstore/make-bundles.mjs"))
        .arg(&dir)
        .arg(&manifest_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Value = serde_json::from_slice(&std::fs::read(dir.join("verdicts.json")).unwrap()).unwrap();
    let root = dir.join("trusted_root.json");
    let key = dir.join("key.pub");
    let mut checked = 0;
    let mut disagreements = 0;
    for (name, v) in verdicts.as_object().unwrap() {
        let (file, wrong_identity) = match name.split_once('#') {
            Some((f, _)) => (f, true),
            None => (name.as_str(), false),
        };
        let bundle = std::fs::read(dir.join(file)).unwrap();
        let predicate = if file.contains("dsse") {
            porthole::trust::bundle::COSIGN_SIGN_PREDICATE
        } else {
            ""
        };
        let extra = signing::sigstore_bundle(bundle, (&digest, size), predicate);
        let tar = write(
            "bundle.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[extra]),
        );
        let identity = if wrong_identity {
            "someone@else.test".to_string()
        } else if file == "keyless-uri-san.json" {
            "https://github.com/porthole/porthole/.github/workflows/release.yml@refs/heads/main".to_string()
        } else {
            "signer@porthole.test".to_string()
        };
        let mut args = vec!["--trusted-root", root.to_str().unwrap()];
        if file.starts_with("key-") {
            args.extend(["--key", key.to_str().unwrap()]);
        } else {
            args.extend([
                "--certificate-identity",
                identity.as_str(),
                "--certificate-oidc-issuer",
                "https://issuer.porthole.test",
            ]);
        }
        let (_, r, err) = inspect(&tar, &args);
        let s = &r["signatures"][0];
        assert_eq!(s["kind"], "sigstore-bundle", "{name}: {err} {r}");
        // Where a strict verifier (sigstore-go, cosign) must disagree with @sigstore/verify,
        // the material says so (`expectOk`, with a note why): porthole agrees with the strict one.
        let reference = v["ok"].as_bool().unwrap();
        let strict = v["expectOk"].as_bool().unwrap();
        let ours = s["verified"].as_bool().unwrap();
        assert_eq!(ours, strict, "{name}: porthole {s}, @sigstore/verify {v}");
        if strict != reference {
            disagreements += 1;
        }
        eprintln!("{name}: ours {ours} reference {reference}: {}", s["reason"]);
        // Each lie about time is caught for its own reason (not by chance elsewhere).
        let reason = s["reason"].as_str().unwrap_or("");
        let expect = match file {
            "keyless-v2-no-timestamp.json" => Some("no trusted time"),
            "keyless-v2-tampered-timestamp.json" => Some("timestamp's signature does not verify"),
            "keyless-v2-timestamp-of-other-signature.json" => Some("for another signature"),
            "keyless-v2-timestamp-outside-validity.json" => Some("outside the certificate's validity"),
            // The mock's two TSAs share names and serials: only the signature tells them apart.
            "keyless-v2-untrusted-tsa.json" => Some("timestamp's signature does not verify"),
            "keyless-v2-bad-checkpoint.json" => Some("checkpoint"),
            "keyless-v2-body-mismatch.json" => Some("another artifact"),
            "keyless-v2-bad-inclusion-proof.json" => Some("inclusion proof"),
            _ => None,
        };
        if let Some(want) = expect {
            assert!(reason.contains(want), "{name}: {reason:?} should say {want:?}");
        }
        if ours && file.contains("v2") {
            assert!(
                s["signer"]["time_authority"]
                    .as_str()
                    .unwrap()
                    .starts_with("timestamp authority"),
                "{s}"
            );
            assert!(s["signer"]["signed_at"].is_string(), "{s}");
        }
        if ours {
            assert_eq!(s["binds"], true);
            assert_eq!(r["trust"]["verdict"], "verified");
        } else {
            assert!(s["reason"].is_string(), "{name}: {s}");
        }
        checked += 1;
    }
    assert!(checked >= 30, "{checked} bundles compared");
    // Only the documented cases: proof-roothash-mismatch, keyless-dsse-other-subject and a
    // timestamp with a two-digit fraction @sigstore/core cannot read.
    assert_eq!(disagreements, 3, "cases where porthole and @sigstore/verify differ");
    // Keyless without an identity policy, and any bundle without a trusted root: not verified,
    // and said so (a verdict of "unverified", not "invalid").
    let bundle = std::fs::read(dir.join("keyless-message.json")).unwrap();
    let tar = write(
        "bundle.tar",
        &fixture::oci_archive_with(
            std::slice::from_ref(&img),
            false,
            &[signing::sigstore_bundle(bundle, (&digest, size), "")],
        ),
    );
    let (_, r, _) = inspect(&tar, &["--trusted-root", root.to_str().unwrap()]);
    assert!(
        r["signatures"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("no identity policy given"),
        "{}",
        r["signatures"]
    );
    assert_eq!(r["trust"]["verdict"], "unverified");
    assert_eq!(r["signatures"][0]["signer"]["identity"], "signer@porthole.test");
    assert_eq!(r["signatures"][0]["signer"]["issuer"], "https://issuer.porthole.test");
    let (_, r, _) = inspect(&tar, &["--certificate-identity", "signer@porthole.test"]);
    assert!(
        r["signatures"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("no trusted root given"),
        "{}",
        r["signatures"]
    );
    // Half an identity policy is none: an issuer alone, or a SAN alone, is not enough.
    for half in [
        ["--certificate-identity", "signer@porthole.test"],
        ["--certificate-oidc-issuer", "https://issuer.porthole.test"],
    ] {
        let (_, r, _) = inspect(&tar, &["--trusted-root", root.to_str().unwrap(), half[0], half[1]]);
        let reason = r["signatures"][0]["reason"].as_str().unwrap().to_string();
        assert!(reason.starts_with("no identity policy given"), "{half:?}: {reason}");
        assert_eq!(r["trust"]["verdict"], "unverified");
    }
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

/// The public-good trusted root the page ships (written by scripts/sigstore-trusted-root.mjs
/// from @sigstore/tuf) is read whole: its logs (Rekor v1 and v2), CT logs, Fulcio authorities and
/// timestamp authorities.
#[test]
fn the_shipped_public_good_trusted_root_is_read() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/sigstore/trusted_root.json");
    let root =
        porthole::trust::trusted_root::TrustedRoot::parse("trusted_root.json", &std::fs::read(path).unwrap()).unwrap();
    assert!(root.logs.len() >= 2, "{} logs", root.logs.len());
    assert!(root.ct_logs.len() >= 2, "{} CT logs", root.ct_logs.len());
    assert!(root.authorities.len() >= 2, "{} authorities", root.authorities.len());
    // Rekor's public-good log id is the sha256 of its key (c0d23d6a…).
    assert!(root.logs.iter().any(|l| l.id.starts_with(&[0xc0, 0xd2, 0x3d, 0x6a])));
    // Rekor v2's (log2025-1) is an Ed25519 key, its id the signed-note key id (cf119915…).
    assert!(
        root.logs
            .iter()
            .any(|l| l.checkpoint_id.starts_with(&[0xcf, 0x11, 0x99, 0x15])
                && matches!(l.key, porthole::trust::key::PublicKey::Ed25519(_)))
    );
    assert!(!root.timestamp_authorities.is_empty(), "no timestamp authority");
    assert!(root.timestamp_authorities.iter().all(|a| a.chain.len() >= 2));
}

/// cosign signs what a tag names: for a multi-platform image, the index. A signature over the
/// index digest binds (porthole verified the index on the way to the manifest); one over the
/// platform manifest binds too; and a signature document over the JSON limit is refused, not read.
#[test]
fn a_signature_over_the_index_binds_and_an_oversized_one_is_refused() {
    let dir = key_dir("index");
    let key = KeyPair::new(&dir, "p256");
    let (img, digest, size) = image();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": porthole::image::manifest::OCI_INDEX,
        "manifests": [{"mediaType": porthole::image::manifest::OCI_MANIFEST, "digest": digest.as_str(), "size": size,
                       "platform": {"os": "linux", "architecture": "amd64"}}]
    }))
    .unwrap();
    let index_digest = Digest::of(&index);
    let mut routes = image_routes(&img);
    routes.insert(
        "/v2/team/app/manifests/1".into(),
        (200, porthole::image::manifest::OCI_INDEX.into(), index.clone()),
    );
    let payload = signing::simple_signing_payload(index_digest.as_str(), "127.0.0.1:5000/team/app");
    let sig = signing::cosign_signatures(&[(payload.clone(), key.sign(&payload))]);
    serve_artifact(&mut routes, &sig);
    routes.insert(
        format!("/v2/team/app/manifests/{}", signing::cosign_tag(&index_digest, "sig")),
        (200, sig.media_type.clone(), sig.document.clone()),
    );
    let (r, asked) = fetch_from(&routes, &key);
    assert_eq!(r["signatures"][0]["covers"], index_digest.as_str());
    assert_eq!(r["signatures"][0]["verified"], true, "{}", r["signatures"]);
    // Both digests were looked up.
    for d in [&index_digest, &digest] {
        assert!(
            asked.contains(&format!("/v2/team/app/manifests/{}", signing::cosign_tag(d, "sig"))),
            "{asked:?}"
        );
    }
    // A payload over --limit json_bytes: not read, and said so.
    let big = [payload.clone(), vec![b' '; 4096]].concat();
    let extra =
        signing::cosign_signatures(&[(big.clone(), key.sign(&big))]).tagged(&signing::cosign_tag(&digest, "sig"));
    let tar = write(
        "big.tar",
        &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[extra]),
    );
    let (code, r, _) = inspect(
        &tar,
        &[
            "--key",
            key.public_path(),
            "--limit",
            "json_bytes=3K",
            "--require-signature",
        ],
    );
    assert_eq!(code, 7);
    assert!(
        r["signatures"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("over the limit"),
        "{}",
        r["signatures"]
    );
    let _ = std::fs::remove_file(tar);
    let _ = std::fs::remove_dir_all(dir);
}

/// buildx's attestation manifests, as `--provenance=mode=max --sbom=true` writes them: each
/// platform's are listed with it (not the other platform's), unsigned, bound to the platform
/// manifest, their provenance and SBOM read.
#[test]
fn buildx_provenance_and_sbom_are_read_for_their_platform() {
    let amd = fixture::sample("x", Compress::Gzip);
    let mut arm = amd.clone().platform("linux", "arm64", None);
    arm.env.push("ARCH=arm64".into());
    let tar = write(
        "buildx-real.tar",
        &signing::buildx_archive("example.com/app:1", &[amd.clone(), arm.clone()]),
    );
    for (platform, spec) in [("linux/amd64", &amd), ("linux/arm64", &arm)] {
        let (code, r, err) = inspect(&tar, &["--platform", platform]);
        assert_eq!(code, 0, "{err}");
        let (m, _) = spec.oci_manifest();
        let digest = Digest::of(&m);
        let atts = r["attestations"].as_array().unwrap();
        assert_eq!(atts.len(), 2, "{platform}: {atts:?}");
        for a in atts {
            assert_eq!(a["kind"], "buildx");
            assert_eq!(a["subjects"], serde_json::json!([digest.as_str()]), "{platform}");
            assert_eq!(a["binds"], true);
            assert_eq!(a["signed"], false);
            assert_eq!(a["verified"], false);
        }
        let p = &atts[0]["provenance"];
        assert_eq!(atts[0]["predicate_type"], "https://slsa.dev/provenance/v0.2");
        assert_eq!(p["source"], "https://github.com/example/app");
        assert_eq!(p["commit"], "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        assert_eq!(p["build_args"]["build-arg:VERSION"], "1.4.2");
        assert_eq!(p["materials"][0]["uri"], "pkg:docker/debian@12?platform=linux%2Famd64");
        assert_eq!(p["started"], "2026-11-30T10:00:00Z");
        assert_eq!(atts[1]["sbom"][0]["purl"], "pkg:deb/debian/bash@5.2.15-2+b2?arch=amd64");
        // Unsigned attestations are no signature: the image is still "not signed".
        assert_eq!(r["trust"]["verdict"], "unsigned");
    }
    let _ = std::fs::remove_file(tar);
}

/// cosign's classic keyless signatures (a Fulcio certificate, its chain and a Rekor bundle in
/// the layer's annotations, as cosign 2 writes them under `.sig`), made against the mock
/// Fulcio, Rekor and CT services (tests/sigstore/make-cosign-keyless.mjs); the same material
/// as a Sigstore bundle is judged by `@sigstore/verify`, and porthole must agree.
#[test]
fn classic_keyless_cosign_signatures_agree_with_sigstore_verify() {
    support::need("node");
    let root_dir = env!("CARGO_MANIFEST_DIR");
    let (img, digest, _) = image();
    let dir = key_dir("classic");
    let payload = signing::simple_signing_payload(digest.as_str(), "registry.example/team/app");
    let payload_file = dir.join("payload.json");
    std::fs::write(&payload_file, &payload).unwrap();
    let out = std::process::Command::new("node")
        .arg(format!("{root_dir}/tests/sigstore/make-cosign-keyless.mjs"))
        .arg(&dir)
        .arg(&payload_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verdicts: Value = serde_json::from_slice(&std::fs::read(dir.join("verdicts.json")).unwrap()).unwrap();
    let root = dir.join("trusted_root.json");
    let mut checked = 0;
    for (case, v) in verdicts.as_object().unwrap() {
        let m: Value = serde_json::from_slice(&std::fs::read(dir.join(format!("{case}.json"))).unwrap()).unwrap();
        let mut annotations = vec![(
            porthole::trust::cosign::SIGNATURE_ANNOTATION,
            m["signature"].as_str().unwrap_or("").to_string(),
        )];
        for (field, name) in [
            ("certificate", porthole::trust::cosign::CERTIFICATE_ANNOTATION),
            ("chain", porthole::trust::cosign::CHAIN_ANNOTATION),
            ("bundle", porthole::trust::cosign::BUNDLE_ANNOTATION),
        ] {
            // Absent annotations are written as empty strings, as cosign writes them.
            annotations.push((name, m[field].as_str().unwrap_or("").to_string()));
        }
        let extra = signing::cosign_manifest(
            &[(payload.clone(), porthole::trust::cosign::SIMPLE_SIGNING, annotations)],
            None,
            None,
        )
        .tagged(&signing::cosign_tag(&digest, "sig"));
        let tar = write(
            "classic.tar",
            &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[extra]),
        );
        let (_, r, err) = inspect(
            &tar,
            &[
                "--trusted-root",
                root.to_str().unwrap(),
                "--certificate-identity",
                "signer@porthole.test",
                "--certificate-oidc-issuer",
                "https://issuer.porthole.test",
            ],
        );
        let s = &r["signatures"][0];
        eprintln!("{case}: ours {} reference {}: {}", s["verified"], v["ok"], s["reason"]);
        assert_eq!(
            s["verified"], v["ok"],
            "{case}: porthole {s}, @sigstore/verify {v} {err}"
        );
        if s["verified"] == true {
            assert_eq!(s["signer"]["identity"], "signer@porthole.test");
            assert_eq!(s["signer"]["issuer"], "https://issuer.porthole.test");
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked} cases");
    let _ = std::fs::remove_dir_all(dir);
}

/// An image whose manifest names a subject (OCI 1.1 allows it) is still an image, not set
/// apart as a signature; an image tagged `sha256-<hex>` too.
#[test]
fn an_image_with_a_subject_or_a_digest_like_tag_stays_an_image() {
    let (img, digest, size) = image();
    let (m, blobs) = img.oci_manifest();
    let mut with_subject: Value = serde_json::from_slice(&m).unwrap();
    with_subject["subject"] = serde_json::json!({"mediaType": porthole::image::manifest::OCI_MANIFEST, "digest": digest.as_str(), "size": size});
    let doc = serde_json::to_vec(&with_subject).unwrap();
    let extra = Extra::new(doc, porthole::image::manifest::OCI_MANIFEST, blobs.clone())
        .tagged(&format!("sha256-{}", "cd".repeat(32)));
    let tar = write(
        "subject-image.tar",
        &fixture::oci_archive_with(std::slice::from_ref(&img), false, &[extra]),
    );
    let r = support::porthole(&["inspect", tar.to_str().unwrap(), "--json"], None);
    assert_eq!(r.json["images"].as_array().unwrap().len(), 2, "{}", r.stderr);
    let _ = std::fs::remove_file(tar);
}
