#!/bin/sh
# test_schema_ldif.sh — packaging/ldap/sendsec.ldif works in a cn=config slapd, both ways a
# sysadmin would load it, and defines exactly what sendsec.schema defines:
#   A: slapadd -n0 of a minimal cn=config plus sendsec.ldif, then slapd -F
#   B: a running cn=config slapd without it, then ldapadd -Y EXTERNAL -H ldapi://… -f sendsec.ldif
# Each instance must accept an entry using every sendsec attribute next to the otp module's
# schema, and publish the same sendsec definitions as the slapd.conf fixture (run under
# tests/fixtures/with-slapd.sh). Needs root (SASL EXTERNAL as uid 0 manages cn=config).
#   C: a running server with the schema of before sendsecFailure and an account using it, then
#      ldapmodify -f sendsec-upgrade.ldif: the same definitions, and the account keeps
#      its older values and takes sendsecFailure values.
set -u

: "${SENDSEC_TEST_URI:?run me under tests/fixtures/with-slapd.sh}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LDIF="$SRC/packaging/ldap/sendsec.ldif"
UPGRADE="$SRC/packaging/ldap/sendsec-upgrade.ldif"
[ -x /usr/sbin/slapd ] && PATH=/usr/sbin:$PATH
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP cn=config management over ldapi needs uid 0"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sendsec-cnconfig.XXXXXX") || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$SRC/tests/lib/tap.sh"

# Minimal cn=config: modules, the system schemas, config db managed by local root, one mdb db.
base_config() { # DIR
	cat <<EOF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $1/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: otp
olcModuleLoad: argon2

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

EOF
	for s in core cosine inetorgperson nis; do
		cat "/etc/ldap/schema/$s.ldif"
		echo
	done
}

