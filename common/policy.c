/* policy.c — account policy read from the account entry: networks (service, account), the
 * lockout record shared by all hosts (sendsecFailureTime values, ppolicy's pwdAccountLockedTime),
 * disabled flag and forced password reset. Writes only the failure record. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"
#include "timeutil.h"

bool sendsec_policy_service_network_ok(const struct sendsec_login *l)
{
	if (l->s->allow_networks.n == 0)
		return true;
	return l->has_addr && sendsec_cidr_list_match(&l->s->allow_networks, l->addr);
}

bool sendsec_policy_account_network_ok(const struct sendsec_login *l)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(l->account, "sendsecAllowedNetwork", &n);
	struct sendsec_cidr_list list = {NULL, 0};
	char err[128];
	bool ok = true;

	if (n == 0)
		return true;
	for (size_t i = 0; i < n && ok; i++) {
		if (sendsec_cidr_list_add(&list, v[i].ptr, err, sizeof(err)) != SENDSEC_OK) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: bad sendsecAllowedNetwork: %s",
					sendsec_account_name(l), err);
			ok = false; /* fail closed on a value we cannot read */
		}
	}
	ok = ok && l->has_addr && sendsec_cidr_list_match(&list, l->addr);
	sendsec_cidr_list_clear(&list);
	return ok;
}

bool sendsec_policy_is_disabled(const struct sendsec_login *l)
{
	return sendsec_entry_is_true(l->account, "sendsecDisabled");
}

static int cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

bool sendsec_policy_is_admin_locked(const struct sendsec_login *l)
{
	const char *when = sendsec_entry_first(l->account, "pwdAccountLockedTime");

	/* ppolicy (draft-behera-ldap-password-policy): "000001010000Z" means locked by an
	 * administrator until unlocked; any other value is the time of a lockout after failed binds. */
	return when != NULL && strcmp(when, "000001010000Z") == 0;
}

bool sendsec_policy_is_locked(const struct sendsec_login *l)
{
	size_t n, k = 0;
	const struct sendsec_val *v;
	time_t *t;
	int threshold = l->s->lockout_threshold;
	bool locked = false;

	if (sendsec_entry_first(l->account, "pwdAccountLockedTime") != NULL)
		return true;
	v = sendsec_entry_values(l->account, "sendsecFailureTime", &n);
	if (threshold <= 0 || n < (size_t)threshold)
		return false;
	if ((t = calloc(n, sizeof(*t))) == NULL)
		return true; /* fail closed */
	for (size_t i = 0; i < n; i++)
		if (sendsec_time_parse_generalized(v[i].ptr, v[i].len, &t[k]))
			k++;
	qsort(t, k, sizeof(*t), cmp_time);
	/* Locked while some run of threshold failures lies within interval and duration has not
	 * passed since the last failure of that run. */
	for (size_t i = 0; i + (size_t)threshold <= k && !locked; i++) {
		time_t last = t[i + (size_t)threshold - 1];

		locked = last - t[i] <= l->s->lockout_interval && l->now < last + l->s->lockout_duration;
	}
	free(t);
	return locked;
}

void sendsec_policy_record_failure(struct sendsec_login *l)
{
	char stamp[40], base[20];
	struct sendsec_val when = {stamp, 0};
	struct sendsec_mod mod = {SENDSEC_MOD_ADD, "sendsecFailureTime", &when, 1};
	enum sendsec_dir_status st = SENDSEC_DIR_CONFLICT;

	if (l->s->lockout_threshold <= 0 || l->account == NULL)
		return;
	sendsec_time_format_generalized(l->now, base, sizeof(base));
	/* A random fraction keeps values distinct when two hosts fail in the same second; a
	 * conflict means the same value is there already: draw another. */
	for (int attempt = 0; attempt < 3 && st == SENDSEC_DIR_CONFLICT; attempt++) {
		snprintf(stamp, sizeof(stamp), "%.14s.%06uZ", base, (unsigned)(randombytes_uniform(1000000)));
		when.len = strlen(stamp);
		st = sendsec_dir_modify(l->dir, l->account->dn, &mod, 1);
	}
	if (st != SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not record the failed attempt",
				sendsec_account_name(l));
}

void sendsec_policy_clear_failures(struct sendsec_login *l)
{
	size_t n;
	struct sendsec_mod mod = {SENDSEC_MOD_DELETE, "sendsecFailureTime", NULL, 0};

	if (sendsec_entry_values(l->account, "sendsecFailureTime", &n) == NULL || n == 0)
		return;
	/* A conflict means another host cleared it first. */
	if (sendsec_decide_swap(sendsec_dir_modify(l->dir, l->account->dn, &mod, 1)) == SENDSEC_UNAVAILABLE)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: could not clear the failure record",
				sendsec_account_name(l));
}

bool sendsec_policy_reset_required(const struct sendsec_login *l)
{
	const char *changed;
	time_t when;

	if (sendsec_entry_is_true(l->account, "sendsecResetRequired") || sendsec_entry_is_true(l->account, "pwdReset"))
		return true;
	if (l->s->password_reset_before == 0)
		return false;
	changed = sendsec_entry_first(l->account, "sendsecPasswordChanged");
	if (changed == NULL)
		changed = sendsec_entry_first(l->account, "pwdChangedTime");
	/* Never changed (or unreadable): older than any reset date. */
	if (changed == NULL || !sendsec_time_parse_generalized(changed, strlen(changed), &when))
		return true;
	return when < l->s->password_reset_before;
}
