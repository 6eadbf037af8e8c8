/* fuzz_totp_unseal.c — arbitrary bytes as a stored oathSecret value through sendsec_totp_unseal,
 * with a fixed key and both allow_plain values. Whatever opens must be at most
 * SENDSEC_TOTP_SECRET_MAX bytes, and must seal and open again to the same bytes. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "totp.h"

/* The key the seeds in corpus/totp_unseal/ were sealed with: 32 bytes 0x00, 0x01, ..., 0x1f. */
static void fixed_key(unsigned char key[32])
{
	for (unsigned i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
}

static void round_trip(const unsigned char key[32], const unsigned char *secret, size_t len)
{
	unsigned char again[SENDSEC_TOTP_SECRET_MAX];
	size_t again_len = 0;
	char *value = NULL;

	if (sendsec_totp_seal(key, secret, len, &value) != SENDSEC_OK)
		__builtin_trap();
	if (sendsec_totp_unseal(key, false, value, strlen(value), again, &again_len) != SENDSEC_OK ||
			again_len != len || sodium_memcmp(again, secret, len) != 0)
		__builtin_trap();
	sodium_memzero(again, sizeof(again));
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char key[32], secret[SENDSEC_TOTP_SECRET_MAX];
	size_t secret_len = 0;
	char *value;

	if (sodium_init() < 0)
		return 0;
	/* An exact-size copy, so that ASan catches any read past len. */
	if ((value = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(value, data, size);
	fixed_key(key);
	for (int allow_plain = 0; allow_plain <= 1; allow_plain++) {
		if (sendsec_totp_unseal(key, allow_plain, value, size, secret, &secret_len) == SENDSEC_OK) {
			if (secret_len == 0 || secret_len > SENDSEC_TOTP_SECRET_MAX)
				__builtin_trap();
			round_trip(key, secret, secret_len);
		} else if (secret_len != 0) {
			__builtin_trap();
		}
		/* Without a key nothing sealed opens. */
		if (sendsec_totp_unseal(NULL, allow_plain, value, size, secret, &secret_len) == SENDSEC_OK &&
				size >= 7 && memcmp(value, "{SEALED", 7) == 0)
			__builtin_trap();
		sodium_memzero(secret, sizeof(secret));
	}
	sodium_memzero(key, sizeof(key));
	free(value);
	return 0;
}
