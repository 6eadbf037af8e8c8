/* fuzz_keyscan.c — the key scanner (common/keyscan.c) over arbitrary bytes. Input: one byte of
 * chunking seed, then the stream. Every 0x01 byte of the stream with room after it becomes a
 * planted key (prefix "ssk_", id and secret derived from the following bytes, check characters
 * made right), so that real hits occur, not only look-alikes. Properties: no crash, leak or
 * overflow; the hits (id, line, offset) are the same for the stream fed at once and fed in the
 * chunk sizes the seed picks (1 to 256 bytes); they equal a position-by-position reference; every
 * planted key that no later plant overwrote is found. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX   "ssk_"
#define MAX_HITS 256
#define ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

struct found {
	size_t n;
	char ids[MAX_HITS][SENDSEC_KEY_ID_LEN + 1];
	unsigned long long lines[MAX_HITS], offsets[MAX_HITS];
};

static void collect(void *arg, const struct sendsec_keyscan_hit *hit)
{
	struct found *f = arg;

	if (f->n < MAX_HITS) {
		memcpy(f->ids[f->n], hit->key.id, sizeof(f->ids[0]));
		f->lines[f->n] = hit->line;
		f->offsets[f->n] = hit->offset;
	}
	f->n++;
}

static uint32_t crc32_ieee(const char *s, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		crc ^= (unsigned char)s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
	}
	return ~crc;
}

/* Writes a well-formed key over buf[at .. at+klen) made from the bytes found there. */
static void plant(char *buf, size_t at, size_t klen)
{
	char *k = buf + at;
	size_t plen = strlen(PREFIX);
	uint32_t v;

	for (size_t i = plen; i < klen - SENDSEC_KEY_CHECK_LEN; i++)
		k[i] = ALPHABET[(unsigned char)k[i] % 62];
	memcpy(k, PREFIX, plen);
	k[plen + SENDSEC_KEY_ID_LEN] = '_';
	v = crc32_ieee(k, klen - SENDSEC_KEY_CHECK_LEN);
	for (int i = SENDSEC_KEY_CHECK_LEN - 1; i >= 0; i--) {
		k[klen - SENDSEC_KEY_CHECK_LEN + (size_t)i] = ALPHABET[v % 62];
		v /= 62;
	}
}

static void scan(const char *buf, size_t len, uint8_t seed, struct found *f)
{
	struct sendsec_keyscan s;
	uint32_t state = seed * 2654435761u + 1;

	memset(f, 0, sizeof(*f));
	if (!sendsec_keyscan_begin(&s, PREFIX, collect, f))
		abort();
	for (size_t at = 0; at < len;) {
		size_t n = len;

		if (seed != 0) {
			state = state * 1103515245u + 12345u;
			n = 1 + (state >> 16) % 256;
		}
		if (n > len - at)
			n = len - at;
		sendsec_keyscan_feed(&s, buf + at, n);
		at += n;
	}
	if (sendsec_keyscan_end(&s) != f->n)
		abort();
}

static void reference(const char *buf, size_t len, size_t klen, struct found *f)
{
	char text[SENDSEC_KEY_MAX + 1];
	struct sendsec_apikey key;
	unsigned long long line = 1;

	memset(f, 0, sizeof(*f));
	for (size_t p = 0; p + klen <= len; p++) {
		memcpy(text, buf + p, klen);
		text[klen] = '\0';
		if (sendsec_apikey_parse(text, PREFIX, &key) == SENDSEC_OK) {
			if (f->n < MAX_HITS) {
				memcpy(f->ids[f->n], key.id, sizeof(f->ids[0]));
				f->lines[f->n] = line;
				f->offsets[f->n] = p;
			}
			f->n++;
		}
		sendsec_apikey_clear(&key);
		line += buf[p] == '\n';
	}
}

static void same_or_abort(const struct found *a, const struct found *b)
{
	size_t n = a->n < MAX_HITS ? a->n : MAX_HITS;

	if (a->n != b->n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->ids[i], b->ids[i]) != 0 || a->lines[i] != b->lines[i] || a->offsets[i] != b->offsets[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct found whole, chunked, ref;
	size_t klen = strlen(PREFIX) + SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN + SENDSEC_KEY_CHECK_LEN;
	size_t len, planted = 0;
	uint8_t seed;
	char *buf;

	if (size < 1)
		return 0;
	seed = data[0];
	len = size - 1;
	if ((buf = malloc(len + 1)) == NULL)
		return 0;
	memcpy(buf, data + 1, len);
	for (size_t i = 0; i + klen <= len; i++) {
		if (buf[i] != 0x01)
			continue;
		plant(buf, i, klen);
		planted++;
		i += klen - 1; /* plants never overlap */
	}
	scan(buf, len, 0, &whole);
	scan(buf, len, seed | 1, &chunked);
	reference(buf, len, klen, &ref);
	same_or_abort(&whole, &chunked);
	same_or_abort(&whole, &ref);
	if (whole.n < planted)
		abort();
	free(buf);
	return 0;
}
