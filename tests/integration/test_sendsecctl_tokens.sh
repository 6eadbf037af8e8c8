#!/bin/sh
# test_sendsecctl_tokens.sh — the argument side of sendsecctl's token and delegation commands
# (tools/cmd_totp.c, cmd_hotp.c, cmd_delegate.c): --help and -h on each (usage on stdout, exit 0,
# no directory contacted), usage errors (exit 2, message and usage on stderr), refusals (exit 1)
# and a directory that cannot be used (exit 2), per DESIGN.md section 6. The flows themselves
# (enroll, list, remove, resync, seal, delegate) are proven in test_totp_several_tokens,
# test_totp_hotp, test_totp_second_factor and test_delegate_login.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_tokens.sh PATH-TO-SENDSECCTL
set -u

. "$(dirname "$0")/sendsecctl_lib.sh"

# --- --help and -h: usage on stdout, no config read ------------------------------------------------
for cmd in "totp enroll" "totp list" "totp remove" "totp seal" "hotp enroll" "hotp resync" \
	"delegate add" "delegate remove" "delegate list"; do
	helps "$cmd"
	run --help
	out_has "^  $cmd( |$)" "sendsecctl --help lists $cmd"
	# shellcheck disable=SC2086
	usage_error "$cmd --bogus" "unknown option '--bogus'" --config "$F" $cmd --bogus
done
run hotp --help
expect 0 "sendsecctl hotp --help"
out_has 'hotp enroll' "hotp --help lists hotp enroll"
out_has 'hotp resync' "hotp --help lists hotp resync"
run delegate --help
out_has 'delegate list' "delegate --help lists delegate list"
run test --help
out_has '\[--authzid ACCOUNT\]' "test --help shows --authzid"

# --- usage errors -----------------------------------------------------------------------------------
usage_error "totp enroll, a name with a space" "a token name is 1 to 32" --config "$F" totp enroll alice --name "my phone"
usage_error "totp enroll, a name of 33 characters" "a token name" --config "$F" totp enroll alice --name 123456789012345678901234567890123
usage_error "totp remove with three arguments" "unexpected argument" --config "$F" totp remove alice a b
usage_error "totp seal without USER or --all" "give USER or --all" --config "$F" totp seal
usage_error "totp seal USER --all" "give USER or --all" --config "$F" totp seal alice --all
usage_error "hotp enroll without --secret or --generate" "give --secret" --config "$F" hotp enroll alice
usage_error "hotp enroll with both" "give --secret" --config "$F" hotp enroll alice --generate --secret 00
usage_error "hotp enroll, --digits 7" "--digits takes 6 or 8" --config "$F" hotp enroll alice --generate --digits 7
usage_error "hotp enroll, --counter -1" "--counter takes a number" --config "$F" hotp enroll alice --generate --counter -1
usage_error "hotp enroll, --counter x" "--counter takes a number" --config "$F" hotp enroll alice --generate --counter 1x
usage_error "hotp enroll, a short secret" "32 to 128 hex digits" --config "$F" hotp enroll alice --secret 3132333435363738
usage_error "hotp enroll, a secret that is not hex" "32 to 128 hex digits" --config "$F" hotp enroll alice --secret 3132333435363738393031323334353637383930zz
printf '%s\n' 'not hex at all' >"$D/seed"
run --config "$F" hotp enroll alice --secret - <"$D/seed"
expect 2 "hotp enroll --secret - with a line that is not hex: exit 2"
usage_error "hotp resync, codes of 5 digits" "two codes of 6 or 8 digits" --config "$F" hotp resync alice 12345 12346
usage_error "hotp resync, codes of different lengths" "two codes of 6 or 8 digits" --config "$F" hotp resync alice 123456 12345678
usage_error "hotp resync, --window 1" "--window takes a number from 2" --config "$F" hotp resync alice 123456 654321 --window 1
usage_error "hotp resync, one code" "missing CODE2" --config "$F" hotp resync alice 123456
usage_error "delegate add without PERSON" "missing PERSON" --config "$F" delegate add newsletter
usage_error "delegate list with two arguments" "unexpected argument" --config "$F" delegate list a b

# --- refusals (exit 1) and a directory that cannot be used (exit 2) ---------------------------------
refused "totp list of an unknown account" "no account 'nosuch'" --config "$F" totp list nosuch
refused "totp remove, no token" "has no token" --config "$F" totp remove alice
refused "hotp resync, no HOTP token" "no HOTP token" --config "$F" hotp resync alice 123456 654321
refused "delegate add, unknown person" "no account nosuch" --config "$F" delegate add alice nosuch
refused "delegate add, unknown account" "no account nosuch" --config "$F" delegate add nosuch alice
refused "delegate add, itself" "its own delegate" --config "$F" delegate add alice alice
refused "delegate remove, not a delegate" "bob is not a delegate of alice" --config "$F" delegate remove alice bob
run --config "$F" delegate list alice
expect 0 "delegate list of an account without delegates: exit 0"
err_has "alice has no delegates" "delegate list says there are none"
run --config "$F" totp list alice
expect 0 "totp list of an account without tokens: exit 0"
err_has "alice has no token" "totp list says there is none"
run --config "$F" totp seal alice
expect 2 "totp seal without totp_key_file: exit 2"
err_has "totp_key_file is not set" "totp seal says why"
{
	grep -v '^uri ' "$F"
	echo "uri ldap://127.0.0.1:1"
	echo "timeout 1"
} | grep -v '^timeout 2' >"$D/dead.conf"
run --config "$D/dead.conf" totp list alice
expect 2 "totp list with the directory down: exit 2"
run --config "$D/dead.conf" delegate add alice bob
expect 2 "delegate add with the directory down: exit 2"
run --config "$D/dead.conf" hotp enroll alice --generate
expect 2 "hotp enroll with the directory down: exit 2"

tap_done
