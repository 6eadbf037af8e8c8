/* keyscan.c — the key scanner of keyscan.h. The stream is seen as one sequence V = carry ++ buf:
 * each call examines every position of V where a whole key fits (klen bytes) and keeps the rest
 * (fewer than klen bytes, none examined yet) as the next carry, so a key split anywhere between
 * chunks is examined exactly once. Candidates are found by their prefix (memmem) and decided by
 * sendsec_apikey_parse, the one home of the key grammar and its check characters. Lines are counted
 * by a cursor that only moves forward. Every buffer that held key bytes is wiped. */
#include "keyscan.h"

#include <sodium.h>
#include <string.h>

/* A position in V and the line it is on. */
struct cursor {
	size_t pos;
	unsigned long long line;
};

static unsigned long long count_newlines(const char *p, size_t n)
{
	unsigned long long lines = 0;
	const char *end = p + n, *nl;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p = nl + 1;
	}
	return lines;
}

/* Moves c forward to target, counting the newlines of V (the carry's cl bytes, then buf) passed. */
static void advance(struct cursor *c, size_t target, const char *carry, size_t cl, const char *buf)
{
	if (c->pos < cl) {
		size_t stop = target < cl ? target : cl;
		c->line += count_newlines(carry + c->pos, stop - c->pos);
		c->pos = stop;
	}
	if (target > c->pos) {
		c->line += count_newlines(buf + (c->pos - cl), target - c->pos);
		c->pos = target;
	}
}

/* Decides the klen bytes at text (which start with the prefix) and reports a key. */
static void try_at(struct sendsec_keyscan *s, const char *bytes, unsigned long long line, unsigned long long offset)
{
	char text[SENDSEC_KEY_MAX + 1];
	struct sendsec_keyscan_hit hit = {.line = line, .offset = offset};

	memcpy(text, bytes, s->klen);
	text[s->klen] = '\0';
	/* An embedded NUL makes the text shorter than a key: refused like any other look-alike. */
	if (sendsec_apikey_parse(text, s->prefix, &hit.key) == SENDSEC_OK) {
		s->hits++;
		s->fn(s->arg, &hit);
	}
	sendsec_apikey_clear(&hit.key);
	sodium_memzero(text, sizeof(text));
}

bool sendsec_keyscan_begin(struct sendsec_keyscan *s, const char *prefix, sendsec_keyscan_fn fn, void *arg)
{
	size_t plen = prefix != NULL ? strlen(prefix) : 0;

	memset(s, 0, sizeof(*s));
	if (plen == 0 || plen > SENDSEC_KEYSCAN_PREFIX_MAX || fn == NULL)
		return false;
	memcpy(s->prefix, prefix, plen);
	s->plen = plen;
	s->klen = plen + SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN;
	s->carry_line = 1;
	s->fn = fn;
	s->arg = arg;
	return true;
}

void sendsec_keyscan_feed(struct sendsec_keyscan *s, const void *data, size_t len)
{
	const char *buf = data;
	size_t cl = s->carry_len, total = cl + len, klen = s->klen;
	/* Positions [0, u) of V have a whole key's length after them: they are examined now. */
	size_t u = total >= klen ? total - klen + 1 : 0;
	struct cursor c = {.pos = 0, .line = s->carry_line};

	if (s->klen == 0 || len == 0)
		return;
	/* Starts inside the carry: the key runs into buf, so look at both in one small buffer. */
	if (cl > 0 && u > 0) {
		char joined[2 * SENDSEC_KEY_MAX];
		size_t take = len < klen - 1 ? len : klen - 1;

		memcpy(joined, s->carry, cl);
		memcpy(joined + cl, buf, take);
		for (size_t p = 0; p < cl && p < u; p++) {
			if (memcmp(joined + p, s->prefix, s->plen) != 0)
				continue;
			advance(&c, p, s->carry, cl, buf);
			try_at(s, joined + p, c.line, s->carry_off + p);
		}
		sodium_memzero(joined, sizeof(joined));
	}
	/* Starts inside buf: positions cl .. u-1 of V, i.e. buf[0 .. u-cl-1]. */
	if (u > cl) {
		size_t q = 0, qend = u - cl;
		const char *at;

		while (q < qend && (at = memmem(buf + q, qend - q + s->plen - 1, s->prefix, s->plen)) != NULL) {
			size_t found = (size_t)(at - buf);

			advance(&c, cl + found, s->carry, cl, buf);
			try_at(s, at, c.line, s->carry_off + cl + found);
			q = found + 1;
		}
	}
	/* The rest, V[u ..], is the next carry. */
	advance(&c, u, s->carry, cl, buf);
	if (u < cl) {
		memmove(s->carry, s->carry + u, cl - u);
		memcpy(s->carry + (cl - u), buf, len);
	} else {
		memcpy(s->carry, buf + (u - cl), total - u);
	}
	s->carry_len = total - u;
	sodium_memzero(s->carry + s->carry_len, sizeof(s->carry) - s->carry_len);
	s->carry_line = c.line;
	s->carry_off += u;
}

unsigned long long sendsec_keyscan_end(struct sendsec_keyscan *s)
{
	unsigned long long hits = s->hits;

	sodium_memzero(s, sizeof(*s));
	return hits;
}
