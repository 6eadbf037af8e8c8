/* test_totp.c — sendsec_totp_*: codes from the independent oathtool accepted for SHA-1/256/512,
 * 6/8 digits and 30/60 s periods, window edges, malformed codes, replay rules, the RFC 6238
 * appendix B vectors, sealing round trips and tampering, plain secrets, otpauth:// URIs (their
 * base32 against Python's for every secret length).
 * No secret or code is ever printed. */
#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "secret.h"
#include "totp.h"

static const unsigned char rfc_seed20[] = "12345678901234567890";
static const unsigned char rfc_seed32[] = "12345678901234567890123456789012";
static const unsigned char rfc_seed64[] = "1234567890123456789012345678901234567890123456789012345678901234";

static struct sendsec_totp_params params(enum sendsec_totp_alg alg, unsigned digits, unsigned period, unsigned window)
{
	struct sendsec_totp_params p = {.alg = alg, .digits = digits, .period = period, .window = window};

	return p;
}

/* Asks oathtool for the code at time t; false if oathtool failed. code_out holds 16 bytes. */
static bool oathtool_code(const unsigned char *secret, size_t len, const struct sendsec_totp_params *p, time_t t,
		char code_out[16])
{
	char hex[2 * 64 + 1], cmd[512];
	FILE *f;
	bool is_ok = false;

	code_out[0] = '\0';
	if (len > 64)
		return false;
	sodium_bin2hex(hex, sizeof(hex), secret, len);
	snprintf(cmd, sizeof(cmd), "oathtool --totp=%s -d %u -s %us -N '@%lld' %s", sendsec_totp_alg_name(p->alg),
			p->digits, p->period, (long long)t, hex);
	if ((f = popen(cmd, "r")) == NULL)
		goto out;
	if (fgets(code_out, 16, f) != NULL) {
		code_out[strcspn(code_out, "\n")] = '\0';
		is_ok = strlen(code_out) == p->digits;
	}
	if (pclose(f) != 0)
		is_ok = false;
out:
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(cmd, sizeof(cmd));
	return is_ok;
}

static void test_params_and_oids(void)
{
	struct sendsec_totp_params p;
	enum sendsec_totp_alg alg = SENDSEC_TOTP_SHA1;

	memset(&p, 0xff, sizeof(p));
	sendsec_totp_params_default(&p);
	CHECK(p.alg == SENDSEC_TOTP_SHA1 && p.digits == 6 && p.period == 30 && p.window == 1);

	CHECK(sendsec_totp_alg_from_oid("1.2.840.113549.2.9", &alg) && alg == SENDSEC_TOTP_SHA256);
	CHECK(sendsec_totp_alg_from_oid("1.2.840.113549.2.11", &alg) && alg == SENDSEC_TOTP_SHA512);
	CHECK(sendsec_totp_alg_from_oid("1.2.840.113549.2.7", &alg) && alg == SENDSEC_TOTP_SHA1);
	CHECK(!sendsec_totp_alg_from_oid("1.2.840.113549.2.8", &alg));
	CHECK(!sendsec_totp_alg_from_oid("1.2.840.113549.2.7 ", &alg));
	CHECK(!sendsec_totp_alg_from_oid("", &alg));
	CHECK(!sendsec_totp_alg_from_oid(NULL, &alg));
	CHECK_STR(sendsec_totp_alg_oid(SENDSEC_TOTP_SHA1), "1.2.840.113549.2.7");
	CHECK_STR(sendsec_totp_alg_oid(SENDSEC_TOTP_SHA256), "1.2.840.113549.2.9");
	CHECK_STR(sendsec_totp_alg_oid(SENDSEC_TOTP_SHA512), "1.2.840.113549.2.11");
	CHECK_STR(sendsec_totp_alg_name(SENDSEC_TOTP_SHA256), "SHA256");
	CHECK(sendsec_totp_alg_name((enum sendsec_totp_alg)7) == NULL);
}

