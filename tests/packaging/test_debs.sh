#!/bin/sh
# test_debs.sh SASL_LOGIN — build the Debian packages (packaging/debian/build-debs.sh), install
# them with dpkg -i, check where their files went (each manual page in the package it documents)
# and that the pam-auth-update profile is off by default, then make one PAM login (pamtester
# under pam_wrapper) and one SASL login
# (SASL_LOGIN = tests/packaging/sasl_login.c, plugins found through SASL_PATH) against the
# INSTALLED module and plugin and a private slapd (tests/fixtures/with-slapd.sh). The three
# packages are purged on every exit path; /etc/pam.d must be the same before and after.
#
# Needs root, debhelper and the build dependencies (scripts/install-deps.sh); takes about a
# minute on 2 cores. SENDSEC_SKIP_DEBS=1 skips it (exit 77). Passwords go to the programs on
# stdin from 0600 files and never appear in the output.
set -u
PKGS="libpam-sendsec libsasl2-modules-sendsec sendsec-tools"

skip() { echo "SKIP: $*"; exit 77; }

# ---- phase 2: the logins, run by phase 1 under with-slapd.sh --------------------------------
if [ "${1:-}" = --logins ]; then
	sasl_login=$2 ma=$3 work=$4
	: "${SENDSEC_TEST_CONF:?run through tests/fixtures/with-slapd.sh}"
	fail=0
	wrapper=$(ldconfig -p | awk '/libpam_wrapper\.so / { print $NF; exit }')
	[ -n "$wrapper" ] || wrapper=/usr/lib/$ma/libpam_wrapper.so
	module=/lib/$ma/security/pam_sendsec.so
	(umask 077 && printf '%s\n' 'alice-Passw0rd!' >"$work/right" && printf '%s\n' 'alice-Wrong0rd!' >"$work/wrong")

	# PAM: pamtester under pam_wrapper with a service dir of our own; one service names the
	# module by its installed path, the other by its bare name, which libpam resolves in its
	# own module directory: that one passes only if the package put the module where libpam looks.
	mkdir -p "$work/pam.d"
	for svc in path name; do
		m=$module
		[ $svc = name ] && m=pam_sendsec.so
		printf 'auth required %s config=%s methods=password\naccount required %s config=%s methods=password\n' \
			"$m" "$SENDSEC_TEST_CONF" "$m" "$SENDSEC_TEST_CONF" >"$work/pam.d/sendsec-pkg-$svc"
	done
	pam() { # SERVICE PASSWORD-FILE OPERATIONS…
		s=$1 pw=$2
		shift 2
		LD_PRELOAD="$wrapper" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
			pamtester "$s" alice "$@" <"$pw" >"$work/out" 2>&1
	}
	for svc in path name; do
		if pam sendsec-pkg-$svc "$work/right" authenticate acct_mgmt; then
			echo "ok: PAM login through the installed module (by $svc)"
		else
			echo "FAIL: PAM login through the installed module (by $svc): exit $?"; sed 's/^/  /' "$work/out"; fail=1
		fi
	done
	rc=0
	pam sendsec-pkg-path "$work/wrong" authenticate || rc=$?
	if [ $rc -eq 1 ]; then
		echo "ok: PAM wrong password refused"
	else
		echo "FAIL: PAM wrong password: exit $rc"; sed 's/^/  /' "$work/out"; fail=1
	fi

	# SASL: the app's SASL file names a sendsec.conf (the fixture's plus password logins for
	# smtp: its default methods want a TOTP code, which alice does not have).
	mkdir -p "$work/sasl"
	(umask 077 && { cat "$SENDSEC_TEST_CONF"; printf '\n[service smtp]\nmethods password apikey\n'; } >"$work/sendsec.conf")
	printf 'sendsec_config: %s\nmech_list: PLAIN LOGIN\n' "$work/sendsec.conf" >"$work/sasl/smtpd.conf"
	sasl() { # PASSWORD-FILE
		SASL_PATH="/usr/lib/$ma/sasl2" SASL_CONF_PATH="$work/sasl" "$sasl_login" smtp alice <"$1" >"$work/out" 2>&1
	}
	if sasl "$work/right"; then
		echo "ok: SASL PLAIN login through the installed plugin ($(grep '^mechanisms:' "$work/out"))"
	else
		echo "FAIL: SASL PLAIN login through the installed plugin: exit $?"; sed 's/^/  /' "$work/out"; fail=1
	fi
	rc=0
	sasl "$work/wrong" || rc=$?
	if [ $rc -eq 1 ]; then
		echo "ok: SASL wrong password refused"
	else
		echo "FAIL: SASL wrong password: exit $rc"; sed 's/^/  /' "$work/out"; fail=1
	fi
	rm -f "$work/right" "$work/wrong"
	exit $fail
