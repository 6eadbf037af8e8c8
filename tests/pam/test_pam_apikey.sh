#!/bin/sh
# test_pam_apikey.sh MODULE.so SENDSECCTL — API keys through PAM: pamtester (a real PAM
# application) under pam_wrapper with our own service directory. A key created by sendsecctl logs
# in as user "apikey" and PAM_USER becomes the account (acct_mgmt then checks alice, which only
# succeeds if PAM_USER was changed); a key with a wrong check character and an unknown user both
# exit 1. Run through with-slapd.sh. Keys travel in 0600 files on stdin, never argv or output.
set -eu
[ $# -eq 2 ] || { echo "usage: with-slapd.sh test_pam_apikey.sh MODULE.so SENDSECCTL" >&2; exit 2; }
module=$1 ctl=$2
. "$(dirname "$0")/pamtester_lib.sh"
umask 077
pamtester_init pamkey
# The fixture's config with API keys on this service (the default methods take none).
conf=$dir/sendsec.conf
{ cat "$SENDSEC_TEST_CONF"; printf '[service sendsec-test]\nmethods password+totp apikey\n'; } >"$conf"
printf 'auth required %s config=%s\naccount required %s config=%s\n' \
	"$module" "$conf" "$module" "$conf" >"$dir/services/sendsec-test"
"$ctl" --config "$conf" key create alice --scope sendsec-test >"$dir/key" 2>"$dir/err" || {
	echo "FAIL: sendsecctl key create"; sed 's/^/  /' "$dir/err"; exit 1
}
# The same key with its last (check) character changed.
sed 's/.$//' "$dir/key" | tr -d '\n' >"$dir/bad"
if [ "$(tail -c 2 "$dir/key" | head -c 1)" = A ]; then printf 'B\n' >>"$dir/bad"; else printf 'A\n' >>"$dir/bad"; fi

run() { # USER KEY-FILE OPERATIONS…
	user=$1 keyfile=$2
	shift 2
	pamtester_run -v sendsec-test "$user" "$@" <"$keyfile"
}

fail=0
if run apikey "$dir/key" authenticate acct_mgmt; then
	echo "ok: key accepted for user apikey, account checks pass for the account"
else
	echo "FAIL: key refused (exit $?)"; grep -v ssk_ "$dir/out" | sed 's/^/  /'; fail=1
fi
rc=0
run apikey "$dir/bad" authenticate || rc=$?
if [ $rc -eq 1 ] && grep -q 'Authentication failure' "$dir/out"; then
	echo "ok: key with a bad check character refused"
else
	echo "FAIL: bad key: exit $rc"; grep -v ssk_ "$dir/out" | sed 's/^/  /'; fail=1
fi
rc=0
run bob "$dir/key" authenticate || rc=$?
if [ $rc -eq 1 ]; then
	echo "ok: alice's key refused for user bob"
else
	echo "FAIL: alice's key for bob: exit $rc"; grep -v ssk_ "$dir/out" | sed 's/^/  /'; fail=1
fi
if grep -q ssk_ "$dir/out"; then echo "FAIL: a key reached pamtester's output"; fail=1; fi
exit $fail
