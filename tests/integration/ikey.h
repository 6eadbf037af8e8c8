/* ikey.h — helpers of the API key integration tests: create a key through the admin operation,
 * forge presented keys (a wrong secret behind a valid id and valid check characters; broken check
 * characters), and read the search counter of the engine's directory handle for a service.
 * Keys are written only into caller buffers; nothing here prints one. */
#ifndef SENDSEC_IKEY_H
#define SENDSEC_IKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "apikey.h"
#include "engine.h"

/* Creates a key for user (scopes comma-separated; networks and description may be NULL;
 * expires 0: never) with sendsec_admin_key_create; key_out >= SENDSEC_KEY_MAX + 1. Returns the
 * result; on OK id_out (>= 13 bytes, may be NULL) holds the key id. */
enum sendsec_result ikey_create(struct sendsec_ctx *ctx, const char *user, const char *scopes, time_t expires,
		const char *networks, char *key_out, char *id_out);

/* Writes into out (>= SENDSEC_KEY_MAX + 1) a key with key's prefix and id but a fresh random
 * secret, and check characters recomputed so that sendsec_apikey_parse accepts it. */
void ikey_wrong_secret(const char *key, const char *prefix, char *out);

/* Writes into out a copy of key whose last check character is changed. */
void ikey_bad_check(const char *key, char *out);

/* CRC32 check characters (6 base62 digits, as apikey.c computes them) of len bytes of text. */
void ikey_check_chars(const char *text, size_t len, char out[SENDSEC_KEY_CHECK_LEN]);

/* Searches sent so far on the engine's directory handle of service (login.h, for tests). */
unsigned long ikey_search_count(struct sendsec_ctx *ctx, const char *service);

/* Modify operations that changed sendsecApiKey on dn, counted in slapd's stats log
 * ($SENDSEC_TEST_DIR/slapd.log; start slapd with SENDSEC_TEST_SLAPD_DEBUG=stats): *ok_out those
 * that succeeded, *lost_out those refused (a lost compare-and-swap). False when the log has no
 * stats lines at all (slapd was not started with stats). */
bool ikey_stats_key_writes(const char *dn, unsigned *ok_out, unsigned *lost_out);

/* The parsed record of key id on user (sendsec_admin_key_list); false when there is none.
 * Clear *out with sendsec_keyrec_clear. */
bool ikey_record(struct sendsec_ctx *ctx, const char *user, const char *id, struct sendsec_keyrec *out);

#endif
