//! Layers processed out of order (threads natively, a worker pool in the page) give exactly
//! the report of a sequential inspection, including shared layers, multi-image archives,
//! tampered and missing layers, and layer results sent as bytes between workers.

use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use porthole::inspect::{Options, Quiet};
use porthole::parallel;

/// The inspection of a file whose layers were processed ahead.
fn with_prepared(bytes: &[u8], name: &str, o: &Options, prepared: parallel::Prepared) -> porthole::Report {
    let input = porthole::inspect::Input::File {
        source: bytes,
        name,
        prepared,
    };
    porthole::inspect::inspect(input, o, &mut Quiet).report
}

/// The inspection of a file with its layers processed on `threads` threads, as the CLI does.
fn threaded(bytes: &[u8], name: &str, o: &Options, threads: usize) -> porthole::Report {
    with_prepared(bytes, name, o, parallel::on_threads(bytes, o, threads, &|_| {}))
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let sample = fixture::sample("example.com/app:1", Compress::Gzip);
    let mut other = TarBuilder::new();
    other.file("srv/other.txt", b"other", 0o644);
    let shared = {
        let mut a = fixture::sample("a:1", Compress::None);
        let mut b = fixture::sample("b:1", Compress::None);
        a.layers.truncate(2);
        b.layers.push(other.finish());
        vec![a, b]
    };
    let mut tampered = fixture::oci_archive(std::slice::from_ref(&sample), false);
    // Flip a byte inside the largest blob (a layer).
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x20;
    let mut out = vec![
        ("oci gzip", fixture::oci_archive(std::slice::from_ref(&sample), false)),
        (
            "oci zstd",
            fixture::oci_archive(&[sample.clone().compressed(Compress::Zstd)], false),
        ),
        (
            "docker save, symlinked layers",
            fixture::docker_archive(&[sample.clone().compressed(Compress::None)], true),
        ),
        ("docker 25", fixture::oci_archive(std::slice::from_ref(&sample), true)),
        ("two images sharing layers", fixture::docker_archive(&shared, false)),
        (
            "packages",
            fixture::oci_archive(&[ImageSpec::new("p:1", vec![fixture::packages_layer()])], false),
        ),
        ("tampered", tampered),
        (
            "multi-platform",
            fixture::oci_multiplatform("m:1", &[sample.clone(), sample.platform("linux", "arm64", Some("v8"))]),
        ),
    ];
    out.extend(
        porthole::fixture::hostile::corpus()
            .into_iter()
            .filter(|c| !c.name.contains("bomb"))
            .map(|c| (c.name, c.bytes)),
    );
    out
}

fn opts() -> Options {
    Options {
        files: true,
        ..Default::default()
    }
}

#[test]
fn threads_give_the_sequential_report() {
    // One layer: relayed between two threads; of zeros, relaying stops (see below).
    for (label, bytes) in cases().into_iter().chain([("zeros", zeros_image())]) {
        let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &opts(), &mut Quiet).report;
        for threads in [2, 3, 8] {
            let par = threaded(&bytes[..], "x.tar", &opts(), threads);
            assert_eq!(par.to_json(), seq.to_json(), "{label}, {threads} threads");
        }
    }
}

#[test]
fn results_sent_as_bytes_between_workers_give_the_sequential_report() {
    let mut pooled = 0;
    for (label, bytes) in cases() {
        let o = opts();
        let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &o, &mut Quiet).report;
        let jobs = parallel::layer_jobs(&bytes[..], &o);
        // Largest first, each blob once.
        assert!(jobs.windows(2).all(|w| w[0].size >= w[1].size), "{label}");
        let mut names: Vec<&str> = jobs.iter().map(|j| j.entry.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), jobs.len(), "{label}");
        pooled += usize::from(jobs.len() > 1);
        // Each job in "another worker": its result crosses as bytes, in reverse order.
        let prepared: parallel::Prepared = jobs
            .iter()
            .rev()
            .map(|j| {
                let wire = parallel::encode_result(&parallel::run_job(&bytes[..], j, &o, &mut |_| {}));
                (j.entry.clone(), parallel::decode_result(&wire))
            })
            .collect();
        let par = with_prepared(&bytes[..], "x.tar", &o, prepared);
        assert_eq!(par.to_json(), seq.to_json(), "{label}");
    }
    assert!(pooled >= 6, "most cases have layers to share out ({pooled})");
    // Garbage from a worker is an error of its own, not a panic.
    assert!(parallel::decode_result(b"\xff\xff\xff").is_err());
}

