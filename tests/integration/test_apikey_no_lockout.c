/* test_apikey_no_lockout.c — failed API key attempts never lock the account's password out
 * (DESIGN.md section 5): ten wrong keys for alice add no sendsecFailure value and her password and
 * key still work; and a locked account (threshold failures recorded) still logs in with its key,
 * while its password is refused as locked: from the failing source, or from every source once
 * lockout_account_threshold is reached. Run under tests/fixtures/with-slapd.sh. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ikey.h"
#include "itest.h"
#include "timeutil.h"

#define CONF                                                                                                           \
	"methods password apikey\nargon2_opslimit 3\nargon2_memlimit 4096\nlockout_threshold 3\n"                      \
	"lockout_account_threshold 4\n"

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
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecFailure"), 0);
	itest_login(ctx, "smtp", "alice", itest_pw("alice"), NULL, &out);
	EXPECT("after 10 wrong keys alice's password is not locked", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("after 10 wrong keys alice's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* bob: lock him with three wrong passwords, then his key still works. */
	CHECK(ikey_create(ctx, "bob", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "wrong%d", i); /* the same wrong password again counts once */
		itest_login(ctx, "smtp", "bob", itest_pw(name), NULL, &out);
	}
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "sendsecFailure"), 3);
	itest_login(ctx, "smtp", "bob", itest_pw("bob"), NULL, &out);
	EXPECT("bob's password is locked (his source)", &out, SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED);
	itest_login(ctx, "smtp", "apikey", key, NULL, &out);
	EXPECT("locked bob's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "bob");
	itest_login(ctx, "smtp", "bob", key, NULL, &out);
	EXPECT("locked bob's key works with his own name", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "sendsecFailure"), 3); /* a key success clears nothing */

	/* carol: the account threshold reached from other networks (values as the rootdn). */
	CHECK(ikey_create(ctx, "carol", "smtp", 0, NULL, key, NULL) == SENDSEC_OK);
	sendsec_time_format_generalized(time(NULL), stamp, sizeof(stamp));
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: modify\nadd: sendsecFailure\nsendsecFailure: %.14s.000001Z "
			"198.51.100.0/24\n"
			"sendsecFailure: %.14s.000002Z 203.0.113.0/24\nsendsecFailure: %.14s.000003Z 2001:db8::/56\n"
			"sendsecFailure: %.14s.000004Z -\n",
			itest_user_dn("carol"), stamp, stamp, stamp, stamp);
	CHECK(itest_ldapmodify(ldif) == 0);
	itest_login(ctx, "smtp", "carol", itest_pw("carol"), "192.0.2.1", &out);
	EXPECT("carol's password is locked", &out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	itest_login(ctx, "smtp", "apikey", key, "192.0.2.1", &out);
	EXPECT("locked carol's key works", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	sendsec_ctx_free(ctx);
	return check_report(argv[0]);
}
