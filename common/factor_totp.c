/* factor_totp.c — the TOTP factor: reads the account's OATH-LDAP token and its params once per
 * login, verifies a code (totp.c) and advances oathTOTPLastTimeStep with one modify that deletes
 * the old value and adds the new one, so that a code is single-use across all hosts. A code that
 * is not a TOTP code is tried as a recovery code (recovery.c), deleted with one modify on use. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "login.h"
#include "recovery.h"

static const char *const token_attrs[] = {"oathSecret", "oathTOTPParams", "oathTOTPLastTimeStep", NULL};
static const char *const params_attrs[] = {
		"oathOTPLength", "oathHMACAlgorithm", "oathTOTPTimeStepPeriod", "oathTOTPTimeStepWindow", NULL};

/* Parses a decimal INTEGER value without sign into *out; false if malformed. */
static bool parse_u64(const struct sendsec_val *v, uint64_t *out)
{
	uint64_t n = 0;

	if (v->len == 0 || v->len > 20)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->ptr[i] - '0');

		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

/* Reads attr as an unsigned integer if present (*out unchanged when absent); false if malformed. */
static bool read_uint(const struct sendsec_entry *e, const char *attr, unsigned max, unsigned *out)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, attr, &n);
	uint64_t x;

	if (n == 0)
		return true;
	if (n != 1 || !parse_u64(&v[0], &x) || x > max)
		return false;
	*out = (unsigned)x;
	return true;
}

bool sendsec_totp_params_from_entry(const struct sendsec_entry *params, struct sendsec_totp_params *out)
{
	const char *oid;

	sendsec_totp_params_default(out);
	if (params == NULL)
		return true;
	if ((oid = sendsec_entry_first(params, "oathHMACAlgorithm")) != NULL &&
			!sendsec_totp_alg_from_oid(oid, &out->alg))
		return false;
	if (!read_uint(params, "oathOTPLength", 8, &out->digits) ||
			!read_uint(params, "oathTOTPTimeStepPeriod", 3600, &out->period) ||
			!read_uint(params, "oathTOTPTimeStepWindow", 10, &out->window))
		return false;
	return out->digits >= 6 && out->period >= 1;
}

static const char *who(const struct sendsec_login *l)
{
	const char *name = sendsec_account_name(l);

	return name != NULL ? name : l->user;
}

/* Reads the token and its params into the login, once. OK or UNAVAILABLE (logged). */
static enum sendsec_result load_token(struct sendsec_login *l)
{
	struct sendsec_entry *params = NULL;
	const char *token_dn, *params_dn;
	enum sendsec_dir_status st;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	if (l->token_read)
		return l->token_rc;
	l->token_read = true;
	if ((token_dn = sendsec_entry_first(l->account, "oathTOTPToken")) == NULL)
		goto out;
	st = sendsec_dir_read(l->dir, token_dn, token_attrs, &l->token);
	if (st == SENDSEC_DIR_NO_ENTRY)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: its TOTP token %s does not exist (or is not readable)", who(l), token_dn);
	if (sendsec_decide_data(st) != SENDSEC_OK)
		goto out;
	if ((params_dn = sendsec_entry_first(l->token, "oathTOTPParams")) != NULL) {
		st = sendsec_dir_read(l->dir, params_dn, params_attrs, &params);
		if (st == SENDSEC_DIR_NO_ENTRY)
			sendsec_logf(l->log, SENDSEC_LOG_ERROR,
					"account %s: TOTP params entry %s does not exist (or is not readable)", who(l),
					params_dn);
		if (sendsec_decide_data(st) != SENDSEC_OK)
			goto out;
	}
	if (!sendsec_totp_params_from_entry(params, &l->totp)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: TOTP params %s have an unknown oathHMACAlgorithm or a value out of range",
				who(l), params_dn != NULL ? params_dn : "(defaults)");
		goto out;
	}
	rc = SENDSEC_OK;
out:
	sendsec_entry_free(params);
	if (rc != SENDSEC_OK) {
		sendsec_entry_free(l->token);
		l->token = NULL;
	}
	l->token_rc = rc;
	return rc;
}

bool sendsec_account_has_token(const struct sendsec_login *l)
{
	return sendsec_entry_first(l->account, "oathTOTPToken") != NULL;
}

unsigned sendsec_token_digits(struct sendsec_login *l)
{
	return load_token(l) == SENDSEC_OK ? l->totp.digits : 0;
}

