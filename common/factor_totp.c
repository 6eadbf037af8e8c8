/* factor_totp.c — the second factor: a code is checked against every token of the account whose
 * codes have its length (TOTP with totp.c, HOTP with hotp.c); the token that matches is advanced
 * with one modify that deletes the stored oathTOTPLastTimeStep / oathHOTPCounter and adds the new
 * one, so that a code is single-use across all hosts, each token with its own state. A code that
 * is not digits is tried as a recovery code (recovery.c), deleted with one modify on use. */
#include <inttypes.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "login.h"
#include "recovery.h"

static const char *who(const struct sendsec_login *l)
{
	const char *name = sendsec_account_name(l);

	return name != NULL ? name : l->user;
}

/* "TOTP" or "HOTP", for log lines. */
static const char *kind_upper(enum sendsec_token_kind kind)
{
	return kind == SENDSEC_TOKEN_HOTP ? "HOTP" : "TOTP";
}

static bool is_digits(const char *code, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return n > 0;
}

enum sendsec_dir_status sendsec_token_swap(struct sendsec_dir *dir, const struct sendsec_token *t, uint64_t value)
{
	char buf[24];
	struct sendsec_val fresh = {buf, 0};
	const char *attr = sendsec_token_state_attr(t->kind);
	struct sendsec_mod mods[2];
	size_t n_mods = 0;

	if (attr == NULL)
		return SENDSEC_DIR_FAILED;
	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	fresh.len = strlen(buf);
	if (t->state != NULL)
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, attr, t->state, 1};
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, attr, &fresh, 1};
	/* Without an old value, the loser of a race gets "type or value exists" (same value) or a
	 * single-value constraint violation (another value); dir.c reports both as CONFLICT. */
	return sendsec_dir_modify(dir, t->dn, mods, n_mods);
}

/* Stores value as the token's state. A lost swap is final here (reason totp_replayed): DESIGN.md
 * section 10's re-read of the token and second decision belong at this point. */
static enum sendsec_result advance(struct sendsec_login *l, const struct sendsec_login_token *tok, uint64_t value,
		enum sendsec_reason *reason_out)
{
	enum sendsec_result rc = sendsec_decide_swap(sendsec_token_swap(l->dir, &tok->t, value));

	if (rc == SENDSEC_DENIED) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO,
				"account %s: another login stored this or a later %s code of token %s first", who(l),
				kind_upper(tok->t.kind), tok->t.name);
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
	}
	return rc;
}

enum check { CHECK_MATCH, CHECK_REPLAYED, CHECK_WRONG, CHECK_FAILED };

/* Checks code against one token; on CHECK_MATCH *value_out is the state to store. */
static enum check check_token(
		struct sendsec_login *l, const struct sendsec_login_token *tok, const char *code, uint64_t *value_out)
{
	const struct sendsec_token *t = &tok->t;
	unsigned char secret[SENDSEC_TOTP_SECRET_MAX];
	size_t secret_len = 0;
	bool is_replayed = false, has_state = t->state != NULL;
	enum sendsec_result rc;
	enum check verdict = CHECK_FAILED;

	if (l->s->has_totp_key && !sendsec_totp_is_sealed(t->secret->ptr, t->secret->len)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: token %s has a plain oathSecret but totp_key_file is set: refused "
				"(seal it with sendsecctl totp seal)",
				who(l), t->dn);
		goto out;
	}
	if (sendsec_totp_unseal(l->s->has_totp_key ? l->s->totp_key : NULL, !l->s->has_totp_key, t->secret->ptr,
			    t->secret->len, secret, &secret_len) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: cannot read the secret of token %s (sealed but no or another "
				"totp_key_file, or malformed)",
				who(l), t->dn);
		goto out;
	}
	if (t->kind == SENDSEC_TOKEN_HOTP)
		rc = sendsec_hotp_verify(
				secret, secret_len, &t->hotp, has_state, t->state_value, code, value_out, &is_replayed);
	else
		rc = sendsec_totp_verify(secret, secret_len, &t->totp, l->now, has_state, t->state_value, code,
				value_out, &is_replayed);
	if (rc == SENDSEC_OK)
		verdict = CHECK_MATCH;
	else if (rc == SENDSEC_DENIED)
		verdict = is_replayed ? CHECK_REPLAYED : CHECK_WRONG;
	else
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: checking a code of token %s failed", who(l),
				t->dn);
