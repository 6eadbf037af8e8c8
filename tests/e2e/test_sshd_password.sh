#!/bin/sh
# test_sshd_password.sh MODULE.so — a real sshd logs people in through pam_sendsec.so with
# keyboard-interactive, against the test slapd (run me through tests/fixtures/with-slapd.sh).
# Nothing on the host changes: sshd_lib.sh runs sshd in a private mount namespace with its own
# pam.d, accounts and /run; the client answers prompts from 0600 files through SSH_ASKPASS.
# Cases: right password ⇒ LOGIN-OK; wrong password ⇒ refused; unknown user ⇒ refused; erin (reset
# required) ⇒ password change inside the keyboard-interactive dialogue, then the new one works.
set -eu

[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_sshd_password.sh PATH/pam_sendsec.so" >&2; exit 2; }
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
module=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

. "$(dirname "$0")/sshd_lib.sh"
sshd_enter_namespace "$module"
sshd_start "config=$SENDSEC_TEST_CONF methods=password"

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

sshd_finish
