#!/bin/sh
# test_postfix_sasl.sh PATH/libsendsec.so PATH/sendsecctl — a private Postfix (postfix -c DIR) offers SMTP AUTH
# through libsendsec.so, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# Nothing on the host changes: config, queue, data directory, log file and plugin directory all
# live in a temp dir; smtpd listens on a free loopback port with chroot n (DESIGN.md section 9).
# swaks is the client; the password reaches it through SWAKS_OPT_auth_password (not argv) and
# --auth-hide-password keeps it out of the transcript, which is printed only on failure.
# Cases: alice PLAIN ⇒ 235 and "sasl_username=alice" in the log; wrong password ⇒ 535; LOGIN ⇒
# 235; unknown user ⇒ 535; an API key with user "apikey" ⇒ 235 and "sasl_username=alice"; a wrong
# key of valid shape ⇒ 535; bob (enrolled here) with his TOTP code appended ⇒ 235, the same code
# again ⇒ 535; a second smtpd whose SASL file names the service "smtp-lan" (allow_networks
# 192.0.2.0/24 only) refuses 127.0.0.1 with 535; slapd stopped ⇒ 454; slapd back ⇒ 235 with the
# same Postfix. Keys, TOTP secrets and codes live in 0600 files under the temp dir, never printed.
set -eu