databases() { # DIR [extra olcDbIndex attribute]
	cat <<EOF
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by dn.exact=gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth manage by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: dc=example,dc=test
olcRootDN: gidNumber=0+uidNumber=0,cn=peercred,cn=external,cn=auth
olcDbDirectory: $1/data
olcDbMaxSize: 67108864
olcDbIndex: objectClass eq
EOF
	[ $# -lt 2 ] || echo "olcDbIndex: $2 eq"
}

# Starts slapd -F DIR/slapd.d and sets $url. Not for $(…): $pids must survive.
start_instance() { # DIR
	d=$1
	url="ldapi://$(printf '%s' "$d/ldapi" | sed 's|%|%25|g; s|/|%2F|g; s| |%20|g')"
	slapd -d 0 -F "$d/slapd.d" -h "$url" >"$d/slapd.log" 2>&1 </dev/null &
	pids="$pids $!"
	i=0
	while [ $i -lt 100 ]; do
		if ldapsearch -Q -Y EXTERNAL -H "$url" -s base -b "" 1.1 >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	cat "$d/slapd.log" >&2
	return 1
}

# An entry that uses every sendsec attribute and the OATH classes.
sample_entries() {
	cat <<'EOF'
dn: dc=example,dc=test
objectClass: dcObject
objectClass: organization
dc: example
o: example

dn: uid=alice,dc=example,dc=test
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: sendsecAccount
objectClass: oathTOTPUser
uid: alice
cn: Alice
sn: Example
uidNumber: 20001
gidNumber: 20001
homeDirectory: /home/alice
oathTOTPToken: cn=alice,dc=example,dc=test
sendsecAllowedNetwork: 192.0.2.0/24
sendsecAllowedNetwork: 2001:db8::/32
sendsecRecoveryCode: {ARGON2}$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g
sendsecFailureTime: 20240101000000Z
sendsecFailureTime: 20240101000100Z
sendsecFailure: 20240101000200.123456Z 192.0.2.0/24 9f86d081
sendsecFailure: 20240101000300.000001Z -
sendsecPasswordChanged: 20240101000000Z
sendsecResetRequired: FALSE
sendsecDisabled: FALSE
sendsecApiKey: v1;id=4Fq9xK2bT0aZ;hash=x;scopes=smtp
sendsecKeyId: 4Fq9xK2bT0aZ
sendsecToken: cn=alice-phone2,dc=example,dc=test
sendsecToken: cn=alice-key,dc=example,dc=test
sendsecDelegate: uid=bob,dc=example,dc=test

dn: cn=alice,dc=example,dc=test
objectClass: applicationProcess
objectClass: oathTOTPToken
cn: alice
oathSecret:: MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=
oathTOTPLastTimeStep: 5
EOF
}

# The sendsec definitions a server publishes, one per line, sorted.
published() { # ldapsearch args…
	ldapsearch "$@" -LLL -o ldif-wrap=no -s base -b cn=Subschema attributeTypes objectClasses |
		grep "NAME 'sendsec" | sort
}

instance_checks() { # LABEL URL
	label=$1 url=$2
	check "$label: an entry with every sendsec attribute and OATH token is accepted" sh -c '
		printf "%s\n" "$1" | ldapadd -Q -Y EXTERNAL -H "$2" >/dev/null' _ "$(sample_entries)" "$url"
	check "$label: (sendsecKeyId=…) finds it" sh -c '
		ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b dc=example,dc=test "(sendsecKeyId=4Fq9xK2bT0aZ)" 1.1 |
		grep -qx "dn: uid=alice,dc=example,dc=test"' _ "$url"
	check "$label: one recovery code value can be deleted" sh -c '
		printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "delete: sendsecRecoveryCode" \
		"sendsecRecoveryCode: {ARGON2}\$argon2id\$v=19\$m=4096,t=3,p=1\$c2FsdHNhbHQ\$aGFzaGhhc2g" |
		ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null' _ "$url"
	check "$label: sendsecDisabled is single-valued" sh -c '
		! printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "add: sendsecDisabled" \
		"sendsecDisabled: TRUE" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null 2>&1' _ "$url"
	check "$label: (sendsecDelegate=…) matches the DN however it is spelt (distinguishedNameMatch)" sh -c '
		ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b dc=example,dc=test "(sendsecDelegate=UID=Bob, DC=example,DC=test)" 1.1 |
		grep -qx "dn: uid=alice,dc=example,dc=test"' _ "$url"
	check "$label: one sendsecToken value can be deleted, the other stays" sh -c '
		printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "delete: sendsecToken" \
		"sendsecToken: CN=alice-key,dc=example,dc=test" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null &&
		ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b uid=alice,dc=example,dc=test -s base sendsecToken |
		grep -cx "sendsecToken: cn=alice-phone2,dc=example,dc=test" | grep -qx 1' _ "$url"
	check "$label: sendsecDelegate rejects a value that is not a DN" sh -c '
		! printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "add: sendsecDelegate" \
		"sendsecDelegate: bob" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null 2>&1' _ "$url"
	check "$label: sendsecFailureTime rejects a non-time value" sh -c '
		! printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "add: sendsecFailureTime" \
		"sendsecFailureTime: yesterday" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null 2>&1' _ "$url"
	check "$label: publishes the same sendsec definitions as sendsec.schema" \
		test "$(published -Q -Y EXTERNAL -H "$url")" = "$reference"
}

reference=$(published -x -H "$SENDSEC_TEST_URI")
check "the slapd.conf fixture publishes 12 sendsec definitions" test "$(printf '%s\n' "$reference" | grep -c .)" = 12

# A: slapadd -n0 with sendsec.ldif in the initial config.
a="$work/a"
mkdir -p "$a/slapd.d" "$a/data"
{
	base_config "$a"
	cat "$LDIF"
	echo
	databases "$a" sendsecKeyId
} >"$a/config.ldif"
check "A: slapadd -n0 accepts a cn=config with sendsec.ldif" sh -c '
	slapadd -n0 -F "$1/slapd.d" -l "$1/config.ldif" >"$1/slapadd.log" 2>&1 || { cat "$1/slapadd.log"; exit 1; }' _ "$a"
if start_instance "$a"; then
	url_a=$url
	ok "A: slapd -F starts"
	instance_checks A "$url_a"
else
	not_ok "A: slapd -F starts"
fi

# B: load sendsec.ldif into a running server, as a sysadmin would.
b="$work/b"
mkdir -p "$b/slapd.d" "$b/data"
{
	base_config "$b"
	databases "$b"
} >"$b/config.ldif"
check "B: slapadd -n0 of the base config" sh -c '
	slapadd -n0 -F "$1/slapd.d" -l "$1/config.ldif" >"$1/slapadd.log" 2>&1 || { cat "$1/slapadd.log"; exit 1; }' _ "$b"
if start_instance "$b"; then
	url_b=$url
	ok "B: slapd -F starts"
	check "B: ldapadd -Y EXTERNAL -H ldapi://… -f sendsec.ldif loads the schema" sh -c '
		ldapadd -Q -Y EXTERNAL -H "$1" -f "$2" >/dev/null' _ "$url_b" "$LDIF"
	check "B: sendsecKeyId can then be indexed" sh -c '
		printf "%s\n" "dn: olcDatabase={1}mdb,cn=config" "changetype: modify" "add: olcDbIndex" \
		"olcDbIndex: sendsecKeyId eq" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null' _ "$url_b"
	check "B: cn=sendsec is in cn=schema,cn=config" sh -c '
		ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b cn=schema,cn=config "(cn=*sendsec)" 1.1 |
		grep -q "^dn: cn={[0-9]*}sendsec,cn=schema,cn=config"' _ "$url_b"
	instance_checks B "$url_b"
else
	not_ok "B: slapd -F starts"
fi

# C: upgrade running servers that hold an earlier sendsec.ldif: that of the first version (no
# sendsecToken, sendsecDelegate, sendsecFailure) and that of the version before the lockout per
# source (no sendsecFailure), each with an account using the attributes of its time.
earlier() { # LDIF NUMBER… : that sendsec.ldif without the attribute types numbered so, nor their MAY entries
	src=$1
	shift
	names=""
	for num in "$@"; do
		names="$names $(awk -v h="olcAttributeTypes: ( sendsecAttr:$num" '$0 == h { getline; gsub(/\047/, "", $2); print $2 }' "$src")"
	done
	awk -v drop=" $* " -v names=" $names " '
		/^olcAttributeTypes: \( sendsecAttr:[0-9]+$/ { n = $0; sub(/.*:/, "", n); skip = index(drop, " " n " ") > 0 }
		/^olcObjectClasses:/ { skip = 0 }
		skip { next }
		/^  MAY \( / { in_may = 1; sub(/^  MAY \( /, "  ") }
		in_may {
			name = $1
			if (index(names, " " name " ") == 0) may[++k] = name
			next
		}
		{ print }
		END {
			for (i = 1; i <= k; i++)
				printf "  %s%s%s\n", i == 1 ? "MAY ( " : "", may[i], i == k ? " ) )" : " $"
		}' "$src"
}
c="$work/c"
mkdir -p "$c"
earlier "$LDIF" 9 10 11 >"$c/first.ldif"
earlier "$LDIF" 11 >"$c/before.ldif"
check "C: the first schema has no sendsecToken, sendsecDelegate, sendsecFailure" sh -c '
	! grep -Eq "sendsec(Token|Delegate|Failure)\\b" "$1" && grep -q "^  sendsecKeyId ) )\$" "$1"' _ "$c/first.ldif"
check "C: the schema before has sendsecDelegate last and no sendsecFailure" sh -c '
	! grep -q "sendsecFailure\\b" "$1" && grep -q "^  sendsecDelegate ) )\$" "$1"' _ "$c/before.ldif"
check "C: sendsec-upgrade.ldif holds the definitions of sendsec.ldif" sh -c '
	test "$(sed -n "/^olcAttributeTypes:/,\$p" "$1" | grep -v "^-\$\|^replace:")" = "$(sed -n "/^olcAttributeTypes:/,\$p" "$2")"' _ \
	"$UPGRADE" "$LDIF"
for from in first before; do
	cdir="$work/c$from" # short: the ldapi socket path has a length limit
	mkdir -p "$cdir/slapd.d" "$cdir/data"
	{
		base_config "$cdir"
		databases "$cdir"
	} >"$cdir/config.ldif"
	check "C/$from: slapadd -n0 of the base config" sh -c '
		slapadd -n0 -F "$1/slapd.d" -l "$1/config.ldif" >"$1/slapadd.log" 2>&1 || { cat "$1/slapadd.log"; exit 1; }' _ "$cdir"
	if ! start_instance "$cdir"; then
		not_ok "C/$from: slapd -F starts"
		continue
	fi
	url_c=$url
	check "C/$from: the earlier schema loads" sh -c 'ldapadd -Q -Y EXTERNAL -H "$1" -f "$2" >/dev/null' _ "$url_c" "$c/$from.ldif"
	# The first schema knows neither sendsecToken nor sendsecDelegate; neither knows sendsecFailure.
	drop='^sendsecFailure:'
	[ "$from" = first ] && drop='^sendsec(Failure|Token|Delegate):'
	check "C/$from: an account with the attributes of its time" sh -c '
		printf "%s\n" "$1" | grep -Ev "$3" | ldapadd -Q -Y EXTERNAL -H "$2" >/dev/null' _ \
		"$(sample_entries)" "$url_c" "$drop"
	dn=$(ldapsearch -Q -Y EXTERNAL -H "$url_c" -LLL -b cn=schema,cn=config "(cn=*sendsec)" dn | sed -n 's/^dn: //p')
	check "C/$from: sendsec-upgrade.ldif applies to $dn" sh -c '
		sed "s/^dn: cn={N}sendsec,cn=schema,cn=config\$/dn: $3/" "$2" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null' _ \
		"$url_c" "$UPGRADE" "$dn"
	check "C/$from: publishes the same sendsec definitions as sendsec.schema" \
		test "$(published -Q -Y EXTERNAL -H "$url_c")" = "$reference"
	check "C/$from: the account keeps its values and takes sendsecFailure values" sh -c '
		printf "%s\n" "dn: uid=alice,dc=example,dc=test" "changetype: modify" "add: sendsecFailure" \
		"sendsecFailure: 20240101000200.123456Z 192.0.2.0/24 9f86d081" | ldapmodify -Q -Y EXTERNAL -H "$1" >/dev/null &&
		test "$(ldapsearch -Q -Y EXTERNAL -H "$1" -LLL -b uid=alice,dc=example,dc=test -s base sendsecFailureTime sendsecFailure sendsecKeyId |
			grep -c "^sendsec")" = 4' _ "$url_c"
done

tap_done
