/* login.h — internal to the engine: the state of one decision (settings, directory handle,
 * account entry, client address, clock) shared by the factor files (factor_password.c,
 * factor_totp.c, factor_apikey.c) and policy.c. Not installed; no front end includes it. */
#ifndef SENDSEC_LOGIN_H
#define SENDSEC_LOGIN_H

#include <stdbool.h>
#include <time.h>

#include "dir.h"
#include "engine.h"
#include "totp.h"

struct sendsec_login {
	struct sendsec_ctx *ctx;
	const struct sendsec_settings *s;
	struct sendsec_dir *dir;      /* uri: the providers; every write and every read but the key search */
	struct sendsec_dir *read_dir; /* read_uri (the replicas), or dir when read_uri is not set */
	const struct sendsec_log *log;
	const char *service;
	const char *user;       /* as typed */
	const char *rhost;      /* as given, may be NULL */
	unsigned char addr[16]; /* parsed rhost, when has_addr */
	bool has_addr;
	time_t now;
	struct sendsec_entry *account; /* owned by the login once found */
	/* The account's TOTP token and its params, read at most once per login (factor_totp.c). */
	struct sendsec_entry *token; /* owned by the login; NULL until read or when unreadable */
	struct sendsec_totp_params totp;
	bool token_read; /* the read was attempted; token_rc is its result */
	enum sendsec_result token_rc;
};

/* Prepares the per-decision state (settings and directory of service, parsed rhost, now);
 * UNAVAILABLE (logged) when the service's settings are broken. Pair with sendsec_login_end. */
enum sendsec_result sendsec_login_begin(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, struct sendsec_login *l) SENDSEC_MUST_CHECK;
/* Frees the account and token entries. */
void sendsec_login_end(struct sendsec_login *l);

/* The one search of an API-key login (DESIGN.md section 10): sendsec_dir_search_one under base on
 * the replicas (read_uri), and on the providers (uri) when no replica answers. A replica's answer,
 * stale or not, is final: no entry there is no entry. */
enum sendsec_dir_status sendsec_login_search_replica(struct sendsec_login *l, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out) SENDSEC_MUST_CHECK;

/* Finds the account of l->user (attrs NULL: sendsec_account_attrs) into l->account: OK,
 * UNKNOWN_USER or UNAVAILABLE. */
enum sendsec_result sendsec_login_find(struct sendsec_login *l, const char *const *attrs) SENDSEC_MUST_CHECK;
/* Begins a login for user (sendsec_login_begin) and finds the account (sendsec_login_find): the
 * first step of every decision and admin operation on an account. Pair with sendsec_login_end in
 * every case. */
enum sendsec_result sendsec_login_find_account(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, const char *const *attrs, struct sendsec_login *l) SENDSEC_MUST_CHECK;

/* Directory statuses turned into decisions, one function per caller kind (dir_decide.c). */
/* Account lookups: OK; NO_ENTRY ⇒ UNKNOWN_USER; else UNAVAILABLE. */
enum sendsec_result sendsec_decide_lookup(enum sendsec_dir_status st);
/* Reads of linked entries (tokens, params) and writes that must simply happen: OK, else
 * UNAVAILABLE (a missing token entry is bad data, never an unknown user). */
enum sendsec_result sendsec_decide_data(enum sendsec_dir_status st);
/* Compare-and-swap of single-use state: OK; CONFLICT ⇒ DENIED (another login used it first, the
 * caller names the reason; never a wrong password); else UNAVAILABLE. */
enum sendsec_result sendsec_decide_swap(enum sendsec_dir_status st);
/* Password checks and changes as the user (bind, RFC 3062): OK; BAD_CREDENTIALS or REFUSED ⇒
 * DENIED; else UNAVAILABLE. */
enum sendsec_result sendsec_decide_bind(enum sendsec_dir_status st);
/* Admin writes: OK; NO_ENTRY ⇒ UNKNOWN_USER; CONFLICT or REFUSED ⇒ DENIED; else UNAVAILABLE. */
enum sendsec_result sendsec_decide_admin(enum sendsec_dir_status st);

/* The attributes read with the account in its one search. */
extern const char *const sendsec_account_attrs[];

/* Password factor: checks password for login->account (local hash, or a bind beside one dummy
 * verification at the configured cost). OK, DENIED (reason bad_password) or UNAVAILABLE.
 * Rehashes a weak local hash after success. */
