/* test_ppolicy_lockout.c — ppolicy's lock after failed binds (pwdAccountLockedTime with a real
 * time) ends as ppolicy says (sendsec.conf(5), lockout_threshold):
 * - password_check bind: slapd's bind decides. Three wrong binds through sendsec make the overlay
 *   lock alice (policy cn=lockout: pwdMaxFailure 3, pwdLockoutDuration 600); her right password is
 *   then refused as a wrong one (slapd answers invalidCredentials, counted like any failed bind),
 *   and once the lock is older than 600 s it works again and slapd removes the attribute;
 * - password_check local: the duration of the account's pwdPolicySubentry policy is honoured with
 *   the engine's clock (600 s: held at 599, over at 600; 0: until unlocked); without a
 *   pwdPolicySubentry the policy ppolicy_default names, and without that (the server's default
 *   policy, unknown here) the lock holds until unlocked;
 *   a lock time or duration sendsec cannot read is unavailable, never a success;
 * - the administrative lock 000001010000Z refuses passwords in both modes before any bind, keys
 *   and the account check;
 * - sendsec_admin_status (sendsecctl status) reports an expired lock as not locked.
 * Run under tests/fixtures/with-slapd.sh with SENDSEC_TEST_PPOLICY=1. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "check.h"
#include "ikey.h"
#include "itest.h"
#include "timeutil.h"

#define LOCKED_AT "20240101000000Z"

/* Points user at the policy cn=NAME,ou=policies (NULL: removes pwdPolicySubentry). */
static int set_policy(const char *user, const char *name)
{
	char dn[512];

	if (name == NULL)
		return itest_set_attr(user, "pwdPolicySubentry", NULL);
	snprintf(dn, sizeof(dn), "cn=%s,ou=policies,%s", name, itest_env("BASE"));
	return itest_set_attr(user, "pwdPolicySubentry", dn);
}

/* Sets pwdLockoutDuration of the policy cn=NAME,ou=policies. */
static int set_duration(const char *name, const char *value)
{
	char ldif[512];

	snprintf(ldif, sizeof(ldif),
			"dn: cn=%s,ou=policies,%s\nchangetype: modify\nreplace: pwdLockoutDuration\n"
			"pwdLockoutDuration: %s\n",
			name, itest_env("BASE"), value);
	return itest_ldapmodify(ldif);
}

static time_t locked_at(void)
{
	time_t t = 0;

	CHECK(sendsec_time_parse_generalized(LOCKED_AT, strlen(LOCKED_AT), &t));
	return t;
}

