/* test_utf8.c — utf8.c: RFC 3629 exactly (the boundaries of every sequence length, overlong
 * forms, surrogates, values past U+10FFFF, truncated and stray bytes), the decoder's lengths and
 * code points, and the control-character rule (C0, DEL, C1). Includes the vectors on which the
 * three former validators (config.c, message.c, dir.c) disagreed. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "utf8.h"

struct vector {
	const char *s;
	size_t n;
	const char *what;
};

#define V(lit, what)                                                                                                   \
	{                                                                                                              \
		lit, sizeof(lit) - 1, what                                                                             \
	}

static const struct vector valid[] = {
		V("", "empty"),
		V("abc", "ASCII"),
		V("\x7f", "DEL is well-formed (a control, not an encoding error)"),
		V("a\0b", "NUL is well-formed U+0000"),
		V("\xc2\x80", "U+0080, the smallest two-byte value"),
		V("\xdf\xbf", "U+07FF, the largest two-byte value"),
		V("\xe0\xa0\x80", "U+0800, the smallest three-byte value"),
		V("\xed\x9f\xbf", "U+D7FF, just below the surrogates"),
		V("\xee\x80\x80", "U+E000, just above the surrogates"),
		V("\xef\xbf\xbd", "U+FFFD"),
		V("\xef\xbf\xbf", "U+FFFF (a noncharacter, still well-formed)"),
		V("\xf0\x90\x80\x80", "U+10000, the smallest four-byte value"),
		V("\xf4\x8f\xbf\xbf", "U+10FFFF, the largest value"),
		V("\xe2\x82\xac", "U+20AC euro sign"),
		V("\xf0\x9f\x98\x80", "U+1F600"),
		V("J\xc3\xbcrgen", "Latin-1 supplement in a name"),
};

static const struct vector invalid[] = {
		V("\x80", "a lone continuation byte"),
		V("\xbf", "a lone continuation byte"),
		V("\xc0\xaf", "overlong '/' (two bytes)"),
		V("\xc1\xbf", "overlong U+007F"),
		V("\xe0\x80\xaf", "overlong '/' (three bytes); dir.c accepted it"),
		V("\xe0\x9f\xbf", "overlong U+07FF"),
		V("\xf0\x80\x80\xaf", "overlong '/' (four bytes); dir.c accepted it"),
		V("\xf0\x8f\xbf\xbf", "overlong U+FFFF"),
		V("\xed\xa0\x80", "U+D800, a surrogate"),
		V("a\xed\xa0\x80", "a surrogate after ASCII; dir.c accepted it, message.c did not"),
		V("\xed\xbf\xbf", "U+DFFF, a surrogate"),
		V("\xed\xa0\xbd\xed\xb8\x80", "a CESU-8 surrogate pair"),
		V("\xf4\x90\x80\x80", "U+110000, past the last code point"),
		V("\xf5\x80\x80\x80", "lead byte f5"),
		V("\xf8\x88\x80\x80\x80", "a five-byte form"),
		V("\xfc\x84\x80\x80\x80\x80", "a six-byte form"),
		V("\xfe", "byte fe"),
		V("\xff", "byte ff"),
		V("ev\xffil", "ff inside a name"),
		V("\xc3", "a two-byte sequence cut short"),
		V("\xe2\x82", "a three-byte sequence cut short"),
		V("\xf0\x9f\x98", "a four-byte sequence cut short"),
		V("\xe2\x82"
		  "a",
				"a continuation byte replaced by ASCII"),
		V("\xc3\xc3\xbc", "a lead byte followed by a lead byte"),
		V("\xc3\xbc\xbc", "one continuation byte too many"),
};

/* Every code point in [lo, hi] encodes (by the textbook formula) to a sequence the decoder reads
 * back with the same length and value. */
