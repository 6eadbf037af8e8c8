#!/bin/sh
# test_postfix_sasl.sh PATH/libsendsec.so — a private Postfix (postfix -c DIR) offers SMTP AUTH
# through libsendsec.so, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# Nothing on the host changes: config, queue, data directory, log file and plugin directory all
# live in a temp dir; smtpd listens on a free loopback port with chroot n (DESIGN.md section 9).
# swaks is the client; the password reaches it through SWAKS_OPT_auth_password (not argv) and
# --auth-hide-password keeps it out of the transcript, which is printed only on failure.
# Cases: alice PLAIN ⇒ 235 and "sasl_username=alice" in the log; wrong password ⇒ 535; slapd
# stopped ⇒ 454; slapd back ⇒ 235 with the same Postfix; LOGIN ⇒ 235; unknown user ⇒ 535.
set -eu

[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_postfix_sasl.sh PATH/libsendsec.so" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
	echo "SKIP: needs root, postfix and swaks"
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
(umask 077 && { cat "$SENDSEC_TEST_CONF"; echo "totp_unenrolled allow"; } >"$tmp/sendsec.conf")
chown postfix "$tmp/data"
# Only our plugin in the private plugin dir; Debian's libplain/liblogin come after it in SASL_PATH
# and are outranked (DESIGN.md section 9).
ln -s "$plugin" "$tmp/plugins/libsendsec.so"

port=$(free_port)
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

# postfix prints its errors only on a tty: run it under script so a failure is readable.
if ! script -qec "postfix -c '$conf' start" /dev/null >"$tmp/start.log" 2>&1; then
	cat "$tmp/start.log"
	cat "$tmp/maillog" 2>/dev/null || true
	echo "FAIL: postfix did not start"
	exit 1
fi
started=1
i=0
until swaks --server "127.0.0.1:$port" --quit-after EHLO >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 100 ]; then
		cat "$tmp/maillog" 2>/dev/null || true
		echo "FAIL: smtpd did not answer on port $port"
		exit 1
	fi
	sleep 0.1
done

# auth MECH USER WRONG(0|1) [QUIT-AFTER] — prints the SMTP reply code to the AUTH command.
auth() {
	pw="$2-Passw0rd!"
	[ "$3" = 1 ] && pw="$2-Passw0rd?"
	SWAKS_OPT_auth_password=$pw swaks --server "127.0.0.1:$port" --ehlo client.example.test \
		--from "$2@example.test" --to someone@example.net \
		--auth "$1" --auth-user "$2" --auth-hide-password --quit-after "${4:-AUTH}" >"$tmp/swaks.out" 2>&1 || true
	unset pw
	# The first reply after "-> AUTH ..." that is not a 334 challenge: "<-  235 2.7.0 ..." or
	# "<** 535 5.7.8 ..." (swaks marks failures with **).
	awk '/^ *-> AUTH/ { auth = 1; next }
		auth && $1 ~ /^<(-|\*\*)$/ && $2 ~ /^[0-9][0-9][0-9]$/ && $2 != "334" { print $2; exit }' "$tmp/swaks.out"
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
i=0
until grep -q 'client=localhost\[127.0.0.1\], sasl_method=PLAIN, sasl_username=alice$' "$tmp/maillog"; do
	i=$((i + 1))
	if [ $i -ge 50 ]; then
		bad "maillog lacks sasl_username=alice"
		break
	fi
	sleep 0.1
done
[ $i -lt 50 ] && ok "maillog reports sasl_method=PLAIN, sasl_username=alice"
expect "alice wrong password" 535 "$(auth PLAIN alice 1)"
expect "unknown user" 535 "$(auth PLAIN nosuchuser 0)"
expect "alice LOGIN" 235 "$(auth LOGIN alice 0)"

"$SENDSEC_TEST_SLAPD" stop "$SENDSEC_TEST_DIR"
expect "slapd stopped" 454 "$(auth PLAIN alice 0)"
"$SENDSEC_TEST_SLAPD" restart "$SENDSEC_TEST_DIR"
expect "slapd back, same postfix" 235 "$(auth PLAIN alice 0)"
expect "bob LOGIN after restart" 235 "$(auth LOGIN bob 0)"

# No password may reach the log in any form.
if grep -q 'Passw0rd' "$tmp/maillog"; then
	bad "a password reached the maillog"
else
	ok "no password in the maillog"
fi

if [ "$fail" != 0 ]; then
	echo "--- maillog"
	sed 's/^/    /' "$tmp/maillog"
fi
exit "$fail"
