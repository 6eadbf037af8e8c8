/* test_totp_second_factor.c — password+totp logins against the fixture slapd with codes from the
 * independent oathtool: prompt and append modes, replay, wrong and missing codes, the window
 * edges, SHA256/SHA512 8-digit params, plain secrets written by ldapmodify, sealed secrets,
 * totp_unenrolled, recovery codes (once each, printed and typed forms), totp remove, and a plain
 * secret refused while totp_key_file is set until sendsecctl totp seal seals it; API keys only
 * where methods list apikey; the code prompt shown alike to unknown, locked, disabled,
 * network-refused and enrolled accounts.
 * Usage (under with-slapd.sh): test_totp_second_factor PATH/TO/sendsecctl */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define BASE_CONF                                                                                                      \
	"methods password+totp apikey\nlockout_threshold 0\nrehash no\n"                                               \
	"argon2_opslimit 3\nargon2_memlimit 4096\n"

static const char *sendsecctl;
static struct itest_clock clk;

static struct sendsec_ctx *ctx_for(const char *conf)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);

	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	return ctx;
}

static char *copy(const char *s)
{
	char *c = strdup(s);

	if (c == NULL)
		exit(1);
	return c;
}

/* password followed by code, in a wiped buffer the caller frees with sodium_memzero. */
static void appended(char *buf, size_t len, const char *password, const char *code)
{
	snprintf(buf, len, "%s%s", password, code);
}

/* Adds an oathTOTPParams entry cn=<cn>,ou=params as the rootdn. */
static int add_params(const char *cn, const char *oid, unsigned digits, unsigned window)
{
	char ldif[1024];

	snprintf(ldif, sizeof(ldif),
			"dn: cn=%s,ou=params,%s\nchangetype: add\nobjectClass: applicationProcess\nobjectClass: "
			"oathTOTPParams\n"
			"cn: %s\noathOTPLength: %u\noathHMACAlgorithm: %s\noathTOTPTimeStepPeriod: "
			"30\noathTOTPTimeStepWindow: %u\n",
			cn, itest_env("BASE"), cn, digits, oid, window);
	return itest_ldapmodify(ldif);
}

/* Writes a token with a plain (raw bytes) secret the way other OATH-LDAP tools do, without
 * oathTOTPLastTimeStep, and links it from user. hex_out (41 bytes) receives the key for oathtool. */
static int add_plain_token(const char *user, const char *params_cn, char *hex_out)
{
	unsigned char secret[20];
	char b64[64], ldif[2048];
	int rc;

	randombytes_buf(secret, sizeof(secret));
	sodium_bin2hex(hex_out, 41, secret, sizeof(secret));
	sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret), sodium_base64_VARIANT_ORIGINAL);
	snprintf(ldif, sizeof(ldif),
			"dn: cn=%s-hand,ou=tokens,%s\nchangetype: add\nobjectClass: applicationProcess\nobjectClass: "
			"oathTOTPToken\n"
			"cn: %s-hand\noathSecret:: %s\noathTOTPParams: cn=%s,ou=params,%s\n\n"
			"dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: oathTOTPUser\n-\nadd: "
			"oathTOTPToken\n"
			"oathTOTPToken: cn=%s-hand,ou=tokens,%s\n",
			user, itest_env("BASE"), user, b64, params_cn, itest_env("BASE"), itest_user_dn(user), user,
			itest_env("BASE"));
	rc = itest_ldapmodify(ldif);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(ldif, sizeof(ldif));
	return rc;
}

/* A 32-byte key file, root-owned 0600, in the fixture dir. */
static const char *write_key(const char *name)
{
	static char path[2][512];
	static int slot;
	unsigned char key[32];
	char *p = path[slot++ % 2];
	int fd;

	snprintf(p, 512, "%s/%s", itest_env("DIR"), name);
	randombytes_buf(key, sizeof(key));
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, key, sizeof(key)) != sizeof(key) ||
			close(fd) != 0) {
		perror(p);
		exit(1);
	}
	sodium_memzero(key, sizeof(key));
	return p;
}