/* RFC 6238 appendix B, 8 digits, 30 s. */
static void test_rfc6238_vectors(void)
{
	static const struct {
		long long t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
			{59, "94287082", "46119246", "90693936"},
			{1111111109, "07081804", "68084774", "25091201"},
			{1111111111, "14050471", "67062674", "99943326"},
			{1234567890, "89005924", "91819424", "93441116"},
			{2000000000, "69279037", "90698825", "38618901"},
			{20000000000LL, "65353130", "77737706", "47863826"},
	};
	struct sendsec_totp_params p1 = params(SENDSEC_TOTP_SHA1, 8, 30, 1);
	struct sendsec_totp_params p256 = params(SENDSEC_TOTP_SHA256, 8, 30, 1);
	struct sendsec_totp_params p512 = params(SENDSEC_TOTP_SHA512, 8, 30, 1);
	char code[9];
	uint64_t step;
	bool replayed;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		time_t t = (time_t)v[i].t;

		CHECK(sendsec_totp_generate(rfc_seed20, 20, &p1, t, code, sizeof(code)) == SENDSEC_OK);
		CHECK_STR(code, v[i].sha1);
		CHECK(sendsec_totp_generate(rfc_seed32, 32, &p256, t, code, sizeof(code)) == SENDSEC_OK);
		CHECK_STR(code, v[i].sha256);
		CHECK(sendsec_totp_generate(rfc_seed64, 64, &p512, t, code, sizeof(code)) == SENDSEC_OK);
		CHECK_STR(code, v[i].sha512);
		/* and the verifier agrees, at the vector's own step */
		CHECK(sendsec_totp_verify(rfc_seed64, 64, &p512, t, false, 0, v[i].sha512, &step, &replayed) ==
				SENDSEC_OK);
		CHECK(step == (uint64_t)v[i].t / 30);
	}
	/* the output buffer must hold digits + NUL */
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p1, 59, code, 8) == SENDSEC_UNAVAILABLE);
	sodium_memzero(code, sizeof(code));
}

