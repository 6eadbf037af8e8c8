#!/bin/sh
# install-deps.sh — install every Debian 12 package that building, the demo and the tests need.
# Idempotent; run as root. Preseeds slapd and postfix so that neither configures a system instance.
set -eu
PKGS="build-essential meson ninja-build pkg-config clang clang-format libclang-rt-14-dev
 libpam0g-dev libsasl2-dev libsodium-dev liboath-dev libcrypt-dev libldap2-dev nettle-dev libqrencode-dev
 slapd ldap-utils libpam-wrapper libpamtest0-dev pamtester sasl2-bin libsasl2-modules
 oathtool argon2 whois openssl swaks postfix openssh-server openssh-client util-linux procps iproute2 python3
 debhelper dpkg-dev fakeroot rpm fail2ban strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
