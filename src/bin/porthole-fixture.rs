//! Writes fixture images (every supported format) for manual testing, benchmarks and the
//! page's sample: `porthole-fixture FORMAT OUT` or `porthole-fixture big OUT SIZE_MB`.

use porthole::fixture::{self, Compress, TarBuilder};
use std::io::Write;

/// A base64 signature over `data` made by `openssl` with the PEM private key `key` (ECDSA,
/// SHA-256, DER: cosign's encoding).
fn openssl_sign(key: &str, data: &[u8]) -> String {
    use base64::Engine as _;
    let input = std::env::temp_dir().join(format!("porthole-fixture-sign-{}", std::process::id()));
    let out = std::fs::write(&input, data).and_then(|_| {
        std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-sign", key])
            .arg(&input)
            .output()
    });
    let _ = std::fs::remove_file(&input);
    match out {
        Ok(o) if o.status.success() => base64::engine::general_purpose::STANDARD.encode(o.stdout),
        Ok(o) => {
            eprintln!("openssl could not sign: {}", String::from_utf8_lossy(&o.stderr));
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("openssl could not be run (install it: apt-get install openssl): {e}");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: porthole-fixture docker|docker-symlinks|crane|oci|oci-zstd|docker25|multiplatform|packages|cryptojacked|page-sample|sample-advisory OUT\n       porthole-fixture page-sample OUT KEY.pem   (the sample signed with KEY by openssl)\n       porthole-fixture dir OUT SRC_DIR   (the tree as one gzip layer)\n       porthole-fixture ndb OUT BLOBS.txt (an rpm ndb database)\n       porthole-fixture hostile DIR       (the hostile-image corpus)\n       porthole-fixture big OUT SIZE_MB [LAYERS [gzip|zstd|none [FILES]]]   (pseudo-random files, written streaming; FILES in all, else files of 256 KiB)"
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
        "page-sample" => match args.get(3) {
            // porthole-fixture page-sample OUT [KEY.pem]: with a key, signed by openssl with it.
            Some(key) => fixture::signing::signed_page_sample("example.com/sample:1", &|data| openssl_sign(key, data)),
            None => fixture::oci_archive(&[fixture::page_sample("example.com/sample:1", Compress::Gzip)], false),
        },
        "sample-advisory" => fixture::SAMPLE_ADVISORY.as_bytes().to_vec(),
        "oci-zstd" => fixture::oci_archive(&[sample.compressed(Compress::Zstd)], false),
        "docker25" => fixture::oci_archive(&[sample], true),
        "cryptojacked" => fixture::oci_archive(&[fixture::cryptojacked("example.com/pool/worker:latest")], true),
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
            let layers: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
            let compress = args.get(5).map_or("gzip", String::as_str);
            let files: Option<u64> = args.get(6).and_then(|s| s.parse().ok()).filter(|&n| n > 0);
            if let Err(e) = big(out, mb, layers, compress, files) {
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

/// The uncompressed tar of one generated layer, produced on the fly as it is read: files of
/// 256 KiB, half pseudo-random and half text-like (about 2:1 under gzip, like real layers).
struct GenLayer {
    seed: u64,
    layer: usize,
    files: u64,
    file_size: usize,
    next_file: u64,
    buf: Vec<u8>,
    pos: usize,
    ended: bool,
}

const GEN_FILE: usize = 256 * 1024;

impl GenLayer {
    fn new(layer: usize, bytes: u64, file_size: usize) -> Self {
        GenLayer {
            seed: 0x9e37_79b9_7f4a_7c15 ^ (layer as u64).wrapping_mul(0x2545_f491_4f6c_dd1d),
            layer,
            files: (bytes / file_size as u64).max(1),
            file_size,
            next_file: 0,
            buf: Vec::new(),
            pos: 0,
            ended: false,
        }
    }

    fn refill(&mut self) {
        self.buf.clear();
        self.pos = 0;
        if self.next_file == self.files {
            if !self.ended {
                self.buf.resize(1024, 0);
                self.ended = true;
            }
            return;
        }
        let i = self.next_file;
        self.next_file += 1;
        let mut data = vec![0u8; self.file_size];
        for (j, chunk) in data.chunks_mut(8).enumerate() {
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 7;
            self.seed ^= self.seed << 17;
            let v = if j % 2 == 0 { self.seed } else { 0x2020_6f6c_6c65_6820 };
            chunk.copy_from_slice(&v.to_le_bytes()[..chunk.len()]);
        }
        let mut t = TarBuilder::new();
        t.file(
            &format!("data/l{}/{:03}/file-{i}.bin", self.layer, i % 1000),
            &data,
            0o644,
        );
        self.buf = t.finish();
        self.buf.truncate(self.buf.len() - 1024);
    }
}

impl std::io::Read for GenLayer {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.refill();
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Hashes what passes through (the diff_id on the way into the compressor, the blob digest
/// on the way out).
struct Hashing<T> {
    inner: T,
    hasher: porthole::digest::Hasher,
    n: u64,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.hasher.update(&out[..n]);
        self.n += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.hasher.update(&b[..n]);
        self.n += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A large OCI archive for benchmarks: `layers` layers of about `mb` MiB of files in all
/// (`files` of them, else files of 256 KiB), compressed with `compress` (gzip, zstd or none).
/// Layers are generated, compressed and wrapped streaming: memory stays small whatever the size.
fn big(out: &str, mb: u64, layers: usize, compress: &str, files: Option<u64>) -> std::io::Result<()> {
    let layers = layers.max(1);
    let per_layer = mb * 1024 * 1024 / layers as u64;
    let file_size = files.map_or(GEN_FILE as u64, |n| (mb * 1024 * 1024 / n).max(1));
    let mut blobs = Vec::new();
    for l in 0..layers {
        let tmp = format!("{out}.layer{l}.tmp");
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        let mut sink = Hashing {
            inner: file,
            hasher: porthole::digest::Hasher::new(),
            n: 0,
        };
        let mut src = Hashing {
            inner: GenLayer::new(l, per_layer, file_size as usize),
            hasher: porthole::digest::Hasher::new(),
            n: 0,
        };
        let media = match compress {
            "gzip" => {
                let mut enc = flate2::write::GzEncoder::new(&mut sink, flate2::Compression::fast());
                std::io::copy(&mut src, &mut enc)?;
                enc.finish()?;
                "application/vnd.oci.image.layer.v1.tar+gzip"
            }
            "zstd" => {
                ruzstd::encoding::compress(&mut src, &mut sink, ruzstd::encoding::CompressionLevel::Fastest);
                "application/vnd.oci.image.layer.v1.tar+zstd"
            }
            _ => {
                std::io::copy(&mut src, &mut sink)?;
                "application/vnd.oci.image.layer.v1.tar"
            }
        };
        sink.flush()?;
        let size = sink.n;
        let digest = sink.hasher.finish();
        blobs.push((tmp, digest, size, src.hasher.finish(), media));
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": blobs.iter().map(|b| b.3.to_string()).collect::<Vec<_>>()},
        "history": blobs.iter().map(|_| serde_json::json!({"created_by": "porthole-fixture big"})).collect::<Vec<_>>()
    }))?;
    let cd = porthole::digest::Digest::of(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd.to_string(), "size": config.len()},
        "layers": blobs.iter().map(|b| serde_json::json!({"mediaType": b.4, "digest": b.1.to_string(), "size": b.2})).collect::<Vec<_>>()
    }))?;
    let md = porthole::digest::Digest::of(&manifest);
    let index = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md.to_string(), "size": manifest.len()}]}))?;
    let mut o = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut t = TarBuilder::new();
    t.file(&format!("blobs/sha256/{}", cd.hex()), &config, 0o644);
    t.file(&format!("blobs/sha256/{}", md.hex()), &manifest, 0o644);
    let head = t.finish();
    o.write_all(&head[..head.len() - 1024])?;
    for (tmp, digest, size, _, _) in &blobs {
        let mut t = TarBuilder::new();
        t.header(
            format!("blobs/sha256/{}", digest.hex()).as_bytes(),
            b'0',
            *size,
            0o644,
            0,
            0,
            b"",
        );
        let head = t.finish();
        o.write_all(&head[..512])?;
        std::io::copy(&mut std::fs::File::open(tmp)?, &mut o)?;
        o.write_all(&vec![0u8; ((512 - size % 512) % 512) as usize])?;
        std::fs::remove_file(tmp)?;
    }
    // Docker 25+ `docker save` writes manifest.json next to the OCI layout (dive reads it).
    let docker_manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": format!("blobs/sha256/{}", cd.hex()),
        "RepoTags": ["example.com/big:1"],
        "Layers": blobs.iter().map(|b| format!("blobs/sha256/{}", b.1.hex())).collect::<Vec<_>>()
    }]))?;
    let mut t = TarBuilder::new();
    t.file("index.json", &index, 0o644);
    t.file("manifest.json", &docker_manifest, 0o644);
    t.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#, 0o644);
    o.write_all(&t.finish())?;
    o.flush()
}
