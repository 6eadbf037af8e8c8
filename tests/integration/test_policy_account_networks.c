/* test_policy_account_networks.c — sendsecAllowedNetwork on an account (added by ldapmodify):
 * IPv4, IPv6 and IPv4-mapped clients inside it log in, others and an unknown client address are
 * refused with reason network; an account without the attribute accepts any client; a service
 * list and an account list must both allow the client; an unreadable value fails closed.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

struct net_case {
	const char *rhost;
	bool allowed;
};

static void set_networks(const char *user, const char *values)
{
	char ldif[1024];

	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nreplace: sendsecAllowedNetwork\n%s",
			itest_user_dn(user), values);
	CHECK(itest_ldapmodify(ldif) == 0);
}

int main(int argc, char **argv)
{
	static const struct net_case bob[] = {
			{"203.0.113.9", true},
			{"203.0.113.0", true},
			{"203.0.114.9", false},
			{"198.51.100.1", false},
			{"2001:db8:1::1", true},
			{"2001:db8:1:ffff::1", true},
			{"2001:db8:2::1", false},
			{"::ffff:203.0.113.9", true},
			{"::ffff:198.51.100.1", false},
			{NULL, false},
			{"garbage", false},
	};
	char what[160];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "[service smtp]\nallow_networks 203.0.113.0/25\n");

	(void)argc;
	EXPECT_LOGIN("bob before any account list: allowed from anywhere", ctx, "sshd", "bob", itest_pw("bob"),
			"198.51.100.1", SENDSEC_OK, SENDSEC_REASON_NONE);

	set_networks("bob", "sendsecAllowedNetwork: 203.0.113.0/24\nsendsecAllowedNetwork: 2001:db8:1::/48\n");
	for (size_t i = 0; i < sizeof(bob) / sizeof(bob[0]); i++) {
		const char *r = bob[i].rhost != NULL ? bob[i].rhost : "(unknown)";

		snprintf(what, sizeof(what), "bob's list, client %s: %s", r, bob[i].allowed ? "allowed" : "refused");
		itest_login(ctx, "sshd", "bob", itest_pw("bob"), bob[i].rhost, &out);
		if (bob[i].allowed)
			EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		else
			EXPECT(what, &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
		snprintf(what, sizeof(what), "bob's list, account check from %s", r);
		CHECK(sendsec_account_check(ctx, "sshd", "bob", bob[i].rhost, &out) ==
				(bob[i].allowed ? SENDSEC_OK : SENDSEC_DENIED));
		if (bob[i].allowed)
			EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		else
			EXPECT(what, &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	}
	EXPECT_LOGIN("alice (no list) with an unknown client address: allowed", ctx, "sshd", "alice", itest_pw("alice"),
			NULL, SENDSEC_OK, SENDSEC_REASON_NONE);
	EXPECT_LOGIN("alice (no list) from anywhere: allowed", ctx, "sshd", "alice", itest_pw("alice"), "198.51.100.1",
			SENDSEC_OK, SENDSEC_REASON_NONE);

	/* Both lists apply: smtp allows 203.0.113.0/25, bob 203.0.113.0/24. */
	EXPECT_LOGIN("service and account list both allow: allowed", ctx, "smtp", "bob", itest_pw("bob"), "203.0.113.9",
			SENDSEC_OK, SENDSEC_REASON_NONE);
	EXPECT_LOGIN("account list allows, service list does not: refused", ctx, "smtp", "bob", itest_pw("bob"),
			"203.0.113.200", SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	EXPECT_LOGIN("no account list, service list does not allow: refused", ctx, "smtp", "alice", itest_pw("alice"),
			"203.0.113.200", SENDSEC_DENIED, SENDSEC_REASON_NETWORK);

	/* A value the engine cannot read: fail closed, even for an address another value allows. */
	set_networks("bob", "sendsecAllowedNetwork: 203.0.113.0/24\nsendsecAllowedNetwork: 10.0.0.0/33\n");
	EXPECT_LOGIN("unreadable sendsecAllowedNetwork value: refused", ctx, "sshd", "bob", itest_pw("bob"),
			"203.0.113.9", SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