[ $# -eq 2 ] || { echo "usage: with-slapd.sh test_postfix_sasl.sh PATH/libsendsec.so PATH/sendsecctl" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ctl=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || ! command -v swaks >/dev/null ||
	! command -v oathtool >/dev/null; then
	echo "SKIP: needs root, postfix, swaks and oathtool"
	exit 77
fi

tmp=$(mktemp -d /tmp/sendsec-postfix.XXXXXX)
conf=$tmp/conf
started=0
cleanup() {
	if [ "$started" = 1 ]; then
		# The pid file outlives the master: ask postfix whether it runs before stopping it.
		if postfix -c "$conf" status >/dev/null 2>&1; then
			postfix -c "$conf" stop >/dev/null 2>&1 || true
			i=0
			while [ $i -lt 50 ] && postfix -c "$conf" status >/dev/null 2>&1; do
				sleep 0.1
				i=$((i + 1))
			done
		fi
	fi
	rm -rf "$tmp"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

free_port() {
	while :; do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || break
	done
	echo "$port"
}

# --- the sendsec configuration: the fixture's, plus totp_unenrolled allow (the default methods
# "password+totp apikey" would refuse a password alone for accounts without a token) --------------
mkdir -p "$conf/sasl" "$tmp/queue" "$tmp/data" "$tmp/plugins"
chmod 0755 "$tmp" # postfix (the user) must reach its data_directory
# The section smtp-lan serves the second smtpd (sendsec_service in its SASL file): only
# 192.0.2.0/24 may log in there, so swaks from 127.0.0.1 must be refused.
(umask 077 && {
	cat "$SENDSEC_TEST_CONF"
	echo "totp_unenrolled allow"
	printf '[service smtp-lan]\nallow_networks 192.0.2.0/24\n'
} >"$tmp/sendsec.conf")
chown postfix "$tmp/data"
# Only our plugin in the private plugin dir; Debian's libplain/liblogin come after it in SASL_PATH
# and are outranked (DESIGN.md section 9).
ln -s "$plugin" "$tmp/plugins/libsendsec.so"

port=$(free_port)
port_lan=$(free_port)
while [ "$port_lan" = "$port" ]; do port_lan=$(free_port); done
cat >"$conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $tmp/queue
data_directory = $tmp/data
maillog_file = $tmp/maillog
maillog_file_prefixes = $tmp
syslog_name = postfix-sendsec-test
myhostname = mx.example.test
mydomain = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
smtpd_relay_restrictions = permit_sasl_authenticated, reject
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C SASL_PATH=$tmp/plugins:/usr/lib/x86_64-linux-gnu/sasl2
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
EOF
cat >"$conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
127.0.0.1:$port_lan inet n - n - - smtpd -o smtpd_sasl_path=smtpd-lan
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
cat >"$conf/sasl/smtpd.conf" <<EOF
mech_list: PLAIN LOGIN
sendsec_config: $tmp/sendsec.conf
EOF
cat >"$conf/sasl/smtpd-lan.conf" <<EOF
mech_list: PLAIN LOGIN
sendsec_config: $tmp/sendsec.conf
sendsec_service: smtp-lan
EOF

# postfix prints its errors only on a tty: run it under script so a failure is readable.
if ! script -qec "postfix -c '$conf' start" /dev/null >"$tmp/start.log" 2>&1; then
	cat "$tmp/start.log"
	cat "$tmp/maillog" 2>/dev/null || true
	echo "FAIL: postfix did not start"
	exit 1
fi
started=1
i=0
until swaks --server "127.0.0.1:$port" --quit-after EHLO >/dev/null 2>&1 &&
	swaks --server "127.0.0.1:$port_lan" --quit-after EHLO >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 100 ]; then
		cat "$tmp/maillog" 2>/dev/null || true
		echo "FAIL: smtpd did not answer on port $port or $port_lan"
		exit 1
	fi
	sleep 0.1
done

# auth_file MECH USER FILE [QUIT-AFTER [PORT]] — AUTH as USER with the first line of FILE as the
# password; prints the SMTP reply code to the AUTH command.
auth_file() {
	SWAKS_OPT_auth_password=$(head -n1 "$3") swaks --server "127.0.0.1:${5:-$port}" --ehlo client.example.test \
		--from "$2@example.test" --to someone@example.net \
		--auth "$1" --auth-user "$2" --auth-hide-password --quit-after "${4:-AUTH}" >"$tmp/swaks.out" 2>&1 || true
	# The first reply after "-> AUTH ..." that is not a 334 challenge: "<-  235 2.7.0 ..." or
	# "<** 535 5.7.8 ..." (swaks marks failures with **).
	awk '/^ *-> AUTH/ { auth = 1; next }
		auth && $1 ~ /^<(-|\*\*)$/ && $2 ~ /^[0-9][0-9][0-9]$/ && $2 != "334" { print $2; exit }' "$tmp/swaks.out"
}

# auth MECH USER WRONG(0|1) [QUIT-AFTER [PORT]] — the same with USER's seeded password (or a wrong one).
auth() {
	pw="$2-Passw0rd!"
	[ "$3" = 1 ] && pw="$2-Passw0rd?"
	(umask 077 && printf '%s\n' "$pw" >"$tmp/pw")
	unset pw
	auth_file "$1" "$2" "$tmp/pw" "${4:-AUTH}" "${5:-$port}"
	rm -f "$tmp/pw"
}

# maillog_has PATTERN DESCRIPTION [FROM-LINE] — waits up to 5 s for an extended regex in the
# maillog (from line FROM-LINE on).
maillog_has() {
	i=0
	until tail -n +"${3:-1}" "$tmp/maillog" | grep -Eq "$1"; do
		i=$((i + 1))
		if [ $i -ge 50 ]; then
			bad "maillog lacks $2"
			return
		fi
		sleep 0.1
	done
	ok "maillog reports $2"
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

expect() { # NAME WANT GOT
	if [ "$3" = "$2" ]; then
		ok "$1: $3"
	else
		bad "$1: got '$3', want $2"
		sed 's/^/    /' "$tmp/swaks.out"
	fi
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
expect "API key, user apikey" 235 "$(auth_file PLAIN apikey "$tmp/key" RCPT)"
maillog_has 'client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=alice$' \
	"the key's session as sasl_username=alice" "$from"
if grep -q 'sasl_username=apikey' "$tmp/maillog"; then bad "the maillog names apikey as the user"; fi
wrong_key "$tmp/key" "$tmp/badkey"
if [ "$(head -c 17 "$tmp/badkey")" = "$(head -c 17 "$tmp/key")" ] && ! cmp -s "$tmp/key" "$tmp/badkey"; then
	expect "wrong key (same id, valid check characters)" 535 "$(auth_file PLAIN apikey "$tmp/badkey")"
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
	expect "bob, password + TOTP code" 235 "$(auth_file PLAIN bob "$tmp/pwcode")"
	expect "bob, the same code again" 535 "$(auth_file PLAIN bob "$tmp/pwcode")"
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
