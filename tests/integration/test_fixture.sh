#!/bin/sh
# test_fixture.sh — proves what the slapd fixture promises (tests/fixtures/README): schema loaded,
# seeded accounts and hashes, ACLs, SASL EXTERNAL mapping, TOTP step compare-and-swap, key-id
# lookup, Password Modify, restart on the same port with the same data.
# Run under tests/fixtures/with-slapd.sh, which exports the SENDSEC_TEST_* variables.
set -u

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
B=$SENDSEC_TEST_BASE
URI=$SENDSEC_TEST_URI
PEOPLE="ou=people,$B"
. "$(dirname "$0")/../lib/tap.sh"
# expect_rc RC DESCRIPTION CMD… — passes when CMD exits with RC.
expect_rc() {
	want=$1 d=$2
	shift 2
	"$@" >/dev/null 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $got, wanted $want)"; fi
}

svc_search() { ldapsearch -x -H "$URI" -D "$SENDSEC_TEST_BINDDN" -y "$SENDSEC_TEST_BINDPW_FILE" -LLL -o ldif-wrap=no -b "$B" "$@"; }
svc_modify() { ldapmodify -x -H "$URI" -D "$SENDSEC_TEST_BINDDN" -y "$SENDSEC_TEST_BINDPW_FILE"; }
user_bind() { ldapwhoami -x -H "$URI" -D "uid=$1,$PEOPLE" -w "$2"; }
as_user() { u=$1 pw=$2; shift 2; "$@" -x -H "$URI" -D "uid=$u,$PEOPLE" -w "$pw"; }
# Decoded userPassword of uid $1, read as the service account.
stored_hash() {
	svc_search "(uid=$1)" userPassword | sed -n 's/^userPassword:: //p' | base64 -d
}
mode_of() { stat -c %a "$1"; }
has_line() { grep -qx -- "$1"; }

# --- the environment the fixture exports -----------------------------------------------------
for v in SENDSEC_TEST_DIR SENDSEC_TEST_URI SENDSEC_TEST_LDAPI SENDSEC_TEST_PORT SENDSEC_TEST_BASE \
	SENDSEC_TEST_ROOTDN SENDSEC_TEST_ROOTPW_FILE SENDSEC_TEST_BINDDN SENDSEC_TEST_BINDPW_FILE \
	SENDSEC_TEST_CONF SENDSEC_TEST_SLAPD; do
	eval "val=\${$v:-}"
	check "$v is set" test -n "$val"
done
check "URI is ldap://127.0.0.1:PORT" test "$URI" = "ldap://127.0.0.1:$SENDSEC_TEST_PORT"
check "rootpw file is 0600" test "$(mode_of "$SENDSEC_TEST_ROOTPW_FILE")" = 600
check "bindpw file is 0600" test "$(mode_of "$SENDSEC_TEST_BINDPW_FILE")" = 600
check "sendsec.conf is 0600" test "$(mode_of "$SENDSEC_TEST_CONF")" = 600
check "sendsec.conf is owned by the runner" test "$(stat -c %u "$SENDSEC_TEST_CONF")" = "$(id -u)"
check "sendsec.conf names uri, base, binddn, bindpw_file, timeout" sh -c '
	grep -qx "uri $1" "$0" && grep -qx "base $2" "$0" && grep -qx "binddn $3" "$0" &&
	grep -qx "bindpw_file $4" "$0" && grep -qx "timeout 2" "$0"' \
	"$SENDSEC_TEST_CONF" "$URI" "$B" "$SENDSEC_TEST_BINDDN" "$SENDSEC_TEST_BINDPW_FILE"
check "SENDSEC_TEST_SLAPD status reports running" sh -c '"$1" status "$2" >/dev/null' _ "$SENDSEC_TEST_SLAPD" "$SENDSEC_TEST_DIR"

# --- schema ----------------------------------------------------------------------------------
schema=$(ldapsearch -x -H "$URI" -LLL -o ldif-wrap=no -s base -b cn=Subschema objectClasses attributeTypes)
check "sendsecAccount is loaded under the sendsec arc" sh -c 'printf "%s\n" "$1" |
	grep -q "2.25.136830936783604179972726029055653946342.2.1 NAME .sendsecAccount. .*AUXILIARY"' _ "$schema"
