/* engine.h — the one entry point of the PAM module, the SASL plugin and sendsecctl test: a context
 * holding the parsed configuration, one directory handle per service and the log sink, and the
 * decisions (authenticate, account check, password change). The front ends translate host API
 * calls into these and the result into their codes; nothing else. */
#ifndef SENDSEC_ENGINE_H
#define SENDSEC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "result.h"

struct sendsec_ctx;

/* Loads config_path (NULL: SENDSEC_DEFAULT_CONFIG); overrides are PAM "key=value" arguments
 * applied on top of every service's settings. check_owner: enforce the root-owned rule (off only
 * in tests). log is copied; its max_level is the least the front end wants (error, or debug for
 * a debug flag) and is raised per service to that service's log_level. Returns OK and *ctx_out,
 * or UNAVAILABLE with the reason in err (also logged). */
enum sendsec_result sendsec_ctx_new(const char *config_path, bool check_owner, const char *const *overrides,
		size_t n_overrides, const struct sendsec_log *log, struct sendsec_ctx **ctx_out, char *err,
		size_t errlen) SENDSEC_MUST_CHECK;
void sendsec_ctx_free(struct sendsec_ctx *ctx);

/* Replaces the clock (default time(NULL)); for tests. */
void sendsec_ctx_set_clock(struct sendsec_ctx *ctx, time_t (*now)(void *arg), void *arg);

struct sendsec_audit_sink; /* audit.h */
/* Installs where the audit lines go (the sink is copied; NULL: the default, syslog authpriv.info).
 * A front end may install one right after sendsec_ctx_new; tests do. */
void sendsec_ctx_set_audit_sink(struct sendsec_ctx *ctx, const struct sendsec_audit_sink *sink);
/* The context's audit sink, for lines written outside a decision (sendsecctl's admin lines). */
const struct sendsec_audit_sink *sendsec_ctx_audit_sink(const struct sendsec_ctx *ctx);

/* The effective settings for service (resolved once and cached), or NULL with err set. */
const struct sendsec_settings *sendsec_ctx_settings(
		struct sendsec_ctx *ctx, const char *service, char *err, size_t errlen);

/* Asks the person for a second factor. Returns OK with a malloc'd *answer_out (the engine wipes
 * and frees it), or anything else to abort. */
typedef enum sendsec_result (*sendsec_ask_fn)(void *arg, const char *prompt, char **answer_out);

struct sendsec_request {
	const char *service;  /* selects the [service] section; required */
	const char *user;     /* as typed */
	const char *password; /* as typed; a TOTP code may be appended */
	const char *rhost;    /* client address (IPv4 or IPv6 text) or NULL when unknown */
	sendsec_ask_fn ask;   /* NULL: the code must be appended to the password (SASL, otp_mode append) */
	void *ask_arg;
	/* SASL authzid: the shared account to act as (delegation, DESIGN.md section 4), or NULL or ""
	 * (equal to user: the same). The person authenticates as user with their own credentials and
	 * policy; the outcome's account is then the shared one. PAM has none. */
	const char *authzid;
};

#define SENDSEC_NAME_MAX 256

struct sendsec_outcome {
	enum sendsec_result result;
	enum sendsec_reason reason;
	char account[SENDSEC_NAME_MAX + 1]; /* the authenticated identity (user_attr value), on OK */
	const char *method;                 /* "password", "password+totp", "recovery", "apikey", or NULL */
	char key_id[16];                    /* the API key id, when method is apikey */
	char token[65];                     /* the name (cn) of the token a code matched, or "" */
	/* Delegation: authz is the shared account asked for (its user_attr value on OK, else the
	 * authzid as given), and authcid the person who authenticated (on OK; account is then the
	 * shared account). Both "" without an authzid. */
	char authz[SENDSEC_NAME_MAX + 1];
	char authcid[SENDSEC_NAME_MAX + 1];
};

/* Authenticates one request and writes one audit line. The outcome's result is also returned. */
enum sendsec_result sendsec_authenticate(struct sendsec_ctx *ctx, const struct sendsec_request *req,
		struct sendsec_outcome *out) SENDSEC_MUST_CHECK;

/* Account management after authentication (PAM acct_mgmt): disabled, locked by an administrator
 * (ppolicy) or refused by network ⇒ DENIED, forced reset ⇒ CHANGE_REQUIRED, unknown ⇒ UNKNOWN_USER. */
enum sendsec_result sendsec_account_check(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, struct sendsec_outcome *out) SENDSEC_MUST_CHECK;

/* Checks old_password (unless NULL: administrative change), enforces password_min_length,
 * writes the new password (argon2id in local mode, RFC 3062 in bind mode), sets
 * sendsecPasswordChanged and clears sendsecResetRequired. */
enum sendsec_result sendsec_change_password(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *old_password, const char *new_password, struct sendsec_outcome *out) SENDSEC_MUST_CHECK;

#endif
