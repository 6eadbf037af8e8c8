#!/bin/sh
# check-spec.sh — check packaging/rpm/sendsec.spec on a Debian host: rpmspec -P must parse it,
# then rpmbuild -bb --nodeps builds it from a tarball of the tree (git-known files, as
# packaging/debian/build-debs.sh copies them) with stand-ins for the %meson macros that Fedora's
# meson package provides and Debian's rpm lacks. rpmbuild fails on a %files entry that the
# meson install did not produce and on an installed file no %files claims; then each manual page
# must be in the package it documents (rpm -qlp).
# Exit 77 when rpm is not installed. Nothing outside a temp dir is written.
set -eu
command -v rpmspec >/dev/null 2>&1 && command -v rpmbuild >/dev/null 2>&1 || { echo "SKIP: rpm is not installed"; exit 77; }
src=$(cd "$(dirname "$0")/../.." && pwd)
spec=$src/packaging/rpm/sendsec.spec
tmp=$(mktemp -d /tmp/sendsec-rpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

rpmspec -P "$spec" >"$tmp/parsed" || { echo "FAIL: rpmspec -P"; exit 1; }
echo "ok: rpmspec -P parses sendsec.spec"
version=$(rpmspec -q --srpm --qf '%{version}' "$spec" 2>/dev/null)
mkdir -p "$tmp/top/SOURCES" "$tmp/stage/sendsec-$version"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		tar -C "$src" --null --no-recursion --ignore-failed-read -T - -cf - 2>/dev/null |
		tar -C "$tmp/stage/sendsec-$version" -xf -
else
	tar -C "$src" --exclude='./build*' --exclude='./.git' -cf - . | tar -C "$tmp/stage/sendsec-$version" -xf -
fi
tar -C "$tmp/stage" -czf "$tmp/top/SOURCES/sendsec-$version.tar.gz" "sendsec-$version"
if ! rpmbuild -bb --nodeps --define "_topdir $tmp/top" --define '_vpath_builddir rpm-build' \
	--define 'meson meson setup --buildtype=plain --prefix=%{_prefix} --libdir=%{_libdir} --sbindir=%{_sbindir} --datadir=%{_datadir} --mandir=%{_mandir} --sysconfdir=%{_sysconfdir} --wrap-mode=nodownload %{_vpath_builddir}' \
	--define 'meson_build meson compile -C %{_vpath_builddir}' \
	--define 'meson_install DESTDIR=%{buildroot} meson install -C %{_vpath_builddir} --no-rebuild' \
	"$spec" >"$tmp/build.log" 2>&1; then
	echo "FAIL: rpmbuild -bb"; tail -n 40 "$tmp/build.log" | sed 's/^/  /'; exit 1
fi
for rpm in "$tmp"/top/RPMS/*/*.rpm; do
	echo "ok: built $(basename "$rpm")"
done
# Each manual page ships with the package it documents, and only there.
fail=0
for page in pam_sendsec:man8/pam_sendsec.8 cyrus-sasl-sendsec:man8/sendsec-sasl.8 \
	sendsec:man8/sendsecctl.8 sendsec:man5/sendsec.conf.5; do
	want=${page%%:*} f=${page#*:}
	owners=$(for rpm in "$tmp"/top/RPMS/*/*.rpm; do
		if rpm -qlp "$rpm" 2>/dev/null | grep -q "/man/$f\(\.gz\|\.xz\|\.bz2\)\?$"; then
			rpm -qp --qf '%{name} ' "$rpm" 2>/dev/null
		fi
	done)
	if [ "$owners" = "$want " ]; then
		echo "ok: $f is in $want"
	else
		echo "FAIL: $f is in '${owners% }', wanted $want"; fail=1
	fi
done
exit $fail