static size_t encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static void check_all_code_points(void)
{
	unsigned long wrong = 0, accepted_surrogates = 0;

	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char buf[4];
		size_t n = encode(cp, buf);
		uint32_t got = 0xffffffffu;
		size_t len = sendsec_utf8_decode(buf, n, &got);
		bool is_surrogate = cp >= 0xd800 && cp <= 0xdfff;

		if (is_surrogate) {
			if (len != 0 || sendsec_utf8_is_valid(buf, n))
				accepted_surrogates++;
		} else if (len != n || got != cp || !sendsec_utf8_is_valid(buf, n)) {
			if (wrong++ == 0)
				fprintf(stderr, "first code point decoded wrongly: U+%04X (len %zu, got U+%04X)\n",
						(unsigned)cp, len, (unsigned)got);
		}
	}
	CHECK_EQ_INT(wrong, 0);
	CHECK_EQ_INT(accepted_surrogates, 0);
}

static void check_decode(void)
{
	uint32_t cp = 0;

	CHECK_EQ_INT(sendsec_utf8_decode("A", 1, &cp), 1);
	CHECK_EQ_INT(cp, 'A');
	CHECK_EQ_INT(sendsec_utf8_decode("\xc3\xbcx", 3, &cp), 2);
	CHECK_EQ_INT(cp, 0xfc);
	CHECK_EQ_INT(sendsec_utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	CHECK_EQ_INT(cp, 0x10ffff);
	/* The length given bounds the read: a complete sequence is not read past n. */
	CHECK_EQ_INT(sendsec_utf8_decode("\xe2\x82\xac", 2, &cp), 0);
	CHECK_EQ_INT(sendsec_utf8_decode("\xe2\x82\xac", 0, &cp), 0);
	cp = 7;
	CHECK_EQ_INT(sendsec_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
	CHECK_EQ_INT(cp, 7); /* untouched on failure */
}

static void check_controls(void)
{
	CHECK(sendsec_utf8_is_control(0x00));
	CHECK(sendsec_utf8_is_control('\t'));
	CHECK(sendsec_utf8_is_control(0x1b));
	CHECK(sendsec_utf8_is_control(0x1f));
	CHECK(!sendsec_utf8_is_control(' '));
	CHECK(!sendsec_utf8_is_control('~'));
	CHECK(sendsec_utf8_is_control(0x7f));
	CHECK(sendsec_utf8_is_control(0x80));
	CHECK(sendsec_utf8_is_control(0x9b)); /* CSI, the one-character escape */
	CHECK(sendsec_utf8_is_control(0x9f));
	CHECK(!sendsec_utf8_is_control(0xa0));
	CHECK(!sendsec_utf8_is_control(0x20ac));

	CHECK(!sendsec_utf8_has_control("alice", 5));
	CHECK(!sendsec_utf8_has_control("J\xc3\xbcrgen", 7));
	CHECK(!sendsec_utf8_has_control("", 0));
	CHECK(sendsec_utf8_has_control("ev\x1b[31m", 7));
	CHECK(sendsec_utf8_has_control("a\tb", 3));
	CHECK(sendsec_utf8_has_control("a\x7f", 2));
	CHECK(sendsec_utf8_has_control("a\0b", 3));
	CHECK(sendsec_utf8_has_control("x\xc2\x9b"
				       "31m",
			6));                              /* C1 CSI, encoded as UTF-8 */
	CHECK(sendsec_utf8_has_control("x\xc2\x85", 3));  /* C1 NEL, a line break */
	CHECK(!sendsec_utf8_has_control("x\xc2\xa0", 3)); /* no-break space: not a control */
}

int main(int argc, char **argv)
{
	(void)argc;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (!sendsec_utf8_is_valid(valid[i].s, valid[i].n))
			fprintf(stderr, "refused, but valid: %s\n", valid[i].what);
		CHECK(sendsec_utf8_is_valid(valid[i].s, valid[i].n));
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (sendsec_utf8_is_valid(invalid[i].s, invalid[i].n))
			fprintf(stderr, "accepted, but invalid: %s\n", invalid[i].what);
		CHECK(!sendsec_utf8_is_valid(invalid[i].s, invalid[i].n));
	}
	/* The length is what is checked, not a NUL terminator. */
	CHECK(sendsec_utf8_is_valid("ab\xff", 2));
	CHECK(!sendsec_utf8_is_valid("ab\xff", 3));
	check_decode();
	check_controls();
	check_all_code_points();
	return check_report(argv[0]);
}
