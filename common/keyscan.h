/* keyscan.h — finds this fleet's API keys in a byte stream fed in chunks of any size (a file, a
 * `git log -p`, a binary): every "<prefix><id>_<secret><check>" whose check characters match,
 * decided by apikey.c's one parser, with the line it starts on. Look-alikes with wrong check
 * characters and other vendors' tokens are not reported. Pure: no I/O, no allocation, no logging.
 * The state carries at most one key's length minus one byte between chunks (possibly part of a
 * secret): sendsec_keyscan_end wipes it. */
#ifndef SENDSEC_KEYSCAN_H
#define SENDSEC_KEYSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "apikey.h"

#define SENDSEC_KEYSCAN_PREFIX_MAX 16 /* the longest apikey_prefix the config accepts */

/* One key found. key holds the id and the secret: it is wiped as soon as the callback returns, so
 * the callback copies what it needs (and never prints key.secret). */
struct sendsec_keyscan_hit {
	struct sendsec_apikey key;
	unsigned long long line;   /* 1-based line (counted by '\n') of the key's first character */
	unsigned long long offset; /* 0-based byte offset of that character in the stream */
};

typedef void (*sendsec_keyscan_fn)(void *arg, const struct sendsec_keyscan_hit *hit);

/* The scanner's state; fields are private to keyscan.c. */
struct sendsec_keyscan {
	char prefix[SENDSEC_KEYSCAN_PREFIX_MAX + 1];
	size_t plen, klen;             /* prefix length; whole key length */
	char carry[SENDSEC_KEY_MAX];   /* the stream's last bytes not yet examined as key starts */
	size_t carry_len;              /* < klen */
	unsigned long long carry_line; /* line of carry[0] */
	unsigned long long carry_off;  /* stream offset of carry[0] */
	unsigned long long hits;       /* keys reported so far */
	sendsec_keyscan_fn fn;
	void *arg;
};

/* Starts a scan for keys with prefix (1..16 characters), reporting each to fn(arg, hit). Returns
 * false (s unusable) when prefix is empty or too long. */
bool sendsec_keyscan_begin(
		struct sendsec_keyscan *s, const char *prefix, sendsec_keyscan_fn fn, void *arg) SENDSEC_MUST_CHECK;
/* Scans the next len bytes of the stream. A key split across calls is found, and reported once. */
void sendsec_keyscan_feed(struct sendsec_keyscan *s, const void *buf, size_t len);
/* Ends the stream (a shorter tail holds no key) and wipes the state. Returns the number of keys
 * reported. */
unsigned long long sendsec_keyscan_end(struct sendsec_keyscan *s);

#endif
