/* test_fleet_provider_order.c — writes follow uri in order (DESIGN.md section 10, issue 12 items 2,
 * 4 and 6). A long-lived host lists p1 then p2 (and reads keys from c1); where a write landed is
 * read from the providers' stats logs (writes on the token entry by sendsec hosts over TCP).
 * - both providers up: TOTP steps are written to p1;
 * - p1 stopped: logins and their writes continue through p2, and so do sendsecctl's admin writes;
 * - p1 restarted: within the retry time the host stays on p2 (documented), after it the writes
 *   return to p1;
 * - p1 hangs (SIGSTOP) under an open connection: the login's reads go to p2 after one timeout,
 *   and the write follows;
 * - a host whose uri names the read-only consumer: the step write is answered with a referral,
 *   which is not followed; the login is UNAVAILABLE, the code stays unused (p1 never saw a write)
 *   and still works on a host that writes to the providers.
 * Codes from oathtool. Run under tests/fixtures/with-fleet.sh: test_fleet_provider_order SENDSECCTL */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "fleet_itest.h"
#include "itest.h"
#include "totp_itest.h"

#define HOST "methods password+totp apikey\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"

static struct itest_clock clk;
static char b32[64];

/* One login of alice on the long-lived context at its clock, with the code of time t (a step
 * within the token's window of one step). */
static enum sendsec_result login_at(struct sendsec_ctx *ctx, time_t t, struct sendsec_outcome *out)
{
	char code[16];
	enum sendsec_result rc;

	totp_code(b32, false, "SHA1", 6, t, code);
	rc = totp_login(ctx, "alice", itest_pw("alice"), code, false, out);
	sodium_memzero(code, sizeof(code));
	return rc;
}

/* Writes on dn_part at p1 and p2 since the marks. */
static void writes_since(long m1, long m2, const char *dn_part, long *w1, long *w2)
{
	*w1 = *w2 = 0;
	if (fleet_provider_ops("p1", m1, dn_part, w1) < 0)
		*w1 = -1;
	if (fleet_provider_ops("p2", m2, dn_part, w2) < 0)
		*w2 = -1;
}

#define EXPECT_WRITES(what, w1, w2, want1, want2)                                                                      \
	do {                                                                                                           \
		printf("%s - %s (p1: %ld, p2: %ld)\n", (w1) == (want1) && (w2) == (want2) ? "ok" : "not ok", what, w1, \
				w2);                                                                                   \
		CHECK((w1) == (want1) && (w2) == (want2));                                                             \
	} while (0)