#[test]
fn a_compressed_tarball_has_no_jobs_and_is_streamed() {
    let gz = porthole::compress::gzip(&fixture::oci_archive(&[fixture::sample("s:1", Compress::Gzip)], false)).unwrap();
    assert!(parallel::layer_jobs(&gz[..], &opts()).is_empty());
    let seq = porthole::inspect::explore_blob(&gz[..], "x.tar.gz", &opts(), &mut Quiet).report;
    let par = threaded(&gz[..], "x.tar.gz", &opts(), 4);
    assert_eq!(par.to_json(), seq.to_json());
}

#[test]
fn the_image_budget_holds_across_threads() {
    let o = Options {
        limits: porthole::Limits {
            image_uncompressed_bytes: 20_000,
            ..Default::default()
        },
        ..opts()
    };
    let mut t = TarBuilder::new();
    t.file("a", &vec![7u8; 15_000], 0o644);
    let l1 = t.finish();
    let mut t = TarBuilder::new();
    t.file("b", &vec![8u8; 15_000], 0o644);
    let l2 = t.finish();
    let bytes = fixture::oci_archive(&[ImageSpec::new("big:1", vec![l1, l2])], false);
    let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &o, &mut Quiet).report;
    let par = threaded(&bytes[..], "x.tar", &o, 2);
    assert_eq!(seq.exit_code(), 4);
    assert_eq!(par.exit_code(), 4, "{:?}", par.images[0].errors);
    assert!(
        par.images[0]
            .errors
            .iter()
            .any(|e| e.kind == porthole::ErrorKind::Limit)
    );
}

#[test]
fn a_relayed_layer_without_its_partners_is_read_again() {
    // A walking part whose hashers' results are missing is read again by the inspection, not
    // half-reported.
    let bytes = fixture::oci_archive(&[fixture::sample("s:1", Compress::Gzip)], false);
    let o = opts();
    let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &o, &mut Quiet).report;
    let lone: Vec<_> = parallel::layer_jobs(&bytes[..], &o)
        .iter()
        .map(|j| {
            let r = parallel::run_job_part(&bytes[..], j, parallel::Part::Relay, &o, &mut |_| {});
            (j.entry.clone(), parallel::Part::Relay, r)
        })
        .collect();
    let prepared = parallel::prepare(lone);
    assert!(prepared.is_empty());
    let par = with_prepared(&bytes[..], "x.tar", &o, prepared);
    assert_eq!(par.to_json(), seq.to_json());
}

#[test]
fn a_job_fed_chunk_by_chunk_equals_one_read_from_the_source() {
    for (label, bytes) in cases() {
        let o = opts();
        for j in parallel::layer_jobs(&bytes[..], &o) {
            let blob = &bytes[j.offset as usize..(j.offset + j.size) as usize];
            for part in [parallel::Part::All, parallel::Part::Digests] {
                let read = parallel::encode_result(&parallel::run_job_part(&bytes[..], &j, part, &o, &mut |_| {}));
                // Uneven chunks, as a stream delivers them; the bytes after the blob (the next
                // tar entry) are ignored.
                for chunk in [1, 7, 512, 65_536] {
                    let mut feed = parallel::JobFeed::new(&j, part, &o);
                    let tail = &bytes[j.offset as usize..(j.offset as usize + blob.len() + 1024).min(bytes.len())];
                    let mut more = true;
                    for c in tail.chunks(chunk) {
                        more = feed.push(c);
                        if !more {
                            break;
                        }
                    }
                    assert!(!more, "{label}: all of the blob was wanted and taken");
                    assert_eq!(
                        parallel::encode_result(&feed.finish()),
                        read,
                        "{label} {part:?} in chunks of {chunk}"
                    );
                }
            }
            // A stream that ends early is an error naming the layer, not a short result.
            if j.size > 1 {
                let mut feed = parallel::JobFeed::new(&j, parallel::Part::All, &o);
                assert!(feed.push(&blob[..blob.len() / 2]));
                let e = feed.finish().unwrap_err();
                assert!(e.to_string().contains(&j.entry), "{label}: {e}");
                assert!(e.to_string().contains("ended after"), "{label}: {e}");
            }
        }
    }
}

