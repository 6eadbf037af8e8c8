#!/bin/sh
# run_fleet_callgrind.sh BUILDDIR [N] — the client's instructions per operation of bench_fleet's
# replica measurement, counted by valgrind --tool=callgrind on a fresh fleet: the floor (the
# "(sendsecKeyId=<id>)" search with plain libldap on the consumer's ldapi:// socket) and a key login
# through the engine reading that consumer, audit line on and off (bench_fleet N 1 profile; N
# defaults to 1000). Each loop is dumped on its own (BUILDDIR/callgrind.fleet.out.2 floor, .3 audit
# on, .4 audit off; read them with callgrind_annotate --inclusive=yes); printed: instructions per
# operation of each loop and of the functions below it that matter. Instruction counts do not
# depend on the machine's load. Run it as run_fleet.sh is run (no /dev/log socket: syslog() drops
# the line) for figures comparable with BENCHMARKS.md.
set -eu
[ $# -ge 1 ] || { echo "usage: run_fleet_callgrind.sh BUILDDIR [N]" >&2; exit 2; }
build=$(cd "$1" && pwd)
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
out="$build/callgrind.fleet.out"
rm -f "$out" "$out".*
"$here/../fixtures/with-fleet.sh" valgrind --tool=callgrind --callgrind-out-file="$out" \
	--dump-before=profile_floor --dump-after=profile_floor --dump-after=profile_on --dump-after=profile_off \
	"$build/tests/bench/bench_fleet" "$n" 1 profile >/dev/null 2>"$build/callgrind.fleet.log" ||
	{ tail -n 20 "$build/callgrind.fleet.log" >&2; exit 1; }
for part in 2:floor 3:"audit on" 4:"audit off"; do
	echo "== ${part#*:}: instructions per operation (inclusive), N=$n"
	callgrind_annotate --inclusive=yes --threshold=99.5 "$out.${part%%:*}" 2>/dev/null | awk -v n="$n" '
		/^ *[0-9,]+ / && /[A-Za-z_]/ {
			ir = $1; gsub(",", "", ir)
			fn = $0; sub(/^ *[0-9,]+ +(\([ 0-9.%]+\) +)?/, "", fn); sub(/ \[.*$/, "", fn)
			sub(/^.*:/, "", fn)
			if (ir / n >= 200 && !(fn in seen)) {
				seen[fn] = 1
				printf "  %9.0f  %s\n", ir / n, fn
			}
		}' | head -n 60
done
