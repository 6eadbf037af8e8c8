# postfix_lib.sh — shared by tests/e2e/test_postfix_sasl.sh and scripts/demo-postfix.sh (sourced,
# POSIX sh, set -eu): a private Postfix (postfix -c DIR) offering SMTP AUTH through libsendsec.so,
# against the slapd named in the sendsec config (tests/fixtures/with-slapd.sh). Nothing on the host
# changes: config, queue, data directory, log file and plugin directory all live in a temp dir;
# smtpd listens on a free loopback port with chroot n (DESIGN.md section 9), or with chroot y
# (into the private queue directory, as Debian runs smtpd) when POSTFIX_CHROOT=y is set before
# postfix_start. swaks is the client;
# the password reaches it through SWAKS_OPT_auth_password from a 0600 file (never argv) and
# --auth-hide-password keeps it out of the transcript.
#
#   . "$(dirname "$0")/postfix_lib.sh"
#   postfix_init                      # exit 77 without root, postfix or swaks; sets $tmp (mode
#                                     # 0755, for the postfix user); stop + rm -rf on exit
#   postfix_start PLUGIN CONFIG [SERVICE]
#                                     # Postfix with smtpd on 127.0.0.1:$port (SASL file:
#                                     # sendsec_config CONFIG); with SERVICE a second smtpd on
#                                     # 127.0.0.1:$port2 whose SASL file adds sendsec_service
#                                     # SERVICE; sets $conf (the Postfix config dir); exits 1,
#                                     # printing the log, when Postfix or smtpd does not come up
#   smtp_auth MECH USER SECRETFILE [QUIT-AFTER [PORT]]
#                                     # swaks AUTH MECH as USER, the first line of SECRETFILE as
#                                     # the password, up to QUIT-AFTER (default AUTH) on PORT
#                                     # (default $port); prints the reply code to AUTH (235, 535,
#                                     # 454, …); the transcript is in $tmp/swaks.out
#   auth MECH USER WRONG(0|1) [QUIT-AFTER [PORT]]
#                                     # smtp_auth with USER's seeded password ("USER-Passw0rd!",
#                                     # or a wrong one) from a 0600 file removed afterwards
#   maillog_wait ERE [FROM-LINE]      # true once ERE matches a line of $tmp/maillog (from line
#                                     # FROM-LINE on), false after 5 s
#   ok TEXT / bad TEXT                # the tests' result lines ("ok: …", "FAIL: …"; bad sets fail=1)
#   expect NAME WANT GOT              # ok when the reply GOT is WANT, else bad and the transcript
#   postfix_stop                      # stops Postfix and waits for its master to exit
#
# postfix_init runs from postfix_start when the caller did not call it first (call it first to
# put files, such as the sendsec config, in $tmp before Postfix starts).

tmp=""
conf=""
port=""
port2=""
fail=0

# Stops the private Postfix if its master runs. The pid file outlives the master: ask postfix
# whether it runs before stopping it.
postfix_stop() {
	[ -n "$conf" ] && [ -f "$conf/main.cf" ] || return 0
	if postfix -c "$conf" status >/dev/null 2>&1; then
		postfix -c "$conf" stop >/dev/null 2>&1 || true
		_i=0
		while [ $_i -lt 100 ] && postfix -c "$conf" status >/dev/null 2>&1; do
			sleep 0.1
			_i=$((_i + 1))
		done
	fi
}

postfix_cleanup() {
	postfix_stop
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}

postfix_init() {
	[ -z "$tmp" ] || return 0
	PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
		echo "SKIP: needs root, postfix and swaks"
		exit 77
	fi
	tmp=$(mktemp -d /tmp/sendsec-postfix.XXXXXX)
	chmod 0755 "$tmp" # postfix (the user) must reach its data_directory
	trap 'rc=$?; trap - EXIT; postfix_cleanup; exit $rc' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# A random loopback port below the ephemeral range (outgoing connections, e.g. to slapd, take
# ports there that ss -l does not show), unused in any state and not $port.
postfix_free_port() {
	_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$_low" -gt 11000 ] 2>/dev/null || _low=32768
	_p=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (_low - 10000)))
	while [ "$_p" = "$port" ] || ss -Htan "sport = :$_p" | grep -q .; do
		_p=$((10000 + (_p + 1 - 10000) % (_low - 10000)))
	done
	echo "$_p"
}