for a in sendsecAllowedNetwork sendsecRecoveryCode sendsecFailureTime sendsecPasswordChanged \
	sendsecResetRequired sendsecDisabled sendsecApiKey sendsecKeyId oathSecret oathTOTPLastTimeStep; do
	check "attribute $a is known" sh -c 'printf "%s\n" "$1" | grep -q "NAME .$2. "' _ "$schema" "$a"
done

# --- seeded accounts: hashes made by the expected tools ---------------------------------------
check "service account reads alice's userPassword ({ARGON2} argon2id)" sh -c \
	'case "$1" in "{ARGON2}\$argon2id\$v=19\$m=4096,t=3,p=1\$"*) ;; *) exit 1;; esac' _ "$(stored_hash alice)"
check "bob's hash is {SSHA}" sh -c 'case "$1" in "{SSHA}"?*) ;; *) exit 1;; esac' _ "$(stored_hash bob)"
check "carol's hash is {CRYPT}\$6\$" sh -c 'case "$1" in "{CRYPT}\$6\$"?*) ;; *) exit 1;; esac' _ "$(stored_hash carol)"
check "frank's hash is {ARGON2} argon2i" sh -c 'case "$1" in "{ARGON2}\$argon2i\$"?*) ;; *) exit 1;; esac' _ "$(stored_hash frank)"
check "grace's hash is argon2id with p=4" sh -c 'case "$1" in "{ARGON2}\$argon2id\$v=19\$m=4096,t=1,p=4\$"*) ;; *) exit 1;; esac' _ "$(stored_hash grace)"
check "mallory's hash is the malformed one" test "$(stored_hash mallory)" = '{ARGON2}$argon2id$garbage'
check "dave is disabled" sh -c 'svc_out=$1; printf "%s\n" "$svc_out" | grep -qx "sendsecDisabled: TRUE"' _ "$(svc_search '(uid=dave)' sendsecDisabled)"
check "erin must reset" sh -c 'printf "%s\n" "$1" | grep -qx "sendsecResetRequired: TRUE"' _ "$(svc_search '(uid=erin)' sendsecResetRequired)"
check "alice is inetOrgPerson + posixAccount + sendsecAccount, uidNumber 20001" sh -c '
	printf "%s\n" "$1" | grep -qx "objectClass: sendsecAccount" &&
	printf "%s\n" "$1" | grep -qx "objectClass: posixAccount" &&
	printf "%s\n" "$1" | grep -qx "uidNumber: 20001" &&
	printf "%s\n" "$1" | grep -qx "homeDirectory: /home/alice"' _ "$(svc_search '(uid=alice)' objectClass uidNumber homeDirectory)"
check "TOTP params entry is seeded" sh -c '
	printf "%s\n" "$1" | grep -qx "oathOTPLength: 6" &&
	printf "%s\n" "$1" | grep -qx "oathHMACAlgorithm: 1.2.840.113549.2.7" &&
	printf "%s\n" "$1" | grep -qx "oathTOTPTimeStepPeriod: 30" &&
	printf "%s\n" "$1" | grep -qx "oathTOTPTimeStepWindow: 1"' _ \
	"$(svc_search '(cn=totp-sha1-6)' oathOTPLength oathHMACAlgorithm oathTOTPTimeStepPeriod oathTOTPTimeStepWindow)"

# --- binds --------------------------------------------------------------------------------------
for u in alice bob carol dave erin frank grace; do
	check "$u binds with her seeded password" sh -c 'test "$(ldapwhoami -x -H "$1" -D "$2" -w "$3")" = "dn:$2"' \
		_ "$URI" "uid=$u,$PEOPLE" "$u-Passw0rd!"
done
expect_rc 49 "alice with a wrong password is refused (49)" user_bind alice 'alice-Passw0rd?'
expect_rc 49 "mallory (malformed hash) cannot bind (49)" user_bind mallory 'mallory-Passw0rd!'
check "rootdn binds with the rootpw file" sh -c '"$@" >/dev/null' _ \
	ldapwhoami -x -H "$URI" -D "$SENDSEC_TEST_ROOTDN" -y "$SENDSEC_TEST_ROOTPW_FILE"

