/* test_dir_server_restart.c — one long-lived context (as in a SASL server): a login works, the
 * server stops (logins are UNAVAILABLE, nothing crashes), the server comes back on the same port
 * and the same handle reconnects by itself. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY);

	(void)argc;
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("before the stop: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	CHECK(itest_slapd("stop") == 0);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("server stopped: the right password is UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("server still stopped: UNAVAILABLE again", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "smtp", "nosuchuser", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("server stopped: an unknown name is UNAVAILABLE", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);

	CHECK(itest_slapd("restart") == 0);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), "127.0.0.1", &out);
	EXPECT("after the restart: the same handle logs alice in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "alice", itest_pw("bob"), "127.0.0.1", &out);
	EXPECT("after the restart: a wrong password is DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	/* A restart between two logins (the connection is dead but the handle does not know yet). */
	CHECK(itest_slapd("restart") == 0);
	itest_login(ctx, "smtp", "bob", itest_pw("bob"), "127.0.0.1", &out);
	EXPECT("restart between logins: the stale connection is replaced transparently", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
