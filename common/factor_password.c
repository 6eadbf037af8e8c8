/* factor_password.c — the password factor: verify against the stored userPassword with the
 * hash registry (local mode) or by binding as the account (bind mode); after a successful local
 * check of a weaker hash, store a fresh argon2id hash with one atomic modify (rehash yes). Its
 * stand-in costs what a check costs without deciding anything, for logins refused before one.
 * Every local hash computation of a login (a check, a stand-in, recovery codes) runs under one of
 * the host's hash slots (slots.h), taken here. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "login.h"
#include "slots.h"

const char *const sendsec_account_attrs[] = {
		"*", "pwdAccountLockedTime", "pwdReset", "pwdChangedTime", "pwdPolicySubentry", NULL};

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

enum sendsec_result sendsec_login_slot_take(struct sendsec_login *l, enum sendsec_reason *reason_out)
{
	unsigned n = sendsec_hash_slots_limit(l->s->hash_concurrency);
	char err[256];

	if (n == 0 || l->holds_slot)
		return SENDSEC_OK;
	if (l->hash_slots == NULL) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "no hash slots: %s",
				l->hash_slots_error != NULL ? l->hash_slots_error : "not opened");
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
		return SENDSEC_UNAVAILABLE;
	}
	switch (sendsec_hash_slots_take(
			l->hash_slots, n, (unsigned)l->s->timeout * 1000u, &l->slot, err, sizeof(err))) {
	case SENDSEC_SLOT_TAKEN: l->holds_slot = true; return SENDSEC_OK;
	case SENDSEC_SLOT_BUSY:
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "all %u hash slots stayed taken for %d s (hash_concurrency)", n,
				l->s->timeout);
		*reason_out = SENDSEC_REASON_BUSY;
		return SENDSEC_UNAVAILABLE;
	case SENDSEC_SLOT_FAILED: break;
	}
	sendsec_logf(l->log, SENDSEC_LOG_ERROR, "%s", err);
	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	return SENDSEC_UNAVAILABLE;
}

void sendsec_login_slot_give(struct sendsec_login *l)
{
	if (!l->holds_slot)
		return;
	sendsec_hash_slots_give(l->hash_slots, l->slot);
	l->holds_slot = false;
}

enum sendsec_result sendsec_login_dummy_verify(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out)
{
	bool was_held = l->holds_slot;
	enum sendsec_result rc = sendsec_login_slot_take(l, reason_out);

	if (rc != SENDSEC_OK)
		return rc;
	sendsec_hash_dummy_verify(password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
	if (!was_held)
		sendsec_login_slot_give(l);
	return SENDSEC_OK;
}

/* Verifies password against the stored hash under a hash slot; a wrong password leaves the
 * digest of what was computed in l (for the lockout tag). UNAVAILABLE sets *reason_out. */
static enum sendsec_result check_local(struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out)
{
	size_t n;
	const struct sendsec_val *stored = sendsec_entry_values(l->account, "userPassword", &n);
	const char *scheme = NULL;
	struct sendsec_hash_digest digest;
	bool weak = false, was_held = l->holds_slot; /* held by the caller: it gives it back */
	enum sendsec_result rc;

	if (n == 0) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s has no userPassword (or it is not readable)",
				sendsec_account_name(l));
		rc = sendsec_login_dummy_verify(l, password, reason_out);
		return rc == SENDSEC_OK ? SENDSEC_DENIED : rc;
	}
	if (n > 1)
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s has %zu userPassword values; using the first",
				sendsec_account_name(l), n);
	if ((rc = sendsec_login_slot_take(l, reason_out)) != SENDSEC_OK)
		return rc;
	rc = sendsec_hash_verify_digest(stored[0].ptr, stored[0].len, password, l->s->argon2_opslimit,
			l->s->argon2_memlimit_kib, &scheme, &weak, &digest);
	if (rc == SENDSEC_UNAVAILABLE) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: stored password hash (scheme %s) is malformed or unsupported",
				sendsec_account_name(l), scheme != NULL ? scheme : "unknown");
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
	}
	l->has_digest = rc == SENDSEC_DENIED && digest.is_set;
	if (l->has_digest)
		memcpy(l->digest, digest.bytes, sizeof(l->digest));
	if (rc == SENDSEC_OK && weak && l->s->rehash)
		rehash(l, &stored[0], password);
	if (!was_held)
		sendsec_login_slot_give(l);
	sodium_memzero(&digest, sizeof(digest));
	return rc;
}

