#!/usr/bin/env bash
# Installs what porthole's build and tests need on a fresh Debian 12 machine. Idempotent:
# each step is skipped when its result is already there. Only package registries are used
# (Debian, crates.io, PyPI, npm).
#
#   scripts/setup.sh          toolchain for building the CLI and the page (wasm target, wasm-bindgen,
#                             clang and llvm-ar for the C of libzstd in the wasm build)
#   scripts/setup.sh --tests  also the packages the tests use (debootstrap, umoci, skopeo, jsonschema,
#                             chromium for the browser tests, node/npm for playwright-core,
#                             docker-registry, apache2-utils and python3-cryptography for the
#                             registry tests; python3-apt, python3-packaging, python3-rpm, a JRE and
#                             maven-artifact: the reference version orderings; openssl for the
#                             signature tests' keys and signatures; npm ci)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--tests" ] && want_tests=1

# clang and llvm (llvm-ar): the page's wasm32 build compiles libzstd (C, through zstd-sys) with
# them (.cargo/config.toml); gcc has no wasm target.
apt_pkgs=(python3 openssl clang llvm)
if [ "$want_tests" = 1 ]; then
    apt_pkgs+=(debootstrap umoci skopeo python3-jsonschema gzip chromium docker-registry apache2-utils python3-cryptography nginx rpm db5.3-util sqlite3 zip unzip libcommons-io-java libguava-java python3-apt python3-packaging python3-rpm default-jre-headless libmaven3-core-java openssl)
    command -v npm >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python modules the test scripts import, pinned (PyPI): whichever python3 is first on PATH.
if [ "$want_tests" = 1 ] && ! python3 -c 'import jsonschema, cryptography, cyclonedx, spdx_tools' 2>/dev/null; then
    echo "setup: pip install the test scripts' Python modules"
    python3 -m pip install -q --disable-pip-version-check \
        "jsonschema>=4.17,<5" "cryptography>=38" "cyclonedx-python-lib==11.12.0" "spdx-tools==0.8.5"
fi

# The wasm target is not added automatically here (RUSTUP_AUTO_INSTALL=0).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "setup: cargo install wasm-bindgen-cli $want (a few minutes)"
    cargo install wasm-bindgen-cli --version "$want" --locked
fi

# cargo-auditable builds the Rust executable the package tests read (tests/auditable).
if [ "$want_tests" = 1 ] && ! command -v cargo-auditable >/dev/null 2>&1; then
    echo "setup: cargo install cargo-auditable (about a minute)"
    cargo install cargo-auditable --version 0.7.7 --locked
fi

# The npm packages the tests use (playwright-core for the browser tests; semver, npm's own
# version order, which tests/version_orderings.rs compares with; @sigstore/sign, /mock and
# /verify, which make and judge the Sigstore bundles tests/trust.rs checks): before the Rust
# tests run.
if [ "$want_tests" = 1 ] && { [ ! -d node_modules/semver ] || [ ! -d node_modules/@sigstore/verify ]; }; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund
fi
