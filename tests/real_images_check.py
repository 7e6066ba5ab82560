#!/usr/bin/env python3
"""Helpers for tests/real-images.sh (python3 stdlib; jsonschema if installed).

  real_images_check.py tamper SRC.tar DST.tar
      Copy an OCI archive and flip one byte in the middle of its largest layer
      blob. Prints JSON naming the tampered layer (index, digest, offset).

  real_images_check.py report --name N --kind docker|oci --rc RC --expect E.json
                              [--stderr F] [--schema S.json] OUT.json
      Check a `porthole inspect FILE --json` report of a good image.

  real_images_check.py tampered --rc RC --info T.json [--stderr F]
                                [--schema S.json] OUT.json
      Check the report of the tampered archive.

  real_images_check.py facts FILE
      Print what the checker reads from an archive itself (digests, layers).

Each check prints one line starting with `PASS: ` or `FAIL: `; the exit code is
1 when any check failed.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tarfile

FAILED = 0


def check(cond, what, detail=""):
    global FAILED
    if cond:
        print(f"PASS: {what}")
    else:
        FAILED += 1
        print(f"FAIL: {what}" + (f" -- {detail}" if detail else ""))
    return bool(cond)


def short(value, n=300):
    s = json.dumps(value) if not isinstance(value, str) else value
    return s if len(s) <= n else s[:n] + "..."


# ------------------------------------------------------------------ archives

def _read(tf, name):
    """Read a member, following (sym)links inside the archive."""
    name = name[2:] if name.startswith("./") else name
    for _ in range(10):
        try:
            m = tf.getmember(name)
        except KeyError:
            m = tf.getmember("./" + name)
        if m.issym():
            name = os.path.normpath(os.path.join(os.path.dirname(name), m.linkname))
            continue
        if m.islnk():
            name = m.linkname
            continue
        return tf.extractfile(m).read()
    raise KeyError(name)


def _names(tf):
    return {m.name[2:] if m.name.startswith("./") else m.name for m in tf.getmembers()}


def archive_facts(path):
    """What the archive itself says: kind, manifest/config digests, layers."""
    with tarfile.open(path, "r:*") as tf:
        names = _names(tf)
        if "index.json" in names and "oci-layout" in names:
            index = json.loads(_read(tf, "index.json"))
            desc = index["manifests"][0]
            manifest_raw = _read(tf, "blobs/" + desc["digest"].replace(":", "/"))
            manifest = json.loads(manifest_raw)
            while "manifests" in manifest:  # nested image index
                desc = manifest["manifests"][0]
                manifest_raw = _read(tf, "blobs/" + desc["digest"].replace(":", "/"))
                manifest = json.loads(manifest_raw)
            config_digest = manifest["config"]["digest"]
            config = json.loads(_read(tf, "blobs/" + config_digest.replace(":", "/")))
            layers = [{"digest": l["digest"], "size": l["size"], "media_type": l["mediaType"],
                       "blob": "blobs/" + l["digest"].replace(":", "/")}
                      for l in manifest["layers"]]
            return {"kind": "oci", "manifest_digest": desc["digest"],
                    "config_digest": config_digest, "config": config,
                    "diff_ids": config["rootfs"]["diff_ids"], "layers": layers,
                    "ref_name": desc.get("annotations", {}).get("org.opencontainers.image.ref.name")}
        if "manifest.json" in names:
            manifest = json.loads(_read(tf, "manifest.json"))[0]
            config_raw = _read(tf, manifest["Config"])
            config = json.loads(config_raw)
            layers = [{"blob": l} for l in manifest["Layers"]]
            return {"kind": "docker", "manifest_digest": None,
                    "config_digest": "sha256:" + hashlib.sha256(config_raw).hexdigest(),
                    "config": config, "diff_ids": config["rootfs"]["diff_ids"],
                    "layers": layers, "repo_tags": manifest.get("RepoTags")}
    raise SystemExit(f"{path}: neither an OCI archive nor a docker-archive")


# ------------------------------------------------------------------ tamper

def cmd_tamper(args):
    facts = archive_facts(args.src)
    if facts["kind"] != "oci":
        raise SystemExit("tamper: expected an OCI archive")
    shutil.copyfile(args.src, args.dst)
    with tarfile.open(args.src, "r:") as tf:
        members = {m.name[2:] if m.name.startswith("./") else m.name: m
                   for m in tf.getmembers()}
    best = None
    for i, layer in enumerate(facts["layers"]):
        m = members[layer["blob"]]
        if best is None or m.size > best[1].size:
            best = (i, m, layer)
    index, member, layer = best
    offset = member.offset_data + member.size // 2
    with open(args.dst, "r+b") as f:
        f.seek(offset)
        old = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([old ^ 0xFF]))
    print(json.dumps({"layer_index": index, "layer_digest": layer["digest"],
                      "diff_id": facts["diff_ids"][index], "blob": layer["blob"],
                      "blob_size": member.size, "file_offset": offset,
                      "old_byte": old, "new_byte": old ^ 0xFF}, indent=1))


# ------------------------------------------------------------------ reports

def load_report(path, stderr_path):
    stderr = ""
    if stderr_path and os.path.exists(stderr_path):
        with open(stderr_path, errors="replace") as f:
            stderr = f.read()
    try:
        with open(path) as f:
            return json.load(f), stderr, None
    except (OSError, ValueError) as e:
        return None, stderr, str(e)


def validate_schema(report, schema_path, label):
    if not schema_path:
        return
    try:
        import jsonschema
    except ImportError:
        check(False, f"{label}: validate against {schema_path}", "python module jsonschema missing")
        return
    with open(schema_path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(report), key=lambda e: list(e.absolute_path))
    check(not errors, f"{label}: report validates against docs/report.schema.json",
          "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]))


def checks_of(obj):
    return obj.get("checks") or [] if isinstance(obj, dict) else []


def cmd_report(args):
    label = args.name
    with open(args.expect) as f:
        expect = json.load(f)
    facts = archive_facts(args.file_for_facts) if args.file_for_facts else None
    report, stderr, err = load_report(args.json, args.stderr)
    check(args.rc == 0, f"{label}: exit code 0", f"got {args.rc}; stderr: {stderr.strip()[:300]}")
    if not check(report is not None, f"{label}: stdout is a JSON report", err or ""):
        return
    validate_schema(report, args.schema, label)
    check(report.get("report_version") == 1, f"{label}: report_version is 1",
          short(report.get("report_version")))
    check(not report.get("errors"), f"{label}: no top-level errors", short(report.get("errors")))
    src = report.get("source") or {}
    compression = str(src.get("compression")).lower()
    if label.endswith("-gz"):
        check("gz" in compression, f"{label}: source.compression is gzip", short(src))
    else:
        check("gz" not in compression and "zst" not in compression,
              f"{label}: source.compression is none", short(src))
    images = report.get("images") or []
    if not check(len(images) == 1, f"{label}: exactly one image", f"got {len(images)}"):
        return
    img = images[0]
    check(img.get("verified") is True, f"{label}: images[0].verified is true",
          short([c for c in checks_of(img) if c.get("status") != "verified"]))
    check(not img.get("errors"), f"{label}: images[0].errors is empty", short(img.get("errors")))
    bad = [c for c in checks_of(img) if c.get("status") == "mismatch"]
    check(not bad, f"{label}: no image-level check is a mismatch", short(bad))

    layers = img.get("layers") or []
    check(len(layers) == expect["layers"], f"{label}: {expect['layers']} layers", f"got {len(layers)}")
    for i, layer in enumerate(layers):
        check(layer.get("index") == i, f"{label}: layer {i} has index {i}", short(layer.get("index")))
        check(layer.get("verified") is True, f"{label}: layer {i} verified",
              short([c for c in checks_of(layer) if c.get("status") != "verified"]))
        bad = [c for c in checks_of(layer) if c.get("status") == "mismatch"]
        check(not bad, f"{label}: layer {i} has no mismatch check", short(bad))
        by_what = {}
        for c in checks_of(layer):
            by_what.setdefault(c.get("what"), []).append(c.get("status"))
        if args.kind == "oci":
            for what in ("blob_digest", "blob_size", "diff_id"):
                st = by_what.get(what)
                check(st and all(s == "verified" for s in st),
                      f"{label}: layer {i} check {what} is verified", f"got {st}")
        else:
            st = by_what.get("diff_id")
            check(st and all(s == "verified" for s in st),
                  f"{label}: layer {i} check diff_id is verified", f"got {st}")
            for what in ("blob_digest", "blob_size"):
                st = by_what.get(what) or []
                check(all(s in ("verified", "not_checkable") for s in st),
                      f"{label}: layer {i} check {what} is verified or not_checkable", f"got {st}")

    # What the archive itself says, read independently of porthole.
    if facts:
        check(img.get("config_digest") == facts["config_digest"],
              f"{label}: config_digest matches the archive",
              f"{img.get('config_digest')} != {facts['config_digest']}")
        if facts["kind"] == "oci":
            check(img.get("manifest_digest") == facts["manifest_digest"],
                  f"{label}: manifest_digest matches the archive",
                  f"{img.get('manifest_digest')} != {facts['manifest_digest']}")
        got = [l.get("diff_id") for l in layers]
        check(got == facts["diff_ids"], f"{label}: layer diff_ids match the config",
              f"{got} != {facts['diff_ids']}")
        if facts["kind"] == "oci":
            got = [l.get("digest") for l in layers]
            want = [l["digest"] for l in facts["layers"]]
            check(got == want, f"{label}: layer digests match the manifest", f"{got} != {want}")
            got = [l.get("media_type") for l in layers]
            want = [l["media_type"] for l in facts["layers"]]
            check(got == want, f"{label}: layer media types match the manifest", f"{got} != {want}")
            got = [l.get("size") for l in layers]
            want = [l["size"] for l in facts["layers"]]
            check(got == want, f"{label}: layer sizes match the manifest", f"{got} != {want}")
        arch = facts["config"].get("architecture", "")
        check(arch and arch in json.dumps(img.get("platform")),
              f"{label}: platform names {arch}", short(img.get("platform")))

    summary = img.get("summary") or {}
    check(summary.get("regular_files") == expect["regular_files"],
          f"{label}: summary.regular_files == {expect['regular_files']}",
          f"got {summary.get('regular_files')}")
    osr = img.get("os_release") or {}
    check(osr.get("id") == expect["os_release_id"], f"{label}: os_release.id is debian", short(osr))
    check(str(osr.get("version_id")) == "12", f"{label}: os_release.version_id is 12", short(osr))

    cfg = img.get("config") or {}
    check(expect["env"] in (cfg.get("env") or []), f"{label}: config.env contains {expect['env']}",
          short(cfg.get("env")))
    check(cfg.get("cmd") == expect["cmd"], f"{label}: config.cmd is {expect['cmd']}", short(cfg.get("cmd")))
    check(cfg.get("user") == expect["user"], f"{label}: config.user is {expect['user']}",
          short(cfg.get("user")))
    check(cfg.get("working_dir") == expect["working_dir"],
          f"{label}: config.working_dir is {expect['working_dir']}", short(cfg.get("working_dir")))
    labels = cfg.get("labels") or {}
    check(all(labels.get(k) == v for k, v in expect["labels"].items()),
          f"{label}: config.labels has {expect['labels']}", short(labels))

    d = expect["deleted_in_layer"]
    if d < len(layers):
        l = layers[d]
        check((l.get("files_deleted") or 0) >= 1,
              f"{label}: layer {d} files_deleted >= 1 ({expect['deleted_file']})",
              f"got {l.get('files_deleted')}")
        check((l.get("files_added") or 0) >= 1,
              f"{label}: layer {d} files_added >= 1 ({expect['added_file']})",
              f"got {l.get('files_added')}")
        check((l.get("files_modified") or 0) >= 1,
              f"{label}: layer {d} files_modified >= 1 ({expect['modified_file']})",
              f"got {l.get('files_modified')}")
    if layers:
        check((layers[0].get("files_deleted") or 0) == 0, f"{label}: layer 0 files_deleted == 0",
              f"got {layers[0].get('files_deleted')}")


def cmd_tampered(args):
    label = "tampered oci.tar"
    with open(args.info) as f:
        info = json.load(f)
    idx, digest = info["layer_index"], info["layer_digest"]
    report, stderr, err = load_report(args.json, args.stderr)
    check(args.rc == 3, f"{label}: exit code 3", f"got {args.rc}; stderr: {stderr.strip()[:300]}")

    named_in_json = False
    other_mismatch = []
    img = None
    if report is not None:
        validate_schema(report, args.schema, label)
        images = report.get("images") or []
        if images:
            img = images[0]
            layers = img.get("layers") or []
            for i, layer in enumerate(layers):
                mism = [c for c in checks_of(layer) if c.get("status") == "mismatch"]
                if layer.get("index", i) == idx and mism:
                    named_in_json = True
                elif mism:
                    other_mismatch.append((i, mism))
    hexd = digest.split(":", 1)[-1]
    named_in_stderr = hexd[:12] in stderr or f"layer {idx}" in stderr.lower()
    check(named_in_json or named_in_stderr,
          f"{label}: layer {idx} ({digest[:19]}...) is named as a mismatch",
          f"json report: {'yes' if report is not None else 'no (' + str(err) + ')'}; "
          f"stderr: {stderr.strip()[:300]}")
    if img is not None:
        check(img.get("verified") is False, f"{label}: images[0].verified is false",
              short(img.get("verified")))
        layers = img.get("layers") or []
        if idx < len(layers):
            check(layers[idx].get("verified") is False, f"{label}: layer {idx} verified is false",
                  short(layers[idx].get("verified")))
            bd = [c.get("status") for c in checks_of(layers[idx]) if c.get("what") == "blob_digest"]
            check("mismatch" in bd, f"{label}: layer {idx} blob_digest is a mismatch", f"got {bd}")
        check(not other_mismatch, f"{label}: no mismatch on the untouched layers", short(other_mismatch))
    else:
        check(False, f"{label}: stdout is a JSON report with one image", err or "no images")


def cmd_facts(args):
    facts = archive_facts(args.file)
    facts.pop("config", None)
    print(json.dumps(facts, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tamper")
    t.add_argument("src")
    t.add_argument("dst")
    r = sub.add_parser("report")
    r.add_argument("--name", required=True)
    r.add_argument("--kind", choices=["docker", "oci"], required=True)
    r.add_argument("--rc", type=int, required=True)
    r.add_argument("--expect", required=True)
    r.add_argument("--stderr")
    r.add_argument("--schema")
    r.add_argument("--archive", dest="file_for_facts", help="the inspected archive (cross-checks digests)")
    r.add_argument("json")
    tt = sub.add_parser("tampered")
    tt.add_argument("--rc", type=int, required=True)
    tt.add_argument("--info", required=True)
    tt.add_argument("--stderr")
    tt.add_argument("--schema")
    tt.add_argument("json")
    f = sub.add_parser("facts")
    f.add_argument("file")
    args = p.parse_args()
    {"tamper": cmd_tamper, "report": cmd_report, "tampered": cmd_tampered, "facts": cmd_facts}[args.cmd](args)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
