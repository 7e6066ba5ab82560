#!/usr/bin/env python3
"""Validate porthole JSON reports against docs/report.schema.json.

  python3 tests/check_schema.py [--schema-only] [FILE ...]
      Validate each FILE (`-` reads standard input); with no FILE, every
      tests/golden/*.json. Each report is checked against the JSON Schema
      (draft 2020-12) and, unless --schema-only, against the contract rules a
      JSON Schema cannot express (see docs/report.md, "Invariants").

  python3 tests/check_schema.py --self-test [FILE ...]
      Take the example report in docs/report.md, check that it validates, then
      break it in many ways (a missing required key, a wrong enum value, a
      wrong type, a reordered layer check, an inconsistent `verified`, ...)
      and check that every broken copy is rejected, and that unknown extra
      keys are still accepted (fields are only ever added). FILEs given as
      well are validated as usual.

Prints one line per file (or self-test case), `PASS: ...` or `FAIL: ...`
(details of failures go to stderr), and finishes with the line
`N passed, M failed`. Exits 1 when anything failed, 2 on a usage error.

Needs the `jsonschema` module (Debian: python3-jsonschema).
"""

import copy
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_PATH = os.path.join(ROOT, "docs", "report.schema.json")
DOC_PATH = os.path.join(ROOT, "docs", "report.md")
GOLDEN_GLOB = os.path.join(ROOT, "tests", "golden", "*.json")
MAX_DETAILS = 20


def load_validator():
    try:
        import jsonschema
    except ImportError:
        sys.exit("check_schema.py: the python module jsonschema is missing (apt-get install python3-jsonschema)")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema)


def pointer(path):
    return "/" + "/".join(str(p) for p in path)


