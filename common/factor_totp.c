/* factor_totp.c — the second factor: a code is checked against every token of the account whose
 * codes have its length (TOTP with totp.c, HOTP with hotp.c); the token that matches is advanced
 * with one modify that deletes the stored oathTOTPLastTimeStep / oathHOTPCounter and adds the new
 * one, so that a code is single-use across all hosts, each token with its own state. A code that
 * is not digits is tried as a recovery code (recovery.c), deleted with one modify on use. Both go
 * through sendsec_swap_decide: a compare-and-swap lost to another login is re-read from the
 * provider that was written to and decided once more (DESIGN.md section 10). */
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

enum sendsec_result sendsec_swap_decide(struct sendsec_login *l, struct sendsec_entry **entry, const char *const *attrs,
		sendsec_swap_fn fn, void *arg, enum sendsec_reason *reason_out)
{
	bool lost = false;
	enum sendsec_result rc = fn(l, arg, &lost, reason_out);

	for (int tries = 1; lost && tries < SENDSEC_SWAP_TRIES; tries++) {
		struct sendsec_entry *fresh = NULL;

		/* Another login wrote first. What it wrote is on the provider this handle wrote to
		 * (a replica or the other provider may not have it yet): pinned, the handle neither
		 * fails over nor returns to an earlier provider before the decision is made. */
		sendsec_dir_pin(l->dir, true);
		if (sendsec_decide_data(sendsec_dir_read(l->dir, (*entry)->dn, attrs, &fresh)) != SENDSEC_OK) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR,
					"%s: cannot read it again after a lost compare-and-swap", (*entry)->dn);
			*reason_out = SENDSEC_REASON_UNAVAILABLE;
			rc = SENDSEC_UNAVAILABLE;
			lost = false;
			break;
		}
		sendsec_entry_free(*entry);
		*entry = fresh;
		lost = false;
		rc = fn(l, arg, &lost, reason_out);
	}
	sendsec_dir_pin(l->dir, false);
	if (lost) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "%s: lost the compare-and-swap %d times; refusing", (*entry)->dn,
				SENDSEC_SWAP_TRIES);
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
		rc = SENDSEC_DENIED;
	}
	return rc;
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

/* Stores value as the token's state; *lost_out when another login stored a value first (the
 * caller, sendsec_swap_decide, reads the token again and decides once more). */
static enum sendsec_result advance(struct sendsec_login *l, const struct sendsec_login_token *tok, uint64_t value,
		bool *lost_out, enum sendsec_reason *reason_out)
{
	enum sendsec_result rc = sendsec_decide_swap(sendsec_token_swap(l->dir, &tok->t, value));

	if (rc == SENDSEC_DENIED) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO,
				"account %s: another login stored a %s code of token %s first; reading it again",
				who(l), kind_upper(tok->t.kind), tok->t.name);
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
		*lost_out = true;
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

	if (sendsec_token_open_secret(l, t, secret, &secret_len) != SENDSEC_OK)
		goto out;
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

/* Points tok's secret and state at its entry again after sendsec_swap_decide replaced the entry
 * with a fresh read (its params and name do not change with a state write). False when the fresh
 * entry is malformed. */
static bool token_refresh(struct sendsec_login_token *tok)
{
	size_t n_secret, n_state;
	const struct sendsec_val *secret = sendsec_entry_values(tok->entry, "oathSecret", &n_secret);
	const struct sendsec_val *state =
			sendsec_entry_values(tok->entry, sendsec_token_state_attr(tok->t.kind), &n_state);

	if (n_secret != 1 || secret[0].len == 0 || n_state > 1 ||
			(n_state == 1 && !sendsec_token_parse_counter(&state[0], &tok->t.state_value)))
		return false;
	tok->t.secret = &secret[0];
	tok->t.state = n_state == 1 ? &state[0] : NULL;
	return true;
}

/* One token being advanced (sendsec_swap_fn's arg): the first decision was taken by check_code. */
struct code_try {
	struct sendsec_login_token *tok;
	const char *code;
	uint64_t value;  /* the state to store, when is_checked */
	bool is_checked; /* value holds the first decision's match; later rounds check again */
};

/* One decision on t's token (sendsec_swap_fn): after a lost race the token was read again, so the
 * code is checked against its new state (a later step stored meanwhile makes it a replay). */
static enum sendsec_result try_token(
		struct sendsec_login *l, void *arg, bool *lost_out, enum sendsec_reason *reason_out)
{
	struct code_try *t = arg;