/* Bind mode: the lock slapd's own overlay writes after sendsec's wrong binds. */
static void test_bind_mode(struct sendsec_ctx *ctx, struct itest_clock *clock)
{
	const char *dn = itest_user_dn("alice");
	int failures;

	clock->now = time(NULL);
	CHECK(set_policy("alice", "lockout") == 0);
	EXPECT_LOGIN("bind mode, alice under cn=lockout, nothing set: OK", ctx, "bindmode", "alice", itest_pw("alice"),
			"192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE);
	for (int i = 0; i < 3; i++)
		EXPECT_LOGIN("bind mode: a wrong password", ctx, "bindmode", "alice", itest_pw("bob"), "192.0.2.7",
				SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(itest_count_values(dn, "pwdAccountLockedTime"), 1); /* ppolicy locked alice */
	failures = itest_count_values(dn, "sendsecFailure");
	CHECK_EQ_INT(failures, 3);
	/* Still locked for slapd: its bind answers invalidCredentials, a refusal sendsec cannot tell
	 * from a wrong password; it counts like one. */
	EXPECT_LOGIN("bind mode, fresh ppolicy lock: right password refused (slapd's bind)", ctx, "bindmode", "alice",
			itest_pw("alice"), "192.0.2.7", SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(itest_count_values(dn, "sendsecFailure"), failures + 1);
	CHECK_EQ_INT(itest_count_values(dn, "pwdAccountLockedTime"), 1);

	/* Locked long ago: over for slapd (600 s), which lets the bind in and removes the lock. */
	CHECK(itest_set_attr("alice", "pwdAccountLockedTime", LOCKED_AT) == 0);
	EXPECT_LOGIN("bind mode, ppolicy lock older than pwdLockoutDuration: OK", ctx, "bindmode", "alice",
			itest_pw("alice"), "192.0.2.7", SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(dn, "pwdAccountLockedTime"), 0); /* slapd cleared it */
	CHECK_EQ_INT(itest_count_values(dn, "pwdFailureTime"), 0);
	CHECK_EQ_INT(itest_count_values(dn, "sendsecFailure"), 0); /* the success cleared the source */

	/* The administrative lock is sendsec's to refuse, before any bind (a bind would say
	 * bad_password): slapd would refuse it too, but never as locked. */
	CHECK(itest_set_attr("alice", "pwdAccountLockedTime", "000001010000Z") == 0);
	EXPECT_LOGIN("bind mode, administrative lock: refused as locked", ctx, "bindmode", "alice", itest_pw("alice"),
			"192.0.2.7", SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(itest_set_attr("alice", "pwdAccountLockedTime", NULL) == 0);
	CHECK(set_policy("alice", NULL) == 0);
}

/* Local mode: sendsec decides, from the policy's pwdLockoutDuration and its own clock. */
static void test_local_mode(struct sendsec_ctx *ctx, struct itest_clock *clock)
{
	time_t t = locked_at();

	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", LOCKED_AT) == 0);
	clock->now = t + 10 * 365 * 86400;
	EXPECT_LOGIN("local mode, no pwdPolicySubentry, lock 10 years old: refused as locked", ctx, "sshd", "bob",
			itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);

	CHECK(set_policy("bob", "lockout") == 0);
	clock->now = t + 599;
	EXPECT_LOGIN("local mode, cn=lockout (600 s), 599 s after the lock: refused as locked", ctx, "sshd", "bob",
			itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	clock->now = t + 600;
	EXPECT_LOGIN("local mode, cn=lockout (600 s), 600 s after the lock: OK", ctx, "sshd", "bob", itest_pw("bob"),
			NULL, SENDSEC_OK, SENDSEC_REASON_NONE);
	EXPECT_LOGIN("local mode, lock over: a wrong password is still bad_password", ctx, "sshd", "bob",
			itest_pw("alice"), NULL, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	clock->now = t - 3600;
	EXPECT_LOGIN("local mode, lock time in the future: refused as locked", ctx, "sshd", "bob", itest_pw("bob"),
			NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);

	CHECK(set_policy("bob", "forever") == 0);
	clock->now = t + 10 * 365 * 86400;
	EXPECT_LOGIN("local mode, cn=forever (pwdLockoutDuration 0), 10 years on: refused as locked", ctx, "sshd",
			"bob", itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);

	CHECK(set_policy("bob", "missing") == 0);
	EXPECT_LOGIN("local mode, pwdPolicySubentry names no entry: refused as locked", ctx, "sshd", "bob",
			itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);

	/* What slapd accepts but sendsec cannot read: unavailable, never OK. */
	CHECK(set_policy("bob", "lockout") == 0);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", "2024010100Z") == 0); /* GeneralizedTime, hours only */
	EXPECT_LOGIN("local mode, lock time without minutes and seconds: unavailable", ctx, "sshd", "bob",
			itest_pw("bob"), NULL, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", LOCKED_AT) == 0);
	CHECK(set_duration("forever", "-5") == 0);
	CHECK(set_policy("bob", "forever") == 0);
	EXPECT_LOGIN("local mode, negative pwdLockoutDuration: unavailable", ctx, "sshd", "bob", itest_pw("bob"), NULL,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(set_duration("forever", "0") == 0);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", NULL) == 0);
	CHECK(set_policy("bob", NULL) == 0);
}

/* Local mode without pwdPolicySubentry: the policy ppolicy_default names (service defpol). */
static void test_default_policy(struct sendsec_ctx *ctx, struct itest_clock *clock)
{
	time_t t = locked_at();

	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", LOCKED_AT) == 0);
	clock->now = t + 599;
	EXPECT_LOGIN("ppolicy_default cn=lockout (600 s), 599 s after the lock: refused as locked", ctx, "defpol",
			"bob", itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	clock->now = t + 600;
	EXPECT_LOGIN("ppolicy_default cn=lockout (600 s), 600 s after the lock: OK", ctx, "defpol", "bob",
			itest_pw("bob"), NULL, SENDSEC_OK, SENDSEC_REASON_NONE);
	EXPECT_LOGIN("no ppolicy_default (service sshd), same time: refused as locked", ctx, "sshd", "bob",
			itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(set_policy("bob", "forever") == 0);
	EXPECT_LOGIN("pwdPolicySubentry cn=forever wins over ppolicy_default: refused as locked", ctx, "defpol", "bob",
			itest_pw("bob"), NULL, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(set_policy("bob", NULL) == 0);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", NULL) == 0);
}

/* The administrative lock, whatever the policy says: passwords, keys and the account check. */
static void test_admin_lock(struct sendsec_ctx *ctx, struct itest_clock *clock)
{
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], id[16];

	clock->now = time(NULL);
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, id) == SENDSEC_OK);
	CHECK(set_policy("bob", "lockout") == 0);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", "000001010000Z") == 0);
	clock->now = time(NULL) + 10 * 365 * 86400;
	EXPECT_LOGIN("administrative lock, local mode: refused as locked", ctx, "sshd", "bob", itest_pw("bob"), NULL,
			SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	EXPECT_LOGIN("administrative lock, bind mode: refused as locked", ctx, "bindmode", "bob", itest_pw("bob"), NULL,
			SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("administrative lock: bob's key refused as locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK_RESULT(sendsec_account_check(ctx, "sshd", "bob", "192.0.2.7", &out), SENDSEC_DENIED);
	EXPECT("administrative lock: account check refused as locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", NULL) == 0);
	CHECK(set_policy("bob", NULL) == 0);
	clock->now = time(NULL);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	EXPECT("unlocked: bob's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sodium_memzero(key, sizeof(key));
}

/* sendsecctl status: an expired lock is not "locked"; a held one says until when. */
static void test_status(struct sendsec_ctx *ctx, struct itest_clock *clock)
{
	struct sendsec_status st;
	time_t t = locked_at();

	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", LOCKED_AT) == 0);
	CHECK(set_policy("bob", "lockout") == 0);
	clock->now = t + 599;
	CHECK_RESULT(sendsec_admin_status(ctx, "sshd", "bob", &st), SENDSEC_OK);
	CHECK(st.locked);
	CHECK_EQ_INT(st.locked_until, t + 600);
	clock->now = t + 600;
	CHECK_RESULT(sendsec_admin_status(ctx, "sshd", "bob", &st), SENDSEC_OK);
	CHECK(!st.locked);
	CHECK(set_policy("bob", NULL) == 0);
	CHECK_RESULT(sendsec_admin_status(ctx, "sshd", "bob", &st), SENDSEC_OK);
	CHECK(st.locked); /* the default policy's duration is unknown: until unlocked */
	CHECK_EQ_INT(st.locked_until, 0);
	CHECK(itest_set_attr("bob", "pwdAccountLockedTime", NULL) == 0);
}

int main(int argc, char **argv)
{
	struct itest_clock clock = {time(NULL)};
	char extra[1024];
	struct sendsec_ctx *ctx;

	(void)argc;
	snprintf(extra, sizeof(extra),
			ITEST_PASSWORD_ONLY "rehash no\nlockout_threshold 10\n"
					    "[service bindmode]\npassword_check bind\n"
					    "[service smtp]\nmethods password apikey\n"
					    "[service defpol]\nppolicy_default cn=lockout,ou=policies,%s\n",
			itest_env("BASE"));
	ctx = itest_ctx(extra);
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock);
	test_bind_mode(ctx, &clock);
	test_local_mode(ctx, &clock);
	test_default_policy(ctx, &clock);
	test_admin_lock(ctx, &clock);
	test_status(ctx, &clock);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
