/* engine.c — the context (config, per-service settings and directory handles, log, clock) and
 * the three decisions: authenticate, account check, password change. It routes a login to the
 * API-key or the password(+TOTP) path, applies the account policy, and writes the audit line.
 * Fail closed: every path that is not an explicit success ends in a non-OK result. */
#include "engine.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "audit.h"
#include "cidr.h"
#include "hash.h"
#include "login.h"
#include "recovery.h"
#include "secret.h"
#include "slots.h"
#include "timeutil.h"

struct service_slot {
	char *name;
	struct sendsec_settings *settings;
	struct sendsec_dir *dir;      /* uri: the providers (password logins, every write) */
	struct sendsec_dir *read_dir; /* read_uri: the replicas of API-key logins, or NULL */
	struct sendsec_log log;       /* the front end's sink at max(its level, the service's log_level) */
	char error[256];              /* why settings is NULL */
};

struct sendsec_ctx {
	struct sendsec_config *cfg;
	char **overrides;
	size_t n_overrides;
	struct sendsec_log log;
	struct sendsec_audit_sink audit; /* zeroed: syslog */
	time_t (*now)(void *arg);
	void *now_arg;
	struct service_slot *slots; /* [0]: global settings, then one per [service] section */
	size_t n_slots;
	struct sendsec_hash_slots *hash_slots; /* the host's hash slots (slots.h), opened with the context */
	char hash_slots_error[256];            /* why hash_slots is NULL */
};

static time_t system_now(void *arg)
{
	(void)arg;
	return time(NULL);
}

/* The context's clock, for the directory handles' retry times (so tests can move it too). */
static time_t ctx_now(void *arg)
{
	const struct sendsec_ctx *ctx = arg;

	return ctx->now(ctx->now_arg);
}

/* Resolves the settings of one section (NULL: the global settings) into slot: this reads the
 * secret files, which is why every slot is opened when the context is created (the SASL plugin
 * creates it as root, before the application drops privileges). A failure is kept in the slot
 * and reported whenever a login needs it. */
static void open_slot(struct sendsec_ctx *ctx, struct service_slot *slot, const char *section)
{
	memset(slot, 0, sizeof(*slot));
	if ((slot->name = strdup(section != NULL ? section : "")) == NULL) {
		snprintf(slot->error, sizeof(slot->error), "out of memory");
		return;
	}
	if (sendsec_settings_resolve(ctx->cfg, section, (const char *const *)ctx->overrides, ctx->n_overrides,
			    &slot->settings, slot->error, sizeof(slot->error)) != SENDSEC_OK)
		return;
	slot->log = ctx->log;
	if ((int)slot->log.max_level < slot->settings->log_level)
		slot->log.max_level = (enum sendsec_log_level)slot->settings->log_level;
	if (sendsec_dir_new(slot->settings, &slot->log, &slot->dir) != SENDSEC_DIR_OK ||
			(slot->settings->read_uri.n > 0 &&
					sendsec_dir_new_replica(slot->settings, &slot->log, &slot->read_dir) !=
							SENDSEC_DIR_OK)) {
		sendsec_dir_free(slot->dir);
		slot->dir = NULL;
		sendsec_settings_free(slot->settings);
		slot->settings = NULL;
		snprintf(slot->error, sizeof(slot->error), "out of memory");
		return;
	}
	sendsec_dir_set_clock(slot->dir, ctx_now, ctx);
	if (slot->read_dir != NULL)
		sendsec_dir_set_clock(slot->read_dir, ctx_now, ctx);
}

static enum sendsec_result open_slots(struct sendsec_ctx *ctx, char *err, size_t errlen)
{
	size_t n = sendsec_config_n_services(ctx->cfg);

