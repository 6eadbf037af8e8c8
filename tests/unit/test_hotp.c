/* test_hotp.c — hotp.c against codes made elsewhere: RFC 4226 appendix D and oathtool --hotp.
 * The look-ahead window's edges (last + 1 .. last + 1 + lookahead), a code at or behind the
 * counter named as a replay, look-ahead 0, 8 digits, malformed codes, a counter that cannot move
 * further, and resynchronisation on two consecutive codes (order, window edges, never behind). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hotp.h"

/* RFC 4226 appendix D: the ASCII secret "12345678901234567890" (hex 3132...30). */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20
#define RFC_HEX "3132333435363738393031323334353637383930"

/* oathtool --hotp -d DIGITS -c COUNTER RFC_HEX (a public test vector, so argv is fine). */
static void oath_code(unsigned digits, unsigned long long counter, char out[16])
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "oathtool --hotp -d %u -c %llu %s", digits, counter, RFC_HEX);
	out[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL || fgets(out, 16, p) == NULL) {
		fprintf(stderr, "oathtool failed\n");
		out[0] = '\0';
	}
	if (p != NULL)
		pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

static enum sendsec_result verify(unsigned lookahead, bool has_last, uint64_t last, const char *code,
		uint64_t *counter_out, bool *replayed_out)
{
	struct sendsec_hotp_params p = {.digits = (unsigned)strlen(code), .lookahead = lookahead};

	if (p.digits < 6 || p.digits > 8)
		p.digits = 6;
	return sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, has_last, last, code, counter_out, replayed_out);
}

static void test_rfc4226_vectors(void)
{
	static const char *const vectors[] = {"755224", "287082", "359152", "969429", "338314", "254676", "287922",
			"162583", "399871", "520489"};
	uint64_t counter = 99;
	bool is_replayed = true;

	for (unsigned i = 0; i < 10; i++) {
		char code[16];

		oath_code(6, i, code);
		CHECK_STR(code, vectors[i]); /* oathtool agrees with the RFC */
		CHECK_RESULT(verify(9, false, 0, vectors[i], &counter, &is_replayed), SENDSEC_OK);
		CHECK_EQ_INT(counter, i);
		CHECK(!is_replayed);
	}
}

static void test_window_edges(void)
{
	char code[16];
	uint64_t counter = 0;
	bool is_replayed = false;

	/* last 5, look-ahead 3: counters 6 .. 9 are accepted. */
	for (unsigned long long c = 6; c <= 9; c++) {
		oath_code(6, c, code);
		CHECK_RESULT(verify(3, true, 5, code, &counter, &is_replayed), SENDSEC_OK);
		CHECK_EQ_INT(counter, c);
	}
	oath_code(6, 10, code); /* one past the window */
	CHECK_RESULT(verify(3, true, 5, code, &counter, &is_replayed), SENDSEC_DENIED);
	CHECK(!is_replayed);
	for (unsigned long long c = 2; c <= 5; c++) { /* at or behind the counter: a replay */
		oath_code(6, c, code);
		CHECK_RESULT(verify(3, true, 5, code, &counter, &is_replayed), SENDSEC_DENIED);
		CHECK(is_replayed);
	}
	oath_code(6, 1, code); /* further behind: refused all the same */
	CHECK_RESULT(verify(3, true, 5, code, &counter, &is_replayed), SENDSEC_DENIED);
	/* Without a stored counter, the window starts at 0. */
	oath_code(6, 3, code);
	CHECK_RESULT(verify(3, false, 0, code, &counter, &is_replayed), SENDSEC_OK);
	CHECK_EQ_INT(counter, 3);
	oath_code(6, 4, code);
	CHECK_RESULT(verify(3, false, 0, code, &counter, &is_replayed), SENDSEC_DENIED);
	/* Look-ahead 0: only the next one. */
	oath_code(6, 8, code);
	CHECK_RESULT(verify(0, true, 7, code, &counter, &is_replayed), SENDSEC_OK);
	CHECK_EQ_INT(counter, 8);
	oath_code(6, 9, code);
	CHECK_RESULT(verify(0, true, 7, code, &counter, &is_replayed), SENDSEC_DENIED);
	/* A high counter, 8 digits. */
	oath_code(8, 123456789ULL, code);
	CHECK_RESULT(verify(10, true, 123456780ULL, code, &counter, &is_replayed), SENDSEC_OK);
	CHECK_EQ_INT(counter, 123456789);
}

