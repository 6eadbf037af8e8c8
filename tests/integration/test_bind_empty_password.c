/* test_bind_empty_password.c — with "password_check bind" an empty password is DENIED before any
 * bind (an empty simple bind would be an anonymous bind): the engine and the directory layer say
 * DENIED even with slapd stopped, where anything that talked to the server would be UNAVAILABLE.
 * Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>

#include "check.h"
#include "dir.h"
#include "itest.h"

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx = itest_ctx(ITEST_PASSWORD_ONLY "password_check bind\n");
	const struct sendsec_settings *s;
	struct sendsec_dir *d = NULL;
	char err[256];

	(void)argc;
	s = sendsec_ctx_settings(ctx, "sshd", err, sizeof(err));
	if (s == NULL || sendsec_dir_new(s, NULL, &d) != SENDSEC_DIR_OK)
		return 1;
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("bind mode works: alice logs in", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "sshd", "alice", "", NULL, &out);
	EXPECT("bind mode, server up: empty password DENIED", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(sendsec_dir_check_bind(d, itest_user_dn("alice"), "") == SENDSEC_DIR_BAD_CREDENTIALS);

	CHECK(itest_slapd("stop") == 0);
	itest_login(ctx, "sshd", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("server down: a real password is UNAVAILABLE (the server is needed)", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	itest_login(ctx, "sshd", "alice", "", NULL, &out);
	EXPECT("server down: empty password still DENIED (no bind attempted)", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	CHECK(sendsec_dir_check_bind(d, itest_user_dn("alice"), "") == SENDSEC_DIR_BAD_CREDENTIALS);
	CHECK(sendsec_dir_check_bind(d, itest_user_dn("alice"), itest_pw("alice")) == SENDSEC_DIR_FAILED);
	CHECK(sendsec_dir_search_count(d) == 0);
	CHECK(itest_slapd("restart") == 0);

	sendsec_dir_free(d);
	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
