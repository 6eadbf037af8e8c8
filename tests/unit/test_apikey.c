/* test_apikey.c — API keys: the check characters against an independent CRC32 and vectors from
 * zlib, mint/parse round trips, refusal of every single-character change, the stored value's
 * format/parse round trip, scopes, the exported id, scope and stored-id rules against the parser,
 * and malformed stored values. Prints no key or secret. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

#include "apikey.h"
#include "check.h"

#define ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define N_KEYS   1000

/* Reference CRC32, written table-driven so that it shares no code shape with apikey.c. */
static uint32_t ref_crc32(const char *s, size_t n)
{
	static uint32_t table[256];
	uint32_t crc = 0xFFFFFFFFu;

	if (table[1] == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ (unsigned char)s[i]) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

/* Rewrites the last 6 characters of key so that they are the right check for the rest. */
static void ref_fix_check(char *key)
{
	size_t n = strlen(key) - SENDSEC_KEY_CHECK_LEN;
	uint32_t v = ref_crc32(key, n);

	for (int i = SENDSEC_KEY_CHECK_LEN - 1; i >= 0; i--) {
		key[n + (size_t)i] = ALPHABET[v % 62];
		v /= 62;
	}
}

static void test_crc_vectors(void)
{
	struct sendsec_apikey k;
	/* Keys whose check characters were computed with Python's zlib.crc32. */
	const char *k1 = "ssk_AAAAAAAAAAAA_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg2LAG48";
	const char *k2 = "test-4Fq9xK2bT0aZ_zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJ3J6lbj";

	CHECK(ref_crc32("123456789", 9) == 0xCBF43926u);
	CHECK(ref_crc32(k1, strlen(k1) - 6) == 0x7fda5000u);

	CHECK(sendsec_apikey_parse(k1, "ssk_", &k) == SENDSEC_OK);
	CHECK_STR(k.id, "AAAAAAAAAAAA");
	CHECK(strcmp(k.secret, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg") == 0);
	sendsec_apikey_clear(&k);
	CHECK(sendsec_apikey_parse(k2, "test-", &k) == SENDSEC_OK);
	CHECK_STR(k.id, "4Fq9xK2bT0aZ");
	sendsec_apikey_clear(&k);
	/* The same key under another configured prefix is not ours. */
	CHECK(sendsec_apikey_parse(k2, "ssk_", &k) == SENDSEC_DENIED);
}

/* The check characters' table-free CRC32 equals the table-driven reference on every single byte
 * value, on random data of every length from 0 to 100, and keys minted under prefixes of 1 to 8
 * characters carry the reference's check characters and parse. */
static void test_crc_against_reference(void)
{
	static const char *const prefixes[] = {"s", "s_", "sk_", "ssk_", "test-", "ssk_x_", "abcdef_", "abcdefg_"};
	unsigned char data[100];
	int same = 0, tried = 0, minted_ok = 0;

	for (int c = 0; c < 256; c++) {
		char byte = (char)c;

		tried++;
		same += sendsec_apikey_crc32(&byte, 1) == ref_crc32(&byte, 1);
	}
	for (int r = 0; r < 40; r++) {
		randombytes_buf(data, sizeof(data));
		for (size_t len = 0; len <= sizeof(data); len++) {
			tried++;
			same += sendsec_apikey_crc32((const char *)data, len) == ref_crc32((const char *)data, len);
		}
	}
	CHECK_EQ_INT(same, tried);
	CHECK(sendsec_apikey_crc32("123456789", 9) == 0xCBF43926u);
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		for (int i = 0; i < 50; i++) {
			char text[SENDSEC_KEY_MAX], fixed[SENDSEC_KEY_MAX];
			struct sendsec_apikey parts, parsed;

			if (sendsec_apikey_mint(prefixes[p], text, sizeof(text), &parts) == SENDSEC_OK) {
				memcpy(fixed, text, sizeof(fixed));
				ref_fix_check(fixed);
				minted_ok += strcmp(fixed, text) == 0 &&
						sendsec_apikey_parse(text, prefixes[p], &parsed) == SENDSEC_OK;
				sendsec_apikey_clear(&parsed);
			}
			sendsec_apikey_clear(&parts);
			sodium_memzero(text, sizeof(text));
			sodium_memzero(fixed, sizeof(fixed));
		}
	}
	CHECK_EQ_INT(minted_ok, 8 * 50);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_mint_round_trip(void)
{
	char **keys = calloc(N_KEYS, sizeof(*keys));
	unsigned counts[62] = {0};
	size_t n_ok = 0, n_check_ok = 0, n_distinct = 1, n_parts_ok = 0;
	bool counts_ok = true;

	CHECK(keys != NULL);
	if (keys == NULL)
		return;
	for (int i = 0; i < N_KEYS; i++) {
		char text[SENDSEC_KEY_MAX], fixed[SENDSEC_KEY_MAX];
		struct sendsec_apikey parts, parsed;

		if (sendsec_apikey_mint("ssk_", text, sizeof(text), &parts) != SENDSEC_OK)
			continue;
		if (sendsec_apikey_parse(text, "ssk_", &parsed) == SENDSEC_OK)
			n_ok++;
		if (strlen(text) == 4 + 12 + 1 + 43 + 6 && strcmp(parts.id, parsed.id) == 0 &&
				sodium_memcmp(parts.secret, parsed.secret, sizeof(parts.secret)) == 0 &&
				memcmp(text + 4, parts.id, 12) == 0 && memcmp(text + 17, parts.secret, 43) == 0)
			n_parts_ok++;
		memcpy(fixed, text, sizeof(fixed));
		ref_fix_check(fixed);
		if (strcmp(fixed, text) == 0)
			n_check_ok++;
		for (size_t j = 4; j < 4 + 12 + 1 + 43; j++) {
			const char *pos = strchr(ALPHABET, text[j]);
			if (j != 16 && pos != NULL)
				counts[pos - ALPHABET]++;
		}
		keys[i] = strdup(text);
		sendsec_apikey_clear(&parts);
		sendsec_apikey_clear(&parsed);
		sodium_memzero(text, sizeof(text));
		sodium_memzero(fixed, sizeof(fixed));
	}
	CHECK(n_ok == N_KEYS);
	CHECK(n_parts_ok == N_KEYS);
	CHECK(n_check_ok == N_KEYS);
	for (int i = 0; i < N_KEYS; i++)
		CHECK(keys[i] != NULL);
	qsort(keys, N_KEYS, sizeof(*keys), cmp_str);
	for (int i = 1; i < N_KEYS; i++) {
		if (keys[i] != NULL && keys[i - 1] != NULL && strcmp(keys[i], keys[i - 1]) != 0)
			n_distinct++;
	}
	CHECK(n_distinct == N_KEYS);
	/* 55000 characters, 887 expected per symbol (sd about 30). Modulo bias without rejection
	 * would put symbols 0..7 near 1109. */
	for (int c = 0; c < 62; c++)
		counts_ok = counts_ok && counts[c] > 750 && counts[c] < 1030;
	CHECK(counts_ok);
	for (int i = 0; i < N_KEYS; i++)
		free(keys[i]);
	free(keys);
}

static void test_single_change_denied(void)
{
	char key[SENDSEC_KEY_MAX], bad[SENDSEC_KEY_MAX];
	struct sendsec_apikey parts, k;
	size_t len, n_denied = 0, n_tried = 0;

	CHECK(sendsec_apikey_mint("ssk_", key, sizeof(key), &parts) == SENDSEC_OK);
	sendsec_apikey_clear(&parts);
	len = strlen(key);
	for (size_t i = 0; i < len; i++) {
		const char repl[] = {'a', 'Z', '0', '_', '-', ' '};
		for (size_t r = 0; r < sizeof(repl); r++) {
			if (repl[r] == key[i])
				continue;
			memcpy(bad, key, sizeof(bad));
			bad[i] = repl[r];
			n_tried++;
			if (sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED)
				n_denied++;
			sendsec_apikey_clear(&k);
		}
	}
	CHECK(n_tried > len * 4);
	CHECK(n_denied == n_tried);
	/* A refused parse leaves nothing behind. */
	CHECK(k.id[0] == '\0' && k.secret[0] == '\0');
	sodium_memzero(key, sizeof(key));
	sodium_memzero(bad, sizeof(bad));
}

static void test_shape_denied(void)
{
	char key[SENDSEC_KEY_MAX], bad[SENDSEC_KEY_MAX * 2 + 2];
	struct sendsec_apikey parts, k;
	size_t len;

	CHECK(sendsec_apikey_mint("ssk_", key, sizeof(key), &parts) == SENDSEC_OK);
	sendsec_apikey_clear(&parts);
	len = strlen(key);

	/* Wrong prefix, both ways. */
	CHECK(sendsec_apikey_parse(key, "sk_", &k) == SENDSEC_DENIED);
	CHECK(sendsec_apikey_parse(key, "ssk__", &k) == SENDSEC_DENIED);
	CHECK(sendsec_apikey_parse(key, "xsk_", &k) == SENDSEC_DENIED);

	/* One character fewer or more in id or secret, with the check characters made right again:
	 * only the length rule can refuse these. */
	memcpy(bad, key, len + 1);
	memmove(bad + 5, bad + 6, len - 5); /* id one shorter */
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	memcpy(bad, key, len + 1);
	memmove(bad + 21, bad + 20, len - 19); /* secret one longer */
	ref_fix_check(bad);
	CHECK(strlen(bad) == len + 1);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	memcpy(bad, key, len + 1);
	memmove(bad + 20, bad + 21, len - 20); /* secret one shorter */
	ref_fix_check(bad);
	CHECK(strlen(bad) == len - 1);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	/* id 13 and secret 42: the '_' moves but the total length is right. */
	memcpy(bad, key, len + 1);
	bad[16] = 'Q';
	bad[17] = '_';
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	/* Truncated check characters, extra trailing character. */
	memcpy(bad, key, len + 1);
	bad[len - 1] = '\0';
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	memcpy(bad, key, len + 1);
	bad[len] = 'x';
	bad[len + 1] = '\0';
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);

	/* Non-base62 characters with a valid check: only the alphabet rule refuses them. */
	memcpy(bad, key, len + 1);
	bad[30] = '+';
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	memcpy(bad, key, len + 1);
	bad[6] = '\xc3';
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	memcpy(bad, key, len + 1);
	bad[16] = 'x'; /* the separator */
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_DENIED);
	/* And the control: the same rewrite with a base62 character is accepted. */
	memcpy(bad, key, len + 1);
	bad[30] = bad[30] == 'q' ? 'r' : 'q';
	ref_fix_check(bad);
	CHECK(sendsec_apikey_parse(bad, "ssk_", &k) == SENDSEC_OK);
	sendsec_apikey_clear(&k);

	/* Longer than SENDSEC_KEY_MAX, even with a prefix that would make the length right. */
	{
		char prefix[SENDSEC_KEY_MAX + 1];
		size_t plen = SENDSEC_KEY_MAX - (len - 4) + 1;
		memset(prefix, 'p', plen);
		prefix[plen] = '\0';
		memcpy(bad, prefix, plen);
		memcpy(bad + plen, key + 4, len - 4 + 1);
		ref_fix_check(bad);
		CHECK(strlen(bad) == SENDSEC_KEY_MAX + 1);
		CHECK(sendsec_apikey_parse(bad, prefix, &k) == SENDSEC_DENIED);
		CHECK(!sendsec_apikey_looks_like(bad, prefix));
		/* One prefix character fewer: exactly SENDSEC_KEY_MAX long, accepted. */
		prefix[plen - 1] = '\0';
		memmove(bad, bad + 1, strlen(bad));
		ref_fix_check(bad);
		CHECK(strlen(bad) == SENDSEC_KEY_MAX);
		CHECK(sendsec_apikey_parse(bad, prefix, &k) == SENDSEC_OK);
		sendsec_apikey_clear(&k);
	}
	CHECK(sendsec_apikey_parse("", "ssk_", &k) == SENDSEC_DENIED);
	CHECK(sendsec_apikey_parse(NULL, "ssk_", &k) == SENDSEC_DENIED);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(bad, sizeof(bad));
}

/* The presented key's alphabet, checked eight characters at a time, against the grammar read one
 * character at a time: every byte value 1..255 at every position of the id, the "_" and the secret,
 * with the check characters made right again, is accepted exactly when the grammar allows it
 * there (base62, or "_" at the separator); under prefixes of 1 to 8 characters, so that the words
 * fall on every alignment. */
static void test_alphabet_every_byte(void)
{
	static const char *const prefixes[] = {"s", "s_", "sk_", "ssk_", "test-", "ssk_x_", "abcdef_", "abcdefg_"};
	char key[SENDSEC_KEY_MAX], bad[SENDSEC_KEY_MAX];
	struct sendsec_apikey parts, k;
	long long agree = 0, tried = 0, accepted = 0;

	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		size_t plen = strlen(prefixes[p]), body = SENDSEC_KEY_ID_LEN + 1 + SENDSEC_KEY_SECRET_LEN;

		CHECK(sendsec_apikey_mint(prefixes[p], key, sizeof(key), &parts) == SENDSEC_OK);
		sendsec_apikey_clear(&parts);
		for (size_t i = 0; i < body; i++) {
			for (int c = 1; c < 256; c++) {
				bool want = i == SENDSEC_KEY_ID_LEN ? c == '_' : c < 128 && strchr(ALPHABET, c) != NULL;
				bool got;

				memcpy(bad, key, sizeof(bad));
				bad[plen + i] = (char)c;
				ref_fix_check(bad);
				got = sendsec_apikey_parse(bad, prefixes[p], &k) == SENDSEC_OK;
				sendsec_apikey_clear(&k);
				if (got != want)
					fprintf(stderr, "prefix %s position %zu byte 0x%02x: parse %d, grammar %d\n",
							prefixes[p], i, c, got, want);
				agree += got == want;
				accepted += got;
				tried++;
			}
		}
	}
	CHECK_EQ_INT(agree, tried);
	CHECK_EQ_INT(accepted, 8 * (SENDSEC_KEY_ID_LEN + SENDSEC_KEY_SECRET_LEN) * 62 + 8);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(bad, sizeof(bad));
}

