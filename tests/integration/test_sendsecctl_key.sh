#!/bin/sh
# test_sendsecctl_key.sh — sendsecctl key create, list, revoke and rotate against the fixture
# slapd: the key alone on stdout (the note on stderr), a login with it through `sendsecctl test`,
# list shows id, scopes, times, last use and its address, state, networks and description but
# never the hash, revoke (twice: the second is "no such key"), rotate (the successor alone on
# stdout, works at once, keeps the terms; the old key's expiry is now + overlap), list --idle for
# one account and for all (records with old dates written as the rootdn), and the exit codes of
# refusals and usage errors.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_key.sh PATH-TO-SENDSECCTL
# Keys live in 0600 files and travel on stdin; none is ever printed.
set -u

. "$(dirname "$0")/sendsecctl_lib.sh"

# The fixture's config with API keys on smtp (the default methods take none).
CONF=$D/sendsecctl-key.conf
{ cat "$F"; printf '[service smtp]\nmethods password+totp apikey\n'; } >"$CONF"

# create
ctl key create alice --scope smtp,submission --expires 2099-01-01T00:00:00Z --network 192.0.2.0/24,2001:db8::/32 \
	--description 'CRM sender; Jane'
expect 0 "key create"
mv "$D/out" "$D/key1"
holds '[ "$(wc -l <"$D/key1")" -eq 1 ] && grep -Eq "^ssk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$" "$D/key1"' \
	"create prints the key alone on one line of stdout"
holds 'grep -q "shown only this once" "$D/err" && ! grep -q ssk_ "$D/err"' "the note is on stderr, without the key"
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
holds 'head -1 "$D/out" | grep -q "^ID	SCOPES	CREATED	EXPIRES	LAST_USED	FROM	STATE	NETWORKS	DESCRIPTION$"' \
	"list has a header line"
holds 'grep -q "^$id1	smtp,submission	[0-9TZ:-]*	2099-01-01T00:00:00Z	[0-9TZ:-]*	192.0.2.9	active	192.0.2.0/24,2001:db8::/32	CRM sender; Jane$" "$D/out"' \
	"list shows id, scopes, created, expiry, last use from 192.0.2.9, state, networks, description"
holds 'grep -q "^$id2	\*	[0-9TZ:-]*	never	never	-	active	any	" "$D/out"' "list shows the second key, never used"
holds '! grep -qi "hash" "$D/out" && ! grep -q "=" "$D/out"' "list never shows a hash"
secret1=$(cut -c18-60 "$D/key1")
holds '! grep -qF "$secret1" "$D/out" "$D/err"' "list never shows a secret"
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
holds '! grep -q "^$id1" "$D/out" && grep -q "^$id2" "$D/out"' "list after revoke shows only the other key"

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
expect 2 "list without USER or --idle"
ctl key revoke
expect 2 "revoke without ID"
ctl key create alice --scope smtp --bogus
expect 2 "unknown option"
# rotate
ctl key create carol --scope smtp,submission --network 192.0.2.0/24 --description 'relay host'
expect 0 "a key to rotate"
mv "$D/out" "$D/key3"
id3=$(cut -c5-16 "$D/key3")
before=$(date -u +%s)
ctl key rotate "$id3" --overlap 2h
expect 0 "key rotate --overlap 2h"
mv "$D/out" "$D/key4"
id4=$(cut -c5-16 "$D/key4")
holds '[ "$(wc -l <"$D/key4")" -eq 1 ] && grep -Eq "^ssk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$" "$D/key4" && [ "$id4" != "$id3" ]' \
	"rotate prints the successor alone on one line of stdout"
holds 'grep -q "shown only this once" "$D/err" && grep -q "$id4" "$D/err" && ! grep -q ssk_ "$D/err"' \
	"the note names the successor's id, without the key"
"$CTL" --config "$CONF" test smtp apikey --rhost 192.0.2.9 <"$D/key4" >"$D/out" 2>"$D/err"; rc=$?
expect 0 "the successor logs in at once"
"$CTL" --config "$CONF" test smtp apikey --rhost 192.0.2.9 <"$D/key3" >"$D/out" 2>"$D/err"; rc=$?
expect 0 "the old key still logs in during the overlap"
"$CTL" --config "$CONF" test smtp apikey --rhost 198.51.100.9 <"$D/key4" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "the successor keeps the old key's networks"
ctl key list carol
old_exp=$(grep "^$id3	" "$D/out" | cut -f4)
old_exp_s=$(date -u -d "$old_exp" +%s 2>/dev/null || echo 0)
holds '[ $((old_exp_s - before)) -ge 7200 ] && [ $((old_exp_s - before)) -le 7260 ]' \
	"the old key now expires two hours from the rotation ($old_exp)"
