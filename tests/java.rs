//! Java archives written by real tools: jars Debian built with Maven (commons-io, guava),
//! wars packed by Info-ZIP (stored and deflated) and by Python's zipfile writing to a pipe
//! (sizes in data descriptors after each member). The oracle is `unzip -p` of each jar's
//! `pom.properties`.

mod support;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const JARS: [&str; 2] = ["commons-io-2.11.0.jar", "guava-31.1-jre.jar"];

fn jar(name: &str) -> PathBuf {
    let p = Path::new("/usr/share/java").join(name);
    assert!(
        p.exists(),
        "{} is missing: run `scripts/setup.sh --tests` (installs libcommons-io-java and libguava-java)",
        p.display()
    );
    p
}

/// `group:artifact version` from every pom.properties in a jar, each read by unzip.
fn oracle(jar: &Path) -> BTreeSet<String> {
    let unzip = |args: &[&str]| {
        let out = Command::new("unzip").args(args).arg(jar).output().expect("unzip");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mut set = BTreeSet::new();
    for name in unzip(&["-Z1"]).lines().filter(|n| n.ends_with("/pom.properties")) {
        let out = Command::new("unzip").arg("-p").arg(jar).arg(name).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
                .unwrap_or_default()
        };
        set.insert(format!(
            "{}:{} {}",
            get("groupId="),
            get("artifactId="),
            get("version=")
        ));
    }
    assert!(!set.is_empty(), "no pom.properties in {}", jar.display());
    set
}

fn workdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("porthole-java-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("WEB-INF/lib")).unwrap();
    d
}

fn run(dir: &Path, cmd: &str) {
    let st = Command::new("sh").arg("-c").arg(cmd).current_dir(dir).status().unwrap();
    assert!(st.success(), "{cmd}");
}

/// Packages of type maven in the report, per path.
fn maven(r: &porthole::Report, path: &str) -> BTreeSet<String> {
    r.images[0]
        .packages
        .iter()
        .filter(|p| p.kind == "maven" && p.path == path)
        .map(|p| format!("{} {}", p.name, p.version))
        .collect()
}

fn image(files: Vec<(String, Vec<u8>)>) -> porthole::Report {
    let mut l = TarBuilder::new();
    for (p, b) in &files {
        l.file(p, b, 0o644);
    }
    support::inspect(&fixture::oci_archive(
        &[ImageSpec::new("java:1", vec![l.finish()]).compressed(Compress::Gzip)],
        false,
    ))
}

#[test]
fn jars_and_wars_written_by_real_tools_list_their_maven_coordinates() {
    support::need("zip");
    support::need("unzip");
    let dir = workdir("wars");
    let mut expect_war = BTreeSet::new();
    let mut files = Vec::new();
    for j in JARS {
        let src = jar(j);
        std::fs::copy(&src, dir.join("WEB-INF/lib").join(j)).unwrap();
        expect_war.extend(oracle(&src));
        files.push((format!("app/lib/{j}"), std::fs::read(&src).unwrap()));
    }
    run(&dir, "zip -q -r -0 stored.war WEB-INF");
    run(&dir, "zip -q -r deflated.war WEB-INF");
    run(
        &dir,
        &format!(
            "python3 {} piped.war WEB-INF/lib/*.jar",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/zip_to_pipe.py")
                .display()
        ),
    );
    for w in ["stored.war", "deflated.war", "piped.war"] {
        files.push((format!("srv/{w}"), std::fs::read(dir.join(w)).unwrap()));
    }
    // A launcher script in front of the zip (as Spring Boot's executable jars have).
    let mut prefixed = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    prefixed.extend(std::fs::read(jar(JARS[0])).unwrap());
    files.push(("opt/launcher.jar".into(), prefixed));

    let r = image(files);
    eprintln!("expected in each war: {expect_war:?}");
    for j in JARS {
        let got = maven(&r, &format!("/app/lib/{j}"));
        assert_eq!(got, oracle(&jar(j)), "{j}");
    }
    for w in ["stored.war", "deflated.war", "piped.war"] {
        assert_eq!(maven(&r, &format!("/srv/{w}")), expect_war, "{w}");
    }
    assert_eq!(maven(&r, "/opt/launcher.jar"), oracle(&jar(JARS[0])));
    let io = r.images[0]
        .packages
        .iter()
        .find(|p| p.name == "commons-io:commons-io")
        .unwrap();
    assert_eq!(io.purl, "pkg:maven/commons-io/commons-io@2.11.0");
    assert!(r.images[0].errors.is_empty(), "{:?}", r.images[0].errors);
}

#[test]
fn archives_without_pom_properties_fall_back_to_the_manifest_then_the_name() {
    let dir = workdir("manifest");
    std::fs::create_dir_all(dir.join("META-INF")).unwrap();
    std::fs::write(
        dir.join("META-INF/MANIFEST.MF"),
        "Manifest-Version: 1.0\r\nImplementation-Title: demo-app\r\nImplementation-Version: 1.4.2\r\nImplementation-Vendor-Id: org.example\r\n\r\n",
    )
    .unwrap();
    std::fs::write(dir.join("Main.class"), [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61]).unwrap();
    run(
        &dir,
        "zip -q demo.jar META-INF/MANIFEST.MF Main.class && zip -q tool-3.2.1.jar Main.class",
    );
    let r = image(vec![
        ("app/demo.jar".into(), std::fs::read(dir.join("demo.jar")).unwrap()),
        (
            "app/tool-3.2.1.jar".into(),
            std::fs::read(dir.join("tool-3.2.1.jar")).unwrap(),
        ),
    ]);
    assert_eq!(
        maven(&r, "/app/demo.jar"),
        BTreeSet::from(["org.example:demo-app 1.4.2".to_string()])
    );
    assert_eq!(
        maven(&r, "/app/tool-3.2.1.jar"),
        BTreeSet::from(["tool 3.2.1".to_string()])
    );
}

#[test]
fn a_cut_or_damaged_archive_keeps_what_it_read() {
    let dir = workdir("cut");
    for j in JARS {
        std::fs::copy(jar(j), dir.join("WEB-INF/lib").join(j)).unwrap();
    }
    run(&dir, "zip -q -r -0 stored.war WEB-INF");
    let war = std::fs::read(dir.join("stored.war")).unwrap();
    let full = oracle(&jar(JARS[0]))
        .union(&oracle(&jar(JARS[1])))
        .cloned()
        .collect::<BTreeSet<_>>();
    for cut in [10, 100, war.len() / 4, war.len() / 2, war.len() - 100] {
        let r = image(vec![("srv/app.war".into(), war[..cut].to_vec())]);
        assert!(maven(&r, "/srv/app.war").is_subset(&full), "cut at {cut}");
    }
    // Random damage in the middle: no panic, no hang, never an invented package.
    let mut bad = war.clone();
    for i in (1000..bad.len()).step_by(997) {
        bad[i] ^= 0x5a;
    }
    let r = image(vec![("srv/app.war".into(), bad)]);
    for p in maven(&r, "/srv/app.war") {
        assert!(full.contains(&p), "{p}");
    }
}