static void test_looks_like(void)
{
	char key[SENDSEC_KEY_MAX];
	struct sendsec_apikey parts;
	size_t len;

	CHECK(sendsec_apikey_mint("ssk_", key, sizeof(key), &parts) == SENDSEC_OK);
	sendsec_apikey_clear(&parts);
	len = strlen(key);
	CHECK(sendsec_apikey_looks_like(key, "ssk_"));
	CHECK(!sendsec_apikey_looks_like(key, "abc_"));
	CHECK(!sendsec_apikey_looks_like("ssk_hunter2", "ssk_"));
	CHECK(!sendsec_apikey_looks_like("correct horse battery staple", "ssk_"));
	CHECK(!sendsec_apikey_looks_like(NULL, "ssk_"));
	CHECK(!sendsec_apikey_looks_like(key, NULL));
	key[len - 1] = '\0'; /* a key with a character lost still goes to the key path */
	CHECK(sendsec_apikey_looks_like(key, "ssk_"));
	key[len - 10] = '\0';
	CHECK(!sendsec_apikey_looks_like(key, "ssk_"));
	sodium_memzero(key, sizeof(key));
}

static void test_mint_errors_and_clear(void)
{
	char key[SENDSEC_KEY_MAX + 1], longprefix[SENDSEC_KEY_MAX];
	struct sendsec_apikey parts;
	bool all_zero = true;

	CHECK(sendsec_apikey_mint("ssk_", key, 66, &parts) == SENDSEC_UNAVAILABLE);
	CHECK(key[0] == '\0' && parts.secret[0] == '\0');
	CHECK(sendsec_apikey_mint("ssk_", key, 67, &parts) == SENDSEC_OK);
	memset(longprefix, 'p', 67);
	longprefix[67] = '\0';
	CHECK(sendsec_apikey_mint(longprefix, key, sizeof(key), &parts) == SENDSEC_UNAVAILABLE);
	longprefix[66] = '\0';
	/* The longest key takes SENDSEC_KEY_MAX characters and its NUL. */
	CHECK(sendsec_apikey_mint(longprefix, key, SENDSEC_KEY_MAX, &parts) == SENDSEC_UNAVAILABLE);
	CHECK(sendsec_apikey_mint(longprefix, key, sizeof(key), &parts) == SENDSEC_OK);
	CHECK(strlen(key) == SENDSEC_KEY_MAX);
	CHECK(sendsec_apikey_mint(NULL, key, sizeof(key), &parts) == SENDSEC_UNAVAILABLE);

	CHECK(sendsec_apikey_mint("ssk_", key, sizeof(key), &parts) == SENDSEC_OK);
	sendsec_apikey_clear(&parts);
	for (size_t i = 0; i < sizeof(parts); i++)
		all_zero = all_zero && ((const unsigned char *)&parts)[i] == 0;
	CHECK(all_zero);
	sendsec_apikey_clear(NULL);
	sodium_memzero(key, sizeof(key));
}

