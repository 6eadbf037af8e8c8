/* test_keyscan.c — the key scanner: keys found with their line in text, CRLF text and binary data;
 * look-alikes (a changed character, broken check characters, a short or long body, another
 * prefix) and other vendors' tokens not reported; the same hits whatever the chunk boundaries
 * (every two-way split, byte by byte, random chunks), checked against a position-by-position
 * reference; the carry wiped at the end. Keys are minted at test time; none is printed. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "keyscan.h"
#include "../lib/keyscan_ref.h"

/* Scans buf in chunks of the sizes in sizes[] (cycled; NULL: all at once). */
static void scan(const char *prefix, const char *buf, size_t len, const size_t *sizes, size_t n_sizes,
		struct keyscan_ref_found *f)
{
	struct sendsec_keyscan s;
	size_t at = 0, k = 0;

	keyscan_ref_clear(f);
	if (!sendsec_keyscan_begin(&s, prefix, keyscan_ref_collect, f))
		return;
	while (at < len) {
		size_t n = sizes == NULL ? len : sizes[k++ % n_sizes];

		if (n > len - at)
			n = len - at;
		sendsec_keyscan_feed(&s, buf + at, n);
		at += n;
	}
	CHECK_EQ_INT(sendsec_keyscan_end(&s), f->n);
}

static void mint(const char *prefix, char *key_out, char *id_out)
{
	struct sendsec_apikey parts;

	CHECK(sendsec_apikey_mint(prefix, key_out, SENDSEC_KEY_MAX + 1, &parts) == SENDSEC_OK);
	memcpy(id_out, parts.id, SENDSEC_KEY_ID_LEN + 1);
	sendsec_apikey_clear(&parts);
}

/* Keys in text, each with its line; look-alikes and other tokens around them; every split. */
static void test_text(void)
{
	char k1[SENDSEC_KEY_MAX + 1], k2[SENDSEC_KEY_MAX + 1], k3[SENDSEC_KEY_MAX + 1], other[SENDSEC_KEY_MAX + 1];
	char id1[16], id2[16], id3[16], id_other[16], bad_check[SENDSEC_KEY_MAX + 1], changed[SENDSEC_KEY_MAX + 1];
	char text[4096];
	struct keyscan_ref_found got, want, split;
	size_t len, klen;
	bool all_splits_same = true;

	mint("ssk_", k1, id1);
	mint("ssk_", k2, id2);
	mint("ssk_", k3, id3);
	mint("test-", other, id_other);
	klen = strlen(k1);
	memcpy(bad_check, k2, klen + 1);
	bad_check[klen - 1] = bad_check[klen - 1] == 'A' ? 'B' : 'A';
	memcpy(changed, k3, klen + 1);
	changed[30] = changed[30] == 'x' ? 'y' : 'x'; /* a typo in the secret, check not recomputed */
	len = (size_t)snprintf(text, sizeof(text),
			"# config\n"                                        /* 1 */
			"API_KEY=%s\n"                                      /* 2: k1 */
			"token: \"%s\", backup: '%s'\r\n"                   /* 3: k2, k3 (CRLF) */
			"bad=%s\n"                                          /* 4: broken check */
			"typo=%s\n"                                         /* 5: changed secret */
			"other prefix=%s\n"                                 /* 6: test- key */
			"github=ghp_1234567890abcdefghijABCDEFGHIJ123456\n" /* 7: another vendor */
			"stripe=sk_live_51H8abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\n"
			"slack=xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx\n"
			"short=ssk_AAAAAAAAAAAA_0123456789\n"
			"glued=x%sTRAILING\n", /* 11: k1 again, glued to text on both sides */
			k1, k2, k3, bad_check, changed, other, k1);
	CHECK(len < sizeof(text));

	scan("ssk_", text, len, NULL, 0, &got);
	CHECK_EQ_INT(got.n, 4);
	if (got.n == 4) {
		CHECK_STR(got.ids[0], id1);
		CHECK_EQ_INT(got.lines[0], 2);
		CHECK_STR(got.ids[1], id2);
		CHECK_EQ_INT(got.lines[1], 3);
		CHECK_STR(got.ids[2], id3);
		CHECK_EQ_INT(got.lines[2], 3);
		CHECK_STR(got.ids[3], id1);
		CHECK_EQ_INT(got.lines[3], 11);
		CHECK_EQ_INT(got.offsets[0], strlen("# config\nAPI_KEY="));
	}
	CHECK(got.secret_ok);
	keyscan_ref_reference("ssk_", text, len, &want);
	CHECK(keyscan_ref_same(&got, &want));

	/* The other fleet's prefix finds only its own key. */
	scan("test-", text, len, NULL, 0, &got);
	CHECK_EQ_INT(got.n, 1);
	CHECK(got.n == 1 && strcmp(got.ids[0], id_other) == 0 && got.lines[0] == 6);

	/* Every two-way split, and byte by byte. */
	for (size_t cut = 0; cut <= len; cut++) {
		size_t sizes[2] = {cut == 0 ? len : cut, len};

		scan("ssk_", text, len, sizes, 2, &split);
		all_splits_same = all_splits_same && keyscan_ref_same(&split, &want);
	}
	CHECK(all_splits_same);
	scan("ssk_", text, len, (const size_t[]){1}, 1, &split);
	CHECK(keyscan_ref_same(&split, &want));
	scan("ssk_", text, len, (const size_t[]){3, 70, 1, 64, 2}, 5, &split);
	CHECK(keyscan_ref_same(&split, &want));

	sodium_memzero(text, sizeof(text));
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	sodium_memzero(k3, sizeof(k3));
}

