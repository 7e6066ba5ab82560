#!/usr/bin/env python3
"""Helpers for tests/real-images.sh (python3 stdlib; jsonschema if installed).

  real_images_check.py tamper SRC.tar DST.tar
      Copy an OCI archive and flip one byte in the middle of its largest layer
      blob. Prints JSON naming the tampered layer (index, digest, offset).

  real_images_check.py report --name N --kind KIND --rc RC --expect E.json
                              [--stderr F] [--schema S.json] [--archive FILE]
                              [--expect-platform P] OUT.json
      Check a `porthole inspect FILE --json` report of a good image. KIND is
      docker or oci (skopeo output), or one of the rewrap layouts: crane,
      classic-docker (docker-archive checks) and docker25, multiplatform (OCI
      checks), each with its own extra checks.

  real_images_check.py tampered --rc RC --info T.json [--stderr F]
                                [--schema S.json] OUT.json
      Check the report of the tampered archive.

  real_images_check.py facts FILE
      Print what the checker reads from an archive itself (digests, layers).

  real_images_check.py rewrap SRC_OCI.tar crane|docker25|multiplatform|classic-docker OUT.tar
      Rewrite the real OCI archive (from skopeo) into a layout no tool on this
      machine writes, streaming every blob (never a whole layer in memory):
        crane           `crane pull` tarball: config `sha256:<hex>`, layers
                        `<hex>.tar.gz`, manifest.json
        docker25        Docker 25+ `docker save`: OCI layout + manifest.json
        multiplatform   OCI archive, index.json -> image index blob listing the
                        real manifest as linux/amd64 and (again) linux/arm64/v8,
                        plus a buildx-style attestation manifest
        classic-docker  docker <= 24 `docker save` without symlinks: real
                        `<id>/layer.tar` files (uncompressed), VERSION, json,
                        `<hex>.json` config, manifest.json, repositories
      Writes OUT.tar.part and renames it; checks every copied blob against its
      digest and every decompressed layer against its diff_id on the way.

  real_images_check.py refused --rc RC --want-rc N --platforms P1,P2 [--stderr F] OUT.json
      Check a run that must fail (e.g. `--platform` not in the index): exit
      code N, nothing on stdout, stderr names every platform in P1,P2.

Each check prints one line starting with `PASS: ` or `FAIL: `; the exit code is
1 when any check failed.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import time

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


# What each kind is checked as (which layer digest checks must be verified), and the
# source.format porthole must recognise (None: not checked, as before).
KIND_BASE = {"docker": "docker", "oci": "oci", "crane": "docker", "classic-docker": "docker",
             "docker25": "oci", "multiplatform": "oci"}
KIND_FORMAT = {"crane": "docker-archive", "classic-docker": "docker-archive",
               "docker25": "docker-archive+oci-layout", "multiplatform": "oci-layout"}
KIND_NAME = {"crane": "porthole/test:crane", "classic-docker": "porthole/test:classic",
             "docker25": "porthole/test:latest"}
MULTI_PLATFORMS = ["linux/amd64", "linux/arm64/v8"]


def cmd_report(args):
    label = args.name
    kind = args.kind
    base = KIND_BASE[kind]
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
    if kind in KIND_FORMAT:
        check(src.get("format") == KIND_FORMAT[kind],
              f"{label}: source.format is {KIND_FORMAT[kind]}", short(src))
    images = report.get("images") or []
    if not check(len(images) == 1, f"{label}: exactly one image", f"got {len(images)}"):
        return
    img = images[0]
    check(img.get("verified") is True, f"{label}: images[0].verified is true",
          short([c for c in checks_of(img) if c.get("status") != "verified"]))
    check(not img.get("errors"), f"{label}: images[0].errors is empty", short(img.get("errors")))
    bad = [c for c in checks_of(img) if c.get("status") == "mismatch"]
    check(not bad, f"{label}: no image-level check is a mismatch", short(bad))
    # A clean Debian raises no malware indicator (PH-MW-*), and its .deb files in
    # /var/cache/apt/archives (debootstrap keeps them) are reported as package caches.
    practices = img.get("best_practices") or []
    malware = [b for b in practices if str(b.get("id", "")).startswith("PH-MW-")]
    check(not malware, f"{label}: no malware indicator on a clean Debian", short(malware))
    check(any(b.get("id") == "PH-DI-0003" for b in practices),
          f"{label}: the .deb files debootstrap left are reported (PH-DI-0003)",
          short([b.get("id") for b in practices]))
    if kind in KIND_NAME:
        check(img.get("name") == KIND_NAME[kind], f"{label}: name is {KIND_NAME[kind]}",
              short(img.get("name")))
    if base == "oci":
        check(img.get("manifest_digest") is not None, f"{label}: manifest_digest is not null",
              short(img.get("manifest_digest")))
    if kind == "multiplatform":
        st = [c.get("status") for c in checks_of(img) if c.get("reason") == "image index digest"]
        check(st == ["verified"], f"{label}: the image index blob's digest is checked and verified",
              f"got {st}")
        check(img.get("platforms_available") == MULTI_PLATFORMS,
              f"{label}: platforms_available is {MULTI_PLATFORMS} (attestation skipped)",
              short(img.get("platforms_available")))
    want_platform = args.expect_platform or ("linux/amd64" if kind == "multiplatform" else None)
    if want_platform:
        check(img.get("platform") == want_platform,
              f"{label}: platform is {want_platform}", short(img.get("platform")))

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
        if base == "oci":
            for what in ("blob_digest", "blob_size", "diff_id"):
                st = by_what.get(what)
                check(st and all(s == "verified" for s in st),
                      f"{label}: layer {i} check {what} is verified", f"got {st}")
        else:
            st = by_what.get("diff_id")
            check(st and all(s == "verified" for s in st),
                  f"{label}: layer {i} check diff_id is verified", f"got {st}")
            if kind in ("crane", "classic-docker"):
                # crane names layers `<hex>.tar.gz` (a digest); classic `<id>/layer.tar` not.
                want = "verified" if kind == "crane" else "not_checkable"
                st = by_what.get("blob_digest")
                check(st == [want], f"{label}: layer {i} check blob_digest is {want}", f"got {st}")
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
        if not args.expect_platform:
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


# ------------------------------------------------------------------ rewrap

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
CHUNK = 1 << 20


class HashingReader:
    """A file object that hashes (and counts) what is read through it."""

    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0

    def read(self, n=-1):
        b = self.f.read(n)
        self.h.update(b)
        self.n += len(b)
        return b

    def digest(self):
        return "sha256:" + self.h.hexdigest()


def _json_bytes(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def _sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def _hex(digest):
    return digest.split(":", 1)[1]


class Writer:
    """Writes a plain (uncompressed) tar with root-owned, fixed-mtime entries."""

    MTIME = 1700000000

    def __init__(self, path):
        self.tf = tarfile.open(path, "w:", format=tarfile.PAX_FORMAT)
        self.dirs = set()

    def _info(self, name, size, typ=tarfile.REGTYPE, mode=0o644):
        ti = tarfile.TarInfo(name)
        ti.size, ti.type, ti.mode, ti.mtime = size, typ, mode, self.MTIME
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = "root"
        return ti

    def mkdirs(self, name):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i]) + "/"
            if d not in self.dirs:
                self.dirs.add(d)
                self.tf.addfile(self._info(d, 0, tarfile.DIRTYPE, 0o755))

    def bytes(self, name, data):
        self.mkdirs(name)
        self.tf.addfile(self._info(name, len(data)), io.BytesIO(data))

    def stream(self, name, fileobj, size, want_digest=None):
        """Adds `size` bytes read from `fileobj`; checks their sha256 if `want_digest`."""
        self.mkdirs(name)
        r = HashingReader(fileobj)
        self.tf.addfile(self._info(name, size), r)
        if r.n != size:
            raise SystemExit(f"rewrap: {name}: read {r.n} bytes, expected {size}")
        if want_digest and r.digest() != want_digest:
            raise SystemExit(f"rewrap: {name}: sha256 {r.digest()} != {want_digest}")
        return r.digest()

    def close(self):
        self.tf.close()


class OciSource:
    """The real OCI archive: its single manifest, config and layer blobs."""

    def __init__(self, path):
        self.tf = tarfile.open(path, "r:")
        self.members = {m.name[2:] if m.name.startswith("./") else m.name: m
                        for m in self.tf.getmembers()}
        index = json.loads(self.read_small("index.json"))
        self.manifest_desc = index["manifests"][0]
        self.manifest_raw = self.read_small(self.blob_name(self.manifest_desc["digest"]))
        self.manifest = json.loads(self.manifest_raw)
        if _sha(self.manifest_raw) != self.manifest_desc["digest"]:
            raise SystemExit("rewrap: source manifest does not match its digest")
        self.config_desc = self.manifest["config"]
        self.config_raw = self.read_small(self.blob_name(self.config_desc["digest"]))
        if _sha(self.config_raw) != self.config_desc["digest"]:
            raise SystemExit("rewrap: source config does not match its digest")
        self.config = json.loads(self.config_raw)
        self.layers = self.manifest["layers"]
        self.diff_ids = self.config["rootfs"]["diff_ids"]
        if len(self.diff_ids) != len(self.layers):
            raise SystemExit("rewrap: config lists a different number of diff_ids than layers")

    @staticmethod
    def blob_name(digest):
        return "blobs/" + digest.replace(":", "/")

    def member(self, digest):
        return self.members[self.blob_name(digest)]

    def read_small(self, name):
        return self.tf.extractfile(self.members[name]).read()

    def open_blob(self, digest):
        m = self.member(digest)
        return self.tf.extractfile(m), m.size

    def copy_blob(self, w, digest, name=None):
        """Streams blob `digest` into `w` as `name` (default: its OCI path), checking it."""
        f, size = self.open_blob(digest)
        w.stream(name or self.blob_name(digest), f, size, digest)


def _oci_layout(w, src, index):
    """The OCI layout of the real image (config, layers, manifest) with `index`."""
    w.bytes("oci-layout", _json_bytes({"imageLayoutVersion": "1.0.0"}))
    for layer in src.layers:
        src.copy_blob(w, layer["digest"])
    src.copy_blob(w, src.config_desc["digest"])
    src.copy_blob(w, src.manifest_desc["digest"])
    w.bytes("index.json", _json_bytes(index))


def rewrap_crane(src, w):
    # go-containerregistry tarball.Write: config, layers, then manifest.json.
    cfg = src.config_desc["digest"]
    src.copy_blob(w, cfg, cfg)
    names = []
    for layer in src.layers:
        name = _hex(layer["digest"]) + ".tar.gz"
        src.copy_blob(w, layer["digest"], name)
        names.append(name)
    w.bytes("manifest.json", _json_bytes(
        [{"Config": cfg, "RepoTags": ["porthole/test:crane"], "Layers": names}]))


def rewrap_docker25(src, w):
    desc = dict(src.manifest_desc)
    desc["annotations"] = {"io.containerd.image.name": "docker.io/porthole/test:latest",
                           "org.opencontainers.image.ref.name": "latest"}
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc]}
    _oci_layout(w, src, index)
    w.bytes("manifest.json", _json_bytes([{
        "Config": src.blob_name(src.config_desc["digest"]),
        "RepoTags": ["porthole/test:latest"],
        "Layers": [src.blob_name(l["digest"]) for l in src.layers]}]))
    top = _hex(src.diff_ids[-1])
    w.bytes("repositories", _json_bytes({"porthole/test": {"latest": top}}))


def rewrap_multiplatform(src, w):
    real = {"mediaType": OCI_MANIFEST, "digest": src.manifest_desc["digest"],
            "size": len(src.manifest_raw)}
    # A buildx-style attestation: a manifest whose config is `{}` and whose only layer is
    # an in-toto statement about the amd64 image.
    att_config = b"{}"
    statement = _json_bytes({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/porthole/test@latest?platform=linux%2Famd64",
                     "digest": {"sha256": _hex(src.manifest_desc["digest"])}}],
        "predicate": {"builder": {"id": "porthole real-images test"}}})
    att_manifest = _json_bytes({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": _sha(att_config), "size": len(att_config)},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": _sha(statement),
                    "size": len(statement),
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]})
    image_index = _json_bytes({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [
            dict(real, platform={"architecture": "amd64", "os": "linux"}),
            dict(real, platform={"architecture": "arm64", "os": "linux", "variant": "v8"}),
            {"mediaType": OCI_MANIFEST, "digest": _sha(att_manifest), "size": len(att_manifest),
             "platform": {"architecture": "unknown", "os": "unknown"},
             "annotations": {"vnd.docker.reference.digest": src.manifest_desc["digest"],
                             "vnd.docker.reference.type": "attestation-manifest"}}]})
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
             "manifests": [{"mediaType": OCI_INDEX, "digest": _sha(image_index),
                            "size": len(image_index),
                            "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    w.bytes("oci-layout", _json_bytes({"imageLayoutVersion": "1.0.0"}))
    for layer in src.layers:
        src.copy_blob(w, layer["digest"])
    src.copy_blob(w, src.config_desc["digest"])
    src.copy_blob(w, src.manifest_desc["digest"])
    for blob in (att_config, statement, att_manifest, image_index):
        w.bytes(src.blob_name(_sha(blob)), blob)
    w.bytes("index.json", _json_bytes(index))


def rewrap_classic(src, w, tmpdir):
    # docker <= 24: v1 layer ids chained over the diff_ids, real layer.tar files.
    names, parent = [], None
    for i, (layer, diff_id) in enumerate(zip(src.layers, src.diff_ids)):
        if "gzip" not in layer["mediaType"]:
            raise SystemExit(f"rewrap: layer {i} is {layer['mediaType']}, expected gzip")
        layer_id = hashlib.sha256(f"{parent or ''}\n{diff_id}".encode()).hexdigest()
        tmp = os.path.join(tmpdir, f".rewrap-layer-{os.getpid()}-{i}.tar")
        try:
            f, _ = src.open_blob(layer["digest"])
            blob = HashingReader(f)
            h = hashlib.sha256()
            with gzip.open(blob, "rb") as gz, open(tmp, "wb") as out:
                while True:
                    b = gz.read(CHUNK)
                    if not b:
                        break
                    h.update(b)
                    out.write(b)
            if blob.digest() != layer["digest"]:
                raise SystemExit(f"rewrap: layer {i} blob does not match {layer['digest']}")
            if "sha256:" + h.hexdigest() != diff_id:
                raise SystemExit(f"rewrap: layer {i} decompresses to sha256:{h.hexdigest()}, "
                                 f"not its diff_id {diff_id}")
            w.bytes(f"{layer_id}/VERSION", b"1.0")
            v1 = {"id": layer_id, "created": "1970-01-01T00:00:00Z",
                  "container_config": {"Env": None, "Cmd": None}, "os": "linux"}
            if parent:
                v1["parent"] = parent
            w.bytes(f"{layer_id}/json", _json_bytes(v1))
            with open(tmp, "rb") as f:
                w.stream(f"{layer_id}/layer.tar", f, os.path.getsize(tmp), diff_id)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        names.append(f"{layer_id}/layer.tar")
        parent = layer_id
    cfg_name = _hex(src.config_desc["digest"]) + ".json"
    src.copy_blob(w, src.config_desc["digest"], cfg_name)
    w.bytes("manifest.json", _json_bytes(
        [{"Config": cfg_name, "RepoTags": ["porthole/test:classic"], "Layers": names}]))
    w.bytes("repositories", _json_bytes({"porthole/test": {"classic": parent}}))


def cmd_rewrap(args):
    t0 = time.monotonic()
    out = os.path.abspath(args.out)
    part = out + ".part"
    src = OciSource(args.src)
    w = Writer(part)
    try:
        if args.kind == "crane":
            rewrap_crane(src, w)
        elif args.kind == "docker25":
            rewrap_docker25(src, w)
        elif args.kind == "multiplatform":
            rewrap_multiplatform(src, w)
        else:
            rewrap_classic(src, w, os.path.dirname(out))
        w.close()
    except BaseException:
        w.close()
        os.unlink(part)
        raise
    os.replace(part, out)
    print(f"rewrap {args.kind}: {out} ({os.path.getsize(out)} bytes) in {time.monotonic() - t0:.1f}s")


def cmd_refused(args):
    label = args.name
    _, stderr, _ = load_report(os.devnull, args.stderr)
    stdout = ""
    if os.path.exists(args.json):
        with open(args.json, errors="replace") as f:
            stdout = f.read()
    check(args.rc == args.want_rc, f"{label}: exit code {args.want_rc}",
          f"got {args.rc}; stderr: {stderr.strip()[:300]}")
    check(not stdout.strip(), f"{label}: nothing on stdout", short(stdout))
    for p in [p for p in args.platforms.split(",") if p]:
        check(p in stderr, f"{label}: stderr names the available platform {p}",
              short(stderr.strip()))


def cmd_diff_upgraded(args):
    """`porthole diff oci.tar upgraded.tar --json`: one package upgraded by dpkg."""
    label = "diff oci.tar upgraded.tar"
    with open(args.info) as f:
        info = json.load(f)
    with open(args.json) as f:
        d = json.load(f)
    check(args.rc == 1, f"{label}: exit code 1 (different)", f"got {args.rc}")
    check(d.get("equal") is False, f"{label}: not equal", short(d.get("equal")))
    if args.schema:
        validate_schema(d, args.schema, label)
    pkgs = d.get("packages") or []
    mine = [p for p in pkgs if p.get("name") == info["package"] and p.get("type") == "deb"]
    check(len(mine) == 1 and mine[0].get("change") == "upgraded"
          and mine[0].get("a") == info["from"] and mine[0].get("b") == info["to"],
          f"{label}: {info['package']} upgraded {info['from']} -> {info['to']}", short(mine))
    check(len(pkgs) == 1, f"{label}: no other package changed", short(pkgs))
    files = {f["path"]: f for f in d.get("files") or []}
    status = files.get("/var/lib/dpkg/status")
    check(status is not None and status.get("change") == "changed" and "content" in status.get("what", []),
          f"{label}: /var/lib/dpkg/status changed in content", short(status))
    added = files.get(f"/usr/share/doc/{info['package']}/porthole-upgrade.txt")
    check(added is not None and added.get("change") == "added",
          f"{label}: the upgrade's new file is added", short(added))
    listing = files.get(f"/var/lib/dpkg/info/{info['package']}.list")
    check(listing is not None and "content" in listing.get("what", []),
          f"{label}: dpkg's file list of {info['package']} changed", short(listing))
    s = d.get("summary") or {}
    check(s.get("layers_shared") == 2 and s.get("layers_added") == 1 and s.get("layers_removed") == 0,
          f"{label}: 2 layers shared, 1 added", short(s))
    # Only what dpkg touched may differ: the database, the package's files, its docs.
    touched = ("/var/lib/dpkg/", f"/usr/share/doc/{info['package']}/", "/var/log/", "/etc/", "/bin/", "/usr/bin/",
               "/usr/share/man/")
    stray = [p for p in files if not any(p == t.rstrip("/") or p.startswith(t) for t in touched)]
    check(not stray, f"{label}: nothing else changed", short(stray[:10]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tamper")
    t.add_argument("src")
    t.add_argument("dst")
    r = sub.add_parser("report")
    r.add_argument("--name", required=True)
    r.add_argument("--kind", choices=sorted(KIND_BASE), required=True)
    r.add_argument("--expect-platform", help="the exact platform the image must report")
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
    rw = sub.add_parser("rewrap")
    rw.add_argument("src")
    rw.add_argument("kind", choices=["crane", "docker25", "multiplatform", "classic-docker"])
    rw.add_argument("out")
    rf = sub.add_parser("refused")
    rf.add_argument("--name", required=True)
    rf.add_argument("--rc", type=int, required=True)
    rf.add_argument("--want-rc", type=int, required=True)
    rf.add_argument("--platforms", default="")
    rf.add_argument("--stderr")
    rf.add_argument("json")
    du = sub.add_parser("diff-upgraded")
    du.add_argument("--rc", type=int, required=True)
    du.add_argument("--info", required=True)
    du.add_argument("--schema")
    du.add_argument("json")
    args = p.parse_args()
    {"diff-upgraded": cmd_diff_upgraded, "tamper": cmd_tamper, "report": cmd_report, "tampered": cmd_tampered, "facts": cmd_facts,
     "rewrap": cmd_rewrap, "refused": cmd_refused}[args.cmd](args)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
