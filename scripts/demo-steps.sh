#!/bin/sh
# demo-steps.sh BUILD — the steps of the demo, run by demo.sh inside with-slapd.sh (which exports
# the SENDSEC_TEST_* variables of the throwaway slapd). Passwords are demo values from
# tests/fixtures/README; the demo never prints one.
set -u
parts_failed=""
BUILD=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
CTL="$BUILD/tools/sendsecctl"
T=$SENDSEC_TEST_DIR/demo
mkdir -p "$T"
# Secrets handed to the helper scripts: 0600 files in a 0700 directory, never argv.
S=$T/secrets
(umask 077 && mkdir -p "$S")
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; printf '  (exit %s)\n' "$?"; }

# The demo's config: the fixture's, plus a policy for smtp (the only service that takes API keys:
# the default methods, password+totp, take none) and a lower lockout threshold.
CONF=$T/sendsec.conf
cp "$SENDSEC_TEST_CONF" "$CONF"
cat >>"$CONF" <<CONF
lockout_threshold 3
totp_unenrolled allow

[service smtp]
methods password+totp apikey
allow_networks 127.0.0.0/8 ::1 192.0.2.0/24
otp_mode append
CONF
chmod 600 "$CONF"
ctl() { "$CTL" --config "$CONF" "$@"; }

# A stand-in syslog so the audit lines can be shown (these machines have none).
AUDIT=$T/audit.log
: >"$AUDIT"
LOGPID=
if [ ! -e /dev/log ]; then
	python3 "$SRC/tests/lib/devlog.py" "$AUDIT" /dev/log 2>/dev/null &
	LOGPID=$!
	i=0; while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
