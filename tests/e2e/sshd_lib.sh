# sshd_lib.sh — shared by the tests/e2e/test_sshd_*.sh scripts (sourced, POSIX sh, set -eu):
# a real sshd on a free loopback port logging people in through pam_sendsec.so with
# keyboard-interactive, against the test slapd (tests/fixtures/with-slapd.sh). Nothing on the host
# changes: sshd_enter_namespace re-execs the test in a private mount namespace, where sshd_start
# bind-mounts a temp dir over /etc/pam.d, copies of /etc/passwd, /etc/group and /etc/shadow with
# the test accounts over the originals, and a tmpfs over /run (for /run/sshd) (DESIGN.md section 9).
# OpenSSH's client answers prompts through SSH_ASKPASS from 0600 files, so no password or code is
# on a command line or printed.
#
#   . "$(dirname "$0")/sshd_lib.sh"
#   sshd_enter_namespace "$@"        # exit 77 without root, unshare or /usr/sbin/sshd
#   sshd_start "PAM MODULE ARGUMENTS"   # needs $module; sets $tmp, $port; cleanup on exit
#   printf '%s\n' "$pw" | secret pw.login; expect_ok "what" USER; expect_refused "what" USER
#   sshd_finish                      # fails on sanitizer reports; prints sshd's log on failure
#                                    # (or with SENDSEC_E2E_VERBOSE=1); exits 0 or 1
#
# With an ASan-built module (sanitizer builds) sshd runs with the ASan runtime preloaded.
#
# The askpass program answers by the prompt it gets as its argument: "Current password" with
# $tmp/pw.current, "New password"/"Retype new password" with $tmp/pw.new, "Verification code"
# with $tmp/pw.code, anything else with $tmp/pw.login; each prompt is appended to $tmp/prompts.

# Re-execs "$0" "$@" in a private mount namespace, unless already inside one.
sshd_enter_namespace() {
	if [ "${SENDSEC_E2E_NAMESPACE:-}" = 1 ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ ! -x /usr/sbin/sshd ]; then
		echo "SKIP: needs root, unshare and /usr/sbin/sshd"
		exit 77
	fi
	SENDSEC_E2E_NAMESPACE=1 exec unshare -m --propagation private "$0" "$@"
}

tmp=""
sshd_pid=""
port=""
fail=0

sshd_cleanup() {
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null || true
		wait "$sshd_pid" 2>/dev/null || true
	fi
	if [ -n "$tmp" ]; then
		rm -rf "$tmp"
	fi
}

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# secret FILE: stdin into $tmp/FILE, mode 0600.
secret() {
	(umask 077 && cat >"$tmp/$1")
}

# Writes $tmp/sshd_config for $port and starts sshd in the background ($sshd_pid).
sshd_launch() {
	cat >"$tmp/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/hostkey
PidFile none
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
PermitRootLogin no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxAuthTries 2
LoginGraceTime 20
LogLevel VERBOSE
EOF
	/usr/sbin/sshd -t -f "$tmp/sshd_config"
	# An ASan-built module loads only into a process whose first library is the ASan runtime:
	# preload it into sshd (and the sshd it re-execs per connection). sshd's own allocations are
	# not ours, so leak checking is off here (tests/pam covers leaks); sanitizer reports go to
	# $tmp/asan.PID and $tmp/ubsan.PID, which sshd_finish turns into a failure.
	_asan=$(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(libasan\.so[.0-9]*\)\].*/\1/p')
	if [ -n "$_asan" ]; then
		_asan=$(ldconfig -p | awk -v lib="$_asan" '$1 == lib { print $NF; exit }')
		[ -n "$_asan" ] || { echo "FAIL: the module needs an ASan runtime that ldconfig does not know"; exit 1; }
		LD_PRELOAD=$_asan ASAN_OPTIONS=detect_leaks=0:log_path=$tmp/asan \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$tmp/ubsan \
			/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
	else
		/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
	fi
	sshd_pid=$!
}

# True once sshd ($sshd_pid) says it listens; false when it exited or 5 s passed (it is then
# stopped and $sshd_pid cleared).
sshd_wait_listening() {
	_i=0
	until grep -q "^Server listening on 127.0.0.1 port $port" "$tmp/sshd.log"; do
		if ! kill -0 "$sshd_pid" 2>/dev/null || [ $_i -ge 100 ]; then
			kill "$sshd_pid" 2>/dev/null || true
			wait "$sshd_pid" 2>/dev/null || true
			sshd_pid=""
			return 1
		fi
		_i=$((_i + 1))
		sleep 0.05
	done
}

