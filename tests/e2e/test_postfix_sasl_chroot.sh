#!/bin/sh
# test_postfix_sasl_chroot.sh PATH/libsendsec.so — Postfix's smtpd as Debian runs it: chroot y
# (here into the private queue directory) and the postfix user, with the directory over ldaps://
# and the service bind made by SASL EXTERNAL with the fixture's client certificate. The CA file,
# the certificate and its key exist only outside the chroot, under the fixture's 0700 directory:
# the plugin must have read them when smtpd loaded it, as root, before the chroot (sendsec-sasl(8),
# CHROOT). Run me through tests/fixtures/with-slapd.sh with SENDSEC_TEST_TLS=1.
# Cases: smtpd runs chrooted, as postfix; alice PLAIN ⇒ 235; a wrong password ⇒ 535; slapd
# restarted (a new connection and TLS handshake from inside the chroot) ⇒ 235 with the same smtpd.
set -eu

[ $# -eq 1 ] || { echo "usage: with-slapd.sh test_postfix_sasl_chroot.sh PATH/libsendsec.so" >&2; exit 2; }
: "${SENDSEC_TEST_LDAPS_URI:?run me through tests/fixtures/with-slapd.sh with SENDSEC_TEST_TLS=1}"
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

. "$(dirname "$0")/postfix_lib.sh"
postfix_init

# The TLS files must be neither below the chroot nor readable by the postfix user.
for f in "$SENDSEC_TEST_CA" "$SENDSEC_TEST_CLIENT_CERT" "$SENDSEC_TEST_CLIENT_KEY"; do
	case $f in "$tmp"/*) bad "$f lies below the chroot" ;; esac
done
if setpriv --reuid=postfix --regid=postfix --clear-groups cat "$SENDSEC_TEST_CLIENT_KEY" >/dev/null 2>&1; then
	bad "the postfix user can read the client key"
else
	ok "the postfix user cannot read the client key"
fi

(umask 077 && printf '%s\n' "uri $SENDSEC_TEST_LDAPS_URI" "base $SENDSEC_TEST_BASE" "sasl_mech EXTERNAL" \
	"tls_cacert $SENDSEC_TEST_CA" "tls_cert $SENDSEC_TEST_CLIENT_CERT" "tls_key $SENDSEC_TEST_CLIENT_KEY" \
	"timeout 2" "methods password" >"$tmp/sendsec.conf")

POSTFIX_CHROOT=y postfix_start "$plugin" "$tmp/sendsec.conf"

expect "alice PLAIN, smtpd chrooted, ldaps + client certificate" 235 "$(auth PLAIN alice 0)"

# The smtpd that answered runs chrooted in the queue directory as the postfix user (it stays for
# the next connection, max_idle).
chrooted=""
for pid in $(pgrep -x smtpd || true); do
	[ "$(readlink "/proc/$pid/root" 2>/dev/null || true)" = "$tmp/queue" ] || continue
	uid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")
	[ "$uid" = "$(id -u postfix)" ] && chrooted=$pid
done
if [ -n "$chrooted" ]; then
	ok "smtpd $chrooted runs in the chroot $tmp/queue as postfix"
else
	bad "no smtpd runs chrooted in $tmp/queue as postfix"
fi

expect "alice, wrong password" 535 "$(auth PLAIN alice 1)"
"$SENDSEC_TEST_SLAPD" restart "$SENDSEC_TEST_DIR"
expect "after slapd restarted: a new TLS connection from inside the chroot" 235 "$(auth PLAIN alice 0)"
expect "carol LOGIN" 235 "$(auth LOGIN carol 0)"

if [ "$fail" != 0 ]; then
	echo "--- maillog"
	sed 's/^/    /' "$tmp/maillog"
fi
exit "$fail"
