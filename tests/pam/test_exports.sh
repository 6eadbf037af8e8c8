#!/bin/sh
# test_exports.sh MODULE.so — the PAM module exports pam_sm_* and nothing else: every defined
# dynamic symbol except the version node itself (type A) must be a pam_sm_ function, and the four
# entry points libpam looks up must all be there.
set -eu
[ $# -eq 1 ] || { echo "usage: test_exports.sh MODULE.so" >&2; exit 2; }
so=$1
syms=$(nm -D --defined-only "$so") || { echo "nm failed on $so" >&2; exit 1; }
bad=$(printf '%s\n' "$syms" | awk '$2 != "A" && $3 !~ /^pam_sm_(authenticate|setcred|acct_mgmt|chauthtok|open_session|close_session)$/')
if [ -n "$bad" ]; then
	echo "FAIL: $so exports more than pam_sm_*:" >&2
	printf '%s\n' "$bad" >&2
	exit 1
fi
for f in pam_sm_authenticate pam_sm_setcred pam_sm_acct_mgmt pam_sm_chauthtok; do
	printf '%s\n' "$syms" | awk -v f="$f" '$2 == "T" && $3 == f { found = 1 } END { exit !found }' || {
		echo "FAIL: $so does not export $f" >&2
		exit 1
	}
done
echo "ok: $so exports only pam_sm_*"