#[test]
fn the_warm_up_layer_is_a_clean_layer_of_the_size_asked() {
    let tar = parallel::warm_up_layer(256);
    assert!(tar.len() > 256 * 1024 && tar.len() < 300 * 1024, "{}", tar.len());
    let gz = porthole::compress::gzip(&tar).unwrap();
    let job = parallel::LayerJob {
        entry: "warm-up".into(),
        offset: 0,
        size: gz.len() as u64,
    };
    let mut feed = parallel::JobFeed::new(&job, parallel::Part::All, &opts());
    for c in gz.chunks(65_536) {
        feed.push(c);
    }
    let r = feed.finish().unwrap();
    assert!(r.digests.error.is_none(), "{:?}", r.digests.error);
    assert_eq!(r.digests.uncompressed_size, Some(tar.len() as u64));
    assert_eq!(
        r.entries.len(),
        3 + 4,
        "etc/, os-release, the dpkg status and four 64 KiB files"
    );
    assert_eq!(
        r.findings.of::<porthole::analyzer::Capture>().count(),
        2,
        "os-release and the dpkg status are captured"
    );
}

/// Runs a job as the page's relay pair does: one feed decompresses and walks, passing each
/// chunk's decompressed bytes on; the other hashes them and the blob (or, once relaying
/// stopped, reads the layer itself). Returns the two results and whether relaying stopped.
/// A relaying worker and the hashers of what it passes on, as the page runs them: the
/// decompressed stream hashed in one place, the blob in another (both over the same pieces).
fn relay_pair(
    bytes: &[u8],
    j: &parallel::LayerJob,
    o: &Options,
) -> (
    porthole::Result<porthole::image::pipeline::LayerResult>,
    Vec<porthole::Result<porthole::image::pipeline::LayerResult>>,
    bool,
) {
    let blob = &bytes[j.offset as usize..(j.offset + j.size) as usize];
    let mut relay = parallel::JobFeed::new(j, parallel::Part::Relay, o);
    let (mut stream, mut blob_hashes) = (parallel::RelayHashes::default(), parallel::RelayHashes::default());
    let mut aborted = false;
    // Small chunks, the blob's hasher moving (as bytes) between the two workers after each.
    for c in blob.chunks(1000) {
        let more = relay.push(c);
        if !aborted && relay.relay_aborted() {
            aborted = true;
        }
        if !aborted {
            stream.push(&relay.take_relayed());
            blob_hashes.push(c);
            blob_hashes = parallel::RelayHashes::resume(&blob_hashes.state()).expect("a state resumes");
        }
        if !more {
            break;
        }
    }
    let partners = if aborted {
        vec![parallel::run_job_part(
            bytes,
            j,
            parallel::Part::Digests,
            o,
            &mut |_| {},
        )]
    } else {
        let same = relay.relays_blob();
        vec![Ok(stream.finish_uncompressed(same)), Ok(blob_hashes.finish_blob(same))]
    };
    (relay.finish(), partners, aborted)
}

/// One zstd layer of zeros: a few hundred bytes that inflate past the relay's cap at once.
fn zeros_image() -> Vec<u8> {
    let mut zeros = TarBuilder::new();
    zeros.file("zeros", &vec![0u8; parallel::RELAY_CAP + (1 << 20)], 0o644);
    fixture::oci_archive(
        &[ImageSpec::new("z:1", vec![zeros.finish()]).compressed(Compress::Zstd)],
        false,
    )
}

#[test]
fn a_layer_relayed_between_two_workers_gives_the_same_report() {
    // A layer of zeros (zstd: a few hundred bytes) inflates past the relay's cap from one
    // chunk: relaying stops and the partner reads the layer itself.
    let mut aborted_seen = false;
    for (label, bytes) in cases().into_iter().chain([("zeros", zeros_image())]) {
        let o = opts();
        let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &o, &mut Quiet).report;
        let mut results = Vec::new();
        for j in parallel::layer_jobs(&bytes[..], &o) {
            let (walk, partners, aborted) = relay_pair(&bytes, &j, &o);
            aborted_seen |= aborted;
            assert_eq!(aborted, label == "zeros", "{label}: relaying stops only for the zeros");
            let wire = |r| parallel::decode_result(&parallel::encode_result(&r));
            results.push((j.entry.clone(), parallel::Part::Relay, wire(walk)));
            for p in partners {
                results.push((j.entry.clone(), parallel::Part::Digests, wire(p)));
            }
        }
        let prepared = parallel::prepare(results);
        let par = with_prepared(&bytes[..], "x.tar", &o, prepared);
        assert_eq!(par.to_json(), seq.to_json(), "{label}");
    }
    assert!(aborted_seen);
}

