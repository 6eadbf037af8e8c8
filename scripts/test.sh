#!/bin/sh
# test.sh — the README's test command: installs what the tests need, builds twice (warnings as
# errors; then with AddressSanitizer and UBSan) and runs the whole suite in each, runs every
# libFuzzer target for a bounded time, and ends with one line "N passed, N failed" counted from
# meson's own test logs. Exits non-zero on any failure. Run as root from the source tree.
set -u
cd "$(dirname "$0")/.."
SRC=$(pwd)
OUT=${SENDSEC_TEST_OUT:-$SRC/build-test}
FUZZ_SECONDS=${SENDSEC_FUZZ_SECONDS:-20}
export MESON_TESTTHREADS=${MESON_TESTTHREADS:-2}
steps_failed=0

"$SRC/scripts/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

# run_build NAME MESON-OPTIONS... : configure, build and test one configuration.
run_build() {
	name=$1; shift
	dir="$OUT/$name"
	rm -rf "$dir"
	echo "=== $name: configure and build"
	if ! meson setup "$dir" "$SRC" "$@" >"$OUT/$name-setup.log" 2>&1; then
		cat "$OUT/$name-setup.log"; steps_failed=$((steps_failed + 1)); return
	fi
	if ! ninja -C "$dir" >"$OUT/$name-build.log" 2>&1; then
		tail -n 60 "$OUT/$name-build.log"; steps_failed=$((steps_failed + 1)); return
	fi
	echo "=== $name: test"
	meson test -C "$dir" --print-errorlogs --no-rebuild $SUITE_ARGS || true
}

mkdir -p "$OUT"
SUITE_ARGS=""
run_build plain -Dwerror=true -Dbuildtype=debugoptimized
# The packages are built and installed once, from the plain configuration.
SUITE_ARGS="--no-suite packaging"
# While the sanitizer run goes, a stand-in syslog at /dev/log (these machines have none) keeps
# everything the suite sends to syslog — audit lines, PAM and SASL log lines — so that it can be
# searched for secrets below. It serves only that search: test_audit_lines takes its lines from an
# audit sink of its own and runs in every configuration, with or without a syslog daemon.
SYSLOG="$OUT/syslog-asan.log"
rm -f "$SYSLOG"
LOGPID=
trap '[ -n "$LOGPID" ] && kill "$LOGPID" 2>/dev/null' EXIT
if [ ! -e /dev/log ]; then
	python3 "$SRC/tests/lib/devlog.py" "$SYSLOG" /dev/log 2>/dev/null &
	LOGPID=$!
	i=0; while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
fi
run_build asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
if [ -n "$LOGPID" ]; then
	kill "$LOGPID" 2>/dev/null
	wait "$LOGPID" 2>/dev/null
fi
SUITE_ARGS="--suite fuzz"
export CC=clang
run_build fuzz -Dwerror=true -Dfuzzing=true -Dfuzz_seconds="$FUZZ_SECONDS" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
unset CC

python3 - "$OUT" "$steps_failed" <<'PY'
import json, os, re, sys
out, steps_failed = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0

# No secret the suite uses may appear in anything the suite logged: the seeded passwords, any
# whole API key, any otpauth:// URI with its secret= (the word alone appears in help texts). Counted as one more test.
secret = re.compile(r"[a-z]+-Passw0rd!|ssk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}|otpauth://\S*secret=")
leaks = []
logs = [os.path.join(out, name, "meson-logs", "testlog.txt") for name in ("plain", "asan", "fuzz")]
for log in logs + [os.path.join(out, "syslog-asan.log")]:
    if os.path.exists(log):
        for n, line in enumerate(open(log, errors="replace"), 1):
            if secret.search(line):
                leaks.append(f"{log}:{n}")
if leaks:
    print("secret found in test output or syslog at: " + ", ".join(leaks[:10]))
    failed += 1
else:
    print("no secret in any test output: ok")
    passed += 1

# The syslog capture must hold the suite's audit lines, or the search above proved nothing.
syslog = os.path.join(out, "syslog-asan.log")
if os.path.exists(syslog):
    audit = sum(1 for line in open(syslog, errors="replace") if "sendsec: service=" in line)
    if audit >= 100:
        print(f"syslog of the sanitizer run: {audit} audit lines, no secret: ok")
        passed += 1
    else:
        print(f"syslog of the sanitizer run holds only {audit} audit lines")
        failed += 1
for name in ("plain", "asan", "fuzz"):
    log = os.path.join(out, name, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        continue
    for line in open(log):
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
failed += steps_failed
if passed + failed == 0:
    failed = 1
tail = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{tail}")
sys.exit(1 if failed else 0)
PY
