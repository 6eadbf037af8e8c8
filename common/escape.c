/* escape.c — RFC 4515 escaping of a value for an LDAP search filter ('*', '(', ')', '\\', NUL
 * and bytes < 0x20 or >= 0x7f become "\xx" in lowercase hex) and "%u"/"%%" expansion of a filter
 * template. Output is always NUL-terminated; on any error it is the empty string (when outlen
 * > 0), never a truncated filter. The escaping is libldap's ldap_bv2escaped_filter_value but for
 * the case of the hex digits (test_escape.c compares them over every byte pair and random
 * strings); it stays here because it writes into the caller's bounded buffer, as the template
 * expansion needs, without an allocation per value. */
#include "escape.h"

#include <stdbool.h>

struct writer {
	char *buf;
	size_t len; /* capacity, including the terminating NUL */
	size_t pos;
	bool is_full;
};

static void put(struct writer *w, char c)
{
	if (w->pos + 1 >= w->len) {
		w->is_full = true;
		return;
	}
	w->buf[w->pos++] = c;
}

static bool needs_escape(unsigned char c)
{
	return c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f;
}

static void put_escaped(struct writer *w, const char *value, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len && !w->is_full; i++) {
		unsigned char c = (unsigned char)value[i];

		if (needs_escape(c)) {
			put(w, '\\');
			put(w, hex[c >> 4]);
			put(w, hex[c & 0x0f]);
		} else {
			put(w, (char)c);
		}
	}
}

/* Terminates the output; on failure leaves the empty string. */
static enum sendsec_result finish(struct writer *w, bool is_ok)
{
	if (w->buf == NULL || w->len == 0)
		return SENDSEC_DENIED;
	if (!is_ok || w->is_full) {
		w->buf[0] = '\0';
		return SENDSEC_DENIED;
	}
	w->buf[w->pos] = '\0';
	return SENDSEC_OK;
}

enum sendsec_result sendsec_filter_escape(const char *value, size_t len, char *out, size_t outlen)
{
	struct writer w = {out, outlen, 0, false};

	if (out == NULL || outlen == 0 || (value == NULL && len > 0))
		return finish(&w, false);
	put_escaped(&w, value, len);
	return finish(&w, true);
}

enum sendsec_result sendsec_filter_expand(
		const char *template_, const char *value, size_t len, char *out, size_t outlen)
{
	struct writer w = {out, outlen, 0, false};
	const char *p;

	if (template_ == NULL || out == NULL || outlen == 0 || (value == NULL && len > 0))
		return finish(&w, false);
	for (p = template_; *p != '\0' && !w.is_full; p++) {
		if (*p != '%') {
			put(&w, *p);
			continue;
		}
		p++;
		if (*p == 'u')
			put_escaped(&w, value, len);
		else if (*p == '%')
			put(&w, '%');
		else
			return finish(&w, false); /* unknown "%x" or a lone '%' at the end */
	}
	return finish(&w, true);
}
