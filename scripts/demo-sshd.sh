#!/bin/sh
# demo-sshd.sh MODULE.so SENDSECCTL CONF — the demo's ssh part, run by demo-steps.sh: a private
# sshd (tests/e2e/sshd_lib.sh: own mount namespace, nothing on the host changes) logs frank in with
# his password and a TOTP code from a second token (beside his HOTP one), refuses the same code replayed, and refuses grace, whose account
# only allows 192.0.2.0/24, connecting from 127.0.0.1, after the same two prompts as frank's.
# Passwords and codes stay in 0600 files.
set -eu
module=$1 ctl=$2 conf=$3
. "$(dirname "$0")/../tests/e2e/sshd_lib.sh"
sshd_enter_namespace "$module" "$ctl" "$conf"
sshd_start "config=$conf"

echo "  sshd listens on 127.0.0.1:$port with pam_sendsec.so (keyboard-interactive)"
# frank has his hardware (HOTP) token and a phone app from the steps before: a tablet app is a
# third token, whose secret this script keeps to make the codes.
"$ctl" --config "$conf" totp enroll frank --name tablet --issuer sendsec-demo --no-qr 2>/dev/null |
	sed -n 's/^otpauth:.*[?&]secret=\([A-Z2-7=]*\).*/\1/p' | secret totp.b32
oathtool --totp -b - <"$tmp/totp.b32" | secret pw.code
printf '%s\n' 'frank-Passw0rd!' | secret pw.login
echo "  \$ ssh frank@127.0.0.1   (askpass answers 'Password:' and 'Verification code:')"
expect_ok "frank logs in with his password and a fresh code" frank
echo "  prompts seen: $(tr '\n' '|' <"$tmp/prompts")"
expect_refused "the same code replayed in a second ssh is refused" frank

printf '%s\n' 'grace-Passw0rd!' | secret pw.login
echo "  grace's account allows only 192.0.2.0/24:"
expect_refused "grace connecting from 127.0.0.1 is refused" grace
echo "  prompts seen: $(tr '\n' '|' <"$tmp/prompts")   (as for frank: a refusal tells nothing)"
sshd_finish
