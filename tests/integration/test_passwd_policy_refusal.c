/* test_passwd_policy_refusal.c — a password change in bind mode that the directory's own policy
 * refuses (slapo-ppolicy with pwdCheckQuality 2 and a pwdMinLength above sendsec's
 * password_min_length) is a "no" with reason password_refused, not a failure to decide: fuzz_engine
 * found it reported as denied with reason unavailable. The refused change leaves the old password
 * in place; a new password the policy accepts is stored. Run under tests/fixtures/with-slapd.sh
 * with SENDSEC_TEST_PPOLICY=1. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx;
	struct sendsec_outcome out;
	char ldif[512];
	const char *refused = "twenty chars, too sh", *accepted = "thirty-two characters, long enough";

	(void)argc;
	ctx = itest_ctx(ITEST_PASSWORD_ONLY "password_check bind\npassword_min_length 8\n");
	snprintf(ldif, sizeof(ldif),
			"dn: cn=default,ou=policies,%s\nchangetype: modify\nreplace: pwdCheckQuality\npwdCheckQuality: "
			"2\n-\nreplace: pwdMinLength\npwdMinLength: 30\n",
			itest_env("BASE"));
	CHECK_EQ_INT(itest_ldapmodify(ldif), 0);

	CHECK_RESULT(sendsec_change_password(ctx, "sshd", "alice", itest_pw("alice"), refused, &out), SENDSEC_DENIED);
	CHECK_STR(sendsec_reason_name(out.reason), "password_refused");
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.7", &out);
	EXPECT("after the refused change, the old password still works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	CHECK_RESULT(sendsec_change_password(ctx, "sshd", "alice", itest_pw("alice"), accepted, &out), SENDSEC_OK);
	itest_login(ctx, "sshd", "alice", accepted, "192.0.2.7", &out);
	EXPECT("a new password the policy accepts is stored", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), "192.0.2.7", &out);
	EXPECT("and the old one no longer works", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
