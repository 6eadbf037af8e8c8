#!/bin/sh
# run_flood.sh BUILDDIR [P [SECONDS [ROUNDS [N...]]]] — P processes (default 24) flood one host
# with wrong passwords (argon2id m=64 MiB, t=2) while one more makes API-key logins, once per
# hash_concurrency N (default: 1 2 auto 0), against a fresh fixture slapd, in ROUNDS (default 3)
# rounds of an idle and a flood window of SECONDS (default 8) each; prints per N the key rate and
# latency idle and in the flood, the flood's rates (answered, busy) and the memory of all login
# processes. Results go to BENCHMARKS.md by hand.
set -eu
[ $# -ge 1 ] || { echo "usage: run_flood.sh BUILDDIR [P [SECONDS [ROUNDS [N...]]]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
p=${2:-24}
s=${3:-8}
r=${4:-3}
if [ $# -ge 4 ]; then shift 4; else shift $#; fi
[ $# -ge 1 ] || set -- 1 2 auto 0
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$here/../fixtures/with-slapd.sh" "$build/tests/bench/bench_flood" "$p" "$s" "$r" "$@" 2>/dev/null