static void test_refusals(void)
{
	struct sendsec_hotp_params p = {.digits = 6, .lookahead = 10}, bad = p;
	uint64_t counter = 7;
	bool is_replayed = true;

	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, false, 0, "75522", &counter, &is_replayed),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, false, 0, "7552245", &counter, &is_replayed),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, false, 0, "75522a", &counter, &is_replayed),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, false, 0, "", &counter, &is_replayed),
			SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, false, 0, NULL, &counter, &is_replayed),
			SENDSEC_DENIED);
	CHECK_EQ_INT(counter, 0);
	/* Params out of range, no secret, a counter that cannot move: unavailable. */
	bad.lookahead = SENDSEC_HOTP_LOOKAHEAD_MAX + 1;
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &bad, false, 0, "755224", &counter, &is_replayed),
			SENDSEC_UNAVAILABLE);
	bad = p;
	bad.digits = 9;
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &bad, false, 0, "755224", &counter, &is_replayed),
			SENDSEC_UNAVAILABLE);
	CHECK_RESULT(sendsec_hotp_verify(NULL, 0, &p, false, 0, "755224", &counter, &is_replayed), SENDSEC_UNAVAILABLE);
	CHECK_RESULT(sendsec_hotp_verify(rfc_secret, RFC_LEN, &p, true, SENDSEC_HOTP_COUNTER_MAX - 5, "755224",
				     &counter, &is_replayed),
			SENDSEC_UNAVAILABLE);
	CHECK(sendsec_hotp_params_valid(&p));
	sendsec_hotp_params_default(&bad);
	CHECK_EQ_INT(bad.digits, 6);
	CHECK_EQ_INT(bad.lookahead, SENDSEC_HOTP_LOOKAHEAD_DEFAULT);
}

static void test_resync(void)
{
	char c1[16], c2[16];
	uint64_t counter = 0;

	oath_code(6, 40, c1);
	oath_code(6, 41, c2);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 100, c1, c2, &counter), SENDSEC_OK);
	CHECK_EQ_INT(counter, 41); /* both used: the counter is set past code2 */
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 100, c2, c1, &counter), SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 40, 100, c1, c2, &counter), SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, false, 0, 41, c1, c2, &counter), SENDSEC_OK);
	CHECK_EQ_INT(counter, 41);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, false, 0, 40, c1, c2, &counter), SENDSEC_DENIED);
	oath_code(6, 6, c1);
	oath_code(6, 7, c2);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 2, c1, c2, &counter), SENDSEC_OK);
	CHECK_EQ_INT(counter, 7);
	oath_code(6, 8, c1);
	oath_code(6, 9, c2);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 2, c1, c2, &counter), SENDSEC_DENIED);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 1, c1, c2, &counter), SENDSEC_UNAVAILABLE);
	CHECK_RESULT(sendsec_hotp_resync(
				     rfc_secret, RFC_LEN, 6, true, 5, SENDSEC_HOTP_RESYNC_MAX + 1, c1, c2, &counter),
			SENDSEC_UNAVAILABLE);
	CHECK_RESULT(sendsec_hotp_resync(rfc_secret, RFC_LEN, 6, true, 5, 100, "1234", c2, &counter), SENDSEC_DENIED);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_rfc4226_vectors();
	test_window_edges();
	test_refusals();
	test_resync();
	return check_report(argv[0]);
}
