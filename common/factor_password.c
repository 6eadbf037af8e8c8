/* factor_password.c — the password factor: verify against the stored userPassword with the
 * hash registry (local mode) or by binding as the account (bind mode); after a successful local
 * check of a weaker hash, store a fresh argon2id hash with one atomic modify (rehash yes). */
#include <sodium.h>
#include <string.h>

#include "hash.h"
#include "login.h"

const char *const sendsec_account_attrs[] = {"*", "pwdAccountLockedTime", "pwdReset", "pwdChangedTime", NULL};

const char *sendsec_account_name(const struct sendsec_login *l)
{
	return sendsec_entry_first(l->account, l->s->user_attr);
}

/* Replaces old (the exact stored value) by a fresh argon2id hash; failures are only logged. */
static void rehash(struct sendsec_login *l, const struct sendsec_val *old, const char *password)
{
	char hash[SENDSEC_HASH_MAX];
	struct sendsec_val fresh = {hash, 0};
	struct sendsec_mod mods[2] = {
			{SENDSEC_MOD_DELETE, "userPassword", old, 1},
			{SENDSEC_MOD_ADD, "userPassword", &fresh, 1},
	};

	if (sendsec_hash_make(password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib, hash, sizeof(hash)) !=
			SENDSEC_OK)
		goto out;
	fresh.len = strlen(hash);
	if (sendsec_dir_modify(l->dir, l->account->dn, mods, 2) == SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: password rehashed to argon2id",
				sendsec_account_name(l));
	else
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not store the rehashed password",
				sendsec_account_name(l));
out:
	sodium_memzero(hash, sizeof(hash));
}

static enum sendsec_result check_local(struct sendsec_login *l, const char *password)
{
	size_t n;
	const struct sendsec_val *stored = sendsec_entry_values(l->account, "userPassword", &n);
	const char *scheme = NULL;
	bool weak = false;
	enum sendsec_result rc;

	if (n == 0) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s has no userPassword (or it is not readable)",
				sendsec_account_name(l));
		sendsec_hash_dummy_verify(password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
		return SENDSEC_DENIED;
	}
	if (n > 1)
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s has %zu userPassword values; using the first",
				sendsec_account_name(l), n);
	rc = sendsec_hash_verify(stored[0].ptr, stored[0].len, password, l->s->argon2_opslimit,
			l->s->argon2_memlimit_kib, &scheme, &weak);
	if (rc == SENDSEC_UNAVAILABLE)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: stored password hash (scheme %s) is malformed or unsupported",
				sendsec_account_name(l), scheme != NULL ? scheme : "unknown");
	if (rc == SENDSEC_OK && weak && l->s->rehash)
		rehash(l, &stored[0], password);
	return rc;
}

enum sendsec_result sendsec_factor_password(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out)
{
	enum sendsec_result rc;

	*reason_out = SENDSEC_REASON_BAD_PASSWORD;
	if (password == NULL || password[0] == '\0')
		return SENDSEC_DENIED;
	if (l->s->password_check == SENDSEC_CHECK_BIND)
		rc = sendsec_decide_bind(sendsec_dir_check_bind(l->dir, l->account->dn, password));
	else
		rc = check_local(l, password);
	if (rc == SENDSEC_UNAVAILABLE)
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED || rc == SENDSEC_UNAVAILABLE ? rc : SENDSEC_UNAVAILABLE;
}
