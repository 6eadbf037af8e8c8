#!/bin/sh
# test_sendsecctl_scan.sh — sendsecctl scan and the pre-commit hook against the fixture slapd, in a
# git repository made here: keys in its history only, in its tree (text, a subdirectory, a binary
# file), revoked, expired (rotated with overlap 0), a forged one (a real id, another secret, right
# check characters), look-alikes with wrong check characters and other vendors' tokens. It checks
# what scan reports (file or input line, key id, owner, state) for a tree, for `git log -p | scan -`
# and for several paths, that look-alikes are never reported and no secret is ever printed, the
# exit codes (1 live, 0 none, 2 usage or unreadable), --revoke (each live key revoked once, one
# admin audit line per key, captured from /dev/log in a private mount namespace; the forged key
# left alone), --offline, a large partly binary stream (run under ASan in the asan build), and
# packaging/examples/pre-commit refusing staged keys but not look-alikes or removals, with and
# without sendsecctl on PATH.
# Run under tests/fixtures/with-slapd.sh: test_sendsecctl_scan.sh PATH-TO-SENDSECCTL
# Keys live in 0600 files under $SENDSEC_TEST_DIR; none is ever printed by this test.
set -u

. "$(dirname "$0")/sendsecctl_lib.sh"
show_out=yes # scan prints ids, owners and places, never a secret
SRC=${SENDSEC_SRCDIR:?}
HOOK=$SRC/packaging/examples/pre-commit
R=$D/repo
# The fixture's config with API keys on smtp (the default methods take none).
CONF=$D/sendsecctl-scan.conf
{ cat "$F"; printf '[service smtp]\nmethods password+totp apikey\n'; } >"$CONF"

# The id of the key in file $1 (characters 5-16: after "ssk_").
id_of() { cut -c5-16 "$1"; }
# Every secret part (characters 18-60) of the key files, one per line, for "never printed" checks.
secrets() { for k in "$D"/k_*; do cut -c18-60 "$k"; done; }
no_secret_in() {
	secrets >"$D/secrets"
	! grep -qF -f "$D/secrets" "$@"
}
login() { "$CTL" --config "$CONF" test smtp apikey <"$1" >/dev/null 2>&1; }

# ---- keys ----
new_key() { # new_key NAME USER: a key for USER into $D/k_NAME
	ctl key create "$2" --scope smtp
	[ "$rc" -eq 0 ] || { not_ok "create key $1"; cat "$D/err"; exit 1; }
	mv "$D/out" "$D/k_$1"
}
new_key history alice  # committed, then removed from the tree: in the history only
new_key tree bob       # in the working tree (text, subdirectory, binary)
new_key revoked carol  # committed, then revoked
new_key rotated alice  # rotated with overlap 0: expired
ctl key revoke "$(id_of "$D/k_revoked")"
expect 0 "revoke one key before the scan"
ctl key rotate "$(id_of "$D/k_rotated")" --overlap 0
expect 0 "rotate one key with overlap 0"
mv "$D/out" "$D/k_successor" # the successor stays unpublished
# Look-alikes, made with Python's zlib.crc32 (independent of the C code): a key with its last check
# character changed; a random body of the right shape with wrong check characters; the forged key:
# a real id (the tree key's) with another secret and right check characters.
python3 - "$D/k_tree" >"$D/lookalikes" <<'PY' || exit 1
import random, sys, zlib
A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def check(text):
    v, out = zlib.crc32(text.encode()) & 0xFFFFFFFF, ""
    for _ in range(6):
        out, v = A[v % 62] + out, v // 62
    return out