	if ((ctx->slots = calloc(n + 1, sizeof(*ctx->slots))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return SENDSEC_UNAVAILABLE;
	}
	open_slot(ctx, &ctx->slots[0], NULL);
	for (size_t i = 0; i < n; i++)
		open_slot(ctx, &ctx->slots[i + 1], sendsec_config_service_name(ctx->cfg, i));
	ctx->n_slots = n + 1;
	/* A slot whose name could not be copied cannot be found: its service's logins would take
	 * the global settings (or crash on the missing name). Refuse the whole context instead. */
	for (size_t i = 0; i < ctx->n_slots; i++) {
		if (ctx->slots[i].name == NULL) {
			snprintf(err, errlen, "out of memory");
			return SENDSEC_UNAVAILABLE;
		}
	}
	return SENDSEC_OK;
}

/* The slot of service's [service] section, else the global one; NULL with err set when that
 * slot could not be opened. */
static struct service_slot *slot_for(struct sendsec_ctx *ctx, const char *service, char *err, size_t errlen)
{
	struct service_slot *slot = &ctx->slots[0];

	for (size_t i = 1; service != NULL && i < ctx->n_slots; i++)
		if (strcmp(ctx->slots[i].name, service) == 0)
			slot = &ctx->slots[i];
	if (slot->settings == NULL) {
		snprintf(err, errlen, "%s", slot->error[0] != '\0' ? slot->error : "settings unavailable");
		return NULL;
	}
	return slot;
}

enum sendsec_result sendsec_ctx_new(const char *config_path, bool check_owner, const char *const *overrides,
		size_t n_overrides, const struct sendsec_log *log, struct sendsec_ctx **ctx_out, char *err,
		size_t errlen)
{
	struct sendsec_ctx *ctx = NULL;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	*ctx_out = NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		goto out;
	}
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
			(ctx->overrides = calloc(n_overrides + 1, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_overrides; i++) {
		if ((ctx->overrides[i] = strdup(overrides[i])) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		ctx->n_overrides = i + 1;
	}
	if (log != NULL)
		ctx->log = *log;
	ctx->now = system_now;
	if (sendsec_config_load(config_path != NULL ? config_path : SENDSEC_DEFAULT_CONFIG, check_owner, &ctx->cfg, err,
			    errlen) != SENDSEC_OK ||
			open_slots(ctx, err, errlen) != SENDSEC_OK)
		goto out;
	/* Now, before a SASL host's chroot and privilege drop; a failure matters only to a login
	 * that needs a slot, which is then refused as unavailable. */
	if (sendsec_hash_slots_open(sendsec_hash_slots_dir(), &ctx->hash_slots, ctx->hash_slots_error,
			    sizeof(ctx->hash_slots_error)) != SENDSEC_OK)
		ctx->hash_slots = NULL;
	rc = SENDSEC_OK;
out:
	if (rc != SENDSEC_OK) {
		sendsec_logf(log, SENDSEC_LOG_ERROR, "configuration refused: %s", err);
		sendsec_ctx_free(ctx);
		ctx = NULL;
	}
	*ctx_out = ctx;
	return rc;
}

void sendsec_ctx_free(struct sendsec_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->n_slots; i++) {
		sendsec_dir_free(ctx->slots[i].read_dir);
		sendsec_dir_free(ctx->slots[i].dir);
		sendsec_settings_free(ctx->slots[i].settings);
		free(ctx->slots[i].name);
	}
	free(ctx->slots);
	sendsec_hash_slots_free(ctx->hash_slots);
	for (size_t i = 0; i < ctx->n_overrides; i++)
		free(ctx->overrides[i]);
	free(ctx->overrides);
	sendsec_config_free(ctx->cfg);
	free(ctx);
}

void sendsec_ctx_set_clock(struct sendsec_ctx *ctx, time_t (*now)(void *arg), void *arg)
{
	ctx->now = now != NULL ? now : system_now;
	ctx->now_arg = arg;
}

void sendsec_ctx_set_audit_sink(struct sendsec_ctx *ctx, const struct sendsec_audit_sink *sink)
{
	ctx->audit = sink != NULL ? *sink : (struct sendsec_audit_sink){0};
}

const struct sendsec_audit_sink *sendsec_ctx_audit_sink(const struct sendsec_ctx *ctx)
{
	return &ctx->audit;
}

const struct sendsec_settings *sendsec_ctx_settings(
		struct sendsec_ctx *ctx, const char *service, char *err, size_t errlen)
{
	struct service_slot *slot = slot_for(ctx, service, err, errlen);

