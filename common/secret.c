/* secret.c — wiped copies and constant-time comparison, on top of libsodium. */
#include "secret.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

char *secret_strndup(const char *s, size_t n)
{
	char *copy;

	if (s == NULL || (copy = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *secret_strdup(const char *s)
{
	return s == NULL ? NULL : secret_strndup(s, strlen(s));
}

void secret_free_n(void *p, size_t n)
{
	if (p == NULL)
		return;
	sodium_memzero(p, n);
	free(p);
}

void secret_free(char *s)
{
	if (s != NULL)
		secret_free_n(s, strlen(s));
}

bool secret_equal(const void *a, const void *b, size_t n)
{
	return n == 0 || sodium_memcmp(a, b, n) == 0;
}

bool secret_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char ha[crypto_generichash_BYTES], hb[crypto_generichash_BYTES];
	bool same;

	/* Hash both so the comparison runs over equal-length buffers whatever the inputs. */
	crypto_generichash(ha, sizeof(ha), (const unsigned char *)a, la, NULL, 0);
	crypto_generichash(hb, sizeof(hb), (const unsigned char *)b, lb, NULL, 0);
	same = sodium_memcmp(ha, hb, sizeof(ha)) == 0 && la == lb;
	sodium_memzero(ha, sizeof(ha));
	sodium_memzero(hb, sizeof(hb));
	return same;
}
