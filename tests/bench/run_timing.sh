#!/bin/sh
# run_timing.sh BUILDDIR [N] — unknown-user timing: the mean and median time of N logins for an
# unknown name against N for a known name with a wrong password (argon2id at the default cost),
# with lockout off and on, against a fresh fixture slapd; prints the ratios (1.00 means the
# answer time does not tell whether the name exists). Results go to BENCHMARKS.md by hand.
set -eu
[ $# -ge 1 ] || { echo "usage: run_timing.sh BUILDDIR [N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$here/../fixtures/with-slapd.sh" "$build/tests/bench/bench_unknown_user" "$@"