	return slot != NULL ? slot->settings : NULL;
}

enum sendsec_result sendsec_login_begin(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, struct sendsec_login *l)
{
	char err[256];
	struct service_slot *slot = slot_for(ctx, service, err, sizeof(err));

	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
	l->log = &ctx->log;
	l->service = service != NULL ? service : "other";
	l->user = user != NULL ? user : "";
	l->rhost = rhost;
	l->now = ctx->now(ctx->now_arg);
	l->hash_slots = ctx->hash_slots;
	l->hash_slots_error = ctx->hash_slots_error;
	if (slot == NULL) {
		sendsec_logf(&ctx->log, SENDSEC_LOG_ERROR, "service %s: %s", l->service, err);
		return SENDSEC_UNAVAILABLE;
	}
	l->s = slot->settings;
	l->dir = slot->dir;
	l->read_dir = slot->read_dir != NULL ? slot->read_dir : slot->dir;
	l->log = &slot->log;
	l->has_addr = rhost != NULL && sendsec_addr_parse(rhost, l->addr);
	return SENDSEC_OK;
}

enum sendsec_result sendsec_login_find(struct sendsec_login *l, const char *const *attrs)
{
	return sendsec_decide_lookup(sendsec_dir_find_user(
			l->dir, l->user, attrs != NULL ? attrs : sendsec_account_attrs, &l->account));
}

enum sendsec_result sendsec_login_find_account(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, const char *const *attrs, struct sendsec_login *l)
{
	if (sendsec_login_begin(ctx, service, user, rhost, l) != SENDSEC_OK)
		return SENDSEC_UNAVAILABLE;
	return sendsec_login_find(l, attrs);
}

enum sendsec_dir_status sendsec_login_search_replica(
		struct sendsec_login *l, const char *filter, const char *const *attrs, struct sendsec_entry **entry_out)
{
	enum sendsec_dir_status st = sendsec_dir_search_one(l->read_dir, l->s->base, filter, attrs, entry_out);

	if (st == SENDSEC_DIR_FAILED && l->read_dir != l->dir && sendsec_dir_unreachable(l->read_dir)) {
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "no replica (read_uri) answers: reading from uri");
		st = sendsec_dir_search_one(l->dir, l->s->base, filter, attrs, entry_out);
	}
	return st;
}

void sendsec_login_end(struct sendsec_login *l)
{
	sendsec_entry_free(l->account);
	l->account = NULL;
	sendsec_tokens_free(l->tokens, l->n_tokens);
	l->tokens = NULL;
	l->n_tokens = 0;
	l->tokens_read = false;
	sendsec_entry_free(l->acting);
	l->acting = NULL;
	sendsec_login_slot_give(l);
	sendsec_entry_free(l->failures);
	l->failures = NULL;
	sodium_memzero(l->digest, sizeof(l->digest));
	l->has_digest = false;
}

static bool has_alternative(const struct sendsec_settings *s, unsigned factors)
{
	for (size_t i = 0; i < s->n_methods; i++)
		if (s->methods[i] == factors)
			return true;
	return false;
}

static bool any_alternative_with(const struct sendsec_settings *s, unsigned factor)
{
	for (size_t i = 0; i < s->n_methods; i++)
		if (s->methods[i] & factor)
			return true;
	return false;
}

/* snprintf(dst, size, "%s", src) without the format machinery (this runs once per login). */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static enum sendsec_result finish(struct sendsec_login *l, struct sendsec_outcome *out, enum sendsec_result rc,
		enum sendsec_reason reason)
{
	const char *name = l->account != NULL ? sendsec_account_name(l) : NULL;
	const char *acting = l->acting != NULL ? sendsec_entry_first(l->acting, l->s->user_attr) : NULL;

