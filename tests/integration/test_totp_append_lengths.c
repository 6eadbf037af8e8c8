/* test_totp_append_lengths.c — a code appended to the password (SASL; PAM with otp_mode append)
 * when the account's tokens give codes of different lengths (a 6-digit TOTP token and an 8-digit
 * HOTP token): each length works, a recovery code works, and a login costs at most one password
 * verification per distinct code length, shortest first. The verifications are counted as the
 * directory sees them (password_check bind: one BIND per verification, in slapd's stats log).
 * Codes from oathtool. Usage (under with-slapd.sh, SENDSEC_TEST_SLAPD_DEBUG=stats):
 * test_totp_append_lengths PATH/TO/sendsecctl */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF "methods password+totp\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"

static const char *sendsecctl;
static struct itest_clock clk;

/* The simple binds as user's DN that slapd has logged so far. */
static int binds_as(const char *user)
{
	char path[512], line[2048], needle[256];
	FILE *f;
	int n = 0;

	usleep(100 * 1000); /* slapd writes the line as it takes the request; leave it a moment */
	snprintf(path, sizeof(path), "%s/slapd.log", itest_env("DIR"));
	snprintf(needle, sizeof(needle), "BIND dn=\"%s\" method=128", itest_user_dn(user));
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* Logs user in with password + code appended (no prompt), and counts the binds it took. */
static int appended(
		struct sendsec_ctx *ctx, const char *user, bool is_wrong, const char *code, struct sendsec_outcome *out)
{
	char buf[256];
	int before = binds_as(user);

	snprintf(buf, sizeof(buf), "%s%s%s", itest_pw(user), is_wrong ? "x" : "", code);
	totp_login(ctx, user, buf, NULL, true, out);
	sodium_memzero(buf, sizeof(buf));
	return binds_as(user) - before;
}

int main(int argc, char **argv)
{
	struct sendsec_outcome out;
	struct sendsec_ctx *local, *bind;
	char totp_hex[41], hotp_hex[41], bob_hex[41], code[16], codes[1024];
	const char *recovery[] = {NULL, "--config", NULL, "recovery", "carol", NULL};
	time_t t0 = (time(NULL) / 30) * 30 + 10;

	sendsecctl = totp_test_start(argc, argv, "with-slapd.sh");
	local = itest_ctx(CONF);
	bind = itest_ctx(CONF "password_check bind\n");
	sendsec_ctx_set_clock(local, itest_clock_now, &clk);
	sendsec_ctx_set_clock(bind, itest_clock_now, &clk);
	CHECK(totp_add_token("carol", "carol-phone", "totp", "totp-sha1-6", NULL, "oathTOTPToken", totp_hex) == 0);
	CHECK(totp_add_token("carol", "carol-fob", "hotp", "hotp-sha1-8", NULL, "oathHOTPToken", hotp_hex) == 0);
	CHECK(totp_add_token("bob", "bob-phone", "totp", "totp-sha1-6", NULL, "oathTOTPToken", bob_hex) == 0);
	if (getenv("SENDSEC_TEST_SLAPD_DEBUG") == NULL) {
		fprintf(stderr, "needs SENDSEC_TEST_SLAPD_DEBUG=stats\n");
		return 1;
	}

	/* Each length works, in local and bind mode; a wrong password is a wrong password. */
	clk.now = t0;
	totp_code(totp_hex, true, "SHA1", 6, clk.now, code);
	appended(local, "carol", false, code, &out);
	EXPECT("local: password + the 6-digit TOTP code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "carol-phone");
	hotp_code(hotp_hex, 8, 0, code);
	appended(local, "carol", false, code, &out);
	EXPECT("local: password + the 8-digit HOTP code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "carol-fob");
	hotp_code(hotp_hex, 8, 1, code);
	appended(local, "carol", true, code, &out);
	EXPECT("local: a wrong password + an 8-digit code", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);

	/* One verification per distinct length at most: counted as binds. */
	clk.now = t0 + 30;
	totp_code(totp_hex, true, "SHA1", 6, clk.now, code);
	CHECK_EQ_INT(appended(bind, "carol", false, code, &out), 1);
	EXPECT("bind: password + 6 digits: the first split (6) verifies", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	hotp_code(hotp_hex, 8, 1, code);
	CHECK_EQ_INT(appended(bind, "carol", false, code, &out), 2);
	EXPECT("bind: password + 8 digits: 6 is tried, then 8", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "carol-fob");
	hotp_code(hotp_hex, 8, 2, code);
	CHECK_EQ_INT(appended(bind, "carol", true, code, &out), 2);
	EXPECT("bind: a wrong password costs one bind per length (2)", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	totp_code(bob_hex, true, "SHA1", 6, clk.now, code);
	CHECK_EQ_INT(appended(bind, "bob", true, code, &out), 1);
	EXPECT("bind: one length only (bob): a wrong password costs one bind", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_PASSWORD);
	CHECK_EQ_INT(appended(bind, "bob", false, code, &out), 1);
	EXPECT("bind: bob's password + code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);

	/* A recovery code: its printed form decides the split up front (one bind). */
	recovery[0] = sendsecctl;
	recovery[2] = itest_write_conf(true, CONF);
	CHECK_EQ_INT(itest_run(recovery, NULL, codes, sizeof(codes)), 0);
	codes[19] = '\0';
	CHECK_EQ_INT(appended(bind, "carol", false, codes, &out), 1);
	EXPECT("bind: password + a recovery code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.method, "recovery");
	sodium_memzero(codes, sizeof(codes));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(totp_hex, sizeof(totp_hex));
	sodium_memzero(hotp_hex, sizeof(hotp_hex));
	sodium_memzero(bob_hex, sizeof(bob_hex));
	sendsec_ctx_free(local);
	sendsec_ctx_free(bind);
	return check_report(argv[0]);
}
