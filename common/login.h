/* login.h — internal to the engine: the state of one decision (settings, directory handle,
 * account entry, client address, clock) shared by the factor files (factor_password.c,
 * factor_totp.c, factor_apikey.c) and policy.c. Not installed; no front end includes it. */
#ifndef SENDSEC_LOGIN_H
#define SENDSEC_LOGIN_H

#include <stdbool.h>
#include <time.h>

#include "dir.h"
#include "engine.h"
#include "policy.h"
#include "token.h"

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
	/* The account's tokens, read at most once per login (account_tokens.c). */
	struct sendsec_login_token *tokens; /* owned; n_tokens of them */
	size_t n_tokens;
	bool tokens_read; /* the read was attempted; tokens_rc is its result */
	enum sendsec_result tokens_rc;
	char token_used[SENDSEC_TOKEN_NAME_MAX + 1]; /* the token a code matched (audit token=), or "" */
	struct sendsec_entry *acting;                /* delegation: the shared account acted as (delegate.c), owned */
	/* The password attempt in flight (policy.c) and its hash slot (factor_password.c). */
	struct sendsec_entry *failures;               /* owned: the lockout record as read back after writing attempt */
	char attempt[SENDSEC_FAILURE_MAX];            /* the attempt's sendsecFailure value; "" when none is written */
	unsigned char digest[SENDSEC_FAILURE_DIGEST]; /* what the check computed from a wrong password */
	bool has_digest;
	struct sendsec_hash_slots *hash_slots; /* the context's (slots.h), NULL when it could not open them */
	const char *hash_slots_error;          /* why hash_slots is NULL */
	bool holds_slot;
	unsigned slot;
};

/* Prepares the per-decision state (settings and directory of service, parsed rhost, now);
 * UNAVAILABLE (logged) when the service's settings are broken. Pair with sendsec_login_end. */
enum sendsec_result sendsec_login_begin(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, struct sendsec_login *l) SENDSEC_MUST_CHECK;
/* Frees the account, token and shared account entries. */
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

/* Takes one of the host's hash slots for l's service (hash_concurrency; slots.h), waiting up to
 * timeout seconds: OK (give it back with sendsec_login_slot_give; sendsec_login_end does too), or
 * UNAVAILABLE with *reason_out busy (none came free) or unavailable (no slot file; logged). OK
 * without a slot when hash_concurrency is 0 or a slot is held already; a check or dummy run under
 * a slot its caller held keeps it held (the caller gives it back). */