fn job(entry: &str, size: u64) -> parallel::LayerJob {
    parallel::LayerJob {
        entry: entry.into(),
        offset: 0,
        size,
    }
}

/// The schedule the CLI's threads and the page's pool both carry out.
#[test]
fn the_schedule_splits_a_dominant_layer_and_sizes_the_pool() {
    use parallel::{Part, Schedule, Task, schedule};
    let t = |job, part| Task { job, part };
    // A layer bigger than all the others together goes first, as its two halves.
    let jobs = [job("small", 10), job("big", 100), job("mid", 20)];
    assert_eq!(
        schedule(&jobs, 4, 0),
        Schedule {
            tasks: vec![t(1, Part::Relay), t(1, Part::Digests), t(2, Part::All), t(0, Part::All)],
            workers: 4
        }
    );
    // No dominant layer: every job whole, largest first; never more workers than tasks.
    let jobs = [job("a", 50), job("b", 60), job("c", 40)];
    assert_eq!(
        schedule(&jobs, 8, 0),
        Schedule {
            tasks: vec![t(1, Part::All), t(0, Part::All), t(2, Part::All)],
            workers: 3
        }
    );
    // A lone layer is split; below the byte threshold (doubled for a split) one worker reads.
    let lone = [job("only", 1000)];
    assert_eq!(schedule(&lone, 2, 0).workers, 2);
    assert_eq!(schedule(&lone, 2, 500).workers, 2);
    assert_eq!(schedule(&lone, 2, 501).workers, 1, "a split needs twice the bytes");
    assert_eq!(schedule(&jobs, 4, 150).workers, 3);
    assert_eq!(schedule(&jobs, 4, 151).workers, 1);
    assert_eq!(
        schedule(&[], 4, 0),
        Schedule {
            tasks: vec![],
            workers: 0
        }
    );
}

/// Which planned layer each job is, exactly (a shared blob is each image's layer), for the
/// page's layer table while the pool reads.
#[test]
fn every_planned_layer_belongs_to_exactly_one_job() {
    for (name, bytes) in cases() {
        let plan = parallel::plan_jobs(&bytes[..], &opts());
        assert_eq!(plan.layers.len(), plan.jobs.len(), "{name}");
        let mut seen = std::collections::HashSet::new();
        for (j, at) in plan.layers.iter().enumerate() {
            assert!(!at.is_empty(), "{name}: job {} is no planned layer", plan.jobs[j].entry);
            for &(image, layer) in at {
                assert!(seen.insert((image, layer)), "{name}: layer {image}/{layer} in two jobs");
                assert!(layer < plan.images[image].layers.len(), "{name}");
            }
        }
    }
    // Two images of an OCI layout sharing their first two layers (one blob each): those two
    // jobs are two layers each.
    let mut a = fixture::sample("a:1", Compress::Gzip);
    let mut b = fixture::sample("b:1", Compress::Gzip);
    a.layers.truncate(2);
    b.layers.truncate(2);
    let mut other = TarBuilder::new();
    other.file("srv/other.txt", b"other", 0o644);
    b.layers.push(other.finish());
    let bytes = fixture::oci_archive(&[a, b], false);
    let plan = parallel::plan_jobs(&bytes[..], &opts());
    assert_eq!(plan.jobs.len(), 3, "{:?}", plan.jobs);
    let mut at: Vec<Vec<(usize, usize)>> = plan.layers.clone();
    at.sort();
    assert_eq!(at, [vec![(0, 0), (1, 0)], vec![(0, 1), (1, 1)], vec![(1, 2)]]);
}

/// The page's browser inflating a gzip blob (DecompressionStream): one member, its CRC and
/// length checked, nothing after it; `None` where it refuses the stream (the page then reads
/// the layer again in the core, from its first byte).
fn browser_inflate(blob: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut d = flate2::bufread::GzDecoder::new(blob);
    let mut out = Vec::new();
    d.read_to_end(&mut out).ok()?;
    d.into_inner().is_empty().then_some(out)
}