static void test_hash_and_matches(void)
{
	const char *k1 = "ssk_AAAAAAAAAAAA_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg2LAG48";
	/* base64(BLAKE2b-256(secret)), computed with Python's hashlib. */
	const char *v = "v1;id=AAAAAAAAAAAA;hash=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH8=;scopes=smtp;"
			"expires=-;created=20250301120000Z;networks=-;disabled=0;desc=";
	struct sendsec_apikey key, other;
	struct sendsec_keyrec rec;
	char text[SENDSEC_KEY_MAX], err[256];

	CHECK(sendsec_apikey_parse(k1, "ssk_", &key) == SENDSEC_OK);
	CHECK(sendsec_keyrec_parse(v, strlen(v), &rec, err, sizeof(err)) == SENDSEC_OK);
	CHECK(sendsec_apikey_matches(&key, &rec));

	/* Same id, other secret. */
	other = key;
	other.secret[42] = other.secret[42] == 'g' ? 'h' : 'g';
	CHECK(!sendsec_apikey_matches(&other, &rec));
	/* Same secret, other id. */
	other = key;
	other.id[0] = 'B';
	CHECK(!sendsec_apikey_matches(&other, &rec));
	sendsec_apikey_clear(&other);
	sendsec_keyrec_clear(&rec);

	/* A minted key matches a record built with sendsec_apikey_hash, and only that record. */
	CHECK(sendsec_apikey_mint("ssk_", text, sizeof(text), &other) == SENDSEC_OK);
	memcpy(rec.id, other.id, sizeof(rec.id));
	sendsec_apikey_hash(&other, rec.hash);
	CHECK(sendsec_apikey_matches(&other, &rec));
	CHECK(!sendsec_apikey_matches(&key, &rec));
	CHECK(!sendsec_apikey_matches(NULL, &rec));
	sendsec_apikey_clear(&key);
	sendsec_apikey_clear(&other);
	sodium_memzero(text, sizeof(text));
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

static void test_keyrec_round_trip(void)
{
	const char *desc = "CRM; a=b 100% \"sure\"\nline two \xc3\xa9t\xc3\xa9 \xe2\x80\x94 ok";
	char smtp[] = "smtp", submission[] = "submission";
	char *scopes[] = {smtp, submission, NULL};
	struct sendsec_keyrec rec = {0}, back;
	char *value = NULL, *again = NULL, err[256] = "";
	bool printable = true;

	memcpy(rec.id, "4Fq9xK2bT0aZ", 13);
	for (int i = 0; i < SENDSEC_KEY_HASH_LEN; i++)
		rec.hash[i] = (unsigned char)(i * 7 + 1);
	rec.scopes = scopes;
	rec.expires = 1795831200;
	rec.created = 1740830400;
	rec.disabled = true;
	rec.description = (char *)desc;
	CHECK(sendsec_cidr_list_add(&rec.networks, "192.0.2.0/24 2001:db8::/32", err, sizeof(err)) == SENDSEC_OK);

	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_OK);
	CHECK(value != NULL);
	if (value == NULL)
		goto out;
	for (const char *p = value; *p != '\0'; p++)
		printable = printable && *p >= 0x20 && *p <= 0x7e;
	CHECK(printable);
	CHECK(count_char(value, ';') == 8);
	CHECK(count_char(value, '=') == 9); /* one is the base64 padding of the hash */
	CHECK(strncmp(value, "v1;id=4Fq9xK2bT0aZ;hash=", 24) == 0);
	CHECK(strstr(value,
			      ";scopes=smtp,submission;expires=20261128020000Z;created=20250301120000Z;"
			      "networks=192.0.2.0/24,2001:db8::/32;disabled=1;desc=CRM%3B a%3Db 100%25 "
			      "\"sure\"%0Aline") != NULL);

	CHECK(sendsec_keyrec_parse(value, strlen(value), &back, err, sizeof(err)) == SENDSEC_OK);
	CHECK_STR(back.id, "4Fq9xK2bT0aZ");
	CHECK(memcmp(back.hash, rec.hash, SENDSEC_KEY_HASH_LEN) == 0);
	CHECK(back.scopes != NULL && back.scopes[0] != NULL && back.scopes[1] != NULL && back.scopes[2] == NULL);
	if (back.scopes != NULL && back.scopes[0] != NULL && back.scopes[1] != NULL) {
		CHECK_STR(back.scopes[0], "smtp");
		CHECK_STR(back.scopes[1], "submission");
	}
	CHECK(back.expires == 1795831200);
	CHECK(back.created == 1740830400);
	CHECK(back.disabled);
	CHECK(back.networks.n == 2);
	CHECK_STR(back.description, desc);
	CHECK(sendsec_keyrec_format(&back, &again) == SENDSEC_OK);
	CHECK_STR(again, value);
	sendsec_keyrec_clear(&back);
	CHECK(back.scopes == NULL && back.description == NULL && back.networks.n == 0);

	/* Never-expiring, any network, enabled, empty description. */
	free(value);
	value = NULL;
	rec.expires = 0;
	rec.disabled = false;
	rec.description = NULL;
	sendsec_cidr_list_clear(&rec.networks);
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_OK);
	CHECK(value != NULL && strstr(value, ";expires=-;") != NULL && strstr(value, ";networks=-;") != NULL);
	CHECK(value != NULL && strstr(value, ";disabled=0;desc=") != NULL);
	if (value != NULL) {
		CHECK(sendsec_keyrec_parse(value, strlen(value), &back, err, sizeof(err)) == SENDSEC_OK);
		CHECK(back.expires == 0 && !back.disabled && back.networks.n == 0);
		CHECK_STR(back.description, "");
		sendsec_keyrec_clear(&back);
	}
