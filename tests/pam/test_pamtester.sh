#!/bin/sh
# test_pamtester.sh MODULE.so — pamtester (a real PAM application) under pam_wrapper with a
# service directory of our own: right password ⇒ exit 0, wrong password ⇒ exit 1. Run through
# with-slapd.sh. Passwords go to pamtester on stdin from files, never through argv or output.
set -eu
[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_pamtester.sh MODULE.so" >&2; exit 2; }
module=$1
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
wrapper=$(ldconfig -p | awk '/libpam_wrapper\.so / { print $NF; exit }')
[ -n "$wrapper" ] || wrapper=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so
dir=$(mktemp -d /tmp/sendsec-pamtester.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/services"
printf 'auth required %s config=%s methods=password\naccount required %s config=%s methods=password\n' \
	"$module" "$SENDSEC_TEST_CONF" "$module" "$SENDSEC_TEST_CONF" >"$dir/services/sendsec-test"
(umask 077 && printf '%s\n' 'alice-Passw0rd!' >"$dir/right" && printf '%s\n' 'alice-Wrong0rd!' >"$dir/wrong")

run() { # USER PASSWORD-FILE OPERATIONS…
	user=$1 pwfile=$2
	shift 2
	LD_PRELOAD="$wrapper" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$dir/services" \
		pamtester sendsec-test "$user" "$@" <"$pwfile" >"$dir/out" 2>&1
}

fail=0
if run alice "$dir/right" authenticate acct_mgmt; then
	echo "ok: right password accepted"
else
	echo "FAIL: right password refused (exit $?)"; sed 's/^/  /' "$dir/out"; fail=1
fi
rc=0
run alice "$dir/wrong" authenticate || rc=$?
if [ $rc -eq 1 ] && grep -q 'Authentication failure' "$dir/out"; then
	echo "ok: wrong password refused"
else
	echo "FAIL: wrong password: exit $rc"; sed 's/^/  /' "$dir/out"; fail=1
fi
rc=0
run nobody "$dir/right" authenticate || rc=$?
if [ $rc -eq 1 ] && grep -q 'User not known' "$dir/out"; then
	echo "ok: unknown user refused"
else
	echo "FAIL: unknown user: exit $rc"; sed 's/^/  /' "$dir/out"; fail=1
fi
exit $fail