int main(int argc, char **argv)
{
	char *admin = fleet_conf("p1 p2", NULL, HOST), *host_conf = fleet_conf("p1 p2", "c1", HOST);
	char *wrong = fleet_conf("c1", NULL, HOST);
	struct sendsec_ctx *host;
	struct sendsec_outcome out;
	struct fleet_login req = {.user = "alice"};
	char token_dn[256], bob_token[256], bob_b32[64], step_p1[32], step_after[32], code[16], what[160];
	const char *passwd[] = {argv[1], "--config", admin, "passwd", "carol", NULL};
	long m1, m2, w1, w2;
	double t0, took;
	bool stopped;

	(void)totp_test_start(argc, argv, "with-fleet.sh");
	CHECK(totp_enroll(argv[1], admin, "alice", b32) == 0);
	CHECK(totp_read_attr(itest_user_dn("alice"), "oathTOTPToken", token_dn, sizeof(token_dn)));
	CHECK(totp_enroll(argv[1], admin, "bob", bob_b32) == 0);
	CHECK(totp_read_attr(itest_user_dn("bob"), "oathTOTPToken", bob_token, sizeof(bob_token)));
	host = itest_ctx_from(host_conf);
	clk.now = (time(NULL) / 30) * 30 + 15;
	sendsec_ctx_set_clock(host, itest_clock_now, &clk);

	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	login_at(host, clk.now, &out);
	EXPECT("both providers up: alice logs in with a code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	writes_since(m1, m2, token_dn, &w1, &w2);
	EXPECT_WRITES("the step is written to p1", w1, w2, 1, 0);

	/* p1 stops. */
	CHECK(fleet_sh("stop", "p1") == 0);
	m2 = fleet_log_mark("p2");
	clk.now += 30;
	login_at(host, clk.now, &out);
	EXPECT("p1 stopped: the long-lived host logs in through p2", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	totp_code(bob_b32, false, "SHA1", 6, clk.now, code);
	req.user = "bob";
	req.password = itest_pw("bob");
	req.answer = code;
	req.now = clk.now;
	fleet_host_login(host_conf, &req, &out);
	EXPECT("p1 stopped: a new host process logs bob in through p2", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	fleet_host_login(host_conf, &req, &out);
	EXPECT("p1 stopped: p2 refuses the same code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	writes_since(0, m2, token_dn, &w1, &w2);
	printf("%s - p1 stopped: alice's step was written to p2 (%ld)\n", w2 == 1 ? "ok" : "not ok", w2);
	CHECK_EQ_INT(w2, 1);
	writes_since(0, m2, bob_token, &w1, &w2);
	printf("%s - p1 stopped: bob's step was written to p2 (%ld)\n", w2 == 1 ? "ok" : "not ok", w2);
	CHECK_EQ_INT(w2, 1);
	CHECK(itest_run(passwd, "carol-N3w-Passw0rd!\n", NULL, 0) == 0);
	writes_since(0, m2, "uid=carol", &w1, &w2);
	printf("%s - p1 stopped: sendsecctl passwd writes to p2 (%ld)\n", w2 == 1 ? "ok" : "not ok", w2);
	CHECK_EQ_INT(w2, 1);

	/* p1 comes back and catches up. */
	CHECK(fleet_sh("restart", "p1") == 0);
	CHECK(fleet_read("p2", token_dn, "oathTOTPLastTimeStep", step_p1, sizeof(step_p1)));
	took = fleet_wait("p1", token_dn, "oathTOTPLastTimeStep", step_p1, 10);
	printf("# p1 restarted: it had the steps written to p2 after %.3f s\n", took);
	CHECK(took >= 0);
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	clk.now += 20; /* 20 s after the host moved to p2; the code of the next step is in the window */
	login_at(host, clk.now + 10, &out);
	EXPECT("p1 back, within the retry time: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	writes_since(m1, m2, token_dn, &w1, &w2);
	EXPECT_WRITES("within the retry time the host stays on p2 (documented: 30 s)", w1, w2, 0, 1);
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	clk.now += 31;
	login_at(host, clk.now, &out);
	EXPECT("p1 back, retry time passed: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	writes_since(m1, m2, token_dn, &w1, &w2);
	EXPECT_WRITES("after the retry time the writes return to p1", w1, w2, 1, 0);

	/* p1 hangs under the open connection. */
	stopped = fleet_signal("p1", SIGSTOP);
	CHECK(stopped);
	m2 = fleet_log_mark("p2");
	clk.now += 30;
	t0 = itest_seconds();
	login_at(host, clk.now, &out);
	took = itest_seconds() - t0;
	snprintf(what, sizeof(what), "p1 hangs: the login goes on through p2 after one timeout (%.2f s)", took);
	EXPECT(what, &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(took < 2 * 2 + 1);
	writes_since(0, m2, token_dn, &w1, &w2);
	printf("%s - p1 hangs: the step is written to p2 (%ld)\n", w2 == 1 ? "ok" : "not ok", w2);
	CHECK_EQ_INT(w2, 1);
	if (stopped)
		CHECK(fleet_signal("p1", SIGCONT));

	/* A read-only server in uri: the write gets a referral, which is not followed. */
	clk.now += 30;
	CHECK(fleet_read("p2", token_dn, "oathTOTPLastTimeStep", step_p1, sizeof(step_p1)));
	CHECK(fleet_wait("c1", token_dn, "oathTOTPLastTimeStep", step_p1, 10) >= 0);
	CHECK(fleet_wait("p1", token_dn, "oathTOTPLastTimeStep", step_p1, 10) >= 0);
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	req.user = "alice";
	req.password = itest_pw("alice");
	req.now = clk.now;
	fleet_host_login(wrong, &req, &out);
	EXPECT("uri names the read-only consumer: the step write is refused with a referral: UNAVAILABLE", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(fleet_read("p1", token_dn, "oathTOTPLastTimeStep", step_after, sizeof(step_after)));
	printf("%s - the referral was not followed: p1's step is unchanged\n",
			strcmp(step_after, step_p1) == 0 ? "ok" : "not ok");
	CHECK(strcmp(step_after, step_p1) == 0);
	fleet_host_login(host_conf, &req, &out);
	EXPECT("the code was not used: it works on a host that writes to the providers", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);

	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(bob_b32, sizeof(bob_b32));
	sodium_memzero(code, sizeof(code));
	sendsec_ctx_free(host);
	free(admin);
	free(host_conf);
	free(wrong);
	return check_report(argv[0]);
}