	out->result = rc;
	out->reason = rc == SENDSEC_OK ? SENDSEC_REASON_NONE : reason;
	copy_text(out->token, sizeof(out->token), l->token_used);
	if (rc == SENDSEC_OK && acting != NULL && name != NULL) {
		/* Delegation: the identity reported is the shared account; the line names both. */
		snprintf(out->authcid, sizeof(out->authcid), "%s", name);
		snprintf(out->authz, sizeof(out->authz), "%s", acting);
		name = acting;
	} else if (rc == SENDSEC_OK) {
		out->authz[0] = '\0'; /* an authzid naming the account itself delegates nothing */
	}
	if ((rc == SENDSEC_OK || rc == SENDSEC_CHANGE_REQUIRED) && name != NULL)
		copy_text(out->account, sizeof(out->account), name);
	if ((rc == SENDSEC_OK || rc == SENDSEC_CHANGE_REQUIRED) && out->account[0] == '\0') {
		/* Success without an identity to report is not a success, nor is one that must change
		 * its password first (PAM's authenticate answers it with PAM_SUCCESS). */
		out->result = rc = SENDSEC_UNAVAILABLE;
		out->reason = SENDSEC_REASON_UNAVAILABLE;
	}
	sendsec_audit(&l->ctx->audit, l->log, l->service, l->user, l->rhost, out);
	sendsec_login_end(l);
	return rc;
}

#define CODE_PROMPT "Verification code: "

/* True when this login asks for the code at a prompt: a callback, otp_mode prompt, and a method
 * of the service with totp. */
static bool prompts_for_code(const struct sendsec_login *l, const struct sendsec_request *req)
{
	return req->ask != NULL && l->s->otp_mode == SENDSEC_OTP_PROMPT &&
			any_alternative_with(l->s, SENDSEC_FACTOR_TOTP);
}

/* Asks for the code, when this login would ask an enrolled account, and forgets the answer: a
 * refused login then sees the prompts an enrolled account sees, so they do not tell who exists,
 * who has a token, or who is locked, disabled or refused by network. */
static void ask_anyway(const struct sendsec_login *l, const struct sendsec_request *req)
{
	char *answer = NULL;

	if (prompts_for_code(l, req))
		(void)req->ask(req->ask_arg, CODE_PROMPT, &answer);
	secret_free(answer);
}

/* Splits an appended code of n characters off password: OK with a malloc'd password part in
 * *pw_out (wipe it) and *code_out pointing into password; DENIED when password is too short to
 * hold the code; UNAVAILABLE when the copy cannot be made (out of memory is not a wrong code). */
static enum sendsec_result split_appended(const char *password, size_t n, char **pw_out, const char **code_out)
{
	size_t len = strlen(password);

	if (n == 0 || len <= n)
		return SENDSEC_DENIED;
	*code_out = password + len - n;
	return (*pw_out = secret_strndup(password, len - n)) != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

/* The second factor for an account that has a token: asked through the callback, or taken
 * from the end of the password. Checks the password part too. */
static enum sendsec_result password_and_code(struct sendsec_login *l, const struct sendsec_request *req,
		struct sendsec_outcome *out, enum sendsec_reason *reason)
{
	enum sendsec_result rc;
	bool recovery = false;
	char *answer = NULL, *pw_part = NULL;
	const char *code = NULL;
	unsigned char first_digest[SENDSEC_FAILURE_DIGEST] = {0};
	bool first_has_digest = false;

