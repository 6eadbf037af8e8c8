#!/bin/sh
# test_sendsecctl_account.sh — sendsecctl's config and account commands against the fixture slapd:
# check-config (fixture config, unknown key with file:line, binddn without bindpw_file with
# file:line, 0666 file, --quiet), hash (a login with the hash set as userPassword), passwd (new
# works, old refused, too short refused), reset of one account and --all-before, status and
# unlock around failed attempts and a lockout, test (unknown user, the code prompt through the ask
# callback) and the exit codes of usage errors.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_account.sh PATH-TO-SENDSECCTL
# Passwords travel in files on stdin; none is ever printed.
set -u

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
CTL=${1:-${SENDSECCTL:-}}
[ -n "$CTL" ] && [ -x "$CTL" ] || {
	echo "usage: test_sendsecctl_account.sh PATH-TO-SENDSECCTL" >&2
	exit 2
}
D=$SENDSEC_TEST_DIR
B=$SENDSEC_TEST_BASE
PEOPLE="ou=people,$B"
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# run ARGS… <stdin: runs sendsecctl, output in $D/out and $D/err, status in $rc.
run() {
	"$CTL" "$@" >"$D/out" 2>"$D/err"
	rc=$?
	cat "$D/out" "$D/err" >>"$D/all"
}
# expect RC DESCRIPTION: checks the status of the last run.
expect() {
	if [ "$rc" -eq "$1" ]; then
		ok "$2"
	else
		not_ok "$2 (exit $rc, wanted $1)"
		sed 's/^/#   out: /' "$D/out"
		sed 's/^/#   err: /' "$D/err"
	fi
}
# out_has / err_has PATTERN DESCRIPTION: grep -E on the last run's stdout / stderr.
out_has() { if grep -Eq -- "$1" "$D/out"; then ok "$2"; else not_ok "$2"; sed 's/^/#   out: /' "$D/out"; fi; }
err_has() { if grep -Eq -- "$1" "$D/err"; then ok "$2"; else not_ok "$2"; sed 's/^/#   err: /' "$D/err"; fi; }

