/* admin.h — the administrative operations behind sendsecctl, done with the service account:
 * forced resets, unlock and status (admin_account.c), API keys (admin_key.c), TOTP and HOTP
 * tokens and recovery codes (admin_totp.c, admin_token.c), delegates (admin_delegate.c). They
 * print nothing: they return data for sendsecctl to show. Each takes the service whose settings
 * apply (sendsecctl passes "sendsecctl" unless told). */
#ifndef SENDSEC_ADMIN_H
#define SENDSEC_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "apikey.h"
#include "engine.h"
#include "policy.h"
#include "token.h"

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
	bool locked;         /* for every source: lockout_account_threshold or ppolicy's lock (not over) */
	time_t locked_until; /* when the lock ends; 0: until unlocked or unknown (ppolicy) */
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
/* Deletes the key's record(s) and id from its account with one modify (read again and retried
 * when a login's touch changed the record meanwhile); UNKNOWN_USER if no such key, DENIED if id is
 * not 12 base62 characters. */
enum sendsec_result sendsec_admin_key_revoke(
		struct sendsec_ctx *ctx, const char *service, const char *id) SENDSEC_MUST_CHECK;

/* Key lifecycle (DESIGN.md section 12). */
/* Issues a successor of key id with the same account, scopes, networks, description and expiry,
 * and makes the old key expire overlap seconds from now (or keeps its earlier expiry), in one
 * modify. key_out (>= SENDSEC_KEY_MAX) receives the successor's text, to be shown once; the
 * caller wipes it. *old_expires_out is the old key's expiry now. UNKNOWN_USER: no such key;
 * DENIED: bad id or overlap, or the key is disabled or expired; UNAVAILABLE: malformed record or
 * directory failure. */
enum sendsec_result sendsec_admin_key_rotate(struct sendsec_ctx *ctx, const char *service, const char *id,
		time_t overlap, char *key_out, size_t keylen, time_t *old_expires_out) SENDSEC_MUST_CHECK;

/* One key and the account holding it (user_attr value, "?" when the entry has none). */
struct sendsec_key_info {
	char account[SENDSEC_NAME_MAX + 1];
	struct sendsec_keyrec rec; /* malformed: scopes NULL, as in sendsec_admin_key_list */
};
/* Every key of every account ((sendsecKeyId=*) under base): malloc'd array of *n_out, free with
 * sendsec_admin_key_infos_free. */
enum sendsec_result sendsec_admin_key_list_all(struct sendsec_ctx *ctx, const char *service,
		struct sendsec_key_info **infos_out, size_t *n_out) SENDSEC_MUST_CHECK;
void sendsec_admin_key_infos_free(struct sendsec_key_info *infos, size_t n);

/* What the directory says about a presented key (found by sendsecctl scan). */
enum sendsec_key_state {
	SENDSEC_KEY_LIVE,     /* held by an account, the secret matches, not expired or disabled */
	SENDSEC_KEY_EXPIRED,  /* the secret matches; expired */
	SENDSEC_KEY_DISABLED, /* the secret matches; the record's disabled flag is set */
	SENDSEC_KEY_REVOKED,  /* no account holds the id (revoked, or never issued by this directory) */
	SENDSEC_KEY_UNKNOWN,  /* the id is held but the secret does not match, or the record is malformed */
};
/* Static string, never NULL: "live", "expired", "disabled", "revoked", "unknown". */
const char *sendsec_key_state_name(enum sendsec_key_state state);
/* OK with *state_out and account_out (the holder's name, "" when none); UNAVAILABLE when the
 * directory cannot answer. Reads only: one search. */
enum sendsec_result sendsec_admin_key_state(struct sendsec_ctx *ctx, const char *service,
		const struct sendsec_apikey *key, enum sendsec_key_state *state_out,
		char account_out[SENDSEC_NAME_MAX + 1]) SENDSEC_MUST_CHECK;

/* Tokens (admin_totp.c: enrollment; admin_token.c: list, remove, resync, seal). A token entry is
 * "cn=<random hex>,ou=tokens,<base>" (no user-provided text in any DN) with its name, when given,
 * as a second cn value. The account's first TOTP and first HOTP token are linked with the
 * OATH-LDAP attributes oathTOTPToken / oathHOTPToken, every further one with sendsecToken. The
 * functions that take why (whylen bytes) put the reason of a DENIED there, one phrase. */
struct sendsec_token_request {
	const char *name;   /* sendsec_token_name_valid(), or NULL: named by its random serial; an
	                     * account that has a token already takes a new one only with a name */
	const char *issuer; /* TOTP: the issuer in the URI, or NULL ("sendsec") */
	/* HOTP only: */
	const unsigned char *secret; /* the hardware token's seed, or NULL: a fresh random one */
	size_t secret_len;           /* 16..64 bytes when given */
	uint64_t counter;            /* the counter of the token's next code (0 for a new token) */
	unsigned digits;             /* 6 or 8 (0: 6) */
};
/* Creates a TOTP token (and its params entry "cn=totp-sha1-6,ou=params" if missing) for user with
 * a fresh 20-byte secret (sealed when totp_key_file is set) and links it; *uri_out (malloc'd,
 * wipe it) holds the otpauth://totp/ URI. DENIED (why) when the name is taken, or the account has
 * a token and no name was given. */