enum sendsec_result sendsec_login_slot_take(
		struct sendsec_login *l, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;
void sendsec_login_slot_give(struct sendsec_login *l);
/* The dummy verification (hash.h) of a refused or unknown account, under a slot like a real one:
 * OK when it ran, else as sendsec_login_slot_take. */
enum sendsec_result sendsec_login_dummy_verify(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;
/* Costs what sendsec_factor_password costs and decides nothing, for a login refused before its
 * password is checked (unknown name; locked, disabled or network-refused account; an appended
 * password too short to hold the code): one dummy verification at the configured cost, and in
 * bind mode beside a bind to a DN that cannot exist, as a real check binds beside one. It takes a
 * hash slot as a check does: OK, or as sendsec_login_slot_take. */
enum sendsec_result sendsec_password_standin(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;

/* One token of an account as read from the directory (account_tokens.c). */
struct sendsec_login_token {
	struct sendsec_token t;      /* parsed; t.dn is the link (valid while the account entry is) */
	struct sendsec_entry *entry; /* the token entry, owned; NULL when it could not be read */
	bool is_broken;              /* missing, unreadable or malformed: problem says why */
	char problem[192];           /* one phrase, no secret */
};

/* True when the account links a token (oathTOTPToken, oathHOTPToken or sendsecToken). */
bool sendsec_account_has_token(const struct sendsec_login *l);

/* Reads every token that account links (token.h: sendsec_token_links) with its params entry
 * into a malloc'd array (free with sendsec_tokens_free). A token that is missing, unreadable or
 * malformed is kept, flagged is_broken. Returns OK, or UNAVAILABLE (logged) when the directory
 * fails, memory runs out or the account links more than SENDSEC_TOKENS_MAX tokens. */
enum sendsec_result sendsec_tokens_read(struct sendsec_dir *dir, const struct sendsec_log *log,
		const struct sendsec_entry *account, struct sendsec_login_token **tokens_out,
		size_t *n_out) SENDSEC_MUST_CHECK;
void sendsec_tokens_free(struct sendsec_login_token *tokens, size_t n);

/* Stores value as t's state (oathTOTPLastTimeStep / oathHOTPCounter) with one modify that deletes
 * the value read (t->state) and adds the new one; without a value read it only adds (the attribute
 * is SINGLE-VALUE: of two adds one wins). OK, CONFLICT when another writer changed it first, or
 * another status (factor_totp.c). */
enum sendsec_dir_status sendsec_token_swap(
		struct sendsec_dir *dir, const struct sendsec_token *t, uint64_t value) SENDSEC_MUST_CHECK;

/* The login's tokens (sendsec_tokens_read), once per login. OK, or UNAVAILABLE when any token
 * is broken (each logged at error level, naming the token and its account): a token is never
 * skipped silently. */
enum sendsec_result sendsec_login_tokens(struct sendsec_login *l) SENDSEC_MUST_CHECK;

/* Second factor: verifies code (a TOTP or HOTP code, or a recovery code) for login->account. A
 * code of n digits is checked against every token whose codes have n digits; the token that
 * matches is advanced with one compare-and-swap (oathTOTPLastTimeStep, oathHOTPCounter) and its
 * name left in l->token_used; a recovery code is deleted on use. OK, DENIED (reason bad_totp or
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

/* Opens token t's secret into secret (SENDSEC_TOTP_SECRET_MAX bytes; the caller wipes it): a
 * sealed secret with totp_key_file, a plain one only without it. OK, or UNAVAILABLE (logged,
 * naming the token, never the secret). */
enum sendsec_result sendsec_token_open_secret(const struct sendsec_login *l, const struct sendsec_token *t,
		unsigned char *secret, size_t *len_out) SENDSEC_MUST_CHECK;

/* The distinct code lengths of the account's tokens, ascending, in lengths_out (room for 3: 6,
 * 7 and 8 digits), for splitting a code appended to the password. Returns how many; 0 when the
 * tokens cannot be read (sendsec_login_tokens). */
size_t sendsec_token_lengths(struct sendsec_login *l, unsigned lengths_out[3]);

/* Delegation (delegate.c): after the person of l authenticated, decides whether they may act as
 * the account named authzid: the person's DN is one of its sendsecDelegate values (matched by
 * the directory as DNs), and that account is neither disabled nor locked by ppolicy
 * (pwdAccountLockedTime) and its sendsecAllowedNetwork allows the client. OK (l->acting holds the
 * shared account), DENIED (reason not_delegate, disabled, locked or network; an authzid that
 * names no account is not_delegate too) or UNAVAILABLE. */
enum sendsec_result sendsec_delegate_check(
		struct sendsec_login *l, const char *authzid, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;

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
/* Lockout around one password (or password and TOTP) attempt, in this order: */
/* Before the password check: DENIED (reason locked or source_locked, nothing written) when the
 * account or the client's source is locked; else writes the attempt's value (and deletes expired
 * values in the same modify), reads the record back and decides once more, so that racing
 * attempts see each other: OK (the attempt is recorded), DENIED (its value removed again), or
 * UNAVAILABLE (reason unavailable) when the directory would not take or give the record. With
 * the lockout off nothing is written and the answer is OK. ppolicy's lock first: the administrative
 * one is locked; one after failed binds is, with password_check bind, left to the bind (slapd
 * refuses it while it holds), else as sendsec_policy_ppolicy_lock says (HELD: locked, UNKNOWN:
 * unavailable). */
enum sendsec_result sendsec_policy_attempt_begin(
		struct sendsec_login *l, enum sendsec_reason *reason_out) SENDSEC_MUST_CHECK;
/* The check failed with reason: a wrong password whose check left a digest gets its tag, or
 * its value is removed when the same tag from the same source is live (counted once); any other
 * failure stays recorded as written. */
void sendsec_policy_attempt_failed(struct sendsec_login *l, enum sendsec_reason reason);
/* The check succeeded: removes the attempt's value and every other value of its source. */
void sendsec_policy_attempt_succeeded(struct sendsec_login *l);
/* The check could not decide (unavailable, busy): removes the attempt's value. */
void sendsec_policy_attempt_abandon(struct sendsec_login *l);

/* Summarises l->account's record per source into out[0..max), latest failure first; returns how
 * many sources there are (may be more than max). *account_locked_out tells whether the account
 * itself is locked (until *until_out); *n_unknown_out counts values of unknown form. */
size_t sendsec_policy_sources(const struct sendsec_login *l, struct sendsec_source_state *out, size_t max,
		bool *account_locked_out, time_t *until_out, size_t *n_unknown_out);

/* ppolicy's lock (pwdAccountLockedTime) of l->account, as it ends by ppolicy's rule: a lock after
 * failed binds holds until its time plus the pwdLockoutDuration of the policy that the account's
 * pwdPolicySubentry names (read from the directory; 0 or absent: until unlocked). Without a
 * pwdPolicySubentry slapd applies its default policy, which a client cannot discover: the one
 * ppolicy_default names, else the lock holds until unlocked (sendsecctl unlock). */
enum sendsec_ppolicy_lock sendsec_policy_ppolicy_lock(const struct sendsec_login *l, time_t *until_out);
/* True when ppolicy's administrative lock is set (pwdAccountLockedTime 000001010000Z): the account
 * is refused on every path, API keys and the account check included. A pwdAccountLockedTime with
 * a real time (ppolicy's lockout after failed binds) locks password and TOTP logins only. */
bool sendsec_policy_is_admin_locked(const struct sendsec_login *l);
/* True when the account is disabled (sendsecDisabled). */
bool sendsec_policy_is_disabled(const struct sendsec_login *l);
/* True when the password must be changed (sendsecResetRequired, pwdReset, password_reset_before). */
bool sendsec_policy_reset_required(const struct sendsec_login *l);

/* The account name to report (user_attr value), or NULL. */
const char *sendsec_account_name(const struct sendsec_login *l);

#endif
