/* test_apikey_no_lockout.c — failed API key attempts never lock the account's password out
 * (DESIGN.md section 5): ten wrong keys for alice add no sendsecFailureTime and her password and
 * key still work; and a locked account (threshold failures recorded) still logs in with its key,
 * while its password is refused as locked. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ikey.h"
#include "itest.h"
#include "timeutil.h"

#define CONF "methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\nlockout_threshold 3\n"

int main(int argc, char **argv)
{
	struct sendsec_ctx *ctx = itest_ctx(CONF);
	struct sendsec_outcome out;
	char key[SENDSEC_KEY_MAX + 1], wrong[SENDSEC_KEY_MAX + 1], stamp[32], ldif[1024];
	int denied = 0;

	(void)argc;
	CHECK(ikey_create(ctx, "alice", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	for (int i = 0; i < 10; i++) {
		ikey_wrong_secret(key, "ssk_", wrong);
		itest_login(ctx, "smtp", i % 2 == 0 ? "apikey" : "alice", wrong, NULL, &out);
		denied += out.result == SENDSEC_DENIED;
	}
	CHECK(denied == 10);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecFailureTime") == 0);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("after 10 wrong keys alice's password is not locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("after 10 wrong keys alice's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* bob: lock him with three wrong passwords, then his key still works. */
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	for (int i = 0; i < 3; i++)
		itest_login(ctx, "smtp", "bob", "bob-Wrong0rd!", NULL, &out);
	CHECK(itest_count_values(itest_user_dn("bob"), "sendsecFailureTime") == 3);
	itest_login(ctx, "smtp", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("bob's password is locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("locked bob's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "bob");
	itest_login(ctx, "smtp", "bob", key, NULL, &out);
	EXPECT("locked bob's key works with his own name", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(itest_count_values(itest_user_dn("bob"), "sendsecFailureTime") == 3); /* a key success clears nothing */

	/* carol: a lock written by another host (values as the rootdn), far over the threshold. */
	CHECK(ikey_create(ctx, "carol", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	sendsec_time_format_generalized(time(NULL), stamp, sizeof(stamp));
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: modify\nadd: sendsecFailureTime\nsendsecFailureTime: %.14s.000001Z\n"
			"sendsecFailureTime: %.14s.000002Z\nsendsecFailureTime: %.14s.000003Z\nsendsecFailureTime: "
			"%.14s.000004Z\n",
			itest_user_dn("carol"), stamp, stamp, stamp, stamp);
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "smtp", "carol", itest_pw("carol"), NULL, &out);
	EXPECT("carol's password is locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("locked carol's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
