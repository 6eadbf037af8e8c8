#!/bin/sh
# test_pam_profile.sh MODULE.so PROFILE — the pam-auth-update profile
# (packaging/debian/pam-configs/sendsec) as Debian's own pam-auth-update writes it into
# common-auth and common-account, then the account phase through pamtester (a real PAM
# application) under pam_wrapper. pam-auth-update runs in a private mount namespace over copies
# of /etc/pam.d, /usr/share/pam-configs and /var/lib/pam: the host's files are never touched.
# - every module the written lines name exists (pam-auth-update rewrites each "end" in a
#   profile's module lines, so the profile names pam_sendsec.so by its link pam_sndsec.so);
# - with the directory up, a directory account passes the account phase and a disabled one
#   does not; with slapd stopped, a local account (root, in /etc/passwd) still passes and a
#   directory account does not (fail closed: an account disabled in the directory must not get
#   in with an ssh key during an outage).
# In common-account, pam_unix (the Primary block) is replaced by pam_permit, standing in for
# an account that NSS knows (the test accounts live only in the test directory).
# Run through with-slapd.sh, as root.
set -eu
[ $# -eq 2 ] || { echo "usage: with-slapd.sh test_pam_profile.sh MODULE.so PROFILE" >&2; exit 2; }
module=$1 profile=$2
. "$(dirname "$0")/pamtester_lib.sh"
moddir=$(dirname "$(ldconfig -p | awk '/libpam\.so\.0 / { print $NF; exit }')")/security
pamtester_init pamprofile
fail=0

if ! grep -q '^root:' /etc/passwd || grep -q '^alice:' /etc/passwd; then
	echo "FAIL: this test needs root in /etc/passwd and no local alice"; exit 1
fi
if grep -qx 'Default: no' "$profile"; then
	echo "ok: the profile is off by default"
else
	echo "FAIL: the profile must say Default: no"; fail=1
fi

mkdir "$dir/pamd" "$dir/configs" "$dir/state"
cp -a /etc/pam.d/. "$dir/pamd/"
cp /usr/share/pam-configs/* "$dir/configs/"
cp "$profile" "$dir/configs/sendsec"
[ ! -d /var/lib/pam ] || cp -a /var/lib/pam/. "$dir/state/"
# shellcheck disable=SC2016 # $1 is expanded by the inner sh
if ! unshare -m sh -c 'mount --bind "$1/pamd" /etc/pam.d && mount --bind "$1/configs" /usr/share/pam-configs &&
		mount --bind "$1/state" /var/lib/pam &&
		DEBIAN_FRONTEND=noninteractive pam-auth-update --force --enable sendsec' sh "$dir" >"$dir/pau.log" 2>&1; then
	echo "FAIL: pam-auth-update --enable sendsec in a private mount namespace"; sed 's/^/  /' "$dir/pau.log"; exit 1
fi

# The lines pam-auth-update manages in FILE, without comments.
managed() {
	sed -n '/^# here are the per-package modules/,/^# end of pam-auth-update config/p' "$dir/pamd/$1" | grep -v '^#'
}
for f in common-auth common-account; do
	if managed $f | grep -q 'pam_sndsec\.so'; then
		echo "ok: $f names pam_sndsec.so"
	else
		echo "FAIL: $f does not name pam_sndsec.so:"; managed $f | sed 's/^/  /'; fail=1
	fi
	# The module of each line: the word after the control field ([...] or one word).
	managed $f | sed -E 's/^[a-z-]+[[:space:]]+(\[[^]]*\]|[a-z]+)[[:space:]]+([^[:space:]]+).*/\2/' | while read -r m; do
		if [ "$m" = pam_sndsec.so ] || [ -e "$moddir/$m" ]; then
			echo "ok: $f: $m exists"
		else
			echo "FAIL: $f names $m, which does not exist in $moddir"; echo 1 >"$dir/bad-module"
		fi
	done
done
[ ! -e "$dir/bad-module" ] || fail=1

# common-account as written, pam_unix standing in by pam_permit, pam_sndsec.so by the module
# under test with its config.
managed common-account | sed -e 's/pam_unix\.so/pam_permit.so/' \
	-e "s|pam_sndsec\\.so|$module config=$SENDSEC_TEST_CONF|" >"$dir/services/account"
sed 's/^/  account stack: /' "$dir/services/account"

expect() { # WANT(pass|refused) USER WHAT
	rc=0
	pamtester_run account "$2" acct_mgmt </dev/null || rc=$?
	if { [ "$1" = pass ] && [ $rc -eq 0 ]; } || { [ "$1" = refused ] && [ $rc -ne 0 ]; }; then
		echo "ok: $3"
	else
		echo "FAIL: $3: pamtester exit $rc, wanted $1"; sed 's/^/  /' "$dir/out"; fail=1
	fi
}

expect pass alice "directory up: a directory account passes"
expect refused dave "directory up: a disabled directory account is refused"
expect pass root "directory up: a local account passes"
"$SENDSEC_TEST_SLAPD" stop "$SENDSEC_TEST_DIR" >/dev/null
expect refused alice "directory down: a directory account is refused"
expect refused dave "directory down: a disabled directory account is refused"
expect pass root "directory down: a local account passes"
exit $fail
