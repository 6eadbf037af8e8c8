# tap.sh — sourced by the shell tests (". DIR/tap.sh"): TAP lines counted in $n, failures in
# $fails, and the plan line at the end. POSIX sh; defines nothing else.
#   ok DESCRIPTION / not_ok DESCRIPTION   one result line
#   check DESCRIPTION CMD…                 passes when CMD exits 0
#   tap_done                              prints "1..N"; exits 1 (saying how many failed) when any did
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() {
	_tap_d=$1
	shift
	if "$@"; then ok "$_tap_d"; else not_ok "$_tap_d"; fi
}
tap_done() {
	echo "1..$n"
	if [ "$fails" -ne 0 ]; then
		echo "# $fails of $n checks failed" >&2
		exit 1
	fi
	exit 0
}
