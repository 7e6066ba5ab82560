//! Memory stays bounded whatever the layer size: a counting global allocator records the
//! peak heap use while images far larger than that peak are inspected.

use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use porthole::inspect::{Options, Quiet};
mod support;
use std::sync::atomic::Ordering;
use support::counting::{Counting, NOW, TURN, peak_during};

#[global_allocator]
static ALLOC: Counting = Counting;

/// A gzip layer holding one file of `mb` MiB (zeros: tiny compressed, huge uncompressed).
fn big_layer_image(mb: usize, c: Compress) -> Vec<u8> {
    let mut t = TarBuilder::new();
    t.file("big.bin", &vec![0u8; mb << 20], 0o644);
    let tar = t.finish();
    fixture::oci_archive(&[ImageSpec::new("big:1", vec![tar]).compressed(c)], false)
}

#[test]
fn a_layer_much_larger_than_the_heap_peak_is_streamed() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    // The test builds its input in memory first; only the inspection is measured.
    for c in [Compress::Gzip, Compress::Zstd] {
        let bytes = big_layer_image(256, c);
        assert!(bytes.len() < 8 << 20, "{c:?}: input {} bytes", bytes.len());
        let (report, peak) =
            peak_during(|| porthole::inspect_blob(&bytes[..], "big.tar", &Options::default(), &mut Quiet));
        assert_eq!(report.exit_code(), 0, "{c:?}: {:?}", report.images[0].errors);
        assert_eq!(report.images[0].summary.total_size, 256 << 20);
        // 256 MiB decompressed; the pipeline keeps chunks, the zstd window and the scan
        // buffer, never the layer.
        assert!(
            peak < 32 << 20,
            "{c:?}: peak heap {} MiB while inspecting a 256 MiB layer",
            peak >> 20
        );
        println!("{c:?}: 256 MiB layer inspected with a heap peak of {} MiB", peak >> 20);
    }
}

#[test]
fn a_decompression_bomb_is_stopped_without_growing_the_heap() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = big_layer_image(512, Compress::Gzip);
    let opts = Options {
        limits: porthole::Limits {
            layer_uncompressed_bytes: 64 << 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let (report, peak) = peak_during(|| porthole::inspect_blob(&bytes[..], "bomb.tar", &opts, &mut Quiet));
    assert_eq!(report.exit_code(), 4);
    assert!(peak < 32 << 20, "peak heap {} MiB", peak >> 20);
}

#[test]
fn the_index_of_100k_files_is_bounded() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = TarBuilder::new();
    for i in 0..100_000 {
        t.file(
            &format!("usr/share/doc/package-{:05}/dir-{}/file-{i}.txt", i / 10, i % 7),
            b"x",
            0o644,
        );
    }
    let bytes = fixture::oci_archive(
        &[ImageSpec::new("many:1", vec![t.finish()]).compressed(Compress::Gzip)],
        false,
    );
    let base = NOW.load(Ordering::Relaxed);
    let (ins, peak) =
        peak_during(|| porthole::inspect::explore_blob(&bytes[..], "many.tar", &Options::default(), &mut Quiet));
    let kept = NOW.load(Ordering::Relaxed) - base;
    assert_eq!(ins.report.exit_code(), 0);
    let st = &ins.images[0];
    let entries: usize = st.layers.iter().map(|l| l.entries.heap_bytes()).sum();
    eprintln!(
        "100k files: peak {} MiB, kept {} MiB (entries {} KiB, tree index {} KiB)",
        peak >> 20,
        kept >> 20,
        entries >> 10,
        st.tree.heap_bytes() >> 10
    );
    // Measured: 14 MiB kept, of which the merged-tree index (flat u32 arrays, no strings) is
    // about 4 MiB and the entries (48-byte records, paths in one text buffer) about 9 MiB;
    // before the compact index it was 54 MiB. The bounds catch regressions.
    assert!(
        st.tree.heap_bytes() < 6 << 20,
        "tree index {} bytes",
        st.tree.heap_bytes()
    );
    assert!(kept < 20 << 20 && peak < 32 << 20, "kept {kept}, peak {peak}");
    drop(ins);
}