	if (req->ask != NULL && l->s->otp_mode == SENDSEC_OTP_PROMPT) {
		/* The code is asked for even after a wrong password, so that the prompts do not tell
		 * whether the password was right; the code is then not checked (nor its step used). */
		enum sendsec_result pw = sendsec_factor_password(l, req->password, reason);

		if (pw == SENDSEC_UNAVAILABLE) {
			rc = pw;
			goto out;
		}
		rc = req->ask(req->ask_arg, CODE_PROMPT, &answer);
		/* The code is checked against the time it arrived, not the time the login began. */
		l->now = l->ctx->now(l->ctx->now_arg);
		if (pw != SENDSEC_OK) {
			rc = pw;
			goto out;
		}
		if (rc != SENDSEC_OK || answer == NULL) {
			rc = SENDSEC_DENIED;
			*reason = SENDSEC_REASON_BAD_TOTP;
			goto out;
		}
		rc = sendsec_factor_totp(l, answer, &recovery, reason);
	} else {
		/* Code appended: a recovery code in its printed form "xxxx-xxxx-xxxx-xxxx" (a code,
		 * digits only, can never end that way), else a code of a length the account's tokens
		 * use. When tokens of different lengths make the split ambiguous, each length is tried,
		 * shortest first, until the password part verifies: at most one password check per
		 * distinct code length (sendsec.conf(5), otp_mode). */
		unsigned lengths[3];
		bool is_split = false;
		size_t n = sendsec_recovery_tail(req->password);
		size_t n_lengths = n != 0 ? 1 : sendsec_token_lengths(l, lengths);

		if (n != 0)
			lengths[0] = (unsigned)n;
		if (n_lengths == 0) {
			rc = SENDSEC_UNAVAILABLE;
			*reason = SENDSEC_REASON_UNAVAILABLE;
			goto out;
		}
		/* One hash slot for every split and for a recovery code's check: a password checked is
		 * never followed by a busy answer, which would leave a refused guess uncounted and tell
		 * a right password from a wrong one. */
		if ((n_lengths > 1 || n != 0) && (rc = sendsec_login_slot_take(l, reason)) != SENDSEC_OK)
			goto out;
		rc = SENDSEC_DENIED;
		*reason = SENDSEC_REASON_BAD_TOTP;
		for (size_t i = 0; i < n_lengths && (i == 0 || rc == SENDSEC_DENIED); i++) {
			enum sendsec_result split;

			secret_free(pw_part);
			pw_part = NULL;
			split = split_appended(req->password, lengths[i], &pw_part, &code);
			if (split == SENDSEC_UNAVAILABLE) {
				/* Out of memory is not a wrong code (nor a failure to count). */
				rc = SENDSEC_UNAVAILABLE;
				*reason = SENDSEC_REASON_UNAVAILABLE;
				goto out;
			}
			if (split == SENDSEC_OK)
				rc = sendsec_factor_password(l, pw_part, reason);
			if (split == SENDSEC_OK && i == 0) {
				memcpy(first_digest, l->digest, sizeof(first_digest));
				first_has_digest = l->has_digest;
			}
			is_split |= split == SENDSEC_OK;
		}
		/* Each split checked another candidate, and every later one is a prefix of the first:
		 * the first one's digest stands for them all in the lockout tag (policy.c), so that
		 * a tag seen before means the same candidates, never a new guess beside an old one. */
		if (is_split && n_lengths > 1) {
			memcpy(l->digest, first_digest, sizeof(l->digest));
			l->has_digest = first_has_digest;
		}
		if (!is_split) {
			/* Too short to hold any code: refused, at the cost of a password check. */
			if (sendsec_password_standin(l, req->password, reason) != SENDSEC_OK)
				rc = SENDSEC_UNAVAILABLE;
			goto out;
		}
		if (rc == SENDSEC_OK)
			rc = sendsec_factor_totp(l, code, &recovery, reason);
	}
out:
	out->method = recovery ? "recovery" : "password+totp";
	sendsec_login_slot_give(l);
	sodium_memzero(first_digest, sizeof(first_digest));
	secret_free(answer);
	secret_free(pw_part);
	return rc;
}

/* True when req asks to act as another account than the one it names (SASL authzid). */
static bool wants_delegation(const struct sendsec_request *req)
{
	return req->authzid != NULL && req->authzid[0] != '\0' && strcmp(req->authzid, req->user) != 0;
}

static enum sendsec_result password_path(
		struct sendsec_login *l, const struct sendsec_request *req, struct sendsec_outcome *out)
{
	enum sendsec_reason reason = SENDSEC_REASON_BAD_PASSWORD, slot_reason = SENDSEC_REASON_NONE;
	enum sendsec_result rc;
	bool needs_code;