# --- ACLs --------------------------------------------------------------------------------------
anon=$(ldapsearch -x -H "$URI" -LLL -b "$B" '(uid=alice)' userPassword 2>/dev/null)
check "anonymous cannot read userPassword" sh -c '! printf "%s\n" "$1" | grep -qi "^userPassword"' _ "$anon"
check "anonymous cannot read entries at all" sh -c '! printf "%s\n" "$1" | grep -q "^dn:"' _ "$anon"
own=$(as_user alice 'alice-Passw0rd!' ldapsearch -LLL -b "$B" '(uid=alice)' userPassword uid)
check "alice sees her entry" sh -c 'printf "%s\n" "$1" | grep -qx "uid: alice"' _ "$own"
check "alice cannot read her own userPassword" sh -c '! printf "%s\n" "$1" | grep -qi "^userPassword"' _ "$own"
other=$(as_user alice 'alice-Passw0rd!' ldapsearch -LLL -b "$B" '(uid=bob)' userPassword sendsecFailureTime objectClass)
check "alice reads bob's objectClass" sh -c 'printf "%s\n" "$1" | grep -qx "objectClass: posixAccount"' _ "$other"
check "alice cannot read bob's userPassword" sh -c '! printf "%s\n" "$1" | grep -qi "^userPassword"' _ "$other"
tok_as_alice=$(as_user alice 'alice-Passw0rd!' ldapsearch -LLL -b "ou=tokens,$B" '(objectClass=*)' 2>/dev/null)
check "alice cannot see ou=tokens" test -z "$tok_as_alice"
expect_rc 50 "alice cannot clear her own sendsecResetRequired (50)" sh -c "printf '%s\n' \
	'dn: uid=alice,$PEOPLE' 'changetype: modify' 'replace: sendsecResetRequired' 'sendsecResetRequired: FALSE' |
	ldapmodify -x -H '$URI' -D 'uid=alice,$PEOPLE' -w 'alice-Passw0rd!'"
expect_rc 1 "bob cannot set alice's password (Password Modify refused)" \
	as_user bob 'bob-Passw0rd!' ldappasswd -s 'x-Passw0rd-x' "uid=alice,$PEOPLE"

# --- lockout record ------------------------------------------------------------------------------
expect_rc 0 "service account adds sendsecFailureTime values" svc_modify <<EOF
dn: uid=alice,$PEOPLE
changetype: modify
add: sendsecFailureTime
sendsecFailureTime: 20240101000000Z
sendsecFailureTime: 20240101000100Z
EOF
expect_rc 0 "service account deletes one sendsecFailureTime value" svc_modify <<EOF
dn: uid=alice,$PEOPLE
changetype: modify
delete: sendsecFailureTime
sendsecFailureTime: 20240101000000Z
EOF
check "ordering filter on sendsecFailureTime finds the remaining value" sh -c 'test "$1" = "sendsecFailureTime: 20240101000100Z"' _ \
	"$(svc_search '(&(uid=alice)(sendsecFailureTime>=20240101000030Z))' sendsecFailureTime | grep '^sendsecFailureTime')"

# --- API key ids --------------------------------------------------------------------------------
expect_rc 0 "service account adds an API key and its id in one modify" svc_modify <<EOF
dn: uid=bob,$PEOPLE
changetype: modify
add: sendsecApiKey
sendsecApiKey: v1;id=4Fq9xK2bT0aZ;hash=x;scopes=smtp
-
add: sendsecKeyId
sendsecKeyId: 4Fq9xK2bT0aZ
EOF
check "(sendsecKeyId=ID) finds the account" sh -c 'test "$1" = "dn: uid=bob,$2"' _ \
	"$(svc_search '(sendsecKeyId=4Fq9xK2bT0aZ)' 1.1 | grep '^dn:')" "$PEOPLE"
check "sendsecKeyId matching is case-exact" test -z "$(svc_search '(sendsecKeyId=4fq9xk2bt0az)' 1.1)"
expect_rc 0 "service account revokes the key (deletes both values)" svc_modify <<EOF
dn: uid=bob,$PEOPLE
changetype: modify
delete: sendsecApiKey
sendsecApiKey: v1;id=4Fq9xK2bT0aZ;hash=x;scopes=smtp
-
delete: sendsecKeyId
sendsecKeyId: 4Fq9xK2bT0aZ
EOF

# --- SASL EXTERNAL over ldapi -------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	check "SASL EXTERNAL over ldapi as root is the service account" sh -c \
		'test "$(ldapwhoami -Q -Y EXTERNAL -H "$1")" = "dn:$2"' _ "$SENDSEC_TEST_LDAPI" "$SENDSEC_TEST_BINDDN"
	check "EXTERNAL reads userPassword" sh -c 'ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b "$2" "(uid=carol)" userPassword |
		grep -q "^userPassword"' _ "$SENDSEC_TEST_LDAPI" "$B"