postfix_start() {
	postfix_init
	_plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	_config=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	_service=${3:-}
	_chroot=${POSTFIX_CHROOT:-n}
	conf=$tmp/conf
	mkdir -p "$conf/sasl" "$tmp/queue" "$tmp/data" "$tmp/plugins"
	chown postfix "$tmp/data"
	# Only our plugin in the private plugin dir; Debian's libplain/liblogin come after it in
	# SASL_PATH and are outranked (DESIGN.md section 9).
	ln -sf "$_plugin" "$tmp/plugins/libsendsec.so"

	port=$(postfix_free_port)
	port2=""
	[ -z "$_service" ] || port2=$(postfix_free_port)
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
	{
		echo "127.0.0.1:$port inet n - $_chroot - - smtpd"
		[ -z "$port2" ] || echo "127.0.0.1:$port2 inet n - $_chroot - - smtpd -o smtpd_sasl_path=smtpd-svc"
		cat <<EOF
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
	} >"$conf/master.cf"
	printf 'mech_list: PLAIN LOGIN\nsendsec_config: %s\n' "$_config" >"$conf/sasl/smtpd.conf"
	if [ -n "$port2" ]; then
		printf 'mech_list: PLAIN LOGIN\nsendsec_config: %s\nsendsec_service: %s\n' \
			"$_config" "$_service" >"$conf/sasl/smtpd-svc.conf"
	fi

	# postfix prints its errors only on a tty: run it under script so a failure is readable.
	if ! script -qec "postfix -c '$conf' start" /dev/null >"$tmp/start.log" 2>&1; then
		cat "$tmp/start.log"
		cat "$tmp/maillog" 2>/dev/null || true
		echo "FAIL: postfix did not start"
		exit 1
	fi
	_i=0
	until swaks --server "127.0.0.1:$port" --quit-after EHLO >/dev/null 2>&1 &&
		{ [ -z "$port2" ] || swaks --server "127.0.0.1:$port2" --quit-after EHLO >/dev/null 2>&1; }; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ]; then
			cat "$tmp/maillog" 2>/dev/null || true
			echo "FAIL: smtpd did not answer on port $port${port2:+ or $port2}"
			exit 1
		fi
		sleep 0.1
	done
}

smtp_auth() {
	SWAKS_OPT_auth_password=$(head -n1 "$3") swaks --server "127.0.0.1:${5:-$port}" \
		--ehlo client.example.test --from "$2@example.test" --to someone@example.net \
		--auth "$1" --auth-user "$2" --auth-hide-password --quit-after "${4:-AUTH}" \
		>"$tmp/swaks.out" 2>&1 || true
	# The first reply after "-> AUTH ..." that is not a 334 challenge: "<-  235 2.7.0 ..." or
	# "<** 535 5.7.8 ..." (swaks marks failures with **).
	awk '/^ *-> AUTH/ { auth = 1; next }
		auth && $1 ~ /^<(-|\*\*)$/ && $2 ~ /^[0-9][0-9][0-9]$/ && $2 != "334" { print $2; exit }' "$tmp/swaks.out"
}

maillog_wait() {
	_i=0
	until tail -n +"${2:-1}" "$tmp/maillog" 2>/dev/null | grep -Eq "$1"; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || return 1
		sleep 0.1
	done
}

auth() {
	_pw="$2-Passw0rd!"
	[ "$3" = 1 ] && _pw="$2-Passw0rd?"
	(umask 077 && printf '%s\n' "$_pw" >"$tmp/pw")
	unset _pw
	smtp_auth "$1" "$2" "$tmp/pw" "${4:-AUTH}" "${5:-$port}"
	rm -f "$tmp/pw"
}

ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}

expect() {
	if [ "$3" = "$2" ]; then
		ok "$1: $3"
	else
		bad "$1: got '$3', want $2"
		sed 's/^/    /' "$tmp/swaks.out"
	fi
}
