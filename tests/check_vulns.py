#!/usr/bin/python3
"""Checks porthole's vulnerability matching against an independent reference computed here,
with each ecosystem's reference version ordering:

- PyPI: the real PyPA advisories (../shared/osv/PyPI/all.zip) against an image of Python
  packages at versions the advisories name (and their neighbours), ordered with Python's
  `packaging` (python3-packaging).
- Debian: the real Debian image tests/real-images.sh built (its dpkg status read here, not
  through porthole), against generated Debian:12 and Debian:11 advisories on its source
  packages, ordered with dpkg's own comparison (`apt_pkg.version_compare`, python3-apt).

The OSV evaluation below is written from the schema's text, not from porthole's code.

Usage: check_vulns.py PORTHOLE PORTHOLE_FIXTURE OSV_DIR [REAL_IMAGES_DIR]
Ends with `N passed, M failed`; exits 1 when any check failed.
"""
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import zipfile

try:
    import apt_pkg
    from packaging.version import InvalidVersion, Version
except ImportError as e:  # pragma: no cover
    sys.exit(f"check_vulns.py needs python3-apt and python3-packaging (scripts/setup.sh --tests): {e}")

apt_pkg.init_system()
PORTHOLE, FIXTURE, OSV = sys.argv[1:4]
REAL = sys.argv[4] if len(sys.argv) > 4 else None
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}")


def affected(version, entry, cmp):
    """The OSV schema's evaluation of one affected entry for one version."""
    if any(cmp(v, version) == 0 for v in entry.get("versions", []) if valid(v, cmp)) or version in entry.get("versions", []):
        return True
    for r in entry.get("ranges", []):
        if r["type"] not in ("ECOSYSTEM", "SEMVER"):
            continue
        events = []
        for e in r["events"]:
            for kind in ("introduced", "fixed", "last_affected", "limit"):
                if kind in e:
                    events.append((kind, e[kind]))
        # Sorted by version ("0" lowest); at a tie `introduced` first.
        import functools

        def key_cmp(a, b):
            if a[1] == b[1]:
                return (a[0] != "introduced") - (b[0] != "introduced")
            if a[1] == "0":
                return -1
            if b[1] == "0":
                return 1
            return cmp(a[1], b[1]) or ((a[0] != "introduced") - (b[0] != "introduced"))

        events.sort(key=functools.cmp_to_key(key_cmp))
        if any(k == "limit" and cmp(version, v) >= 0 for k, v in events):
            continue
        state = False
        for kind, v in events:
            if not state and kind == "introduced":
                state = v == "0" or cmp(version, v) >= 0
            elif state and kind == "fixed":
                state = cmp(version, v) < 0
            elif state and kind == "last_affected":
                state = cmp(version, v) <= 0
        if state:
            return True
    return False


def valid(v, cmp):
    try:
        cmp(v, v)
        return True
    except Exception:
        return False


