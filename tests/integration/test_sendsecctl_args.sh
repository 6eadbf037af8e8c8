#!/bin/sh
# test_sendsecctl_args.sh — sendsecctl's argument conventions (tools/args.c), the same for every
# subcommand: the global options (--config, --service, -v) before or after the subcommand,
# --help and -h on every subcommand (exit 0, usage on stdout, no directory contacted), --opt=value
# and --opt value, "--" ending the options, and usage errors (unknown option, missing or extra
# argument, missing option value, value given to a flag) exiting 2 with a message on stderr.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_args.sh PATH-TO-SENDSECCTL
# Passwords and keys stay in 0600 files and travel on stdin; none is ever printed.
set -u

. "$(dirname "$0")/sendsecctl_lib.sh"

# A config whose [service cheap] hashes at a different cost, to see --service take effect.
C=$D/args.conf
{
	cat "$F"
	echo "[service cheap]"
	echo "argon2_opslimit 3"
	echo "argon2_memlimit 4096"
} >"$C"
printf '%s\n' 'args-Passw0rd!' >"$D/pw"

# --- global options after the subcommand (issue 11 item 17) ------------------------------------
run check-config --config "$F"
expect 0 "check-config --config F"
out_has '^\[global\]$' "check-config --config F prints the settings"
run check-config --config="$F" --quiet
expect 0 "check-config --config=F --quiet"
if [ ! -s "$D/out" ] && [ ! -s "$D/err" ]; then ok "check-config --config=F --quiet prints nothing"; else not_ok "check-config --config=F --quiet prints nothing"; fi
run check-config -q -c "$F"
expect 0 "check-config -q -c F"
run check-config --quiet --config "$D/does-not-exist.conf"
expect 2 "a --config after the subcommand is the file read (missing file: exit 2)"
run --config "$D/does-not-exist.conf" check-config --config "$F"
expect 0 "a --config after the subcommand overrides one before it"
run status alice --config "$F"
expect 0 "status alice --config F"
out_has '^account: alice$' "status alice --config F shows alice"
run key list alice --config "$F"
expect 0 "key list alice --config F (a command with a subcommand)"
run hash --config "$C" --service cheap <"$D/pw"
out_has '^\{ARGON2\}\$argon2id\$v=19\$m=4096,t=3,p=1\$' "hash --config C --service cheap uses [service cheap]'s cost"
run hash --service=cheap --config="$C" <"$D/pw"
out_has 'm=4096,t=3,p=1' "hash --service=cheap --config=C (the = form)"
run hash -s cheap -c "$C" <"$D/pw"
out_has 'm=4096,t=3,p=1' "hash -s cheap -c C (the short forms)"
run --service cheap hash --config "$C" <"$D/pw"
out_has 'm=4096,t=3,p=1' "one global option before the subcommand, one after"
run hash --config "$C" <"$D/pw"
out_has 'm=65536,t=2,p=1' "without --service, hash uses the global cost"
run status alice --config "$F"
if [ ! -s "$D/err" ]; then ok "without -v, status writes nothing on stderr"; else not_ok "without -v, status writes nothing on stderr"; fi
run status alice --config "$F" -v
expect 0 "status alice --config F -v"
err_has '^sendsecctl: ' "-v after the subcommand prints the engine's log lines"
run status alice -vc "$F"
expect 0 "status alice -vc F (clustered short options, the last one taking the value)"

# --- "--" ends the options -------------------------------------------------------------------
run --config "$F" status -- alice
expect 0 "status -- alice"
run --config "$F" status -- --config
expect 1 "after --, --config is a USER (no such account: exit 1)"
err_has "no account '--config'" "the refusal names the user '--config'"

# --- --opt=value and --opt value ---------------------------------------------------------------
run --config "$F" key create alice --scope=smtp --description="args test" --expires=2099-01-01
expect 0 "key create --scope=smtp --description=TEXT --expires=TIME"
mv "$D/out" "$D/key"
run --config "$F" key list alice
if grep -q '	smtp	[0-9TZ:-]*	2099-01-01T00:00:00Z	never	-	active	any	args test$' "$D/out"; then
	ok "the = values reached the key (scope, expiry, description)"
else
	not_ok "the = values reached the key (scope, expiry, description)"
fi
run --config "$F" key create alice --scope smtp,imap --scope submission --network 192.0.2.0/24 \
	--network=2001:db8::/32,198.51.100.0/24
expect 0 "key create with --scope and --network given twice"
run --config "$F" key list alice
if grep -q '	smtp,imap,submission	[0-9TZ:-]*	never	never	-	active	192.0.2.0/24,2001:db8::/32,198.51.100.0/24	$' "$D/out"; then
	ok "a repeated --scope or --network adds to the list"