/* Codes made by oathtool are accepted at their own time, for every algorithm, length and period. */
static void test_oathtool_codes_accepted(void)
{
	static const enum sendsec_totp_alg algs[] = {SENDSEC_TOTP_SHA1, SENDSEC_TOTP_SHA256, SENDSEC_TOTP_SHA512};
	static const size_t key_len[] = {20, 32, 64};
	static const unsigned digits[] = {6, 8};
	static const unsigned periods[] = {30, 60};
	static const long long times[] = {1700000000LL, 1234567891LL};
	unsigned char secret[64];
	char code[16], mine[9];

	for (size_t a = 0; a < 3; a++) {
		for (size_t d = 0; d < 2; d++) {
			for (size_t q = 0; q < 2; q++) {
				for (size_t t = 0; t < 2; t++) {
					struct sendsec_totp_params p = params(algs[a], digits[d], periods[q], 0);
					time_t now = (time_t)(times[t] + (long long)randombytes_uniform(100000));
					uint64_t step = 0;
					bool replayed = true;

					randombytes_buf(secret, key_len[a]);
					CHECK(oathtool_code(secret, key_len[a], &p, now, code));
					CHECK(sendsec_totp_verify(secret, key_len[a], &p, now, false, 0, code, &step,
							      &replayed) == SENDSEC_OK);
					CHECK(step == (uint64_t)now / periods[q]);
					CHECK(!replayed);
					CHECK(sendsec_totp_generate(secret, key_len[a], &p, now, mine, sizeof(mine)) ==
							SENDSEC_OK);
					CHECK(strlen(mine) == digits[d] && sodium_memcmp(mine, code, digits[d]) == 0);
				}
			}
		}
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(mine, sizeof(mine));
}

static enum sendsec_result verify_step_code(const unsigned char *secret, size_t len,
		const struct sendsec_totp_params *p, time_t now, uint64_t code_step, bool has_last, uint64_t last,
		uint64_t *step_out, bool *replayed_out)
{
	char code[9];
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	if (sendsec_totp_generate(secret, len, p, (time_t)(code_step * p->period), code, sizeof(code)) == SENDSEC_OK)
		rc = sendsec_totp_verify(secret, len, p, now, has_last, last, code, step_out, replayed_out);
	sodium_memzero(code, sizeof(code));
	return rc;
}

/* Codes of the steps now-window..now+window are accepted, nothing outside. Checked against
 * oathtool too, so the edges are not only consistent with our own generator. */
static void test_window_edges(void)
{
	struct sendsec_totp_params p1 = params(SENDSEC_TOTP_SHA1, 6, 30, 1);
	struct sendsec_totp_params p0 = params(SENDSEC_TOTP_SHA1, 6, 30, 0);
	struct sendsec_totp_params p60 = params(SENDSEC_TOTP_SHA256, 8, 60, 1);
	const time_t now = 1700000015; /* the middle of step 56666667 (30 s) */
	const uint64_t s = (uint64_t)now / 30;
	unsigned char secret[20];
	char code[16];
	uint64_t step = 0;
	bool replayed = false;

	randombytes_buf(secret, sizeof(secret));
	CHECK(verify_step_code(secret, 20, &p1, now, s - 1, false, 0, &step, &replayed) == SENDSEC_OK);
	CHECK(step == s - 1);
	CHECK(verify_step_code(secret, 20, &p1, now, s + 1, false, 0, &step, &replayed) == SENDSEC_OK);
	CHECK(step == s + 1);
	CHECK(verify_step_code(secret, 20, &p1, now, s - 2, false, 0, &step, &replayed) == SENDSEC_DENIED);
	CHECK(!replayed);
	CHECK(verify_step_code(secret, 20, &p1, now, s + 2, false, 0, &step, &replayed) == SENDSEC_DENIED);
	CHECK(verify_step_code(secret, 20, &p0, now, s, false, 0, &step, &replayed) == SENDSEC_OK);
	CHECK(step == s);
	CHECK(verify_step_code(secret, 20, &p0, now, s - 1, false, 0, &step, &replayed) == SENDSEC_DENIED);
	CHECK(verify_step_code(secret, 20, &p0, now, s + 1, false, 0, &step, &replayed) == SENDSEC_DENIED);

	/* oathtool's code of 30 s earlier is accepted with window 1, of 60 s earlier refused */
	CHECK(oathtool_code(secret, 20, &p1, now - 30, code));
	CHECK(sendsec_totp_verify(secret, 20, &p1, now, false, 0, code, &step, &replayed) == SENDSEC_OK);
	CHECK(step == s - 1);
	CHECK(oathtool_code(secret, 20, &p1, now - 60, code));
	CHECK(sendsec_totp_verify(secret, 20, &p1, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	CHECK(sendsec_totp_verify(secret, 20, &p0, now - 60, false, 0, code, &step, &replayed) == SENDSEC_OK);

	/* a 60 s period counts steps of 60 s */
	CHECK(oathtool_code(secret, 20, &p60, now + 60, code));
	CHECK(sendsec_totp_verify(secret, 20, &p60, now, false, 0, code, &step, &replayed) == SENDSEC_OK);
	CHECK(step == (uint64_t)now / 60 + 1);
	CHECK(oathtool_code(secret, 20, &p60, now + 120, code));
	CHECK(sendsec_totp_verify(secret, 20, &p60, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);

	/* near the epoch the window is cut at step 0 instead of wrapping */
	CHECK(verify_step_code(secret, 20, &p1, 10, 0, false, 0, &step, &replayed) == SENDSEC_OK);
	CHECK(step == 0);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(code, sizeof(code));
}

/* The code rules TOTP and HOTP share (sendsec_otp_*): exactly that many decimal digits, and a
 * candidate equal to the code only when it is as long. */
static void test_otp_code_rules(void)
{
	enum sendsec_result rc;

	CHECK(sendsec_otp_code_well_formed("123456", 6));
	CHECK(sendsec_otp_code_well_formed("12345678", 8));
	CHECK(!sendsec_otp_code_well_formed("12345", 6));
	CHECK(!sendsec_otp_code_well_formed("1234567", 6));
	CHECK(!sendsec_otp_code_well_formed("12a456", 6));
	CHECK(!sendsec_otp_code_well_formed("12345 ", 6));
	CHECK(!sendsec_otp_code_well_formed("", 6));
	CHECK(!sendsec_otp_code_well_formed(NULL, 6));
	CHECK(sendsec_otp_code_equal("123456", "123456", 6));
	CHECK(!sendsec_otp_code_equal("123457", "123456", 6));
	CHECK(!sendsec_otp_code_equal("023456", "123456", 6));
	CHECK(!sendsec_otp_code_equal("12345", "123456", 6));
	CHECK(!sendsec_otp_code_equal("1234567", "123456", 6));
	rc = sendsec_otp_begin("123456", 6);
	CHECK_RESULT(rc, SENDSEC_OK);
	if (rc == SENDSEC_OK)
		oath_done();
	CHECK_RESULT(sendsec_otp_begin("12345", 6), SENDSEC_DENIED);
	CHECK_RESULT(sendsec_otp_begin(NULL, 6), SENDSEC_DENIED);
}

static void test_malformed_codes_denied(void)
{
	struct sendsec_totp_params p = params(SENDSEC_TOTP_SHA1, 6, 30, 1);
	const time_t now = 1700000000;
	char code[16];
	uint64_t step;
	bool replayed;

	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, now, code, sizeof(code)) == SENDSEC_OK);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_OK);
	/* the right digits followed by more */
	code[6] = '0';
	code[7] = '\0';
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	code[6] = ' ';
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	/* too short */
	code[5] = '\0';
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, "", &step, &replayed) == SENDSEC_DENIED);
	/* a non-digit in place of a digit */
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, now, code, sizeof(code)) == SENDSEC_OK);
	code[2] = 'a';
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, now, code, sizeof(code)) == SENDSEC_OK);
	code[0] = (char)(code[0] + 0x10); /* '0'..'9' becomes '@'..'I' */
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	/* a wrong code of the right shape */
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, now, code, sizeof(code)) == SENDSEC_OK);
	code[3] = (char)('0' + (code[3] - '0' + 1) % 10);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_DENIED);
	CHECK(!replayed);
	sodium_memzero(code, sizeof(code));
}

