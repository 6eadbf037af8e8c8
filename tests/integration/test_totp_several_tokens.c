/* test_totp_several_tokens.c — several tokens on one account against the fixture slapd, codes from
 * oathtool: two TOTP tokens and an HOTP token enrolled through sendsecctl (the first TOTP and HOTP
 * linked with oathTOTPToken / oathHOTPToken, the second TOTP with sendsecToken), each code accepted
 * and the token that matched named (token=), each token with its own replay state, recovery codes
 * still working, names unique per account, totp list, status and totp remove (by name, by DN, the
 * only one), and the bad links: a token DN that does not exist, an entry that is not a token,
 * more than 16 links: unavailable with a log line naming the token, never skipped.
 * Usage (under with-slapd.sh): test_totp_several_tokens PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF "methods password+totp\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"

static const char *sendsecctl;
static char *conf;
static struct itest_clock clk;

/* sendsecctl --config conf A1..A7 (the first NULL ends them); stdout into out. */
static int ctl7(char *out, size_t outlen, const char *input, const char *a1, const char *a2, const char *a3,
		const char *a4, const char *a5, const char *a6, const char *a7)
{
	const char *argv[] = {sendsecctl, "--config", conf, a1, a2, a3, a4, a5, a6, a7, NULL};
	char scratch[4096];

	return itest_run(argv, input, out != NULL ? out : scratch, out != NULL ? outlen : sizeof(scratch));
}

static int ctl(char *out, size_t outlen, const char *input, const char *a1, const char *a2, const char *a3,
		const char *a4, const char *a5, const char *a6)
{
	return ctl7(out, outlen, input, a1, a2, a3, a4, a5, a6, NULL);
}

/* The base32 secret of an otpauth URI printed by totp enroll. */
static void secret_of(const char *uri, char *b32)
{
	const char *s = strstr(uri, "secret=");

	b32[0] = '\0';
	if (s != NULL && strcspn(s + 7, "&\n") < 64)
		snprintf(b32, 64, "%.*s", (int)strcspn(s + 7, "&\n"), s + 7);
}

