/* test_timeutil.c — GeneralizedTime and RFC 3339 parsing and formatting: known instants,
 * offsets, leap days and leap seconds, round trips, range checks and malformed input, all
 * independent of the TZ environment. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "timeutil.h"

static bool gen(const char *s, time_t *t)
{
	return sendsec_time_parse_generalized(s, strlen(s), t);
}

static bool rfc(const char *s, time_t *t)
{
	return sendsec_time_parse_rfc3339(s, strlen(s), t);
}

/* Each string parses to the expected instant. */
static void test_known_instants(void)
{
	time_t t = -1;

	CHECK(gen("19700101000000Z", &t) && t == 0);
	CHECK(gen("20261128020000Z", &t) && t == 1795831200);
	CHECK(gen("20261128020000.5Z", &t) && t == 1795831200);
	CHECK(gen("20261128020000,123456Z", &t) && t == 1795831200);
	CHECK(gen("19691231235959Z", &t) && t == -1);
	CHECK(gen("20380119031408Z", &t) && t == 2147483648LL);
	CHECK(gen("00000101000000Z", &t) && t == -62167219200LL);
	CHECK(gen("99991231235959Z", &t) && t == 253402300799LL);

	CHECK(rfc("2026-11-28T02:00:00Z", &t) && t == 1795831200);
	CHECK(rfc("2026-11-28t02:00:00z", &t) && t == 1795831200);
	CHECK(rfc("2026-11-28T02:00:00.999999999Z", &t) && t == 1795831200);
	CHECK(rfc("1970-01-01T00:00:00Z", &t) && t == 0);
}

/* Offsets move the instant to UTC: local = UTC + offset. */
static void test_offsets(void)
{
	time_t t = -1;

	CHECK(gen("20261128040000+0200", &t) && t == 1795831200);
	CHECK(gen("20261127203000-0530", &t) && t == 1795831200);
	CHECK(gen("20261128020000.25-0000", &t) && t == 1795831200);
	CHECK(rfc("2026-11-28T04:00:00+02:00", &t) && t == 1795831200);
	CHECK(rfc("2026-11-27T20:30:00-05:30", &t) && t == 1795831200);
	CHECK(rfc("2026-11-28T02:00:00-00:00", &t) && t == 1795831200);
	/* Crossing a day and a year boundary. */
	CHECK(rfc("2025-12-31T23:30:00-01:00", &t) && t == 1767227400);
	CHECK(gen("20260101003000+0000", &t) && t == 1767227400);
	CHECK(gen("20251231233000-0100", &t) && t == 1767227400);
}

/* Feb 29 exists only in leap years (divisible by 4, not by 100 unless by 400). */
static void test_leap_days(void)
{
	time_t t = -1, next = -1;

	CHECK(gen("20240229120000Z", &t) && t == 1709208000);
	CHECK(gen("20240301120000Z", &next) && next - t == 86400);
	CHECK(rfc("2000-02-29T00:00:00Z", &t) && t == 951782400);
	CHECK(!gen("20230229000000Z", &t));
	CHECK(!rfc("1900-02-29T00:00:00Z", &t));
	CHECK(!rfc("2100-02-29T00:00:00Z", &t));
	CHECK(!gen("20240230000000Z", &t));
	CHECK(!gen("20240431000000Z", &t));
	CHECK(gen("20241231000000Z", &t));
	/* A leap second is the first second of the next minute. */
	CHECK(gen("20161231235960Z", &t) && t == 1483228800);
	CHECK(rfc("2016-12-31T23:59:60Z", &t) && t == 1483228800);
}

/* Range checks and malformed strings are refused. */
static void test_invalid(void)
{
	static const char *bad_gen[] = {
			"",
			"Z",
			"20261128020000",
			"202611280200Z",
			"2026112802Z",
			"20261128020000z",
			"20261328020000Z",
			"20260028020000Z",
			"20261100020000Z",
			"20261132020000Z",
			"20261128240000Z",
			"20261128026000Z",
			"20261128020061Z",
			"20261128020000.Z",
			"20261128020000+02",
			"20261128020000+02:00",
			"20261128020000+2400",
			"20261128020000+0260",
			"20261128020000Z ",
			" 20261128020000Z",
			"2026112802000aZ",
			"+2026112802000Z",
			"20261128020000ZZ",
			"2026-11-28T02:00:00Z",
			"20261128020000.5.5Z",
	};
	static const char *bad_rfc[] = {
			"",
			"2026-11-28",
			"2026-11-28T02:00Z",
			"2026-11-28T02:00:00",
			"2026-11-28 02:00:00Z",
			"2026-11-28T02:00:00+0200",
			"2026-11-28T02:00:00+02",
			"2026-11-28T02:00:00+24:00",
			"2026-11-28T02:00:00+02:60",
			"2026-11-28T02:00:00.Z",
			"2026-11-28T02:00:00,5Z",
			"2026-13-28T02:00:00Z",
			"2026-11-31T02:00:00Z",
			"2026-11-28T25:00:00Z",
			"2026-1-28T02:00:00Z",
			"2026/11/28T02:00:00Z",
			"20261128020000Z",
			"2026-11-28T02:00:00Zjunk",
			"2026-11-28T02:00:61Z",
			"-026-11-28T02:00:00Z",
	};
	time_t t = 42;

	for (size_t i = 0; i < sizeof(bad_gen) / sizeof(bad_gen[0]); i++) {
		CHECK(!gen(bad_gen[i], &t));
		if (gen(bad_gen[i], &t))
			fprintf(stderr, "  accepted as GeneralizedTime: \"%s\"\n", bad_gen[i]);
	}
	for (size_t i = 0; i < sizeof(bad_rfc) / sizeof(bad_rfc[0]); i++) {
		CHECK(!rfc(bad_rfc[i], &t));
		if (rfc(bad_rfc[i], &t))
			fprintf(stderr, "  accepted as RFC 3339: \"%s\"\n", bad_rfc[i]);
	}
	CHECK_EQ_INT(t, 42);

	/* len bounds the input: a NUL inside it is malformed, bytes after it are ignored. */
	CHECK(!sendsec_time_parse_generalized("20261128020000\0Z", 16, &t));
	CHECK(sendsec_time_parse_generalized("20261128020000Zjunk", 15, &t) && t == 1795831200);
	CHECK(!sendsec_time_parse_generalized("20261128020000Z", 14, &t));
	CHECK(!sendsec_time_parse_generalized(NULL, 0, &t));
	CHECK(!sendsec_time_parse_rfc3339(NULL, 0, &t));
	CHECK(!sendsec_time_parse_any(NULL, &t));
}