holds 'grep -q "^$id4	smtp,submission	[0-9TZ:-]*	never	[0-9TZ:-]*	192.0.2.9	active	192.0.2.0/24	relay host$" "$D/out"' \
	"the successor keeps scopes, networks, description; no expiry"
ctl key rotate "$id4" --overlap 0
expect 0 "rotate with overlap 0"
mv "$D/out" "$D/key5"
"$CTL" --config "$CONF" test smtp apikey --rhost 192.0.2.9 <"$D/key4" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "overlap 0: the old key is refused at once"
ctl key rotate "$id4"
expect 1 "rotating an expired key is refused"
holds '[ ! -s "$D/out" ]' "a refused rotation prints no key"
ctl key rotate ZZZZZZZZZZZZ
expect 1 "rotate of an unknown id"
ctl key rotate "$id3" --overlap 3x
expect 2 "rotate with a bad duration"
ctl key rotate
expect 2 "rotate without ID"

# list --idle: records with old dates, written as the rootdn (the hash is of no real key)
now_s=$(date -u +%s)
gt() { date -u -d "@$((now_s - $1 * 86400))" +%Y%m%d%H%M%SZ; }
h=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH8=
cat >"$D/idle.ldif" <<LDIF
dn: uid=bob,ou=people,$SENDSEC_TEST_BASE
changetype: modify
add: sendsecApiKey
sendsecApiKey: v1;id=IdleNeverUse;hash=$h;scopes=smtp;expires=-;created=$(gt 100);networks=-;disabled=0;desc=never used
sendsecApiKey: v1;id=IdleUsed40dd;hash=$h;scopes=smtp;expires=-;created=$(gt 100);used=$(gt 40),192.0.2.5;networks=-;disabled=0;desc=used 40 days ago
sendsecApiKey: v1;id=FreshUsed5dd;hash=$h;scopes=smtp;expires=-;created=$(gt 100);used=$(gt 5),2001:db8::5;networks=-;disabled=0;desc=used 5 days ago
-
add: sendsecKeyId
sendsecKeyId: IdleNeverUse
sendsecKeyId: IdleUsed40dd
sendsecKeyId: FreshUsed5dd
LDIF
ldapmodify -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" -f "$D/idle.ldif" \
	>"$D/out" 2>"$D/err"; rc=$?
expect 0 "old records written as the rootdn"
ctl key list bob --idle 30
expect 0 "key list bob --idle 30" show
holds 'grep -q "^IdleNeverUse	" "$D/out" && grep -q "^IdleUsed40dd	.*	192.0.2.5	active	" "$D/out" && ! grep -q FreshUsed5dd "$D/out"' \
	"--idle 30 lists the key unused since its creation 100 days ago and the one used 40 days ago, not the one used 5 days ago"
ctl key list --idle 30
expect 0 "key list --idle 30 (every account)" show
holds 'head -1 "$D/out" | grep -q "^ACCOUNT	ID	" && grep -q "^bob	IdleNeverUse	" "$D/out" && grep -q "^bob	IdleUsed40dd	" "$D/out" && ! grep -q "FreshUsed5dd" "$D/out" && ! grep -q "	$id2	" "$D/out"' \
	"every account: bob's two idle keys, not the fresh ones"
ctl key list --idle 1000
expect 0 "key list --idle 1000"
holds '[ ! -s "$D/out" ] && grep -q "no API key unused for more than 1000 days" "$D/err"' "nothing idle for 1000 days"
ctl key list --idle soon
expect 2 "--idle with a bad number"
{ cat "$SENDSEC_TEST_CONF"; echo "apikey_max_idle 30"; } >"$D/with-idle.conf"
chmod 600 "$D/with-idle.conf"
"$CTL" --config "$D/with-idle.conf" key list bob >"$D/out" 2>"$D/err"; rc=$?
expect 0 "key list with apikey_max_idle 30 in the config"
holds 'grep -q "^IdleUsed40dd	.*	idle	" "$D/out" && grep -q "^FreshUsed5dd	.*	active	" "$D/out"' \
	"with apikey_max_idle 30 the state column says idle"

holds '[ "$(ldapsearch -x -LLL -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
	-b "$SENDSEC_TEST_BASE" "(uid=alice)" sendsecKeyId | grep -c "^sendsecKeyId:")" -eq 1 ]' \
	"refused creations stored nothing"

tap_done
