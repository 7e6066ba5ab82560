//! Writes fixture images (every supported format) for manual testing, benchmarks and the
//! page's sample: `porthole-fixture FORMAT OUT` or `porthole-fixture big OUT SIZE_MB`.

use porthole::fixture::{self, Compress, TarBuilder};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: porthole-fixture docker|docker-symlinks|crane|oci|oci-zstd|docker25|multiplatform|packages OUT\n       porthole-fixture dir OUT SRC_DIR   (the tree as one gzip layer)\n       porthole-fixture ndb OUT BLOBS.txt (an rpm ndb database)\n       porthole-fixture hostile DIR       (the hostile-image corpus)\n       porthole-fixture big OUT SIZE_MB   (one gzip layer of pseudo-random files, written streaming)"
        );
        std::process::exit(1);
    }
    let out = &args[2];
    let sample = fixture::sample("example.com/sample:1", Compress::Gzip);
    let bytes = match args[1].as_str() {
        "docker" => fixture::docker_archive(&[sample.compressed(Compress::None)], false),
        "docker-symlinks" => fixture::docker_archive(&[sample.compressed(Compress::None)], true),
        "crane" => fixture::crane_archive(&sample),
        "oci" => fixture::oci_archive(&[sample], false),
        "oci-zstd" => fixture::oci_archive(&[sample.compressed(Compress::Zstd)], false),
        "docker25" => fixture::oci_archive(&[sample], true),
        "packages" => fixture::oci_archive(
            &[fixture::ImageSpec::new(
                "example.com/packages:1",
                vec![fixture::packages_layer()],
            )],
            false,
        ),
        "multiplatform" => fixture::oci_multiplatform(
            "example.com/multi:1",
            &[sample.clone(), sample.platform("linux", "arm64", Some("v8"))],
        ),
        "hostile" => {
            // porthole-fixture hostile DIR: the hostile-image corpus, one file per case.
            for case in fixture::hostile::corpus() {
                let dir = std::path::Path::new(out);
                if let Err(e) =
                    std::fs::create_dir_all(dir).and_then(|_| std::fs::write(dir.join(&case.file_name), &case.bytes))
                {
                    eprintln!("cannot write the corpus: {e}");
                    std::process::exit(2);
                }
            }
            return;
        }
        "seeds" => {
            for (target, name, bytes) in fixture::fuzz_seeds() {
                let dir = std::path::Path::new(out).join(target);
                if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join(name), bytes)) {
                    eprintln!("cannot write seeds: {e}");
                    std::process::exit(2);
                }
            }
            return;
        }
        "dir" => {
            // porthole-fixture dir OUT SRC_DIR: an OCI archive with one gzip layer holding the tree.
            let Some(src) = args.get(3) else {
                eprintln!("usage: porthole-fixture dir OUT SRC_DIR");
                std::process::exit(1);
            };
            let mut t = TarBuilder::new();
            if let Err(e) = add_tree(&mut t, std::path::Path::new(src), "") {
                eprintln!("cannot read {src}: {e}");
                std::process::exit(2);
            }
            fixture::oci_archive(
                &[fixture::ImageSpec::new("example.com/dir:1", vec![t.finish()]).compressed(Compress::Gzip)],
                false,
            )
        }
        "ndb" => {
            // porthole-fixture ndb OUT BLOBS.txt: an rpm ndb database from `hnum|HEX` lines.
            let blobs = args
                .get(3)
                .and_then(|p| std::fs::read_to_string(p).ok())
                .and_then(|t| fixture::rpm::parse_blob_list(&t));
            let Some(blobs) = blobs else {
                eprintln!("usage: porthole-fixture ndb OUT BLOBS.txt (lines of hnum|HEX)");
                std::process::exit(1);
            };
            fixture::rpm::ndb(&blobs)
        }
        "big" => {
            let mb: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
            if let Err(e) = big(out, mb) {
                eprintln!("cannot write {out}: {e}");
                std::process::exit(2);
            }
            return;
        }
        other => {
            eprintln!("unknown format {other}");
            std::process::exit(1);
        }
    };
    if let Err(e) = std::fs::write(out, bytes) {
        eprintln!("cannot write {out}: {e}");
        std::process::exit(2);
    }
}