static void test_params_out_of_range_unavailable(void)
{
	struct sendsec_totp_params ok = params(SENDSEC_TOTP_SHA1, 6, 30, 1), p;
	const time_t now = 1700000000;
	char code[16];
	uint64_t step;
	bool replayed;

	CHECK(sendsec_totp_generate(rfc_seed20, 20, &ok, now, code, sizeof(code)) == SENDSEC_OK);
	p = ok, p.digits = 5;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	p = ok, p.digits = 9;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	p = ok, p.period = 0;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	p = ok, p.period = 3601;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	p = ok, p.period = 3600;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) != SENDSEC_UNAVAILABLE);
	p = ok, p.window = 11;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	p = ok, p.window = 10;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_OK);
	p = ok, p.alg = (enum sendsec_totp_alg)3;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_verify(rfc_seed20, 0, &ok, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_verify(NULL, 20, &ok, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, NULL, now, false, 0, code, &step, &replayed) == SENDSEC_UNAVAILABLE);
	/* out of range params win over a malformed code: the stored data is what is broken */
	p = ok, p.digits = 0;
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, now, false, 0, "x", &step, &replayed) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, now, code, sizeof(code)) == SENDSEC_UNAVAILABLE);
	sodium_memzero(code, sizeof(code));
}

/* Step 910737 and 910738 of the RFC SHA-1 seed (6 digits, 30 s) share one code, found by search;
 * it shows that a replayed match does not hide a later unused one. */
#define TWIN_STEP 910737ULL

