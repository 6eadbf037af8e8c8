/* keyscan_ref.h — what the key scanner (common/keyscan.c) is compared with, shared by its unit test
 * and its fuzz target: the hits of a scan collected (id, line, offset; never the secret), a
 * position-by-position reference (every offset where apikey.c's one parser accepts a whole key's
 * length of bytes), the comparison of two hit lists, and check characters made right for a key
 * text written by hand (CRC-32 as 6 base62 digits, computed here independently of apikey.c).
 * Header only: the fuzz target is built from its one file (tests/fuzz/meson.build). */
#ifndef SENDSEC_KEYSCAN_REF_H
#define SENDSEC_KEYSCAN_REF_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "keyscan.h"

#define KEYSCAN_REF_MAX_HITS 256
#define KEYSCAN_REF_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/* Hits in stream order: n counts them all, the first KEYSCAN_REF_MAX_HITS are kept. */
struct keyscan_ref_found {
	size_t n;
	char ids[KEYSCAN_REF_MAX_HITS][SENDSEC_KEY_ID_LEN + 1];
	unsigned long long lines[KEYSCAN_REF_MAX_HITS], offsets[KEYSCAN_REF_MAX_HITS];
	bool secret_ok; /* every hit carried a secret of SENDSEC_KEY_SECRET_LEN characters */
};

static inline void keyscan_ref_clear(struct keyscan_ref_found *f)
{
	memset(f, 0, sizeof(*f));
	f->secret_ok = true;
}

static inline void keyscan_ref_add(struct keyscan_ref_found *f, const struct sendsec_apikey *key,
		unsigned long long line, unsigned long long offset)
{
	if (strlen(key->secret) != SENDSEC_KEY_SECRET_LEN)
		f->secret_ok = false;
	if (f->n < KEYSCAN_REF_MAX_HITS) {
		memcpy(f->ids[f->n], key->id, sizeof(f->ids[0]));
		f->lines[f->n] = line;
		f->offsets[f->n] = offset;
	}
	f->n++;
}

/* The scanner's callback (sendsec_keyscan_begin) with a struct keyscan_ref_found as arg. */
static inline void keyscan_ref_collect(void *arg, const struct sendsec_keyscan_hit *hit)
{
	keyscan_ref_add(arg, &hit->key, hit->line, hit->offset);
}

/* The length of a key with prefix. */
static inline size_t keyscan_ref_key_len(const char *prefix)
{
	return strlen(prefix) + SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN;
}

/* What the scanner must find in buf: every position where sendsec_apikey_parse accepts a key's
 * length of bytes, with its line (counted by '\n'). */
static inline void keyscan_ref_reference(const char *prefix, const char *buf, size_t len, struct keyscan_ref_found *f)
{
	size_t klen = keyscan_ref_key_len(prefix);
	unsigned long long line = 1;
	char text[SENDSEC_KEY_MAX + 1];
	struct sendsec_apikey key;

	keyscan_ref_clear(f);
	for (size_t p = 0; p + klen <= len && klen <= SENDSEC_KEY_MAX; p++) {
		memcpy(text, buf + p, klen);
		text[klen] = '\0';
		if (sendsec_apikey_parse(text, prefix, &key) == SENDSEC_OK)
			keyscan_ref_add(f, &key, line, p);
		sendsec_apikey_clear(&key);
		line += buf[p] == '\n';
	}
	sodium_memzero(text, sizeof(text));
}

/* True when a and b hold the same number of hits and the same kept ids, lines and offsets. */
static inline bool keyscan_ref_same(const struct keyscan_ref_found *a, const struct keyscan_ref_found *b)
{
	size_t n = a->n < KEYSCAN_REF_MAX_HITS ? a->n : KEYSCAN_REF_MAX_HITS;

	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->ids[i], b->ids[i]) != 0 || a->lines[i] != b->lines[i] || a->offsets[i] != b->offsets[i])
			return false;
	return true;
}

/* CRC-32 (IEEE 802.3, as zlib) of s[0..n). */
static inline uint32_t keyscan_ref_crc32(const char *s, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		crc ^= (unsigned char)s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
	}
	return ~crc;
}

/* Rewrites the last SENDSEC_KEY_CHECK_LEN characters of the len-byte key text at key to be its
 * right check characters. */
static inline void keyscan_ref_fix_check(char *key, size_t len)
{
	uint32_t v = keyscan_ref_crc32(key, len - SENDSEC_KEY_CHECK_LEN);

	for (int i = SENDSEC_KEY_CHECK_LEN - 1; i >= 0; i--) {
		key[len - SENDSEC_KEY_CHECK_LEN + (size_t)i] = KEYSCAN_REF_ALPHABET[v % 62];
		v /= 62;
	}
}

#endif
