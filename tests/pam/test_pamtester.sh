#!/bin/sh
# test_pamtester.sh MODULE.so — pamtester (a real PAM application) under pam_wrapper with a
# service directory of our own: right password ⇒ exit 0, wrong password ⇒ exit 1. Run through
# with-slapd.sh. Passwords go to pamtester on stdin from files, never through argv or output.
set -eu
[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_pamtester.sh MODULE.so" >&2; exit 2; }
module=$1
. "$(dirname "$0")/pamtester_lib.sh"
pamtester_init pamtester
printf 'auth required %s config=%s methods=password\naccount required %s config=%s methods=password\n' \
	"$module" "$SENDSEC_TEST_CONF" "$module" "$SENDSEC_TEST_CONF" >"$dir/services/sendsec-test"
(umask 077 && printf '%s\n' 'alice-Passw0rd!' >"$dir/right" && printf '%s\n' 'alice-Wrong0rd!' >"$dir/wrong")

run() { # USER PASSWORD-FILE OPERATIONS…
	user=$1 pwfile=$2
	shift 2
	pamtester_run sendsec-test "$user" "$@" <"$pwfile"
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