# sshd_start ARGS: accounts, pam.d (auth, account and password lines for $module with ARGS),
# the mounts, a host key, and sshd listening on $port. Must run inside the namespace.
sshd_start() {
	[ "${SENDSEC_E2E_NAMESPACE:-}" = 1 ] || { echo "sshd_start outside the namespace" >&2; exit 2; }
	tmp=$(mktemp -d /tmp/sendsec-sshd.XXXXXX)
	trap 'rc=$?; trap - EXIT; sshd_cleanup; exit $rc' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# Accounts: the NSS side of the seeded directory accounts (NSS is not sendsec's job).
	# ghost is a local account the directory does not know.
	mkdir -p "$tmp/etc/pam.d" "$tmp/home"
	cp /etc/passwd /etc/group /etc/shadow "$tmp/etc/"
	chmod 0640 "$tmp/etc/shadow"
	_uid=20001
	for _name in alice bob carol dave erin frank ghost grace; do
		mkdir -p "$tmp/home/$_name"
		chown "$_uid:$_uid" "$tmp/home/$_name"
		echo "$_name:x:$_uid:$_uid:$_name:$tmp/home/$_name:/bin/sh" >>"$tmp/etc/passwd"
		echo "$_name:x:$_uid:" >>"$tmp/etc/group"
		echo "$_name:*:19000:0:99999:7:::" >>"$tmp/etc/shadow"
		_uid=$((_uid + 1))
	done

	cat >"$tmp/etc/pam.d/sshd" <<EOF
auth     required $module $1
account  required $module $1
password required $module $1
session  required pam_permit.so
EOF
	cat >"$tmp/etc/pam.d/other" <<EOF
auth     required pam_deny.so
account  required pam_deny.so
password required pam_deny.so
session  required pam_deny.so
EOF

	mount --bind "$tmp/etc/pam.d" /etc/pam.d
	mount --bind "$tmp/etc/passwd" /etc/passwd
	mount --bind "$tmp/etc/group" /etc/group
	mount --bind "$tmp/etc/shadow" /etc/shadow
	mount -t tmpfs -o mode=0755 tmpfs /run
	mkdir -m 0755 /run/sshd

	ssh-keygen -q -t ed25519 -N '' -f "$tmp/hostkey" >/dev/null
	# A random loopback port below the ephemeral range (outgoing connections, e.g. to slapd, take
	# ports there that ss -l does not show), unused in any state; when sshd still loses a race
	# for it, another port, up to 5 times.
	_low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$_low" -gt 11000 ] 2>/dev/null || _low=32768
	_try=0
	while :; do
		_try=$((_try + 1))
		port=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (_low - 10000)))
		while ss -Htan "sport = :$port" | grep -q .; do
			port=$((10000 + (port + 1 - 10000) % (_low - 10000)))
		done
		sshd_launch
		if sshd_wait_listening; then
			break
		fi
		if [ $_try -lt 5 ] && grep -q 'Address already in use' "$tmp/sshd.log"; then
			continue
		fi
		cat "$tmp/sshd.log"
		echo "FAIL: sshd did not start"
		exit 1
	done

	cat >"$tmp/askpass" <<EOF
#!/bin/sh
echo "\$1" >>"$tmp/prompts"
case \$1 in
*"Current password"*) cat "$tmp/pw.current" ;;
*"ew password"*) cat "$tmp/pw.new" ;;
*"Verification code"*) cat "$tmp/pw.code" ;;
*) cat "$tmp/pw.login" ;;
esac
EOF
	chmod 0700 "$tmp/askpass"
}

# login USER: one ssh session running 'echo LOGIN-OK'; output in $tmp/out, prompts in
# $tmp/prompts, ssh's status returned.
login() {
	: >"$tmp/prompts"
	SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
		timeout 20 setsid -w ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-o ConnectTimeout=5 -o LogLevel=ERROR -p "$port" "$1@127.0.0.1" 'echo LOGIN-OK' \
		</dev/null >"$tmp/out" 2>&1
}

expect_ok() { # DESCRIPTION USER
	_rc=0
	login "$2" || _rc=$?
	if [ $_rc -eq 0 ] && grep -qx 'LOGIN-OK' "$tmp/out"; then
		ok "$1"
	else
		bad "$1 (exit $_rc)"; sed 's/^/  ssh: /' "$tmp/out"
	fi
}

expect_refused() { # DESCRIPTION USER
	_rc=0
	login "$2" || _rc=$?
	if [ $_rc -ne 0 ] && ! grep -q 'LOGIN-OK' "$tmp/out"; then
		ok "$1"
	else
		bad "$1 (exit $_rc)"; sed 's/^/  ssh: /' "$tmp/out"
	fi
}

sshd_finish() {
	for _report in "$tmp"/asan.* "$tmp"/ubsan.*; do
		[ -e "$_report" ] || continue
		bad "sanitizer report from sshd: $(basename "$_report")"
		sed 's/^/  /' "$_report"
	done
	if [ $fail -ne 0 ] || [ "${SENDSEC_E2E_VERBOSE:-0}" = 1 ]; then
		echo "--- sshd log"
		cat "$tmp/sshd.log"
	fi
	exit $fail
}
