/* utf8.c — RFC 3629 decoding by the table of well-formed byte sequences (Unicode 15, table 3-7):
 * the second byte's range depends on the lead byte, which is what excludes overlong forms (e0,
 * f0), surrogates (ed) and values past U+10FFFF (f4); c0, c1 and f5..ff never start a sequence. */
#include "utf8.h"

size_t sendsec_utf8_decode(const char *s, size_t n, uint32_t *cp_out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t cp;
	size_t len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp_out = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3, cp = p[0] & 0x0fu;
		if (p[0] == 0xe0)
			lo = 0xa0; /* below: overlong */
		else if (p[0] == 0xed)
			hi = 0x9f; /* above: surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, cp = p[0] & 0x07u;
		if (p[0] == 0xf0)
			lo = 0x90; /* below: overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f; /* above: past U+10FFFF */
	} else {
		return 0; /* a continuation byte, c0/c1 (always overlong) or f5..ff */
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	*cp_out = cp;
	return len;
}

bool sendsec_utf8_is_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = sendsec_utf8_decode(s + i, n - i, &cp);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

bool sendsec_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool sendsec_utf8_has_control(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = sendsec_utf8_decode(s + i, n - i, &cp);

		if (len == 0) {
			i++;
			continue;
		}
		if (sendsec_utf8_is_control(cp))
			return true;
		i += len;
	}
	return false;
}
