#!/bin/sh
# test_sendsecctl_key.sh — sendsecctl key create, list and revoke against the fixture slapd: the
# key alone on stdout (the note on stderr), a login with it through `sendsecctl test`, list shows
# id, scopes, times, state, networks and description but never the hash, revoke (twice: the second
# is "no such key"), and the exit codes of refusals and usage errors.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_key.sh PATH-TO-SENDSECCTL
# Keys live in 0600 files and travel on stdin; none is ever printed.
set -u

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
CTL=${1:-}
[ -n "$CTL" ] && [ -x "$CTL" ] || { echo "usage: test_sendsecctl_key.sh PATH-TO-SENDSECCTL" >&2; exit 2; }
D=$SENDSEC_TEST_DIR
fails=0
n=0
umask 077
# The fixture's config with API keys on smtp (the default methods take none).
CONF=$D/sendsecctl-key.conf
{ cat "$SENDSEC_TEST_CONF"; printf '[service smtp]\nmethods password+totp apikey\n'; } >"$CONF"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
# ctl ARGS…: sendsecctl with that config; stdout to $D/out (may hold a key: never shown),
# stderr to $D/err, status in $rc.
ctl() { "$CTL" --config "$CONF" "$@" >"$D/out" 2>"$D/err"; rc=$?; }
# expect RC DESCRIPTION [show-stdout]
expect() {
	if [ "$rc" -eq "$1" ]; then ok "$2"; else
		not_ok "$2 (exit $rc, wanted $1)"
		[ "${3:-}" = show ] && sed 's/^/#   out: /' "$D/out"
		sed 's/^/#   err: /' "$D/err"
	fi
}
check() { if eval "$1"; then ok "$2"; else not_ok "$2"; fi; }

# create
ctl key create alice --scope smtp,submission --expires 2099-01-01T00:00:00Z --network 192.0.2.0/24,2001:db8::/32 \
	--description 'CRM sender; Jane'
expect 0 "key create"
mv "$D/out" "$D/key1"
check '[ "$(wc -l <"$D/key1")" -eq 1 ] && grep -Eq "^ssk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$" "$D/key1"' \
	"create prints the key alone on one line of stdout"
check 'grep -q "shown only this once" "$D/err" && ! grep -q ssk_ "$D/err"' "the note is on stderr, without the key"
id1=$(cut -c5-16 "$D/key1")
ctl key create alice --scope '*'
expect 0 "second key for the same account"
mv "$D/out" "$D/key2"
id2=$(cut -c5-16 "$D/key2")

# the key logs in (sendsecctl test reads the password from stdin)
"$CTL" --config "$CONF" test smtp apikey --rhost 192.0.2.9 <"$D/key1" >"$D/out" 2>"$D/err"; rc=$?
expect 0 "sendsecctl test smtp apikey with the key"
"$CTL" --config "$CONF" test smtp apikey --rhost 198.51.100.9 <"$D/key1" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "outside the key's networks: refused"

# list
ctl key list alice
expect 0 "key list" show
check 'grep -q "^$id1	smtp,submission	[0-9TZ:-]*	2099-01-01T00:00:00Z	active	192.0.2.0/24,2001:db8::/32	CRM sender; Jane$" "$D/out"' \
	"list shows id, scopes, created, expiry, state, networks, description"
check 'grep -q "^$id2	\*	[0-9TZ:-]*	never	active	any	" "$D/out"' "list shows the second key"
check '! grep -qi "hash" "$D/out" && ! grep -q "=" "$D/out"' "list never shows a hash"
secret1=$(cut -c18-60 "$D/key1")
check '! grep -qF "$secret1" "$D/out" "$D/err"' "list never shows a secret"
ctl key list bob
expect 0 "key list of an account without keys"
ctl key list nobody
expect 1 "key list of an unknown account"

# revoke
ctl key revoke "$id1"
expect 0 "key revoke"
"$CTL" --config "$CONF" test smtp apikey --rhost 192.0.2.9 <"$D/key1" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "a revoked key is refused"
"$CTL" --config "$CONF" test smtp apikey <"$D/key2" >"$D/out" 2>"$D/err"; rc=$?
expect 0 "the other key still works"
ctl key revoke "$id1"
expect 1 "revoking it again: no such key"
ctl key revoke ZZZZZZZZZZZZ
expect 1 "revoke of an unknown id"
ctl key revoke not-an-id
expect 1 "revoke of a malformed id"
ctl key list alice
check '! grep -q "^$id1" "$D/out" && grep -q "^$id2" "$D/out"' "list after revoke shows only the other key"

# refusals and usage errors
ctl key create nobody --scope smtp
expect 1 "create for an unknown account"
ctl key create alice --scope smtp --expires 2001-01-01
expect 1 "create with an expiry in the past"
ctl key create alice --scope 'smtp server'
expect 1 "create with a bad scope"
ctl key create alice --scope smtp --network 300.1.1.1
expect 1 "create with a bad network"
ctl key create alice
expect 2 "create without --scope"
ctl key create alice --scope smtp --expires tomorrow
expect 2 "create with an unreadable time"
ctl key create --scope smtp
expect 2 "create without USER"
ctl key list
expect 2 "list without USER"
ctl key revoke
expect 2 "revoke without ID"
ctl key create alice --scope smtp --bogus
expect 2 "unknown option"
check '[ "$(ldapsearch -x -LLL -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
	-b "$SENDSEC_TEST_BASE" "(uid=alice)" sendsecKeyId | grep -c "^sendsecKeyId:")" -eq 1 ]' \
	"refused creations stored nothing"

echo "1..$n"
[ $fails -eq 0 ]