out:
	free(value);
	free(again);
	sendsec_cidr_list_clear(&rec.networks);
}

static void test_keyrec_format_refuses(void)
{
	char smtp[] = "smtp", smtp_mail[] = "smtp mail";
	char *scopes[] = {smtp, NULL}, *bad_scopes[] = {smtp_mail, NULL}, *no_scopes[] = {NULL};
	struct sendsec_keyrec rec = {0};
	char *value = NULL, *longdesc;

	memcpy(rec.id, "4Fq9xK2bT0aZ", 13);
	rec.scopes = scopes;
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_OK);
	free(value);
	rec.scopes = bad_scopes;
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_UNAVAILABLE && value == NULL);
	rec.scopes = no_scopes;
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_UNAVAILABLE);
	rec.scopes = scopes;
	memcpy(rec.id, "4Fq9xK2bT0a-", 13);
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_UNAVAILABLE);
	memcpy(rec.id, "4Fq9xK2bT0aZ", 13);
	rec.expires = -5;
	CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_UNAVAILABLE);
	rec.expires = 0;
	/* A description that would make the value longer than the parser accepts. */
	if ((longdesc = malloc(4000)) != NULL) {
		memset(longdesc, '\n', 3999);
		longdesc[3999] = '\0';
		rec.description = longdesc;
		CHECK(sendsec_keyrec_format(&rec, &value) == SENDSEC_UNAVAILABLE && value == NULL);
		free(longdesc);
	}
}

static void test_scope(void)
{
	char smtp[] = "smtp", submission[] = "submission", all[] = "*";
	char *scopes[] = {smtp, submission, NULL}, *star[] = {all, NULL}, *none[] = {NULL};
	struct sendsec_keyrec rec = {0};

	rec.scopes = scopes;
	CHECK(sendsec_keyrec_in_scope(&rec, "smtp"));
	CHECK(sendsec_keyrec_in_scope(&rec, "submission"));
	CHECK(!sendsec_keyrec_in_scope(&rec, "imap"));
	CHECK(!sendsec_keyrec_in_scope(&rec, "smt"));
	CHECK(!sendsec_keyrec_in_scope(&rec, "smtps"));
	CHECK(!sendsec_keyrec_in_scope(&rec, "SMTP"));
	CHECK(!sendsec_keyrec_in_scope(&rec, ""));
	CHECK(!sendsec_keyrec_in_scope(&rec, "*"));
	CHECK(!sendsec_keyrec_in_scope(&rec, NULL));
	rec.scopes = star;
	CHECK(sendsec_keyrec_in_scope(&rec, "sshd"));
	CHECK(sendsec_keyrec_in_scope(&rec, "smtp"));
	rec.scopes = none;
	CHECK(!sendsec_keyrec_in_scope(&rec, "smtp"));
	rec.scopes = NULL;
	CHECK(!sendsec_keyrec_in_scope(&rec, "smtp"));
}

#define GOOD_HASH "YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH8="

