#!/bin/sh
# demo-postfix.sh PLUGIN CONF SECRETDIR — the demo's Postfix part, run by demo-steps.sh: a private
# Postfix (tests/e2e/postfix_lib.sh: postfix -c DIR on a loopback port, nothing on the host changes)
# offers SMTP AUTH through libsendsec.so with the demo config CONF, and swaks logs in: as "apikey"
# with alice's API key (Postfix reports sasl_username=alice), as bob with his password and a TOTP
# code appended, and as bob again with the same code (a replay, refused). SECRETDIR (0700) holds
# 0600 files from demo-steps.sh: apikey (alice's key), bob.totp (bob's base32 TOTP secret) and
# optionally bob.code (the code the demo already used) and carol.pw (for a delegated login: carol
# acts as the shared account newsletter, through tests/e2e/smtp_authzid.py since swaks has no
# authzid). No key, password or code is printed: swaks reads the password from the environment and
# hides it in its transcript (--auth-hide-password).
set -eu
[ $# -eq 3 ] || { echo "usage: demo-postfix.sh PLUGIN CONF SECRETDIR" >&2; exit 2; }
plugin=$1 cfg=$2 secrets=$3
. "$(dirname "$0")/../tests/e2e/postfix_lib.sh"
postfix_start "$plugin" "$cfg"
echo "  Postfix smtpd listens on 127.0.0.1:$port; SMTP AUTH (PLAIN, LOGIN) through libsendsec.so"
echo "  (sasl/smtpd.conf: sendsec_config $cfg; the [service smtp] policy applies)"

unexpected=0
# try DESCRIPTION WANT USER SECRETFILE [QUIT-AFTER] — one swaks login, shown as the command and the
# lines of the AUTH exchange (the AUTH line carries swaks' placeholder, not the password).
try() {
	echo "  $1:"
	echo "  \$ swaks --server 127.0.0.1:$port --auth PLAIN --auth-user $3 --auth-hide-password --quit-after ${5:-AUTH}"
	code=$(smtp_auth PLAIN "$3" "$4" "${5:-AUTH}")
	sed -n -e 's/^ *-> \(AUTH PLAIN\) .*/     -> \1 <base64 of the user and a hidden password>/p' \
		-e '/^<-  235 /s/^/    /p' -e '/^<\*\* /s/^/    /p' "$tmp/swaks.out"
	if [ "$code" != "$2" ]; then
		echo "    (unexpected: reply $code, not $2)"
		unexpected=1
	fi
}

# show_session NAME FROM-LINE TEXT — waits for smtpd's line naming sasl_username=NAME (in the
# maillog from line FROM-LINE on) and shows it after TEXT.
show_session() {
	if maillog_wait "sasl_method=PLAIN, sasl_username=$1\$" "$2"; then
		echo "  $3"
		tail -n +"$2" "$tmp/maillog" | sed -n "s/^.*smtpd\[[0-9]*\]: \(.*sasl_username=$1\)\$/    \1/p"
	else
		echo "    (unexpected: no sasl_username=$1 in the maillog)"
		unexpected=1
	fi
}

# --- an API key as the password of the user "apikey" --------------------------------------------------
from=1
[ ! -f "$tmp/maillog" ] || from=$(($(wc -l <"$tmp/maillog") + 1))
try "a mailer logs in as \"apikey\" with alice's key (up to RCPT TO, so smtpd logs the session)" \
	235 apikey "$secrets/apikey" RCPT
show_session alice "$from" "the maillog names the account, not \"apikey\":"

# --- bob: password with the TOTP code appended (otp_mode append), then the same code again -------------
(umask 077 && oathtool --totp -b - <"$secrets/bob.totp" >"$tmp/bob.code")
if [ -s "$secrets/bob.code" ] && cmp -s "$secrets/bob.code" "$tmp/bob.code"; then
	echo "  (bob's current code was already used above and works only once: waiting for his next one)"
	_i=0
	while cmp -s "$secrets/bob.code" "$tmp/bob.code" && [ $_i -lt 35 ]; do
		sleep 1
		_i=$((_i + 1))
		(umask 077 && oathtool --totp -b - <"$secrets/bob.totp" >"$tmp/bob.code")
	done
fi
(umask 077 && { printf '%s' 'bob-Passw0rd!'; cat "$tmp/bob.code"; } >"$tmp/bob.pw")
try "bob with his password and a fresh code appended" 235 bob "$tmp/bob.pw"
try "bob with the same password and code again (a replay)" 535 bob "$tmp/bob.pw"
rm -f "$tmp/bob.pw" "$tmp/bob.code"

# --- carol acts as the shared account newsletter (PLAIN authzid; swaks cannot send one) -------------
if [ -s "$secrets/carol.pw" ]; then
	postconf -c "$conf" -e \
		'smtpd_sender_login_maps = inline:{ newsletter@example.test=newsletter, carol@example.test=carol }' \
		'smtpd_sender_restrictions = reject_authenticated_sender_login_mismatch'
	postfix -c "$conf" reload >/dev/null 2>&1
	sleep 1
	from=$(($(wc -l <"$tmp/maillog") + 1))
	echo "  carol logs in with her own password and the authzid newsletter, then MAIL FROM newsletter@:"
	echo "  \$ smtp_authzid.py 127.0.0.1:$port newsletter carol <password file> newsletter@example.test"
	codes=$(python3 "$(dirname "$0")/../tests/e2e/smtp_authzid.py" "127.0.0.1:$port" newsletter carol \
		"$secrets/carol.pw" newsletter@example.test 2>/dev/null || true)
	echo "    replies to AUTH, MAIL FROM, RCPT TO: $codes"
	[ "$codes" = "235 250 250" ] || unexpected=1
	show_session newsletter "$from" \
		"Postfix sees the shared account (smtpd_sender_login_maps decides what it may send as):"
	echo "  carol as herself may not send as newsletter@ (smtpd_sender_login_maps):"
	codes=$(python3 "$(dirname "$0")/../tests/e2e/smtp_authzid.py" "127.0.0.1:$port" "" carol \
		"$secrets/carol.pw" newsletter@example.test 2>/dev/null || true)
	echo "    replies to AUTH, MAIL FROM, RCPT TO: $codes"
	[ "$codes" = "235 250 553" ] || unexpected=1
fi

postfix_stop
echo "  Postfix stopped"
exit $unexpected
