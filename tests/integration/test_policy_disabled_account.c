/* test_policy_disabled_account.c — dave (sendsecDisabled TRUE) is refused with reason disabled,
 * with his right password, by the account check and in bind mode (where slapd itself would
 * accept the bind), and cannot change his own password; clearing the flag lets him in with the
 * password he had. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "itest.h"

int main(int argc, char **argv)
{
	char ldif[512];
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "[service bindmode]\npassword_check bind\n");

	(void)argc;
	itest_login(ctx, "sshd", "dave", itest_pw("dave"), NULL, &out);
	EXPECT("disabled dave, right password: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	itest_login(ctx, "bindmode", "dave", itest_pw("dave"), NULL, &out);
	EXPECT("disabled dave, bind mode: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	CHECK(sendsec_account_check(ctx, "sshd", "dave", NULL, &out) == SENDSEC_DENIED);
	EXPECT("disabled dave, account check: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	itest_login(ctx, "sshd", "dave", itest_pw("wrong"), NULL, &out);
	EXPECT("disabled dave, wrong password: DENIED", &out, SENDSEC_DENIED, -1);
	/* A disabled account cannot change its own password (chauthtok, sendsecctl passwd as the
	 * user): the password stays as it was, as the login below shows. */
	CHECK_RESULT(sendsec_change_password(ctx, "sshd", "dave", itest_pw("dave"), "dave-New-Passw0rd-long", &out),
			SENDSEC_DENIED);
	EXPECT("disabled dave, own password change: DENIED disabled", &out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);

	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\ndelete: sendsecDisabled\n", itest_user_dn("dave"));
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "sshd", "dave", itest_pw("dave"), NULL, &out);
	EXPECT("flag removed: dave logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nadd: sendsecDisabled\nsendsecDisabled: FALSE\n",
			itest_user_dn("dave"));
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "sshd", "dave", itest_pw("dave"), NULL, &out);
	EXPECT("sendsecDisabled FALSE: dave logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
