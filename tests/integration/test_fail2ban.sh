#!/bin/sh
# test_fail2ban.sh LINES_PROGRAM — packaging/fail2ban against real audit lines: fail2ban_lines
# writes the engine's lines for many outcomes as syslog stores them; fail2ban-regex with
# filter.d/sendsec.conf must report exactly the address of every failure that names one, except
# the reasons unavailable and busy, and no success; with _service=sshd only the sshd lines, with
# _service=smtp|submission only the smtp lines; addresses that a user name tries to forge are
# never reported. The jail example must load (fail2ban-client -d). Run under
# tests/fixtures/with-slapd.sh.
set -u

: "${SENDSEC_TEST_DIR:?run me under tests/fixtures/with-slapd.sh}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
F2B="$SRC/packaging/fail2ban"
LINES=$1
D="$SENDSEC_TEST_DIR/fail2ban"
mkdir -p "$D/conf/filter.d"
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

if ! command -v fail2ban-regex >/dev/null 2>&1; then
	echo "not ok - fail2ban-regex is not installed (scripts/install-deps.sh installs fail2ban)"
	exit 1
fi

"$LINES" >"$D/auth.log" 2>"$D/engine.log" || { cat "$D/engine.log"; not_ok "fail2ban_lines runs"; }
echo "# $(wc -l <"$D/auth.log") audit lines"

# What a correct filter reports, worked out from the fields (not from the filter's regex): the
# rhost of each failure with an address whose reason is neither unavailable nor busy.
expect() { # SERVICE-REGEX
	awk -v svc="^($1)\$" '{
		delete f
		for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
		if (f["result"] == "failure" && f["reason"] != "unavailable" && f["reason"] != "busy" &&
			f["rhost"] != "-" && f["service"] ~ svc) print f["rhost"]
	}' "$D/auth.log" | sort
}

# The filter as fail2ban loads it: its own config directory with Debian's common.conf.
cp /etc/fail2ban/filter.d/common.conf "$F2B/filter.d/sendsec.conf" "$D/conf/filter.d/"
matched() { # FILTER
	fail2ban-regex -c "$D/conf" --out ip "$D/auth.log" "$1" 2>"$D/regex.err" | sort
}

for reason in success bad_password source_locked locked unknown_user disabled unavailable busy; do
	if grep -q "result=$reason\$\|reason=$reason\$" "$D/auth.log"; then
		ok "the lines include $reason"
	else
		not_ok "the lines include $reason"
	fi
done
if grep -q 'rhost=- .*result=failure' "$D/auth.log"; then ok "the lines include a failure without an address"; else not_ok "the lines include a failure without an address"; fi
if grep -q 'method=apikey key=[^ ]* result=failure' "$D/auth.log"; then ok "the lines include an API-key failure"; else not_ok "the lines include an API-key failure"; fi

all=$(matched sendsec)
want=$(expect '[^ ]+')
if [ -n "$want" ] && [ "$all" = "$want" ]; then
	ok "sendsec: exactly the failures with an address ($(echo "$all" | wc -l) lines)"
else
	not_ok "sendsec: exactly the failures with an address"
	echo "# matched:"; echo "$all" | sed 's/^/#   /'
	echo "# wanted:"; echo "$want" | sed 's/^/#   /'
	sed 's/^/#   /' "$D/regex.err"
fi
for addr in 192.0.2.10 198.51.100.20 198.51.100.11 198.51.100.22 6.6.6.6 7.7.7.7; do
	if echo "$all" | grep -qx "$addr"; then not_ok "$addr (success, unavailable, busy or forged) is not reported"; else ok "$addr (success, unavailable, busy or forged) is not reported"; fi
done
for addr in 203.0.113.7 203.0.113.8 2001:db8::7 198.51.100.9 192.0.2.99 192.0.2.98 192.0.2.51 2001:db8::8; do
	if echo "$all" | grep -qx "$addr"; then ok "$addr is reported"; else not_ok "$addr is reported"; fi
done

sshd=$(matched 'sendsec[_service="sshd"]')
if [ "$sshd" = "$(expect sshd)" ] && ! echo "$sshd" | grep -qx 2001:db8::8; then
	ok "sendsec[_service=sshd]: the sshd failures only"
else
	not_ok "sendsec[_service=sshd]: the sshd failures only"
	echo "$sshd" | sed 's/^/#   /'
fi
smtp=$(matched 'sendsec[_service="smtp|submission"]')
if [ -n "$smtp" ] && [ "$smtp" = "$(expect 'smtp|submission')" ] && ! echo "$smtp" | grep -qx 203.0.113.7; then
	ok "sendsec[_service=smtp|submission]: the smtp failures only"
else
	not_ok "sendsec[_service=smtp|submission]: the smtp failures only"
	echo "$smtp" | sed 's/^/#   /'
fi

# The jails load with the filter, in a copy of the system's configuration.
rm -rf "$D/etc"
cp -r /etc/fail2ban "$D/etc"
rm -f "$D/etc/jail.d/"*
cp "$F2B/filter.d/sendsec.conf" "$D/etc/filter.d/"
cp "$F2B/jail.d/sendsec.conf" "$D/etc/jail.d/"
if fail2ban-client -c "$D/etc" -d >"$D/dump" 2>&1 && grep -q "'add', 'sendsec-sshd'" "$D/dump" &&
	grep -q "'add', 'sendsec-smtp'" "$D/dump" && grep -q "service=(?:sshd)" "$D/dump"; then
	ok "the jail example loads: sendsec-sshd and sendsec-smtp"
else
	not_ok "the jail example loads"
	sed 's/^/#   /' "$D/dump" | head -20
fi

echo "1..$n"
[ "$fails" -eq 0 ]
