/* test_policy_lockout_identical.c — the same wrong password tried again from the same source
 * within lockout_interval counts once (DESIGN.md section 11), with lockout_threshold 3 and a
 * settable clock: five tries of one wrong password leave one value and no lock, three different
 * ones lock; the value's tag is exactly the one policy.c documents (BLAKE2b keyed with the digest
 * the verification computed from the password tried, over the source), so reading it costs an
 * argon2 run per guess; the same password from another network is another tag and counts there;
 * after the interval it counts again. Failures that leave no digest count every time: a wrong
 * TOTP step after a right password (no tag is ever made from a right password), bind mode, and
 * an argon2 hash with p=4 that libsodium's raw interface cannot compute. Run under
 * tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "check.h"
#include "hash.h"
#include "itest.h"
#include "lockout_itest.h"
#include "policy.h"

#define EXTRA                                                                                                          \
	ITEST_PASSWORD_ONLY "lockout_threshold 3\nlockout_interval 900\nlockout_duration 600\n"                        \
			    "[service totp]\nmethods password+totp\n"                                                  \
			    "[service bind]\npassword_check bind\n"

/* The tag policy.c documents for password tried from src against name's stored hash. */
static void expected_tag(const char *name, const char *password, const char *src, char tag[SENDSEC_FAILURE_TAG + 1])
{
	char stored[1024];
	struct sendsec_hash_digest d;

	tag[0] = '\0';
	if (litest_values(itest_user_dn(name), "userPassword", stored, sizeof(stored)) != 1)
		return;
	stored[strcspn(stored, "\n")] = '\0';
	if (sendsec_hash_verify_digest(stored, strlen(stored), password, 3, 4096, NULL, NULL, &d) == SENDSEC_DENIED &&
			d.is_set)
		sendsec_failure_tag(d.bytes, src, tag);
}

int main(int argc, char **argv)
{
	struct itest_clock clock = {time(NULL)};
	struct sendsec_ctx *ctx = itest_ctx(EXTRA);
	struct sendsec_outcome out;
	const char *alice = itest_user_dn("alice");
	char vals[4096], tag[SENDSEC_FAILURE_TAG + 1], want[SENDSEC_FAILURE_MAX];

	(void)argc;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock);
	CHECK_EQ_INT(litest_set_password("alice"), 0);

	/* One wrong password, five times, from one network. */
	for (int i = 0; i < 5; i++) {
		EXPECT_LOGIN("the same wrong password again", ctx, "sshd", "alice", litest_wrong(0), "203.0.113.7",
				SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
		clock.now += 10;
	}
	CHECK_EQ_INT(litest_values(alice, "sendsecFailure", vals, sizeof(vals)), 1);
	expected_tag("alice", litest_wrong(0), "203.0.113.0/24", tag);
	CHECK_EQ_INT(strlen(tag), SENDSEC_FAILURE_TAG);
	CHECK(strstr(vals, " 203.0.113.0/24 ") != NULL);
	snprintf(want, sizeof(want), " 203.0.113.0/24 %s\n", tag);
	CHECK(strlen(vals) > strlen(want) && strcmp(vals + strlen(vals) - strlen(want), want) == 0);
	EXPECT_LOGIN("five tries of one wrong password do not lock (threshold 3)", ctx, "sshd", "alice",
			itest_pw("alice"), "203.0.113.7", SENDSEC_OK, SENDSEC_REASON_NONE);

	/* The same password from another network: another tag, counted there. */
	itest_login(ctx, "sshd", "alice", litest_wrong(0), "203.0.113.7", &out);
	itest_login(ctx, "sshd", "alice", litest_wrong(0), "198.51.100.7", &out);
	itest_login(ctx, "sshd", "alice", litest_wrong(0), "198.51.100.8", &out);
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 1);
	CHECK_EQ_INT(litest_count_source(alice, "198.51.100.0/24"), 1);
	CHECK_EQ_INT(litest_values(alice, "sendsecFailure", vals, sizeof(vals)), 2);
	{
		char other[SENDSEC_FAILURE_TAG + 1];

		expected_tag("alice", litest_wrong(0), "198.51.100.0/24", other);
		CHECK(strcmp(tag, other) != 0);
		CHECK(strstr(vals, other) != NULL && strstr(vals, tag) != NULL);
	}

	/* Three different wrong passwords lock the source. */
	itest_login(ctx, "sshd", "alice", litest_wrong(1), "203.0.113.7", &out);
	EXPECT_LOGIN("the third different one is still checked", ctx, "sshd", "alice", litest_wrong(2), "203.0.113.7",
			SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	EXPECT_LOGIN("three different wrong passwords lock the source", ctx, "sshd", "alice", itest_pw("alice"),
			"203.0.113.7", SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	CHECK(sendsec_admin_unlock(ctx, "sshd", "alice") == SENDSEC_OK);

	/* After lockout_interval the same wrong password counts again. */
	itest_login(ctx, "sshd", "alice", litest_wrong(0), "203.0.113.7", &out);
	clock.now += 901;
	itest_login(ctx, "sshd", "alice", litest_wrong(0), "203.0.113.7", &out);
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 2);
	CHECK(sendsec_admin_unlock(ctx, "sshd", "alice") == SENDSEC_OK);

	/* A right password with a wrong (here: no token, totp_unenrolled deny) second factor: no tag. */
	for (int i = 0; i < 3; i++) {
		EXPECT_LOGIN("right password, no code", ctx, "totp", "alice", itest_pw("alice"), "203.0.113.7",
				SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	}
	CHECK_EQ_INT(litest_values(alice, "sendsecFailure", vals, sizeof(vals)), 3);
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 3);
	for (char *line = vals; *line != '\0'; line = strchr(line, '\n') + 1)
		CHECK_EQ_INT(strcspn(line, "\n"), 22 + 1 + 14); /* "<time> 203.0.113.0/24", no tag */
	EXPECT_LOGIN("each wrong second factor counted", ctx, "sshd", "alice", itest_pw("alice"), "203.0.113.7",
			SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);

	/* No digest: bind mode, and an argon2 hash with p=4 (grace). */
	for (int i = 0; i < 3; i++) {
		EXPECT_LOGIN("bind mode: the same wrong password", ctx, "bind", "bob", litest_wrong(0), "203.0.113.7",
				SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
		EXPECT_LOGIN("argon2 p=4: the same wrong password", ctx, "sshd", "grace", litest_wrong(0),
				"203.0.113.7", SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	}
	EXPECT_LOGIN("bind mode: each counted", ctx, "bind", "bob", itest_pw("bob"), "203.0.113.7", SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);
	EXPECT_LOGIN("argon2 p=4: each counted", ctx, "sshd", "grace", itest_pw("grace"), "203.0.113.7", SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