/* Keys next to each other and overlapping prefixes: "sssk_…", "ssk_ssk_…", a key right after
 * another, a key at the very end without a newline. */
static void test_edges(void)
{
	char k1[SENDSEC_KEY_MAX + 1], k2[SENDSEC_KEY_MAX + 1], id1[16], id2[16], text[1024];
	struct keyscan_ref_found got, want;
	size_t len;

	mint("ssk_", k1, id1);
	mint("ssk_", k2, id2);
	len = (size_t)snprintf(text, sizeof(text), "s%s%sssk_ssk_%s", k1, k2, k1);
	scan("ssk_", text, len, NULL, 0, &got);
	keyscan_ref_reference("ssk_", text, len, &want);
	CHECK_EQ_INT(got.n, 3);
	CHECK(keyscan_ref_same(&got, &want));
	CHECK(got.n == 3 && strcmp(got.ids[0], id1) == 0 && strcmp(got.ids[1], id2) == 0 &&
			strcmp(got.ids[2], id1) == 0 && got.offsets[0] == 1);
	/* A stream shorter than a key; an empty stream; a key cut at its last character. */
	scan("ssk_", k1, strlen(k1) - 1, NULL, 0, &got);
	CHECK_EQ_INT(got.n, 0);
	scan("ssk_", "", 0, NULL, 0, &got);
	CHECK_EQ_INT(got.n, 0);
	scan("ssk_", k1, strlen(k1), (const size_t[]){strlen(k1) - 1, 1}, 2, &got);
	CHECK_EQ_INT(got.n, 1);
	/* A key whose body is one character longer or shorter is not a key of this format. */
	memmove(text, k1, strlen(k1) + 1);
	memmove(text + 20, text + 21, strlen(text + 21) + 1); /* one secret character less */
	keyscan_ref_fix_check(text, strlen(text));
	strcat(text, "xxxxxxxx"); /* so that a whole key's length fits */
	scan("ssk_", text, strlen(text), NULL, 0, &got);
	CHECK_EQ_INT(got.n, 0);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
}

/* Random binary data (NUL bytes, 0xff, newlines, lots of 's') with keys planted in it: the scanner
 * agrees with the reference over random chunkings, and finds every planted key. */
static void test_binary(void)
{
	enum { SIZE = 1 << 16, PLANTED = 20 };
	char *buf = malloc(SIZE), key[SENDSEC_KEY_MAX + 1], id[16];
	struct keyscan_ref_found got, want;
	size_t klen, sizes[7];

	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	randombytes_buf(buf, SIZE);
	for (size_t i = 0; i < SIZE; i += 7)
		buf[i] = "s\nk_\0S"[i % 6]; /* many partial prefixes */
	mint("ssk_", key, id);
	klen = strlen(key);
	for (size_t i = 0; i < PLANTED; i++) {
		size_t at = (size_t)randombytes_uniform((uint32_t)(SIZE / PLANTED - klen)) + i * (SIZE / PLANTED);
		memcpy(buf + at, key, klen);
	}
	keyscan_ref_reference("ssk_", buf, SIZE, &want);
	CHECK_EQ_INT(want.n, PLANTED);
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < 7; i++)
			sizes[i] = 1 + randombytes_uniform(round < 10 ? 200 : 20000);
		scan("ssk_", buf, SIZE, sizes, 7, &got);
		if (!keyscan_ref_same(&got, &want))
			fprintf(stderr, "round %d: %zu hits, wanted %zu\n", round, got.n, want.n);
		CHECK(keyscan_ref_same(&got, &want));
	}
	sodium_memzero(buf, SIZE);
	free(buf);
	sodium_memzero(key, sizeof(key));
}

/* Prefixes the config refuses are refused here too; the state is wiped at the end. */
static void test_begin_end(void)
{
	struct sendsec_keyscan s;
	struct keyscan_ref_found f = {0};
	char key[SENDSEC_KEY_MAX + 1], id[16];
	bool wiped = true;

	CHECK(!sendsec_keyscan_begin(&s, "", keyscan_ref_collect, &f));
	CHECK(!sendsec_keyscan_begin(&s, NULL, keyscan_ref_collect, &f));
	CHECK(!sendsec_keyscan_begin(&s, "12345678901234567", keyscan_ref_collect, &f));
	CHECK(!sendsec_keyscan_begin(&s, "ssk_", NULL, &f));
	CHECK(sendsec_keyscan_begin(&s, "1234567890123456", keyscan_ref_collect, &f));
	(void)sendsec_keyscan_end(&s);
	mint("ssk_", key, id);
	CHECK(sendsec_keyscan_begin(&s, "ssk_", keyscan_ref_collect, &f));
	sendsec_keyscan_feed(&s, key, 40); /* the first 40 bytes stay in the carry */
	CHECK(s.carry_len == 40);
	CHECK_EQ_INT(sendsec_keyscan_end(&s), 0);
	for (size_t i = 0; i < sizeof(s); i++)
		wiped = wiped && ((const unsigned char *)&s)[i] == 0;
	CHECK(wiped);
	sodium_memzero(key, sizeof(key));
}

int main(int argc, char **argv)
{
	(void)argc;
	if (sodium_init() < 0)
		return 1;
	test_text();
	test_edges();
	test_binary();
	test_begin_end();
	return check_report(argv[0]);
}
