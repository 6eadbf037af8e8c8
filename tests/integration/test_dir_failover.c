/* test_dir_failover.c — the uri list is tried in order: a dead first URI (connection refused) is
 * skipped and logins work through the next one; when every URI is dead the answer is
 * UNAVAILABLE, quickly (well within timeout 2), never a success or a plain "no".
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	char uris[512];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;
	int dead = itest_dead_port(), dead2 = itest_dead_port();
	double t0, took;

	(void)argc;
	/* Dead port first, then the fixture. */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%d %s", dead, itest_env("URI"));
	ctx = itest_ctx_from(itest_write_conf_uris(uris, ITEST_PASSWORD_ONLY));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("dead first uri: alice logs in through the second", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "carol", itest_pw("bob"), NULL, &out);
	EXPECT("dead first uri: a wrong password is still a plain no", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	itest_login(ctx, "sshd", "nosuchuser", itest_pw("alice"), NULL, &out);
	EXPECT("dead first uri: an unknown user is still unknown", &out, SENDSEC_UNKNOWN_USER,
			SENDSEC_REASON_UNKNOWN_USER);
	sendsec_ctx_free(ctx);

	/* The fixture first, then a dead one: the dead one is never needed. */
	snprintf(uris, sizeof(uris), "%s ldap://127.0.0.1:%d", itest_env("URI"), dead);
	ctx = itest_ctx_from(itest_write_conf_uris(uris, ITEST_PASSWORD_ONLY));
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("live first uri: bob logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);

	/* Every URI dead (two refused ports, and port 1). */
	snprintf(uris, sizeof(uris), "ldap://127.0.0.1:%d ldap://127.0.0.1:%d ldap://127.0.0.1:1", dead, dead2);
	ctx = itest_ctx_from(itest_write_conf_uris(uris, ITEST_PASSWORD_ONLY));
	t0 = itest_seconds();
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	took = itest_seconds() - t0;
	EXPECT("all uris dead: the right password is UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	printf("# all uris dead: answered in %.3f s\n", took);
	CHECK(took < 2.0);
	itest_login(ctx, "sshd", "nosuchuser", itest_pw("alice"), NULL, &out);
	EXPECT("all uris dead: an unknown name is UNAVAILABLE, not UNKNOWN_USER", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