	out->method = "password";
	if (!any_alternative_with(l->s, SENDSEC_FACTOR_PASSWORD))
		return finish(l, out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	rc = sendsec_login_find(l, NULL);
	if (rc == SENDSEC_UNKNOWN_USER) {
		/* The cost (through the same hash slots) and the prompts of a known account's wrong
		 * password. */
		if (sendsec_password_standin(l, req->password, &slot_reason) != SENDSEC_OK)
			return finish(l, out, SENDSEC_UNAVAILABLE, slot_reason);
		ask_anyway(l, req);
		return finish(l, out, SENDSEC_UNKNOWN_USER, SENDSEC_REASON_UNKNOWN_USER);
	}
	if (rc != SENDSEC_OK)
		return finish(l, out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	reason = sendsec_policy_is_disabled(l)                  ? SENDSEC_REASON_DISABLED
			: !sendsec_policy_account_network_ok(l) ? SENDSEC_REASON_NETWORK
								: SENDSEC_REASON_NONE;
	/* Lockout: the attempt is recorded before the password is checked (policy.c). */
	rc = reason != SENDSEC_REASON_NONE ? SENDSEC_DENIED : sendsec_policy_attempt_begin(l, &reason);
	if (rc != SENDSEC_OK) {
		/* Refused before the password: the cost and the prompts of a check, so that neither
		 * timing nor prompts say anything. */
		if (sendsec_password_standin(l, req->password, &slot_reason) != SENDSEC_OK)
			return finish(l, out, SENDSEC_UNAVAILABLE, slot_reason);
		ask_anyway(l, req);
		return finish(l, out, rc, reason);
	}
	reason = SENDSEC_REASON_BAD_PASSWORD;
	needs_code = any_alternative_with(l->s, SENDSEC_FACTOR_TOTP) &&
			(sendsec_account_has_token(l) || !has_alternative(l->s, SENDSEC_FACTOR_PASSWORD));
	if (needs_code && !sendsec_account_has_token(l)) {
		/* password+totp is the only way in and the account has no token. It is asked for the
		 * code as if it had one, unless totp_unenrolled allow lets its right password in. */
		rc = sendsec_factor_password(l, req->password, &reason);
		if (rc == SENDSEC_DENIED || (rc == SENDSEC_OK && !l->s->totp_unenrolled_allow))
			ask_anyway(l, req);
		if (rc == SENDSEC_OK && !l->s->totp_unenrolled_allow) {
			sendsec_logf(l->log, SENDSEC_LOG_INFO, "account has no TOTP token and totp_unenrolled is deny");
			rc = SENDSEC_DENIED;
			reason = SENDSEC_REASON_BAD_TOTP;
		}
	} else if (needs_code) {
		rc = password_and_code(l, req, out, &reason);
	} else {
		rc = sendsec_factor_password(l, req->password, &reason);
		if (rc == SENDSEC_DENIED)
			ask_anyway(l, req); /* a password-only alternative: only the right password skips it */
	}
	if (rc == SENDSEC_DENIED)
		sendsec_policy_attempt_failed(l, reason);
	else if (rc == SENDSEC_OK)
		sendsec_policy_attempt_succeeded(l);
	else
		sendsec_policy_attempt_abandon(l); /* not decided (busy, unavailable): not a failure */
	if (rc != SENDSEC_OK)
		return finish(l, out, rc, reason);
	if (sendsec_policy_reset_required(l))
		return finish(l, out, SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	if (wants_delegation(req) && (rc = sendsec_delegate_check(l, req->authzid, &reason)) != SENDSEC_OK)
		return finish(l, out, rc, reason);
	return finish(l, out, SENDSEC_OK, SENDSEC_REASON_NONE);
}

static enum sendsec_result apikey_path(
		struct sendsec_login *l, const struct sendsec_request *req, struct sendsec_outcome *out)
{
	enum sendsec_reason reason = SENDSEC_REASON_BAD_PASSWORD;
	enum sendsec_result rc;

	out->method = "apikey";
	rc = sendsec_factor_apikey(l, req->password, out->key_id, &reason);
	/* An authzid equal to the user as typed ("apikey", as some clients fill it) or to the key's
	 * account delegates nothing; any other is refused: a key acts only as its own account. */
	if (rc == SENDSEC_OK && wants_delegation(req) &&
			(sendsec_account_name(l) == NULL || strcmp(req->authzid, sendsec_account_name(l)) != 0)) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "an API key acts only as its own account %s (authzid given)",
				sendsec_account_name(l));
		rc = SENDSEC_DENIED;
		reason = SENDSEC_REASON_NOT_DELEGATE;
	}
	return finish(l, out, rc, reason);
}

enum sendsec_result sendsec_authenticate(
		struct sendsec_ctx *ctx, const struct sendsec_request *req, struct sendsec_outcome *out)
{
	struct sendsec_login l;
	bool is_key_user, looks_like_key;

