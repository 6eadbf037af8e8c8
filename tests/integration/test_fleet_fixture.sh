#!/bin/sh
# test_fleet_fixture.sh — proves what the fleet fixture promises (tests/fixtures/README, "The fleet"):
# a write on either provider shows on the other and on the consumer; the consumer refuses writes
# with a referral to p1; the frozen copy never changes; each instance stops and restarts, and a
# restarted provider catches up with what it missed; the providers log operations (stats).
# Run under tests/fixtures/with-fleet.sh.
set -u

: "${SENDSEC_FLEET_DIR:?run me under tests/fixtures/with-fleet.sh}"
B=$SENDSEC_TEST_BASE
F=$SENDSEC_FLEET_DIR
ALICE="uid=alice,ou=people,$B"
. "$(dirname "$0")/../lib/tap.sh"
# Sets alice's description to $2 on the instance whose URI is $1 (as the rootdn); prints the exit status.
set_desc() {
	printf 'dn: %s\nchangetype: modify\nreplace: description\ndescription: %s\n' "$ALICE" "$2" |
		ldapmodify -x -H "$1" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" >/dev/null 2>&1
	echo $?
}
desc_on() {
	ldapsearch -x -H "$1" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" -LLL -s base -b "$ALICE" \
		description 2>/dev/null | sed -n 's/^description: //p'
}
waits() { "$SENDSEC_FLEET_SH" wait "$F" "$1" "$ALICE" description "$2" 5; }

for name in P1 P2 C1 FROZEN; do
	eval "uri=\${SENDSEC_FLEET_${name}_URI:-} ldapi=\${SENDSEC_FLEET_${name}_LDAPI:-}"
	check "$name: URI and LDAPI are exported" test -n "$uri" -a -n "$ldapi"
	check "$name answers the service account over ldap:// and ldapi://" sh -c '
		ldapwhoami -x -H "$1" -D "$3" -y "$4" >/dev/null && ldapwhoami -x -H "$2" -D "$3" -y "$4" >/dev/null' \
		_ "$uri" "$ldapi" "$SENDSEC_TEST_BINDDN" "$SENDSEC_TEST_BINDPW_FILE"
done
check "SENDSEC_TEST_URI is p1" test "$SENDSEC_TEST_URI" = "$SENDSEC_FLEET_P1_URI"
check "every instance holds the seed (alice) at start" sh -c '
	for u in "$@"; do ldapsearch -x -H "$u" -D "$0" -y "$SENDSEC_TEST_ROOTPW_FILE" -LLL -s base -b "uid=alice,ou=people,$SENDSEC_TEST_BASE" 1.1 | grep -q "^dn:" || exit 1; done' \
	"$SENDSEC_TEST_ROOTDN" "$SENDSEC_FLEET_P1_URI" "$SENDSEC_FLEET_P2_URI" "$SENDSEC_FLEET_C1_URI" "$SENDSEC_FLEET_FROZEN_URI"

v1="from-p1-$$"
check "a write on p1 succeeds" test "$(set_desc "$SENDSEC_FLEET_P1_URI" "$v1")" = 0
check "it shows on p2" waits p2 "$v1"
check "it shows on c1" waits c1 "$v1"
v2="from-p2-$$"
check "a write on p2 succeeds" test "$(set_desc "$SENDSEC_FLEET_P2_URI" "$v2")" = 0
check "it shows on p1" waits p1 "$v2"
check "it shows on c1" waits c1 "$v2"
check "the frozen copy has neither" test -z "$(desc_on "$SENDSEC_FLEET_FROZEN_URI")"
check "a write on c1 is refused with a referral (exit 10)" test "$(set_desc "$SENDSEC_FLEET_C1_URI" x)" = 10
printf 'dn: %s\nchangetype: modify\nreplace: description\ndescription: x\n' "$ALICE" |
	ldapmodify -x -H "$SENDSEC_FLEET_C1_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" 2>&1 |
	grep -qF "$SENDSEC_FLEET_P1_LDAPI" && ok "the referral names p1" || not_ok "the referral names p1"
check "the providers log operations (stats)" grep -q ' MOD dn="uid=alice' "$F/p1/slapd.log"

# Stop p1, write on p2, restart p1: it catches up. The consumer follows p2 meanwhile.
check "fleet.sh stop p1" "$SENDSEC_FLEET_SH" stop "$F" p1
check "p1 is stopped" sh -c '! "$0" status "$1" >/dev/null 2>&1' "$SENDSEC_TEST_SLAPD" "$F/p1"
v3="while-p1-down-$$"
check "with p1 stopped, a write on p2 succeeds" test "$(set_desc "$SENDSEC_FLEET_P2_URI" "$v3")" = 0
check "c1 follows p2 while p1 is down" waits c1 "$v3"
check "fleet.sh restart p1" "$SENDSEC_FLEET_SH" restart "$F" p1
check "p1 answers on the same port" test "$(cat "$F/p1/port")" = "$SENDSEC_TEST_PORT"
check "p1 catches up with the write it missed" waits p1 "$v3"
for name in p2 c1 frozen; do
	check "fleet.sh stop $name" "$SENDSEC_FLEET_SH" stop "$F" "$name"
	check "fleet.sh restart $name" "$SENDSEC_FLEET_SH" restart "$F" "$name"
done
check "the frozen copy is still unchanged after its restart" test -z "$(desc_on "$SENDSEC_FLEET_FROZEN_URI")"
check "fleet.sh status: all four answer" sh -c '"$0" status "$1" >/dev/null' "$SENDSEC_FLEET_SH" "$F"

tap_done
