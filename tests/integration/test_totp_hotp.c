/* test_totp_hotp.c — HOTP tokens (OATH-LDAP oathHOTPToken, counter in oathHOTPCounter, look-ahead
 * on the oathHOTPParams entry) against the fixture slapd, codes from oathtool --hotp: enrolment
 * through sendsecctl with a hardware seed (stdin) or a generated one (8 digits), the look-ahead
 * window's edges, the counter stored past the match, codes behind it refused as replays,
 * --counter, six processes racing on one code (exactly one wins, with and without a stored
 * counter), sendsecctl hotp resync, and bad data (params out of range, SHA-256, a malformed
 * counter, a missing params entry) answered as unavailable with a log line naming the token.
 * Usage (under with-slapd.sh): test_totp_hotp PATH/TO/sendsecctl */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "itest.h"
#include "totp_itest.h"

#define CONF   "methods password+totp\nlockout_threshold 0\nrehash no\nargon2_opslimit 3\nargon2_memlimit 4096\n"
#define RACERS 6

static const char *sendsecctl;
static char *conf;

/* sendsecctl hotp enroll USER --secret - (hex on stdin) [--name NAME] [--counter N]; exit status. */
static int enroll(const char *user, const char *hex, const char *name, const char *counter)
{
	const char *argv[13] = {sendsecctl, "--config", conf, "hotp", "enroll", user, "--secret", "-"};
	char input[160], out[512];
	size_t n = 8;
	int rc;

	if (name != NULL) {
		argv[n++] = "--name";
		argv[n++] = name;
	}
	if (counter != NULL) {
		argv[n++] = "--counter";
		argv[n++] = counter;
	}
	argv[n] = NULL;
	snprintf(input, sizeof(input), "%s\n", hex);
	rc = itest_run(argv, input, out, sizeof(out));
	sodium_memzero(input, sizeof(input));
	return rc;
}

