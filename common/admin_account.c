/* admin_account.c — the account operations of admin.h: force a password reset (one account, or
 * every account whose password is older than a date), clear the lockout record, and report an
 * account's state. All writes go through the service account; nothing is printed here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "login.h"
#include "timeutil.h"

#define FILTER_MAX 4096

static const struct sendsec_val true_val = {"TRUE", 4};
static const struct sendsec_val account_class = {"sendsecAccount", 14};

/* Builds the filter matching every account: user_filter with each "%u" replaced by an unescaped
 * '*' and "%%" by '%' (the grammar of sendsec_filter_expand). False when the template is bad or
 * out is too small. Kept here so that escape.c never has a path that skips escaping. */
static bool any_user_filter(const char *template_, char *out, size_t outlen)
{
	size_t n = 0;

	for (const char *p = template_; *p != '\0'; p++) {
		char c = *p;

		if (c == '%') {
			p++;
			if (*p == 'u')
				c = '*';
			else if (*p != '%')
				return false;
		}
		if (n + 1 >= outlen)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0;
}

/* Sets sendsecResetRequired TRUE on e, adding the sendsecAccount class when the entry lacks it. */
static enum sendsec_result mark_reset(struct sendsec_dir *dir, const struct sendsec_entry *e)
{
	struct sendsec_mod mods[2];
	size_t n = 0;

	if (!sendsec_entry_has_class(e, "sendsecAccount"))
		mods[n++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &account_class, 1};
	mods[n++] = (struct sendsec_mod){SENDSEC_MOD_REPLACE, "sendsecResetRequired", &true_val, 1};
	/* A conflict cannot come from a replace (only from the class, added meanwhile): a failure. */
	return sendsec_decide_data(sendsec_dir_modify(dir, e->dn, mods, n));
}

/* The time the password was last changed (sendsecPasswordChanged, else pwdChangedTime); false
 * when neither is present or readable. */
static bool password_changed(const struct sendsec_entry *e, time_t *out)
{
	const char *t = sendsec_entry_first(e, "sendsecPasswordChanged");

	if (t == NULL)
		t = sendsec_entry_first(e, "pwdChangedTime");
	return t != NULL && sendsec_time_parse_generalized(t, strlen(t), out);
}

enum sendsec_result sendsec_admin_reset(struct sendsec_ctx *ctx, const char *service, const char *user)
{
	struct sendsec_login l;
	enum sendsec_result rc;

	if ((rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	rc = mark_reset(l.dir, l.account);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: password reset required", user);
out:
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_reset_all_before(
		struct sendsec_ctx *ctx, const char *service, time_t before, size_t *n_out)
{
	static const char *const attrs[] = {
			"objectClass", "sendsecPasswordChanged", "pwdChangedTime", "sendsecResetRequired", NULL};
	struct sendsec_login l;
	struct sendsec_entry **entries = NULL;
	size_t n = 0;
	char filter[FILTER_MAX];
	time_t changed;
	enum sendsec_result rc;

	*n_out = 0;
	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	if (!any_user_filter(l.s->user_filter, filter, sizeof(filter))) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "cannot build a filter for all accounts from user_filter");
		goto out;
	}
	if (sendsec_dir_search_all(l.dir, l.s->base, filter, attrs, &entries, &n) != SENDSEC_DIR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (password_changed(entries[i], &changed) && changed >= before)
			continue;
		if (sendsec_entry_is_true(entries[i], "sendsecResetRequired"))
			continue; /* already marked: nothing to change */
		if (mark_reset(l.dir, entries[i]) != SENDSEC_OK) {
			sendsec_logf(l.log, SENDSEC_LOG_ERROR, "%s: could not set sendsecResetRequired",
					entries[i]->dn);
			goto out;
		}
		(*n_out)++;
	}
	rc = SENDSEC_OK;
out:
	sendsec_entries_free(entries, n);
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_unlock(struct sendsec_ctx *ctx, const char *service, const char *user)
{
	static const char *const record[] = {"sendsecFailure", "sendsecFailureTime"};
	struct sendsec_mod locked = {SENDSEC_MOD_DELETE, "pwdAccountLockedTime", NULL, 0};
	struct sendsec_mod dels[2];
	struct sendsec_login l;
	size_t n = 0, n_dels = 0;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	if ((rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	for (size_t i = 0; i < 2; i++)
		if (sendsec_entry_values(l.account, record[i], &n) != NULL && n > 0)
			dels[n_dels++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, record[i], NULL, 0};
	if (n_dels > 0) {
		st = sendsec_dir_modify(l.dir, l.account->dn, dels, n_dels);
		/* A conflict: another host removed (part of) it first; delete what is left. */
		for (size_t i = 0; st == SENDSEC_DIR_CONFLICT && i < n_dels; i++) {
			st = sendsec_dir_modify(l.dir, l.account->dn, &dels[i], 1);
			st = st == SENDSEC_DIR_CONFLICT && i + 1 < n_dels ? SENDSEC_DIR_CONFLICT : st;
		}
		rc = st == SENDSEC_DIR_CONFLICT ? SENDSEC_OK : sendsec_decide_data(st);
		if (rc != SENDSEC_OK)
			goto out;
	}
	/* ppolicy's lock: operational, usually writable only by the rootdn; best effort. */
	if (sendsec_entry_first(l.account, "pwdAccountLockedTime") != NULL &&
			sendsec_dir_modify(l.dir, l.account->dn, &locked, 1) != SENDSEC_DIR_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: pwdAccountLockedTime left in place (ppolicy)", user);
	sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: unlocked", user);
out:
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_status(
		struct sendsec_ctx *ctx, const char *service, const char *user, struct sendsec_status *out)
{
	struct sendsec_login l;
	const char *name;
	size_t n, k;
	time_t until;
	enum sendsec_ppolicy_lock lock;
	enum sendsec_result rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	snprintf(out->dn, sizeof(out->dn), "%s", l.account->dn);
	name = sendsec_account_name(&l);
	snprintf(out->account, sizeof(out->account), "%s", name != NULL ? name : "");
	out->disabled = sendsec_policy_is_disabled(&l);
	out->reset_required = sendsec_policy_reset_required(&l);
	out->has_token = sendsec_account_has_token(&l);
	n = sendsec_policy_sources(
			&l, out->sources, SENDSEC_STATUS_SOURCES, &out->locked, &out->locked_until, &out->n_unknown);
	out->n_sources = n;
	if (n > 0)
		out->last_failure = out->sources[0].last; /* latest first */
	for (size_t i = 0; i < 2; i++) {
		sendsec_entry_values(l.account, i == 0 ? "sendsecFailure" : "sendsecFailureTime", &k);
		out->n_failures += k;
	}
	/* ppolicy's lock, unless its policy's duration has passed (whatever password_check says:
	 * slapd's bind decides by the same rule). */
	lock = sendsec_policy_ppolicy_lock(&l, &until);
	if (lock == SENDSEC_PPOLICY_HELD && until != 0) {
		if (!out->locked || (out->locked_until != 0 && out->locked_until < until))
			out->locked_until = until;
		out->locked = true;
	} else if (lock != SENDSEC_PPOLICY_OPEN) {
		out->locked = true; /* until unlocked, or unknown */
		out->locked_until = 0;
	}
	sendsec_entry_values(l.account, "sendsecKeyId", &out->n_keys);
	sendsec_entry_values(l.account, "sendsecRecoveryCode", &out->n_recovery_codes);
	if (!password_changed(l.account, &out->password_changed))
		out->password_changed = 0;
out:
	sendsec_login_end(&l);
	return rc;
}
