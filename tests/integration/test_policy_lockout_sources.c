/* test_policy_lockout_sources.c — lockout cannot shut a person out (DESIGN.md section 11): with
 * lockout_threshold 3 and lockout_account_threshold 8, three failures from one IPv4 /24 lock that
 * network (reason source_locked, also for an IPv4-mapped client of it) while the right password
 * works from another one; three from one IPv6 /56 lock that /56 only; three without an address lock
 * the source "-" only; a success clears the failures of its own source and no other; one failure
 * from each of 8 networks locks the account for a ninth network and for "-" (reason locked); the
 * values are written as "<time> <source> <tag>"; sendsec_admin_unlock clears every source.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "check.h"
#include "itest.h"
#include "lockout_itest.h"

#define EXTRA ITEST_PASSWORD_ONLY "lockout_threshold 3\nlockout_account_threshold 8\n"

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(EXTRA);
	struct sendsec_outcome out;
	const char *alice = itest_user_dn("alice"), *bob = itest_user_dn("bob"), *carol = itest_user_dn("carol");
	static const char *const clients[] = {"203.0.113.5", "203.0.113.6", "203.0.113.250"};
	static const char *const v6[] = {"2001:db8:1:1ff::1", "2001:db8:1:100::2", "2001:db8:1:1aa:5::3"};
	static const char *const nets[] = {"192.0.2.1", "198.51.100.1", "203.0.113.1", "192.0.3.1", "192.0.4.1",
			"2001:db8:a::1", "2001:db8:b::1", "2001:db8:c::1"};
	char vals[4096];
	int w = 0;

	(void)argc;
	CHECK_EQ_INT(litest_set_password("alice"), 0);
	/* IPv4: three clients of 203.0.113.0/24. */
	for (int i = 0; i < 3; i++) {
		EXPECT_LOGIN("a wrong password from 203.0.113.0/24", ctx, "sshd", "alice", litest_wrong(w++),
				clients[i], SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	}
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 3);
	CHECK_EQ_INT(litest_values(alice, "sendsecFailure", vals, sizeof(vals)), 3);
	CHECK_EQ_INT(strlen(vals), 3 * (22 + 1 + 14 + 1 + 8 + 1)); /* "<time> 203.0.113.0/24 <tag>\n" */
	EXPECT_LOGIN("the right password from that /24 is refused", ctx, "sshd", "alice", itest_pw("alice"),
			"203.0.113.77", SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	EXPECT_LOGIN("and from an IPv4-mapped address in it", ctx, "sshd", "alice", itest_pw("alice"),
			"::ffff:203.0.113.78", SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 3); /* refusals add nothing */
	EXPECT_LOGIN("the next /24 logs in", ctx, "sshd", "alice", itest_pw("alice"), "203.0.114.1", SENDSEC_OK,
			SENDSEC_REASON_NONE);
	EXPECT_LOGIN("a login without an address (source -) logs in", ctx, "sshd", "alice", itest_pw("alice"), NULL,
			SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(litest_count_source(alice, "203.0.113.0/24"), 3); /* other sources' successes clear nothing */
	EXPECT_LOGIN("still locked after the others' successes", ctx, "sshd", "alice", itest_pw("alice"), "203.0.113.5",
			SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);

	/* IPv6: three clients of 2001:db8:1:100::/56. */
	for (int i = 0; i < 3; i++) {
		EXPECT_LOGIN("a wrong password from 2001:db8:1:100::/56", ctx, "sshd", "bob", litest_wrong(w++), v6[i],
				SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	}
	CHECK_EQ_INT(litest_count_source(bob, "2001:db8:1:100::/56"), 3);
	EXPECT_LOGIN("the right password from that /56 is refused", ctx, "sshd", "bob", itest_pw("bob"),
			"2001:db8:1:180::4", SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	EXPECT_LOGIN("the next /56 logs in", ctx, "sshd", "bob", itest_pw("bob"), "2001:db8:1:200::1", SENDSEC_OK,
			SENDSEC_REASON_NONE);
	EXPECT_LOGIN("bob from alice's locked /24 logs in: sources are per account", ctx, "sshd", "bob",
			itest_pw("bob"), "203.0.113.5", SENDSEC_OK, SENDSEC_REASON_NONE);

	/* No address: the source "-". A success clears its own source only. */
	for (int i = 0; i < 3; i++)
		itest_login(ctx, "sshd", "carol", litest_wrong(w++), NULL, &out);
	EXPECT_LOGIN("three failures without an address lock the source -", ctx, "sshd", "carol", itest_pw("carol"),
			NULL, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	for (int i = 0; i < 2; i++)
		itest_login(ctx, "sshd", "carol", litest_wrong(w++), "192.0.2.9", &out);
	CHECK_EQ_INT(litest_count_source(carol, "-"), 3);
	CHECK_EQ_INT(litest_count_source(carol, "192.0.2.0/24"), 2);
	EXPECT_LOGIN("192.0.2.0/24 (two failures) logs in", ctx, "sshd", "carol", itest_pw("carol"), "192.0.2.10",
			SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(litest_count_source(carol, "192.0.2.0/24"), 0); /* its own failures cleared */
	CHECK_EQ_INT(litest_count_source(carol, "-"), 3);            /* the others' kept */

	/* The account threshold, 8, from 8 networks: one failure each. */
	CHECK(sendsec_admin_unlock(ctx, "sshd", "bob") == SENDSEC_OK);
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		EXPECT_LOGIN("one failure from each of 8 networks", ctx, "sshd", "bob", litest_wrong(w++), nets[i],
				SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	}
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailure"), 8);
	EXPECT_LOGIN("the account is locked for a ninth network", ctx, "sshd", "bob", itest_pw("bob"),
			"2001:db8:ffff::1", SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	EXPECT_LOGIN("and without an address", ctx, "sshd", "bob", itest_pw("bob"), NULL, SENDSEC_DENIED,
			SENDSEC_REASON_LOCKED);

	/* Unlock clears every source. */
	CHECK(sendsec_admin_unlock(ctx, "sshd", "alice") == SENDSEC_OK);
	CHECK(sendsec_admin_unlock(ctx, "sshd", "bob") == SENDSEC_OK);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 0);
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailure"), 0);
	EXPECT_LOGIN("after unlock alice logs in from the /24 that was locked", ctx, "sshd", "alice", itest_pw("alice"),
			"203.0.113.5", SENDSEC_OK, SENDSEC_REASON_NONE);
	EXPECT_LOGIN("after unlock bob logs in", ctx, "sshd", "bob", itest_pw("bob"), "2001:db8:ffff::1", SENDSEC_OK,
			SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
