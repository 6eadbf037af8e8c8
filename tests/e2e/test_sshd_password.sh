#!/bin/sh
# test_sshd_password.sh MODULE.so — a real sshd logs people in through pam_sendsec.so with
# keyboard-interactive, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# Nothing on the host changes: the script re-execs itself in a private mount namespace, where a
# temp dir is bind-mounted over /etc/pam.d, copies of /etc/passwd, /etc/group and /etc/shadow with
# the test accounts over the originals, and a tmpfs over /run (for /run/sshd). OpenSSH's client
# answers prompts through SSH_ASKPASS from files, so no password is on a command line or printed.
# Cases: right password ⇒ LOGIN-OK; wrong password ⇒ refused; unknown user ⇒ refused; erin (reset
# required) ⇒ password change inside the keyboard-interactive dialogue, then the new one works.
set -eu

[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_sshd_password.sh PATH/pam_sendsec.so" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
module=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

if [ "${SENDSEC_E2E_NAMESPACE:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || [ ! -x /usr/sbin/sshd ]; then
		echo "SKIP: needs root, unshare and /usr/sbin/sshd"
		exit 77
	fi
	SENDSEC_E2E_NAMESPACE=1 exec unshare -m --propagation private "$0" "$module"
fi

# --- inside the mount namespace -------------------------------------------------------------
tmp=$(mktemp -d /tmp/sendsec-sshd.XXXXXX)
sshd_pid=""
cleanup() {
	if [ -n "$sshd_pid" ]; then
		kill "$sshd_pid" 2>/dev/null || true
		wait "$sshd_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# Accounts: the NSS side of the seeded directory accounts (DESIGN.md: NSS is not sendsec's job).
mkdir -p "$tmp/etc/pam.d" "$tmp/home"
cp /etc/passwd /etc/group /etc/shadow "$tmp/etc/"
chmod 0640 "$tmp/etc/shadow"
uid=20001
# ghost is a local account the directory does not know.
for name in alice bob carol dave erin frank ghost; do
	mkdir -p "$tmp/home/$name"
	chown "$uid:$uid" "$tmp/home/$name"
	echo "$name:x:$uid:$uid:$name:$tmp/home/$name:/bin/sh" >>"$tmp/etc/passwd"
	echo "$name:x:$uid:" >>"$tmp/etc/group"
	echo "$name:*:19000:0:99999:7:::" >>"$tmp/etc/shadow"
	uid=$((uid + 1))
done

args="config=$SENDSEC_TEST_CONF methods=password"
cat >"$tmp/etc/pam.d/sshd" <<EOF
auth     required $module $args
account  required $module $args
password required $module $args
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
port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
while ss -Hltn "sport = :$port" | grep -q .; do
	port=$((port + 1))
done
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
/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/sshd.log" &
sshd_pid=$!
i=0
until ss -Hltn "sport = :$port" | grep -q .; do
	kill -0 "$sshd_pid" 2>/dev/null || { cat "$tmp/sshd.log"; echo "FAIL: sshd exited"; exit 1; }
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "FAIL: sshd did not listen within 5 s"; exit 1; }
	sleep 0.05
done

# The askpass program gets the prompt as its argument: it answers the login prompt with
# $tmp/pw.login, a password change with $tmp/pw.current and $tmp/pw.new, and logs the prompts.
cat >"$tmp/askpass" <<EOF
#!/bin/sh
echo "\$1" >>"$tmp/prompts"
case \$1 in
*"Current password"*) cat "$tmp/pw.current" ;;
*"ew password"*) cat "$tmp/pw.new" ;;
*) cat "$tmp/pw.login" ;;
esac
EOF
chmod 0700 "$tmp/askpass"
secret() { # FILE VALUE-FROM-STDIN
	(umask 077 && cat >"$tmp/$1")
}

# login USER: one ssh session running 'echo LOGIN-OK'; output in $tmp/out, status returned.
login() {
	: >"$tmp/prompts"
	SSH_ASKPASS="$tmp/askpass" SSH_ASKPASS_REQUIRE=force DISPLAY=:0 \
		timeout 20 setsid -w ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-o ConnectTimeout=5 -o LogLevel=ERROR -p "$port" "$1@127.0.0.1" 'echo LOGIN-OK' \
		</dev/null >"$tmp/out" 2>&1
}

expect_ok() { # DESCRIPTION USER
	rc=0
	login "$2" || rc=$?
	if [ $rc -eq 0 ] && grep -qx 'LOGIN-OK' "$tmp/out"; then
		ok "$1"
	else
		bad "$1 (exit $rc)"; sed 's/^/  ssh: /' "$tmp/out"
	fi
}

expect_refused() { # DESCRIPTION USER
	rc=0
	login "$2" || rc=$?
	if [ $rc -ne 0 ] && ! grep -q 'LOGIN-OK' "$tmp/out"; then
		ok "$1"
	else
		bad "$1 (exit $rc)"; sed 's/^/  ssh: /' "$tmp/out"
	fi
}

printf '%s\n' 'alice-Passw0rd!' | secret pw.login
expect_ok "alice logs in with her password" alice
grep -q 'Password: *$' "$tmp/prompts" || bad "the prompt was not 'Password: '"

printf '%s\n' 'alice-Passw0rd?' | secret pw.login
expect_refused "alice with a wrong password is refused" alice

printf '%s\n' 'carol-Passw0rd!' | secret pw.login
expect_ok "carol ({CRYPT}) logs in" carol

printf '%s\n' 'ghost-Passw0rd!' | secret pw.login
expect_refused "a local account unknown to the directory is refused" ghost

printf '%s\n' 'dave-Passw0rd!' | secret pw.login
expect_refused "dave (disabled) is refused" dave

# erin must change her password: sshd runs pam_chauthtok inside keyboard-interactive.
printf '%s\n' 'erin-Passw0rd!' | secret pw.login
printf '%s\n' 'erin-Passw0rd!' | secret pw.current
printf '%s\n' 'erin-Sshd-Passw0rd!' | secret pw.new
expect_ok "erin changes her required password during login" erin
grep -q 'New password' "$tmp/prompts" || bad "erin was not asked for a new password"
printf '%s\n' 'erin-Sshd-Passw0rd!' | secret pw.login
expect_ok "erin logs in with the new password" erin
grep -q 'New password' "$tmp/prompts" && bad "erin was asked to change her password again"
printf '%s\n' 'erin-Passw0rd!' | secret pw.login
expect_refused "erin's old password is refused" erin

if [ $fail -ne 0 ] || [ "${SENDSEC_E2E_VERBOSE:-0}" = 1 ]; then
	echo "--- sshd log"
	cat "$tmp/sshd.log"
fi
exit $fail