else
	not_ok "a repeated --scope or --network adds to the list"
	sed 's/^/#   out: /' "$D/out"
fi
# The default methods take no API keys: a copy of the config whose smtp section does.
{ cat "$F"; printf '[service smtp]\nmethods password+totp apikey\n'; } >"$D/keys.conf"
run --config "$D/keys.conf" test smtp apikey --rhost=192.0.2.9 <"$D/key"
expect 0 "test smtp apikey --rhost=ADDR"
run --config "$F" reset --all-before=1970-01-01
expect 0 "reset --all-before=TIME"
out_has '^[0-9]+ accounts marked: password last changed before 1970-01-01T00:00:00Z$' "reset --all-before=TIME reads TIME"
run --config "$F" reset --all-before 1970-01-02
out_has '^[0-9]+ accounts marked: password last changed before 1970-01-02T00:00:00Z$' "reset --all-before TIME (separate value)"

# --- --help and -h on every subcommand ---------------------------------------------------------
# Each prints its usage on stdout and exits 0, without reading the config.
for cmd in check-config hash passwd reset unlock status test "totp enroll" "totp remove" recovery \
	"key create" "key list" "key revoke"; do
	helps "$cmd"
done
run status alice --bogus --help
expect 2 "an unknown option before --help is still an error"
run key create alice --scope smtp --help </dev/null
expect 0 "--help after other arguments"
out_has '^usage: sendsecctl .*key create USER --scope' "key create ... --help prints key create's usage"
run key --help
expect 0 "sendsecctl key --help"
out_has 'key create' "key --help lists key create"
out_has 'key revoke' "key --help lists key revoke"
run --help
expect 0 "sendsecctl --help"
for cmd in check-config hash passwd reset unlock status test "totp enroll" "totp remove" recovery \
	"key create" "key list" "key revoke"; do
	out_has "^  $cmd( |$)" "sendsecctl --help lists $cmd"
done
run --version
expect 0 "sendsecctl --version"
out_has '^sendsecctl [0-9]' "--version prints the version"

# --- usage errors: exit 2, a message and the usage on stderr ------------------------------------
for cmd in check-config hash passwd reset unlock status test "totp enroll" "totp remove" recovery \
	"key create" "key list" "key revoke"; do
	# shellcheck disable=SC2086
	usage_error "$cmd --bogus" "unknown option '--bogus'" --config "$F" $cmd --bogus
done
usage_error "status -x" "unknown option '-x'" --config "$F" status -x alice
usage_error "check-config --quiet=yes" "'--quiet' takes no value" --config "$F" check-config --quiet=yes
usage_error "passwd without USER" "missing USER" --config "$F" passwd
usage_error "status with two users" "unexpected argument 'bob'" --config "$F" status alice bob
usage_error "test without USER" "missing USER" --config "$F" test smtp
usage_error "test without SERVICE and USER" "missing SERVICE" --config "$F" test
usage_error "key revoke without ID" "missing ID" --config "$F" key revoke
usage_error "key create without --scope" "'--scope' is required" --config "$F" key create alice
usage_error "key create --scope without a value" "'--scope' needs a value" --config "$F" key create alice --scope
usage_error "test --rhost without a value" "'--rhost' needs a value" --config "$F" test smtp alice --rhost
usage_error "totp enroll --issuer= (empty)" "issuer" --config "$F" totp enroll alice --issuer=
usage_error "reset with USER and --all-before" "not both" --config "$F" reset alice --all-before 2000-01-01
usage_error "reset with neither USER nor --all-before" "USER or --all-before" --config "$F" reset
usage_error "an empty USER" "USER must not be empty" --config "$F" status ""
run --config "$F" --bogus status alice
expect 2 "an unknown global option before the subcommand"
err_has "unknown option '--bogus'" "... is named"
run --config
expect 2 "--config without a value"
err_has "'--config' needs a value" "... says so"
run --config "$F" no-such-command
expect 2 "an unknown command"
err_has "unknown command 'no-such-command'" "... is named"
run --config "$F" key
expect 2 "key without a subcommand"
err_has "'key' needs a subcommand" "... says so"
run --config "$F" key bogus
expect 2 "an unknown subcommand"
err_has "unknown command 'key bogus'" "... is named"
run --config "$F"
expect 2 "no command at all"

# --- no secret in any output ---------------------------------------------------------------------
if grep -qF -- "$(cat "$D/pw")" "$D/out" "$D/err"; then not_ok "a password appeared in output"; else ok "no password in the last output"; fi

tap_done