real = open(sys.argv[1]).read().strip()
bad_last = real[:-1] + ("A" if real[-1] != "A" else "B")
rnd = "ssk_" + "".join(random.choice(A) for _ in range(12)) + "_" + "".join(random.choice(A) for _ in range(43))
rnd += "zzzzzz" if check(rnd) != "zzzzzz" else "yyyyyy"
forged = real[:17] + "".join(random.choice(A) for _ in range(43))
forged += check(forged)
print(bad_last); print(rnd); print(forged)
PY
sed -n 3p "$D/lookalikes" >"$D/k_forged"
holds '[ "$(id_of "$D/k_forged")" = "$(id_of "$D/k_tree")" ] && ! cmp -s "$D/k_forged" "$D/k_tree"' \
	"the forged key has the tree key's id and another secret"

ID_HISTORY=$(id_of "$D/k_history")
ID_TREE=$(id_of "$D/k_tree")
ID_REVOKED=$(id_of "$D/k_revoked")
ID_ROTATED=$(id_of "$D/k_rotated")

# ---- the repository ----
git init -q "$R" || exit 1
g() { git -C "$R" -c user.name=Test -c user.email=test@example.test -c core.hooksPath=/dev/null "$@"; }
{
	echo "# settings"
	echo "SMTP_PASSWORD=$(cat "$D/k_history")"
	echo "LOOKALIKE=$(sed -n 1p "$D/lookalikes")"
} >"$R/settings.py"
echo "relay_key: $(cat "$D/k_revoked")" >"$R/relay.yml"
g add settings.py relay.yml && g commit -q -m "first" || exit 1
{
	echo "# settings"
	echo "SMTP_PASSWORD = os.environ['SMTP_PASSWORD']"
	echo "LOOKALIKE=$(sed -n 2p "$D/lookalikes")"
} >"$R/settings.py"
echo "old: $(cat "$D/k_rotated")" >>"$R/relay.yml"
g commit -q -a -m "second: the key moves to the environment" || exit 1
mkdir -p "$R/deploy/prod"
{
	printf 'line one\nline two\n'
	echo "export SENDSEC_KEY=$(cat "$D/k_tree")"
	echo "github=ghp_1234567890abcdefghijABCDEFGHIJ123456 stripe=sk_live_51H8abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
	echo "forged=$(cat "$D/k_forged")"
} >"$R/deploy/prod/env.sh"
{ head -c 3000 /dev/urandom; cat "$D/k_tree"; head -c 3000 /dev/urandom; } >"$R/deploy/blob.bin"
ln -s /etc "$R/deploy/link-to-etc"
g add deploy/prod/env.sh && g commit -q -m "third" || exit 1

# ---- scan a tree ----
ctl scan "$R"
expect 1 "scan of the tree: a live key found, exit 1"
holds 'grep -q "^$R/deploy/prod/env.sh:3: key=$ID_TREE account=bob state=live$" "$D/out"' \
	"the tree key: file, line 3, id, owner bob, live"
holds 'grep -q "^$R/deploy/blob.bin:[0-9]*: key=$ID_TREE account=bob state=live$" "$D/out"' \
	"the tree key inside a binary file"
holds 'grep -q "^$R/deploy/prod/env.sh:5: key=$ID_TREE account=bob state=unknown$" "$D/out"' \
	"the forged key (right id, other secret): unknown, not live"
holds 'grep -q "^$R/relay.yml:1: key=$ID_REVOKED account=- state=revoked$" "$D/out"' "the revoked key: revoked"
holds 'grep -q "^$R/relay.yml:2: key=$ID_ROTATED account=alice state=expired$" "$D/out"' \
	"the rotated key after its overlap: expired"
holds '! grep -q "$ID_HISTORY" "$D/out"' "the key only in the history is not in the tree"
holds '[ "$(grep -c "^$R/" "$D/out")" -eq 5 ]' "nothing else reported: no look-alike, no other vendor's token"
holds '! grep -q "link-to-etc" "$D/out" "$D/err"' "symbolic links inside the tree are not followed"
holds 'no_secret_in "$D/out" "$D/err"' "no secret printed"

