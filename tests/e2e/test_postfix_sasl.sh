#!/bin/sh
# test_postfix_sasl.sh PATH/libsendsec.so PATH/sendsecctl — a private Postfix (postfix -c DIR) offers SMTP AUTH
# through libsendsec.so, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# Nothing on the host changes: config, queue, data directory, log file and plugin directory all
# live in a temp dir; smtpd listens on a free loopback port with chroot n (DESIGN.md section 9);
# the setup, the swaks call and the teardown are in postfix_lib.sh (shared with the demo).
# swaks is the client; the password reaches it through SWAKS_OPT_auth_password (not argv) and
# --auth-hide-password keeps it out of the transcript, which is printed only on failure.
# Cases: alice PLAIN ⇒ 235 and "sasl_username=alice" in the log; wrong password ⇒ 535; LOGIN ⇒
# 235; unknown user ⇒ 535; an API key with user "apikey" ⇒ 235 and "sasl_username=alice"; a wrong
# key of valid shape ⇒ 535; bob (enrolled here) with his TOTP code appended ⇒ 235, the same code
# again ⇒ 535; a second smtpd whose SASL file names the service "smtp-lan" (allow_networks
# 192.0.2.0/24 only) refuses 127.0.0.1 with 535; slapd stopped ⇒ 454; slapd back ⇒ 235 with the
# same Postfix; carol, a delegate of the shared account newsletter, sends PLAIN with the authzid
# newsletter (smtp_authzid.py: swaks has no authzid) ⇒ 235 and "sasl_username=newsletter", and may
# then send as newsletter@ (smtpd_sender_login_maps), as her own login may not; a wrong password,
# a non-delegate and a removed delegate ⇒ 535. Keys, TOTP secrets and codes live in 0600 files
# under the temp dir, never printed.
set -eu

