#!/bin/sh
# test_format.sh SRCDIR — every C file of the project is formatted by the repository's
# .clang-format (run `clang-format -i` on a file this names to fix it).
set -eu
cd "$1"
files=$(find common pam_sendsec sasl_sendsec tools tests -name '*.[ch]' | sort)
bad=0
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f"
		bad=1
	fi
done
[ "$bad" = 0 ] && echo "ok: $(echo "$files" | wc -l) files formatted"
exit "$bad"
