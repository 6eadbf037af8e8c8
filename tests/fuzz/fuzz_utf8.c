/* fuzz_utf8.c — common/utf8.c against two references: glibc's iconv (UTF-8 to UTF-32LE), and a
 * decoder written here the other way round (read a code point by bit pattern alone, then require
 * that it is no surrogate, at most U+10FFFF and that its shortest encoding has the length read,
 * which rules out overlong forms). Also: sendsec_utf8_decode walks the input in steps that end
 * exactly at its length when sendsec_utf8_is_valid says so; has_control agrees with is_control over
 * the decoded characters; and the audit line made with the input as user name and client address
 * (audit.c) is one line of valid UTF-8 without controls whose values are at most 64 bytes.
 * Aborts on any disagreement. */
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t shortest_length(uint32_t cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static size_t ref_decode(const unsigned char *p, size_t n, uint32_t *cp_out)
{
	size_t len;
	uint32_t cp;

	if ((p[0] & 0x80) == 0)
		len = 1, cp = p[0];
	else if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1fu;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0fu;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || shortest_length(cp) != len)
		return 0;
	*cp_out = cp;
	return len;
}

static bool iconv_accepts(const char *s, size_t n)
{
	static iconv_t cd = (iconv_t)-1;
	char *in = (char *)s, *out, *buf;
	size_t in_left = n, out_left = 4 * n + 4, rc;

	if (cd == (iconv_t)-1 && (cd = iconv_open("UTF-32LE", "UTF-8")) == (iconv_t)-1)
		abort();
	if ((buf = malloc(out_left)) == NULL)
		abort();
	out = buf;
	iconv(cd, NULL, NULL, NULL, NULL);
	rc = iconv(cd, &in, &in_left, &out, &out_left);
	free(buf);
	return rc != (size_t)-1 && in_left == 0;
}

/* Aborts unless the value of field (" user=", " rhost=") in line is 1..64 bytes. */
static void check_field(const char *line, const char *field)
{
	const char *v = strstr(line, field), *end;

	if (v == NULL)
		abort();
	v += strlen(field);
	end = strchr(v, ' ');
	if (end == NULL || end == v || end - v > 64)
		abort();
}

static void check_audit(const char *s)
{
	const char *head = "sendsec: service=sshd user=", *tail = " result=failure reason=unknown_user";
	struct sendsec_outcome out;
	char line[512];
	size_t n;

	memset(&out, 0, sizeof(out));
	out.result = SENDSEC_UNKNOWN_USER;
	out.reason = SENDSEC_REASON_UNKNOWN_USER;
	sendsec_audit_format(line, sizeof(line), "sshd", s, s, &out);
	n = strlen(line);
	if (!sendsec_utf8_is_valid(line, n) || sendsec_utf8_has_control(line, n))
		abort();
	if (strncmp(line, head, strlen(head)) != 0 || n < strlen(tail) || strcmp(line + n - strlen(tail), tail) != 0)
		abort();
	check_field(line, " user=");
	check_field(line, " rhost=");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t i = 0;
	bool walked = true, saw_control = false;
	char *copy;

	while (i < size) {
		uint32_t cp = 0xffffffffu, ref_cp = 0xfffffffeu;
		size_t len = sendsec_utf8_decode(s + i, size - i, &cp);
		size_t ref_len = ref_decode(data + i, size - i, &ref_cp);

		if (len != ref_len || (len != 0 && cp != ref_cp))
			abort();
		if (len == 0) {
			walked = false;
			i++;
			continue;
		}
		saw_control = saw_control || sendsec_utf8_is_control(cp);
		i += len;
	}
	if (sendsec_utf8_is_valid(s, size) != walked || iconv_accepts(s, size) != walked)
		abort();
	if (sendsec_utf8_has_control(s, size) != saw_control)
		abort();

	if ((copy = malloc(size + 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	check_audit(copy);
	free(copy);
	return 0;
}
