#!/bin/sh
# demo.sh — the README's first command: installs what it needs, builds, starts a throwaway slapd
# with demo accounts (tests/fixtures), and shows sendsec at work: a config check, a lookup,
# password, TOTP, HOTP and API-key logins, a replayed code, a disallowed address, a lockout, a
# delegated login to a shared account, PAM and SASL logins, and the audit lines of all of it.
# Everything it starts is stopped at the end.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${SENDSEC_DEMO_BUILD:-build-demo}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=debugoptimized >/dev/null
ninja -C "$BUILD" >/dev/null
exec tests/fixtures/with-slapd.sh scripts/demo-steps.sh "$(pwd)/$BUILD"