cleanup() { [ -n "$LOGPID" ] && kill "$LOGPID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT # exit (running cleanup) rather than go on with the next step
trap 'exit 143' TERM

step "The directory: a throwaway slapd on $SENDSEC_TEST_URI with demo accounts"
ldapsearch -x -LLL -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
	-b "ou=people,$SENDSEC_TEST_BASE" '(objectClass=posixAccount)' uid | sed -n 's/^uid: /  account: /p'

step "Check the configuration and print the effective policy per service"
show ctl check-config

step "Look an account up"
show ctl status alice

step "Password logins (sendsecctl test SERVICE USER reads the password from stdin)"
printf 'alice-Passw0rd!\n' | show ctl test sshd alice
printf 'not-her-password\n' | show ctl test sshd alice

step "An API key for a program that sends mail: created once, scoped to smtp"
KEY=$(ctl key create alice --scope smtp --description "demo mailer" 2>/dev/null | grep -o 'ssk_[A-Za-z0-9_]*' | head -n 1)
echo "  key created (shown once to the admin; not repeated here)"
(umask 077 && printf '%s\n' "$KEY" >"$S/apikey")
show ctl key list alice
printf '%s\n' "$KEY" | show ctl test smtp apikey --rhost 192.0.2.10
printf '%s\n' "$KEY" | show ctl test sshd apikey --rhost 192.0.2.10
echo "  (refused: sshd's methods do not list apikey, and the key is for smtp only)"

step "A login from an address outside the smtp allowlist is refused"
printf '%s\n' "$KEY" | show ctl test smtp apikey --rhost 203.0.113.7

step "TOTP: enroll bob, log in with password + code, replay the same code"
URI=$(ctl totp enroll bob --name phone --issuer sendsec-demo 2>/dev/null | grep -o 'otpauth://[^ ]*' | head -n 1)
SECRET=$(printf '%s' "$URI" | sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p')
echo "  bob enrolled (the otpauth:// URI and QR code go to the admin's terminal)"
(umask 077 && printf '%s\n' "$SECRET" >"$S/bob.totp")
CODE=$(oathtool --totp -b - <"$S/bob.totp")
(umask 077 && printf '%s\n' "$CODE" >"$S/bob.code")
(umask 077 && printf 'bob-Passw0rd!%s\n' "$CODE" >"$T/bobpw")
echo "  code appended to the password, as SMTP clients send it:"
show ctl test smtp bob --rhost 127.0.0.1 <"$T/bobpw"
echo "  the same code again:"
show ctl test smtp bob --rhost 127.0.0.1 <"$T/bobpw"

step "HOTP: a hardware token for frank (its seed on stdin, codes from oathtool --hotp as the button gives them)"
# The seed a hardware token ships with (here a random one); the admin pipes it in, never argv.
(umask 077 && od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$S/frank.hotp" && echo >>"$S/frank.hotp")
echo "\$ sendsecctl hotp enroll frank --secret - --name yubikey  < seed file"
ctl hotp enroll frank --secret - --name yubikey <"$S/frank.hotp"
hotp() { oathtool --hotp -c "$1" - <"$S/frank.hotp"; }
echo "  first press (counter 0), asked for after the password as sshd asks:"
(umask 077 && printf 'frank-Passw0rd!\n%s\n' "$(hotp 0)" >"$T/frankpw")
show ctl test sshd frank <"$T/frankpw"
echo "  the same code again:"
show ctl test sshd frank <"$T/frankpw"
echo "  the button pressed four times away from a login (counter 5): still inside the look-ahead of 10:"
(umask 077 && printf 'frank-Passw0rd!\n%s\n' "$(hotp 5)" >"$T/frankpw")
show ctl test sshd frank <"$T/frankpw"
echo "  pressed 40 times in a pocket (counter 46): beyond the look-ahead, refused; resync on two presses:"
(umask 077 && printf 'frank-Passw0rd!\n%s\n' "$(hotp 46)" >"$T/frankpw")
show ctl test sshd frank <"$T/frankpw"
echo "\$ sendsecctl hotp resync frank <code 47> <code 48>"
ctl hotp resync frank "$(hotp 47)" "$(hotp 48)"
(umask 077 && printf 'frank-Passw0rd!\n%s\n' "$(hotp 49)" >"$T/frankpw")
show ctl test sshd frank <"$T/frankpw"
echo "  frank adds an authenticator app beside it (a second token, named phone):"
ctl totp enroll frank --name phone --no-qr >/dev/null 2>&1 && echo "  (phone enrolled; its URI went to the admin)"
show ctl totp list frank
rm -f "$T/frankpw"

step "Lockout: three wrong passwords for carol, then her right password is refused"
for i in 1 2 3; do printf 'wrong-%s\n' "$i" | ctl test sshd carol >/dev/null 2>&1; done
printf 'carol-Passw0rd!\n' | show ctl test sshd carol
show ctl status carol
show ctl unlock carol
printf 'carol-Passw0rd!\n' | show ctl test sshd carol

step "A shared mailbox without a shared password: carol sends as newsletter with her own credentials"
ldapmodify -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
	-f "$SRC/tests/fixtures/newsletter.ldif" >/dev/null
echo "  uid=newsletter added, with no password at all"
show ctl delegate add newsletter carol
show ctl delegate list newsletter
printf 'carol-Passw0rd!\n' | show ctl test smtp carol --authzid newsletter --rhost 127.0.0.1
printf 'alice-Passw0rd!\n' | show ctl test smtp alice --authzid newsletter --rhost 127.0.0.1
(umask 077 && printf 'carol-Passw0rd!\n' >"$S/carol.pw")

step "Postfix: SMTP AUTH through libsendsec.so: an API key, password + code, a replay, a delegated login"
"$SRC/scripts/demo-postfix.sh" "$BUILD/sasl_sendsec/libsendsec.so" "$CONF" "$S" || {
	echo "  (the Postfix part failed; see above)"
	parts_failed="$parts_failed postfix"
}

step "ssh: a real sshd on loopback, password + verification code, a replay, a disallowed address"
ldapmodify -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" >/dev/null <<LDIF
dn: uid=grace,ou=people,$SENDSEC_TEST_BASE
changetype: modify
add: sendsecAllowedNetwork
sendsecAllowedNetwork: 192.0.2.0/24
LDIF
"$SRC/scripts/demo-sshd.sh" "$BUILD/pam_sendsec/pam_sendsec.so" "$CTL" "$CONF" || {
	echo "  (the ssh part failed; see above)"
	parts_failed="$parts_failed ssh"
}

step "The audit lines of all of the above (syslog, facility authpriv)"
sleep 0.2
if [ -s "$AUDIT" ]; then sed -n 's/.*\(sendsec: .*\)/  \1/p' "$AUDIT"; else echo "  (a syslog daemon owns /dev/log here: see its authpriv log)"; fi
rm -rf "$T/bobpw" "$S"
if [ -n "$parts_failed" ]; then
	echo "demo: these parts failed:$parts_failed" >&2
	exit 1
fi