# ---- scan the history from standard input ----
git -C "$R" log -p >"$D/log.txt"
"$CTL" --config "$CONF" scan - <"$D/log.txt" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "git log -p | scan -: exit 1"
hline=$(grep -n "SMTP_PASSWORD=ssk_" "$D/log.txt" | head -1 | cut -d: -f1)
holds 'grep -q "^-:$hline: key=$ID_HISTORY account=alice state=live$" "$D/out"' \
	"the key in the history only: input line $hline, alice, live"
holds '[ "$(grep -c "key=$ID_HISTORY" "$D/out")" -eq 2 ]' "it is reported where it was added and where it was removed"
holds 'grep -q "key=$ID_REVOKED account=- state=revoked" "$D/out" && grep -q "key=$ID_ROTATED account=alice state=expired" "$D/out"' \
	"revoked and expired keys in the history"
holds 'grep -q "key=$ID_TREE account=bob state=live" "$D/out" && grep -q "key=$ID_TREE account=bob state=unknown" "$D/out"' \
	"the tree key and the forged one, committed in the third commit"
holds '[ "$(grep -c "^-:" "$D/out")" -eq 7 ]' \
	"7 hits: the history key added and removed, the revoked key added and as context, the expired, the tree and the forged key"
grep -n "LOOKALIKE=" "$D/log.txt" | cut -d: -f1 | sed 's/^/-:/; s/$/:/' >"$D/lookalike-lines"
holds '[ "$(wc -l <"$D/lookalike-lines")" -ge 2 ] && ! grep -qF -f "$D/lookalike-lines" "$D/out"' \
	"look-alikes with wrong check characters (one of them a real key with its last character changed) are not reported"
holds 'no_secret_in "$D/out" "$D/err"' "no secret printed"
"$CTL" --config "$CONF" scan <"$D/log.txt" >"$D/out2" 2>"$D/err"; rc=$?
holds '[ "$rc" -eq 1 ] && cmp -s "$D/out" "$D/out2"' "no PATH reads standard input too"

# ---- --revoke, with the audit lines captured in a private mount namespace ----
cat >"$D/ns.sh" <<'NS'
# In a new mount namespace: a private /dev (the nodes a program needs bound from the real one) and
# tests/lib/devlog.py on /dev/log; runs "$@" and leaves the syslog lines in $D/syslog.
set -u
mkdir -p "$D/olddev"
mount --bind /dev "$D/olddev" && mount -t tmpfs -o mode=755 tmpfs /dev || exit 97
for node in null zero urandom random tty full; do
	touch "/dev/$node" && mount --bind "$D/olddev/$node" "/dev/$node" || exit 97
done
python3 "$SRC/tests/lib/devlog.py" "$D/syslog" /dev/log 2>"$D/devlog.ready" &
dl=$!
for _ in $(seq 50); do grep -q ready "$D/devlog.ready" 2>/dev/null && break; sleep 0.1; done
"$@"
status=$?
sleep 0.2
kill "$dl"; wait "$dl"
exit $status
NS
: >"$D/syslog"
export D SRC
unshare -m --propagation private sh "$D/ns.sh" \
	"$CTL" --config "$CONF" scan --revoke "$R/deploy" "$D/log.txt" >"$D/out" 2>"$D/err"; rc=$?
[ "$rc" -eq 97 ] && { not_ok "a private mount namespace for /dev/log"; cat "$D/err"; }
expect 1 "scan --revoke: live keys were found, exit 1"
holds 'grep -q "key=$ID_HISTORY account=alice state=live action=revoked" "$D/out" && grep -q "key=$ID_TREE account=bob state=live action=revoked" "$D/out"' \
	"both live keys revoked"
holds '[ "$(grep -c "action=revoked" "$D/out")" -eq 2 ] && grep -q "key=$ID_TREE account=bob state=revoked$" "$D/out"' \
	"each revoked once, however often it appears (later lines say revoked)"
holds '[ "$(grep -c "sendsecctl: action=key_revoke key=$ID_HISTORY reason=leaked file=$D/log.txt$" "$D/syslog")" -eq 1 ]' \
	"one audit line for the history key, naming the file where it was found"