[ $# -eq 2 ] || { echo "usage: with-slapd.sh test_postfix_sasl.sh PATH/libsendsec.so PATH/sendsecctl" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ctl=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || ! command -v swaks >/dev/null ||
	! command -v oathtool >/dev/null || ! command -v python3 >/dev/null; then
	echo "SKIP: needs root, postfix, swaks, oathtool and python3"
	exit 77
fi

. "$(dirname "$0")/postfix_lib.sh"
postfix_init

# --- the sendsec configuration: the fixture's, plus totp_unenrolled allow (the default methods
# "password+totp" would refuse a password alone for accounts without a token) ---------------------
# The section smtp takes API keys (the default methods take none). The section smtp-lan serves the second smtpd (sendsec_service in its SASL file): only
# 192.0.2.0/24 may log in there, so swaks from 127.0.0.1 must be refused.
(umask 077 && {
	cat "$SENDSEC_TEST_CONF"
	echo "totp_unenrolled allow"
	printf '[service smtp]\nmethods password+totp apikey\n'
	printf '[service smtp-lan]\nallow_networks 192.0.2.0/24\n'
} >"$tmp/sendsec.conf")

# smtpd on $port (service smtp) and on $port_lan (service smtp-lan); postfix_lib.sh.
postfix_start "$plugin" "$tmp/sendsec.conf" smtp-lan
port_lan=$port2

# maillog_has PATTERN DESCRIPTION [FROM-LINE] — waits up to 5 s for an extended regex in the
# maillog (from line FROM-LINE on).
maillog_has() {
	if maillog_wait "$1" "${3:-1}"; then
		ok "maillog reports $2"
	else
		bad "maillog lacks $2"
	fi
}

# wrong_key KEYFILE OUTFILE — the key with every secret character changed and the CRC32 check
# characters recomputed (DESIGN.md section 5): it passes the shape check and reaches the directory.
# The CRC32 is gzip's trailer (IEEE 802.3, little-endian, as od -tu4 reads it on x86).
wrong_key() {
	k=$(head -n1 "$1")
	body=${k%??????}
	head=${body%_*}
	secret=$(printf '%s' "${body##*_}" | tr '0-9A-Za-z' '1-9A-Za-z0')
	body="${head}_$secret"
	crc=$(printf '%s' "$body" | gzip -c | tail -c8 | head -c4 | od -An -tu4 | tr -d ' ')
	check=''
	for _ in 1 2 3 4 5 6; do
		check=$(printf '%s' 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz | cut -c$((crc % 62 + 1)))$check
		crc=$((crc / 62))
	done
	(umask 077 && printf '%s%s\n' "$body" "$check" >"$2")
	unset k body head secret crc check
}

# Up to RCPT TO, so that smtpd opens a queue file and logs the client with its SASL identity.
expect "alice PLAIN" 235 "$(auth PLAIN alice 0 RCPT)"
maillog_has 'client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=alice$' "sasl_method=PLAIN, sasl_username=alice"
expect "alice wrong password" 535 "$(auth PLAIN alice 1)"
expect "unknown user" 535 "$(auth PLAIN nosuchuser 0)"
expect "alice LOGIN" 235 "$(auth LOGIN alice 0)"

# API key with user "apikey": the identity reported to Postfix is alice (DESIGN.md section 5).
if ! (umask 077 && "$ctl" --config "$tmp/sendsec.conf" key create alice --scope smtp >"$tmp/key" 2>"$tmp/ctl.err"); then
	sed 's/^/    /' "$tmp/ctl.err"
	bad "sendsecctl key create alice"
fi
from=$(($(grep -c '' "$tmp/maillog") + 1))
expect "API key, user apikey" 235 "$(smtp_auth PLAIN apikey "$tmp/key" RCPT)"
maillog_has 'client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=alice$' \
	"the key's session as sasl_username=alice" "$from"
if grep -q 'sasl_username=apikey' "$tmp/maillog"; then bad "the maillog names apikey as the user"; fi
wrong_key "$tmp/key" "$tmp/badkey"
if [ "$(head -c 17 "$tmp/badkey")" = "$(head -c 17 "$tmp/key")" ] && ! cmp -s "$tmp/key" "$tmp/badkey"; then
	expect "wrong key (same id, valid check characters)" 535 "$(smtp_auth PLAIN apikey "$tmp/badkey")"
else
	bad "could not forge a wrong key of valid shape"
fi

# TOTP: enrol bob; his code goes after the password; the same code a second time is a replay.
if ! (umask 077 && "$ctl" --config "$tmp/sendsec.conf" totp enroll bob --no-qr >"$tmp/uri" 2>"$tmp/ctl.err"); then
	sed 's/^/    /' "$tmp/ctl.err"
	bad "sendsecctl totp enroll bob"
fi
(umask 077 && sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' "$tmp/uri" >"$tmp/secret")
expect "bob, password alone once enrolled" 535 "$(auth PLAIN bob 0)"
if (umask 077 && oathtool --totp -b - <"$tmp/secret" >"$tmp/code" 2>/dev/null) && grep -Eq '^[0-9]{6}$' "$tmp/code"; then
	(umask 077 && { printf '%s' "bob-Passw0rd!"; cat "$tmp/code"; } >"$tmp/pwcode")
	expect "bob, password + TOTP code" 235 "$(smtp_auth PLAIN bob "$tmp/pwcode")"
	expect "bob, the same code again" 535 "$(smtp_auth PLAIN bob "$tmp/pwcode")"
else
	bad "oathtool gave no code"
fi

# Outside the allowlist: the second smtpd's service smtp-lan allows only 192.0.2.0/24.
expect "alice from 127.0.0.1 on the smtp-lan smtpd" 535 "$(auth PLAIN alice 0 AUTH "$port_lan")"
expect "alice on the smtp smtpd, still fine" 235 "$(auth PLAIN alice 0)"

"$SENDSEC_TEST_SLAPD" stop "$SENDSEC_TEST_DIR"
expect "slapd stopped" 454 "$(auth PLAIN alice 0)"
"$SENDSEC_TEST_SLAPD" restart "$SENDSEC_TEST_DIR"
expect "slapd back, same postfix" 235 "$(auth PLAIN alice 0)"
expect "carol LOGIN after restart" 235 "$(auth LOGIN carol 0)" # bob needs his code now

# --- delegation: carol sends as the shared account newsletter with her own password -------------
# (DESIGN.md section 4). swaks (20201014) has no option for an authzid: its PLAIN always leaves the
# first field empty, so smtp_authzid.py (Python's smtplib) sends "newsletter NUL carol NUL pw".
# Postfix then logs sasl_username=newsletter, and smtpd_sender_login_maps lets that login send as
# newsletter@ (the README recipe); carol's own login may not.
ldapmodify -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
	-f "$(dirname "$0")/../fixtures/newsletter.ldif" >/dev/null
if ! "$ctl" --config "$tmp/sendsec.conf" delegate add newsletter carol >/dev/null 2>"$tmp/ctl.err"; then
	sed 's/^/    /' "$tmp/ctl.err"
	bad "sendsecctl delegate add newsletter carol"
fi
postconf -c "$conf" -e \
	'smtpd_sender_login_maps = inline:{ newsletter@example.test=newsletter, carol@example.test=carol }' \
	'smtpd_sender_restrictions = reject_authenticated_sender_login_mismatch'
postfix -c "$conf" reload >/dev/null 2>&1
# authz AUTHZID USER WRONG(0|1) MAILFROM — smtp_authzid.py with USER's seeded password (or a wrong one).
authz() {
	pw="$2-Passw0rd!"
	[ "$3" = 1 ] && pw="$2-Passw0rd?"
	(umask 077 && printf '%s\n' "$pw" >"$tmp/pw")
	unset pw
	python3 "$(dirname "$0")/smtp_authzid.py" "127.0.0.1:$port" "$1" "$2" "$tmp/pw" "$4" 2>"$tmp/swaks.out" || true
	rm -f "$tmp/pw"
}
sleep 1 # the reload: smtpd processes of the old configuration finish their sessions and exit
from=$(($(grep -c '' "$tmp/maillog") + 1))
expect "carol with authzid newsletter, MAIL FROM newsletter@ (AUTH MAIL RCPT)" "235 250 250" \
	"$(authz newsletter carol 0 newsletter@example.test)"
maillog_has 'client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=newsletter$' \
	"the delegated session as sasl_username=newsletter" "$from"
expect "carol as herself, MAIL FROM newsletter@ (not hers)" "235 250 553" \
	"$(authz carol carol 0 newsletter@example.test)"
expect "carol with authzid newsletter and a wrong password" "535" "$(authz newsletter carol 1 newsletter@example.test)"
expect "alice (not a delegate) with authzid newsletter" "535" "$(authz newsletter alice 0 newsletter@example.test)"
"$ctl" --config "$tmp/sendsec.conf" delegate remove newsletter carol >/dev/null 2>&1 || bad "sendsecctl delegate remove"
expect "carol with authzid newsletter once removed" "535" "$(authz newsletter carol 0 newsletter@example.test)"

# No password, key, TOTP secret or code may reach the log in any form.
if grep -q 'Passw0rd' "$tmp/maillog"; then
	bad "a password reached the maillog"
else
	ok "no password in the maillog"
fi
leak=0
for f in key badkey secret code; do
	[ -s "$tmp/$f" ] || continue
	s=$(head -n1 "$tmp/$f")
	grep -qF "$s" "$tmp/maillog" && leak=1
	s=$(printf '%s' "$s" | cut -c18-60) # a key's secret part alone
	[ "${#s}" -ge 20 ] && grep -qF "$s" "$tmp/maillog" && leak=1
done
unset s
if [ "$leak" = 0 ]; then ok "no key, TOTP secret or code in the maillog"; else bad "a key, secret or code reached the maillog"; fi

if [ "$fail" != 0 ]; then
	echo "--- maillog"
	sed 's/^/    /' "$tmp/maillog"
fi
exit "$fail"