static void test_replay(void)
{
	struct sendsec_totp_params p = params(SENDSEC_TOTP_SHA1, 6, 30, 1);
	const time_t now = 1700000015;
	const uint64_t s = (uint64_t)now / 30;
	unsigned char secret[20];
	char a[9], b[9];
	uint64_t step = 0;
	bool replayed = false;

	randombytes_buf(secret, sizeof(secret));
	/* the matched step is the last used one: replay */
	CHECK(verify_step_code(secret, 20, &p, now, s, true, s, &step, &replayed) == SENDSEC_DENIED);
	CHECK(replayed);
	/* an earlier step than the last used one: replay */
	CHECK(verify_step_code(secret, 20, &p, now, s - 1, true, s, &step, &replayed) == SENDSEC_DENIED);
	CHECK(replayed);
	/* the step after the last used one: fine */
	replayed = true;
	CHECK(verify_step_code(secret, 20, &p, now, s, true, s - 1, &step, &replayed) == SENDSEC_OK);
	CHECK(!replayed);
	CHECK(step == s);
	/* without has_last, last_step is ignored */
	CHECK(verify_step_code(secret, 20, &p, now, s, false, s, &step, &replayed) == SENDSEC_OK);
	CHECK(step == s);
	/* a wrong code with a last step is not called a replay */
	CHECK(verify_step_code(secret, 20, &p, now, s - 5, true, s, &step, &replayed) == SENDSEC_DENIED);
	CHECK(!replayed);

	/* twin steps: precondition, then the unused twin wins over the used one */
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, (time_t)(TWIN_STEP * 30), a, sizeof(a)) == SENDSEC_OK);
	CHECK(sendsec_totp_generate(rfc_seed20, 20, &p, (time_t)((TWIN_STEP + 1) * 30), b, sizeof(b)) == SENDSEC_OK);
	CHECK(sodium_memcmp(a, b, 6) == 0);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, (time_t)((TWIN_STEP + 1) * 30), true, TWIN_STEP, a, &step,
			      &replayed) == SENDSEC_OK);
	CHECK(step == TWIN_STEP + 1);
	CHECK(!replayed);
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, (time_t)((TWIN_STEP + 1) * 30), true, TWIN_STEP + 1, a, &step,
			      &replayed) == SENDSEC_DENIED);
	CHECK(replayed);
	/* neither used: the earlier step is the one recorded */
	CHECK(sendsec_totp_verify(rfc_seed20, 20, &p, (time_t)((TWIN_STEP + 1) * 30), true, TWIN_STEP - 1, a, &step,
			      &replayed) == SENDSEC_OK);
	CHECK(step == TWIN_STEP);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(a, sizeof(a));
	sodium_memzero(b, sizeof(b));
}

static void test_seal_unseal(void)
{
	unsigned char key[32], other[32], secret[SENDSEC_TOTP_SECRET_MAX], out[SENDSEC_TOTP_SECRET_MAX];
	size_t out_len = 99;
	char *value = NULL, *value2 = NULL;
	size_t vlen;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(other, sizeof(other));
	randombytes_buf(secret, sizeof(secret));

	CHECK(sendsec_totp_seal(key, secret, 20, &value) == SENDSEC_OK);
	CHECK(value != NULL && strncmp(value, "{SEALED1}", 9) == 0);
	if (value == NULL)
		goto out;
	vlen = strlen(value);
	/* 24 + 16 + 20 = 60 bytes in base64 */
	CHECK(vlen == 9 + 80);
	CHECK(sendsec_totp_unseal(key, false, value, vlen, out, &out_len) == SENDSEC_OK);
	CHECK(out_len == 20 && sodium_memcmp(out, secret, 20) == 0);
	/* the nonce is fresh each time */
	CHECK(sendsec_totp_seal(key, secret, 20, &value2) == SENDSEC_OK);
	CHECK(value2 != NULL && strcmp(value, value2) != 0);
	/* wrong key, no key */
	CHECK(sendsec_totp_unseal(other, true, value, vlen, out, &out_len) == SENDSEC_UNAVAILABLE);
	CHECK(out_len == 0);
	CHECK(sendsec_totp_unseal(NULL, true, value, vlen, out, &out_len) == SENDSEC_UNAVAILABLE);
	/* one byte changed anywhere after the tag, to another base64 character */
	for (size_t i = 9; i < vlen - 2; i++) {
		char saved = value[i];
		enum sendsec_result rc;

		value[i] = saved == 'A' ? 'B' : 'A';
		rc = sendsec_totp_unseal(key, true, value, vlen, out, &out_len);
		value[i] = saved;
		if (rc != SENDSEC_UNAVAILABLE) {
			CHECK(rc == SENDSEC_UNAVAILABLE);
			break;
		}
	}
	/* truncated, extended, broken base64, too short, tag alone */
	CHECK(sendsec_totp_unseal(key, true, value, vlen - 4, out, &out_len) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_unseal(key, true, value, vlen - 1, out, &out_len) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_unseal(key, true, "{SEALED1}AAAA", 13, out, &out_len) == SENDSEC_UNAVAILABLE);
	/* trailing bytes after a valid encoding: the whole value must be base64 */
	free(value2);
	value2 = malloc(vlen + 2);
	if (value2 != NULL) {
		memcpy(value2, value, vlen);
		memcpy(value2 + vlen, "!", 2);
		CHECK(sendsec_totp_unseal(key, true, value2, vlen + 1, out, &out_len) == SENDSEC_UNAVAILABLE);
		free(value2);
		value2 = NULL;
	}
	CHECK(sendsec_totp_unseal(key, true, "{SEALED1}", 9, out, &out_len) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_unseal(key, true, "{SEALED1}!!!!", 13, out, &out_len) == SENDSEC_UNAVAILABLE);
	/* an unknown seal version is not read as a plain secret */
	CHECK(sendsec_totp_unseal(key, true, "{SEALED2}AAAA", 13, out, &out_len) == SENDSEC_UNAVAILABLE);
	/* only len bytes are read: the value cut before the tag ends is a (short) plain secret */
	CHECK(sendsec_totp_unseal(key, true, value, 3, out, &out_len) == SENDSEC_OK);
	CHECK(out_len == 3 && memcmp(out, "{SE", 3) == 0);
	free(value2);
	value2 = NULL;
	/* the largest secret round-trips; one byte more cannot be sealed */
	CHECK(sendsec_totp_seal(key, secret, SENDSEC_TOTP_SECRET_MAX, &value2) == SENDSEC_OK);
	CHECK(value2 != NULL && sendsec_totp_unseal(key, false, value2, strlen(value2), out, &out_len) == SENDSEC_OK &&
			out_len == SENDSEC_TOTP_SECRET_MAX && sodium_memcmp(out, secret, out_len) == 0);
	free(value2);
	value2 = NULL;
	CHECK(sendsec_totp_seal(key, secret, SENDSEC_TOTP_SECRET_MAX + 1, &value2) == SENDSEC_UNAVAILABLE);
	CHECK(value2 == NULL);
	CHECK(sendsec_totp_seal(key, secret, 0, &value2) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_seal(NULL, secret, 20, &value2) == SENDSEC_UNAVAILABLE);
out:
	free(value);
	free(value2);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(out, sizeof(out));
}

