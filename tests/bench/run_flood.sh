#!/bin/sh
# run_flood.sh BUILDDIR [P [SECONDS [N...]]] — P processes (default 24) flood one host with wrong
# passwords (argon2id m=64 MiB, t=2) while one more makes API-key logins, once per
# hash_concurrency N (default: 1 2 auto 0), against a fresh fixture slapd; prints per N the key
# rate and median latency idle and during the flood, the flood's rates (answered, busy) and the
# peak resident memory of all login processes. Results go to BENCHMARKS.md by hand.
set -eu
[ $# -ge 1 ] || { echo "usage: run_flood.sh BUILDDIR [P [SECONDS [N...]]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
p=${2:-24}
s=${3:-10}
[ $# -ge 3 ] && shift 3 || shift $#
[ $# -ge 1 ] || set -- 1 2 auto 0
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$here/../fixtures/with-slapd.sh" "$build/tests/bench/bench_flood" "$p" "$s" "$@"
