#!/usr/bin/env bash
# Throughput of `porthole inspect` on a generated image, next to the native tools a user
# would otherwise run on the same file. Not a test: numbers vary with the machine.
#
#   scripts/bench.sh [SIZE_MB]     (default 1024; the image is generated, never committed)
#
# Reports MB/s of the input file for:
#   porthole inspect           (verify blob sha256 + gunzip + verify diff_id + tar walk + merge)
#   tar -xOf | sha256sum       (reading the outer tar and hashing the layer blob)
#   gzip -dc | sha256sum       (decompressing the layer and hashing it: porthole's core work)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-1024}"
dir="${BENCH_DIR:-/tmp/porthole-bench}"
mkdir -p "$dir"
img="$dir/big-$mb.tar"
cargo build --release --quiet --bin porthole
cargo build --release --quiet --features fixtures --bin porthole-fixture
if [ ! -f "$img" ]; then
    echo "generating a ~$mb MB (uncompressed) image at $img"
    target/release/porthole-fixture big "$img" "$mb" >/dev/null
fi
size=$(stat -c %s "$img")
layer=$(tar -tf "$img" | while read -r n; do s=$(tar -tvf "$img" "$n" | awk '{print $3}'); echo "$s $n"; done | sort -n | tail -1 | awk '{print $2}')

rate() { awk -v b="$size" -v s="$1" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }'; }
timeit() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "input: $img ($((size / 1000000)) MB, largest entry $layer)"
t=$(timeit target/release/porthole inspect "$img")
peak=$( { /usr/bin/time -f '%M' target/release/porthole inspect "$img" >/dev/null; } 2>&1 | tail -1)
echo "porthole inspect:          ${t}s  $(rate "$t")  peak RSS ${peak} KB"
t=$(timeit bash -c "tar -xOf '$img' '$layer' | sha256sum")
echo "tar -xOf | sha256sum:      ${t}s  $(rate "$t")"
t=$(timeit bash -c "tar -xOf '$img' '$layer' | gzip -dc | sha256sum")
echo "tar -xOf | gzip -dc | sha256sum: ${t}s  $(rate "$t")"
gzip -c "$img" > "$dir/big-$mb.tar.gz" 2>/dev/null || true
gsize=$(stat -c %s "$dir/big-$mb.tar.gz")
start=$(date +%s.%N); target/release/porthole inspect "$dir/big-$mb.tar.gz" >/dev/null; end=$(date +%s.%N)
awk -v a="$start" -v b="$end" -v s="$gsize" 'BEGIN { printf "porthole inspect (whole tarball gzipped, streamed): %.2fs  %.0f MB/s of gzipped input\n", b - a, s / 1e6 / (b - a) }'
