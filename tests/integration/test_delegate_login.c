/* test_delegate_login.c — shared accounts reached with personal credentials (DESIGN.md section 4)
 * through the engine against the fixture slapd with ppolicy: bob, a delegate of the shared account
 * newsletter (which has no usable password), authenticates with his own password (and his TOTP
 * code, appended as over SASL) and the authzid newsletter; the outcome reports newsletter and the
 * audit line names both. Refused: a person who is not a delegate, a removed delegate, an authzid
 * naming no account, the shared account disabled, locked by ppolicy or refusing the client's
 * network, the person's own wrong password, networks or lockout, an API key with an authzid.
 * Delegates are matched by the directory as DNs (another spelling works), a delegation to a DN
 * that does not exist lets nobody in, and an authzid naming the person's own account delegates
 * nothing. Usage (under with-slapd.sh, SENDSEC_TEST_PPOLICY=1): test_delegate_login PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit.h"
#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF                                                                                                           \
	"methods password password+totp apikey\nlockout_threshold 3\nrehash no\nargon2_opslimit 3\n"                   \
	"argon2_memlimit 4096\n"

static const char *sendsecctl;
static char *conf;
static struct itest_clock clk;

static int ctl(const char *a1, const char *a2, const char *a3, const char *a4, char *out, size_t outlen)
{
	const char *argv[] = {sendsecctl, "--config", conf, a1, a2, a3, a4, NULL};
	char scratch[2048];

	return itest_run(argv, NULL, out != NULL ? out : scratch, out != NULL ? outlen : sizeof(scratch));
}

/* One SASL-style login (no prompt) of user with password (+ appended code) acting as authzid. */
static enum sendsec_result as(struct sendsec_ctx *ctx, const char *user, const char *password, const char *authzid,
		const char *rhost, struct sendsec_outcome *out)
{
	struct sendsec_request req = {
			.service = "smtp", .user = user, .password = password, .rhost = rhost, .authzid = authzid};

	return sendsec_authenticate(ctx, &req, out);
}

