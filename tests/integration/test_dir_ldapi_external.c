/* test_dir_ldapi_external.c — "uri ldapi://…" with "sasl_mech EXTERNAL" and no binddn: run as
 * root, slapd maps the peer credentials (uid 0) to the service account (fixture authz-regexp),
 * so the engine can read userPassword and write the failure record. The same mechanism over
 * ldap:// (TCP, no peer credentials) cannot bind and is UNAVAILABLE. Run as root under
 * tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "itest.h"

static const char *conf_for(const char *uri)
{
	char text[2048];

	snprintf(text, sizeof(text), "uri %s\nbase %s\nsasl_mech EXTERNAL\ntimeout 2\nlockout_threshold 3\n%s", uri,
			itest_env("BASE"), ITEST_PASSWORD_ONLY);
	return itest_write_conf(false, text);
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;

	(void)argc;
	if (geteuid() != 0) {
		printf("# skipped: the fixture maps EXTERNAL for uid 0 only\n");
		return 77;
	}
	ctx = itest_ctx_from(conf_for(itest_env("LDAPI")));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("ldapi + EXTERNAL: alice logs in (userPassword readable as the service account)", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("ldapi + EXTERNAL: carol ({CRYPT}) logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "alice", itest_pw("bob"), NULL, &out);
	EXPECT("ldapi + EXTERNAL: a wrong password is DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecFailure") == 1); /* written as the service */
	itest_login(ctx, "sshd", "nosuchuser", itest_pw("alice"), NULL, &out);
	EXPECT("ldapi + EXTERNAL: unknown user", &out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
	sendsec_ctx_free(ctx);

	/* The contrast that makes the test able to fail: no peer credentials over TCP. */
	ctx = itest_ctx_from(conf_for(itest_env("URI")));
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("ldap:// + EXTERNAL: the service bind fails, UNAVAILABLE", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