static void test_plain_secrets(void)
{
	unsigned char key[32], raw[SENDSEC_TOTP_SECRET_MAX + 1], out[SENDSEC_TOTP_SECRET_MAX];
	size_t out_len = 0;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(raw, sizeof(raw));
	raw[0] = 0; /* raw bytes, NULs included, never read as a string */
	raw[1] = '{';
	CHECK(sendsec_totp_unseal(key, true, (const char *)raw, 20, out, &out_len) == SENDSEC_OK);
	CHECK(out_len == 20 && memcmp(out, raw, 20) == 0);
	CHECK(sendsec_totp_unseal(NULL, true, (const char *)raw, 20, out, &out_len) == SENDSEC_OK);
	CHECK(out_len == 20);
	CHECK(sendsec_totp_unseal(key, false, (const char *)raw, 20, out, &out_len) == SENDSEC_UNAVAILABLE);
	CHECK(out_len == 0);
	CHECK(sendsec_totp_unseal(key, true, (const char *)raw, SENDSEC_TOTP_SECRET_MAX, out, &out_len) == SENDSEC_OK);
	CHECK(out_len == SENDSEC_TOTP_SECRET_MAX);
	CHECK(sendsec_totp_unseal(key, true, (const char *)raw, SENDSEC_TOTP_SECRET_MAX + 1, out, &out_len) ==
			SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_unseal(key, true, (const char *)raw, 0, out, &out_len) == SENDSEC_UNAVAILABLE);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(out, sizeof(out));
}

