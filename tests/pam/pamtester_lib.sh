# pamtester_lib.sh — sourced by the pamtester tests (tests/pam/test_pamtester.sh,
# test_pam_apikey.sh, test_pam_profile.sh; POSIX sh, set -eu, run through with-slapd.sh):
# pamtester, a real PAM application, under pam_wrapper with a service directory of our own.
#   pamtester_init NAME      $dir: a fresh /tmp/sendsec-NAME.XXXXXX (removed on exit) holding
#                            services/, the service directory
#   pamtester_run ARGS…      pamtester ARGS… under pam_wrapper, stdin the caller's; its output in
#                            $dir/out; returns pamtester's status
: "${SENDSEC_TEST_CONF:?run me through tests/fixtures/with-slapd.sh}"
wrapper=$(ldconfig -p | awk '/libpam_wrapper\.so / { print $NF; exit }')
[ -n "$wrapper" ] || wrapper=/usr/lib/x86_64-linux-gnu/libpam_wrapper.so

pamtester_init() {
	dir=$(mktemp -d "/tmp/sendsec-$1.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	mkdir "$dir/services"
}

pamtester_run() {
	LD_PRELOAD="$wrapper" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$dir/services" pamtester "$@" >"$dir/out" 2>&1
}
