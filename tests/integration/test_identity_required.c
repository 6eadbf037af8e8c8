/* test_identity_required.c — a login that would succeed but whose account has no user_attr value
 * (the identity reported to PAM and SASL) is unavailable, not a success: for a plain success the
 * engine always held to that, for a success that must change its password first (which PAM's
 * authenticate answers with PAM_SUCCESS) fuzz_engine found it did not, and reported
 * change_required with an empty account. With user_attr roomNumber, which no seeded account has:
 * alice (right password) and erin (right password, sendsecResetRequired TRUE) are both
 * unavailable; a wrong password is still a plain no. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "user_attr roomNumber\n");

	(void)argc;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("alice has no roomNumber: no identity to report, unavailable", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "sshd", "erin", itest_pw("erin"), NULL, &out);
	EXPECT("erin (must change her password) has no roomNumber either: unavailable, not change_required", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK_STR(out.account, "");
	CHECK_RESULT(sendsec_account_check(ctx, "sshd", "erin", NULL, &out), SENDSEC_UNAVAILABLE);
	itest_login(ctx, "sshd", "erin", itest_pw("wrong"), NULL, &out);
	EXPECT("erin, wrong password: a plain no", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
