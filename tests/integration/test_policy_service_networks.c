/* test_policy_service_networks.c — allow_networks in a [service NAME] section: IPv4, IPv6 and
 * IPv4-mapped IPv6 clients inside the list log in, clients outside it (and a client whose address
 * is unknown or unparsable) are refused with reason network, even with the right password; a
 * service without a list accepts any client, including an unknown one.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

struct net_case {
	const char *rhost;
	bool allowed;
};

int main(int argc, char **argv)
{
	static const struct net_case smtp[] = {
			{"192.0.2.7", true},
			{"192.0.2.255", true},
			{"192.0.3.1", false},
			{"198.51.100.7", false},
			{"2001:db8::5", true},
			{"2001:db8:ffff::1", true},
			{"2001:db9::5", false},
			{"::1", false},
			{"::ffff:192.0.2.7", true},
			{"::ffff:198.51.100.7", false},
			{NULL, false},
			{"", false},
			{"not-an-address", false},
			{"192.0.2.7/24", false},
	};
	static const char *const anywhere[] = {NULL, "198.51.100.7", "2001:db9::5", "::ffff:203.0.113.1"};
	char what[160];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx =
			itest_ctx(ITEST_PASSWORD_ONLY "[service smtp]\nallow_networks 192.0.2.0/24 2001:db8::/32\n"
						      "[service imap]\nallow_networks 127.0.0.0/8\n");

	(void)argc;
	for (size_t i = 0; i < sizeof(smtp) / sizeof(smtp[0]); i++) {
		const char *r = smtp[i].rhost != NULL ? smtp[i].rhost : "(unknown)";

		snprintf(what, sizeof(what), "smtp list, client %s: %s", r, smtp[i].allowed ? "allowed" : "refused");
		itest_login(ctx, "smtp", "alice", itest_pw("alice"), smtp[i].rhost, &out);
		if (smtp[i].allowed)
			EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		else
			EXPECT(what, &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
		snprintf(what, sizeof(what), "smtp list, account check from %s", r);
		CHECK(sendsec_account_check(ctx, "smtp", "alice", smtp[i].rhost, &out) ==
				(smtp[i].allowed ? SENDSEC_OK : SENDSEC_DENIED));
		if (smtp[i].allowed)
			EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		else
			EXPECT(what, &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	}

	itest_login(ctx, "smtp", "alice", itest_pw("bob"), "198.51.100.7", &out);
	EXPECT("smtp list: a wrong password from outside is refused for the network", &out, SENDSEC_DENIED,
			SENDSEC_REASON_NETWORK);
	itest_login(ctx, "smtp", "alice", itest_pw("bob"), "192.0.2.7", &out);
	EXPECT("smtp list: a wrong password from inside is a bad password", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	itest_login(ctx, "imap", "alice", itest_pw("alice"), "192.0.2.7", &out);
	EXPECT("the smtp list does not apply to imap (its own list)", &out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	itest_login(ctx, "imap", "alice", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("imap list: loopback allowed", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	for (size_t i = 0; i < sizeof(anywhere) / sizeof(anywhere[0]); i++) {
		snprintf(what, sizeof(what), "sshd (no list), client %s: allowed",
				anywhere[i] != NULL ? anywhere[i] : "(unknown)");
		itest_login(ctx, "sshd", "alice", itest_pw("alice"), anywhere[i], &out);
		EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	}
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