holds '[ "$(grep -c "sendsecctl: action=key_revoke key=$ID_TREE reason=leaked file=$R/deploy/" "$D/syslog")" -eq 1 ]' \
	"one audit line for the tree key"
holds '[ "$(grep -c "action=key_revoke" "$D/syslog")" -eq 2 ]' "no other admin line (the forged, revoked and expired keys are left alone)"
holds 'no_secret_in "$D/out" "$D/err" "$D/syslog"' "no secret printed or logged"
sed 's/^/# syslog: /' "$D/syslog"
holds '! login "$D/k_history" && ! login "$D/k_tree"' "the revoked keys no longer log in"
holds 'login "$D/k_successor"' "the rotated key's successor still does"
ctl scan "$R" "$D/log.txt"
expect 0 "scan again: no live key left, exit 0"
holds 'grep -q "key=$ID_TREE account=- state=revoked" "$D/out" && ! grep -q "state=live" "$D/out"' "now reported as revoked"

# ---- usage and unreadable input ----
ctl scan "$D/no-such-file"
expect 2 "a path that does not exist: exit 2"
ctl scan --bogus
expect 2 "an unknown option: exit 2"
ctl scan --revoke --offline "$R"
expect 2 "--revoke with --offline: exit 2"
ctl scan --prefix abc_ "$R"
expect 2 "--prefix without --offline: exit 2"
"$CTL" --config /nonexistent/sendsec.conf scan --offline "$R/deploy" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "--offline without any config: keys found, exit 1"
holds 'grep -q "env.sh:3: key=$ID_TREE account=- state=unchecked$" "$D/out" && grep -q "env.sh:5: key=$ID_TREE account=- state=unchecked$" "$D/out"' \
	"--offline reports without looking up"
"$CTL" --config /nonexistent/sendsec.conf scan --offline --prefix test_ "$R/deploy" >"$D/out" 2>"$D/err"; rc=$?
expect 0 "--offline with another prefix: nothing of that fleet"

# ---- a large, partly binary stream (ASan in the asan build) ----
python3 - "$D/k_successor" "$D/big" <<'PY' || not_ok "make the large input"
import os, sys
key = open(sys.argv[1]).read().strip().encode()
with open(sys.argv[2], "wb") as f:
    for i in range(400):
        f.write(os.urandom(40000))
        f.write(b"\n".join(b"+line %d of a diff ssk_ sssk_ %d" % (i, j) for j in range(800)) + b"\n")
        if i % 40 == 0:
            f.write(b"+SECRET=" + key + b"\n")
        f.write(b"ssk_" + os.urandom(70))
PY
size=$(wc -c <"$D/big")
"$CTL" --config "$CONF" scan - <"$D/big" >"$D/out" 2>"$D/err"; rc=$?
expect 1 "a $((size / 1048576)) MiB partly binary stream: the live key found"
holds '[ "$(grep -c "key=$(id_of "$D/k_successor") account=alice state=live" "$D/out")" -eq 10 ]' \
	"all 10 copies found, among random bytes and partial prefixes"
holds '[ "$(wc -l <"$D/out")" -eq 10 ]' "nothing else found"
holds 'no_secret_in "$D/out" "$D/err"' "no secret printed"
# Read in 64 KiB reads, not a few bytes at a time: strace counts the read(2) calls of 1 MiB.
head -c 1048576 "$D/big" >"$D/mib"
if command -v strace >/dev/null 2>&1; then
	strace -o "$D/strace" -e trace=read "$CTL" scan --offline "$D/mib" >/dev/null 2>&1
	reads=$(grep -c '^read(' "$D/strace")
	holds '[ "$reads" -lt 1000 ]' "1 MiB is read in few reads (got $reads read calls)"
else
	not_ok "strace (scripts/install-deps.sh) is needed to count the reads"
fi