enum sendsec_result sendsec_factor_password(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;

/* Costs what sendsec_factor_password costs and decides nothing, for a login refused before its
 * password is checked (unknown name; locked, disabled or network-refused account; an appended
 * password too short to hold the code): one dummy verification at the configured cost, and in
 * bind mode beside a bind to a DN that cannot exist, as a real check binds beside one. */
void sendsec_password_standin(struct sendsec_login *l, const char *password);

/* True when the account has a TOTP token (oathTOTPToken). */
bool sendsec_account_has_token(const struct sendsec_login *l);

/* TOTP factor: verifies code (a TOTP code or a recovery code) for login->account, advancing
 * oathTOTPLastTimeStep (or deleting the recovery code) atomically. OK, DENIED (reason bad_totp or
 * totp_replayed) or UNAVAILABLE. *used_recovery_out tells which kind matched. */
enum sendsec_result sendsec_factor_totp(struct sendsec_login *l, const char *code, bool *used_recovery_out,
		enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;

/* One decision on single-use state (a TOTP step, a recovery code, an HOTP counter): decides from
 * the entry in hand and, when the answer is yes, writes it with one compare-and-swap. Returns the
 * decision with *reason_out; sets *lost_out when the write lost to another login (CONFLICT). */
typedef enum sendsec_result (*sendsec_swap_fn)(
		struct sendsec_login *l, void *arg, bool *lost_out, enum sendsec_reason *reason_out);
#define SENDSEC_SWAP_TRIES 3
/* Runs fn; while it loses its compare-and-swap, re-reads *entry (same DN, attrs) from the provider
 * that was written to (l->dir, pinned: never a replica or another provider) into *entry and runs
 * fn again, SENDSEC_SWAP_TRIES times at most. So of two different valid codes racing, the later
 * one succeeds, and the same code twice succeeds once. A race lost every time is DENIED
 * (totp_replayed); a failed re-read is UNAVAILABLE. */
enum sendsec_result sendsec_swap_decide(struct sendsec_login *l, struct sendsec_entry **entry, const char *const *attrs,
		sendsec_swap_fn fn, void *arg, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;

/* The digits of the account's token (for splitting an appended code), or 0 when unknown. */
unsigned sendsec_token_digits(struct sendsec_login *l);

/* Reads TOTP params from an oathTOTPParams entry (NULL: all defaults; absent attributes take
 * defaults). False (out unspecified) on an unknown algorithm OID or a value out of range. */
bool sendsec_totp_params_from_entry(const struct sendsec_entry *params, struct sendsec_totp_params *out);

/* API key login: password is the key text. Finds the account by key id (one search), checks
 * the key (hash, scope, expiry, disabled flags, ppolicy's administrative lock, networks) and that
 * user is apikey_username or the account's own name. On OK, login->account is set and key_id_out
 * (16 bytes) holds the id. */
enum sendsec_result sendsec_factor_apikey(struct sendsec_login *l, const char *key_text, char *key_id_out,
		enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;
struct sendsec_keyrec;
/* Writes rec's last use (l->now, l's client address) on l->account by replacing exactly the value
 * stored (as read) in one modify: OK; CONFLICT (nothing written) when that value changed since,
 * e.g. the key was revoked or rotated; else the directory's status. */
enum sendsec_dir_status sendsec_apikey_touch(struct sendsec_login *l, const struct sendsec_val *stored,
		const struct sendsec_keyrec *rec) SENDSEC_MUST_CHECK;

/* Account policy (policy.c). */
/* True when the account's networks (sendsecAllowedNetwork) allow the client; false when a list
 * applies and the client address is unknown. */
bool sendsec_policy_account_network_ok(const struct sendsec_login *l);
/* True when the service's allow_networks allows the client (or is empty). */
bool sendsec_policy_service_network_ok(const struct sendsec_login *l);
/* True when password and TOTP logins are locked (sendsecFailureTime or pwdAccountLockedTime). */
bool sendsec_policy_is_locked(const struct sendsec_login *l);
/* True when ppolicy's administrative lock is set (pwdAccountLockedTime 000001010000Z): the account
 * is refused on every path, API keys and the account check included. A pwdAccountLockedTime with
 * a real time (ppolicy's lockout after failed binds) locks password and TOTP logins only. */
bool sendsec_policy_is_admin_locked(const struct sendsec_login *l);
/* Records one failed password/TOTP attempt in the directory (best effort, logged on error). */
void sendsec_policy_record_failure(struct sendsec_login *l);
/* Clears the failure record after a success (only when there is one). */
void sendsec_policy_clear_failures(struct sendsec_login *l);
/* True when the account is disabled (sendsecDisabled). */
bool sendsec_policy_is_disabled(const struct sendsec_login *l);
/* True when the password must be changed (sendsecResetRequired, pwdReset, password_reset_before). */
bool sendsec_policy_reset_required(const struct sendsec_login *l);

/* The account name to report (user_attr value), or NULL. */
const char *sendsec_account_name(const struct sendsec_login *l);

#endif
