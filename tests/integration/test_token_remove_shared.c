/* test_token_remove_shared.c — "totp remove" of a token entry that another account links too
 * (review of issue 13): alice's account links bob's HOTP token (by an administrator's mistake, or
 * a copied LDIF); removing it from alice unlinks it from alice and must leave the entry in place,
 * so that bob's logins keep working with his own codes (from oathtool). Removing bob's last link
 * then deletes the entry as usual; an entry one account links twice stays while a link remains.
 * Usage (under with-slapd.sh): test_token_remove_shared PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF "methods password+totp\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"

int main(int argc, char **argv)
{
	const char *sendsecctl = totp_test_start(argc, argv, "with-slapd.sh");
	char *conf = strdup(itest_write_conf(true, CONF));
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	char hex[41], code[16], dn[256], ldif[1024], text[4096], value[64];

	snprintf(dn, sizeof(dn), "cn=bobkey,ou=tokens,%s", itest_env("BASE"));
	CHECK_EQ_INT(totp_add_token("bob", "bobkey", "hotp", "hotp-sha1-6", NULL, "oathHOTPToken", hex), 0);
	/* alice's account links bob's token entry as a further token. */
	snprintf(ldif, sizeof(ldif),
			"dn: %s\nchangetype: modify\n"
			"add: sendsecToken\nsendsecToken: %s\n",
			itest_user_dn("alice"), dn);
	CHECK_EQ_INT(itest_ldapmodify(ldif), 0);

	hotp_code(hex, 6, 0, code);
	totp_login(ctx, "bob", itest_pw("bob"), code, false, &out);
	EXPECT("bob with his token's first code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	{
		const char *args[] = {sendsecctl, "--config", conf, "totp", "remove", "alice", dn, NULL};
		CHECK_EQ_INT(itest_run(args, NULL, text, sizeof(text)), 0);
	}
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecToken"), 0);
	/* The entry bob still links is still there, with its counter. */
	CHECK(totp_read_attr(dn, "oathHOTPCounter", value, sizeof(value)));
	CHECK_STR(value, "0");
	hotp_code(hex, 6, 1, code);
	totp_login(ctx, "bob", itest_pw("bob"), code, false, &out);
	EXPECT("bob's next code after alice's link to his token was removed", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "bobkey");

	/* bob's own (now last) link: unlinked and the entry deleted. */
	{
		const char *args[] = {sendsecctl, "--config", conf, "totp", "remove", "bob", "bobkey", NULL};
		CHECK_EQ_INT(itest_run(args, NULL, text, sizeof(text)), 0);
	}
	CHECK(!totp_read_attr(dn, "cn", value, sizeof(value)));

	/* One account linking one entry twice (oathHOTPToken and sendsecToken): removing one link
	 * keeps the entry the other link still uses. */
	snprintf(dn, sizeof(dn), "cn=twice,ou=tokens,%s", itest_env("BASE"));
	CHECK_EQ_INT(totp_add_token("alice", "twice", "hotp", "hotp-sha1-6", NULL, "oathHOTPToken", hex), 0);
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nadd: sendsecToken\nsendsecToken: %s\n",
			itest_user_dn("alice"), dn);
	CHECK_EQ_INT(itest_ldapmodify(ldif), 0);
	{
		const char *args[] = {sendsecctl, "--config", conf, "totp", "remove", "alice", dn, NULL};
		CHECK_EQ_INT(itest_run(args, NULL, text, sizeof(text)), 0);
	}
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "oathHOTPToken"), 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecToken"), 1);
	hotp_code(hex, 6, 0, code);
	totp_login(ctx, "alice", itest_pw("alice"), code, false, &out);
	EXPECT("alice's token through its remaining link", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(code, sizeof(code));
	sendsec_ctx_free(ctx);
	free(conf);
	return check_report(argv[0]);
}