out:
	sodium_memzero(secret, sizeof(secret));
	return verdict;
}

/* A code of digits: every token of its length is checked; the first that matches is advanced. */
static enum sendsec_result check_code(struct sendsec_login *l, const char *code, enum sendsec_reason *reason_out)
{
	size_t len = strlen(code), matched = SIZE_MAX, replayed = SIZE_MAX, n_checked = 0;
	uint64_t value = 0;

	for (size_t i = 0; i < l->n_tokens; i++) {
		uint64_t v = 0;

		if (l->tokens[i].t.digits != len)
			continue;
		n_checked++;
		switch (check_token(l, &l->tokens[i], code, &v)) {
		case CHECK_MATCH:
			if (matched == SIZE_MAX) {
				matched = i;
				value = v;
			}
			break;
		case CHECK_REPLAYED:
			if (replayed == SIZE_MAX)
				replayed = i;
			break;
		case CHECK_WRONG: break;
		case CHECK_FAILED: *reason_out = SENDSEC_REASON_UNAVAILABLE; return SENDSEC_UNAVAILABLE;
		}
	}
	if (matched != SIZE_MAX) {
		snprintf(l->token_used, sizeof(l->token_used), "%s", l->tokens[matched].t.name);
		return advance(l, &l->tokens[matched], value, reason_out);
	}
	if (replayed != SIZE_MAX) {
		snprintf(l->token_used, sizeof(l->token_used), "%s", l->tokens[replayed].t.name);
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: %s code was already used (token %s)", who(l),
				kind_upper(l->tokens[replayed].t.kind), l->tokens[replayed].t.name);
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
		return SENDSEC_DENIED;
	}
	sendsec_logf(l->log, SENDSEC_LOG_DEBUG,
			"account %s: the %zu-digit code does not match its %zu token(s) of that length", who(l), len,
			n_checked);
	return SENDSEC_DENIED;
}

static enum sendsec_result check_recovery(struct sendsec_login *l, const char *norm, enum sendsec_reason *reason_out)
{
	size_t n;
	const struct sendsec_val *vals = sendsec_entry_values(l->account, "sendsecRecoveryCode", &n);
	const struct sendsec_val *hit = sendsec_recovery_find(vals, n, norm);
	struct sendsec_mod mod = {SENDSEC_MOD_DELETE, "sendsecRecoveryCode", hit, 1};
	enum sendsec_result rc;

	if (hit == NULL) {
		/* Same cost as a real check: no timing hint about which indexes exist. */
		sendsec_hash_dummy_verify(norm, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: no such recovery code", who(l));
		return SENDSEC_DENIED;
	}
	rc = sendsec_recovery_verify(hit, norm, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
	if (rc == SENDSEC_UNAVAILABLE)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: a stored sendsecRecoveryCode value is malformed",
				who(l));
	if (rc != SENDSEC_OK)
		return rc;
	rc = sendsec_decide_swap(sendsec_dir_modify(l->dir, l->account->dn, &mod, 1));
	if (rc == SENDSEC_DENIED) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: recovery code was used by another login first",
				who(l));
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
	}
	if (rc != SENDSEC_OK)
		return rc;
	sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: recovery code used, %zu left", who(l), n - 1);
	return SENDSEC_OK;
}

enum sendsec_result sendsec_factor_totp(
		struct sendsec_login *l, const char *code, bool *used_recovery_out, enum sendsec_reason *reason_out)
{
	char norm[SENDSEC_RECOVERY_NORM_LEN + 1];
	size_t len;
	enum sendsec_result rc = SENDSEC_DENIED;

	*used_recovery_out = false;
	*reason_out = SENDSEC_REASON_BAD_TOTP;
	if (sendsec_login_tokens(l) != SENDSEC_OK) {
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
		return SENDSEC_UNAVAILABLE;
	}
	if (code == NULL)
		return SENDSEC_DENIED;
	len = strnlen(code, 9);
	if (len >= 6 && len <= 8 && is_digits(code, len)) {
		rc = check_code(l, code, reason_out);
	} else if (sendsec_recovery_normalize(code, norm)) {
		*used_recovery_out = true;
		rc = check_recovery(l, norm, reason_out);
	}
	sodium_memzero(norm, sizeof(norm));
	if (rc == SENDSEC_UNAVAILABLE)
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED ? rc : SENDSEC_UNAVAILABLE;
}
