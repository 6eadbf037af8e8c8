/* test_policy_lockout_expiry.c — with a settable clock: three failures within lockout_interval
 * lock their source (here "-", no address) until lockout_duration after the last of them, then
 * the right password works again and the success removes every sendsecFailure value of the
 * source; failures spread wider than the interval never lock; lockout_threshold and
 * lockout_account_threshold 0 never lock and record nothing. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	struct itest_clock clock = {time(NULL)};
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY
			"lockout_threshold 3\nlockout_interval 900\nlockout_duration "
			"600\n[service nolock]\nlockout_threshold 0\nlockout_account_threshold 0\n");
	const char *alice = itest_user_dn("alice"), *bob = itest_user_dn("bob");
	char wrong[16];
	time_t last;

	(void)argc;
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clock);

	/* Three failures within a minute. */
	for (int i = 0; i < 3; i++) {
		snprintf(wrong, sizeof(wrong), "wrong%d", i);
		itest_login(ctx, "sshd", "alice", itest_pw(wrong), NULL, &out);
		EXPECT("failure recorded", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
		clock.now += 20;
	}
	last = clock.now - 20;
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 3);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("right after the third failure: the source is locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);

	clock.now = last + 599;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("599 s after the last failure (duration 600): still locked", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SOURCE_LOCKED);

	clock.now = last + 601;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("601 s after the last failure: the lock has expired", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(alice, "sendsecFailure"), 0);

	/* Failures 500 s apart: no three of them within 900 s. */
	for (int i = 0; i < 3; i++) {
		snprintf(wrong, sizeof(wrong), "wrong%d", i);
		itest_login(ctx, "sshd", "bob", itest_pw(wrong), NULL, &out);
		EXPECT("spread failure recorded", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
		clock.now += 500;
	}
	clock.now -= 499;
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailure"), 3);
	itest_login(ctx, "sshd", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("three failures spread over 1000 s (interval 900): not locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(bob, "sendsecFailure"), 0);

	/* Both thresholds 0 in a service: failures are not even recorded. */
	for (int i = 0; i < 5; i++) {
		snprintf(wrong, sizeof(wrong), "wrong%d", i);
		itest_login(ctx, "nolock", "carol", itest_pw(wrong), NULL, &out);
	}
	EXPECT("threshold 0: a plain bad password", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("carol"), "sendsecFailure"), 0);
	itest_login(ctx, "nolock", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("threshold 0: never locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