# pwfile NAME VALUE: a 0600 file holding one password line (never echoed).
pwfile() {
	(umask 077 && printf '%s\n' "$2" >"$D/pw.$1")
}
root_modify() { ldapmodify -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" >/dev/null; }

# A config of our own: the fixture's plus password-only logins (no token is seeded) and, for
# smtp, a lockout after 3 failures.
C=$D/ctl.conf
(umask 077 && {
	cat "$SENDSEC_TEST_CONF"
	echo "methods password password+totp apikey"
	echo "[service smtp]"
	echo "lockout_threshold 3"
} >"$C")
chmod 0600 "$C"
ctl() { run --config "$C" "$@"; }

# --- check-config ------------------------------------------------------------------------------
run --config "$SENDSEC_TEST_CONF" check-config
expect 0 "check-config accepts the fixture config"
out_has '^\[global\]$' "check-config prints [global]"
out_has "^uri $SENDSEC_TEST_URI\$" "check-config prints the uri"
out_has '^password_min_length 12$' "check-config prints defaults"
ctl check-config
expect 0 "check-config accepts a config with a [service] section"
out_has '^\[service smtp\]$' "check-config prints [service smtp]"
if [ "$(sed -n '/^\[service smtp\]$/,$p' "$D/out" | grep -c '^lockout_threshold 3$')" = 1 ] &&
	[ "$(sed -n '1,/^\[service smtp\]$/p' "$D/out" | grep -c '^lockout_threshold 5$')" = 1 ]; then
	ok "check-config prints each section's effective values"
else
	not_ok "check-config prints each section's effective values"
fi
ctl check-config --quiet
expect 0 "check-config --quiet succeeds"
if [ ! -s "$D/out" ] && [ ! -s "$D/err" ]; then ok "check-config --quiet prints nothing"; else not_ok "check-config --quiet prints nothing"; fi

bad=$D/bad.conf
(umask 077 && { cat "$SENDSEC_TEST_CONF"; echo "frobnicate yes"; } >"$bad")
badline=$(wc -l <"$bad")
run --config "$bad" check-config
expect 2 "check-config refuses an unknown key"
err_has "$bad:$badline: unknown key 'frobnicate'" "the error names file:line and the key"
run --config "$bad" check-config --quiet
expect 2 "check-config --quiet still fails on an unknown key"

(umask 077 && { cat "$SENDSEC_TEST_CONF"; echo "[service smtp]"; echo "timeout 0"; } >"$bad")
run --config "$bad" check-config
expect 2 "check-config refuses a bad value in a section"
err_has "$bad:[0-9]+: bad value for 'timeout'" "the bad value's error names file:line"

# binddn without bindpw_file would bind with an empty password: refused, in a section too
(umask 077 && grep -v '^bindpw_file ' "$SENDSEC_TEST_CONF" >"$bad")
dnline=$(grep -n '^binddn ' "$bad" | cut -d: -f1)
run --config "$bad" check-config
expect 2 "check-config refuses binddn without bindpw_file"
err_has "$bad:$dnline: 'binddn' is set without 'bindpw_file'" "the error names file:line of binddn"
(umask 077 && { grep -v '^binddn ' "$SENDSEC_TEST_CONF" | grep -v '^bindpw_file '; echo "[service smtp]"; echo "binddn cn=x"; } >"$bad")
dnline=$(wc -l <"$bad")
run --config "$bad" check-config
expect 2 "check-config refuses binddn without bindpw_file in a section"
err_has "$bad:$dnline: 'binddn' is set without 'bindpw_file' \(service smtp\)" "the error names the section's line and service"

loose=$D/loose.conf
cp "$SENDSEC_TEST_CONF" "$loose"
chmod 0666 "$loose"
run --config "$loose" check-config
expect 2 "check-config refuses a 0666 config"
err_has "writable by group or others" "the error says why"
run --config "$D/does-not-exist.conf" check-config
expect 2 "check-config fails on a missing file"

# --- hash ------------------------------------------------------------------------------------
pwfile hash 'hashed-Passw0rd!'
ctl hash <"$D/pw.hash"
expect 0 "hash reads a password from stdin"
out_has '^\{ARGON2\}\$argon2id\$v=19\$m=65536,t=2,p=1\$' "hash prints {ARGON2} argon2id at the configured cost"
hash=$(cat "$D/out")
run --config "$D/does-not-exist.conf" hash <"$D/pw.hash"
expect 0 "hash works without a readable config"
err_has "default cost" "hash says on stderr that it uses the default cost"
(umask 077 && { cat "$SENDSEC_TEST_CONF"; echo "argon2_opslimit 3"; echo "argon2_memlimit 4096"; } >"$D/cheap.conf")
run --config "$D/cheap.conf" hash <"$D/pw.hash"
out_has '^\{ARGON2\}\$argon2id\$v=19\$m=4096,t=3,p=1\$' "hash follows argon2_opslimit and argon2_memlimit"
run --config "$C" hash </dev/null
expect 1 "hash refuses an empty input"
printf 'dn: uid=carol,%s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n' "$PEOPLE" "$hash" | root_modify
ctl test smtp carol <"$D/pw.hash"
expect 0 "a hash from 'sendsecctl hash' stored as userPassword lets carol log in"
out_has '^OK account=carol method=password$' "test prints OK account=carol method=password"

# --- passwd ----------------------------------------------------------------------------------
pwfile bob_old 'bob-Passw0rd!'
pwfile bob_new 'bob-N3w-Passw0rd!'
pwfile short 'short1!'
ctl passwd bob <"$D/pw.bob_new"
expect 0 "passwd bob sets a new password from stdin"
ctl test smtp bob <"$D/pw.bob_new"
expect 0 "bob logs in with the new password"
ctl test smtp bob <"$D/pw.bob_old"
expect 1 "bob's old password is refused"
out_has '^FAILED reason=bad_password$' "test prints FAILED reason=bad_password"
ctl passwd bob <"$D/pw.short"
expect 1 "passwd refuses a password shorter than password_min_length"
err_has "at least 12 characters" "the refusal names the minimum length"
ctl test smtp bob <"$D/pw.bob_new"
expect 0 "the refused change left bob's password alone"
ctl passwd nobody-here <"$D/pw.bob_new"
expect 1 "passwd for an unknown user exits 1"

# --- reset USER ------------------------------------------------------------------------------
pwfile alice_old 'alice-Passw0rd!'
pwfile alice_new 'alice-N3w-Passw0rd!'
ctl test smtp alice <"$D/pw.alice_old"
expect 0 "alice logs in before the reset"
ctl reset alice
expect 0 "reset alice"
ctl test smtp alice <"$D/pw.alice_old"
expect 1 "after reset, test alice exits 1"
out_has '^FAILED reason=reset_required$' "test reports reset_required"
ctl status alice
out_has '^reset required: yes$' "status shows the reset"
ctl passwd alice <"$D/pw.alice_new"
expect 0 "passwd alice"
ctl test smtp alice <"$D/pw.alice_new"
expect 0 "passwd cleared the reset"
ctl status alice
out_has '^reset required: no$' "status shows no reset after passwd"
out_has '^password changed: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "status shows when the password changed"
ctl reset nobody-here
expect 1 "reset of an unknown user exits 1"

# --- status, failures, lockout, unlock --------------------------------------------------------
# Each wrong password is another one: the same wrong password tried again counts once.
pwfile wrong 'not-the-Passw0rd!'
for i in 1 2 3 4 5; do pwfile "wrong$i" "not-the-Passw0rd-$i!"; done
pwfile carol_hash 'hashed-Passw0rd!'
ctl status carol
out_has '^failures: 0$' "carol starts without failures"
ctl test smtp carol <"$D/pw.wrong1"
expect 1 "a wrong password exits 1"
ctl test smtp carol <"$D/pw.wrong2"
ctl status carol
expect 0 "status carol"
out_has '^dn: uid=carol,ou=people,dc=example,dc=test$' "status shows the dn"
out_has '^account: carol$' "status shows the account"
out_has '^failures: 2 \(last [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\)$' "status shows 2 failures with the last time"
out_has '^source -: 2 failures \(last [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\)$' "status shows them per source (- without an address)"
out_has '^locked: no$' "2 failures do not lock (threshold 3)"
for f in disabled token keys 'recovery codes'; do
	out_has "^$f: " "status shows '$f'"
done
ctl unlock carol
expect 0 "unlock carol"
ctl status carol
out_has '^failures: 0$' "unlock cleared the failures"
for i in 1 2 3; do ctl test smtp carol <"$D/pw.wrong$i"; done
ctl status carol
out_has '^source -: 3 failures \(last [^)]*\)$' "status applies the policy of --service (default sendsecctl: threshold 5)"
ctl --service smtp status carol
out_has '^source -: 3 failures \(last [^)]*\), locked until [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
	"3 failures lock carol's source for smtp (status --service smtp)"
out_has '^locked: no$' "the account itself is not locked (lockout_account_threshold)"
ctl test smtp carol <"$D/pw.carol_hash"
expect 1 "a locked source is refused even with the right password"
out_has '^FAILED reason=source_locked$' "test reports source_locked"
ctl test --rhost 198.51.100.7 smtp carol <"$D/pw.carol_hash"
expect 0 "from another network the right password works"
ctl test --rhost 198.51.100.8 smtp carol <"$D/pw.wrong4"
ctl test --rhost 2001:db8:1:2::7 smtp carol <"$D/pw.wrong5"
ctl --service smtp status carol
out_has '^source 198\.51\.100\.0/24: 1 failure \(last [^)]*\)$' "status shows the IPv4 source at /24"
out_has '^source 2001:db8:1::/56: 1 failure \(last [^)]*\)$' "status shows the IPv6 source at /56"
out_has '^failures: 5 ' "status counts the failures of every source"
ctl unlock carol
expect 0 "unlock a locked account"
ctl --service smtp status carol
out_has '^failures: 0$' "unlock cleared every source"
ctl test smtp carol <"$D/pw.carol_hash"
expect 0 "after unlock the right password works"
ctl unlock carol
expect 0 "unlock without a failure record is fine"
ctl unlock nobody-here
expect 1 "unlock of an unknown user exits 1"
ctl status nobody-here
expect 1 "status of an unknown user exits 1"
ctl status dave
out_has '^disabled: yes$' "status shows dave disabled"

# --- test: unknown user, disabled, rhost, the code prompt --------------------------------------
ctl test smtp nobody-here <"$D/pw.wrong"
expect 1 "test with an unknown user exits 1"
out_has '^FAILED reason=unknown_user$' "test reports unknown_user"
pwfile dave 'dave-Passw0rd!'
ctl test smtp dave <"$D/pw.dave"
expect 1 "test of a disabled account exits 1"
out_has '^FAILED reason=disabled$' "test reports disabled"
ctl test smtp alice --rhost 203.0.113.7 <"$D/pw.alice_new"
expect 0 "test accepts --rhost"
ctl test smtp alice --rhost not-an-address <"$D/pw.alice_new"
expect 0 "an unparsable --rhost with no network rule still decides"

# frank gets the fixture's documented token: the engine must ask for the code through the callback.
root_modify <<EOF
dn: cn=frank,ou=tokens,$B
changetype: add
objectClass: applicationProcess
objectClass: oathTOTPToken
cn: frank
oathSecret:: MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=
oathTOTPParams: cn=totp-sha1-6,ou=params,$B
oathTOTPLastTimeStep: 5

dn: uid=frank,$PEOPLE
changetype: modify
add: objectClass
objectClass: oathTOTPUser
-
add: oathTOTPToken
oathTOTPToken: cn=frank,ou=tokens,$B
EOF
pwfile frank 'frank-Passw0rd!'
ctl test smtp frank <"$D/pw.frank"
expect 1 "with a token and no code line, test exits 1"
out_has '^FAILED reason=bad_totp$' "no answer to the code prompt is bad_totp"
ctl status frank
out_has '^token: yes$' "status shows the token"
code=$(oathtool --totp 3132333435363738393031323334353637383930 2>/dev/null || true)
(umask 077 && { cat "$D/pw.frank"; echo "$code"; } >"$D/pw.frank_code")
ctl test smtp frank <"$D/pw.frank_code"
expect 0 "password and code (second stdin line, asked through the callback) log frank in"
out_has '^OK account=frank method=password\+totp token=frank$' "test prints method=password+totp and the token's name"
ctl test smtp frank <"$D/pw.frank_code"
expect 1 "the same code a second time is refused"
out_has '^FAILED reason=totp_replayed$' "test reports totp_replayed"

# --- reset --all-before ------------------------------------------------------------------------
ctl reset --all-before 2999-01-01
expect 0 "reset --all-before a future date"
count=$(sed -n 's/^\([0-9][0-9]*\) accounts marked.*/\1/p' "$D/out")
if [ -n "$count" ] && [ "$count" -ge 6 ]; then ok "a future date marks every account ($count)"; else not_ok "a future date marks every account (got '${count:-}')"; cat "$D/out"; fi
ctl test smtp alice <"$D/pw.alice_new"
out_has '^FAILED reason=reset_required$' "alice must change her password again"
ctl reset --all-before 1970-01-01
expect 0 "reset --all-before 1970-01-01"
out_has '^0 accounts marked' "a date in 1970 marks no account"
ctl passwd bob <"$D/pw.bob_new"
ctl reset --all-before 2000-01-01T00:00:00Z
out_has '^0 accounts marked' "an account changed after TIME is not marked (RFC 3339 TIME)"
ctl test smtp bob <"$D/pw.bob_new"
expect 0 "bob, changed after TIME, still logs in"
ctl reset --all-before yesterday
expect 2 "a bad TIME is a usage error"

# --- usage -----------------------------------------------------------------------------------
for args in "passwd" "passwd a b" "reset" "reset --all-before" "unlock" "status" "status a b" \
	"test" "test smtp" "test smtp a b" "test smtp a --rhost" "check-config extra" "hash extra" \
	"passwd --bogus alice" "no-such-command"; do
	# shellcheck disable=SC2086 # split on purpose
	ctl $args </dev/null
	expect 2 "usage error: sendsecctl $args"
done
for c in check-config hash passwd reset unlock status test; do
	ctl "$c" --help
	expect 0 "sendsecctl $c --help"
	out_has "^usage: sendsecctl .*$c" "$c --help prints its usage on stdout"
done

# --- no secret in any output ---------------------------------------------------------------------
leaked=0
for f in "$D"/pw.*; do
	v=$(cat "$f")
	[ -n "$v" ] || continue
	if grep -qF -- "$v" "$D/all"; then leaked=1; fi
done
if [ $leaked = 0 ]; then ok "no password in any output of sendsecctl"; else not_ok "a password appeared in output"; fi

echo "1..$n"
[ $fails -eq 0 ]
