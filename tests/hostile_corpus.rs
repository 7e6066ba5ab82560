//! The hostile-image corpus (`porthole::fixture::hostile`), each case inspected under the
//! same guards: no panic, a heap peak under a fixed budget (a counting global allocator), a
//! time limit that only catches hangs, an exit code the contract allows, and errors that say
//! what and where. The CLI gives the same exit code for the same file.

mod support;
use porthole::inspect::{Options, Quiet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use support::counting::{Counting, NOW, PEAK};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Heap the inspection of one case may use beyond its input (the input is held by the test).
const HEAP_BUDGET: usize = 96 << 20;
/// Generous: only a hang (or a quadratic blow-up) gets near it, even in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn every_hostile_case_is_bounded_and_reported() {
    let corpus = porthole::fixture::hostile::corpus();
    let dir = std::env::temp_dir().join(format!("porthole-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for case in &corpus {
        let base = NOW.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| {
            porthole::inspect_blob(
                &case.bytes[..],
                &case.file_name,
                &Options {
                    files: true,
                    ..Default::default()
                },
                &mut Quiet,
            )
        });
        let took = start.elapsed();
        let peak = PEAK.load(Ordering::Relaxed) - base;
        let Ok(report) = result else {
            failures.push(format!("{}: panicked", case.name));
            continue;
        };
        let code = report.exit_code();
        let errors: Vec<String> = report
            .errors
            .iter()
            .chain(report.images.iter().flat_map(|i| i.errors.iter()))
            .map(|e| e.to_string())
            .collect();
        eprintln!(
            "{:32} exit {code}  {:>6.2} s  heap peak {:>6.1} MiB  input {:>8} B  {} error(s){}",
            case.name,
            took.as_secs_f64(),
            peak as f64 / 1048576.0,
            case.bytes.len(),
            errors.len(),
            errors.first().map(|e| format!(": {e}")).unwrap_or_default()
        );
        if !case.exits.contains(&code) {
            failures.push(format!(
                "{}: exit {code}, allowed {:?}; errors {errors:?}",
                case.name, case.exits
            ));
        }
        if peak > HEAP_BUDGET {
            failures.push(format!("{}: heap peak {peak} bytes", case.name));
        }
        if took > TIME_LIMIT {
            failures.push(format!("{}: took {took:?}", case.name));
        }
        if code != 0 && errors.is_empty() {
            failures.push(format!("{}: exit {code} without an error saying why", case.name));
        }
        if let Some(needle) = case.error_contains
            && !errors.iter().any(|e| e.contains(needle))
        {
            failures.push(format!("{}: no error mentions {needle:?}: {errors:?}", case.name));
        }
        // Every file version of a readable image can be read back (links included), bounded.
        if !case.name.contains("bomb") && !report.images.is_empty() {
            let opts = Options::default();
            let ins = porthole::inspect::explore_blob(&case.bytes[..], &case.file_name, &opts, &mut Quiet);
            let start = Instant::now();
            for (i, img) in ins.images.iter().enumerate() {
                for v in 0..img.tree.versions().len() {
                    let r = std::panic::catch_unwind(|| {
                        porthole::explore::read_file(&case.bytes[..], &ins, i, v, 0, 64, &opts.limits)
                    });
                    if r.is_err() {
                        failures.push(format!("{}: reading version {v} panicked", case.name));
                    }
                }
            }
            if start.elapsed() > TIME_LIMIT {
                failures.push(format!(
                    "{}: reading every file back took {:?}",
                    case.name,
                    start.elapsed()
                ));
            }
        }
        // The CLI: the same exit code for the same file.
        let path = dir.join(&case.file_name);
        std::fs::write(&path, &case.bytes).unwrap();
        let out = support::porthole(&["inspect", "--json", path.to_str().unwrap()], None);
        if out.code != code {
            failures.push(format!("{}: CLI exit {}, library {code}", case.name, out.code));
        }
        let _ = std::fs::remove_file(&path);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The bombs really are bombs.
    for (name, ratio) in [("gzip-bomb-256MiB", 1000), ("zstd-bomb-512MiB", 10_000)] {
        let c = corpus.iter().find(|c| c.name == name).unwrap();
        let size: u64 = if name.starts_with("gzip") { 256 << 20 } else { 512 << 20 };
        assert!(size / c.bytes.len() as u64 >= ratio, "{name}: {} bytes", c.bytes.len());
    }
}
