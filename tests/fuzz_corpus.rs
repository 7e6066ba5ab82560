//! Replays every committed fuzz seed and crasher (fuzz/seeds/<target>/, fuzz/artifacts/<target>/)
//! through its target body, plus the fixture builder's seeds: a regression found once stays
//! found. (Long fuzzing runs are `cargo +nightly fuzz run <target>`, see fuzz/Cargo.toml.)

use porthole::fuzzing::TARGETS;

#[test]
fn every_seed_and_crasher_replays_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (name, body) in TARGETS {
        for dir in ["seeds", "artifacts"] {
            let Ok(files) = std::fs::read_dir(root.join(dir).join(name)) else {
                continue;
            };
            for f in files.flatten() {
                let bytes = std::fs::read(f.path()).unwrap();
                body(&bytes);
                replayed += 1;
            }
        }
    }
    for (target, _, bytes) in porthole::fixture::fuzz_seeds() {
        let body = TARGETS.iter().find(|(n, _)| *n == target).map(|(_, b)| *b).unwrap();
        body(&bytes);
        // Every prefix of a seed too: truncation is the commonest damage.
        for cut in (0..bytes.len()).step_by((bytes.len() / 64).max(1)) {
            body(&bytes[..cut]);
        }
        replayed += 1;
    }
    assert!(replayed >= 14, "only {replayed} inputs replayed");
}

/// The structured whiteout target on pseudo-random layer descriptions (a few hundred, every
/// run), and the case that found a file view bug: a directory deleted by one layer whose path
/// a later layer fills again without listing the directory itself.
#[test]
fn merging_random_layers_matches_the_model() {
    // layer 0: dir a, file a/b; layer 1: whiteout a; layer 2: file a/b/c (no entry for a).
    porthole::fuzzing::merge(&[1, 0, 0, 1, 0xff, 0, 4, 0, 0xff, 0, 0, 2]);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..400 {
        let len = (seed % 48) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Layer breaks about one pair in eight.
                if seed.is_multiple_of(16) {
                    0xff
                } else {
                    (seed >> 8) as u8
                }
            })
            .collect();
        porthole::fuzzing::merge(&bytes);
    }
}
