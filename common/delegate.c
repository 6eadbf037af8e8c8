/* delegate.c — shared accounts reached with personal credentials (DESIGN.md section 4): once a
 * person has authenticated with their own password, factors, lockout and networks, decides
 * whether they may act as the account their SASL authzid names. The directory compares the
 * person's DN with the shared account's sendsecDelegate values (distinguishedNameMatch, so that
 * spelling differences in a DN do not matter); then the shared account's own state applies:
 * disabled, locked by ppolicy, or a network allowlist that refuses the client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "login.h"

#define FILTER_MAX 4096

/* True when the directory says person_dn is one of shared's sendsecDelegate values: a search
 * below shared filtered on its own DN (entryDN, RFC 5020) and on person_dn, so that an entry below
 * the shared account naming the person neither counts nor makes the answer ambiguous. */
static enum sendsec_dir_status is_delegate(
		struct sendsec_login *l, const struct sendsec_entry *shared, const char *person_dn, bool *is_out)
{
	static const char *const no_attrs[] = {"1.1", NULL};
	char person[FILTER_MAX], self[FILTER_MAX], filter[2 * FILTER_MAX + 48];
	struct sendsec_entry *match = NULL;
	enum sendsec_dir_status st;

	*is_out = false;
	if (sendsec_filter_escape(person_dn, strlen(person_dn), person, sizeof(person)) != SENDSEC_OK ||
			sendsec_filter_escape(shared->dn, strlen(shared->dn), self, sizeof(self)) != SENDSEC_OK ||
			snprintf(filter, sizeof(filter), "(&(entryDN=%s)(sendsecDelegate=%s))", self, person) >=
					(int)sizeof(filter))
		return SENDSEC_DIR_FAILED;
	st = sendsec_dir_search_one(l->dir, shared->dn, filter, no_attrs, &match);
	if (st == SENDSEC_DIR_OK)
		*is_out = strcmp(match->dn, shared->dn) == 0;
	sendsec_entry_free(match);
	return st == SENDSEC_DIR_NO_ENTRY ? SENDSEC_DIR_OK : st;
}

enum sendsec_result sendsec_delegate_check(
		struct sendsec_login *l, const char *authzid, enum sendsec_reason *reason_out)
{
	struct sendsec_entry *shared = NULL;
	struct sendsec_login as;
	const char *person = sendsec_account_name(l), *name;
	enum sendsec_dir_status st;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;
	enum sendsec_ppolicy_lock lock;
	time_t lock_end;
	bool is_delegate_ok = false;

	*reason_out = SENDSEC_REASON_UNAVAILABLE;
	st = sendsec_dir_find_user(l->dir, authzid, sendsec_account_attrs, &shared);
	if (st == SENDSEC_DIR_NO_ENTRY) {
		/* The same answer as for an account the person may not act as. */
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s asked to act as an account that does not exist",
				person);
		*reason_out = SENDSEC_REASON_NOT_DELEGATE;
		rc = SENDSEC_DENIED;
		goto out;
	}
	if (sendsec_decide_data(st) != SENDSEC_OK)
		goto out;
	if (strcasecmp(shared->dn, l->account->dn) == 0) {
		rc = SENDSEC_OK; /* the person's own account: nothing is delegated */
		goto out;
	}
	if ((name = sendsec_entry_first(shared, l->s->user_attr)) == NULL) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "shared account %s has no %s value", shared->dn,
				l->s->user_attr);
		goto out;
	}
	if (sendsec_decide_data(is_delegate(l, shared, l->account->dn, &is_delegate_ok)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!is_delegate_ok) {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s is not a delegate of %s (sendsecDelegate)", person,
				name);
		*reason_out = SENDSEC_REASON_NOT_DELEGATE;
		goto out;
	}
	/* The shared account's own policy, read as if it were logging in. */
	as = *l;
	as.account = shared;
	if (sendsec_policy_is_disabled(&as)) {
		*reason_out = SENDSEC_REASON_DISABLED;
	} else if ((lock = sendsec_policy_ppolicy_lock(&as, &lock_end)) == SENDSEC_PPOLICY_UNKNOWN) {
		*reason_out = SENDSEC_REASON_UNAVAILABLE;
		rc = SENDSEC_UNAVAILABLE;
	} else if (lock != SENDSEC_PPOLICY_OPEN) {
		/* The administrative lock, or a lock after failed binds that its policy has not ended. */
		*reason_out = SENDSEC_REASON_LOCKED;
	} else if (!sendsec_policy_account_network_ok(&as)) {
		*reason_out = SENDSEC_REASON_NETWORK;
	} else {
		sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s acts as %s (delegate)", person, name);
		*reason_out = SENDSEC_REASON_NONE;
		l->acting = shared;
		shared = NULL;
		rc = SENDSEC_OK;
		goto out;
	}
	sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s may not act as %s now: %s", person, name,
			sendsec_reason_name(*reason_out));
out:
	sendsec_entry_free(shared);
	return rc;
}