static enum sendsec_result with_code(struct sendsec_ctx *ctx, const char *code, struct sendsec_outcome *out)
{
	return totp_login(ctx, "alice", itest_pw("alice"), code, false, out);
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_three_tokens(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	unsigned char seed[20];
	char text[4096], b32_1[64], b32_2[64], hex[41], input[64], code1[16], code2[16], hcode[16], first[128];
	char step[32], t1_dn[256], t2_dn[256];
	time_t t0 = (time(NULL) / 30) * 30 + 10;

	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "enroll", "alice", "--no-qr", NULL, NULL), 0);
	secret_of(text, b32_1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "enroll", "alice", "--no-qr", NULL, NULL), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "enroll", "alice", "--name", "phone2", "--no-qr"), 0);
	secret_of(text, b32_2);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "enroll", "alice", "--name", "PHONE2", "--no-qr"), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "enroll", "alice", "--name", "my phone", "--no-qr"), 2);
	randombytes_buf(seed, sizeof(seed));
	sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
	snprintf(input, sizeof(input), "%s\n", hex);
	CHECK_EQ_INT(ctl7(text, sizeof(text), input, "hotp", "enroll", "alice", "--secret", "-", "--name", "key1"), 0);
	CHECK(strlen(b32_1) == 32 && strlen(b32_2) == 32);

	/* How they are linked, and listed. */
	CHECK(totp_read_attr(itest_user_dn("alice"), "oathTOTPToken", t1_dn, sizeof(t1_dn)));
	CHECK(totp_read_attr(itest_user_dn("alice"), "sendsecToken", t2_dn, sizeof(t2_dn)));
	CHECK(totp_read_attr(itest_user_dn("alice"), "oathHOTPToken", text, sizeof(text)));
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecToken"), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "list", "alice", NULL, NULL, NULL), 0);
	CHECK_EQ_INT(count_lines(text, "\n"), 4); /* header + 3 */
	CHECK(strstr(text, "phone2\ttotp\t6\tnever\tplain\tsendsecToken\t") != NULL);
	CHECK(strstr(text, "key1\thotp\t6\tnever\tplain\toathHOTPToken\t") != NULL);
	CHECK(strstr(text, "\ttotp\t6\tnever\tplain\toathTOTPToken\t") != NULL);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "status", "alice", NULL, NULL, NULL, NULL), 0);
	CHECK(strstr(text, "\ntokens: 3\n") != NULL && strstr(text, "\ntoken phone2: totp, 6 digits\n") != NULL &&
			strstr(text, "\ntoken key1: hotp, 6 digits\n") != NULL);

	/* Each token's code works, and names its token; one step, two tokens: two logins. */
	clk.now = t0;
	totp_code(b32_1, false, "SHA1", 6, t0, code1);
	totp_code(b32_2, false, "SHA1", 6, t0, code2);
	hotp_code(hex, 6, 0, hcode);
	with_code(ctx, code1, &out);
	EXPECT("the first TOTP token's code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	snprintf(first, sizeof(first), "%s", out.token);
	CHECK(strlen(first) == 32); /* named by its serial: no --name given */
	with_code(ctx, code2, &out);
	EXPECT("the second TOTP token's code at the same step (its own state)", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "phone2");
	with_code(ctx, code1, &out);
	EXPECT("the first token's code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	CHECK_STR(out.token, first);
	with_code(ctx, code2, &out);
	EXPECT("the second token's code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	CHECK_STR(out.token, "phone2");
	with_code(ctx, hcode, &out);
	EXPECT("the HOTP token's code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "key1");
	snprintf(step, sizeof(step), "%lld", (long long)(t0 / 30));
	CHECK(totp_read_attr(t1_dn, "oathTOTPLastTimeStep", text, sizeof(text)));
	CHECK_STR(text, step);
	CHECK(totp_read_attr(t2_dn, "oathTOTPLastTimeStep", text, sizeof(text)));
	CHECK_STR(text, step);
	/* The next step: the first token moves on, the second keeps its own step. */
	clk.now = t0 + 30;
	totp_code(b32_1, false, "SHA1", 6, clk.now, code1);
	with_code(ctx, code1, &out);
	EXPECT("the first token, one step later", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK(totp_read_attr(t2_dn, "oathTOTPLastTimeStep", text, sizeof(text)));
	CHECK_STR(text, step);
	with_code(ctx, "000000", &out);
	EXPECT("a code no token gives", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	CHECK_STR(out.token, "");

	/* Recovery codes keep working beside several tokens. */
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "recovery", "alice", NULL, NULL, NULL, NULL), 0);
	text[19] = '\0';
	with_code(ctx, text, &out);
	EXPECT("a recovery code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "recovery");

	/* Remove: a name is needed while there are several; the codes go with the last token. */
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", NULL, NULL, NULL), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", "nosuch", NULL, NULL), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", "Phone2", NULL, NULL), 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecToken"), 0);
	CHECK_EQ_INT(itest_count_values(t2_dn, "cn"), -1); /* the entry is gone */
	clk.now = t0 + 60;
	totp_code(b32_2, false, "SHA1", 6, clk.now, code2);
	with_code(ctx, code2, &out);
	EXPECT("the removed token's code", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", t1_dn, NULL, NULL), 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode"), 9);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "oathTOTPToken"), 0);
	hotp_code(hex, 6, 1, hcode);
	with_code(ctx, hcode, &out);
	EXPECT("the HOTP token, alone now", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", NULL, NULL, NULL), 0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode"), 0);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "alice", NULL, NULL, NULL), 1);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "list", "alice", NULL, NULL, NULL), 0);
	CHECK_STR(text, "");
	sodium_memzero(b32_1, sizeof(b32_1));
	sodium_memzero(b32_2, sizeof(b32_2));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(input, sizeof(input));
	sodium_memzero(text, sizeof(text));
	sendsec_ctx_free(ctx);
}

