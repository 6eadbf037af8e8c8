#!/bin/sh
# test_manpages.sh PAGE… — render every man page as man(1) does and fail on any groff/man
# warning (unknown macro, bad escape, line that cannot be adjusted, missing .TH…).
# Registered from packaging/meson.build (suite docs) with the pages that exist.
set -u
[ $# -gt 0 ] || { echo "usage: test_manpages.sh PAGE..." >&2; exit 2; }
command -v man >/dev/null 2>&1 || { echo "SKIP: man(1) is not installed"; exit 77; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail=0
for page in "$@"; do
	if [ ! -r "$page" ]; then
		echo "FAIL: $page: not readable"; fail=1; continue
	fi
	if ! grep -q '^\.TH ' "$page"; then
		echo "FAIL: $page: no .TH line"; fail=1; continue
	fi
	# The same width on every runner, and UTF-8 input so that preconv handles comments with
	# non-ASCII characters the way man does on a terminal.
	if ! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 "$page" >/dev/null 2>"$err"; then
		echo "FAIL: $page: man exited with an error"; sed 's/^/  /' "$err"; fail=1; continue
	fi
	if [ -s "$err" ]; then
		echo "FAIL: $page: warnings"; sed 's/^/  /' "$err"; fail=1; continue
	fi
	echo "ok: $page"
done
exit $fail
