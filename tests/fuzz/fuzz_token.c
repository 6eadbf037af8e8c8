/* fuzz_token.c — arbitrary text as three directory entries (an account, a token entry, a params
 * entry) through token.c, as account_tokens.c feeds it: the account's links, the token parsed
 * against each link kind, its params applied, its name, and, when it all parses, one TOTP or
 * HOTP check with its (plain) secret. Input: "attr: value" lines; "dn: X" sets an entry's DN;
 * a line "-" ends an entry. Invariants: links stay within the room given and within the account's
 * values; a parsed token has a kind, 6..8 digits, params in range and a name of valid UTF-8
 * without controls, at most SENDSEC_TOKEN_NAME_MAX bytes; a check answers OK only with a counter
 * past the stored one. Every value is an exact-size copy, so ASan catches reads past it. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "utf8.h"

#define MAX_ATTRS 32
#define MAX_VALS  24

struct built {
	struct sendsec_entry e;
	struct sendsec_attr attrs[MAX_ATTRS];
	struct sendsec_val vals[MAX_ATTRS][MAX_VALS];
};

/* Copies len bytes into a NUL-terminated malloc'd string (entries from dir.c end in a NUL too). */
static char *dup_n(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c != NULL) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/* Adds "name: value" to b (a repeated name adds a value). */
static void add(struct built *b, const char *name, size_t name_len, const char *value, size_t value_len)
{
	struct sendsec_attr *a = NULL;

	if (name_len == 2 && memcmp(name, "dn", 2) == 0) {
		free(b->e.dn);
		b->e.dn = dup_n(value, value_len);
		return;
	}
	for (size_t i = 0; i < b->e.n_attrs && a == NULL; i++)
		if (strlen(b->attrs[i].name) == name_len && memcmp(b->attrs[i].name, name, name_len) == 0)
			a = &b->attrs[i];
	if (a == NULL) {
		if (b->e.n_attrs == MAX_ATTRS)
			return;
		a = &b->attrs[b->e.n_attrs];
		a->name = dup_n(name, name_len);
		a->vals = b->vals[b->e.n_attrs];
		a->n = 0;
		b->e.n_attrs++;
	}
	if (a->n == MAX_VALS || a->name == NULL)
		return;
	a->vals[a->n].ptr = dup_n(value, value_len);
	a->vals[a->n].len = a->vals[a->n].ptr != NULL ? value_len : 0;
	a->n++;
}

static void release(struct built *b)
{
	for (size_t i = 0; i < b->e.n_attrs; i++) {
		for (size_t k = 0; k < b->attrs[i].n; k++)
			free((char *)b->attrs[i].vals[k].ptr);
		free(b->attrs[i].name);
	}
	free(b->e.dn);
}

/* Splits data into up to three entries. */
static void build(const uint8_t *data, size_t size, struct built out[3])
{
	size_t pos = 0, which = 0;

	while (pos < size && which < 3) {
		const char *line = (const char *)data + pos;
		size_t len = 0, colon;

		while (pos + len < size && line[len] != '\n')
			len++;
		pos += len + 1;
		if (len == 1 && line[0] == '-') {
			which++;
			continue;
		}
		for (colon = 0; colon < len && line[colon] != ':'; colon++)
			;
		if (colon == 0 || colon >= len)
			continue;
		add(&out[which], line, colon, line + colon + 1 + (colon + 1 < len && line[colon + 1] == ' '),
				len - colon - 1 - (colon + 1 < len && line[colon + 1] == ' '));
	}
}

static void check_token(const struct sendsec_token *t)
{
	static const char code[] = "12345678";
	bool is_replayed = false;
	uint64_t value = 0;
	enum sendsec_result rc;

	if ((t->kind != SENDSEC_TOKEN_TOTP && t->kind != SENDSEC_TOKEN_HOTP) || t->digits < 6 || t->digits > 8 ||
			t->secret == NULL || t->secret->len == 0)
		__builtin_trap();
	if (strlen(t->name) > SENDSEC_TOKEN_NAME_MAX || !sendsec_utf8_is_valid(t->name, strlen(t->name)) ||
			sendsec_utf8_has_control(t->name, strlen(t->name)))
		__builtin_trap();
	if (t->secret->len > SENDSEC_TOTP_SECRET_MAX)
		return;
	if (t->kind == SENDSEC_TOKEN_HOTP) {
		if (!sendsec_hotp_params_valid(&t->hotp) || t->digits != t->hotp.digits)
			__builtin_trap();
		rc = sendsec_hotp_verify((const unsigned char *)t->secret->ptr, t->secret->len, &t->hotp,
				t->state != NULL, t->state_value, &code[8 - t->digits], &value, &is_replayed);
	} else {
		if (t->digits != t->totp.digits || t->totp.period < 1 || t->totp.period > 3600 || t->totp.window > 10)
			__builtin_trap();
		rc = sendsec_totp_verify((const unsigned char *)t->secret->ptr, t->secret->len, &t->totp, 1700000000,
				t->state != NULL, t->state_value, &code[8 - t->digits], &value, &is_replayed);
	}
	if (rc == SENDSEC_OK && t->state != NULL && value <= t->state_value)
		__builtin_trap();
	if (rc != SENDSEC_OK && rc != SENDSEC_DENIED && rc != SENDSEC_UNAVAILABLE)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct built b[3];
	struct sendsec_token_link links[4];
	size_t n;

	if (sodium_init() < 0)
		return 0;
	memset(b, 0, sizeof(b));
	build(data, size, b);
	for (int i = 0; i < 3; i++)
		b[i].e.attrs = b[i].attrs;
	n = sendsec_token_links(&b[0].e, links, 4);
	for (size_t i = 0; i < n && i < 4; i++)
		if (links[i].dn == NULL || links[i].attr == NULL || links[i].kind > SENDSEC_TOKEN_HOTP)
			__builtin_trap();
	if (b[1].e.dn != NULL) {
		struct sendsec_token_link any = {.dn = b[1].e.dn, .attr = "sendsecToken", .kind = SENDSEC_TOKEN_ANY};

		for (int k = 0; k <= (int)(n < 4 ? n : 4); k++) {
			const struct sendsec_token_link *link = k < (int)n && k < 4 ? &links[k] : &any;
			struct sendsec_token t;
			const char *params_dn = NULL;
			char err[192];

			if (sendsec_token_parse(&b[1].e, link, &t, &params_dn, err, sizeof(err)) != SENDSEC_OK)
				continue;
			if (sendsec_token_set_params(&t, b[2].e.dn != NULL ? &b[2].e : NULL, err, sizeof(err)) ==
					SENDSEC_OK)
				check_token(&t);
		}
	}
	for (int i = 0; i < 3; i++)
		release(&b[i]);
	return 0;
}
