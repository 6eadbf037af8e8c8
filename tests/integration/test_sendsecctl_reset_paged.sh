#!/bin/sh
# test_sendsecctl_reset_paged.sh — sendsecctl reset --all-before over more accounts than the
# server returns to one search (slapd's size limit, 500 by default): with 1200 extra accounts every
# account is marked, because the search asks for pages (RFC 2696) instead of one answer
# (issue 11 item 15). The fixture lets the service account page past the limit (size.prtotal).
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_reset_paged.sh PATH-TO-SENDSECCTL
set -u

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
CTL=${1:?usage: test_sendsecctl_reset_paged.sh PATH-TO-SENDSECCTL}
B=$SENDSEC_TEST_BASE
D=$SENDSEC_TEST_DIR
N=1200
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
count_as() { # DN PWFILE FILTER: entries a paged search finds as DN
	ldapsearch -x -H "$SENDSEC_TEST_URI" -D "$1" -y "$2" -LLL -E pr=400/noprompt -b "ou=people,$B" "$3" 1.1 |
		grep -c '^dn:'
}

i=1
while [ $i -le $N ]; do
	printf 'dn: uid=u%04d,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\ncn: u\nsn: u\nuid: u%04d\nuidNumber: %d\ngidNumber: %d\nhomeDirectory: /home/u\n\n' \
		$i "$B" $i $((30000 + i)) $((30000 + i))
	i=$((i + 1))
done >"$D/many.ldif"
if ldapadd -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" -f "$D/many.ldif" >/dev/null; then
	ok "$N more accounts added"
else
	not_ok "$N more accounts added"
fi
total=$(count_as "$SENDSEC_TEST_ROOTDN" "$SENDSEC_TEST_ROOTPW_FILE" '(objectClass=posixAccount)')
if [ "$total" -gt $N ]; then ok "the directory holds $total accounts"; else not_ok "the directory holds $total accounts"; fi
# The server's limit is real: one search without paging stops at 500 for the service account.
ldapsearch -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_BINDDN" -y "$SENDSEC_TEST_BINDPW_FILE" -LLL \
	-b "ou=people,$B" '(objectClass=posixAccount)' 1.1 >/dev/null 2>&1
rc=$?
if [ $rc -eq 4 ]; then ok "without paging the service account hits the size limit (exit 4)"; else not_ok "without paging the service account hits the size limit (exit $rc, wanted 4)"; fi

before=$(count_as "$SENDSEC_TEST_ROOTDN" "$SENDSEC_TEST_ROOTPW_FILE" '(sendsecResetRequired=TRUE)')
"$CTL" --config "$SENDSEC_TEST_CONF" reset --all-before 2999-01-01 >"$D/out" 2>"$D/err"
rc=$?
marked=$(sed -n 's/^\([0-9][0-9]*\) accounts marked.*/\1/p' "$D/out")
if [ $rc -eq 0 ]; then ok "reset --all-before exits 0"; else not_ok "reset --all-before exits 0 (got $rc)"; cat "$D/err"; fi
if [ "${marked:-0}" -eq $((total - before)) ]; then
	ok "every account not marked yet is marked ($marked of $total; $before were already)"
else
	not_ok "every account not marked yet is marked (${marked:-none} of $total; $before were already)"
fi
flagged=$(count_as "$SENDSEC_TEST_ROOTDN" "$SENDSEC_TEST_ROOTPW_FILE" '(sendsecResetRequired=TRUE)')
if [ "$flagged" -eq "$total" ]; then ok "the directory shows $flagged accounts flagged"; else not_ok "the directory shows $flagged of $total accounts flagged"; fi
"$CTL" --config "$SENDSEC_TEST_CONF" reset --all-before 2999-01-01 >"$D/out" 2>&1
if grep -q '^0 accounts marked' "$D/out"; then ok "a second run finds every account marked already"; else not_ok "a second run finds every account marked already: $(head -1 "$D/out")"; fi

echo "1..$n"
[ $fails -eq 0 ] || { echo "$fails of $n failed" >&2; exit 1; }
