/* recovery.c — recovery code format, generation, stored values and verification (one argon2id
 * verification per attempt, found by the clear-text index). */
#include "recovery.h"

#include <sodium.h>
#include <string.h>

#include "hash.h"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

static int to_code_char(int c)
{
	if (c >= 'A' && c <= 'Z')
		c = c - 'A' + 'a';
	if ((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))
		return c;
	return -1;
}

bool sendsec_recovery_normalize(const char *code, char out[SENDSEC_RECOVERY_NORM_LEN + 1])
{
	size_t n = 0;

	if (code == NULL)
		goto bad;
	for (const char *p = code; *p != '\0'; p++) {
		int c;

		if (*p == '-' || *p == ' ')
			continue;
		if ((c = to_code_char((unsigned char)*p)) < 0 || n == SENDSEC_RECOVERY_NORM_LEN)
			goto bad;
		out[n++] = (char)c;
	}
	if (n != SENDSEC_RECOVERY_NORM_LEN)
		goto bad;
	out[n] = '\0';
	return true;
bad:
	sodium_memzero(out, SENDSEC_RECOVERY_NORM_LEN + 1);
	return false;
}

size_t sendsec_recovery_tail(const char *s)
{
	size_t len = s != NULL ? strlen(s) : 0;
	const char *t;

	if (len < SENDSEC_RECOVERY_PRINTED_LEN)
		return 0;
	t = s + len - SENDSEC_RECOVERY_PRINTED_LEN;
	for (size_t i = 0; i < SENDSEC_RECOVERY_PRINTED_LEN; i++) {
		bool is_dash_pos = i % 5 == 4;

		if (is_dash_pos ? t[i] != '-' : to_code_char((unsigned char)t[i]) < 0)
			return 0;
	}
	return SENDSEC_RECOVERY_PRINTED_LEN;
}

void sendsec_recovery_generate(
		char printed_out[SENDSEC_RECOVERY_PRINTED_LEN + 1], char norm_out[SENDSEC_RECOVERY_NORM_LEN + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < SENDSEC_RECOVERY_NORM_LEN; i++) {
		norm_out[i] = alphabet[randombytes_uniform(32)];
		if (i > 0 && i % 4 == 0)
			printed_out[o++] = '-';
		printed_out[o++] = norm_out[i];
	}
	norm_out[SENDSEC_RECOVERY_NORM_LEN] = '\0';
	printed_out[o] = '\0';
}

enum sendsec_result sendsec_recovery_store(
		const char *norm, unsigned long long opslimit, size_t memlimit_kib, char *out, size_t outlen)
{
	enum sendsec_result rc;

	if (outlen < SENDSEC_RECOVERY_STORED_MAX || strlen(norm) != SENDSEC_RECOVERY_NORM_LEN)
		return SENDSEC_UNAVAILABLE;
	memcpy(out, norm, SENDSEC_RECOVERY_INDEX_LEN);
	out[SENDSEC_RECOVERY_INDEX_LEN] = '$';
	rc = sendsec_hash_make(norm, opslimit, memlimit_kib, out + SENDSEC_RECOVERY_INDEX_LEN + 1,
			outlen - SENDSEC_RECOVERY_INDEX_LEN - 1);
	if (rc != SENDSEC_OK)
		sodium_memzero(out, outlen);
	return rc;
}

const struct sendsec_val *sendsec_recovery_find(const struct sendsec_val *vals, size_t n, const char *norm)
{
	for (size_t i = 0; i < n; i++) {
		if (vals[i].len > SENDSEC_RECOVERY_INDEX_LEN &&
				memcmp(vals[i].ptr, norm, SENDSEC_RECOVERY_INDEX_LEN) == 0 &&
				vals[i].ptr[SENDSEC_RECOVERY_INDEX_LEN] == '$')
			return &vals[i];
	}
	return NULL;
}

enum sendsec_result sendsec_recovery_verify(
		const struct sendsec_val *stored, const char *norm, unsigned long long opslimit, size_t memlimit_kib)
{
	enum sendsec_result rc;

	if (stored->len <= SENDSEC_RECOVERY_INDEX_LEN + 1 || stored->ptr[SENDSEC_RECOVERY_INDEX_LEN] != '$')
		return SENDSEC_UNAVAILABLE;
	rc = sendsec_hash_verify(stored->ptr + SENDSEC_RECOVERY_INDEX_LEN + 1,
			stored->len - SENDSEC_RECOVERY_INDEX_LEN - 1, norm, opslimit, memlimit_kib, NULL, NULL);
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED ? rc : SENDSEC_UNAVAILABLE;
}
