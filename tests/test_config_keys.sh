#!/bin/sh
# test_config_keys.sh CONFIG_C MAN_PAGE SENDSECCTL — every key of config.c's one table (the rows
# ".name = "KEY"" of keys[]) is documented as an item of sendsec.conf(5) (a word of the tag line
# after a .TP) and printed by "sendsecctl check-config" (as "KEY VALUE" or "# KEY (not set)").
# Needs root: check-config refuses a config file that root does not own.
set -u
[ $# -eq 3 ] || { echo "usage: test_config_keys.sh CONFIG_C MAN_PAGE SENDSECCTL" >&2; exit 2; }
config_c=$1 man_page=$2 sendsecctl=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: check-config needs a root-owned config file; run as root"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

keys=$(sed -n '/^static const struct key keys\[\] = {/,/^};/p' "$config_c" |
	sed -n 's/.*\.name = "\([a-z0-9_]*\)".*/\1/p')
n=$(echo "$keys" | grep -c .)
# Fewer than this and the extraction above has stopped matching config.c: fail rather than pass
# on an empty list.
if [ "$n" -lt 20 ]; then
	echo "FAIL: found only $n keys in $config_c; has the keys[] table changed shape?"
	exit 1
fi

grep -A1 '^\.TP' "$man_page" | grep -v '^\.TP' >"$dir/tags"
printf 'uri ldap://127.0.0.1\nbase dc=example,dc=org\n' >"$dir/sendsec.conf"
chmod 0600 "$dir/sendsec.conf"
if ! "$sendsecctl" --config "$dir/sendsec.conf" check-config >"$dir/out" 2>"$dir/err"; then
	echo "FAIL: sendsecctl check-config refused a minimal config:"; sed 's/^/  /' "$dir/err"
	exit 1
fi

fail=0
for key in $keys; do
	if ! grep -qw -- "$key" "$dir/tags"; then
		echo "FAIL: $key is not an item (.TP) of $man_page"; fail=1
	fi
	if ! grep -q -e "^$key " -e "^# $key (not set)\$" "$dir/out"; then
		echo "FAIL: $key is missing from the output of sendsecctl check-config"; fail=1
	fi
done
[ $fail = 0 ] && echo "ok: $n keys documented in $(basename "$man_page") and printed by check-config"
exit $fail
