/* secret.h — handling of secrets: copies that are wiped before they are freed, and comparison in
 * constant time. Every buffer that ever held a password, code, key or TOTP secret goes through
 * secret_free (or sodium_memzero) on every path. */
#ifndef SENDSEC_SECRET_H
#define SENDSEC_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* Returns a malloc'd copy of s (NULL on NULL or out of memory); free with secret_free. */
char *secret_strdup(const char *s);
/* Returns a malloc'd NUL-terminated copy of the first n bytes of s; free with secret_free. */
char *secret_strndup(const char *s, size_t n);
/* Wipes the NUL-terminated string s and frees it; secret_free(NULL) is a no-op. */
void secret_free(char *s);
/* Wipes n bytes at p and frees p; secret_free_n(NULL, n) is a no-op. */
void secret_free_n(void *p, size_t n);
/* True when a and b (each of length n) are equal; constant time in n. */
bool secret_equal(const void *a, const void *b, size_t n);
/* True when NUL-terminated a and b are equal; time depends only on the lengths. */
bool secret_streq(const char *a, const char *b);

#endif