	memset(out, 0, sizeof(*out));
	if (req->authzid != NULL && req->user != NULL && wants_delegation(req))
		snprintf(out->authz, sizeof(out->authz), "%s", req->authzid); /* for the audit line */
	if (sendsec_login_begin(ctx, req->service, req->user, req->rhost, &l) != SENDSEC_OK)
		return finish(&l, out, SENDSEC_UNAVAILABLE, SENDSEC_REASON_UNAVAILABLE);
	if (req->user == NULL || req->password == NULL || req->password[0] == '\0' || req->user[0] == '\0')
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_BAD_PASSWORD);
	if (!sendsec_policy_service_network_ok(&l))
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	is_key_user = strcmp(req->user, l.s->apikey_username) == 0;
	looks_like_key = has_alternative(l.s, SENDSEC_FACTOR_APIKEY) &&
			sendsec_apikey_looks_like(req->password, l.s->apikey_prefix);
	if (is_key_user || looks_like_key) {
		if (!has_alternative(l.s, SENDSEC_FACTOR_APIKEY))
			return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_SCOPE);
		return apikey_path(&l, req, out);
	}
	return password_path(&l, req, out);
}

enum sendsec_result sendsec_account_check(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *rhost, struct sendsec_outcome *out)
{
	struct sendsec_login l;
	enum sendsec_result rc;

	memset(out, 0, sizeof(*out));
	out->method = "account";
	rc = sendsec_login_find_account(ctx, service, user, rhost, NULL, &l);
	if (rc != SENDSEC_OK)
		return finish(&l, out, rc,
				rc == SENDSEC_UNKNOWN_USER ? SENDSEC_REASON_UNKNOWN_USER : SENDSEC_REASON_UNAVAILABLE);
	if (sendsec_policy_is_disabled(&l))
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_DISABLED);
	if (sendsec_policy_is_admin_locked(&l))
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_LOCKED);
	if (!sendsec_policy_service_network_ok(&l) || !sendsec_policy_account_network_ok(&l))
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_NETWORK);
	if (sendsec_policy_reset_required(&l))
		return finish(&l, out, SENDSEC_CHANGE_REQUIRED, SENDSEC_REASON_RESET_REQUIRED);
	return finish(&l, out, SENDSEC_OK, SENDSEC_REASON_NONE);
}

/* Writes the new password: argon2id hash in local mode, RFC 3062 as the user in bind mode. Sets
 * *reason_out for a result other than OK: in bind mode the directory may refuse the old password
 * (bad_password) or, by its own policy, the new one (password_refused). */
