/* fuzz_keyrec.c — stored sendsecApiKey value parsing. Properties: no crash or leak; an accepted
 * value formats to a value that parses again and formats to the same text (format is a fixed
 * point); a refused value always comes with an error message and a cleared record; the id read
 * alone (sendsec_keyrec_value_id) is the parsed id of an accepted value, and its scopes pass
 * sendsec_apikey_is_scope; the hash field is read as libsodium reads it (sodium_base642bin): an
 * accepted value's hash is libsodium's decoding of its text, and a hash refused as malformed is one
 * libsodium refuses too. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libsodium's reading of the first "hash=" field of data: 1 when it decodes to exactly 32 bytes
 * (into out), 0 when it does not, -1 when there is no such field. */
static int sodium_hash(const uint8_t *data, size_t size, unsigned char out[SENDSEC_KEY_HASH_LEN])
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != ';')
			continue;
		if (i - start >= 5 && memcmp(data + start, "hash=", 5) == 0) {
			const char *text = (const char *)data + start + 5, *end = NULL;
			size_t n = i - start - 5, bin_len = 0;

			return n == 44 &&
					sodium_base642bin(out, SENDSEC_KEY_HASH_LEN, text, n, NULL, &bin_len, &end,
							sodium_base64_VARIANT_ORIGINAL) == 0 &&
					bin_len == SENDSEC_KEY_HASH_LEN && end == text + n;
		}
		start = i + 1;
	}
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sendsec_keyrec rec, again;
	struct sendsec_apikey key;
	unsigned char hash[SENDSEC_KEY_HASH_LEN];
	char err[256], vid[SENDSEC_KEY_ID_LEN + 1];
	char *value = NULL, *value2 = NULL;
	bool has_id = sendsec_keyrec_value_id((const char *)data, size, vid);

	if (has_id && !sendsec_apikey_is_id(vid))
		abort();
	if (sendsec_keyrec_parse((const char *)data, size, &rec, err, sizeof(err)) != SENDSEC_OK) {
		if (err[0] == '\0' || rec.scopes != NULL || rec.description != NULL || rec.networks.n != 0)
			abort();
		if (strcmp(err, "sendsecApiKey: malformed field 'hash'") == 0 && sodium_hash(data, size, hash) == 1)
			abort();
		return 0;
	}
	if (sodium_hash(data, size, hash) != 1 || memcmp(hash, rec.hash, sizeof(hash)) != 0)
		abort();
	if (rec.scopes == NULL || rec.scopes[0] == NULL || rec.description == NULL || rec.expires < 0)
		abort();
	if (!has_id || strcmp(vid, rec.id) != 0)
		abort();
	for (char **s = rec.scopes; *s != NULL; s++)
		if (!sendsec_apikey_is_scope(*s))
			abort();
	(void)sendsec_keyrec_in_scope(&rec, "smtp");
	memset(&key, 0, sizeof(key));
	memcpy(key.id, rec.id, sizeof(key.id));
	if (sendsec_apikey_matches(&key, &rec))
		abort(); /* an empty secret never hashes to a stored hash by chance */
	if (sendsec_keyrec_format(&rec, &value) == SENDSEC_OK) {
		if (sendsec_keyrec_parse(value, strlen(value), &again, err, sizeof(err)) != SENDSEC_OK)
			abort();
		if (sendsec_keyrec_format(&again, &value2) != SENDSEC_OK || strcmp(value, value2) != 0)
			abort();
		if (strcmp(again.id, rec.id) != 0 || memcmp(again.hash, rec.hash, sizeof(rec.hash)) != 0 ||
				again.disabled != rec.disabled || again.expires != rec.expires ||
				strcmp(again.description, rec.description) != 0 || again.networks.n != rec.networks.n ||
				again.used != rec.used || again.used_has_addr != rec.used_has_addr ||
				memcmp(again.used_addr, rec.used_addr, sizeof(rec.used_addr)) != 0)
			abort();
		sendsec_keyrec_clear(&again);
	}
	free(value2);
	free(value);
	sendsec_keyrec_clear(&rec);
	return 0;
}