fi

# ---- phase 1 ---------------------------------------------------------------------------------
[ $# -eq 1 ] || { echo "usage: test_debs.sh SASL_LOGIN" >&2; exit 2; }
[ "${SENDSEC_SKIP_DEBS:-0}" = 1 ] && skip "SENDSEC_SKIP_DEBS=1"
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i)"
for tool in dpkg-buildpackage dh pamtester dpkg-architecture; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is not installed (scripts/install-deps.sh)"
done
sasl_login=$1
here=$(cd "$(dirname "$0")" && pwd)
src=${SENDSEC_SRCDIR:-$(cd "$here/../.." && pwd)}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in $PKGS; do
	if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$'; then
		skip "$p is already installed on this host; this test would purge it (dpkg -P $PKGS to run it)"
	fi
done

work=$(mktemp -d /tmp/sendsec-test-debs.XXXXXX)
pam_state() { # what the packages must not change
	for f in /etc/pam.d/common-*; do printf '%s ' "$f"; md5sum <"$f"; done
}
pam_state >"$work/pam-before"
installed=0
cleanup() {
	if [ $installed = 1 ]; then
		dpkg -P $PKGS >"$work/purge.log" 2>&1 || { echo "FAIL: dpkg -P failed:"; sed 's/^/  /' "$work/purge.log"; }
	fi
	rm -rf "$work"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail=0
check() { # DESCRIPTION COMMAND…
	d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok: $d"; else echo "FAIL: $d"; fail=1; fi
}

start=$(date +%s)
SENDSEC_DEB_JOBS=${SENDSEC_DEB_JOBS:-$(nproc)} "$src/packaging/debian/build-debs.sh" "$work/debs" >"$work/build.log" 2>&1 || {
	echo "FAIL: build-debs.sh"; tail -n 60 "$work/build.log" | sed 's/^/  /'; exit 1
}
echo "ok: packages built in $(($(date +%s) - start)) s: $(cd "$work/debs" && ls *.deb | grep -v dbgsym | tr '\n' ' ')"

debs=""
for p in $PKGS; do
	f=$(ls "$work/debs/${p}_"*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || { echo "FAIL: no ${p}_*.deb was built"; exit 1; }
	debs="$debs $f"
done
installed=1 # from here on, purge on exit (also after a half-done dpkg -i)
if ! dpkg -i $debs >"$work/install.log" 2>&1; then
	echo "note: dpkg -i left dependencies unresolved; apt-get -f install"
	DEBIAN_FRONTEND=noninteractive apt-get -f install -y --no-install-recommends >>"$work/install.log" 2>&1 || true
fi
for p in $PKGS; do
	check "$p is installed" sh -c "dpkg-query -W -f='\${Status}\n' $p | grep -q '^install ok installed$'"
done
[ $fail = 0 ] || { sed 's/^/  /' "$work/install.log"; exit 1; }

listed() { dpkg -L "$1" | grep -qx "$2"; }
check "libpam-sendsec: /lib/$ma/security/pam_sendsec.so" listed libpam-sendsec "/lib/$ma/security/pam_sendsec.so"
# The pam-auth-update profile names pam_sndsec.so: pam-auth-update replaces every "end" in a
# module line, also inside "pam_sendsec.so" (see packaging/debian/pam-configs/sendsec).
check "libpam-sendsec: pam_sndsec.so links to pam_sendsec.so" sh -c "[ \"\$(readlink /lib/$ma/security/pam_sndsec.so)\" = pam_sendsec.so ] || [ \"\$(readlink -f /lib/$ma/security/pam_sndsec.so)\" = \"\$(readlink -f /lib/$ma/security/pam_sendsec.so)\" ]"
check "libpam-sendsec: /usr/share/pam-configs/sendsec" listed libpam-sendsec /usr/share/pam-configs/sendsec
check "libsasl2-modules-sendsec: /usr/lib/$ma/sasl2/libsendsec.so" listed libsasl2-modules-sendsec "/usr/lib/$ma/sasl2/libsendsec.so"
check "sendsec-tools: /usr/sbin/sendsecctl" listed sendsec-tools /usr/sbin/sendsecctl
# Each manual page ships with the package it documents (lintian spare-manual-page): dpkg -S must
# name that package, and only it, as the owner.
arch=$(dpkg --print-architecture)
for page in libpam-sendsec:man8/pam_sendsec.8 libsasl2-modules-sendsec:man8/sendsec-sasl.8 \
	sendsec-tools:man8/sendsecctl.8 sendsec-tools:man5/sendsec.conf.5; do
	p=${page%%:*} f=/usr/share/man/${page#*:}.gz
	owner=$(dpkg -S "$f" 2>/dev/null | sed -n 's|: /.*||p')
	if [ "$owner" = "$p" ] || [ "$owner" = "$p:$arch" ]; then
		echo "ok: $f belongs to $p"
	else
		echo "FAIL: $f belongs to '${owner:-no package}', wanted $p"; fail=1
	fi
done
check "sendsec-tools: LDAP schema" listed sendsec-tools /usr/share/sendsec/ldap/sendsec.schema
check "sendsec-tools: cn=config LDIF" listed sendsec-tools /usr/share/sendsec/ldap/sendsec.ldif
check "sendsec-tools: example sendsec.conf" listed sendsec-tools /usr/share/doc/sendsec/examples/sendsec.conf.example
check "sendsec-tools: fail2ban filter example" listed sendsec-tools /usr/share/doc/sendsec/examples/fail2ban/filter.d/sendsec.conf
check "sendsec-tools: fail2ban jail example" listed sendsec-tools /usr/share/doc/sendsec/examples/fail2ban/jail.d/sendsec.conf
check "sendsec-tools: schema upgrade LDIF" listed sendsec-tools /usr/share/sendsec/ldap/sendsec-upgrade.ldif
check "the pam-auth-update profile is off by default (Default: no)" grep -qx 'Default: no' /usr/share/pam-configs/sendsec
check "installing changed no /etc/pam.d/common-* file" sh -c "pam_state() { for f in /etc/pam.d/common-*; do printf '%s ' \"\$f\"; md5sum <\"\$f\"; done; }; pam_state | cmp -s - '$work/pam-before'"
check "no PAM stack names pam_sendsec" sh -c "! grep -rqsE 'pam_s(e)?ndsec' /etc/pam.d"
check "the installed module exports only pam_sm_* (tests/pam/test_exports.sh)" "$src/tests/pam/test_exports.sh" "/lib/$ma/security/pam_sendsec.so"
check "sendsecctl --version runs" /usr/sbin/sendsecctl --version

"$src/tests/fixtures/with-slapd.sh" "$here/test_debs.sh" --logins "$sasl_login" "$ma" "$work" || fail=1

# Purge now (the EXIT trap would too) and check that nothing is left behind.
dpkg -P $PKGS >"$work/purge.log" 2>&1 || { echo "FAIL: dpkg -P:"; sed 's/^/  /' "$work/purge.log"; fail=1; }
installed=0
check "purged: the module is gone" test ! -e "/lib/$ma/security/pam_sendsec.so"
check "purged: the plugin is gone" test ! -e "/usr/lib/$ma/sasl2/libsendsec.so"
check "purged: the profile is gone" test ! -e /usr/share/pam-configs/sendsec
check "purged: /etc/pam.d/common-* as before" sh -c "pam_state() { for f in /etc/pam.d/common-*; do printf '%s ' \"\$f\"; md5sum <\"\$f\"; done; }; pam_state | cmp -s - '$work/pam-before'"
echo "total $(($(date +%s) - start)) s"
exit $fail
