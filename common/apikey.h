/* apikey.h — API keys (DESIGN.md section 5): parse "<prefix><id>_<secret><check>", check its CRC32
 * check characters without any directory access, mint new keys, and read/write the stored
 * sendsecApiKey value. Only a hash of the secret is ever stored. No directory access happens here. */
#ifndef SENDSEC_APIKEY_H
#define SENDSEC_APIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cidr.h"
#include "result.h"

#define SENDSEC_KEY_ID_LEN     12
#define SENDSEC_KEY_SECRET_LEN 43 /* base62 characters: 43 * log2(62) > 256 bits */
#define SENDSEC_KEY_CHECK_LEN  6
#define SENDSEC_KEY_HASH_LEN   32  /* BLAKE2b-256 of the secret */
#define SENDSEC_KEY_MAX        128 /* longest key text accepted, prefix included */

/* A presented key, split. secret is wiped by sendsec_apikey_clear. */
struct sendsec_apikey {
	char id[SENDSEC_KEY_ID_LEN + 1];
	char secret[SENDSEC_KEY_SECRET_LEN + 1];
};

/* True when text looks like a key with this prefix (used to tell a key from a password). */
bool sendsec_apikey_looks_like(const char *text, const char *prefix);
/* Splits text into *out after checking prefix, lengths, alphabet and check characters.
 * Returns SENDSEC_OK, or SENDSEC_DENIED (malformed or bad check) without touching any directory. */
enum sendsec_result sendsec_apikey_parse(
		const char *text, const char *prefix, struct sendsec_apikey *out) SENDSEC_MUST_CHECK;
void sendsec_apikey_clear(struct sendsec_apikey *k);

/* Mints a new random key: writes the full key text to key_out (size >= SENDSEC_KEY_MAX) and the
 * parts to *parts_out. Returns SENDSEC_OK or SENDSEC_UNAVAILABLE. */
enum sendsec_result sendsec_apikey_mint(
		const char *prefix, char *key_out, size_t keylen, struct sendsec_apikey *parts_out) SENDSEC_MUST_CHECK;

/* A stored key (one sendsecApiKey value), parsed. */
struct sendsec_keyrec {
	char id[SENDSEC_KEY_ID_LEN + 1];
	unsigned char hash[SENDSEC_KEY_HASH_LEN];
	char **scopes;  /* NULL-terminated; "*" means every service */
	time_t expires; /* 0: never */
	time_t created;
	bool disabled;
	struct sendsec_cidr_list networks; /* empty: any */
	char *description;
	time_t used;                 /* last use (written by the touch); 0: never used */
	bool used_has_addr;          /* the last use came with a client address */
	unsigned char used_addr[16]; /* that address (IPv4-mapped for IPv4), when used_has_addr */
};

/* Parses one stored value (text form documented in apikey.c and sendsecctl(8)). Returns
 * SENDSEC_OK, or SENDSEC_UNAVAILABLE (malformed) with err set. Free with sendsec_keyrec_clear. */
enum sendsec_result sendsec_keyrec_parse(
		const char *value, size_t len, struct sendsec_keyrec *out, char *err, size_t errlen) SENDSEC_MUST_CHECK;
/* Formats a record as its stored value into a malloc'd string (*value_out); SENDSEC_OK or UNAVAILABLE. */
enum sendsec_result sendsec_keyrec_format(const struct sendsec_keyrec *rec, char **value_out) SENDSEC_MUST_CHECK;
void sendsec_keyrec_clear(struct sendsec_keyrec *rec);
/* Fills rec->hash from a presented secret. */
void sendsec_apikey_hash(const struct sendsec_apikey *key, unsigned char hash_out[SENDSEC_KEY_HASH_LEN]);
/* True when the presented key's secret hashes to rec->hash (constant time) and the ids match. */
bool sendsec_apikey_matches(const struct sendsec_apikey *key, const struct sendsec_keyrec *rec);
/* True when service is in rec's scopes ("*" matches all). */
bool sendsec_keyrec_in_scope(const struct sendsec_keyrec *rec, const char *service);

/* The parts of the grammar (apikey.c) that callers need on their own, so it has one home:
 * true when id is a key id (12 base62 characters; NULL is not). */
bool sendsec_apikey_is_id(const char *id);
/* True when scope is one the stored value allows: "*" or 1*(ALPHA / DIGIT / "." / "_" / "-"). */
bool sendsec_apikey_is_scope(const char *scope);
/* Reads the id of a stored value (len bytes, not necessarily NUL-terminated) without parsing its
 * other fields, so that a malformed record can still be named and revoked: true, with id_out
 * filled, when the first "id=" field holds a well-formed id; false otherwise. */
bool sendsec_keyrec_value_id(const char *value, size_t len, char id_out[SENDSEC_KEY_ID_LEN + 1]);

/* The CRC32 (IEEE, as zlib's crc32) of the len bytes of data, as the check characters use it:
 * table-free and branch-free (no byte of a secret selects an address or a branch). Exported so
 * that test_apikey can compare it with an independent reference. */
uint32_t sendsec_apikey_crc32(const char *data, size_t len);

/* Lifecycle (DESIGN.md section 12): the one home of the idle and touch rules. */
/* Seconds since the key's last use, or since its creation when it was never used (0 if ahead). */
time_t sendsec_keyrec_idle_seconds(const struct sendsec_keyrec *rec, time_t now);
/* True when max_idle_days > 0 and the key has been idle for more than that many days. */
bool sendsec_keyrec_is_idle(const struct sendsec_keyrec *rec, time_t now, int max_idle_days);
/* True when a use at now should write the last use: never written, or interval seconds passed. */
bool sendsec_keyrec_touch_due(const struct sendsec_keyrec *rec, time_t now, int interval);

#endif
