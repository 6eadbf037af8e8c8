/* cidr.c — parse, match and format IPv4/IPv6 CIDR lists. IPv4 is kept IPv4-mapped (prefix + 96)
 * so "::ffff:a.b.c.d" clients match IPv4 entries; host bits below the prefix are masked off
 * ("10.1.2.3/8" is 10.0.0.0/8). Entries <= 64 bytes, lists <= 256 entries; list_add is
 * all-or-nothing and refuses text without any entry (an empty allowlist never means "any").
 * list_copy replaces dst (a valid, e.g. zeroed, list) and leaves it unchanged on failure. */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_MAX  64
#define LIST_MAX   256
#define SEPARATORS " \t,"

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool is_mapped(const unsigned char a[16])
{
	return memcmp(a, mapped_prefix, sizeof(mapped_prefix)) == 0;
}

/* Parses a NUL-terminated address: IPv6 when it holds a ':', else dotted IPv4 stored mapped.
 * Sets *is_v4. */
static bool parse_address(const char *s, unsigned char out[16], bool *is_v4)
{
	unsigned char v4[4];

	if (strchr(s, ':') != NULL) {
		*is_v4 = false;
		return inet_pton(AF_INET6, s, out) == 1;
	}
	if (inet_pton(AF_INET, s, v4) != 1)
		return false;
	memcpy(out, mapped_prefix, sizeof(mapped_prefix));
	memcpy(out + 12, v4, sizeof(v4));
	*is_v4 = true;
	return true;
}

/* A decimal prefix length without sign or leading zero, at most max. */
static bool parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Clears every bit of a at and after bit position prefix. */
static void mask(unsigned char a[16], unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;

		if (bits < 8)
			a[i] &= (unsigned char)(0xff00u >> bits);
	}
}

bool sendsec_cidr_parse(const char *text, size_t len, struct sendsec_cidr *out)
{
	char buf[ENTRY_MAX + 1];
	char *slash;
	unsigned char addr[16];
	unsigned prefix;
	bool is_v4;

	if (text == NULL || out == NULL || len == 0 || len > ENTRY_MAX || memchr(text, '\0', len) != NULL)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (!parse_address(buf, addr, &is_v4))
		return false;
	if (slash == NULL)
		prefix = 128;
	else if (!parse_prefix(slash + 1, is_v4 ? 32 : 128, &prefix))
		return false;
	else if (is_v4)
		prefix += 96;
	mask(addr, prefix);
	memcpy(out->addr, addr, sizeof(addr));
	out->prefix = prefix;
	return true;
}

bool sendsec_addr_parse(const char *text, unsigned char out[16])
{
	char buf[ENTRY_MAX + 1];
	size_t len;
	bool is_v4;

	if (text == NULL || out == NULL)
		return false;
	len = strnlen(text, sizeof(buf));
	if (len == 0 || len > ENTRY_MAX)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return parse_address(buf, out, &is_v4);
}

/* Writes 'bad network "<entry>"' into err, the entry cut to 64 bytes and made printable. */
static void name_bad_entry(char *err, size_t errlen, const char *what, const char *entry, size_t len)
{
	char shown[ENTRY_MAX + 1];

	if (err == NULL || errlen == 0)
		return;
	if (len > ENTRY_MAX)
		len = ENTRY_MAX;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)entry[i];

		shown[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	shown[len] = '\0';
	snprintf(err, errlen, "%s \"%s\"", what, shown);
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

enum sendsec_result sendsec_cidr_list_add(struct sendsec_cidr_list *list, const char *text, char *err, size_t errlen)
{
	struct sendsec_cidr parsed[LIST_MAX];
	struct sendsec_cidr *items;
	size_t n = 0, room;
	const char *p;

	if (list == NULL || text == NULL) {
		set_err(err, errlen, "no network list");
		return SENDSEC_UNAVAILABLE;
	}
	room = list->n < LIST_MAX ? LIST_MAX - list->n : 0;
	for (p = text + strspn(text, SEPARATORS); *p != '\0'; p += strspn(p, SEPARATORS)) {
		size_t len = strcspn(p, SEPARATORS);

		if (n == room) {
			set_err(err, errlen, "too many networks (at most 256)");
			return SENDSEC_UNAVAILABLE;
		}
		if (!sendsec_cidr_parse(p, len, &parsed[n])) {
			name_bad_entry(err, errlen, "bad network", p, len);
			return SENDSEC_UNAVAILABLE;
		}
		n++;
		p += len;
	}
	if (n == 0) {
		set_err(err, errlen, "empty network list");
		return SENDSEC_UNAVAILABLE;
	}
	if ((items = realloc(list->items, (list->n + n) * sizeof(*items))) == NULL) {
		set_err(err, errlen, "out of memory");
		return SENDSEC_UNAVAILABLE;
	}
	memcpy(items + list->n, parsed, n * sizeof(*items));
	list->items = items;
	list->n += n;
	return SENDSEC_OK;
}

void sendsec_cidr_list_clear(struct sendsec_cidr_list *list)
{
	if (list == NULL)
		return;
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

bool sendsec_cidr_list_copy(struct sendsec_cidr_list *dst, const struct sendsec_cidr_list *src)
{
	struct sendsec_cidr *items = NULL;

	if (dst == NULL || src == NULL)
		return false;
	if (src->n > 0) {
		if ((items = malloc(src->n * sizeof(*items))) == NULL)
			return false;
		memcpy(items, src->items, src->n * sizeof(*items));
	}
	free(dst->items);
	dst->items = items;
	dst->n = src->n;
	return true;
}

static unsigned clamp(int v, unsigned max)
{
	return v < 0 ? 0 : (unsigned)v > max ? max : (unsigned)v;
}

struct sendsec_cidr sendsec_cidr_of(const unsigned char addr[16], int prefix4, int prefix6)
{
	struct sendsec_cidr c;

	memcpy(c.addr, addr, sizeof(c.addr));
	c.prefix = is_mapped(addr) ? 96 + clamp(prefix4, 32) : clamp(prefix6, 128);
	mask(c.addr, c.prefix);
	return c;
}

bool sendsec_cidr_contains(const struct sendsec_cidr *c, const unsigned char addr[16])
{
	unsigned char a[16];

	memcpy(a, addr, sizeof(a));
	mask(a, c->prefix > 128 ? 128 : c->prefix);
	return memcmp(a, c->addr, sizeof(a)) == 0;
}

bool sendsec_cidr_list_match(const struct sendsec_cidr_list *list, const unsigned char addr[16])
{
	if (list == NULL || addr == NULL)
		return false;
	for (size_t i = 0; i < list->n; i++)
		if (sendsec_cidr_contains(&list->items[i], addr))
			return true;
	return false;
}

void sendsec_cidr_format(const struct sendsec_cidr *c, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	unsigned prefix;
	bool ok;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	if (c == NULL)
		return;
	prefix = c->prefix;
	if (is_mapped(c->addr) && prefix >= 96 && prefix <= 128) {
		ok = inet_ntop(AF_INET, c->addr + 12, text, sizeof(text)) != NULL;
		prefix -= 96;
		if (ok && prefix == 32)
			snprintf(buf, len, "%s", text);
		else if (ok)
			snprintf(buf, len, "%s/%u", text, prefix);
		return;
	}
	ok = inet_ntop(AF_INET6, c->addr, text, sizeof(text)) != NULL;
	if (ok && prefix == 128)
		snprintf(buf, len, "%s", text);
	else if (ok)
		snprintf(buf, len, "%s/%u", text, prefix);
}
