/* fuzz_hash.c — feeds arbitrary bytes to sendsec_hash_verify as "password\nstored value": the
 * stored value is passed as an exact-size buffer without terminator, so any read past len is
 * caught. Inputs that would make a slow hash (argon2 m > 64 MiB or t > 3, costly crypt settings)
 * are skipped here, not in hash.c, to keep the fuzzer fast. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define ARGON2_MAX_M        65536
#define ARGON2_MAX_T        3
#define BCRYPT_MAX_COST     6
#define SHACRYPT_MAX_ROUNDS 5000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Largest decimal number following any occurrence of key (saturating); 0 when none. */
static unsigned long max_after(const uint8_t *s, size_t len, const char *key)
{
	size_t klen = strlen(key);
	unsigned long best = 0;

	for (size_t i = 0; i + klen <= len; i++) {
		unsigned long v = 0;

		if (memcmp(s + i, key, klen) != 0)
			continue;
		for (size_t j = i + klen; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			v = v > 100000000UL ? 1000000000UL : v * 10 + (unsigned long)(s[j] - '0');
		if (v > best)
			best = v;
	}
	return best;
}

static bool is_costly(const uint8_t *s, size_t len)
{
	if (max_after(s, len, "m=") > ARGON2_MAX_M || max_after(s, len, "t=") > ARGON2_MAX_T)
		return true;
	if (max_after(s, len, "rounds=") > SHACRYPT_MAX_ROUNDS)
		return true;
	for (size_t i = 0; i + 6 <= len; i++) {
		/* bcrypt "$2?$NN$": two-digit log2 cost */
		if (s[i] == '$' && s[i + 1] == '2' && s[i + 3] == '$' &&
				((s[i + 4] - '0') * 10 + (s[i + 5] - '0') > BCRYPT_MAX_COST))
			return true;
		/* yescrypt: only the cheap default parameters "j9T" (16 MiB) */
		if (s[i] == '$' && s[i + 1] == 'y' && s[i + 2] == '$' && memcmp(s + i + 3, "j9T", 3) != 0)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t pw_len = nl != NULL ? (size_t)(nl - data) : 0;
	size_t stored_off = nl != NULL ? pw_len + 1 : 0;
	size_t stored_len = size - stored_off;
	char *password = NULL, *stored = NULL;
	const char *scheme = NULL;
	bool rehash = false;
	enum sendsec_result rc;

	if (is_costly(data + stored_off, stored_len))
		goto out;
	if ((password = malloc(pw_len + 1)) == NULL || (stored = malloc(stored_len ? stored_len : 1)) == NULL)
		goto out;
	memcpy(password, data, pw_len);
	password[pw_len] = '\0';
	memcpy(stored, data + stored_off, stored_len);

	rc = sendsec_hash_verify(stored, stored_len, password, 2, 65536, &scheme, &rehash);
	if (rc != SENDSEC_OK && rc != SENDSEC_DENIED && rc != SENDSEC_UNAVAILABLE)
		abort();
	if (scheme == NULL || (rc != SENDSEC_OK && rehash))
		abort();
	/* a NUL inside the stored value is always malformed */
	if (memchr(stored, '\0', stored_len) != NULL && rc != SENDSEC_UNAVAILABLE)
		abort();
out:
	free(stored);
	free(password);
	return 0;
}
