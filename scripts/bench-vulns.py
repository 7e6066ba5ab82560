#!/usr/bin/env python3
"""Benchmark (not a test) of vulnerability matching: a database of N records generated from
the real ones in ../shared/osv (each real record copied under renamed packages and ids), an
image of 1,000 Python packages named in it, and `porthole inspect --vuln-db`.

Prints, each the median of BENCH_REPEATS runs (default 3): the time to read the database
into its index (`porthole vulns` with one query), the inspection without and with the
database (their difference is reading plus matching), the index size porthole reports, and
the peak memory (max RSS) of each.

Usage: scripts/bench-vulns.py PORTHOLE PORTHOLE_FIXTURE [OSV_DIR] [RECORDS]
  (OSV_DIR defaults to ../shared/osv, RECORDS to 100000). Files go to $BENCH_DIR
  (default /tmp/porthole-bench-vulns), reused when present.
"""
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import zipfile

PORTHOLE, FIXTURE = sys.argv[1:3]
OSV = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "osv")
N = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
DIR = os.environ.get("BENCH_DIR", "/tmp/porthole-bench-vulns")
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
os.makedirs(DIR, exist_ok=True)


def real_records():
    out = []
    for eco in ("PyPI", "Go", "crates.io"):
        with zipfile.ZipFile(os.path.join(OSV, eco, "all.zip")) as z:
            out += [json.loads(z.read(n)) for n in z.namelist() if n.endswith(".json")]
    return out


db = os.path.join(DIR, f"db-{N}.zip")
image = os.path.join(DIR, f"image-1000-of-{N}.tar")
if not (os.path.exists(db) and os.path.exists(image)):
    real = real_records()
    rng = random.Random(18)
    pypi_names = {}  # name -> versions the records name
    write = not os.path.exists(db)
    with zipfile.ZipFile(db, "w", zipfile.ZIP_DEFLATED) if write else contextlib.nullcontext() as z:
        for i in range(N):
            r = json.loads(json.dumps(real[i % len(real)]))
            copy = i // len(real)
            if copy:
                r["id"] = f"{r['id']}-COPY{copy}"
                for a in r.get("affected", []):
                    p = a.get("package", {})
                    p["name"] = f"{p.get('name', '')}-copy{copy}"
            for a in r.get("affected", []):
                p = a.get("package", {})
                if p.get("ecosystem") == "PyPI":
                    versions = a.get("versions") or [e.get("introduced") for rg in a.get("ranges", []) for e in rg["events"] if e.get("introduced") not in (None, "0")]
                    pypi_names.setdefault(p["name"], set()).update(versions)
            if write:
                z.writestr(f"{r['id']}.json", json.dumps(r))
    # 1,000 different packages, each at a version some advisory names: every package is looked
    # up and most match, as in an image full of outdated packages.
    root = os.path.join(DIR, f"root-{N}")
    names = sorted(n for n, v in pypi_names.items() if v)
    picks = [(n, rng.choice(sorted(pypi_names[n]))) for n in rng.sample(names, 1000)]
    for i, (name, v) in enumerate(picks):
        d = os.path.join(root, f"usr/lib/python3/dist-packages/{re.sub('[^A-Za-z0-9.]', '_', name)}-{i}.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {v}\n\n")
    subprocess.run([FIXTURE, "dir", image, root], check=True)


def run(args):
    """(seconds, max RSS in MiB, stdout) of one run, timed by /usr/bin/time."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, capture_output=True, text=True)
    took = time.perf_counter() - t
    rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    return took, rss, p.stdout


def median(args):
    runs = [run(args) for _ in range(REPEATS)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2]


load, load_rss, _ = median([PORTHOLE, "vulns", "--db", db, "--json", "pkg:pypi/requests@2.0.0"])
plain, plain_rss, _ = median([PORTHOLE, "inspect", image, "--json"])
full, full_rss, out = median([PORTHOLE, "inspect", image, "--json", "--vuln-db", db])
img = json.loads(out)["images"][0]
s = img["vulnerability_summary"]
print(f"database: {s['database']['records']} records in {os.path.getsize(db) >> 20} MiB of zip; index {s['database']['index_bytes'] / 2**20:.1f} MiB")
print(f"image: {len(img['packages'])} packages; {s['total']} matches in {s['packages_affected']} packages")
print(f"read the database (porthole vulns, one query): {load:.2f} s, max RSS {load_rss:.0f} MiB")
print(f"inspect without the database: {plain:.2f} s, max RSS {plain_rss:.0f} MiB")
print(f"inspect with the database:    {full:.2f} s, max RSS {full_rss:.0f} MiB")
print(f"matching 1,000 packages (with - without - reading): {max(0.0, full - plain - load):.2f} s")