enum sendsec_result sendsec_admin_totp_enroll(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_token_request *req, char **uri_out, char *why, size_t whylen) SENDSEC_MUST_CHECK;
/* Creates an HOTP token (params "cn=hotp-sha1-<digits>,ou=params", created with look-ahead 10 if
 * missing) with req->secret or a fresh 20-byte one, and links it. With a fresh secret, *uri_out
 * (malloc'd, wipe it) holds the otpauth://hotp/ URI and secret_hex_out (>= 129 bytes, wipe it) the
 * secret in hex; else both are empty. DENIED (why) as for TOTP. */
enum sendsec_result sendsec_admin_hotp_enroll(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_token_request *req, char **uri_out, char *secret_hex_out, char *why,
		size_t whylen) SENDSEC_MUST_CHECK;

/* One token as sendsecctl totp list shows it. */
struct sendsec_token_info {
	char name[SENDSEC_TOKEN_NAME_MAX + 1];
	char dn[1024];
	const char *link_attr;        /* static: oathTOTPToken, oathHOTPToken or sendsecToken */
	enum sendsec_token_kind kind; /* TOTP, HOTP, or ANY when the entry could not be parsed */
	unsigned digits;
	bool is_sealed;  /* the stored secret is sealed */
	bool has_state;  /* a code was used (oathTOTPLastTimeStep / oathHOTPCounter) */
	uint64_t state;  /* TOTP: the last step used; HOTP: the counter of the last code */
	unsigned period; /* TOTP: seconds per step */
	bool is_broken;  /* missing, unreadable or malformed: a login is unavailable */
	char problem[192];
};
/* The tokens of user, in link order (malloc'd array of *n_out; free()). Broken ones included. */
enum sendsec_result sendsec_admin_token_list(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_token_info **tokens_out, size_t *n_out) SENDSEC_MUST_CHECK;
/* Removes user's token called name (its name or its DN, without regard to case), or with name
 * NULL the only one: unlinks it, then deletes its entry (only an entry with an OATH token class);
 * the recovery codes go with the last token. *left_out: tokens left. DENIED (why) when there is
 * no such token, or name is NULL and there are several. */
enum sendsec_result sendsec_admin_token_remove(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *name, size_t *left_out, char *why, size_t whylen) SENDSEC_MUST_CHECK;
/* Resynchronises an HOTP token of user (name NULL: whichever produced the codes) on two
 * consecutive codes found within the window counters after its counter, which is then set past
 * code2 with one compare-and-swap. name_out (SENDSEC_TOKEN_NAME_MAX + 1) and *counter_out (the new
 * oathHOTPCounter) say what was set. DENIED (why) when no token or several produced them. */
enum sendsec_result sendsec_admin_hotp_resync(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *name, const char *code1, const char *code2, unsigned window, char *name_out,
		uint64_t *counter_out, char *why, size_t whylen) SENDSEC_MUST_CHECK;
/* Seals every plain oathSecret of user's tokens (user NULL: of every OATH token entry under
 * base) with totp_key_file, each with one compare-and-swap. Counts: *sealed_out newly sealed,
 * *already_out sealed before, *failed_out left plain (changed meanwhile, or not readable).
 * UNAVAILABLE when totp_key_file is not set. */
enum sendsec_result sendsec_admin_token_seal(struct sendsec_ctx *ctx, const char *service, const char *user,
		size_t *sealed_out, size_t *already_out, size_t *failed_out) SENDSEC_MUST_CHECK;

/* Delegation (admin_delegate.c): sendsecDelegate values on a shared account. */
/* Adds person's DN (person: an account name) to account. DENIED (why) when person is account
 * itself or already a delegate; UNKNOWN_USER when either does not exist (why names which). */
enum sendsec_result sendsec_admin_delegate_add(struct sendsec_ctx *ctx, const char *service, const char *account,
		const char *person, char *why, size_t whylen) SENDSEC_MUST_CHECK;
/* Removes person (an account name, or a DN as stored, for a person whose entry is gone). DENIED
 * (why) when person is not a delegate. */
enum sendsec_result sendsec_admin_delegate_remove(struct sendsec_ctx *ctx, const char *service, const char *account,
		const char *person, char *why, size_t whylen) SENDSEC_MUST_CHECK;
struct sendsec_delegate_info {
	char dn[1024];
	char name[SENDSEC_NAME_MAX + 1]; /* the person's user_attr value; "" when the entry is gone */
};
/* The delegates of account (malloc'd array of *n_out; free()). */
enum sendsec_result sendsec_admin_delegate_list(struct sendsec_ctx *ctx, const char *service, const char *account,
		struct sendsec_delegate_info **delegates_out, size_t *n_out) SENDSEC_MUST_CHECK;

#define SENDSEC_RECOVERY_CODES    10
#define SENDSEC_RECOVERY_CODE_MAX 32
/* Replaces user's recovery codes with 10 fresh ones; codes_out receives them to be shown once
 * (the caller wipes them); only their hashes are stored. */
enum sendsec_result sendsec_admin_recovery(struct sendsec_ctx *ctx, const char *service, const char *user,
		char codes_out[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_CODE_MAX]) SENDSEC_MUST_CHECK;

#endif
