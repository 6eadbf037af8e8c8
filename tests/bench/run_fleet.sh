#!/bin/sh
# run_fleet.sh BUILDDIR [N [ROUNDS]] — API key logins through the engine reading a local consumer
# over ldapi:// beside the floor (the same one search with plain libldap over the same socket),
# the provider operations they cause (target 0), and the same against a provider over TCP, in one
# run against a fresh fleet (tests/fixtures/with-fleet.sh). Exit 3 when the engine is below 85% of
# the floor or any provider operation was counted.
set -eu
[ $# -ge 1 ] || { echo "usage: run_fleet.sh BUILDDIR [N [ROUNDS]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(slapd -VV 2>&1 | head -1 | sed 's/.*slapd /slapd /;s/ (.*//')"
exec "$here/../fixtures/with-fleet.sh" "$build/tests/bench/bench_fleet" "$@"
