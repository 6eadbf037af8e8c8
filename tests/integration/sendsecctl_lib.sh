# sendsecctl_lib.sh — sourced by the sendsecctl tests (tests/integration/test_sendsecctl_*.sh, run
# under tests/fixtures/with-slapd.sh with the path of sendsecctl as their $1). Checks both, sets
# CTL (an absolute path), D ($SENDSEC_TEST_DIR), F ($SENDSEC_TEST_CONF) and umask 077, brings
# tests/lib/tap.sh (ok, not_ok, check, tap_done), and defines:
#   run ARGS…                          sendsecctl ARGS; stdout in $D/out, stderr in $D/err, status in $rc
#   ctl ARGS…                          run --config "$CONF" ARGS… (CONF: set by the test)
#   expect RC DESCRIPTION [show]       checks the last run's status; on a failure shows its stderr,
#                                      and its stdout with "show" or when show_out=yes
#   holds EXPR DESCRIPTION             passes when eval EXPR succeeds
#   out_has / err_has PATTERN DESCRIPTION  grep -E on the last run's stdout / stderr
#   usage_error DESCRIPTION PATTERN ARGS…  the run exits 2 with PATTERN and the usage on stderr
#   refused DESCRIPTION PATTERN ARGS…      the run exits 1 with PATTERN on stderr
#   helps "SUBCOMMAND"                     --help and -h on it (one or two words): exit 0 and its
#                                          usage on stdout, without reading a config
# stdout may hold a key or a secret: it is shown on a failure only where the test says so
# (show_out=yes, or "show"); stdin of a run is the caller's.
. "$(dirname "$0")/../lib/tap.sh"

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
CTL=${1:-}
if [ -z "$CTL" ] || [ ! -x "$CTL" ]; then
	echo "usage: $(basename "$0") PATH-TO-SENDSECCTL" >&2
	exit 2
fi
CTL=$(cd "$(dirname "$CTL")" && pwd)/$(basename "$CTL")
D=$SENDSEC_TEST_DIR
F=$SENDSEC_TEST_CONF
show_out=no
umask 077

run() {
	"$CTL" "$@" >"$D/out" 2>"$D/err"
	rc=$?
}
ctl() { run --config "$CONF" "$@"; }
expect() {
	if [ "$rc" -eq "$1" ]; then
		ok "$2"
	else
		not_ok "$2 (exit $rc, wanted $1)"
		if [ "${3:-}" = show ] || [ "$show_out" = yes ]; then sed 's/^/#   out: /' "$D/out"; fi
		sed 's/^/#   err: /' "$D/err"
	fi
}
holds() { if eval "$1"; then ok "$2"; else not_ok "$2"; fi; }
out_has() {
	if grep -Eq -- "$1" "$D/out"; then ok "$2"; else
		not_ok "$2 (stdout lacks /$1/)"
		if [ "$show_out" = yes ]; then sed 's/^/#   out: /' "$D/out"; fi
	fi
}
err_has() {
	if grep -Eq -- "$1" "$D/err"; then ok "$2"; else
		not_ok "$2 (stderr lacks /$1/)"
		sed 's/^/#   err: /' "$D/err"
	fi
}
usage_error() {
	_lib_d=$1 _lib_p=$2
	shift 2
	run "$@" </dev/null
	expect 2 "$_lib_d: exit 2"
	err_has "$_lib_p" "$_lib_d: stderr says /$_lib_p/"
	err_has '^usage: sendsecctl ' "$_lib_d: stderr shows the usage"
}
refused() {
	_lib_d=$1 _lib_p=$2
	shift 2
	run "$@" </dev/null
	expect 1 "$_lib_d: exit 1"
	err_has "$_lib_p" "$_lib_d: stderr says /$_lib_p/"
}
helps() {
	for _lib_h in --help -h; do
		# shellcheck disable=SC2086 # "key create" is two words on purpose
		run --config "$D/does-not-exist.conf" $1 $_lib_h </dev/null
		expect 0 "sendsecctl $1 $_lib_h"
		out_has "^usage: sendsecctl .*$1" "sendsecctl $1 $_lib_h prints its usage on stdout"
	done
}