/* parse_any takes RFC 3339, GeneralizedTime and a bare date (midnight UTC). */
static void test_parse_any(void)
{
	time_t t = -1;

	CHECK(sendsec_time_parse_any("2026-11-28T02:00:00Z", &t) && t == 1795831200);
	CHECK(sendsec_time_parse_any("20261128020000Z", &t) && t == 1795831200);
	CHECK(sendsec_time_parse_any("2026-11-28", &t) && t == 1795824000);
	CHECK(sendsec_time_parse_any("2024-02-29", &t) && t == 1709164800);
	CHECK(!sendsec_time_parse_any("2023-02-29", &t));
	CHECK(!sendsec_time_parse_any("2026-11-28T", &t));
	CHECK(!sendsec_time_parse_any("20261128", &t));
	CHECK(!sendsec_time_parse_any("2026-11-28 ", &t));
	CHECK(!sendsec_time_parse_any("yesterday", &t));
	CHECK(!sendsec_time_parse_any("", &t));
}

/* Formatting gives the documented forms, and parsing them gives the instant back. */
static void test_format_round_trip(void)
{
	static const time_t instants[] = {0, -1, 1, 951782400, 1709208000, 1795831200, 2147483647, 2147483648LL,
			-62167219200LL, 253402300799LL, 1483228799};
	char buf[32];
	time_t t;

	sendsec_time_format_generalized(1795831200, buf, sizeof(buf));
	CHECK_STR(buf, "20261128020000Z");
	sendsec_time_format_rfc3339(1795831200, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-28T02:00:00Z");
	sendsec_time_format_generalized(-1, buf, sizeof(buf));
	CHECK_STR(buf, "19691231235959Z");
	sendsec_time_format_rfc3339(1709208000, buf, sizeof(buf));
	CHECK_STR(buf, "2024-02-29T12:00:00Z");

	/* Exactly the documented sizes suffice. */
	sendsec_time_format_generalized(1795831200, buf, 16);
	CHECK_STR(buf, "20261128020000Z");
	sendsec_time_format_rfc3339(1795831200, buf, 21);
	CHECK_STR(buf, "2026-11-28T02:00:00Z");
	/* Too small truncates but stays terminated. */
	memset(buf, 'x', sizeof(buf));
	sendsec_time_format_generalized(1795831200, buf, 5);
	CHECK_STR(buf, "2026");

	/* Outside years 0000-9999 there is no valid text: empty string. */
	sendsec_time_format_generalized(253402300800LL, buf, sizeof(buf));
	CHECK_STR(buf, "");
	sendsec_time_format_rfc3339(-62167219201LL, buf, sizeof(buf));
	CHECK_STR(buf, "");

	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		t = 7;
		sendsec_time_format_generalized(instants[i], buf, sizeof(buf));
		CHECK(gen(buf, &t) && t == instants[i]);
		t = 7;
		sendsec_time_format_rfc3339(instants[i], buf, sizeof(buf));
		CHECK(rfc(buf, &t) && t == instants[i]);
	}
	/* Every seventh day from year 0001 to 9900 round-trips. */
	for (time_t d = -719000; d < 2900000; d += 7) {
		time_t s = d * 86400 + (d % 86400);

		sendsec_time_format_rfc3339(s, buf, sizeof(buf));
		if (!rfc(buf, &t) || t != s) {
			CHECK(!"rfc3339 round trip");
			break;
		}
	}
}

/* TZ must not change anything. */
static void test_tz_independent(void)
{
	time_t t = -1;
	char buf[32];

	setenv("TZ", "America/St_Johns", 1);
	tzset();
	CHECK(gen("20261128020000Z", &t) && t == 1795831200);
	sendsec_time_format_rfc3339(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	CHECK(sendsec_time_parse_any("2026-11-28", &t) && t == 1795824000);
	unsetenv("TZ");
	tzset();
}

int main(int argc, char **argv)
{
	(void)argc;
	test_known_instants();
	test_offsets();
	test_leap_days();
	test_invalid();
	test_parse_any();
	test_format_round_trip();
	test_tz_independent();
	return check_report(argv[0]);
}
