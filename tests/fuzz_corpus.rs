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