struct dummy_job {
	const char *password;
	unsigned long long opslimit;
	size_t memlimit_kib;
};

static void *dummy_main(void *arg)
{
	const struct dummy_job *job = arg;

	sendsec_hash_dummy_verify(job->password, job->opslimit, job->memlimit_kib);
	return NULL;
}

/* Bind mode: binds as dn while one dummy verification at the configured cost runs beside it, so
 * that every check takes max(bind, one verification). slapd answers a bind to a DN it does not
 * hold without hashing anything, so a bind alone would tell which names exist; the dummy beside
 * it covers the server's hash check as long as one verification here takes longer than a bind
 * (sendsec.conf(5), password_check). Without a thread the two run one after the other. */
static enum sendsec_dir_status bind_beside_dummy(struct sendsec_login *l, const char *dn, const char *password)
{
	struct dummy_job job = {password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib};
	pthread_t thread;
	bool beside = pthread_create(&thread, NULL, dummy_main, &job) == 0;
	enum sendsec_dir_status st = sendsec_dir_check_bind(l->dir, dn, password);

	if (beside)
		pthread_join(thread, NULL);
	else
		dummy_main(&job);
	return st;
}

enum sendsec_result sendsec_password_standin(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out)
{
	unsigned char r[16];
	char hex[2 * sizeof(r) + 1], *dn = NULL;
	bool was_held = l->holds_slot; /* held by the caller: it gives it back */
	enum sendsec_result rc;
	int n;

	if (password == NULL || password[0] == '\0')
		return SENDSEC_OK; /* sendsec_factor_password refuses these before any work too */
	if ((rc = sendsec_login_slot_take(l, reason_out)) != SENDSEC_OK)
		return rc;
	if (l->s->password_check != SENDSEC_CHECK_BIND) {
		sendsec_hash_dummy_verify(password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
		goto out;
	}
	/* The same bind on the same kind of connection, to a DN that cannot exist (128 random bits). */
	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	n = snprintf(NULL, 0, "cn=sendsec-standin-%s,%s", hex, l->s->base);
	if (n > 0 && (dn = malloc((size_t)n + 1)) != NULL &&
			snprintf(dn, (size_t)n + 1, "cn=sendsec-standin-%s,%s", hex, l->s->base) == n)
		(void)bind_beside_dummy(l, dn, password);
	else
		sendsec_hash_dummy_verify(password, l->s->argon2_opslimit, l->s->argon2_memlimit_kib);
	free(dn);
out:
	if (!was_held)
		sendsec_login_slot_give(l);
	return SENDSEC_OK;
}

enum sendsec_result sendsec_factor_password(
		struct sendsec_login *l, const char *password, enum sendsec_reason *reason_out)
{
	enum sendsec_result rc;

	*reason_out = SENDSEC_REASON_BAD_PASSWORD;
	if (password == NULL || password[0] == '\0')
		return SENDSEC_DENIED;
	if (l->s->password_check == SENDSEC_CHECK_BIND) {
		/* The bind runs beside a dummy verification here: that takes a slot too. */
		bool was_held = l->holds_slot;

		if ((rc = sendsec_login_slot_take(l, reason_out)) != SENDSEC_OK)
			return rc;
		rc = sendsec_decide_bind(bind_beside_dummy(l, l->account->dn, password));
		if (!was_held)
			sendsec_login_slot_give(l);
		if (rc == SENDSEC_UNAVAILABLE)
			*reason_out = SENDSEC_REASON_UNAVAILABLE;
	} else {
		rc = check_local(l, password, reason_out);
	}
	return rc == SENDSEC_OK || rc == SENDSEC_DENIED || rc == SENDSEC_UNAVAILABLE ? rc : SENDSEC_UNAVAILABLE;
}
