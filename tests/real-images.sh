#!/usr/bin/env bash
# Build real container image tarballs with real tools (debootstrap, umoci,
# skopeo) and check the `porthole` CLI against them. The same real image is
# also rewritten (tests/real_images_check.py rewrap, streaming) into layouts no
# tool on this machine writes: crane.tar (`crane pull`), docker25.tar (Docker
# 25+ `docker save`), multiplatform.tar (OCI image index with two platforms and
# an attestation) and classic-docker.tar (docker <= 24, real <id>/layer.tar).
#
# Usage: tests/real-images.sh [--build-only]
#
# Environment:
#   REAL_IMAGES_DIR  work dir (default /tmp/porthole-real-images); built
#                    rootfs, OCI layout and tarballs are reused when present.
#                    Never inside the repository.
#   PORTHOLE         porthole binary (default $CARGO_TARGET_DIR/release/porthole,
#                    else target/release/porthole; relative to the repository root)
#   DEBIAN_MIRROR    override the Debian mirror (default: the Debian main URI
#                    configured in apt's own sources)
#   REAL_IMAGES_REBUILD=1  throw the work dir away and build everything anew
#
# Needs root (debootstrap, umoci unpack as root). Installs debootstrap, umoci,
# skopeo and python3-jsonschema with apt-get when missing.
#
# Prints one PASS/FAIL line per check and finishes with `N passed, M failed`;
# exits non-zero when any check failed.
set -euo pipefail

BUILD_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --build-only) BUILD_ONLY=1 ;;
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "real-images.sh: unknown argument: $arg" >&2; exit 1 ;;
    esac
done

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
CHECKER="$REPO_ROOT/tests/real_images_check.py"
WORK="${REAL_IMAGES_DIR:-/tmp/porthole-real-images}"
PORTHOLE="${PORTHOLE:-${CARGO_TARGET_DIR:-target}/release/porthole}"
case "$PORTHOLE" in
    /*) ;;
    */*) PORTHOLE="$REPO_ROOT/$PORTHOLE" ;;
    *) PORTHOLE="$(command -v "$PORTHOLE" || echo "$PORTHOLE")" ;;
esac

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'real-images.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and umoci unpack need it)"

need_install=()
command -v debootstrap >/dev/null 2>&1 || need_install+=(debootstrap)
command -v umoci >/dev/null 2>&1 || need_install+=(umoci)
command -v skopeo >/dev/null 2>&1 || need_install+=(skopeo)
command -v python3 >/dev/null 2>&1 || need_install+=(python3)
command -v gzip >/dev/null 2>&1 || need_install+=(gzip)
python3 -c 'import jsonschema' >/dev/null 2>&1 || need_install+=(python3-jsonschema)
if [ "${#need_install[@]}" -gt 0 ]; then
    log "installing missing packages: ${need_install[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