static void test_keyrec_fields_read_back(void)
{
	const char *v = "v1;disabled=1;desc=%e2%80%94;networks=10.0.0.0/8;created=20250301120000Z;"
			"expires=20261128020000Z;scopes=*;hash=" GOOD_HASH ";id=zzzzzzzzzzzz";
	struct sendsec_keyrec rec;
	char err[256];

	/* Fields in any order, lower-case hex in the description. */
	CHECK(sendsec_keyrec_parse(v, strlen(v), &rec, err, sizeof(err)) == SENDSEC_OK);
	CHECK(rec.disabled);
	CHECK(rec.expires == 1795831200);
	CHECK(rec.created == 1740830400);
	CHECK_STR(rec.description, "\xe2\x80\x94");
	CHECK(rec.networks.n == 1);
	CHECK(sendsec_keyrec_in_scope(&rec, "anything"));
	CHECK_STR(rec.id, "zzzzzzzzzzzz");
	sendsec_keyrec_clear(&rec);

	/* The length argument is honoured: the value need not be NUL-terminated. */
	CHECK(sendsec_keyrec_parse(v, strlen(v) - 1, &rec, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
	CHECK(strstr(err, "id") != NULL);
}

/* The key id rule on its own agrees with the stored-value parser, byte by byte. */
/* Whether a stored value with this id and these scopes (its other fields good) parses. */
static bool record_parses(const char *id, const char *scopes)
{
	char v[512], err[128];
	struct sendsec_keyrec rec;
	bool parses;

	snprintf(v, sizeof(v),
			"v1;id=%s;hash=" GOOD_HASH ";scopes=%s;expires=-;created=20250301120000Z;networks=-;disabled=0;"
			"desc=x",
			id, scopes);
	parses = sendsec_keyrec_parse(v, strlen(v), &rec, err, sizeof(err)) == SENDSEC_OK;
	if (parses)
		sendsec_keyrec_clear(&rec);
	return parses;
}

static void test_is_id(void)
{
	char key[SENDSEC_KEY_MAX], id[SENDSEC_KEY_ID_LEN + 2];
	struct sendsec_apikey parts;

	CHECK(sendsec_apikey_mint("sk_", key, sizeof(key), &parts) == SENDSEC_OK);
	CHECK(sendsec_apikey_is_id(parts.id));
	sendsec_apikey_clear(&parts);
	CHECK(sendsec_apikey_is_id("4Fq9xK2bT0aZ"));
	CHECK(sendsec_apikey_is_id("000000000000"));
	CHECK(sendsec_apikey_is_id("zzzzzzzzzzzz"));
	CHECK(!sendsec_apikey_is_id("4Fq9xK2bT0a"));   /* 11 */
	CHECK(!sendsec_apikey_is_id("4Fq9xK2bT0aZZ")); /* 13 */
	CHECK(!sendsec_apikey_is_id(""));
	CHECK(!sendsec_apikey_is_id(NULL));
	for (int c = 1; c < 256; c++) {
		bool parses;

		snprintf(id, sizeof(id), "4Fq9xK2bT0a%c", c);
		parses = record_parses(id, "smtp");
		if (sendsec_apikey_is_id(id) != parses)
			fprintf(stderr, "  id ending in byte %d: is_id %d, parse %d\n", c, sendsec_apikey_is_id(id),
					parses);
		CHECK(sendsec_apikey_is_id(id) == parses);
		CHECK(sendsec_apikey_is_id(id) == (strchr(ALPHABET, c) != NULL));
	}
}

/* The scope rule on its own agrees with what the stored value's parser and formatter accept. */
static void test_is_scope(void)
{
	char scope[4];
	char *scopes[] = {scope, NULL};
	struct sendsec_keyrec rec = {0};
	char *value = NULL;

	CHECK(sendsec_apikey_is_scope("*"));
	CHECK(sendsec_apikey_is_scope("smtp"));
	CHECK(sendsec_apikey_is_scope("a.b_c-1"));
	CHECK(!sendsec_apikey_is_scope(""));
	CHECK(!sendsec_apikey_is_scope("**"));
	CHECK(!sendsec_apikey_is_scope("smtp*"));
	CHECK(!sendsec_apikey_is_scope("a b"));
	CHECK(!sendsec_apikey_is_scope("a,b"));
	CHECK(!sendsec_apikey_is_scope("\xc3\xa9"));
	CHECK(!sendsec_apikey_is_scope(NULL));
	memcpy(rec.id, "4Fq9xK2bT0aZ", SENDSEC_KEY_ID_LEN + 1);
	rec.scopes = scopes;
	rec.created = 1740830400;
	for (int c = 1; c < 256; c++) {
		bool parses, formats;

		snprintf(scope, sizeof(scope), "s%c", c);
		parses = record_parses("4Fq9xK2bT0aZ", scope);
		formats = sendsec_keyrec_format(&rec, &value) == SENDSEC_OK;
		free(value);
		value = NULL;
		if (sendsec_apikey_is_scope(scope) != parses || parses != formats)
			fprintf(stderr, "  scope 's' + byte %d: is_scope %d, parse %d, format %d\n", c,
					sendsec_apikey_is_scope(scope), parses, formats);
		CHECK(sendsec_apikey_is_scope(scope) == parses);
		CHECK(parses == formats);
	}
}

/* The id of a stored value is read without parsing the other fields, so that a malformed record
 * can still be named and revoked; len is honoured. */
static void test_keyrec_value_id(void)
{
	static const char good[] = "v1;id=4Fq9xK2bT0aZ;hash=" GOOD_HASH
				   ";scopes=smtp;expires=-;created=20250301120000Z;networks=-;disabled=0;desc=x";
	static const struct {
		const char *value, *want; /* want NULL: no id */
	} cases[] = {
			{good, "4Fq9xK2bT0aZ"},
			{"v1;hash=bad;id=zzzzzzzzzzzz", "zzzzzzzzzzzz"}, /* malformed record, readable id */
			{"v1;desc=x;id=000000000000;id=111111111111", "000000000000"}, /* the first id field */
			{"v2;id=4Fq9xK2bT0aZ", "4Fq9xK2bT0aZ"},
			{"v1;id=4Fq9xK2bT0a", NULL},           /* 11 characters */
			{"v1;id=4Fq9xK2bT0aZZ", NULL},         /* 13 characters */
			{"v1;id=4Fq9xK2bT0a_;desc=x", NULL},   /* not base62 */
			{"v1;id=short;id=4Fq9xK2bT0aZ", NULL}, /* the first id field is the id */
			{"v1;xid=4Fq9xK2bT0aZ", NULL},
			{"v1;desc=id%3D4Fq9xK2bT0aZ", NULL},
			{"v1;ID=4Fq9xK2bT0aZ", NULL},
			{"v1", NULL},
			{"", NULL},
	};
	char id[SENDSEC_KEY_ID_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool found;

		memset(id, 'x', sizeof(id));
		found = sendsec_keyrec_value_id(cases[i].value, strlen(cases[i].value), id);
		if (found != (cases[i].want != NULL) || (found && strcmp(id, cases[i].want) != 0))
			fprintf(stderr, "  value '%s': found %d id '%.*s', want '%s'\n", cases[i].value, found,
					SENDSEC_KEY_ID_LEN, id, cases[i].want != NULL ? cases[i].want : "(none)");
		CHECK(found == (cases[i].want != NULL));
		if (found && cases[i].want != NULL)
			CHECK_STR(id, cases[i].want);
	}
	/* cut inside the id, or right after it: len is where the value ends */
	CHECK(!sendsec_keyrec_value_id(good, strlen("v1;id=4Fq9xK2bT0a"), id));
	CHECK(sendsec_keyrec_value_id(good, strlen("v1;id=4Fq9xK2bT0aZ"), id));
	CHECK_STR(id, "4Fq9xK2bT0aZ");
	CHECK(!sendsec_keyrec_value_id(NULL, 0, id));
}

struct bad_case {
	const char *value;
	const char *field; /* expected in err, or NULL */
};

static void test_keyrec_malformed(void)
{
#define F_ID      "id=4Fq9xK2bT0aZ"
#define F_HASH    "hash=" GOOD_HASH
#define F_SCOPES  "scopes=smtp"
#define F_EXP     "expires=-"
#define F_CREATED "created=20250301120000Z"
#define F_NET     "networks=-"
#define F_DIS     "disabled=0"
#define F_DESC    "desc=x"
#define TAIL      ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC
	static const struct bad_case cases[] = {
			{"", "version"},
			{"v1", "id"},
			{"v2;" F_ID ";" F_HASH TAIL, "version"},
			{"v1 ;" F_ID ";" F_HASH TAIL, "version"},
			{"V1;" F_ID ";" F_HASH TAIL, "version"},
			{"v1;" F_HASH TAIL, "id"},
			{"v1;" F_ID TAIL, "hash"},
			{"v1;" F_ID ";" F_HASH ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC, "scopes"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC, "expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_NET ";" F_DIS ";" F_DESC, "created"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_DIS ";" F_DESC, "networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DESC, "disabled"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS, "desc"},
			{"v1;" F_ID ";" F_HASH TAIL ";" F_SCOPES, "scopes"},
			{"v1;" F_ID ";" F_ID ";" F_HASH TAIL, "id"},
			{"v1;" F_ID ";" F_HASH TAIL ";desc=y", "desc"},
			{"v1;" F_ID ";" F_HASH TAIL ";", NULL},
			{"v1;;" F_ID ";" F_HASH TAIL, NULL},
			{"v1;" F_ID ";" F_HASH TAIL ";owner=bob", "unknown field 'owner'"},
			{"v1;" F_ID ";" F_HASH TAIL ";note", NULL},
			{"v1;id=4Fq9xK2bT0a;" F_HASH TAIL, "id"},
			{"v1;id=4Fq9xK2bT0aZZ;" F_HASH TAIL, "id"},
			{"v1;id=4Fq9xK2bT0a-;" F_HASH TAIL, "id"},
			{"v1;" F_ID ";hash=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH8" TAIL, "hash"},
			{"v1;" F_ID ";hash=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH==" TAIL, "hash"},
			{"v1;" F_ID ";hash=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmabdH8=AAAA" TAIL, "hash"},
			{"v1;" F_ID ";hash=YTMl9Xtlj0mnqJAljD5dg522ot3WnimfZBmHwmab-H8=" TAIL, "hash"},
			{"v1;" F_ID ";hash=" TAIL, "hash"},
			{"v1;" F_ID ";" F_HASH ";scopes="
			 ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"scopes"},
			{"v1;" F_ID ";" F_HASH ";scopes=smtp,,imap"
			 ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"scopes"},
			{"v1;" F_ID ";" F_HASH ";scopes=smtp,"
			 ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"scopes"},
			{"v1;" F_ID ";" F_HASH ";scopes=smtp mail"
			 ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"scopes"},
			{"v1;" F_ID ";" F_HASH ";scopes=**"
			 ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"scopes"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";expires="
			 ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";expires=2026-11-28"
			 ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";expires=20261328020000Z"
			 ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";expires=19700101000000Z"
			 ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";expires=never"
			 ";" F_CREATED ";" F_NET ";" F_DIS ";" F_DESC,
					"expires"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";created=-"
			 ";" F_NET ";" F_DIS ";" F_DESC,
					"created"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";networks="
			 ";" F_DIS ";" F_DESC,
					"networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";networks=300.0.0.0/8"
			 ";" F_DIS ";" F_DESC,
					"networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";networks=10.0.0.0/8,,::1"
			 ";" F_DIS ";" F_DESC,
					"networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";networks=10.0.0.0/8 ::1"
			 ";" F_DIS ";" F_DESC,
					"networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";networks=10.0.0.0/33"
			 ";" F_DIS ";" F_DESC,
					"networks"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";disabled=2"
			 ";" F_DESC,
					"disabled"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";disabled="
			 ";" F_DESC,
					"disabled"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";disabled=no"
			 ";" F_DESC,
					"disabled"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";desc=a=b",
					"desc"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";desc=100%",
					"desc"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";desc=%4",
					"desc"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";desc=%zz",
					"desc"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS ";desc=a%00b",
					"desc"},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS
			 ";desc=two\nlines",
					NULL},
			{"v1;" F_ID ";" F_HASH ";" F_SCOPES ";" F_EXP ";" F_CREATED ";" F_NET ";" F_DIS
			 ";desc=\xc3\xa9",
					NULL},
			/* The optional last use: a time, a comma, an address or "-"; at most once. */
			{"v1;" F_ID ";" F_HASH TAIL ";used=", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=-", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=,192.0.2.7", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=2025-03-01,192.0.2.7", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=19700101000000Z,-", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,192.0.2.0/24", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,300.0.2.7", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,host.example", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,192.0.2.7,::1", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,--", "used"},
			{"v1;" F_ID ";" F_HASH TAIL ";used=20250301120000Z,-;used=20250301120000Z,-", "used"},
	};
	struct sendsec_keyrec rec;
	char err[256];
	size_t n_unavailable = 0, n_named = 0, n_cleared = 0, n_no_hash = 0, n_err = 0;
	const size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; i < n; i++) {
		memset(err, 0, sizeof(err));
		enum sendsec_result rc =
				sendsec_keyrec_parse(cases[i].value, strlen(cases[i].value), &rec, err, sizeof(err));
		if (rc == SENDSEC_UNAVAILABLE)
			n_unavailable++;
		else
			fprintf(stderr, "malformed case %zu accepted\n", i);
		if (cases[i].field == NULL || strstr(err, cases[i].field) != NULL)
			n_named++;
		else
			fprintf(stderr, "malformed case %zu: err does not name '%s': %s\n", i, cases[i].field, err);
		if (err[0] != '\0')
			n_err++;
		if (strstr(err, "YTMl9Xtlj0mnq") == NULL)
			n_no_hash++;
		if (rec.scopes == NULL && rec.description == NULL && rec.networks.items == NULL)
			n_cleared++;
		sendsec_keyrec_clear(&rec);
	}
	CHECK(n_unavailable == n);
	CHECK(n_named == n);
	CHECK(n_err == n);
	CHECK(n_no_hash == n);
	CHECK(n_cleared == n);

	/* The well-formed value the cases are made from is accepted (so the cases test what they say). */
	{
		const char *good = "v1;" F_ID ";" F_HASH TAIL;
		CHECK(sendsec_keyrec_parse(good, strlen(good), &rec, err, sizeof(err)) == SENDSEC_OK);
		sendsec_keyrec_clear(&rec);
	}
	/* An embedded NUL inside the given length, and a value over the size limit. */
	{
		char buf[] = "v1;" F_ID ";" F_HASH TAIL;
		char *huge;
		buf[sizeof(buf) - 2] = '\0';
		CHECK(sendsec_keyrec_parse(buf, sizeof(buf) - 1, &rec, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
		if ((huge = malloc(9000)) != NULL) {
			memcpy(huge, buf, sizeof(buf) - 2);
			memset(huge + sizeof(buf) - 2, 'x', 9000 - (sizeof(buf) - 2));
			CHECK(sendsec_keyrec_parse(huge, 9000, &rec, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
			free(huge);
		}
		CHECK(sendsec_keyrec_parse(NULL, 0, &rec, err, sizeof(err)) == SENDSEC_UNAVAILABLE);
		CHECK(sendsec_keyrec_parse("v1", 2, &rec, NULL, 0) == SENDSEC_UNAVAILABLE);
	}
}

/* Values written before the last use existed still parse (never used); the last use round-trips
 * with an IPv4, IPv6 and IPv4-mapped address or none, in any field position. */
static void test_keyrec_used(void)
{
	static const struct {
		const char *used;    /* the field as stored */
		const char *written; /* as formatted back */
		time_t when;
		bool has_addr;
	} cases[] = {
			{"used=20250302130405Z,192.0.2.7", "used=20250302130405Z,192.0.2.7", 1740920645, true},
			{"used=20250302130405Z,2001:DB8::7", "used=20250302130405Z,2001:db8::7", 1740920645, true},
			{"used=20250302130405Z,::ffff:192.0.2.7", "used=20250302130405Z,192.0.2.7", 1740920645, true},
			{"used=20250302130405Z,-", "used=20250302130405Z,-", 1740920645, false},
	};
	const char *old = "v1;" F_ID ";" F_HASH TAIL;
	struct sendsec_keyrec rec;
	char value[1024], err[256], *back = NULL;

	CHECK(sendsec_keyrec_parse(old, strlen(old), &rec, err, sizeof(err)) == SENDSEC_OK);
	CHECK_EQ_INT(rec.used, 0);
	CHECK(!rec.used_has_addr);
	CHECK(sendsec_keyrec_format(&rec, &back) == SENDSEC_OK);
	CHECK(back != NULL && strstr(back, "used=") == NULL); /* a key never used is written as before */
	CHECK(back != NULL && strcmp(back, "v1;" F_ID ";" F_HASH TAIL) == 0);
	free(back);
	back = NULL;
	sendsec_keyrec_clear(&rec);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* In the middle of the value, as another writer might put it. */
		snprintf(value, sizeof(value), "v1;" F_ID ";%s;" F_HASH TAIL, cases[i].used);
		CHECK(sendsec_keyrec_parse(value, strlen(value), &rec, err, sizeof(err)) == SENDSEC_OK);
		CHECK_EQ_INT(rec.used, cases[i].when);
		CHECK_EQ_INT(rec.used_has_addr, cases[i].has_addr);
		CHECK(sendsec_keyrec_format(&rec, &back) == SENDSEC_OK);
		/* Written right after "created". */
		snprintf(value, sizeof(value), ";" F_CREATED ";%s;" F_NET ";", cases[i].written);
		if (back == NULL || strstr(back, value) == NULL)
			fprintf(stderr, "case %zu: wanted %s in %s\n", i, value, back != NULL ? back : "(null)");
		CHECK(back != NULL && strstr(back, value) != NULL);
		free(back);
		back = NULL;
		sendsec_keyrec_clear(&rec);
	}
}

/* The idle and touch rules: a key never used counts from its creation; "more than N days". */
static void test_lifecycle_rules(void)
{
	struct sendsec_keyrec rec = {0};
	const time_t created = 1740830400, day = 86400;

	rec.created = created;
	CHECK_EQ_INT(sendsec_keyrec_idle_seconds(&rec, created + 5), 5);
	CHECK_EQ_INT(sendsec_keyrec_idle_seconds(&rec, created - 5), 0);
	CHECK(!sendsec_keyrec_is_idle(&rec, created + 30 * day, 30));
	CHECK(sendsec_keyrec_is_idle(&rec, created + 30 * day + 1, 30));
	CHECK(!sendsec_keyrec_is_idle(&rec, created + 3000 * day, 0)); /* 0: the rule is off */
	rec.used = created + 20 * day;
	CHECK(!sendsec_keyrec_is_idle(&rec, created + 40 * day, 30));
	CHECK(sendsec_keyrec_is_idle(&rec, created + 50 * day + 1, 30));

	rec.used = 0;
	CHECK(sendsec_keyrec_touch_due(&rec, created, 3600)); /* never written: due at once */
	rec.used = created;
	CHECK(!sendsec_keyrec_touch_due(&rec, created, 3600));
	CHECK(!sendsec_keyrec_touch_due(&rec, created + 3599, 3600));
	CHECK(sendsec_keyrec_touch_due(&rec, created + 3600, 3600));
	CHECK(sendsec_keyrec_touch_due(&rec, created, 0));          /* interval 0: every use */
	CHECK(!sendsec_keyrec_touch_due(&rec, created - 10, 3600)); /* a clock behind the last writer */
}

/* A byte outside printable ASCII anywhere in a stored value is refused as such, and one inside it
 * never is, whatever its position (the check looks at 8 bytes at a time, then at the rest one by
 * one): every byte value at every position; the edges of the printable range, ' ' and '~', are
 * kept (here in desc). */
static void test_keyrec_printable(void)
{
	const char *good = "v1;id=4Fq9xK2bT0aZ;hash=" GOOD_HASH
			   ";scopes=smtp;expires=-;created=20250301120000Z;networks=-;disabled=0;desc=a ~b";
	size_t len = strlen(good);
	char value[256], err[256];
	struct sendsec_keyrec rec;
	long long right = 0;

	CHECK_RESULT(sendsec_keyrec_parse(good, len, &rec, err, sizeof(err)), SENDSEC_OK);
	CHECK_STR(rec.description, "a ~b");
	sendsec_keyrec_clear(&rec);
	for (size_t pos = 0; pos < len; pos++) {
		for (int c = 0; c < 256; c++) {
			bool printable = c >= 0x20 && c <= 0x7e, said;

			memcpy(value, good, len);
			value[pos] = (char)c;
			err[0] = '\0';
			said = sendsec_keyrec_parse(value, len, &rec, err, sizeof(err)) == SENDSEC_UNAVAILABLE &&
					strstr(err, "non-printable") != NULL;
			if (said == printable)
				fprintf(stderr, "position %zu byte 0x%02x: refused as non-printable %d\n", pos, c,
						said);
			right += said != printable;
			sendsec_keyrec_clear(&rec);
		}
	}
	CHECK_EQ_INT(right, (long long)(len * 256));
}

/* The stored hash's base64 is read exactly as libsodium reads it (sodium_base642bin, standard
 * alphabet with padding): random hashes round-trip, and every printable character at each of the
 * 44 positions of one encoding is accepted or refused alike, with the same bytes when accepted
 * (a non-zero padding bit, a second "=", a character outside the alphabet). */
static void test_keyrec_hash_base64(void)
{
#define HASH_VALUE_FMT                                                                                                 \
	"v1;id=4Fq9xK2bT0aZ;hash=%s;scopes=smtp;expires=-;created=20250301120000Z;networks=-;disabled=0;desc="
	unsigned char hash[SENDSEC_KEY_HASH_LEN], bin[SENDSEC_KEY_HASH_LEN];
	char b64[45], value[256], err[256];
	struct sendsec_keyrec rec;
	int round_trips = 0, differ = 0, accepted = 0, refused = 0;

	for (int r = 0; r < 200; r++) {
		randombytes_buf(hash, sizeof(hash));
		sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
		snprintf(value, sizeof(value), HASH_VALUE_FMT, b64);
		if (sendsec_keyrec_parse(value, strlen(value), &rec, err, sizeof(err)) == SENDSEC_OK &&
				memcmp(rec.hash, hash, sizeof(hash)) == 0)
			round_trips++;
		sendsec_keyrec_clear(&rec);
	}
	CHECK_EQ_INT(round_trips, 200);
	for (size_t pos = 0; pos < 44; pos++) {
		for (int c = 0x20; c <= 0x7e; c++) {
			const char *end = NULL;
			size_t bin_len = 0;
			bool ours, theirs;

			if (c == ';')
				continue; /* would end the field */
			sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
			b64[pos] = (char)c;
			snprintf(value, sizeof(value), HASH_VALUE_FMT, b64);
			ours = sendsec_keyrec_parse(value, strlen(value), &rec, err, sizeof(err)) == SENDSEC_OK;
			theirs = sodium_base642bin(bin, sizeof(bin), b64, 44, NULL, &bin_len, &end,
						 sodium_base64_VARIANT_ORIGINAL) == 0 &&
					bin_len == sizeof(bin) && end == b64 + 44;
			if (ours != theirs || (ours && memcmp(rec.hash, bin, sizeof(bin)) != 0)) {
				fprintf(stderr, "hash base64: position %zu character 0x%02x: ours %d, libsodium %d\n",
						pos, c, ours, theirs);
				differ++;
			}
			accepted += ours;
			refused += !ours;
			sendsec_keyrec_clear(&rec);
		}
	}
	CHECK_EQ_INT(differ, 0);
	CHECK(accepted > 44 && refused > 44 * 30);
	/* Every length from 0 to 48 (a valid encoding cut short, without its padding, with "=" or "A"
	 * appended): only the 44 characters of the canonical encoding are accepted, by both. */
	sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
	for (size_t n = 0; n <= 48; n++) {
		for (int fill = 0; fill < 2; fill++) {
			char text[64];
			const char *end = NULL;
			size_t bin_len = 0;
			bool ours, theirs;

			memset(text, fill ? 'A' : '=', sizeof(text));
			memcpy(text, b64, n < 44 ? n : 44);
			text[n] = '\0';
			snprintf(value, sizeof(value), HASH_VALUE_FMT, text);
			ours = sendsec_keyrec_parse(value, strlen(value), &rec, err, sizeof(err)) == SENDSEC_OK;
			theirs = sodium_base642bin(bin, sizeof(bin), text, n, NULL, &bin_len, &end,
						 sodium_base64_VARIANT_ORIGINAL) == 0 &&
					bin_len == sizeof(bin) && end == text + n;
			if (ours != theirs || ours != (n == 44)) {
				fprintf(stderr, "hash base64: length %zu fill %d: ours %d, libsodium %d\n", n, fill,
						ours, theirs);
				differ++;
			}
			sendsec_keyrec_clear(&rec);
		}
	}
	CHECK_EQ_INT(differ, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	test_crc_vectors();
	test_crc_against_reference();
	test_mint_round_trip();
	test_single_change_denied();
	test_shape_denied();
	test_alphabet_every_byte();
	test_looks_like();
	test_mint_errors_and_clear();
	test_hash_and_matches();
	test_keyrec_round_trip();
	test_keyrec_format_refuses();
	test_scope();
	test_keyrec_fields_read_back();
	test_is_id();
	test_is_scope();
	test_keyrec_value_id();
	test_keyrec_malformed();
	test_keyrec_used();
	test_lifecycle_rules();
	test_keyrec_hash_base64();
	test_keyrec_printable();
	return check_report(argv[0]);
}