static void test_uri(void)
{
	struct sendsec_totp_params p = params(SENDSEC_TOTP_SHA256, 8, 60, 1);
	char *uri = NULL;

	/* RFC 4648 test vector: "foobar" is MZXW6YTBOI======, sent without padding */
	CHECK(sendsec_totp_uri("Example Corp", "alice smith@example.org", (const unsigned char *)"foobar", 6, &p,
			      &uri) == SENDSEC_OK);
	CHECK_STR(uri,
			"otpauth://totp/Example%20Corp:alice%20smith%40example.org?secret=MZXW6YTBOI"
			"&issuer=Example%20Corp&algorithm=SHA256&digits=8&period=60");
	secret_free(uri);
	uri = NULL;

	sendsec_totp_params_default(&p);
	CHECK(sendsec_totp_uri("a-b.c_d~e/f", "x", rfc_seed20, 20, &p, &uri) == SENDSEC_OK);
	CHECK(uri != NULL && strstr(uri, "otpauth://totp/a-b.c_d~e%2Ff:x?") == uri);
	CHECK(uri != NULL && strstr(uri, "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&") != NULL);
	CHECK(uri != NULL && strstr(uri, "&algorithm=SHA1&digits=6&period=30") != NULL);
	CHECK(uri != NULL && strchr(uri, '=') != NULL && strstr(uri, "==") == NULL);
	secret_free(uri);
	uri = NULL;

	/* without an issuer, the label is the account alone */
	CHECK(sendsec_totp_uri(NULL, "bob", rfc_seed20, 20, &p, &uri) == SENDSEC_OK);
	CHECK(uri != NULL && strncmp(uri, "otpauth://totp/bob?secret=", 26) == 0 && strstr(uri, "issuer") == NULL);
	secret_free(uri);
	uri = NULL;

	CHECK(sendsec_totp_uri("X", "", rfc_seed20, 20, &p, &uri) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_totp_uri("X", "bob", rfc_seed20, 0, &p, &uri) == SENDSEC_UNAVAILABLE);
	p.digits = 4;
	CHECK(sendsec_totp_uri("X", "bob", rfc_seed20, 20, &p, &uri) == SENDSEC_UNAVAILABLE);
	CHECK(uri == NULL);
}

/* The secret in the URI is RFC 4648 base32 without padding, as Python's base64.b32encode writes
 * it, for every secret length the URI accepts (1 to 128 bytes; test bytes, not real secrets). */
static void test_uri_base32_against_python(void)
{
	struct sendsec_totp_params p;
	unsigned char secret[SENDSEC_TOTP_SECRET_MAX];
	char hex[2 * SENDSEC_TOTP_SECRET_MAX + 1], want[256], path[] = "/tmp/sendsec-test-b32.XXXXXX", cmd[256];
	FILE *in, *out = NULL;
	int fd;

	sendsec_totp_params_default(&p);
	if ((fd = mkstemp(path)) < 0 || (in = fdopen(fd, "w")) == NULL) {
		CHECK(!"temporary file");
		return;
	}
	for (size_t len = 1; len <= SENDSEC_TOTP_SECRET_MAX; len++) {
		for (size_t i = 0; i < len; i++)
			secret[i] = (unsigned char)(len * 131 + i * 29 + (i >> 3));
		sodium_bin2hex(hex, sizeof(hex), secret, len);
		fprintf(in, "%s\n", hex);
	}
	fclose(in);
	snprintf(cmd, sizeof(cmd),
			"python3 -c 'import base64,sys\nfor l in sys.stdin: "
			"print(base64.b32encode(bytes.fromhex(l.strip())).decode().rstrip(\"=\"))' <%s",
			path);
	out = popen(cmd, "r");
	CHECK(out != NULL);
	for (size_t len = 1; out != NULL && len <= SENDSEC_TOTP_SECRET_MAX; len++) {
		char *uri = NULL;
		const char *got;

		for (size_t i = 0; i < len; i++)
			secret[i] = (unsigned char)(len * 131 + i * 29 + (i >> 3));
		if (fgets(want, sizeof(want), out) == NULL) {
			CHECK(!"python3 base32 output");
			break;
		}
		want[strcspn(want, "\n")] = '\0';
		CHECK(sendsec_totp_uri("X", "bob", secret, len, &p, &uri) == SENDSEC_OK);
		got = uri != NULL ? strstr(uri, "?secret=") : NULL;
		CHECK(got != NULL && strncmp(got + 8, want, strlen(want)) == 0 && got[8 + strlen(want)] == '&');
		if (got == NULL || strncmp(got + 8, want, strlen(want)) != 0)
			fprintf(stderr, "  secret length %zu: base32 differs from python3's\n", len);
		secret_free(uri);
	}
	if (out != NULL)
		CHECK(pclose(out) == 0);
	unlink(path);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(hex, sizeof(hex));
}

int main(int argc, char **argv)
{
	(void)argc;
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	test_params_and_oids();
	test_rfc6238_vectors();
	test_oathtool_codes_accepted();
	test_window_edges();
	test_otp_code_rules();
	test_malformed_codes_denied();
	test_params_out_of_range_unavailable();
	test_replay();
	test_seal_unseal();
	test_plain_secrets();
	test_uri();
	test_uri_base32_against_python();
	return check_report(argv[0]);
}