def schema_errors(validator, report):
    errs = sorted(validator.iter_errors(report), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{pointer(e.absolute_path)}: {shorten(e.message)}" for e in errs]


def shorten(text, n=240):
    return text if len(text) <= n else text[:n - 3] + "..."


# ---------------------------------------------------------------- invariants

def invariants(report):
    """Contract rules that a JSON Schema cannot express. Assumes a schema-valid report."""
    out = []
    src = report["source"]
    if src["kind"] == "stdin":
        if src["path"] != "-":
            out.append("/source/path: must be \"-\" when kind is stdin")
        if not src["streamed"]:
            out.append("/source/streamed: must be true when kind is stdin")
    if src["compression"] != "none" and not src["streamed"]:
        out.append("/source/streamed: a compressed input is always read as a stream")
    if report["images"] and src["format"] is None:
        out.append("/source/format: null although images were described")

    for i, img in enumerate(report["images"]):
        at = f"/images/{i}"
        layers = img["layers"]
        n = len(layers)

        # layers: index, checks, verified
        for j, layer in enumerate(layers):
            if layer["index"] != j:
                out.append(f"{at}/layers/{j}/index: is {layer['index']}, must equal its position {j}")
            checks = layer["checks"]
            mismatch = any(c["status"] == "mismatch" for c in checks)
            good = any(c["status"] == "verified" and c["what"] in ("blob_digest", "diff_id") for c in checks)
            if layer["verified"] != (not mismatch and good):
                out.append(f"{at}/layers/{j}/verified: is {layer['verified']}, but its checks say {not mismatch and good}"
                           " (no mismatch and blob_digest or diff_id verified)")

        # image verified
        mismatch = any(c["status"] == "mismatch" for c in img["checks"])
        want = not mismatch and all(l["verified"] for l in layers)
        if img["verified"] != want:
            out.append(f"{at}/verified: is {img['verified']}, but checks and layers say {want}"
                       " (no mismatch anywhere and every layer verified)")

        # every check: verified means equal, mismatch means different
        all_checks = [(f"{at}/checks/{k}", c) for k, c in enumerate(img["checks"])]
        all_checks += [(f"{at}/layers/{j}/checks/{k}", c) for j, l in enumerate(layers) for k, c in enumerate(l["checks"])]
        for where, c in all_checks:
            if c["status"] == "verified" and c["expected"] != c["actual"]:
                out.append(f"{where}: verified but expected != actual")
            if c["status"] == "mismatch" and c["expected"] == c["actual"]:
                out.append(f"{where}: mismatch but expected == actual")

        # image digests agree with their checks
        for k, c in enumerate(img["checks"]):
            if c["what"] == "config_digest" and c["actual"] is not None and c["actual"] != img["config_digest"]:
                out.append(f"{at}/checks/{k}: config_digest check's actual differs from /config_digest")
            if (c["what"] == "manifest_digest" and c["reason"] is None and c["expected"] is not None
                    and c["expected"] != img["manifest_digest"]):
                out.append(f"{at}/checks/{k}: manifest_digest check's expected differs from /manifest_digest")

        # platform
        if img["platforms_available"] and img["platform"] not in img["platforms_available"]:
            out.append(f"{at}/platform: {img['platform']!r} is not in platforms_available")

        # error layer indexes
        for k, e in enumerate(img["errors"]):
            if e["layer"] is not None and e["layer"] >= n:
                out.append(f"{at}/errors/{k}/layer: {e['layer']} but the image has {n} layers")

        # files: order, layer references, and the summary they imply
        files = img["files"]
        prev = None
        for k, f in enumerate(files):
            w = f"{at}/files/{k}"
            key = (f["layer"], f["path"])
            if prev is not None and key < prev:
                out.append(f"{w}: not sorted by layer then path (comes after {prev})")
            prev = key
            if f["layer"] >= n:
                out.append(f"{w}/layer: {f['layer']} but the image has {n} layers")
            for fld in ("deleted_in", "overwritten_in"):
                v = f[fld]
                if v is not None and not (f["layer"] <= v < n):
                    out.append(f"{w}/{fld}: {v} is not a layer from {f['layer']} to {n - 1}")
            if f["deleted_in"] is not None and f["overwritten_in"] is not None:
                out.append(f"{w}: both deleted_in and overwritten_in are set")
        if files:
            visible = [f for f in files if f["deleted_in"] is None and f["overwritten_in"] is None]
            s = img["summary"]
            derived = {
                "entries": len(visible),
                "regular_files": sum(1 for f in visible if f["type"] in ("file", "hardlink")),
                "total_size": sum(f["size"] for f in visible if f["type"] == "file"),
                "wasted_bytes": sum(f["size"] for f in files if f["type"] == "file"
                                    and (f["deleted_in"] is not None or f["overwritten_in"] is not None)),
            }
            for fld, v in derived.items():
                if s[fld] != v:
                    out.append(f"{at}/summary/{fld}: is {s[fld]}, but the files list gives {v}")
            if len({f["path"] for f in visible}) != len(visible):
                out.append(f"{at}/files: a path is visible more than once")
    return out


# ---------------------------------------------------------------- running

class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, label, problems):
        if problems:
            self.failed += 1
            print(f"FAIL: {label}: {len(problems)} problem(s); first: {problems[0]}", flush=True)
            for p in problems[:MAX_DETAILS]:
                print(f"  {label}: {p}", file=sys.stderr)
            if len(problems) > MAX_DETAILS:
                print(f"  {label}: ... {len(problems) - MAX_DETAILS} more", file=sys.stderr)
        else:
            self.passed += 1
            print(f"PASS: {label}", flush=True)


def check_file(validator, path, schema_only, tally):
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        report = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        tally.result(path, [f"cannot read a JSON document: {e}"])
        return
    problems = schema_errors(validator, report)
    if not problems and not schema_only:
        problems = invariants(report)
    tally.result(path, problems)


def doc_example():
    """The first ```json block in docs/report.md that is a whole report."""
    with open(DOC_PATH, encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"```json\n(.*?)\n```", text, re.S):
        try:
            value = json.loads(block)
        except ValueError:
            continue
        if isinstance(value, dict) and "report_version" in value:
            return value
    raise SystemExit(f"check_schema.py: no complete ```json report example in {DOC_PATH}")