else
	echo "ok - # SKIP SASL EXTERNAL mapping needs uid 0"
fi

# --- TOTP tokens: add, link, compare-and-swap of the last time step ------------------------------
TOKEN="cn=alice,ou=tokens,$B"
expect_rc 0 "service account adds a token entry" svc_modify <<EOF
dn: $TOKEN
changetype: add
objectClass: applicationProcess
objectClass: oathTOTPToken
cn: alice
oathSecret:: MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=
oathTOTPParams: cn=totp-sha1-6,ou=params,$B
oathTOTPLastTimeStep: 5
EOF
expect_rc 0 "service account links the token to alice" svc_modify <<EOF
dn: uid=alice,$PEOPLE
changetype: modify
add: objectClass
objectClass: oathTOTPUser
-
add: oathTOTPToken
oathTOTPToken: $TOKEN
EOF
step() {
	svc_modify <<EOF
dn: $TOKEN
changetype: modify
delete: oathTOTPLastTimeStep
oathTOTPLastTimeStep: $1
-
add: oathTOTPLastTimeStep
oathTOTPLastTimeStep: $2
EOF
}
expect_rc 0 "time step 5 -> 6 succeeds" step 5 6
expect_rc 16 "time step 5 -> 6 again fails with noSuchAttribute (16)" step 5 6
check "the step is 6" sh -c 'printf "%s\n" "$1" | grep -qx "oathTOTPLastTimeStep: 6"' _ \
	"$(svc_search '(cn=alice)' oathTOTPLastTimeStep)"
check "service account reads oathSecret" sh -c 'printf "%s\n" "$1" | grep -q "^oathSecret"' _ \
	"$(svc_search '(cn=alice)' oathSecret)"
expect_rc 0 "service account deletes the token" \
	ldapdelete -x -H "$URI" -D "$SENDSEC_TEST_BINDDN" -y "$SENDSEC_TEST_BINDPW_FILE" "$TOKEN"

# --- RFC 3062 Password Modify as the user ---------------------------------------------------------
expect_rc 0 "carol changes her password with Password Modify" \
	as_user carol 'carol-Passw0rd!' ldappasswd -a 'carol-Passw0rd!' -s 'carol-N3wPassw0rd!'
expect_rc 0 "carol binds with the new password" user_bind carol 'carol-N3wPassw0rd!'
expect_rc 49 "carol's old password is refused" user_bind carol 'carol-Passw0rd!'
check "the server stored a clean {CRYPT}\$6\$ hash" sh -c '
	h=$(ldapsearch -x -H "$1" -D "$2" -y "$3" -LLL -o ldif-wrap=no -b "$4" "(uid=carol)" userPassword |
		sed -n "s/^userPassword:: //p" | base64 -d | od -An -c | tr -d " \n")
	case "$h" in "{CRYPT}\$6\$"*"\\0"*) exit 1;; "{CRYPT}\$6\$"*) exit 0;; *) exit 1;; esac' _ \
	"$URI" "$SENDSEC_TEST_BINDDN" "$SENDSEC_TEST_BINDPW_FILE" "$B"

# --- restart keeps port and data ----------------------------------------------------------------
expect_rc 0 "service account disables bob" svc_modify <<EOF
dn: uid=bob,$PEOPLE
changetype: modify
replace: sendsecDisabled
sendsecDisabled: TRUE
EOF
expect_rc 0 "restart succeeds" "$SENDSEC_TEST_SLAPD" restart "$SENDSEC_TEST_DIR"
check "restart keeps the port" test "$(cat "$SENDSEC_TEST_DIR/port")" = "$SENDSEC_TEST_PORT"
check "restart keeps the data (bob still disabled)" sh -c 'printf "%s\n" "$1" | grep -qx "sendsecDisabled: TRUE"' _ \
	"$(svc_search '(uid=bob)' sendsecDisabled)"
expect_rc 0 "stop succeeds" "$SENDSEC_TEST_SLAPD" stop "$SENDSEC_TEST_DIR"
expect_rc 3 "status after stop says stopped" "$SENDSEC_TEST_SLAPD" status "$SENDSEC_TEST_DIR"
expect_rc 0 "stop when already stopped is fine" "$SENDSEC_TEST_SLAPD" stop "$SENDSEC_TEST_DIR"
expect_rc 255 "the server is gone after stop" ldapsearch -x -H "$URI" -s base -b "" -LLL 1.1

tap_done
