#!/bin/sh
# test_sshd_totp.sh MODULE.so SENDSECCTL — a real sshd asks for the password and then the TOTP code
# through pam_sendsec.so (default methods "password+totp", otp_mode prompt) in one
# keyboard-interactive dialogue, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# alice is enrolled with sendsecctl; codes come from oathtool at real time, the secret on its stdin.
# Cases: password + the current code ⇒ LOGIN-OK; the same code in a second ssh ⇒ refused (replay);
# a wrong code ⇒ refused; the next step's code (within the window of 1) ⇒ LOGIN-OK; bob (no token,
# totp_unenrolled deny) ⇒ refused after the code prompt, as a name no account has is; alice's API
# key with scope '*' ⇒ refused (sshd's methods, the default, do not list apikey). Setup and the
# askpass program: sshd_lib.sh.
set -eu

[ $# -eq 2 ] || { echo "usage: with-slapd.sh test_sshd_totp.sh PATH/pam_sendsec.so PATH/sendsecctl" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
module=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ctl=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")

. "$(dirname "$0")/sshd_lib.sh"
if ! command -v oathtool >/dev/null; then
	echo "SKIP: needs oathtool (package oathtool)"
	exit 77
fi
sshd_enter_namespace "$module" "$ctl"
sshd_start "config=$SENDSEC_TEST_CONF"

# Enroll alice; only the base32 secret is kept, in a 0600 file.
"$ctl" --config "$SENDSEC_TEST_CONF" totp enroll alice --no-qr 2>"$tmp/ctl.err" |
	sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7=]*\).*/\1/p' | secret totp.b32 || true
if [ ! -s "$tmp/totp.b32" ]; then
	echo "FAIL: sendsecctl totp enroll alice printed no secret"; sed 's/^/  /' "$tmp/ctl.err"; exit 1
fi

# code T FILE: the code at Unix time T into $tmp/FILE (0600); the key travels on stdin.
code() {
	oathtool --totp -b -N "@$1" - <"$tmp/totp.b32" | secret "$2"
	[ "$(tr -d '\n' <"$tmp/$2" | wc -c)" -eq 6 ] || { echo "FAIL: oathtool made no code"; exit 1; }
}

now=$(date +%s)
code "$now" code.now
code $((now + 30)) code.next
# Every digit shifted by 5: not the code of any step near now.
tr 0123456789 5678901234 <"$tmp/code.now" | secret code.wrong

printf '%s\n' 'alice-Passw0rd!' | secret pw.login
cp "$tmp/code.now" "$tmp/pw.code"
expect_ok "alice logs in with her password and the current code" alice
grep -q 'Password: *$' "$tmp/prompts" || bad "the first prompt was not 'Password: '"
grep -q 'Verification code: *$' "$tmp/prompts" || bad "alice was not asked 'Verification code: '"

expect_refused "the same code in a second ssh is refused (replay)" alice
grep -q 'Verification code' "$tmp/prompts" || bad "the replay was not refused at the code prompt"

cp "$tmp/code.wrong" "$tmp/pw.code"
expect_refused "alice with a wrong code is refused" alice
grep -q 'Verification code' "$tmp/prompts" || bad "alice was not asked for the code"

cp "$tmp/code.next" "$tmp/pw.code"
expect_ok "alice logs in with the next step's code" alice

printf '%s\n' 'bob-Passw0rd!' | secret pw.login
expect_refused "bob (no token, totp_unenrolled deny) is refused" bob
# The prompts do not tell who has a token, or who exists (issue 11).
grep -q 'Verification code' "$tmp/prompts" || bad "bob (no token) was not asked for the code"
expect_refused "a name no account has is refused" nosuchuser
grep -q 'Verification code' "$tmp/prompts" || bad "the unknown name was not asked for the code"

# A key with scope '*' is no way into sshd: the default methods do not list apikey.
"$ctl" --config "$SENDSEC_TEST_CONF" key create alice --scope '*' 2>"$tmp/ctl.err" | secret pw.login
[ -s "$tmp/pw.login" ] || { echo "FAIL: sendsecctl key create alice printed no key"; sed 's/^/  /' "$tmp/ctl.err"; exit 1; }
expect_refused "alice's key with scope * typed as her password is refused" alice

sshd_finish
