#!/bin/sh
# build-debs.sh OUTDIR — build the sendsec .debs (libpam-sendsec, libsasl2-modules-sendsec,
# sendsec-tools) from a copy of this source tree and leave them in OUTDIR.
#
# The shared tree is never written to: the files git knows about (tracked, and untracked but not
# ignored, so that work in progress is packaged as it is built and tested here) are copied into
# a temp dir, packaging/debian becomes debian/ there, and dpkg-buildpackage -b runs in it.
# Needs debhelper, dpkg-dev and the build dependencies (scripts/install-deps.sh).
# SENDSEC_DEB_JOBS=N limits the parallel compile jobs (default: all cores).
set -eu
[ $# -eq 1 ] || { echo "usage: build-debs.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$src/meson.build" ] && [ -d "$src/packaging/debian" ] || { echo "build-debs.sh: no source tree at $src" >&2; exit 2; }

tmp=$(mktemp -d /tmp/sendsec-debs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
tree="$tmp/sendsec-$version"
mkdir "$tree"

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Deleted-but-tracked files are skipped (--ignore-failed-read); build dirs are ignored by
	# .gitignore and so never listed.
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		tar -C "$src" --null --no-recursion --ignore-failed-read -T - -cf - 2>/dev/null |
		tar -C "$tree" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$tree" -xf -
fi
rm -rf "$tree/debian"
cp -a "$src/packaging/debian" "$tree/debian"
chmod +x "$tree/debian/rules"

jobs=${SENDSEC_DEB_JOBS:-$(nproc)}
echo "build-debs.sh: building sendsec $version in $tree ($jobs jobs)"
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"$jobs") >"$tmp/build.log" 2>&1 || {
	echo "build-debs.sh: dpkg-buildpackage failed; the last lines of its log:" >&2
	tail -n 60 "$tmp/build.log" >&2
	exit 1
}
n=0
for deb in "$tmp"/*.deb; do
	[ -e "$deb" ] || continue
	cp "$deb" "$out/"
	echo "build-debs.sh: $out/$(basename "$deb")"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "build-debs.sh: no .deb was built" >&2; exit 1; }
