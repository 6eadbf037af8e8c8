/* fuzz_escape.c — the first byte picks escape (even) or expand (odd). Escape: the rest is the
 * value; the output must hold no raw '(' ')' '*' or NUL, every '\' must start "\xx", decoding
 * must give the value back, and one byte less of room must be refused. Expand: the second byte
 * splits the rest into template and value; the value must add no '(' ')' '*' to the output.
 * Aborts on any violation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Aborts unless out is a safe escaping; returns its decoded length into dec. */
static size_t check_escaped(const char *out, size_t outlen, char *dec)
{
	size_t n = 0;

	for (size_t i = 0; i < outlen; i++) {
		char c = out[i];

		if (c == '(' || c == ')' || c == '*' || c == '\0')
			abort();
		if (c == '\\') {
			if (i + 2 >= outlen || hexval(out[i + 1]) < 0 || hexval(out[i + 2]) < 0)
				abort();
			dec[n++] = (char)(hexval(out[i + 1]) * 16 + hexval(out[i + 2]));
			i += 2;
		} else {
			dec[n++] = c;
		}
	}
	return n;
}

static void fuzz_escape(const char *value, size_t len)
{
	size_t room = 3 * len + 1, outlen;
	char *out = malloc(room), *dec = malloc(len + 1);

	if (out == NULL || dec == NULL)
		goto out;
	if (sendsec_filter_escape(value, len, out, room) != SENDSEC_OK)
		abort();
	outlen = strlen(out);
	if (check_escaped(out, outlen, dec) != len || memcmp(dec, value, len) != 0)
		abort();
	if (sendsec_filter_escape(value, len, out, outlen + 1) != SENDSEC_OK)
		abort();
	if (sendsec_filter_escape(value, len, out, outlen) != SENDSEC_DENIED || (outlen > 0 && out[0] != '\0'))
		abort();
out:
	free(dec);
	free(out);
}

static size_t count_special(const char *s, size_t n, char c)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static void fuzz_expand(const char *tmpl_bytes, size_t tlen, const char *value, size_t len)
{
	size_t room = tlen + (tlen / 2 + 1) * 3 * len + 1, outlen;
	char *tmpl = malloc(tlen + 1), *out = malloc(room);

	if (tmpl == NULL || out == NULL)
		goto out;
	memcpy(tmpl, tmpl_bytes, tlen);
	tmpl[tlen] = '\0';
	tlen = strlen(tmpl);
	if (sendsec_filter_expand(tmpl, value, len, out, room) != SENDSEC_OK) {
		if (out[0] != '\0')
			abort();
		goto out;
	}
	outlen = strlen(out);
	/* Only the template may bring filter syntax. */
	if (count_special(out, outlen, '(') != count_special(tmpl, tlen, '(') ||
			count_special(out, outlen, ')') != count_special(tmpl, tlen, ')') ||
			count_special(out, outlen, '*') != count_special(tmpl, tlen, '*'))
		abort();
	if (strchr(tmpl, '%') == NULL && strcmp(out, tmpl) != 0)
		abort();
	if (sendsec_filter_expand(tmpl, value, len, out, outlen + 1) != SENDSEC_OK)
		abort();
	if (sendsec_filter_expand(tmpl, value, len, out, outlen) != SENDSEC_DENIED || (outlen > 0 && out[0] != '\0'))
		abort();
out:
	free(out);
	free(tmpl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t tlen;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		fuzz_escape((const char *)data + 1, size - 1);
		return 0;
	}
	if (size < 2)
		return 0;
	tlen = data[1] % (size - 1);
	fuzz_expand((const char *)data + 2, tlen, (const char *)data + 2 + tlen, size - 2 - tlen);
	return 0;
}