static enum sendsec_result store_password(struct sendsec_login *l, const char *old_password, const char *new_password,
		enum sendsec_reason *reason_out)
{
	char hash[SENDSEC_HASH_MAX], stamp[32];
	struct sendsec_val pw = {hash, 0}, when = {stamp, 0};
	struct sendsec_mod mods[3] = {
			{SENDSEC_MOD_REPLACE, "sendsecPasswordChanged", &when, 1},
			{SENDSEC_MOD_REPLACE, "sendsecResetRequired", NULL, 0},
			{SENDSEC_MOD_REPLACE, "userPassword", &pw, 1},
	};
	size_t n_mods = 3;
	enum sendsec_result rc;

	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	sendsec_time_format_generalized(l->now, stamp, sizeof(stamp));
	when.len = strlen(stamp);
	if (l->s->password_check == SENDSEC_CHECK_BIND && old_password != NULL) {
		enum sendsec_dir_status st =
				sendsec_dir_passwd_modify(l->dir, l->account->dn, old_password, new_password);

		rc = sendsec_decide_bind(st);
		if (rc == SENDSEC_DENIED)
			*reason_out = st == SENDSEC_DIR_REFUSED ? SENDSEC_REASON_PASSWORD_REFUSED
								: SENDSEC_REASON_BAD_PASSWORD;
		if (rc != SENDSEC_OK)
			return rc;
		n_mods = 2;
	} else {
		rc = sendsec_hash_make(
				new_password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib, hash, sizeof(hash));
		if (rc != SENDSEC_OK)
			return rc;
		pw.len = strlen(hash);
	}
	rc = sendsec_decide_data(sendsec_dir_modify(l->dir, l->account->dn, mods, n_mods));
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

enum sendsec_result sendsec_change_password(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *old_password, const char *new_password, struct sendsec_outcome *out)
{
	struct sendsec_login l;
	enum sendsec_reason reason = SENDSEC_REASON_BAD_PASSWORD;
	enum sendsec_result rc;

	memset(out, 0, sizeof(*out));
	out->method = "chauthtok";
	rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l);
	if (rc != SENDSEC_OK)
		return finish(&l, out, rc,
				rc == SENDSEC_UNKNOWN_USER ? SENDSEC_REASON_UNKNOWN_USER : SENDSEC_REASON_UNAVAILABLE);
	if (new_password == NULL || strlen(new_password) < (size_t)l.s->password_min_length) {
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "new password refused: shorter than %d characters",
				l.s->password_min_length);
		return finish(&l, out, SENDSEC_DENIED, SENDSEC_REASON_PASSWORD_TOO_SHORT);
	}
	if (old_password != NULL) {
		/* A person changes their own password only while they may log in: a disabled or
		 * administratively locked account may not (an administrator's change, old_password
		 * NULL, may). Refused at the cost of a check, like a login. */
		reason = sendsec_policy_is_disabled(&l)              ? SENDSEC_REASON_DISABLED
				: sendsec_policy_is_admin_locked(&l) ? SENDSEC_REASON_LOCKED
								     : SENDSEC_REASON_NONE;
		if (reason != SENDSEC_REASON_NONE) {
			enum sendsec_reason slot_reason = SENDSEC_REASON_NONE;

			if (sendsec_password_standin(&l, old_password, &slot_reason) != SENDSEC_OK)
				return finish(&l, out, SENDSEC_UNAVAILABLE, slot_reason);
			return finish(&l, out, SENDSEC_DENIED, reason);
		}
		reason = SENDSEC_REASON_BAD_PASSWORD;
		if ((rc = sendsec_policy_attempt_begin(&l, &reason)) != SENDSEC_OK)
			return finish(&l, out, rc, reason);
		rc = sendsec_factor_password(&l, old_password, &reason);
		if (rc == SENDSEC_DENIED)
			sendsec_policy_attempt_failed(&l, reason);
		else if (rc == SENDSEC_OK)
			sendsec_policy_attempt_succeeded(&l);
		else
			sendsec_policy_attempt_abandon(&l);
		if (rc != SENDSEC_OK)
			return finish(&l, out, rc, reason);
	}
	rc = store_password(&l, old_password, new_password, &reason);
	return finish(&l, out, rc, reason);
}