/* carol keeps one good token; a bad link beside it makes every login unavailable. */
static void test_bad_links(void)
{
	struct sendsec_ctx *ctx = totp_ctx_logged(conf);
	struct sendsec_outcome out;
	char hex[41], code[16], text[4096], ldif[4096];
	size_t pos;

	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	clk.now = (time(NULL) / 30) * 30 + 10;
	CHECK(totp_add_token("carol", "carol-good", "totp", "totp-sha1-6", NULL, "oathTOTPToken", hex) == 0);
	totp_code(hex, true, "SHA1", 6, clk.now, code);
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("carol's good token", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "carol-good");

	/* A token DN that does not exist. */
	clk.now += 30;
	totp_code(hex, true, "SHA1", 6, clk.now, code);
	CHECK(itest_ldapmodify("dn: uid=carol,ou=people,dc=example,dc=test\nchangetype: modify\nadd: sendsecToken\n"
			       "sendsecToken: cn=ghost,ou=tokens,dc=example,dc=test\n") == 0);
	totp_log_clear();
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("a good code beside a token DN that does not exist", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	CHECK(totp_log_has("token cn=ghost,ou=tokens,dc=example,dc=test"));
	CHECK(totp_log_has("does not exist"));
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "list", "carol", NULL, NULL, NULL), 0);
	CHECK(strstr(text, "cn=ghost,ou=tokens,dc=example,dc=test\tbroken: it does not exist") != NULL);
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "carol", "cn=ghost,ou=tokens,dc=example,dc=test",
				     NULL, NULL),
			0);
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("the same code once the dangling link is removed", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* An entry that is not a token (another account): unavailable, and remove never deletes it. */
	clk.now += 30;
	totp_code(hex, true, "SHA1", 6, clk.now, code);
	CHECK(itest_ldapmodify("dn: uid=carol,ou=people,dc=example,dc=test\nchangetype: modify\nadd: sendsecToken\n"
			       "sendsecToken: uid=bob,ou=people,dc=example,dc=test\n") == 0);
	totp_log_clear();
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("a good code beside a link to an entry that is not a token", &out, SENDSEC_UNAVAILABLE,
			SENDSEC_REASON_UNAVAILABLE);
	CHECK(totp_log_has("token uid=bob,ou=people,dc=example,dc=test"));
	CHECK(totp_log_has("neither of the classes oathTOTPToken and oathHOTPToken"));
	CHECK_EQ_INT(ctl(text, sizeof(text), NULL, "totp", "remove", "carol", "uid=bob,ou=people,dc=example,dc=test",
				     NULL, NULL),
			0);
	CHECK_EQ_INT(itest_count_values(itest_user_dn("bob"), "uid"), 1);
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("the same code once that link is removed", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* More links than an account may have. */
	pos = (size_t)snprintf(ldif, sizeof(ldif),
			"dn: uid=carol,ou=people,dc=example,dc=test\nchangetype: modify\nadd: sendsecToken\n");
	for (int i = 0; i < 16; i++)
		pos += (size_t)snprintf(ldif + pos, sizeof(ldif) - pos,
				"sendsecToken: cn=many%d,ou=tokens,dc=example,dc=test\n", i);
	CHECK(itest_ldapmodify(ldif) == 0);
	totp_log_clear();
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("17 token links", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(totp_log_has("links 17 tokens, more than the 16 allowed"));
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(code, sizeof(code));
	sendsec_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	sendsecctl = totp_test_start(argc, argv, "with-slapd.sh");
	if ((conf = strdup(itest_write_conf(true, CONF))) == NULL)
		return 1;
	test_three_tokens();
	test_bad_links();
	free(conf);
	return check_report(argv[0]);
}