/// A job inflated outside the core, as the page's layer workers run it: the decompressed
/// stream and the blob pushed in pieces (or the blob's digest given, as WebCrypto computes it);
/// the decompressed pieces stop once the feed wants no more (a limit), the blob goes on.
fn fed_from_outside(
    j: &parallel::LayerJob,
    part: parallel::Part,
    o: &Options,
    blob: &[u8],
    inflated: &[u8],
    chunk: usize,
    digest_given: bool,
) -> porthole::Result<porthole::image::pipeline::LayerResult> {
    let mut feed = parallel::JobFeed::decompressed_outside(j, part, o, porthole::compress::Compression::Gzip);
    for c in inflated.chunks(chunk) {
        if !feed.push(c) {
            break;
        }
    }
    if digest_given {
        feed.blob_read(blob.len() as u64, Some(porthole::digest::Digest::of(blob)));
    } else {
        for c in blob.chunks(chunk) {
            feed.push_blob(c);
        }
    }
    feed.finish()
}

#[test]
fn a_layer_inflated_outside_the_core_gives_the_same_result() {
    let tight = Options {
        limits: porthole::Limits {
            layer_uncompressed_bytes: 10_000,
            ..Default::default()
        },
        ..opts()
    };
    let mut refused = Vec::new();
    let mut compared = 0;
    for (label, bytes) in cases() {
        for o in [opts(), tight.clone()] {
            let seq = porthole::inspect::explore_blob(&bytes[..], "x.tar", &o, &mut Quiet).report;
            let mut relayed = Vec::new();
            let mut all_inflated = true;
            for j in parallel::layer_jobs(&bytes[..], &o) {
                let blob = &bytes[j.offset as usize..(j.offset + j.size) as usize];
                // The page asks the core first: gzip, with a whole header it accepts.
                if !porthole::compress::gzip_head_complete(&blob[..blob.len().min(65_536)]) {
                    all_inflated = false;
                    continue;
                }
                let Some(inflated) = browser_inflate(blob) else {
                    refused.push(label);
                    all_inflated = false;
                    continue;
                };
                let core = parallel::encode_result(&parallel::run_job(&bytes[..], &j, &o, &mut |_| {}));
                for (chunk, digest_given) in [(7, false), (65_536, true), (1 << 20, false)] {
                    let r = fed_from_outside(&j, parallel::Part::All, &o, blob, &inflated, chunk, digest_given);
                    assert_eq!(parallel::encode_result(&r), core, "{label} in chunks of {chunk}");
                    compared += 1;
                }
                // A relay pair: the walk from the decompressed stream, the digests elsewhere.
                let walk = fed_from_outside(&j, parallel::Part::Relay, &o, blob, &inflated, 65_536, false);
                // What was relayed: all of it; or, once a limit stopped the walk, less (the
                // walk then has no uncompressed size and takes no digest of it).
                let walked = walk.as_ref().is_ok_and(|w| w.digests.uncompressed_size.is_some());
                let mut stream = parallel::RelayHashes::default();
                stream.push(if walked {
                    &inflated[..]
                } else {
                    &inflated[..inflated.len() / 2]
                });
                let mut blob_hashes = parallel::RelayHashes::default();
                blob_hashes.push(blob);
                relayed.push((j.entry.clone(), parallel::Part::Relay, walk));
                relayed.push((
                    j.entry.clone(),
                    parallel::Part::Digests,
                    Ok(stream.finish_uncompressed(false)),
                ));
                relayed.push((
                    j.entry.clone(),
                    parallel::Part::Digests,
                    Ok(blob_hashes.finish_blob(false)),
                ));
            }
            if all_inflated && !relayed.is_empty() {
                let par = with_prepared(&bytes[..], "x.tar", &o, parallel::prepare(relayed));
                assert_eq!(par.to_json(), seq.to_json(), "{label}: relayed from outside");
            }
        }
    }
    assert!(compared >= 30, "{compared}");
    refused.sort_unstable();
    refused.dedup();
    assert_eq!(
        refused,
        [
            "gzip-crc-corrupted",
            "gzip-length-corrupted",
            "gzip-member-cut-short",
            "gzip-two-members"
        ],
        "the browser refuses these (and the page reads them again in the core)"
    );
}
