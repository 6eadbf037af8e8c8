#!/bin/sh
# run_fleet.sh BUILDDIR [N [ROUNDS [DEVLOG]]] — API key logins through the engine reading a local
# consumer over ldapi:// beside the floor (the same one search with plain libldap over the same
# socket), the provider operations they cause (target 0), and the same against a provider over TCP,
# in one run against a fresh fleet (tests/fixtures/with-fleet.sh). Exit 3 when the engine is below
# 85% of the floor or any provider operation was counted.
# DEVLOG says where the audit line (syslog authpriv.info) goes; both need root (a private /dev in a
# new mount namespace, the nodes a program needs bound from the real one):
#   socket  /dev/log is a socket served by tests/bench/devlog_drain, which receives and drops every
#           line, as on a host with a syslog daemon: glibc's syslog() connects once and then sends
#           one datagram per line; the lines received are counted and printed at the end.
#   none    no /dev/log: syslog() cannot connect and drops the line, and tries again (a socket(),
#           connect() and close()) on every call.
#   absent  (the default) /dev/log as the caller's mount namespace has it.
set -eu
[ $# -ge 1 ] || { echo "usage: run_fleet.sh BUILDDIR [N [ROUNDS [socket|none]]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
n=${2:-3000}
rounds=${3:-5}
devlog=${4:-}
case "$devlog" in
socket | none)
	if [ -z "${SENDSEC_BENCH_PRIVATE_DEV:-}" ]; then
		SENDSEC_BENCH_PRIVATE_DEV=1 exec unshare -m --propagation private "$0" "$build" "$n" "$rounds" "$devlog"
	fi
	old=$(mktemp -d)
	mount --bind /dev "$old"
	mount -t tmpfs -o mode=755 tmpfs /dev
	for node in null zero urandom random tty full; do
		touch "/dev/$node" && mount --bind "$old/$node" "/dev/$node"
	done
	mkdir -p /dev/shm /dev/pts
	;;
"") ;;
*) echo "run_fleet.sh: DEVLOG is socket or none" >&2; exit 2 ;;
esac
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(slapd -VV 2>&1 | head -1 | sed 's/.*slapd /slapd /;s/ (.*//')"
if [ "$devlog" = socket ]; then
	drained=$(mktemp)
	"$build/tests/bench/devlog_drain" /dev/log >"$drained" &
	drain=$!
	for _ in $(seq 50); do grep -q ready "$drained" && break; sleep 0.1; done
	status=0
	"$here/../fixtures/with-fleet.sh" "$build/tests/bench/bench_fleet" "$n" "$rounds" || status=$?
	kill "$drain"
	wait "$drain" || true
	echo "/dev/log (devlog_drain): $(tail -n 1 "$drained")"
	rm -f "$drained"
	exit "$status"
fi
exec "$here/../fixtures/with-fleet.sh" "$build/tests/bench/bench_fleet" "$n" "$rounds"