def self_test(validator, tally):
    base = doc_example()
    if not base["images"] or not base["images"][0]["layers"] or not base["images"][0]["files"]:
        raise SystemExit("check_schema.py: the docs/report.md example needs an image with layers and files")
    tally.result("self-test: docs/report.md example validates against the schema", schema_errors(validator, base))
    # The example's files list is trimmed, so its summary cannot be derived from it. The
    # invariant cases start from a copy whose summary is made to match the files shown.
    consistent = copy.deepcopy(base)
    for im in consistent["images"]:
        shown = im["files"]
        hidden = [f for f in shown if f["deleted_in"] is not None or f["overwritten_in"] is not None]
        visible = [f for f in shown if f not in hidden]
        im["summary"] = {
            "entries": len(visible),
            "regular_files": sum(1 for f in visible if f["type"] in ("file", "hardlink")),
            "total_size": sum(f["size"] for f in visible if f["type"] == "file"),
            "wasted_bytes": sum(f["size"] for f in hidden if f["type"] == "file"),
        }
    tally.result("self-test: docs/report.md example keeps the invariants (summary matched to the files shown)",
                 schema_errors(validator, consistent) + invariants(consistent))

    def mutate(fn):
        r = copy.deepcopy(base)
        fn(r)
        return r

    img = lambda r: r["images"][0]
    layer = lambda r: r["images"][0]["layers"][0]
    a_file = lambda r: r["images"][0]["files"][0]

    def set_(get, key, value):
        return lambda r: get(r).__setitem__(key, value)

    def del_(get, key):
        return lambda r: get(r).__delitem__(key)

    def push_error(kind):
        return lambda r: r["errors"].append(
            {"kind": kind, "message": "x", "layer": None, "entry": None, "path": None, "offset": None})

    # Variants that must still be accepted: fields are only ever added.
    accepted = [
        ("an unknown top-level key", set_(lambda r: r, "future_field", {"x": 1})),
        ("an unknown key in an image, a layer, a check and a file", lambda r: (
            img(r).__setitem__("future", 1), layer(r).__setitem__("future", []),
            layer(r)["checks"][0].__setitem__("future", None), a_file(r).__setitem__("future", "x"))),
        ("an error with every context field set", lambda r: r["errors"].append(
            {"kind": "limit", "message": "m", "layer": 0, "entry": "blobs/sha256/00", "path": "/etc/x", "offset": 512})),
        ("a secret finding and a package object (packages still reserved)", lambda r: (
            img(r)["secrets"].append({
                "rule": "github-token", "title": "GitHub token", "severity": "critical", "location": "file",
                "path": "/x", "key": None, "layer": 0, "history_index": None, "line": 1, "deleted": False,
                "deleted_in": None, "overwritten_in": None, "match_redacted": "ghp_… (40 chars)"}),
            img(r)["packages"].append({
                "type": "deb", "name": "adduser", "version": "3.134",
                "purl": "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12", "licenses": [],
                "path": "/var/lib/dpkg/status", "layer": 0, "arch": "all", "source": None}))),
        ("a not_checkable sha512 expected digest", lambda r: layer(r)["checks"][2].update(
            {"status": "not_checkable", "expected": "sha512:" + "a" * 128, "actual": None,
             "reason": "sha512 digests cannot be computed"})),
        ("a non-UTF-8 name with path_raw", lambda r: a_file(r).update({"path": "/caf\ufffd", "path_raw": "Y2Fm6Q=="})),
        ("no images (the library's report when nothing could be described)", set_(lambda r: r, "images", [])),
    ]
    for name, fn in accepted:
        tally.result(f"self-test: accepts {name}", schema_errors(validator, mutate(fn)))

    # Variants the schema must reject.
    rejected = [
        ("missing top-level key errors", del_(lambda r: r, "errors")),
        ("missing top-level key images", del_(lambda r: r, "images")),
        ("missing source.streamed", del_(lambda r: r["source"], "streamed")),
        ("missing image key packages", del_(img, "packages")),
        ("missing image key files", del_(img, "files")),
        ("missing layer key uncompressed_size", del_(layer, "uncompressed_size")),
        ("missing check key reason", lambda r: layer(r)["checks"][1].__delitem__("reason")),
        ("missing file key path_raw", del_(a_file, "path_raw")),
        ("missing summary.wasted_bytes", lambda r: img(r)["summary"].__delitem__("wasted_bytes")),
        ("missing config.exposed_ports", lambda r: img(r)["config"].__delitem__("exposed_ports")),
        ("report_version as a string", set_(lambda r: r, "report_version", "1")),
        ("source.kind not in the enum", lambda r: r["source"].__setitem__("kind", "url")),
        ("source.compression not in the enum", lambda r: r["source"].__setitem__("compression", "bzip2")),
        ("source.format not in the enum", lambda r: r["source"].__setitem__("format", "oci")),
        ("error.kind not in the enum", push_error("fatal")),
        ("check.what not in the enum", lambda r: img(r)["checks"][0].__setitem__("what", "layer_digest")),
        ("check.status not in the enum", lambda r: layer(r)["checks"][0].__setitem__("status", "ok")),
        ("file.type not in the enum", set_(a_file, "type", "regular")),
        ("layer.compression not in the enum", set_(layer, "compression", "xz")),
        ("config_digest not sha256:<64 hex>", set_(img, "config_digest", "sha256:ABC")),
        ("layer digest without an algorithm", set_(layer, "digest", "0" * 64)),
        ("check actual not a computed sha256", lambda r: layer(r)["checks"][0].__setitem__("actual", "md5:00")),
        ("blob_size expected as a number", lambda r: layer(r)["checks"][1].update(
            {"status": "verified", "expected": 5, "actual": "5"})),
        ("blob_size expected not a decimal string", lambda r: layer(r)["checks"][1].update(
            {"status": "verified", "expected": "5 bytes", "actual": "5 bytes"})),
        ("layer checks reordered", lambda r: layer(r).__setitem__("checks", list(reversed(layer(r)["checks"])))),
        ("a fourth layer check", lambda r: layer(r)["checks"].append(copy.deepcopy(layer(r)["checks"][0]))),
        ("only two layer checks", lambda r: layer(r)["checks"].pop()),
        ("image checks without config_digest", lambda r: img(r).__setitem__(
            "checks", [c for c in img(r)["checks"] if c["what"] != "config_digest"])),
        ("image checks without manifest_digest", lambda r: img(r).__setitem__(
            "checks", [c for c in img(r)["checks"] if c["what"] != "manifest_digest"])),
        ("a diff_id check at image level", lambda r: img(r)["checks"].append(copy.deepcopy(layer(r)["checks"][2]))),
        ("not_checkable without a reason", lambda r: img(r)["checks"][0].update(
            {"status": "not_checkable", "actual": None, "reason": None})),
        ("not_checkable with an actual value", lambda r: layer(r)["checks"][2].update(
            {"status": "not_checkable", "reason": "r"})),
        ("verified without an actual value", lambda r: layer(r)["checks"][2].__setitem__("actual", None)),
        ("platform without an architecture", set_(img, "platform", "linux")),
        ("platform with an empty architecture", set_(img, "platform", "linux/")),
        ("platforms_available holding a non-platform", lambda r: img(r)["platforms_available"].append("amd64")),
        ("env as a string", lambda r: img(r)["config"].__setitem__("env", "A=1")),
        ("labels with a number value", lambda r: img(r)["config"].__setitem__("labels", {"a": 1})),
        ("user as an empty list", lambda r: img(r)["config"].__setitem__("user", [])),
        ("os_release as a string", set_(img, "os_release", "debian")),
        ("mode as an octal string", set_(a_file, "mode", "0644")),
        ("negative size", set_(a_file, "size", -1)),
        ("negative layer index", set_(layer, "index", -1)),
        ("deleted_in as a string", set_(a_file, "deleted_in", "2")),
        ("mtime as a float", set_(a_file, "mtime", 1.5)),
        ("a relative file path", set_(a_file, "path", "etc/passwd")),
        ("path_raw not base64", set_(a_file, "path_raw", "not base64!")),
        ("a directory with a link_target", lambda r: a_file(r).update({"type": "dir", "link_target": "/x"})),
        ("a symlink without a link_target", lambda r: a_file(r).update({"type": "symlink", "link_target": None})),
        ("repo_tags as null", set_(img, "repo_tags", None)),
        ("secrets holding a string", lambda r: img(r)["secrets"].append("AKIA...")),
        ("error.offset negative", lambda r: r["errors"].append(
            {"kind": "io", "message": "m", "layer": None, "entry": None, "path": None, "offset": -1})),
        ("error with an empty message", lambda r: r["errors"].append(
            {"kind": "io", "message": "", "layer": None, "entry": None, "path": None, "offset": None})),
        ("error without entry", lambda r: r["errors"].append(
            {"kind": "io", "message": "m", "layer": None, "path": None, "offset": None})),
        ("verified as a string", set_(layer, "verified", "true")),
    ]
    for name, fn in rejected:
        errs = schema_errors(validator, mutate(fn))
        tally.result(f"self-test: schema rejects {name}", [] if errs else ["the schema accepted it"])

    # Variants that are schema-valid but break the invariants.
    def unsort_files(r):
        f = img(r)["files"]
        f[0], f[-1] = f[-1], f[0]

    def swap_layer_index(r):
        if len(img(r)["layers"]) > 1:
            img(r)["layers"][0]["index"], img(r)["layers"][1]["index"] = 1, 0
        else:
            layer(r)["index"] = 5

    def layer_mismatch(r):
        layer(r)["checks"][0].update({"status": "mismatch", "actual": "sha256:" + "0" * 64})

    broken = [
        ("a layer index not equal to its position", swap_layer_index),
        ("layer verified although a check mismatches", layer_mismatch),
        ("image verified although a layer is not", lambda r: (layer_mismatch(r), layer(r).__setitem__("verified", False))),
        ("layer verified with no verified digest check", lambda r: [
            c.update({"status": "not_checkable", "expected": None, "actual": None, "reason": "r"})
            for c in layer(r)["checks"] if c["what"] in ("blob_digest", "diff_id")]),
        ("a verified check whose expected differs from actual", lambda r: layer(r)["checks"][1].update(
            {"expected": "1", "actual": "2"})),
        ("config_digest differing from its check", set_(img, "config_digest", "sha256:" + "1" * 64)),
        ("files not sorted by layer then path", unsort_files),
        ("a file version both deleted and overwritten", lambda r: a_file(r).update(
            {"deleted_in": len(img(r)["layers"]) - 1, "overwritten_in": len(img(r)["layers"]) - 1})),
        ("deleted_in pointing to an earlier layer", lambda r: img(r)["files"][-1].__setitem__("deleted_in", 0)
            if img(r)["files"][-1]["layer"] > 0 else img(r)["files"][-1].__setitem__("deleted_in", 99)),
        ("stdin without streamed", lambda r: r["source"].update({"kind": "stdin", "path": "-", "streamed": False})),
    ]
    for name, fn in broken:
        r = copy.deepcopy(consistent)
        fn(r)
        problems = schema_errors(validator, r)
        if problems:
            tally.result(f"self-test: invariants reject {name}", [f"mutation is not schema-valid: {problems[0]}"])
            continue
        inv = invariants(r)
        tally.result(f"self-test: invariants reject {name}", [] if inv else ["the invariants accepted it"])


def main(argv):
    args = [a for a in argv if not a.startswith("--") or a == "-"]
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--self-test", "--schema-only", "--help"}
    if "--help" in flags:
        print(__doc__.strip())
        return 0
    if unknown:
        print(f"check_schema.py: unknown option {sorted(unknown)[0]} (see --help)", file=sys.stderr)
        return 2
    validator = load_validator()
    tally = Tally()
    if "--self-test" in flags:
        self_test(validator, tally)
    elif not args:
        args = sorted(glob.glob(GOLDEN_GLOB))
        if not args:
            print(f"check_schema.py: no files given and none match {os.path.relpath(GOLDEN_GLOB, ROOT)}",
                  file=sys.stderr)
    for path in args:
        check_file(validator, path, "--schema-only" in flags, tally)
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
