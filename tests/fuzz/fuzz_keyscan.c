/* fuzz_keyscan.c — the key scanner (common/keyscan.c) over arbitrary bytes. Input: one byte of
 * chunking seed, then the stream. Every 0x01 byte of the stream with room after it becomes a
 * planted key (prefix "ssk_", id and secret derived from the following bytes, check characters
 * made right), so that real hits occur, not only look-alikes. Properties: no crash, leak or
 * overflow; the hits (id, line, offset) are the same for the stream fed at once and fed in the
 * chunk sizes the seed picks (1 to 256 bytes); they equal a position-by-position reference
 * (tests/lib/keyscan_ref.h, as the unit test's); every planted key that no later plant overwrote
 * is found; every hit carries a whole secret. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyscan.h"
#include "../lib/keyscan_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PREFIX "ssk_"

/* Writes a well-formed key over buf[at .. at+klen) made from the bytes found there. */
static void plant(char *buf, size_t at, size_t klen)
{
	char *k = buf + at;
	size_t plen = strlen(PREFIX);

	for (size_t i = plen; i < klen - SENDSEC_KEY_CHECK_LEN; i++)
		k[i] = KEYSCAN_REF_ALPHABET[(unsigned char)k[i] % 62];
	memcpy(k, PREFIX, plen);
	k[plen + SENDSEC_KEY_ID_LEN] = '_';
	keyscan_ref_fix_check(k, klen);
}

static void scan(const char *buf, size_t len, uint8_t seed, struct keyscan_ref_found *f)
{
	struct sendsec_keyscan s;
	uint32_t state = seed * 2654435761u + 1;

	keyscan_ref_clear(f);
	if (!sendsec_keyscan_begin(&s, PREFIX, keyscan_ref_collect, f))
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

static void same_or_abort(const struct keyscan_ref_found *a, const struct keyscan_ref_found *b)
{
	if (!keyscan_ref_same(a, b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keyscan_ref_found whole, chunked, ref;
	size_t klen = keyscan_ref_key_len(PREFIX);
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
	keyscan_ref_reference(PREFIX, buf, len, &ref);
	same_or_abort(&whole, &chunked);
	same_or_abort(&whole, &ref);
	if (whole.n < planted || !whole.secret_ok)
		abort();
	free(buf);
	return 0;
}