/// Adds a directory tree (files, directories, symlinks; sorted, so the layer is reproducible).
fn add_tree(t: &mut TarBuilder, dir: &std::path::Path, prefix: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let meta = std::fs::symlink_metadata(e.path())?;
        if meta.file_type().is_symlink() {
            t.symlink(&name, &std::fs::read_link(e.path())?.to_string_lossy());
        } else if meta.is_dir() {
            t.dir(&name);
            add_tree(t, &e.path(), &format!("{name}/"))?;
        } else if meta.is_file() {
            t.file(&name, &std::fs::read(e.path())?, meta.permissions().mode() & 0o7777);
        }
    }
    Ok(())
}

/// A large OCI archive for benchmarks: one gzip layer of ~`mb` MB of files with mixed
/// (partly compressible) content. Written to a temp file, then wrapped.
fn big(out: &str, mb: u64) -> std::io::Result<()> {
    let tmp = format!("{out}.layer.tmp");
    let mut layer = std::fs::File::create(&tmp)?;
    let mut enc = flate2::write::GzEncoder::new(std::io::BufWriter::new(&mut layer), flate2::Compression::fast());
    let mut hasher = porthole::digest::Hasher::new();
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let file_size = 256 * 1024;
    let files = mb * 1024 * 1024 / file_size as u64;
    let mut data = vec![0u8; file_size];
    for i in 0..files {
        for (j, chunk) in data.chunks_mut(8).enumerate() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Half random, half text-like: roughly 2:1 compression, like real layers.
            let v = if j % 2 == 0 { seed } else { 0x2020_6f6c_6c65_6820 };
            chunk.copy_from_slice(&v.to_le_bytes()[..chunk.len()]);
        }
        let mut t = TarBuilder::new();
        t.file(&format!("data/{:03}/file-{i}.bin", i % 1000), &data, 0o644);
        let mut bytes = t.finish();
        bytes.truncate(bytes.len() - 1024);
        hasher.update(&bytes);
        enc.write_all(&bytes)?;
    }
    let end = [0u8; 1024];
    hasher.update(&end);
    enc.write_all(&end)?;
    enc.finish()?;
    drop(layer);
    let diff_id = hasher.finish();
    println!("layer written; diff_id {diff_id}");
    // Wrap: the layer is streamed into the outer tar by a second pass (never in memory).
    wrap_big(out, &tmp, &diff_id)?;
    std::fs::remove_file(&tmp)
}

fn wrap_big(out: &str, layer_path: &str, diff_id: &porthole::digest::Digest) -> std::io::Result<()> {
    use std::io::Read;
    let mut f = std::fs::File::open(layer_path)?;
    let size = f.metadata()?.len();
    let mut h = porthole::digest::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let layer_digest = h.finish();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]},
        "history": [{"created_by": "porthole-fixture big"}]
    }))?;
    let cd = porthole::digest::Digest::of(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd.to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest.to_string(), "size": size}]
    }))?;
    let md = porthole::digest::Digest::of(&manifest);
    let index = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md.to_string(), "size": manifest.len()}]}))?;
    let mut o = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut t = TarBuilder::new();
    t.file(&format!("blobs/sha256/{}", cd.hex()), &config, 0o644);
    t.file(&format!("blobs/sha256/{}", md.hex()), &manifest, 0o644);
    t.header(
        format!("blobs/sha256/{}", layer_digest.hex()).as_bytes(),
        b'0',
        size,
        0o644,
        0,
        0,
        b"",
    );
    let head = t.finish();
    o.write_all(&head[..head.len() - 1024])?;
    let mut f = std::fs::File::open(layer_path)?;
    std::io::copy(&mut f, &mut o)?;
    o.write_all(&vec![0u8; ((512 - size % 512) % 512) as usize])?;
    let mut t = TarBuilder::new();
    t.file("index.json", &index, 0o644);
    t.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#, 0o644);
    o.write_all(&t.finish())?;
    o.flush()
}
