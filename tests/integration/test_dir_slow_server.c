/* test_dir_slow_server.c — a directory that accepts connections but never answers (slapd stopped
 * with SIGSTOP) makes a login UNAVAILABLE within about the configured timeout (asserted: under
 * three times timeout), both on an established connection and on a new one; after SIGCONT the
 * same context recovers. Run under tests/fixtures/with-slapd.sh. */
#include <signal.h>
#include <stdio.h>

#include "check.h"
#include "itest.h"

#define TIMEOUT 2

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY), *fresh = itest_ctx(ITEST_PASSWORD_ONLY);
	double t0, took;
	bool stopped;

	(void)argc;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("before SIGSTOP: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	stopped = itest_slapd_signal(SIGSTOP);
	CHECK(stopped);
	t0 = itest_seconds();
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	took = itest_seconds() - t0;
	EXPECT("slapd stopped (established connection): UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	printf("# established connection: answered in %.2f s (timeout %d)\n", took, TIMEOUT);
	CHECK(took < TIMEOUT * 3);

	t0 = itest_seconds();
	itest_login(fresh, "sshd", "bob", itest_pw("bob"), NULL, &out);
	took = itest_seconds() - t0;
	EXPECT("slapd stopped (new connection, bind never answered): UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	printf("# new connection: answered in %.2f s (timeout %d)\n", took, TIMEOUT);
	CHECK(took < TIMEOUT * 3);

	/* Always resume slapd, whatever happened above. */
	if (stopped)
		CHECK(itest_slapd_signal(SIGCONT));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("after SIGCONT: the first context recovers", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(fresh, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("after SIGCONT: the second context recovers", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(fresh);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