/* A fresh 20-byte seed as hex into hex (41 bytes), as a hardware token's seed file gives it. */
static void new_seed(char *hex)
{
	unsigned char seed[20];

	randombytes_buf(seed, sizeof(seed));
	sodium_bin2hex(hex, 41, seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
}

/* The token DN user links with attr (read as the rootdn) into dn (256 bytes). */
static void token_dn(const char *user, const char *attr, char *dn)
{
	if (!totp_read_attr(itest_user_dn(user), attr, dn, 256)) {
		fprintf(stderr, "%s has no %s\n", user, attr);
		exit(1);
	}
}

/* oathHOTPCounter of dn as text, "none" when absent. */
static const char *counter_of(const char *dn)
{
	static char value[64];

	if (!totp_read_attr(dn, "oathHOTPCounter", value, sizeof(value)))
		snprintf(value, sizeof(value), "none");
	return value;
}

static enum sendsec_result login_code(struct sendsec_ctx *ctx, const char *user, const char *hex, unsigned digits,
		unsigned long long counter, struct sendsec_outcome *out)
{
	char code[16];
	enum sendsec_result rc;

	hotp_code(hex, digits, counter, code);
	rc = totp_login(ctx, user, itest_pw(user), code, false, out);
	sodium_memzero(code, sizeof(code));
	return rc;
}

static void test_window_and_counter(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	char hex[41], dn[256], code[16], buf[128];

	new_seed(hex);
	CHECK_EQ_INT(enroll("alice", hex, "key1", NULL), 0);
	token_dn("alice", "oathHOTPToken", dn);
	CHECK_STR(counter_of(dn), "none");

	login_code(ctx, "alice", hex, 6, 0, &out);
	EXPECT("the token's first code (counter 0)", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "key1");
	CHECK_STR(counter_of(dn), "0");
	login_code(ctx, "alice", hex, 6, 0, &out);
	EXPECT("the same code again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	CHECK_STR(out.token, "key1");
	login_code(ctx, "alice", hex, 6, 12, &out);
	EXPECT("counter 12: one past the look-ahead (10 after counter 0 + 1)", &out, SENDSEC_DENIED,
			SENDSEC_REASON_BAD_TOTP);
	CHECK_STR(counter_of(dn), "0");
	login_code(ctx, "alice", hex, 6, 11, &out);
	EXPECT("counter 11: the last one inside the look-ahead", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(counter_of(dn), "11");
	login_code(ctx, "alice", hex, 6, 5, &out);
	EXPECT("counter 5, skipped and now behind the counter", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	login_code(ctx, "alice", hex, 6, 11, &out);
	EXPECT("counter 11 again", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	login_code(ctx, "alice", hex, 6, 12, &out);
	EXPECT("counter 12, now the next one", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(counter_of(dn), "12");
	/* Appended to the password (SASL, otp_mode append). */
	hotp_code(hex, 6, 13, code);
	snprintf(buf, sizeof(buf), "%s%s", itest_pw("alice"), code);
	totp_login(ctx, "alice", buf, NULL, true, &out);
	EXPECT("counter 13 appended to the password", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(counter_of(dn), "13");

	/* --counter N: the seed of a token that has been used N times elsewhere. */
	CHECK_EQ_INT(enroll("bob", hex, "hw", "1000"), 0);
	token_dn("bob", "oathHOTPToken", dn);
	CHECK_STR(counter_of(dn), "999");
	login_code(ctx, "bob", hex, 6, 999, &out);
	EXPECT("--counter 1000: code 999 is behind", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	login_code(ctx, "bob", hex, 6, 1000, &out);
	EXPECT("--counter 1000: code 1000 is the next", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(counter_of(dn), "1000");
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(buf, sizeof(buf));
	sendsec_ctx_free(ctx);
}

/* RACERS processes, each its own context and connection (hosts), submit the code of counter at
 * once; returns how many succeeded, and counts the totp_replayed refusals in *replayed_out. */
static int race(const char *user, const char *hex, unsigned long long counter, int *replayed_out)
{
	const char *confs[RACERS], *answers[RACERS];
	struct itest_race r;
	char code[16];

	hotp_code(hex, 6, counter, code);
	for (int i = 0; i < RACERS; i++) {
		confs[i] = conf;
		answers[i] = code;
	}
	itest_race(RACERS, confs, user, itest_pw(user), answers, 0, &r);
	sodium_memzero(code, sizeof(code));
	*replayed_out = r.replayed;
	return r.ok;
}

static void test_race(void)
{
	char hex[41], dn[256];

	new_seed(hex);
	CHECK_EQ_INT(enroll("carol", hex, NULL, NULL), 0);
	token_dn("carol", "oathHOTPToken", dn);
	for (unsigned long long counter = 0; counter < 4; counter++) {
		int replayed, ok = race("carol", hex, counter, &replayed);

		printf("%s - counter %llu (%s): %d of %d processes succeed, %d refused as replays\n",
				ok == 1 && replayed == RACERS - 1 ? "ok" : "not ok", counter,
				counter == 0 ? "no counter stored yet: add only" : "delete old + add new", ok, RACERS,
				replayed);
		CHECK_EQ_INT(ok, 1);
		CHECK_EQ_INT(replayed, RACERS - 1);
		CHECK_EQ_INT(strtoull(counter_of(dn), NULL, 10), counter);
	}
	sodium_memzero(hex, sizeof(hex));
}

/* sendsecctl hotp resync grace CODE1 CODE2 [--window window] with the codes of counters n1 and n2;
 * its output into text (512 bytes); returns its exit status. */
static int resync(const char *hex, unsigned long long n1, unsigned long long n2, const char *window, char *text)
{
	char c1[16], c2[16];
	const char *argv[] = {sendsecctl, "--config", conf, "hotp", "resync", "grace", c1, c2,
			window != NULL ? "--window" : NULL, window, NULL};
	int rc;

	hotp_code(hex, 6, n1, c1);
	hotp_code(hex, 6, n2, c2);
	rc = itest_run(argv, NULL, text, 512);
	sodium_memzero(c1, sizeof(c1));
	sodium_memzero(c2, sizeof(c2));
	return rc;
}

static void test_resync(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	char hex[41], dn[256], text[512];

	new_seed(hex);
	CHECK_EQ_INT(enroll("grace", hex, "fob", NULL), 0);
	token_dn("grace", "oathHOTPToken", dn);
	login_code(ctx, "grace", hex, 6, 0, &out);
	EXPECT("grace's first code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	/* The button was pressed 59 times away from a login. */
	login_code(ctx, "grace", hex, 6, 60, &out);
	EXPECT("counter 60 is far beyond the look-ahead", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	CHECK_EQ_INT(resync(hex, 60, 61, NULL, text), 0);
	CHECK(strstr(text, "counter 61 ") != NULL);
	CHECK_STR(counter_of(dn), "61");
	login_code(ctx, "grace", hex, 6, 61, &out);
	EXPECT("the second resync code is used up", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	login_code(ctx, "grace", hex, 6, 62, &out);
	EXPECT("the code after the resync pair", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	/* Not consecutive; behind the counter; beyond --window: refused, counter unchanged. */
	CHECK_EQ_INT(resync(hex, 70, 72, NULL, text), 1);
	CHECK_EQ_INT(resync(hex, 40, 41, NULL, text), 1);
	CHECK_EQ_INT(resync(hex, 80, 81, "5", text), 1);
	CHECK_EQ_INT(resync(hex, 80, 81, "20", text), 0);
	CHECK_STR(counter_of(dn), "81");
	CHECK_EQ_INT(resync(hex, 80, 81, "1", text), 2); /* a usage error */
	sodium_memzero(hex, sizeof(hex));
	sendsec_ctx_free(ctx);
}

static void test_generated_8_digits(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	const char *argv[] = {sendsecctl, "--config", conf, "hotp", "enroll", "frank", "--generate", "--digits", "8",
			"--no-qr", NULL};
	char text[1024], hex[160];
	const char *nl;

	CHECK_EQ_INT(itest_run(argv, NULL, text, sizeof(text)), 0);
	CHECK(strncmp(text, "otpauth://hotp/", 15) == 0 && strstr(text, "digits=8&counter=0") != NULL);
	nl = strchr(text, '\n');
	CHECK(nl != NULL && strlen(nl + 1) == 41);
	snprintf(hex, sizeof(hex), "%.40s", nl != NULL ? nl + 1 : "");
	login_code(ctx, "frank", hex, 8, 0, &out);
	EXPECT("a generated 8-digit HOTP token's first code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	login_code(ctx, "frank", hex, 6, 1, &out); /* six digits where eight are expected */
	EXPECT("a 6-digit code for an 8-digit token", &out, SENDSEC_DENIED, SENDSEC_REASON_BAD_TOTP);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(hex, sizeof(hex));
	sendsec_ctx_free(ctx);
}

/* One bad-data case on erin's token entry, rewritten for each (erin must change her password: a
 * login whose code was accepted ends in change_required, so unavailable is the token's doing). */
static void expect_unavailable(struct sendsec_ctx *ctx, const char *what, const char *hex, const char *log_text)
{
	struct sendsec_outcome out;

	totp_log_clear();
	login_code(ctx, "erin", hex, 6, 0, &out);
	EXPECT(what, &out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	CHECK(totp_log_has("cn=erin-hotp,ou=tokens,dc=example,dc=test"));
	CHECK(totp_log_has(log_text));
}

/* A seed enrolled twice on one account would give two tokens with their own counters, so each
 * code would work twice: the second enrollment is refused, in either case of hex digits. */
static void test_seed_enrolled_twice(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	char hex[41], upper[41], other[41];

	new_seed(hex);
	new_seed(other);
	for (size_t i = 0; i < sizeof(hex); i++)
		upper[i] = (char)toupper((unsigned char)hex[i]);
	CHECK_EQ_INT(enroll("frank", hex, "fob1", NULL), 0);
	CHECK_EQ_INT(enroll("frank", hex, "fob2", NULL), 1);
	CHECK_EQ_INT(enroll("frank", upper, "fob2", "5"), 1);
	CHECK_EQ_INT(enroll("frank", other, "fob2", NULL), 0);
	login_code(ctx, "frank", hex, 6, 0, &out);
	EXPECT("the seed's first code", &out, SENDSEC_OK, SENDSEC_REASON_NONE);
	CHECK_STR(out.token, "fob1");
	login_code(ctx, "frank", hex, 6, 0, &out);
	EXPECT("the same code again: no second token takes it", &out, SENDSEC_DENIED, SENDSEC_REASON_TOTP_REPLAYED);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(upper, sizeof(upper));
	sodium_memzero(other, sizeof(other));
	sendsec_ctx_free(ctx);
}

static void test_bad_data(void)
{
	struct sendsec_ctx *ctx = totp_ctx_logged(conf);
	struct sendsec_outcome out;
	char hex[41];

	CHECK(itest_ldapmodify("dn: cn=hotp-wide,ou=params,dc=example,dc=test\nchangetype: add\n"
			       "objectClass: applicationProcess\nobjectClass: oathHOTPParams\ncn: hotp-wide\n"
			       "oathOTPLength: 6\noathHMACAlgorithm: 1.2.840.113549.2.7\noathHOTPLookAhead: 500\n\n"
			       "dn: cn=hotp-sha256,ou=params,dc=example,dc=test\nchangetype: add\n"
			       "objectClass: applicationProcess\nobjectClass: oathHOTPParams\ncn: hotp-sha256\n"
			       "oathOTPLength: 6\noathHMACAlgorithm: 1.2.840.113549.2.9\noathHOTPLookAhead: 5\n") == 0);
	CHECK(totp_add_token("erin", "erin-hotp", "hotp", "hotp-sha1-6", NULL, "oathHOTPToken", hex) == 0);
	login_code(ctx, "erin", hex, 6, 0, &out);
	EXPECT("a well-formed token written by ldapmodify (erin must change her password)", &out,
			SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	CHECK(itest_ldapmodify(
			      "dn: cn=erin-hotp,ou=tokens,dc=example,dc=test\nchangetype: modify\n"
			      "replace: oathHOTPParams\noathHOTPParams: cn=hotp-wide,ou=params,dc=example,dc=test\n") ==
			0);
	expect_unavailable(ctx, "oathHOTPLookAhead 500 is out of range", hex, "out of range");
	CHECK(itest_ldapmodify("dn: cn=erin-hotp,ou=tokens,dc=example,dc=test\nchangetype: modify\n"
			       "replace: oathHOTPParams\noathHOTPParams: "
			       "cn=hotp-sha256,ou=params,dc=example,dc=test\n") == 0);
	expect_unavailable(ctx, "HOTP with HMAC-SHA-256 params", hex, "other than HMAC-SHA1");
	CHECK(itest_ldapmodify("dn: cn=erin-hotp,ou=tokens,dc=example,dc=test\nchangetype: modify\n"
			       "replace: oathHOTPParams\noathHOTPParams: cn=gone,ou=params,dc=example,dc=test\n") == 0);
	expect_unavailable(ctx, "a params entry that does not exist", hex, "does not exist");
	CHECK(itest_ldapmodify("dn: cn=erin-hotp,ou=tokens,dc=example,dc=test\nchangetype: modify\n"
			       "replace: oathHOTPParams\noathHOTPParams: "
			       "cn=hotp-sha1-6,ou=params,dc=example,dc=test\n-\n"
			       "replace: oathHOTPCounter\noathHOTPCounter: -1\n") == 0);
	expect_unavailable(ctx, "a negative oathHOTPCounter", hex, "malformed oathHOTPCounter");
	CHECK(itest_ldapmodify("dn: cn=erin-hotp,ou=tokens,dc=example,dc=test\nchangetype: delete\n") == 0);
	expect_unavailable(ctx, "a linked token entry that does not exist", hex, "does not exist");
	sodium_memzero(hex, sizeof(hex));
	sendsec_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	sendsecctl = totp_test_start(argc, argv, "with-slapd.sh");
	if ((conf = strdup(itest_write_conf(true, CONF))) == NULL)
		return 1;
	test_window_and_counter();
	test_race();
	test_resync();
	test_generated_8_digits();
	test_seed_enrolled_twice();
	test_bad_data();
	free(conf);
	return check_report(argv[0]);
}
