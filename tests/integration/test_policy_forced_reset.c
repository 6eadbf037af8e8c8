/* test_policy_forced_reset.c — a forced password change: erin (sendsecResetRequired TRUE) gets
 * CHANGE_REQUIRED from authenticate (right password only; a wrong one is still a plain no) and
 * from the account check; password_reset_before in the future makes alice (no
 * sendsecPasswordChanged) change hers; a date in the past with sendsecPasswordChanged after it
 * lets her in, one before it does not. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

static void set_changed(const char *user, const char *stamp)
{
	char ldif[512];

	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: modify\nreplace: sendsecPasswordChanged\nsendsecPasswordChanged: %s\n",
			itest_user_dn(user), stamp);
	CHECK(itest_ldapmodify(ldif) == 0);
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx =
			itest_ctx(ITEST_PASSWORD_ONLY "[service future]\npassword_reset_before 2099-01-01T00:00:00Z\n"
						      "[service past]\npassword_reset_before 2020-06-01T12:00:00Z\n");

	(void)argc;
	itest_login(ctx, "sshd", "erin", itest_pw("erin"), NULL, &out);
	EXPECT("erin, right password: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	CHECK(sendsec_account_check(ctx, "sshd", "erin", NULL, &out) == SENDSEC_CHANGE_REQUIRED);
	EXPECT("erin, account check: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	itest_login(ctx, "sshd", "erin", itest_pw("wrong"), NULL, &out);
	EXPECT("erin, wrong password: DENIED, no hint about the reset", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);

	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("alice without a reset date: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "future", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("reset date in the future, alice never changed: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	CHECK(sendsec_account_check(ctx, "future", "alice", NULL, &out) == SENDSEC_CHANGE_REQUIRED);
	EXPECT("reset date in the future: account check CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	itest_login(ctx, "future", "alice", itest_pw("wrong"), NULL, &out);
	EXPECT("reset date in the future, wrong password: DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	itest_login(ctx, "past", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("reset date in the past, alice never changed: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	set_changed("alice", "20230101000000Z");
	itest_login(ctx, "past", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("reset date in the past, changed after it: OK", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(sendsec_account_check(ctx, "past", "alice", NULL, &out) == SENDSEC_OK);
	itest_login(ctx, "future", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("changed in 2023, reset date 2099: still CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	set_changed("alice", "20200601115959Z");
	itest_login(ctx, "past", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("changed one second before the reset date: CHANGE_REQUIRED", &out, SENDSEC_CHANGE_REQUIRED,
			SENDSEC_REASON_RESET_REQUIRED);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
