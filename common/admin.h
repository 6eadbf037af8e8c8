/* admin.h — the administrative operations behind sendsecctl, done with the service account:
 * forced resets, unlock and status (admin_account.c), API keys (admin_key.c), TOTP tokens and
 * recovery codes (admin_totp.c). They print nothing: they return data for sendsecctl to show.
 * Each takes the service whose settings apply (sendsecctl passes "sendsecctl" unless told). */
#ifndef SENDSEC_ADMIN_H
#define SENDSEC_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "apikey.h"
#include "engine.h"
#include "policy.h"

/* Results: OK; UNKNOWN_USER when the account (or key) does not exist; DENIED when the request
 * is refused (bad argument, already present); UNAVAILABLE when the directory fails. */

/* Sets sendsecResetRequired TRUE on user. */
enum sendsec_result sendsec_admin_reset(
		struct sendsec_ctx *ctx, const char *service, const char *user) SENDSEC_MUST_CHECK;
/* Sets sendsecResetRequired TRUE on every account (user_filter with any name) whose password
 * was last changed (sendsecPasswordChanged, else pwdChangedTime) before `before`, or never;
 * *n_out counts the accounts changed. */
enum sendsec_result sendsec_admin_reset_all_before(
		struct sendsec_ctx *ctx, const char *service, time_t before, size_t *n_out) SENDSEC_MUST_CHECK;
/* Clears the whole lockout record, every source's (sendsecFailure and the older
 * sendsecFailureTime; pwdAccountLockedTime where permitted). */
enum sendsec_result sendsec_admin_unlock(
		struct sendsec_ctx *ctx, const char *service, const char *user) SENDSEC_MUST_CHECK;

#define SENDSEC_STATUS_SOURCES 16
struct sendsec_status {
	char dn[1024];
	char account[SENDSEC_NAME_MAX + 1];
	bool disabled, reset_required, has_token;
	bool locked;         /* for every source: lockout_account_threshold or ppolicy's lock */
	time_t locked_until; /* when locked by the account threshold; 0: unknown (ppolicy) */
	size_t n_failures;   /* failure values currently stored, of every source and form */
	time_t last_failure; /* 0: none */
	/* The record per source, latest first: the first min(n_sources, SENDSEC_STATUS_SOURCES). */
	struct sendsec_source_state sources[SENDSEC_STATUS_SOURCES];
	size_t n_sources;
	size_t n_unknown; /* values of a form this version does not read (ignored) */
	size_t n_keys, n_recovery_codes;
	time_t password_changed; /* 0: unknown */
};
enum sendsec_result sendsec_admin_status(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_status *out) SENDSEC_MUST_CHECK;

/* API keys. */
struct sendsec_key_request {
	const char *const *scopes; /* NULL-terminated service names or "*" */
	time_t expires;            /* 0: never */
	const char *networks;      /* CIDR list text or NULL */
	const char *description;   /* or NULL */
};
/* Mints a key for user and stores its record and id with one modify. key_out (>= SENDSEC_KEY_MAX)
 * receives the key text, to be shown once; the caller wipes it. */
enum sendsec_result sendsec_admin_key_create(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_key_request *req, char *key_out, size_t keylen) SENDSEC_MUST_CHECK;
/* The parsed records of user's keys: malloc'd array of *n_out (free with sendsec_admin_keys_free).
 * A malformed stored value is logged and listed as a record with scopes NULL and only its id
 * ("?" when unreadable); it is not an error. */
enum sendsec_result sendsec_admin_key_list(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_keyrec **recs_out, size_t *n_out) SENDSEC_MUST_CHECK;
void sendsec_admin_keys_free(struct sendsec_keyrec *recs, size_t n);
/* Deletes the key's record(s) and id from its account with one modify; UNKNOWN_USER if no such
 * key, DENIED if id is not 12 base62 characters. */
enum sendsec_result sendsec_admin_key_revoke(
		struct sendsec_ctx *ctx, const char *service, const char *id) SENDSEC_MUST_CHECK;

/* TOTP. */
/* Creates a token (and the params entry if missing) for user with a fresh 20-byte secret (sealed
 * when totp_key_file is set) and links it from the account; *uri_out (malloc'd, wipe it) holds the
 * otpauth:// URI. DENIED when the account already has a token. */
enum sendsec_result sendsec_admin_totp_enroll(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *issuer, char **uri_out) SENDSEC_MUST_CHECK;
/* Removes the token entry and the link (and the recovery codes). */
enum sendsec_result sendsec_admin_totp_remove(
		struct sendsec_ctx *ctx, const char *service, const char *user) SENDSEC_MUST_CHECK;

#define SENDSEC_RECOVERY_CODES    10
#define SENDSEC_RECOVERY_CODE_MAX 32
/* Replaces user's recovery codes with 10 fresh ones; codes_out receives them to be shown once
 * (the caller wipes them); only their hashes are stored. */
enum sendsec_result sendsec_admin_recovery(struct sendsec_ctx *ctx, const char *service, const char *user,
		char codes_out[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_CODE_MAX]) SENDSEC_MUST_CHECK;

#endif