WORK="$(realpath -m "$WORK")"
case "$WORK/" in
    "$REPO_ROOT"/*) die "REAL_IMAGES_DIR ($WORK) must not be inside the repository ($REPO_ROOT)" ;;
esac
mkdir -p "$WORK"
if [ "${REAL_IMAGES_REBUILD:-0}" = 1 ]; then
    log "REAL_IMAGES_REBUILD=1: removing $WORK/*"
    rm -rf "${WORK:?}"/* "$WORK"/.[!.]*
fi

ROOTFS="$WORK/debootstrap-rootfs"
OCI="$WORK/oci"
DOCKER_TAR="$WORK/docker.tar"
DOCKER_TGZ="$WORK/docker.tar.gz"
OCI_TAR="$WORK/oci.tar"
OCI_ZSTD_TAR="$WORK/oci-zstd.tar"
EXPECT="$WORK/expected.json"

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$1" "$(now)"; }

# The Debian main URI configured in apt's own sources (deb822 .sources or .list).
debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
    local uri
    # apt itself parses sources.list, sources.list.d/*.list and *.sources.
    uri="$(apt-get indextargets --format '$(TARGET_OF) $(RELEASE) $(COMPONENT) $(REPO_URI)' 2>/dev/null \
        | awk '$1 == "deb" && $2 == "bookworm" && $3 == "main" && $4 ~ /^(https?|file):/ { print $4; exit }')"
    if [ -z "$uri" ]; then
        # Fallback: parse the files ourselves.
        uri="$(python3 - <<'EOF'
import glob, re
cands = []
for f in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    for stanza in re.split(r'\n\s*\n', open(f).read()):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith('#') or not line.strip():
                continue
            if line[0] in ' \t' and key:
                fields[key] += ' ' + line.strip()
                continue
            key, _, val = line.partition(':')
            key = key.strip().lower(); fields[key] = val.strip()
        if fields.get('enabled', 'yes').lower() == 'no':
            continue
        if 'deb' in fields.get('types', '').split() and 'bookworm' in fields.get('suites', '').split() \
                and 'main' in fields.get('components', '').split():
            cands += fields.get('uris', '').split()
for f in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
    try:
        lines = open(f).read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = re.sub(r'\[[^]]*\]', '', line.split('#', 1)[0]).split()
        if len(line) >= 4 and line[0] == 'deb' and line[2] == 'bookworm' and 'main' in line[3:]:
            cands.append(line[1])
cands = [c for c in cands if re.match(r'(https?|file):', c)]
print(cands[0] if cands else '')
EOF
)"
    fi
    [ -n "$uri" ] || die "no Debian bookworm main URI found in apt's sources; set DEBIAN_MIRROR"
    echo "$uri"
}

# ---------------------------------------------------------------- 1. debootstrap
if [ ! -f "$WORK/.debootstrap-done" ]; then
    MIRROR="$(debian_mirror)"
    log "debootstrap --variant=minbase bookworm $ROOTFS $MIRROR"
    rm -rf "$ROOTFS" "$WORK/.oci-done"
    t0="$(now)"
    debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
        || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
    # Drop what a container image normally leaves out.
    rm -rf "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/* \
        "$ROOTFS"/tmp/* "$ROOTFS"/run/* 2>/dev/null || true
    log "debootstrap took $(elapsed "$t0")"
    touch "$WORK/.debootstrap-done"
else
    log "reusing $ROOTFS"
fi

# ---------------------------------------------------------------- 2. umoci layers
# The file layer 2 deletes: the first one that debootstrap minbase produced.
pick_deleted_file() {
    local f
    for f in etc/motd usr/share/doc/base-files/README etc/debian_version; do
        if [ -f "$ROOTFS/$f" ] && [ ! -L "$ROOTFS/$f" ]; then echo "$f"; return; fi
    done
    die "none of the candidate files to delete exist in $ROOTFS"
}

if [ ! -f "$WORK/.oci-done" ]; then
    rm -rf "$OCI" "$WORK/bundle" "$WORK/bundle-final" "$DOCKER_TAR" "$DOCKER_TGZ" \
        "$OCI_TAR" "$OCI_ZSTD_TAR" "$EXPECT" "$WORK"/{crane,docker25,multiplatform,classic-docker}.tar
    DELETED="$(pick_deleted_file)"
    t0="$(now)"
    log "umoci: layer 1 (debootstrap rootfs)"
    umoci init --layout "$OCI"
    umoci new --image "$OCI:base"
    umoci unpack --image "$OCI:base" "$WORK/bundle"
    # tar pipe keeps hard links, device nodes, permissions and xattrs.
    tar -C "$ROOTFS" --numeric-owner --xattrs -cf - . | tar -C "$WORK/bundle/rootfs" --numeric-owner --xattrs -xpf -
    umoci repack --image "$OCI:layer1" \
        --history.created_by "debootstrap --variant=minbase bookworm" \
        --history.comment "porthole real-images layer 1" "$WORK/bundle"
    rm -rf "$WORK/bundle"

    log "umoci: layer 2 (add /opt/porthole-test/hello.txt, delete /$DELETED, modify /etc/issue)"
    umoci unpack --image "$OCI:layer1" "$WORK/bundle"
    mkdir -p "$WORK/bundle/rootfs/opt/porthole-test"
    printf 'hello from porthole real-images test\n' > "$WORK/bundle/rootfs/opt/porthole-test/hello.txt"
    rm -f "$WORK/bundle/rootfs/$DELETED"
    printf 'porthole test image\n' >> "$WORK/bundle/rootfs/etc/issue"
    umoci repack --image "$OCI:test" \
        --history.created_by "porthole-test: add hello.txt, delete /$DELETED, append /etc/issue" \
        "$WORK/bundle"
    rm -rf "$WORK/bundle"

    umoci config --image "$OCI:test" \
        --config.env FOO=bar \
        --config.cmd /bin/sh \
        --config.label org.example=test \
        --config.user root \
        --config.workingdir / \
        --history.created_by "umoci config"
    umoci rm --image "$OCI:base"
    umoci rm --image "$OCI:layer1"
    umoci gc --layout "$OCI"
    log "umoci took $(elapsed "$t0")"

    # ------------------------------------------------------------ expected values
    log "umoci unpack of the final image for the expected file count"
    umoci unpack --image "$OCI:test" "$WORK/bundle-final"
    REGULAR="$(find "$WORK/bundle-final/rootfs" -type f | wc -l)"
    python3 - "$EXPECT" "$REGULAR" "$DELETED" <<'EOF'
import json, sys
path, regular, deleted = sys.argv[1], int(sys.argv[2]), sys.argv[3]
json.dump({"regular_files": regular, "deleted_file": "/" + deleted,
           "added_file": "/opt/porthole-test/hello.txt", "modified_file": "/etc/issue",
           "layers": 2, "deleted_in_layer": 1, "os_release_id": "debian", "env": "FOO=bar",
           "user": "root", "cmd": ["/bin/sh"], "working_dir": "/",
           "labels": {"org.example": "test"}}, open(path, "w"), indent=1)
EOF
    rm -rf "$WORK/bundle-final"
    touch "$WORK/.oci-done"
else
    log "reusing $OCI"
fi

# ---------------------------------------------------------------- 3. skopeo
t0="$(now)"
built_any=0
if [ ! -s "$DOCKER_TAR" ]; then
    log "skopeo copy oci:$OCI:test docker-archive:$DOCKER_TAR:porthole/test:latest"
    rm -f "$DOCKER_TAR.part" "$DOCKER_TGZ"
    skopeo copy --quiet "oci:$OCI:test" "docker-archive:$DOCKER_TAR.part:porthole/test:latest"
    mv "$DOCKER_TAR.part" "$DOCKER_TAR"; built_any=1
fi
if [ ! -s "$OCI_TAR" ]; then
    log "skopeo copy oci:$OCI:test oci-archive:$OCI_TAR"
    rm -f "$OCI_TAR.part"
    skopeo copy --quiet "oci:$OCI:test" "oci-archive:$OCI_TAR.part"
    mv "$OCI_TAR.part" "$OCI_TAR"; built_any=1
fi
if [ ! -s "$OCI_ZSTD_TAR" ]; then
    log "skopeo copy --dest-compress --dest-compress-format zstd oci:$OCI:test oci-archive:$OCI_ZSTD_TAR:porthole-test"
    rm -f "$OCI_ZSTD_TAR.part"
    skopeo copy --quiet --dest-compress --dest-compress-format zstd \
        "oci:$OCI:test" "oci-archive:$OCI_ZSTD_TAR.part:porthole-test"
    mv "$OCI_ZSTD_TAR.part" "$OCI_ZSTD_TAR"; built_any=1
fi
if [ ! -s "$DOCKER_TGZ" ]; then
    log "gzip -n -c $DOCKER_TAR > $DOCKER_TGZ"
    gzip -n -c "$DOCKER_TAR" > "$DOCKER_TGZ.part"
    mv "$DOCKER_TGZ.part" "$DOCKER_TGZ"; built_any=1
fi
[ "$built_any" = 1 ] && log "skopeo/gzip took $(elapsed "$t0")"

# ---------------------------------------------------------------- 3b. rewrap
# The same real image in layouts no tool here writes, built in code from oci.tar
# (streamed member by member; each copied blob is re-hashed against its digest).
# Reused when present and newer than oci.tar.
REWRAP_KINDS=(crane docker25 multiplatform classic-docker)
t0="$(now)"
rewrapped=0
for kind in "${REWRAP_KINDS[@]}"; do
    dst="$WORK/$kind.tar"
    if [ -s "$dst" ] && [ ! "$OCI_TAR" -nt "$dst" ]; then continue; fi
    log "rewrap $OCI_TAR -> $dst"
    python3 "$CHECKER" rewrap "$OCI_TAR" "$kind" "$dst" >&2
    rewrapped=1
done
[ "$rewrapped" = 1 ] && log "rewrap took $(elapsed "$t0")"

# ---------------------------------------------------------------- 3c. one package upgraded
# A copy of the image with one real package upgraded by dpkg itself: the same files repacked
# under a higher version (plus one new file), installed with `dpkg --root`, as a new layer.
# `porthole diff` must name the upgrade, dpkg's database and the files it changed.
UPGRADED_TAR="$WORK/upgraded.tar"
UPGRADE_INFO="$WORK/upgraded.json"
if [ ! -s "$UPGRADED_TAR" ] || [ "$OCI_TAR" -nt "$UPGRADED_TAR" ]; then
    t0="$(now)"
    up="$WORK/upgrade"
    rm -rf "$up" && mkdir -p "$up"
    cp -a "$OCI" "$up/oci"
    umoci unpack --image "$up/oci:test" "$up/bundle"
    root="$up/bundle/rootfs"
    pkg=hostname
    old="$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' "$pkg")"
    new="$old+porthole1"
    mkdir -p "$up/deb/DEBIAN"
    dpkg-query --admindir="$root/var/lib/dpkg" -L "$pkg" | while read -r f; do
        if [ -f "$root$f" ] && [ ! -L "$root$f" ]; then
            mkdir -p "$up/deb$(dirname "$f")" && cp -a "$root$f" "$up/deb$f"
        fi
    done
    mkdir -p "$up/deb/usr/share/doc/$pkg"
    printf 'rebuilt by porthole tests/real-images.sh\n' > "$up/deb/usr/share/doc/$pkg/porthole-upgrade.txt"
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: porthole tests <tests@example.invalid>\nDescription: %s, version bumped by the tests\n' \
        "$pkg" "$new" "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Architecture}' "$pkg")" "$pkg" \
        > "$up/deb/DEBIAN/control"
    dpkg-deb --root-owner-group --build "$up/deb" "$up/$pkg.deb" >&2
    dpkg --root="$root" --force-script-chrootless --log=/dev/null -i "$up/$pkg.deb" >&2
    umoci repack --image "$up/oci:upgraded" --history.created_by "dpkg -i $pkg $new" "$up/bundle"
    rm -f "$UPGRADED_TAR.part"
    skopeo copy --quiet "oci:$up/oci:upgraded" "oci-archive:$UPGRADED_TAR.part"
    mv "$UPGRADED_TAR.part" "$UPGRADED_TAR"
    printf '{"package": "%s", "from": "%s", "to": "%s"}\n' "$pkg" "$old" "$new" > "$UPGRADE_INFO"
    rm -rf "$up"
    log "upgraded copy took $(elapsed "$t0")"
fi

# Derived broken inputs (cheap, always rebuilt).
TAMPERED="$WORK/oci-tampered.tar"
TAMPER_INFO="$WORK/oci-tampered.json"
TRUNCATED="$WORK/docker-truncated.tar"
python3 "$CHECKER" tamper "$OCI_TAR" "$TAMPERED" > "$TAMPER_INFO"
size="$(stat -c %s "$DOCKER_TAR")"
head -c "$((size * 60 / 100))" "$DOCKER_TAR" > "$TRUNCATED"

log "expected: $(tr -d '\n' < "$EXPECT")"
log "images:"
ls -l "$DOCKER_TAR" "$DOCKER_TGZ" "$OCI_TAR" "$OCI_ZSTD_TAR" "$TAMPERED" "$TRUNCATED" \
    "$WORK"/{crane,docker25,multiplatform,classic-docker}.tar >&2

if [ "$BUILD_ONLY" = 1 ]; then
    log "--build-only: not running porthole"
    exit 0
fi

# ---------------------------------------------------------------- 4. checks
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'PASS: %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL: %s\n' "$*"; }

# Runs the checker and adds its PASS/FAIL lines to the counts.
run_checker() {
    local out rc=0
    out="$(python3 "$CHECKER" "$@" 2>&1)" || rc=$?
    [ -n "$out" ] && printf '%s\n' "$out"
    PASSED=$((PASSED + $(printf '%s\n' "$out" | grep -c '^PASS: ' || true)))
    FAILED=$((FAILED + $(printf '%s\n' "$out" | grep -c '^FAIL: ' || true)))
    if [ "$rc" -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL: '; then
        fail "checker crashed (exit $rc) for: $*"
    fi
}

SCHEMA="$REPO_ROOT/docs/report.schema.json"
SCHEMA_ARGS=()
[ -f "$SCHEMA" ] && SCHEMA_ARGS=(--schema "$SCHEMA")

OUT="$WORK/out"
mkdir -p "$OUT"

if [ ! -x "$PORTHOLE" ]; then
    fail "porthole binary $PORTHOLE exists and is executable (build it first, or set PORTHOLE)"
else
    pass "porthole binary $PORTHOLE exists"
    # name:file:kind — kind tells the checker which digest checks must be verified
    # (and, for the rewrap layouts, which extra checks apply).
    for spec in docker:"$DOCKER_TAR":docker docker-gz:"$DOCKER_TGZ":docker \
                oci:"$OCI_TAR":oci oci-zstd:"$OCI_ZSTD_TAR":oci \
                crane:"$WORK/crane.tar":crane docker25:"$WORK/docker25.tar":docker25 \
                multiplatform:"$WORK/multiplatform.tar":multiplatform \
                classic-docker:"$WORK/classic-docker.tar":classic-docker; do
        name="${spec%%:*}"; rest="${spec#*:}"; file="${rest%:*}"; kind="${rest##*:}"
        rc=0
        t0="$(now)"
        "$PORTHOLE" inspect "$file" --json > "$OUT/$name.json" 2> "$OUT/$name.stderr" || rc=$?
        printf '   (%s: porthole took %s)\n' "$name" "$(elapsed "$t0")"
        run_checker report --name "$name" --kind "$kind" --rc "$rc" --expect "$EXPECT" \
            --stderr "$OUT/$name.stderr" --archive "$file" "${SCHEMA_ARGS[@]}" "$OUT/$name.json"
    done

    # Multi-platform: --platform picks the (same) manifest listed for linux/arm64/v8 ...
    MULTI="$WORK/multiplatform.tar"
    rc=0
    "$PORTHOLE" inspect "$MULTI" --json --platform linux/arm64 \
        > "$OUT/multiplatform-arm64.json" 2> "$OUT/multiplatform-arm64.stderr" || rc=$?
    run_checker report --name "multiplatform --platform linux/arm64" --kind multiplatform \
        --rc "$rc" --expect "$EXPECT" --stderr "$OUT/multiplatform-arm64.stderr" --archive "$MULTI" \
        --expect-platform linux/arm64/v8 "${SCHEMA_ARGS[@]}" "$OUT/multiplatform-arm64.json"
    # ... and a platform the index does not offer is refused (exit 2), naming the others.
    rc=0
    "$PORTHOLE" inspect "$MULTI" --json --platform linux/s390x \
        > "$OUT/multiplatform-s390x.json" 2> "$OUT/multiplatform-s390x.stderr" || rc=$?
    run_checker refused --name "multiplatform --platform linux/s390x" --rc "$rc" --want-rc 2 \
        --platforms linux/amd64,linux/arm64/v8 --stderr "$OUT/multiplatform-s390x.stderr" \
        "$OUT/multiplatform-s390x.json"

    # Tamper case: one flipped byte in the largest layer blob -> exit 3.
    rc=0
    "$PORTHOLE" inspect "$TAMPERED" --json > "$OUT/tampered.json" 2> "$OUT/tampered.stderr" || rc=$?
    run_checker tampered --rc "$rc" --info "$TAMPER_INFO" --stderr "$OUT/tampered.stderr" \
        "${SCHEMA_ARGS[@]}" "$OUT/tampered.json"

    # Truncation case: docker.tar cut at 60% (manifest.json is written last) -> exit 2.
    rc=0
    "$PORTHOLE" inspect "$TRUNCATED" --json > "$OUT/truncated.json" 2> "$OUT/truncated.stderr" || rc=$?
    if [ "$rc" -eq 2 ]; then pass "truncated docker.tar: exit code 2"
    else fail "truncated docker.tar: exit code 2 (got $rc)"; fi
    if [ -s "$OUT/truncated.stderr" ]; then
        pass "truncated docker.tar: stderr names the problem: $(head -c 200 "$OUT/truncated.stderr" | head -n 1)"
    else
        fail "truncated docker.tar: non-empty stderr message"
    fi
fi

# porthole diff: the same real image in every packaging is equal (exit 0); the copy with one
# package upgraded by dpkg differs in that package, dpkg's status and the files (exit 1); the
# tampered archive is trouble (exit 2).
if [ "$BUILD_ONLY" = 0 ] && [ -x "$PORTHOLE" ]; then
    for other in "$DOCKER_TGZ" "$OCI_ZSTD_TAR" "$WORK/crane.tar" "$WORK/classic-docker.tar"; do
        rc=0
        "$PORTHOLE" diff "$OCI_TAR" "$other" --json > "$OUT/diff-equal.json" 2>&1 || rc=$?
        if [ "$rc" -eq 0 ]; then pass "diff oci.tar $(basename "$other"): equal (exit 0)"
        else fail "diff oci.tar $(basename "$other"): equal (exit $rc): $(head -c 400 "$OUT/diff-equal.json")"; fi
    done
    rc=0
    "$PORTHOLE" diff "$OCI_TAR" "$UPGRADED_TAR" --json > "$OUT/diff-upgraded.json" 2> "$OUT/diff-upgraded.stderr" || rc=$?
    run_checker diff-upgraded --rc "$rc" --info "$UPGRADE_INFO" --schema "$REPO_ROOT/docs/diff.schema.json" \
        "$OUT/diff-upgraded.json"
    rc=0
    "$PORTHOLE" diff "$OCI_TAR" "$TAMPERED" --json > "$OUT/diff-tampered.json" 2>/dev/null || rc=$?
    if [ "$rc" -eq 2 ]; then pass "diff oci.tar oci-tampered.tar: trouble (exit 2)"
    else fail "diff oci.tar oci-tampered.tar: trouble (exit 2, got $rc)"; fi
fi

# Packages: the dpkg list porthole reads from the image must equal dpkg-query's on the rootfs
# (layer 2 does not touch the dpkg database, so the debootstrap rootfs holds the same one).
if [ "$BUILD_ONLY" = 0 ] && command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query --admindir="$ROOTFS/var/lib/dpkg" -W -f '${Package} ${Version}\n' | sort > "$OUT/dpkg-query.txt"
    for f in oci.tar docker.tar.gz oci-zstd.tar; do
        "$PORTHOLE" inspect "$WORK/$f" --json > "$OUT/packages-$f.json" 2>/dev/null || true
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("".join(sorted(p["name"]+" "+p["version"]+"\n" for p in r["images"][0]["packages"] if p["type"]=="deb")), end="")' \
            "$OUT/packages-$f.json" > "$OUT/packages-$f.txt"
        if cmp -s "$OUT/dpkg-query.txt" "$OUT/packages-$f.txt"; then
            pass "$f: deb packages equal dpkg-query's list ($(wc -l < "$OUT/dpkg-query.txt") packages)"
        else
            fail "$f: deb packages differ from dpkg-query's list: $(diff "$OUT/dpkg-query.txt" "$OUT/packages-$f.txt" | head -n 5 | tr '\n' ' ')"
        fi
    done
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
