#!/bin/sh
# run_oracle.sh BUILDDIR [N] — the timing oracles of issue 11 item 1: bind mode known/unknown,
# append mode short/long password, prompt mode unknown/enrolled (bench_oracle.c says what each
# side does), N alternating pairs each against a fresh fixture slapd; prints the ratios (1.00
# means the answer time tells nothing). Results go to BENCHMARKS.md by hand.
set -eu
[ $# -ge 1 ] || { echo "usage: run_oracle.sh BUILDDIR [N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$here/../fixtures/with-slapd.sh" "$build/tests/bench/bench_oracle" "$build/tools/sendsecctl" "$@"