static bool is_digits(const char *code, unsigned n)
{
	if (strnlen(code, n + 1) != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

/* Stores step as the last used one: delete old + add new in one modify (old NULL: add only;
 * the attribute is SINGLE-VALUE, so of two concurrent adds exactly one succeeds). */
static enum sendsec_result advance(
		struct sendsec_login *l, const struct sendsec_val *old, uint64_t step, enum sendsec_reason *reason_out)
{
	char buf[24];
	struct sendsec_val fresh = {buf, 0};
	struct sendsec_mod mods[2];
	size_t n_mods = 0;
	enum sendsec_result rc;

	snprintf(buf, sizeof(buf), "%" PRIu64, step);
	fresh.len = strlen(buf);
	if (old != NULL)
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "oathTOTPLastTimeStep", old, 1};
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "oathTOTPLastTimeStep", &fresh, 1};
	/* Without an old value, the loser of a race gets "type or value exists" (same step) or a
	 * single-value constraint violation (another step); dir.c reports both as CONFLICT. */
	rc = sendsec_decide_swap(sendsec_dir_modify(l->dir, l->token->dn, mods, n_mods));
	if (rc == SENDSEC_DENIED) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO,
				"account %s: another login stored this or a later TOTP step first", who(l));
		*reason_out = SENDSEC_REASON_TOTP_REPLAYED;
	}
	return rc;
}

static enum sendsec_result check_totp(struct sendsec_login *l, const char *code, enum sendsec_reason *reason_out)
{
	unsigned char secret[SENDSEC_TOTP_SECRET_MAX];
	size_t secret_len = 0, n_secret, n_last;
	const struct sendsec_val *stored = sendsec_entry_values(l->token, "oathSecret", &n_secret);
	const struct sendsec_val *last = sendsec_entry_values(l->token, "oathTOTPLastTimeStep", &n_last);
	uint64_t last_step = 0, step = 0;
	bool is_replayed = false;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	if (n_secret != 1) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: TOTP token %s has no oathSecret (or it is not readable)", who(l),
				l->token->dn);
		goto out;
	}
	if (n_last > 1 || (n_last == 1 && !parse_u64(&last[0], &last_step))) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: TOTP token %s has a malformed oathTOTPLastTimeStep", who(l), l->token->dn);
		goto out;
	}
	if (sendsec_totp_unseal(l->s->has_totp_key ? l->s->totp_key : NULL, true, stored[0].ptr, stored[0].len, secret,
			    &secret_len) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: cannot read the secret of TOTP token %s (sealed but no or another "
				"totp_key_file, or malformed)",
				who(l), l->token->dn);
		goto out;
	}
	rc = sendsec_totp_verify(
			secret, secret_len, &l->totp, l->now, n_last == 1, last_step, code, &step, &is_replayed);
	sodium_memzero(secret, sizeof(secret));
	if (rc == SENDSEC_DENIED) {
		*reason_out = is_replayed ? SENDSEC_REASON_TOTP_REPLAYED : SENDSEC_REASON_BAD_TOTP;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: TOTP code %s", who(l),
				is_replayed ? "was already used" : "does not match");
		goto out;
	}
	if (rc != SENDSEC_OK)
		goto out;
	rc = advance(l, n_last == 1 ? &last[0] : NULL, step, reason_out);
out:
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

static enum sendsec_result check_recovery(struct sendsec_login *l, const char *norm, enum sendsec_reason *reason_out)
{
	size_t n;
	const struct sendsec_val *vals = sendsec_entry_values(l->account, "sendsecRecoveryCode", &n);
	const struct sendsec_val *hit = sendsec_recovery_find(vals, n, norm);
	struct sendsec_mod mod = {SENDSEC_MOD_DELETE, "sendsecRecoveryCode", hit, 1};
	enum sendsec_result rc;

	if (hit == NULL) {
		/* Same cost as a real check (a hash slot too): no timing hint about which indexes exist. */
		if ((rc = sendsec_login_dummy_verify(l, norm, reason_out)) != SENDSEC_OK)
			return rc;
		sendsec_logf(l->log, SENDSEC_LOG_DEBUG, "account %s: no such recovery code", who(l));
		return SENDSEC_DENIED;
	}
	if ((rc = sendsec_login_slot_take(l, reason_out)) != SENDSEC_OK)
		return rc;
	rc = sendsec_recovery_verify(hit, norm, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
	sendsec_login_slot_give(l);
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
	enum sendsec_result rc = SENDSEC_DENIED;

	*used_recovery_out = false;
	*reason_out = SENDSEC_REASON_BAD_TOTP;
	if (load_token(l) != SENDSEC_OK) {
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
		return SENDSEC_UNAVAILABLE;
	}
	if (code == NULL)
		return SENDSEC_DENIED;
	if (is_digits(code, l->totp.digits)) {
		rc = check_totp(l, code, reason_out);
	} else if (sendsec_recovery_normalize(code, norm)) {
		*used_recovery_out = true;
		rc = check_recovery(l, norm, reason_out);
	}
	sodium_memzero(norm, sizeof(norm));
	if (rc == SENDSEC_UNAVAILABLE && *reason_out != SENDSEC_REASON_BUSY)
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED ? rc : SENDSEC_UNAVAILABLE;
}
