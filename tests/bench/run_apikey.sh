#!/bin/sh
# run_apikey.sh BUILDDIR [N [ROUNDS]] — API key logins through the engine beside the floor (the
# same one search with plain libldap), in one run against a fresh fixture slapd; prints the rates
# and the ratio (target: engine >= 80% of the floor). Exit 3 when the target is missed.
set -eu
[ $# -ge 1 ] || { echo "usage: run_apikey.sh BUILDDIR [N [ROUNDS]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, $(slapd -VV 2>&1 | head -1 | sed 's/.*slapd /slapd /;s/ (.*//')"
exec "$here/../fixtures/with-slapd.sh" "$build/tests/bench/bench_apikey" "$@"
