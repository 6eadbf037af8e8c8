/* fuzz_hash.c — feeds arbitrary bytes to sendsec_hash_verify as "password\nstored value": the
 * stored value is passed as an exact-size buffer without terminator, so any read past len is
 * caught. Inputs whose cost lies between cheap and hash.c's caps (argon2 m over 64 MiB or t over
 * 3, sha512-crypt rounds over 5000, bcrypt cost over 6, yescrypt over 16 MiB) are skipped here to
 * keep the fuzzer fast. Costs above the caps are passed on: hash.c must refuse them before
 * computing anything, or the run times out. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define MEMLIMIT_KIB 65536u
/* cheap enough to fuzz, and hash.c's caps at the cost we pass (see hash.c) */
#define ARGON2_CHEAP_M     65536u
#define ARGON2_CAP_M       262144u
#define ARGON2_CHEAP_T     3u
#define ARGON2_CAP_T       10u
#define SHACRYPT_CHEAP     5000u
#define SHACRYPT_CAP       1000000u
#define BCRYPT_CHEAP       6u
#define BCRYPT_CAP         14u
#define YESCRYPT_CHEAP_KIB 16384u
#define YESCRYPT_CAP_KIB   262144u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when a decimal number following any occurrence of key lies in (lo, hi] (saturating). */
static bool any_between(const uint8_t *s, size_t len, const char *key, unsigned long lo, unsigned long hi)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen <= len; i++) {
		unsigned long v = 0;

		if (memcmp(s + i, key, klen) != 0)
			continue;
		for (size_t j = i + klen; j < len && s[j] >= '0' && s[j] <= '9'; j++)
			v = v > 100000000UL ? 1000000000UL : v * 10 + (unsigned long)(s[j] - '0');
		if (v > lo && v <= hi)
			return true;
	}
	return false;
}

/* crypt's base64 alphabet "./0-9A-Za-z" */
static unsigned b64_value(uint8_t c)
{
	static const char alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *p = c != 0 ? strchr(alphabet, c) : NULL;

	return p != NULL ? (unsigned)(p - alphabet) : 64;
}

static bool is_slow_but_allowed(const uint8_t *s, size_t len)
{
	if (any_between(s, len, "m=", ARGON2_CHEAP_M, ARGON2_CAP_M) ||
			any_between(s, len, "t=", ARGON2_CHEAP_T, ARGON2_CAP_T))
		return true;
	if (any_between(s, len, "rounds=", SHACRYPT_CHEAP, SHACRYPT_CAP))
		return true;
	for (size_t i = 0; i + 7 <= len; i++) {
		/* bcrypt "$2?$NN$": two-digit log2 cost */
		if (s[i] == '$' && s[i + 1] == '2' && s[i + 3] == '$' && s[i + 4] >= '0' && s[i + 4] <= '9' &&
				s[i + 5] >= '0' && s[i + 5] <= '9') {
			unsigned cost = (unsigned)(s[i + 4] - '0') * 10 + (unsigned)(s[i + 5] - '0');

			if (cost > BCRYPT_CHEAP && cost <= BCRYPT_CAP)
				return true;
		}
		/* yescrypt "$y$" with one-character flavor, log2(N) - 1 and r - 1: 128 * r * N bytes */
		if (s[i] == '$' && s[i + 1] == 'y' && s[i + 2] == '$' && b64_value(s[i + 4]) <= 47 &&
				b64_value(s[i + 5]) <= 47) {
			uint64_t kib = ((128 * (1 + (uint64_t)b64_value(s[i + 5]))) << (1 + b64_value(s[i + 4]))) /
					1024;

			if (kib > YESCRYPT_CHEAP_KIB && kib <= YESCRYPT_CAP_KIB)
				return true;
		}
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

	if (is_slow_but_allowed(data + stored_off, stored_len))
		goto out;
	if ((password = malloc(pw_len + 1)) == NULL || (stored = malloc(stored_len ? stored_len : 1)) == NULL)
		goto out;
	memcpy(password, data, pw_len);
	password[pw_len] = '\0';
	memcpy(stored, data + stored_off, stored_len);

	rc = sendsec_hash_verify(stored, stored_len, password, 2, MEMLIMIT_KIB, &scheme, &rehash);
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
