//! Package catalogers on images: attribution to the first layer that lists a package,
//! databases deleted by a later layer, and each ecosystem's files found in a layer walk.

mod support;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};

fn stanza(name: &str, version: &str) -> String {
    format!("Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n")
}

fn image(layers: Vec<Vec<u8>>) -> porthole::Report {
    support::inspect(&fixture::oci_archive(
        &[ImageSpec::new("p:1", layers).compressed(Compress::Gzip)],
        false,
    ))
}

#[test]
fn deb_packages_are_attributed_to_the_first_layer_listing_them() {
    let mut l0 = TarBuilder::new();
    l0.file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n", 0o644);
    l0.file(
        "var/lib/dpkg/status",
        (stanza("libc6", "2.36-9") + &stanza("bash", "5.2.15-2")).as_bytes(),
        0o644,
    );
    let mut l1 = TarBuilder::new();
    let status = stanza("libc6", "2.36-9") + &stanza("bash", "5.2.15-3") + &stanza("curl", "7.88.1-10");
    l1.file("var/lib/dpkg/status", status.as_bytes(), 0o644);
    let r = image(vec![l0.finish(), l1.finish()]);
    let p = &r.images[0].packages;
    let find = |n: &str| p.iter().find(|x| x.name == n).unwrap_or_else(|| panic!("{n}"));
    assert_eq!(p.len(), 3);
    assert_eq!(find("libc6").layer, 0, "listed unchanged since layer 0");
    assert_eq!(find("bash").layer, 1, "upgraded in layer 1");
    assert_eq!(find("curl").layer, 1);
    assert_eq!(
        find("curl").purl,
        "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"
    );
    assert_eq!(r.images[0].distro.as_ref().map(|d| d.id.as_str()), Some("debian"));
}

#[test]
fn a_deleted_database_lists_nothing() {
    let mut l0 = TarBuilder::new();
    l0.file(
        "lib/apk/db/installed",
        b"P:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\no:musl\n\n",
        0o644,
    );
    let mut l1 = TarBuilder::new();
    l1.whiteout("lib/apk/db/installed");
    let r = image(vec![l0.finish(), l1.finish()]);
    assert!(r.images[0].packages.is_empty());
}

#[test]
fn every_ecosystem_is_found_in_one_walk() {
    let mut l0 = TarBuilder::new();
    l0.file("etc/alpine-release", b"3.19.1\n", 0o644);
    l0.file(
        "lib/apk/db/installed",
        b"P:musl\nV:1.2.4-r4\nA:x86_64\nL:MIT\no:musl\n\n",
        0o644,
    );
    l0.file(
        "var/lib/dpkg/status.d/tzdata",
        stanza("tzdata", "2024a-0+deb12u1").as_bytes(),
        0o644,
    );
    l0.file(
        "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n",
        0o644,
    );
    l0.file(
        "app/node_modules/@types/node/package.json",
        br#"{"name":"@types/node","version":"20.11.5","license":"MIT"}"#,
        0o644,
    );
    l0.file(
        "app/node_modules/lodash/package.json",
        br#"{"name":"lodash","version":"4.17.21","license":"MIT"}"#,
        0o644,
    );
    l0.file(
        "app/node_modules/lodash/fp/package.json",
        br#"{"name":"not-a-package","version":"0"}"#,
        0o644,
    );
    l0.file(
        "usr/local/bundle/specifications/rack-3.0.8.gemspec",
        b"Gem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.licenses = [\"MIT\".freeze]\nend\n",
        0o644,
    );
    l0.file(
        "srv/php/vendor/composer/installed.json",
        br#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"]}]}"#,
        0o644,
    );
    l0.file(
        "app/api.deps.json",
        br#"{"libraries":{"api/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.3":{"type":"package"}}}"#,
        0o644,
    );
    let r = image(vec![l0.finish()]);
    let got: Vec<(String, String, String)> = r.images[0]
        .packages
        .iter()
        .map(|p| (p.kind.clone(), p.name.clone(), p.purl.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "apk".into(),
                "musl".into(),
                "pkg:apk/alpine/musl@1.2.4-r4?arch=x86_64&distro=alpine-3.19.1".into()
            ),
            (
                "composer".into(),
                "monolog/monolog".into(),
                "pkg:composer/monolog/monolog@3.5.0".into()
            ),
            (
                "deb".into(),
                "tzdata".into(),
                "pkg:deb/alpine/tzdata@2024a-0%2Bdeb12u1?arch=amd64&distro=alpine-3.19.1".into()
            ),
            ("gem".into(), "rack".into(), "pkg:gem/rack@3.0.8".into()),
            (
                "npm".into(),
                "@types/node".into(),
                "pkg:npm/%40types/node@20.11.5".into()
            ),
            ("npm".into(), "lodash".into(), "pkg:npm/lodash@4.17.21".into()),
            (
                "nuget".into(),
                "Newtonsoft.Json".into(),
                "pkg:nuget/Newtonsoft.Json@13.0.3".into()
            ),
            ("python".into(), "requests".into(), "pkg:pypi/requests@2.31.0".into()),
        ]
    );
}

#[test]
fn go_binaries_report_their_modules_and_deleted_ones_do_not() {
    let modinfo = "path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\tv1.2.3\th1:a=\ndep\tgithub.com/spf13/cobra\tv1.8.0\th1:b=\n";
    let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
    elf.resize(70_000, 0x90);
    elf.extend(porthole::scan::packages::golang::encode("go1.21.5", modinfo));
    elf.resize(300_000, 0);
    let mut not_elf = b"#!/bin/sh\n".to_vec();
    not_elf.extend(porthole::scan::packages::golang::encode("go1.21.5", modinfo));
    let mut l0 = TarBuilder::new();
    l0.file("usr/bin/tool", &elf, 0o755);
    l0.file("usr/bin/old-tool", &elf, 0o755);
    l0.file("usr/bin/script", &not_elf, 0o755);
    let mut l1 = TarBuilder::new();
    l1.whiteout("usr/bin/old-tool");
    let r = image(vec![l0.finish(), l1.finish()]);
    let got: Vec<(String, String, String)> = r.images[0]
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.path.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("github.com/acme/tool".into(), "v1.2.3".into(), "/usr/bin/tool".into()),
            ("github.com/spf13/cobra".into(), "v1.8.0".into(), "/usr/bin/tool".into()),
            ("stdlib".into(), "go1.21.5".into(), "/usr/bin/tool".into()),
        ]
    );
    assert!(r.images[0].packages.iter().all(|p| p.kind == "go"));
    assert_eq!(r.images[0].packages[1].purl, "pkg:golang/github.com/spf13/cobra@v1.8.0");
}
