/* admin_delegate.c — the delegates of a shared account (admin.h): sendsecDelegate values, each the
 * DN of a person's account, added and removed with one modify each, and listed with the person's
 * name when their entry still exists. The login-time decision is delegate.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "login.h"

static struct sendsec_val str_val(const char *s)
{
	return (struct sendsec_val){s, strlen(s)};
}

/* Finds the account of name with the login's directory (the user_filter rule); *dn_out is a
 * malloc'd copy of its DN. */
static enum sendsec_result find_dn(struct sendsec_login *l, const char *name, char **dn_out)
{
	static const char *const no_attrs[] = {"1.1", NULL};
	struct sendsec_entry *e = NULL;
	enum sendsec_result rc = sendsec_decide_lookup(sendsec_dir_find_user(l->dir, name, no_attrs, &e));

	*dn_out = NULL;
	if (rc == SENDSEC_OK && (*dn_out = strdup(e->dn)) == NULL)
		rc = SENDSEC_UNAVAILABLE;
	sendsec_entry_free(e);
	return rc;
}

enum sendsec_result sendsec_admin_delegate_add(struct sendsec_ctx *ctx, const char *service, const char *account,
		const char *person, char *why, size_t whylen)
{
	struct sendsec_login l;
	char *person_dn = NULL;
	struct sendsec_val v_person, cls = str_val("sendsecAccount");
	struct sendsec_mod mods[2];
	size_t n_mods = 0;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	why[0] = '\0';
	if ((rc = sendsec_login_find_account(ctx, service, account, NULL, NULL, &l)) != SENDSEC_OK ||
			(rc = find_dn(&l, person, &person_dn)) != SENDSEC_OK) {
		if (rc == SENDSEC_UNKNOWN_USER)
			snprintf(why, whylen, "no account %s", l.account == NULL ? account : person);
		goto out;
	}
	rc = SENDSEC_DENIED;
	if (strcasecmp(person_dn, l.account->dn) == 0) {
		snprintf(why, whylen, "an account cannot be its own delegate");
		goto out;
	}
	v_person = str_val(person_dn);
	if (!sendsec_entry_has_class(l.account, "sendsecAccount"))
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &cls, 1};
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "sendsecDelegate", &v_person, 1};
	st = sendsec_dir_modify(l.dir, l.account->dn, mods, n_mods);
	rc = sendsec_decide_swap(st);
	if (rc == SENDSEC_DENIED)
		snprintf(why, whylen, "%s is a delegate of %s already", person, account);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: %s (%s) added as a delegate", account, person,
				person_dn);
out:
	free(person_dn);
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_delegate_remove(struct sendsec_ctx *ctx, const char *service, const char *account,
		const char *person, char *why, size_t whylen)
{
	struct sendsec_login l;
	char *person_dn = NULL;
	struct sendsec_val v_person;
	struct sendsec_mod mod;
	enum sendsec_result rc;

	why[0] = '\0';
	if ((rc = sendsec_login_find_account(ctx, service, account, NULL, NULL, &l)) != SENDSEC_OK) {
		if (rc == SENDSEC_UNKNOWN_USER)
			snprintf(why, whylen, "no account %s", account);
		goto out;
	}
	/* A DN is taken as given (its person may be gone); a name is looked up. */
	if (strchr(person, '=') != NULL) {
		rc = (person_dn = strdup(person)) != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
	} else if ((rc = find_dn(&l, person, &person_dn)) == SENDSEC_UNKNOWN_USER) {
		snprintf(why, whylen, "no account %s (give the DN of a delegate whose entry is gone)", person);
	}
	if (rc != SENDSEC_OK)
		goto out;
	v_person = str_val(person_dn);
	/* The directory matches the value to delete as a DN (distinguishedNameMatch). */
	mod = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecDelegate", &v_person, 1};
	rc = sendsec_decide_swap(sendsec_dir_modify(l.dir, l.account->dn, &mod, 1));
	if (rc == SENDSEC_DENIED)
		snprintf(why, whylen, "%s is not a delegate of %s", person, account);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: delegate %s removed", account, person_dn);
out:
	free(person_dn);
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_delegate_list(struct sendsec_ctx *ctx, const char *service, const char *account,
		struct sendsec_delegate_info **delegates_out, size_t *n_out)
{
	struct sendsec_login l;
	struct sendsec_delegate_info *info = NULL;
	const struct sendsec_val *v;
	size_t n = 0;
	enum sendsec_result rc;

	*delegates_out = NULL;
	*n_out = 0;
	if ((rc = sendsec_login_find_account(ctx, service, account, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	v = sendsec_entry_values(l.account, "sendsecDelegate", &n);
	rc = SENDSEC_UNAVAILABLE;
	if ((info = calloc(n > 0 ? n : 1, sizeof(*info))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *attrs[] = {l.s->user_attr, NULL};
		struct sendsec_entry *person = NULL;
		enum sendsec_dir_status st = sendsec_dir_read(l.dir, v[i].ptr, attrs, &person);
		const char *name = st == SENDSEC_DIR_OK ? sendsec_entry_first(person, l.s->user_attr) : NULL;

		snprintf(info[i].dn, sizeof(info[i].dn), "%s", v[i].ptr);
		snprintf(info[i].name, sizeof(info[i].name), "%s", name != NULL ? name : "");
		sendsec_entry_free(person);
		if (st != SENDSEC_DIR_OK && st != SENDSEC_DIR_NO_ENTRY)
			goto out;
	}
	*delegates_out = info;
	*n_out = n;
	info = NULL;
	rc = SENDSEC_OK;
out:
	free(info);
	sendsec_login_end(&l);
	return rc;
}