	if (!t->is_checked) {
		if (!token_refresh(t->tok)) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: token %s read again is malformed", who(l),
					t->tok->t.dn);
			*reason_out = SENDSEC_REASON_UNAVAILABLE;
			return SENDSEC_UNAVAILABLE;
		}
		switch (check_token(l, t->tok, t->code, &t->value)) {
		case CHECK_MATCH: break;
		case CHECK_REPLAYED:
		case CHECK_WRONG: *reason_out = SENDSEC_REASON_TOTP_REPLAYED; return SENDSEC_DENIED;
		case CHECK_FAILED: *reason_out = SENDSEC_REASON_UNAVAILABLE; return SENDSEC_UNAVAILABLE;
		}
	}
	t->is_checked = false; /* a next round (after a lost race) decides on the fresh entry */
	return advance(l, t->tok, t->value, lost_out, reason_out);
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
		struct code_try t = {.tok = &l->tokens[matched], .code = code, .value = value, .is_checked = true};

		snprintf(l->token_used, sizeof(l->token_used), "%s", l->tokens[matched].t.name);
		return sendsec_swap_decide(l, &t.tok->entry, sendsec_token_attrs, try_token, &t, reason_out);
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

/* A recovery code being used: the typed code, and once it matched, a copy of the stored value
 * (so that a decision after a lost race looks for that value without hashing again). */
struct recovery_try {
	const char *norm;
	char matched[SENDSEC_RECOVERY_STORED_MAX + 1];
	size_t matched_len; /* 0: not matched yet */
};

/* The value of l->account's sendsecRecoveryCode equal to the one matched before, or NULL. */
static const struct sendsec_val *find_matched(
		const struct sendsec_login *l, const struct recovery_try *t, size_t *n_out)
{
	const struct sendsec_val *vals = sendsec_entry_values(l->account, "sendsecRecoveryCode", n_out);

	for (size_t i = 0; i < *n_out; i++)
		if (vals[i].len == t->matched_len && memcmp(vals[i].ptr, t->matched, t->matched_len) == 0)
			return &vals[i];
	return NULL;
}

/* Finds the stored value that t's code matches, verifying its hash the first time; after a lost
 * race, only whether the value matched before is still there. OK with *hit_out, DENIED (reason
 * set) or UNAVAILABLE. */
static enum sendsec_result match_recovery(struct sendsec_login *l, struct recovery_try *t,
		const struct sendsec_val **hit_out, size_t *n_out, enum sendsec_reason *reason_out)
{
	const struct sendsec_val *vals = sendsec_entry_values(l->account, "sendsecRecoveryCode", n_out);
	const struct sendsec_val *hit;
	enum sendsec_result rc;

	if (t->matched_len > 0) {
		if ((*hit_out = find_matched(l, t, n_out)) != NULL)
			return SENDSEC_OK;
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: recovery code was used by another login first",
				who(l));
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
		return SENDSEC_DENIED;
	}
	if ((hit = sendsec_recovery_find(vals, *n_out, t->norm)) == NULL) {
		/* Same cost as a real check (a hash slot too): no timing hint about which indexes exist. */
		if ((rc = sendsec_login_dummy_verify(l, t->norm, reason_out)) != SENDSEC_OK)
			return rc;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: no such recovery code", who(l));
		return SENDSEC_DENIED;
	}
	if ((rc = sendsec_login_slot_take(l, reason_out)) != SENDSEC_OK)
		return rc;
	rc = sendsec_recovery_verify(hit, t->norm, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
	sendsec_login_slot_give(l);
	if (rc == SENDSEC_UNAVAILABLE || (rc == SENDSEC_OK && hit->len > SENDSEC_RECOVERY_STORED_MAX)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: a stored sendsecRecoveryCode value is malformed",
				who(l));
		return SENDSEC_UNAVAILABLE;
	}
	if (rc != SENDSEC_OK)
		return rc;
	memcpy(t->matched, hit->ptr, hit->len);
	t->matched_len = hit->len;
	*hit_out = hit;
	return SENDSEC_OK;
}

/* One decision on the recovery codes in l->account (sendsec_swap_fn; arg: struct recovery_try):
 * the matching value is deleted with one modify, which fails when it is gone already. */
static enum sendsec_result check_recovery(
		struct sendsec_login *l, void *arg, bool *lost_out, enum sendsec_reason *reason_out)
{
	const struct sendsec_val *hit = NULL;
	size_t n = 0;
	struct sendsec_mod mod = {SENDSEC_MOD_DELETE, "sendsecRecoveryCode", NULL, 1};
	enum sendsec_result rc = match_recovery(l, arg, &hit, &n, reason_out);

	if (rc != SENDSEC_OK)
		return rc;
	mod.vals = hit;
	rc = sendsec_decide_swap(sendsec_dir_modify(l->dir, l->account->dn, &mod, 1));
	if (rc == SENDSEC_DENIED) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO,
				"account %s: another login deleted this recovery code first; reading it again", who(l));
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
		*lost_out = true;
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
		struct recovery_try t = {.norm = norm};

		*used_recovery_out = true;
		rc = sendsec_swap_decide(l, &l->account, sendsec_account_attrs, check_recovery, &t, reason_out);
		sodium_memzero(&t, sizeof(t));
	}
	sodium_memzero(norm, sizeof(norm));
	if (rc == SENDSEC_UNAVAILABLE && *reason_out != SENDSEC_REASON_BUSY)
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED ? rc : SENDSEC_UNAVAILABLE;
}
