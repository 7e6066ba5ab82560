#!/bin/sh
# Builds real rpm packages with Debian's rpmbuild and installs them (--justdb) into an SQLite
# rpm database with Debian's rpm 4.18. Writes, under OUT:
#   sqlite/rpmdb.sqlite   the database rpm wrote
#   blobs.txt             "hnum|HEX" per header blob, as stored (for the Berkeley DB and ndb
#                         databases the tests build from the same blobs)
#   expected.txt          `rpm -qa` from that database: name [epoch:]version-release arch license srpm
# Usage: tests/rpm/make-rpmdb.sh OUT
set -eu
out=$1
rm -rf "$out"
mkdir -p "$out/top/SPECS"
top=$(cd "$out" && pwd)/top

# One spec with an epoch, an arch-specific main package and 150 noarch subpackages (enough to
# need interior b-tree pages); every fifth subpackage has a long description, so its header
# blob needs overflow pages.
long=$(i=0; while [ $i -lt 300 ]; do printf 'A long description line to push the header past one page. '; i=$((i+1)); done)
{
  cat <<SPEC
Name: porthole-base
Version: 4.18.0
Release: 7.fc40
Epoch: 3
Summary: base
License: GPL-2.0-or-later AND (MIT OR Apache-2.0)
%description
base
%install
mkdir -p %{buildroot}/usr/share/porthole
echo base > %{buildroot}/usr/share/porthole/base
SPEC
  i=1
  while [ $i -le 150 ]; do
    printf '%%package -n porthole-sub%03d\nSummary: sub %d\nLicense: BSD-3-Clause\nBuildArch: noarch\n' $i $i
    if [ $((i % 5)) -eq 0 ]; then
      printf '%%description -n porthole-sub%03d\n%s\n' $i "$long"
    else
      printf '%%description -n porthole-sub%03d\nsub %d\n' $i $i
    fi
    i=$((i+1))
  done
  printf '%%files\n/usr/share/porthole/base\n'
  i=1
  while [ $i -le 150 ]; do
    printf '%%files -n porthole-sub%03d\n' $i
    i=$((i+1))
  done
} > "$top/SPECS/base.spec"

cat > "$top/SPECS/plain.spec" <<'SPEC'
Name: porthole-plain
Version: 0.9
Release: 1
Summary: no epoch
License: Zlib
BuildArch: noarch
%description
plain
%files
SPEC

for s in base plain; do
  rpmbuild --quiet --define "_topdir $top" -bb "$top/SPECS/$s.spec" >/dev/null 2>&1 ||
    rpmbuild --define "_topdir $top" -bb "$top/SPECS/$s.spec"
done

db=$(cd "$out" && pwd)/sqlite
rpmdb() { rpm --dbpath "$db" --define '_db_backend sqlite' "$@"; }
rpmdb --initdb
# Debian's rpm warns that it is not the system's package manager; the warning is expected.
rpmdb -i --justdb --nodeps --ignorearch --noscripts "$top"/RPMS/*/*.rpm 2>/dev/null
rpmdb -qa --qf '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\n' 2>/dev/null |
  LC_ALL=C sort > "$out/expected.txt"
sqlite3 "$db/rpmdb.sqlite" 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum' > "$out/blobs.txt"
test "$(wc -l < "$out/expected.txt")" -eq 152