# A file swapped for a FIFO between the scanner's lstat and its open must not hang the scan:
# strace holds the lstat of that one path (-P) for 2 s while the test makes it a FIFO.
if command -v strace >/dev/null 2>&1; then
	mkdir -p "$D/swap" && echo "plain text" >"$D/swap/victim"
	timeout 20 strace -f -qq -o /dev/null -P "$D/swap/victim" -e trace=lstat,newfstatat \
		-e inject=lstat,newfstatat:delay_exit=2000000 \
		"$CTL" scan --offline --prefix test_ "$D/swap" >"$D/out" 2>"$D/err" &
	scanner=$!
	sleep 1
	rm -f "$D/swap/victim" && mkfifo "$D/swap/victim"
	wait "$scanner"; rc=$?
	expect 0 "a file swapped for a FIFO after its lstat: skipped, no hang (124 is the timeout)"
else
	not_ok "strace (scripts/install-deps.sh) is needed to swap a file during the scan"
fi

# ---- the pre-commit hook ----
H=$D/hooked
git init -q "$H" || exit 1
mkdir -p "$D/hooks" && cp "$HOOK" "$D/hooks/pre-commit" && chmod +x "$D/hooks/pre-commit"
hg() { git -C "$H" -c user.name=Test -c user.email=test@example.test -c core.hooksPath="$D/hooks" "$@"; }
commit() { # commit PATH-PREFIX MESSAGE: git commit with PATH=PATH-PREFIX:$PATH; output in $D/out
	(PATH=$1:$PATH && export PATH && hg commit -q -m "$2") >"$D/out" 2>&1; rc=$?
}
CTLDIR=$(dirname "$CTL")
echo "first" >"$H/README" && hg add README
commit "$CTLDIR" "a first commit without keys (no HEAD yet)"
expect 0 "hook: the first commit, no key: accepted"
cp "$D/k_successor" "$D/k_hook" # a real key, whatever its state
echo "key=$(cat "$D/k_hook")" >"$H/app.conf" && hg add app.conf
commit "$CTLDIR" "add a key"
expect 1 "hook: a staged key is refused"
holds 'grep -q "app.conf: $(id_of "$D/k_hook")" "$D/out"' "hook: it names the file and the key id"
holds 'no_secret_in "$D/out"' "hook: no secret printed"
{ sed -n 1p "$D/lookalikes"; sed -n 2p "$D/lookalikes"; } >"$H/app.conf" && hg add app.conf
commit "$CTLDIR" "look-alikes only"
expect 0 "hook: look-alikes with wrong check characters pass"
{ head -c 2000 /dev/urandom; cat "$D/k_hook"; head -c 2000 /dev/urandom; } >"$H/data.bin" && hg add data.bin
commit "$CTLDIR" "a binary with a key"
expect 1 "hook: a key inside a staged binary file is refused"
hg reset -q data.bin && rm -f "$H/data.bin"
echo "key=$(cat "$D/k_hook")" >"$H/legacy.conf" && hg add legacy.conf
hg commit -q --no-verify -m "an old leak" >/dev/null 2>&1
echo "key from the environment" >"$H/legacy.conf" && hg add legacy.conf
commit "$CTLDIR" "remove the leaked key"
expect 0 "hook: a change that removes a key is accepted"
# Without sendsecctl on PATH: the shape alone.
mkdir -p "$D/nopath"
for tool in git sed tr sort cut grep mktemp rm cat head sh printf; do
	p=$(command -v "$tool") && ln -sf "$p" "$D/nopath/$tool"
done
echo "key=$(cat "$D/k_hook")" >"$H/other.conf" && hg add other.conf
(PATH=$D/nopath && export PATH && hg commit -q -m "a key, no sendsecctl") >"$D/out" 2>&1; rc=$?
expect 1 "hook without sendsecctl: a staged key is refused by its shape"
holds 'grep -q "sendsecctl not found" "$D/out" && grep -q "other.conf: $(id_of "$D/k_hook")" "$D/out"' \
	"hook without sendsecctl: says so and names file and id"
holds 'no_secret_in "$D/out"' "hook without sendsecctl: no secret printed"

tap_done
