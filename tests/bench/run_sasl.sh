#!/bin/sh
# run_sasl.sh BUILDDIR [N [ROUNDS]] — SMTP-AUTH-equivalent logins per second: the SASL plugin
# in-process beside saslauthd -a ldap and saslauthd -a pam (with pam_sendsec), same account,
# same key, same fixture slapd, in one run (bench_sasl.c alternates them in blocks). Needs root.
#
# Nothing on the host changes: the script re-runs itself in a private mount namespace
# (unshare -m), where a temp dir is bind-mounted over /etc/pam.d for saslauthd -a pam and, if the
# host has a /dev/log, /dev/null over it (no syslog socket, as on the machines without a syslog
# daemon: audit lines and saslauthd's own lines are dropped alike). Both saslauthd instances run
# under setsid (saslauthd kills its process group on SIGTERM) with their own -m mux directory,
# default 5 worker processes and no credential cache (-c off); they are stopped by their pid.
#
# Account: alice, {ARGON2}$argon2id$v=19$m=4096,t=3,p=1 (the seeded hash). The sendsec config
# sets argon2_opslimit 3, argon2_memlimit 4096 and rehash no, so the plugin never rewrites the hash
# and every mode verifies the same cost; the parameters are printed before and after.
set -eu
[ $# -ge 1 ] || { echo "usage: run_sasl.sh BUILDDIR [N [ROUNDS]]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift

case "${SENDSEC_BENCH_PHASE:-}" in
"")
	[ "$(id -u)" = 0 ] || { echo "run_sasl.sh: needs root (mount namespace, saslauthd)" >&2; exit 2; }
	command -v saslauthd >/dev/null || PATH=/usr/sbin:/sbin:$PATH
	echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, $(slapd -VV 2>&1 | head -1 | sed 's/.*slapd /slapd /;s/ (.*//'), saslauthd $(saslauthd -v 2>&1 | awk 'NR == 1 { print $2 }')"
	SENDSEC_BENCH_PHASE=ns exec unshare -m --propagation private "$here/run_sasl.sh" "$build" "$@"
	;;
ns)
	if [ -e /dev/log ]; then
		mount --bind /dev/null /dev/log
		echo "# /dev/log: /dev/null bound over it in this mount namespace (no syslog socket)"
	else
		echo "# /dev/log: absent (no syslog socket): syslog() cannot connect and drops the line"
	fi
	SENDSEC_BENCH_PHASE=slapd exec "$here/../fixtures/with-slapd.sh" "$here/run_sasl.sh" "$build" "$@"
	;;
slapd) ;;
*) echo "run_sasl.sh: unknown phase" >&2; exit 2 ;;
esac

# --- inside the namespace, with the fixture slapd running ------------------------------------
: "${SENDSEC_TEST_DIR:?}"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
umask 077
D=$SENDSEC_TEST_DIR/bench
mkdir "$D" "$D/pam.d" "$D/mux-ldap" "$D/mux-pam"
pids=""
cleanup() {
	for f in "$D/mux-ldap/saslauthd.pid" "$D/mux-pam/saslauthd.pid"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	sleep 0.2
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

{
	cat "$SENDSEC_TEST_CONF"
	printf 'totp_unenrolled allow\nargon2_opslimit 3\nargon2_memlimit 4096\nrehash no\n'
	printf 'methods password+totp apikey\n' # the default takes no API keys
} >"$D/sendsec.conf"

"$build/tools/sendsecctl" --config "$D/sendsec.conf" key create alice --scope smtp >"$D/key" 2>/dev/null ||
	{ echo "run_sasl.sh: sendsecctl key create failed" >&2; exit 1; }

# saslauthd -a ldap: search as the service account, then bind as the user (ldap_auth_method bind,
# its default): slapd verifies the argon2id hash.
cat >"$D/saslauthd-ldap.conf" <<EOF
ldap_servers: $SENDSEC_TEST_URI/
ldap_search_base: ou=people,$SENDSEC_TEST_BASE
ldap_filter: (uid=%u)
ldap_bind_dn: $SENDSEC_TEST_BINDDN
ldap_bind_pw: $(cat "$SENDSEC_TEST_BINDPW_FILE")
ldap_auth_method: bind
ldap_version: 3
ldap_timeout: 5
EOF

# saslauthd -a pam: PAM service "smtp" (the service in each mux request), pam_sendsec for auth and
# account, as a Postfix using saslauthd would have it.
printf 'auth required %s config=%s\naccount required %s config=%s\n' \
	"$build/pam_sendsec/pam_sendsec.so" "$D/sendsec.conf" "$build/pam_sendsec/pam_sendsec.so" "$D/sendsec.conf" \
	>"$D/pam.d/smtp"
chmod 0755 "$D/pam.d" && chmod 0644 "$D/pam.d/smtp"
mount --bind "$D/pam.d" /etc/pam.d

setsid saslauthd -a ldap -O "$D/saslauthd-ldap.conf" -m "$D/mux-ldap" -n 5 </dev/null >/dev/null 2>&1
setsid saslauthd -a pam -m "$D/mux-pam" -n 5 </dev/null >/dev/null 2>&1
i=0
until [ -S "$D/mux-ldap/mux" ] && [ -S "$D/mux-pam/mux" ] && [ -s "$D/mux-ldap/saslauthd.pid" ] &&
	[ -s "$D/mux-pam/saslauthd.pid" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "run_sasl.sh: saslauthd did not start" >&2; exit 1; }
	sleep 0.05
done

hash_params() {
	ldapsearch -LLL -o ldif-wrap=no -x -H "$SENDSEC_TEST_URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE" \
		-b "uid=alice,ou=people,$SENDSEC_TEST_BASE" -s base userPassword |
		awk '/^userPassword::/ { print $2 }' | base64 -d | cut -d'$' -f1-4
}
echo "# alice's stored hash before: $(hash_params)"
echo "# modes: plugin password | plugin key | saslauthd -a ldap password | saslauthd -a pam password | saslauthd -a pam key"
"$build/tests/bench/bench_sasl" "$build/sasl_sendsec/libsendsec.so" "$D/sendsec.conf" alice "$D/key" "$D/mux-ldap/mux" "$D/mux-pam/mux" "$@"
echo "# alice's stored hash after:  $(hash_params)"