def inspect(image, db):
    out = subprocess.run([PORTHOLE, "inspect", image, "--json", "--vuln-db", db], capture_output=True, text=True)
    if out.returncode not in (0, 4):
        raise SystemExit(f"porthole inspect exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)["images"][0]


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_check(tmp):
    def cmp(a, b):
        va, vb = Version(a), Version(b)
        return (va > vb) - (va < vb)

    records = []
    with zipfile.ZipFile(os.path.join(OSV, "PyPI", "all.zip")) as z:
        for n in z.namelist():
            if n.endswith(".json"):
                records.append(json.loads(z.read(n)))
    by_name = {}
    for r in records:
        for a in r.get("affected", []):
            if a.get("package", {}).get("ecosystem") == "PyPI":
                by_name.setdefault(pep503(a["package"]["name"]), []).append(r)
    rng = random.Random(18)
    names = sorted(by_name)
    picks = []
    for name in rng.sample(names, 80):
        versions = set()
        for r in by_name[name]:
            for a in r["affected"]:
                versions.update(a.get("versions", [])[:3])
                for rg in a.get("ranges", []):
                    for e in rg["events"]:
                        versions.update(v for k, v in e.items() if k in ("introduced", "fixed", "last_affected") and v != "0")
        good = sorted(v for v in versions if valid(v, cmp))
        for v in rng.sample(good, min(2, len(good))):
            picks.append((name, v))
    root = os.path.join(tmp, "pypi-root")
    for i, (name, v) in enumerate(picks):
        d = os.path.join(root, f"opt/venv{i}/lib/python3.11/site-packages/{name.replace('-', '_')}-{v}.dist-info")
        os.makedirs(d)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {v}\n\n")
    image = os.path.join(tmp, "pypi.tar")
    subprocess.run([FIXTURE, "dir", image, root], check=True)
    want = set()
    for name, v in picks:
        for r in by_name[name]:
            if r.get("withdrawn"):
                continue
            if any(a.get("package", {}).get("ecosystem") == "PyPI" and pep503(a["package"]["name"]) == name
                   and affected(v, a, cmp) for a in r["affected"]):
                want.add((name, v, r["id"]))
    img = inspect(image, os.path.join(OSV, "PyPI", "all.zip"))
    got = {(pep503(x["package"]["name"]), x["package"]["version"], x["id"]) for x in img["vulnerabilities"]}
    check(f"PyPI: {len(picks)} packages, {len(want)} expected matches, equal to packaging's",
          got == want and len(want) > 50,
          f"missing {sorted(want - got)[:10]}\nextra {sorted(got - want)[:10]}")


def dpkg_status(path):
    """(binary, binary version, source, source version) of each installed package."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for stanza in f.read().split("\n\n"):
            fields = dict(re.findall(r"^([A-Za-z-]+):\s*(.*)$", stanza, re.M))
            if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
                continue
            name, version = fields["Package"], fields["Version"]
            m = re.match(r"(\S+)(?:\s+\((.+)\))?", fields.get("Source", name))
            source, source_version = m.group(1), m.group(2)
            if source_version is None:
                source_version = re.sub(r"\+b\d+$", "", version)
            out.append((name, version, source, source_version))
    return out


def debian_check(tmp):
    status = os.path.join(REAL, "debootstrap-rootfs", "var", "lib", "dpkg", "status")
    image = os.path.join(REAL, "oci.tar")
    if not (os.path.exists(status) and os.path.exists(image)):
        check("Debian: the real image is built", os.environ.get("CI") is None, f"missing {status} or {image}")
        return
    cmp = apt_pkg.version_compare
    packages = dpkg_status(status)
    sources = sorted({(s, sv) for _, _, s, sv in packages})
    rng = random.Random(12)

    def near(v):
        epoch, _, rest = v.rpartition(":")
        e = int(epoch) if epoch else 0
        return [v, v + "+deb12u1", v + "~1", v + ".1", f"{e + 1}:{rest}", rest.split("-")[0] + "-0",
                re.sub(r"(\d+)$", lambda m: str(int(m.group(1)) + 1), v), "0.1"]

    records = []
    for i, (s, sv) in enumerate(sources):
        for j in range(3):
            a, b = sorted(rng.sample(near(sv), 2), key=__import__("functools").cmp_to_key(cmp))
            shape = rng.choice(["fixed", "open", "last", "two"])
            ev = {"fixed": [{"introduced": "0"}, {"fixed": b}],
                  "open": [{"introduced": a}],
                  "last": [{"introduced": a}, {"last_affected": b}],
                  "two": [{"introduced": "0"}, {"fixed": a}, {"introduced": b}]}[shape]
            release = "Debian:12" if j < 2 else "Debian:11"
            records.append({"id": f"DEBIAN-TEST-{i}-{j}", "modified": "2026-01-01T00:00:00Z",
                            "affected": [{"package": {"ecosystem": release, "name": s,
                                                      "purl": f"pkg:deb/debian/{s}?arch=source"},
                                          "ranges": [{"type": "ECOSYSTEM", "events": ev}]}]})
    db = os.path.join(tmp, "Debian-all.zip")
    with zipfile.ZipFile(db, "w", zipfile.ZIP_DEFLATED) as z:
        for r in records:
            z.writestr(r["id"] + ".json", json.dumps(r))
    want = set()
    for name, _, s, sv in packages:
        for r in records:
            a = r["affected"][0]
            if a["package"]["ecosystem"] == "Debian:12" and a["package"]["name"] == s and affected(sv, a, cmp):
                want.add((name, r["id"]))
    img = inspect(image, db)
    got = {(x["package"]["name"], x["id"]) for x in img["vulnerabilities"]}
    check(f"Debian: {len(packages)} packages of {len(sources)} sources, {len(want)} expected matches, equal to dpkg's",
          got == want and len(want) > 20,
          f"missing {sorted(want - got)[:10]}\nextra {sorted(got - want)[:10]}")
    check("Debian: no Debian:11 advisory matches a Debian 12 image",
          not any(x["package"]["ecosystem"] != "Debian:12" for x in img["vulnerabilities"]))


with tempfile.TemporaryDirectory() as tmp:
    pypi_check(tmp)
    if REAL:
        debian_check(tmp)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