static const char *audit_line(const struct sendsec_outcome *out, const char *user, const char *rhost)
{
	static char line[512];

	sendsec_audit_format(line, sizeof(line), "smtp", user, rhost, out);
	return line;
}

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct sendsec_outcome out;
	char text[2048], key[256], b32[64], code[16], pw[256], ldif[1024], stamp[32];
	const char *ip = "192.0.2.5";
	int n_failures;

	sendsecctl = totp_test_start(argc, argv, "with-slapd.sh");
	conf = strdup(itest_write_conf(true, CONF));
	ctx = itest_ctx_from(conf);
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	clk.now = time(NULL);
	/* The shared account: no password at all. */
	CHECK(itest_ldapmodify("dn: uid=newsletter,ou=people,dc=example,dc=test\nchangetype: add\n"
			       "objectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: sendsecAccount\n"
			       "uid: newsletter\ncn: Newsletter\nsn: Shared\nmail: newsletter@example.test\n"
			       "uidNumber: 20100\ngidNumber: 20100\nhomeDirectory: /nonexistent\n") == 0);

	/* Before any delegation. */
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("bob is not (yet) a delegate of newsletter", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
	CHECK_STR(audit_line(&out, "bob", ip),
			"sendsec: service=smtp user=bob rhost=192.0.2.5 method=password authz=newsletter "
			"result=failure "
			"reason=not_delegate");

	/* sendsecctl delegate add / list. */
	CHECK_EQ_INT(ctl("delegate", "add", "newsletter", "bob", NULL, 0), 0);
	CHECK_EQ_INT(ctl("delegate", "add", "newsletter", "bob", NULL, 0), 1);        /* already */
	CHECK_EQ_INT(ctl("delegate", "add", "newsletter", "newsletter", NULL, 0), 1); /* itself */
	CHECK_EQ_INT(ctl("delegate", "add", "newsletter", "nosuch", NULL, 0), 1);
	CHECK_EQ_INT(ctl("delegate", "add", "nosuch", "bob", NULL, 0), 1);
	CHECK_EQ_INT(ctl("delegate", "list", "newsletter", NULL, text, sizeof(text)), 0);
	CHECK_STR(text, "PERSON\tDN\nbob\tuid=bob,ou=people,dc=example,dc=test\n");

	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("bob, a delegate, with his own password", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "newsletter");
	CHECK_STR(out.authcid, "bob");
	CHECK_STR(audit_line(&out, "bob", ip),
			"sendsec: service=smtp user=bob rhost=192.0.2.5 method=password authz=newsletter "
			"result=success");
	/* An entry below the shared account that names bob too changes nothing: only the shared
	 * entry's own sendsecDelegate counts (it used to make the check match two entries). */
	CHECK(itest_ldapmodify("dn: cn=child,uid=newsletter,ou=people,dc=example,dc=test\nchangetype: add\n"
			       "objectClass: applicationProcess\nobjectClass: sendsecAccount\ncn: child\n"
			       "sendsecDelegate: uid=bob,ou=people,dc=example,dc=test\n") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("bob, with an entry below newsletter naming him too", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	as(ctx, "alice", itest_pw("alice"), "child", ip, &out);
	EXPECT("the child entry is no account", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
	CHECK(itest_ldapmodify("dn: cn=child,uid=newsletter,ou=people,dc=example,dc=test\nchangetype: delete\n") == 0);
	as(ctx, "bob", "bob-Passw0rd?", "newsletter", ip, &out);
	EXPECT("bob's wrong password", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	as(ctx, "carol", itest_pw("carol"), "newsletter", ip, &out);
	EXPECT("carol is not a delegate", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
	as(ctx, "bob", itest_pw("bob"), "nosuchaccount", ip, &out);
	EXPECT("an authzid that names no account", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
	as(ctx, "bob", itest_pw("bob"), "bob", ip, &out);
	EXPECT("an authzid naming bob himself", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "bob");
	CHECK_STR(out.authz, "");
	as(ctx, "bob", itest_pw("bob"), "BOB", ip, &out); /* the same account, spelt otherwise */
	EXPECT("an authzid naming bob himself in capitals", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "bob");
	as(ctx, "newsletter", itest_pw("newsletter"), NULL, ip, &out);
	EXPECT("nobody logs in as newsletter directly", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	/* The shared account's own state. */
	CHECK(itest_set_attr("newsletter", "sendsecDisabled", "TRUE") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("newsletter disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	CHECK(itest_set_attr("newsletter", "sendsecDisabled", NULL) == 0);
	CHECK(itest_set_attr("newsletter", "pwdAccountLockedTime", "000001010000Z") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("newsletter locked by ppolicy", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	/* A lock after failed binds ends as its policy says (cn=lockout: 600 s), for the shared
	 * account as for a login. */
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%SZ", gmtime(&(time_t){time(NULL) - 60}));
	CHECK(itest_set_attr("newsletter", "pwdAccountLockedTime", stamp) == 0);
	CHECK(itest_set_attr("newsletter", "pwdPolicySubentry", "cn=lockout,ou=policies,dc=example,dc=test") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("newsletter locked by failed binds a minute ago", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(itest_set_attr("newsletter", "pwdAccountLockedTime", "20240101000000Z") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("newsletter's lock after failed binds is over", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(itest_set_attr("newsletter", "pwdPolicySubentry", NULL) == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("the same lock, no policy known: held until unlocked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(itest_set_attr("newsletter", "pwdAccountLockedTime", NULL) == 0);
	CHECK(itest_set_attr("newsletter", "sendsecAllowedNetwork", "198.51.100.0/24") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("newsletter's networks refuse 192.0.2.5", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	as(ctx, "bob", itest_pw("bob"), "newsletter", "198.51.100.20", &out);
	EXPECT("newsletter's networks allow 198.51.100.20", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(itest_ldapmodify("dn: uid=newsletter,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "delete: sendsecAllowedNetwork\n") == 0);

	/* The person's own policy: networks and lockout (failures counted on bob, not newsletter). */
	CHECK(itest_ldapmodify("dn: uid=bob,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "add: sendsecAllowedNetwork\nsendsecAllowedNetwork: 203.0.113.0/24\n") == 0);
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("bob's own networks refuse 192.0.2.5", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	CHECK(itest_ldapmodify("dn: uid=bob,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "delete: sendsecAllowedNetwork\n") == 0);
	n_failures = itest_count_values(itest_user_dn("newsletter"), "sendsecFailure");
	for (int i = 0; i < 3; i++) {
		char wrong[32];

		snprintf(wrong, sizeof(wrong), "bob-Passw0rd?%d", i); /* the same wrong one again counts once */
		as(ctx, "bob", wrong, "newsletter", ip, &out);
	}
	as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
	EXPECT("bob locked out by his own failures (from this network)", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("newsletter"), "sendsecFailure"), n_failures);
	CHECK_EQ_INT(ctl("unlock", "bob", NULL, NULL, NULL, 0), 0);

	/* With a TOTP token, bob's code is appended as SASL sends it. */
	{
		const char *enroll[] = {sendsecctl, "--config", conf, "totp", "enroll", "bob", "--no-qr", NULL};
		const char *s;

		CHECK_EQ_INT(itest_run(enroll, NULL, text, sizeof(text)), 0);
		s = strstr(text, "secret=");
		snprintf(b32, sizeof(b32), "%.32s", s != NULL ? s + 7 : "");
		totp_code(b32, false, "SHA1", 6, clk.now, code);
		as(ctx, "bob", itest_pw("bob"), "newsletter", ip, &out);
		/* Appended: the last six characters are taken as the code, so the password is wrong. */
		EXPECT("bob, enrolled, without his code", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
		snprintf(pw, sizeof(pw), "%s%s", itest_pw("bob"), code);
		as(ctx, "bob", pw, "newsletter", ip, &out);
		EXPECT("bob with his code appended acts as newsletter", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		CHECK_STR(out.account, "newsletter");
		CHECK(strstr(audit_line(&out, "bob", ip), " user=bob ") != NULL &&
				strstr(audit_line(&out, "bob", ip), " authz=newsletter result=success") != NULL &&
				strstr(audit_line(&out, "bob", ip), " token=") != NULL);
	}

	/* An API key acts as its own account only. */
	{
		const char *create[] = {sendsecctl, "--config", conf, "key", "create", "bob", "--scope", "smtp", NULL};

		CHECK_EQ_INT(itest_run(create, NULL, key, sizeof(key)), 0);
		key[strcspn(key, "\n")] = '\0';
		as(ctx, "apikey", key, "newsletter", ip, &out);
		EXPECT("bob's API key with the authzid newsletter", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
		as(ctx, "apikey", key, "bob", ip, &out);
		EXPECT("bob's API key with the authzid bob", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		as(ctx, "apikey", key, "apikey", ip, &out); /* clients that repeat the user name */
		EXPECT("bob's API key with the authzid apikey", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		CHECK_STR(out.account, "bob");
		sodium_memzero(key, sizeof(key));
	}

	/* DNs are matched by the directory: another spelling of bob's DN works; a delegation to a DN
	 * that does not exist lets nobody in; a removed delegate is refused. */
	CHECK_EQ_INT(ctl("delegate", "remove", "newsletter", "bob", NULL, 0), 0);
	CHECK_EQ_INT(ctl("delegate", "remove", "newsletter", "bob", NULL, 0), 1);
	clk.now += 30;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	snprintf(pw, sizeof(pw), "%s%s", itest_pw("bob"), code);
	as(ctx, "bob", pw, "newsletter", ip, &out);
	EXPECT("bob, removed as a delegate", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);
	snprintf(ldif, sizeof(ldif),
			"dn: uid=newsletter,ou=people,dc=example,dc=test\nchangetype: modify\nadd: sendsecDelegate\n"
			"sendsecDelegate: uid=ghost,ou=people,dc=example,dc=test\nsendsecDelegate: UID=Bob, "
			"OU=People, DC=example, DC=test\n");
	CHECK(itest_ldapmodify(ldif) == 0);
	clk.now += 30;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	snprintf(pw, sizeof(pw), "%s%s", itest_pw("bob"), code);
	as(ctx, "bob", pw, "newsletter", ip, &out);
	EXPECT("bob, listed as UID=Bob, OU=People, DC=example, DC=test", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	as(ctx, "carol", itest_pw("carol"), "newsletter", ip, &out);
	EXPECT("carol, beside a delegation to a DN that does not exist", &out, SENDSEC_DENIED,
			SENDSEC_REASON_NOT_DELEGATE);
	CHECK_EQ_INT(ctl("delegate", "list", "newsletter", NULL, text, sizeof(text)), 0);
	CHECK(strstr(text, "(no such entry)\tuid=ghost,ou=people,dc=example,dc=test\n") != NULL);
	CHECK(strstr(text, "\nbob\tuid=Bob,ou=People,dc=example,dc=test\n") != NULL); /* as slapd keeps it */
	CHECK_EQ_INT(ctl("delegate", "remove", "newsletter", "uid=ghost,ou=people,dc=example,dc=test", NULL, 0), 0);
	CHECK_EQ_INT(ctl("delegate", "remove", "newsletter", "bob", NULL, 0), 0); /* matched as a DN */
	CHECK_EQ_INT(itest_count_values(itest_user_dn("newsletter"), "sendsecDelegate"), 0);

	/* A shared account whose DN has characters a filter or a DN must escape (a comma, a plus, a
	 * backslash, parentheses and an asterisk in its RDN value): the check filters on that DN. */
	CHECK(itest_ldapmodify("dn: cn=Team\\, Sales \\+ Ops (\\\\*),ou=people,dc=example,dc=test\n"
			       "changetype: add\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: "
			       "sendsecAccount\n"
			       "uid: team\ncn: Team, Sales + Ops (\\*)\nsn: Shared\nuidNumber: 20101\ngidNumber: "
			       "20101\nhomeDirectory: /nonexistent\n") == 0);
	CHECK_EQ_INT(ctl("delegate", "add", "team", "bob", NULL, 0), 0);
	clk.now += 30;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	snprintf(pw, sizeof(pw), "%s%s", itest_pw("bob"), code);
	as(ctx, "bob", pw, "team", ip, &out);
	EXPECT("bob, a delegate of team (cn=Team\\, Sales \\+ Ops (\\\\*))", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "team");
	as(ctx, "carol", itest_pw("carol"), "team", ip, &out);
	EXPECT("carol is not a delegate of team", &out, SENDSEC_DENIED, SENDSEC_REASON_NOT_DELEGATE);

	sodium_memzero(code, sizeof(code));
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(text, sizeof(text));
	sendsec_ctx_free(ctx);
	free(conf);
	return check_report(argv[0]);
}