static void test_prompt_and_append(void)
{
	/* Codes of steps around the current one, in this order. */
	static const struct {
		const char *what;
		int steps; /* the code's step minus the current one */
		enum sendsec_result want;
		int reason;
	} window[] = {
			{"a code from two steps ago is outside window 1", -2, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP},
			{"a code from two steps ahead is outside window 1", 2, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP},
			{"a code from one step ago is inside window 1", -1, SENDSEC_OK, SENDSEC_REASON_NONE},
			{"a code from one step ahead is inside window 1", 1, SENDSEC_OK, SENDSEC_REASON_NONE},
			{"the current code after a later step was used is a replay", 0, SENDSEC_DENIED,
					SENDSEC_REASON_TOTP_REPLAYED},
	};
	struct sendsec_outcome out;
	char b32[64], code[16], wrong[16], buf[256];
	char *conf = copy(itest_write_conf(true, BASE_CONF));
	char *conf_append = copy(itest_write_conf(true, BASE_CONF "otp_mode append\n"));
	struct sendsec_ctx *ctx = ctx_for(conf), *ctx_append = ctx_for(conf_append);
	time_t t0 = (time(NULL) / 30) * 30 + 15;

	CHECK(totp_enroll(sendsecctl, conf, "alice", b32) == 0);
	CHECK(strlen(b32) == 32); /* 20 bytes */
	EXPECT("enrolled alice without a code is refused",
			(totp_login(ctx, "alice", itest_pw("alice"), NULL, false, &out), &out), SENDSEC_DENIED,
			SENDSEC_REASON_BAD_TOTP);

	clk.now = t0;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	totp_login(ctx, "alice", itest_pw("alice"), code, false, &out);
	EXPECT("password then the current code (prompt)", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "password+totp");
	CHECK_STR(out.account, "alice");
	totp_login(ctx, "alice", itest_pw("alice"), code, false, &out);
	EXPECT("the same code again is a replay", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	{
		struct sendsec_ctx *other_host = ctx_for(conf);

		totp_login(other_host, "alice", itest_pw("alice"), code, false, &out);
		EXPECT("the same code on another context (host) is a replay too", &out, SENDSEC_DENIED,
				SENDSEC_REASON_TOTP_REPLAYED);
		sendsec_ctx_free(other_host);
	}

	clk.now = t0 + 30;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	totp_login(ctx, "alice", itest_pw("alice"), code, false, &out);
	EXPECT("the next step's code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	clk.now = t0 + 60;
	totp_code(b32, false, "SHA1", 6, clk.now + 300, wrong); /* a code of another time: wrong now */
	totp_login(ctx, "alice", itest_pw("alice"), wrong, false, &out);
	EXPECT("a wrong code", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	totp_login(ctx, "alice", itest_pw("alice"), "12345", false, &out);
	EXPECT("a code of the wrong length", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	totp_login(ctx, "alice", itest_pw("alice"), NULL, false, &out);
	EXPECT("no code (the prompt is cancelled)", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	totp_login(ctx, "alice", "alice-wrong-Passw0rd!", code, false, &out);
	EXPECT("a wrong password with the right code", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	/* Append mode: no callback (SASL), and otp_mode append with a callback (PAM). */
	appended(buf, sizeof(buf), itest_pw("alice"), code);
	totp_login(ctx, "alice", buf, NULL, true, &out);
	EXPECT("password with the code appended, no prompt callback", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	clk.now = t0 + 90;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	appended(buf, sizeof(buf), itest_pw("alice"), code);
	totp_login(ctx_append, "alice", buf, "000000", false, &out);
	EXPECT("otp_mode append ignores the prompt callback", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	totp_login(ctx_append, "alice", buf, NULL, true, &out);
	EXPECT("the appended code again is a replay", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	totp_login(ctx_append, "alice", itest_pw("alice"), NULL, true, &out);
	EXPECT("append mode without a code", &out, SENDSEC_DENIED, -1);

	/* Window 1: one step either side. Last used: t0+90. */
	clk.now = t0 + 300;
	for (size_t i = 0; i < sizeof(window) / sizeof(window[0]); i++) {
		totp_code(b32, false, "SHA1", 6, clk.now + 30 * window[i].steps, code);
		totp_login(ctx, "alice", itest_pw("alice"), code, false, &out);
		EXPECT(window[i].what, &out, window[i].want, window[i].reason);
	}

	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(buf, sizeof(buf));
	sendsec_ctx_free(ctx);
	sendsec_ctx_free(ctx_append);
	free(conf);
	free(conf_append);
}

static void test_recovery_and_remove(void)
{
	struct sendsec_outcome out;
	char codes[16][32], buf[256], typed[32];
	const char *argv[] = {sendsecctl, "--config", NULL, "recovery", "alice", NULL};
	char out_text[1024], *line, *save = NULL;
	char *conf = copy(itest_write_conf(true, BASE_CONF));
	char *conf_allow = copy(itest_write_conf(
			true, "methods password+totp\ntotp_unenrolled allow\nlockout_threshold 0\nrehash no\n"));
	char *conf_deny = copy(itest_write_conf(true, "methods password+totp\nlockout_threshold 0\nrehash no\n"));
	struct sendsec_ctx *ctx = ctx_for(conf);
	int n = 0;

	argv[2] = conf;
	CHECK(itest_run(argv, NULL, out_text, sizeof(out_text)) == 0);
	for (line = strtok_r(out_text, "\n", &save); line != NULL && n < 16; line = strtok_r(NULL, "\n", &save))
		snprintf(codes[n++], sizeof(codes[0]), "%s", line);
	sodium_memzero(out_text, sizeof(out_text));
	CHECK(n == 10);
	CHECK(strlen(codes[0]) == 19 && codes[0][4] == '-' && codes[0][9] == '-' && codes[0][14] == '-');
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode") == 10);

	totp_login(ctx, "alice", itest_pw("alice"), codes[0], false, &out);
	EXPECT("a recovery code at the prompt", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "recovery");
	totp_login(ctx, "alice", itest_pw("alice"), codes[0], false, &out);
	EXPECT("the same recovery code again", &out, SENDSEC_DENIED, -1);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode") == 9);

	/* Typed without dashes, in upper case. */
	n = 0;
	for (const char *p = codes[1]; *p != '\0'; p++)
		if (*p != '-')
			typed[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	typed[n] = '\0';
	totp_login(ctx, "alice", itest_pw("alice"), typed, false, &out);
	EXPECT("a recovery code typed in upper case without dashes", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	appended(buf, sizeof(buf), itest_pw("alice"), codes[2]);
	totp_login(ctx, "alice", buf, NULL, true, &out);
	EXPECT("a recovery code appended to the password (SASL)", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "recovery");
	totp_login(ctx, "alice", buf, NULL, true, &out);
	EXPECT("the appended recovery code again", &out, SENDSEC_DENIED, -1);

	snprintf(typed, sizeof(typed), "%s", codes[3]);
	typed[18] = typed[18] == 'a' ? 'b' : 'a'; /* right index, wrong rest */
	totp_login(ctx, "alice", itest_pw("alice"), typed, false, &out);
	EXPECT("a recovery code with its last character changed", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	totp_login(ctx, "alice", "alice-wrong-Passw0rd!", codes[3], false, &out);
	EXPECT("a recovery code with a wrong password", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	CHECK(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode") == 7);

	/* Remove: alice behaves like bob (no token). */
	{
		const char *rm[] = {sendsecctl, "--config", conf, "totp", "remove", "alice", NULL};
		struct sendsec_ctx *deny = ctx_for(conf_deny), *allow = ctx_for(conf_allow);

		CHECK(itest_run(rm, NULL, NULL, 0) == 0);
		CHECK(itest_run(rm, NULL, NULL, 0) == 1);
		CHECK(itest_count_values(itest_user_dn("alice"), "sendsecRecoveryCode") == 0);
		CHECK(itest_count_values(itest_user_dn("alice"), "oathTOTPToken") == 0);
		totp_login(deny, "bob", itest_pw("bob"), NULL, false, &out);
		EXPECT("bob without a token, totp_unenrolled deny", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
		totp_login(allow, "bob", itest_pw("bob"), NULL, false, &out);
		EXPECT("bob without a token, totp_unenrolled allow", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		totp_login(deny, "alice", itest_pw("alice"), codes[4], false, &out);
		EXPECT("alice after totp remove, totp_unenrolled deny", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
		totp_login(allow, "alice", itest_pw("alice"), NULL, false, &out);
		EXPECT("alice after totp remove, totp_unenrolled allow", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
		totp_login(ctx, "alice", itest_pw("alice"), NULL, false, &out);
		EXPECT("alice after totp remove, password alone is enough only when methods allow it", &out,
				SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
		sendsec_ctx_free(deny);
		sendsec_ctx_free(allow);
	}
	sodium_memzero(codes, sizeof(codes));
	sodium_memzero(typed, sizeof(typed));
	sodium_memzero(buf, sizeof(buf));
	sendsec_ctx_free(ctx);
	free(conf);
	free(conf_allow);
	free(conf_deny);
}

static void test_sha2_plain_tokens(void)
{
	struct sendsec_outcome out;
	char hex[41], code[16], buf[256];
	char *conf = copy(itest_write_conf(true, BASE_CONF));
	struct sendsec_ctx *ctx = ctx_for(conf);
	time_t t0 = (time(NULL) / 30) * 30 + 5;

	CHECK(add_params("totp-sha256-8", "1.2.840.113549.2.9", 8, 1) == 0);
	CHECK(add_params("totp-sha512-8", "1.2.840.113549.2.11", 8, 1) == 0);
	CHECK(add_params("totp-md5-6", "1.2.840.113549.2.5", 6, 1) == 0);

	CHECK(add_plain_token("carol", "totp-sha256-8", hex) == 0);
	clk.now = t0;
	totp_code(hex, true, "SHA256", 8, clk.now, code);
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("SHA256, 8 digits, plain secret written by ldapmodify, no last step yet", &out, SENDSEC_OK,
			SENDSEC_REASON_NONE);
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("SHA256 code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	totp_code(hex, true, "SHA1", 8, clk.now + 30, code);
	clk.now += 30;
	totp_login(ctx, "carol", itest_pw("carol"), code, false, &out);
	EXPECT("a SHA1 code for a SHA256 token", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	totp_code(hex, true, "SHA256", 8, clk.now, code);
	appended(buf, sizeof(buf), itest_pw("carol"), code);
	totp_login(ctx, "carol", buf, NULL, true, &out);
	EXPECT("SHA256 8-digit code appended (split by the token's length)", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	CHECK(add_plain_token("grace", "totp-sha512-8", hex) == 0);
	totp_code(hex, true, "SHA512", 8, clk.now, code);
	totp_login(ctx, "grace", itest_pw("grace"), code, false, &out);
	EXPECT("SHA512, 8 digits", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	CHECK(add_plain_token("frank", "totp-md5-6", hex) == 0);
	totp_code(hex, true, "SHA1", 6, clk.now, code);
	totp_login(ctx, "frank", itest_pw("frank"), code, false, &out);
	EXPECT("params with an unknown algorithm OID", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(itest_ldapmodify("dn: cn=frank-hand,ou=tokens,dc=example,dc=test\nchangetype: delete\n\n"
			       "dn: uid=frank,ou=people,dc=example,dc=test\nchangetype: modify\ndelete: "
			       "oathTOTPToken\n-\n"
			       "delete: objectClass\nobjectClass: oathTOTPUser\n") == 0);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(buf, sizeof(buf));
	sendsec_ctx_free(ctx);
	free(conf);
}

static void test_sealed(void)
{
	struct sendsec_outcome out;
	char b32[64], code[16], extra[1024], token_dn[512], value[512];
	char *conf_key, *conf_nokey, *conf_other;
	struct sendsec_ctx *ctx, *nokey, *other;
	const char *key = write_key("totp.key"), *key2 = write_key("totp2.key");

	snprintf(extra, sizeof(extra), BASE_CONF "totp_key_file %s\n", key);
	conf_key = copy(itest_write_conf(true, extra));
	snprintf(extra, sizeof(extra), BASE_CONF "totp_key_file %s\n", key2);
	conf_other = copy(itest_write_conf(true, extra));
	conf_nokey = copy(itest_write_conf(true, BASE_CONF));
	ctx = ctx_for(conf_key);
	nokey = ctx_for(conf_nokey);
	other = ctx_for(conf_other);

	CHECK(totp_enroll(sendsecctl, conf_key, "frank", b32) == 0);
	CHECK(totp_read_attr(itest_user_dn("frank"), "oathTOTPToken", token_dn, sizeof(token_dn)));
	CHECK(totp_read_attr(token_dn, "oathSecret", value, sizeof(value)));
	CHECK(strncmp(value, "{SEALED1}", 9) == 0);
	sodium_memzero(value, sizeof(value));
	clk.now = (time(NULL) / 30) * 30 + 10;
	totp_code(b32, false, "SHA1", 6, clk.now, code);
	totp_login(nokey, "frank", itest_pw("frank"), code, false, &out);
	EXPECT("a sealed secret without totp_key_file", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	totp_login(other, "frank", itest_pw("frank"), code, false, &out);
	EXPECT("a sealed secret with another key", &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	totp_login(ctx, "frank", itest_pw("frank"), code, false, &out);
	EXPECT("a sealed secret with its key", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	totp_login(ctx, "frank", itest_pw("frank"), code, false, &out);
	EXPECT("a sealed secret's code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(code, sizeof(code));
	sendsec_ctx_free(ctx);
	sendsec_ctx_free(nokey);
	sendsec_ctx_free(other);
	free(conf_key);
	free(conf_nokey);
	free(conf_other);
}

/* Issue 11 item 14: with totp_key_file set, a plain oathSecret (written by another tool, or
 * before the key was set) is unavailable, with a log line naming the token, never accepted;
 * sendsecctl totp seal seals it in place, after which the same token works. */
static void test_plain_refused_with_key(void)
{
	struct sendsec_outcome out;
	char hex[41], code[16], extra[1024], value[512], dn[256];
	const char *key = write_key("seal.key");
	char *conf_key, *conf_nokey;
	struct sendsec_ctx *ctx;

	snprintf(extra, sizeof(extra), BASE_CONF "totp_key_file %s\n", key);
	conf_key = copy(itest_write_conf(true, extra));
	conf_nokey = copy(itest_write_conf(true, BASE_CONF));
	CHECK(totp_add_token("bob", "bob-plain", "totp", "totp-sha1-6", NULL, "oathTOTPToken", hex) == 0);
	snprintf(dn, sizeof(dn), "cn=bob-plain,ou=tokens,%s", itest_env("BASE"));
	ctx = totp_ctx_logged(conf_key);
	sendsec_ctx_set_clock(ctx, itest_clock_now, &clk);
	clk.now = (time(NULL) / 30) * 30 + 10;
	totp_code(hex, true, "SHA1", 6, clk.now, code);
	totp_log_clear();
	totp_login(ctx, "bob", itest_pw("bob"), code, false, &out);
	EXPECT("a plain secret while totp_key_file is set is unavailable, even with the right code", &out,
			SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(totp_log_has(dn));
	CHECK(totp_log_has("plain oathSecret but totp_key_file is set"));
	CHECK(!totp_read_attr(dn, "oathTOTPLastTimeStep", value, sizeof(value)));

	{
		const char *seal_nokey[] = {sendsecctl, "--config", conf_nokey, "totp", "seal", "bob", NULL};
		const char *seal_user[] = {sendsecctl, "--config", conf_key, "totp", "seal", "bob", NULL};
		const char *seal_all[] = {sendsecctl, "--config", conf_key, "totp", "seal", "--all", NULL};
		char text[256];

		CHECK_EQ_INT(itest_run(seal_nokey, NULL, text, sizeof(text)), 2);
		CHECK_EQ_INT(itest_run(seal_user, NULL, text, sizeof(text)), 0);
		CHECK_STR(text, "1 sealed, 0 sealed already, 0 not sealed\n");
		CHECK(totp_read_attr(dn, "oathSecret", value, sizeof(value)) && strncmp(value, "{SEALED1}", 9) == 0);
		CHECK_EQ_INT(itest_run(seal_user, NULL, text, sizeof(text)), 0);
		CHECK_STR(text, "0 sealed, 1 sealed already, 0 not sealed\n");
		/* Every token entry under base: the earlier tests' plain tokens are sealed the first
		 * time; nothing is left to seal the second time. */
		(void)itest_run(seal_all, NULL, text, sizeof(text));
		(void)itest_run(seal_all, NULL, text, sizeof(text));
		CHECK(strncmp(text, "0 sealed, ", 10) == 0);
	}
	totp_login(ctx, "bob", itest_pw("bob"), code, false, &out);
	EXPECT("the same token, sealed by sendsecctl totp seal, takes the code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "bob-plain");
	CHECK(itest_ldapmodify("dn: cn=bob-plain,ou=tokens,dc=example,dc=test\nchangetype: delete\n\n"
			       "dn: uid=bob,ou=people,dc=example,dc=test\nchangetype: modify\ndelete: "
			       "oathTOTPToken\n-\ndelete: objectClass\nobjectClass: oathTOTPUser\n") == 0);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(value, sizeof(value));
	sendsec_ctx_free(ctx);
	free(conf_key);
	free(conf_nokey);
}

/* DESIGN.md section 3: the default methods are "password+totp", and a service takes API keys only
 * when its methods list apikey. A key with scope '*' therefore does not open sshd without the code;
 * the key user name is refused there before any lookup, and a key typed as alice's password is a
 * wrong password. */
static void test_key_needs_apikey_method(void)
{
	struct sendsec_outcome out;
	const char *create[] = {sendsecctl, "--config", NULL, "key", "create", "alice", "--scope", "*", NULL};
	char text[1024], key[256];
	char *conf_default = copy(itest_write_conf(true, "lockout_threshold 0\nrehash no\n"));
	char *conf_keys = copy(itest_write_conf(
			true, "lockout_threshold 0\nrehash no\n[service smtp]\nmethods password+totp apikey\n"));
	struct sendsec_ctx *dflt = ctx_for(conf_default), *keys = ctx_for(conf_keys);

	create[2] = conf_default;
	CHECK(itest_run(create, NULL, text, sizeof(text)) == 0);
	snprintf(key, sizeof(key), "%.*s", (int)strcspn(text, "\n"), text);
	sodium_memzero(text, sizeof(text));
	CHECK(strncmp(key, "ssk_", 4) == 0);

	itest_login(keys, "smtp", "apikey", key, "127.0.0.1", &out);
	EXPECT("a key with scope * where methods list apikey", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.account, "alice");

	totp_login(dflt, "apikey", key, NULL, true, &out);
	EXPECT("a key with scope * on sshd under the default methods", &out, SENDSEC_DENIED, SENDSEC_REASON_SCOPE);
	totp_login(keys, "apikey", key, NULL, true, &out);
	EXPECT("a key on sshd when only [service smtp] lists apikey", &out, SENDSEC_DENIED, SENDSEC_REASON_SCOPE);
	itest_login(dflt, "smtp", "apikey", key, "127.0.0.1", &out);
	EXPECT("a key on smtp under the default methods", &out, SENDSEC_DENIED, SENDSEC_REASON_SCOPE);
	totp_login(dflt, "alice", key, "000000", false, &out);
	EXPECT("a key as alice's password on sshd is a wrong password", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	/* Refused before any lookup: the answer comes with the directory frozen. */
	CHECK(itest_slapd_signal(SIGSTOP));
	totp_login(dflt, "apikey", key, NULL, true, &out);
	CHECK(itest_slapd_signal(SIGCONT));
	EXPECT("user apikey on sshd, directory frozen: refused without a lookup", &out, SENDSEC_DENIED,
			SENDSEC_REASON_SCOPE);
	sodium_memzero(key, sizeof(key));
	sendsec_ctx_free(dflt);
	sendsec_ctx_free(keys);
	free(conf_default);
	free(conf_keys);
}

/* Counts the prompts of one login and answers each with a fixed wrong code; the prompt text
 * must be "Verification code: " (anything else counts as 100, so that it cannot match). */
struct counted {
	unsigned n;
};

static enum sendsec_result count_ask(void *arg, const char *prompt, char **answer_out)
{
	struct counted *c = arg;

	c->n += strcmp(prompt, "Verification code: ") == 0 ? 1 : 100;
	*answer_out = strdup("000000");
	return *answer_out != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

/* One login of user on sshd from 127.0.0.1 with the prompt callback; returns the number of prompts. */
static unsigned prompts_of(struct sendsec_ctx *ctx, const char *user, const char *password, struct sendsec_outcome *out)
{
	struct counted c = {0};
	struct sendsec_request req = {
			.service = "sshd",
			.user = user,
			.password = password,
			.rhost = "127.0.0.1",
			.ask = count_ask,
			.ask_arg = &c,
	};
	enum sendsec_result rc = sendsec_authenticate(ctx, &req, out);

	CHECK_RESULT(rc, out->result);
	return c.n;
}

/* Issue 11 item 1: in prompt mode the code prompt must not tell who exists, who is enrolled or
 * who is locked, disabled or refused by network. Whenever the service's methods include totp,
 * every refused login is asked for the code once, as an enrolled account is; the only login
 * without the prompt is the right password of an account that needs no code (totp_unenrolled
 * allow, or a password-only alternative), which shows enrollment to whoever knows the password. */
static void test_prompts_tell_nothing(void)
{
	enum { DENY, ALLOW, EITHER, APPEND, PW, N_CONFS };
	/* In this order: erin's failures lock her source (lockout_threshold 2) before the last of hers. */
	static const struct {
		const char *what;
		int conf;
		const char *user, *password; /* NULL: the account's seeded password */
		unsigned prompts;
		enum sendsec_result want;
		int reason;
	} cases[] = {
			{"enrolled, wrong password: asked for the code", DENY, "erin", "erin-wrong-Passw0rd!", 1,
					SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD},
			{"unknown name: asked for the code too", DENY, "nosuchuser", "some-Passw0rd!", 1,
					SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER},
			{"disabled account: asked for the code too", DENY, "dave", NULL, 1, SENDSEC_DENIED,
					SENDSEC_REASON_DISABLED},
			{"account refused by network: asked for the code too", DENY, "mallory", NULL, 1, SENDSEC_DENIED,
					SENDSEC_REASON_NETWORK},
			{"no token, totp_unenrolled deny, wrong password: asked", DENY, "bob", "bob-wrong-Passw0rd!", 1,
					SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD},
			{"no token, totp_unenrolled deny, right password: asked, then refused", DENY, "bob", NULL, 1,
					SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP},
			/* Another wrong password (the same one again would count once): the second failure. */
			{"enrolled, another wrong password: asked", DENY, "erin", "erin-other-wrong-Passw0rd!", 1,
					SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD},
			{"locked account, right password: asked for the code too", DENY, "erin", NULL, 1,
					SENDSEC_DENIED, SENDSEC_REASON_SOURCE_LOCKED},
			{"no token, totp_unenrolled allow, wrong password: asked", ALLOW, "bob", "bob-wrong-Passw0rd!",
					1, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD},
			{"no token, totp_unenrolled allow, right password: in without the prompt", ALLOW, "bob", NULL,
					0, SENDSEC_OK, SENDSEC_REASON_NONE},
			{"totp_unenrolled allow, unknown name: asked", ALLOW, "nosuchuser", "some-Passw0rd!", 1,
					SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER},
			{"methods password password+totp, no token, wrong password: asked", EITHER, "bob",
					"bob-wrong-Passw0rd!", 1, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD},
			{"methods password password+totp, no token, right password: no prompt", EITHER, "bob", NULL, 0,
					SENDSEC_OK, SENDSEC_REASON_NONE},
			{"methods password password+totp, unknown name: asked", EITHER, "nosuchuser", "some-Passw0rd!",
					1, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER},
			/* No prompt for anybody when the code is appended or no method has totp. */
			{"append mode, unknown name: no prompt", APPEND, "nosuchuser", "some-Passw0rd!", 0,
					SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER},
			{"append mode, enrolled, wrong password: no prompt", APPEND, "carol",
					"carol-wrong-Passw0rd!12345678", 0, SENDSEC_DENIED,
					SENDSEC_REASON_BAD_PASSWORD},
			{"methods password, unknown name: no prompt", PW, "nosuchuser", "some-Passw0rd!", 0,
					SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER},
			{"methods password, disabled account: no prompt", PW, "dave", NULL, 0, SENDSEC_DENIED,
					SENDSEC_REASON_DISABLED},
	};
	static const char *const extra[N_CONFS] = {
			[DENY] = ("methods password+totp\nlockout_threshold 2\nrehash no\n"
				  "argon2_opslimit 3\nargon2_memlimit 4096\n"),
			[ALLOW] = "methods password+totp\ntotp_unenrolled allow\nlockout_threshold 0\nrehash no\n",
			[EITHER] = "methods password password+totp\nlockout_threshold 0\nrehash no\n",
			[APPEND] = "methods password+totp\notp_mode append\nlockout_threshold 0\nrehash no\n",
			[PW] = "methods password\nlockout_threshold 0\nrehash no\n",
	};
	struct sendsec_ctx *ctx[N_CONFS];
	struct sendsec_outcome out;
	char b32[64], *conf_deny = NULL;

	clk.now = time(NULL);
	for (int i = 0; i < N_CONFS; i++) {
		char *conf = copy(itest_write_conf(true, extra[i]));

		ctx[i] = ctx_for(conf);
		if (i == DENY)
			conf_deny = conf;
		else
			free(conf);
	}
	CHECK(totp_enroll(sendsecctl, conf_deny, "erin", b32) == 0);
	sodium_memzero(b32, sizeof(b32));
	CHECK(itest_ldapmodify("dn: uid=mallory,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "replace: sendsecAllowedNetwork\nsendsecAllowedNetwork: 192.0.2.0/24\n") == 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *pw = cases[i].password != NULL ? cases[i].password : itest_pw(cases[i].user);
		unsigned n = prompts_of(ctx[cases[i].conf], cases[i].user, pw, &out);

		if (n != cases[i].prompts)
			fprintf(stderr, "not ok - %s: %u prompts\n", cases[i].what, n);
		CHECK_EQ_INT(n, cases[i].prompts);
		EXPECT(cases[i].what, &out, cases[i].want, cases[i].reason);
	}

	CHECK(itest_ldapmodify("dn: uid=mallory,ou=people,dc=example,dc=test\nchangetype: modify\n"
			       "delete: sendsecAllowedNetwork\n") == 0);
	for (int i = 0; i < N_CONFS; i++)
		sendsec_ctx_free(ctx[i]);
	free(conf_deny);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/sendsecctl (under with-slapd.sh)\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	sendsecctl = argv[1];
	test_prompt_and_append();
	test_recovery_and_remove();
	test_sha2_plain_tokens();
	test_sealed();
	test_plain_refused_with_key();
	test_key_needs_apikey_method();
	test_prompts_tell_nothing();
	return check_report(argv[0]);
}
