/* admin_key.c — the API key operations of admin.h: create (mint, store the record and the id with
 * one modify), list (parse every value of an account, or of every account; a malformed one is
 * reported, not fatal), revoke (delete the record and the id with one modify), rotate (a
 * successor and the old key's new expiry in one modify) and the state of a key found by a scan.
 * Writes that replace a record delete exactly the value read, so they lose (and are retried on a
 * fresh read) when a login's touch changed it meanwhile. The key text leaves only through key_out;
 * nothing here logs a secret or a hash. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "escape.h"
#include "login.h"

#define FILTER_MAX 128
#define ATTEMPTS   10 /* reads and writes of one record before a lost race is given up */

static const struct sendsec_val account_class = {"sendsecAccount", 14};

/* Fills rec's scopes, networks and description from req (copies, owned by rec). DENIED (logged)
 * on a bad argument, UNAVAILABLE on out of memory. */
static enum sendsec_result fill_request(
		const struct sendsec_login *l, const struct sendsec_key_request *req, struct sendsec_keyrec *rec)
{
	size_t n = 0;
	char err[128];

	if (req == NULL || req->scopes == NULL || req->scopes[0] == NULL) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "a key needs at least one scope");
		return SENDSEC_DENIED;
	}
	while (req->scopes[n] != NULL) {
		if (!sendsec_apikey_is_scope(req->scopes[n])) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "scope '%s' is not a service name or '*'",
					req->scopes[n]);
			return SENDSEC_DENIED;
		}
		n++;
	}
	if ((rec->scopes = calloc(n + 1, sizeof(*rec->scopes))) == NULL)
		return SENDSEC_UNAVAILABLE;
	for (size_t i = 0; i < n; i++)
		if ((rec->scopes[i] = strdup(req->scopes[i])) == NULL)
			return SENDSEC_UNAVAILABLE;
	if (req->expires != 0 && req->expires <= l->now) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "the expiry time is not in the future");
		return SENDSEC_DENIED;
	}
	rec->expires = req->expires;
	if (req->networks != NULL &&
			sendsec_cidr_list_add(&rec->networks, req->networks, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "networks: %s", err);
		return SENDSEC_DENIED;
	}
	if (req->networks != NULL && rec->networks.n == 0) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "networks: empty list");
		return SENDSEC_DENIED;
	}
	if (req->description != NULL && (rec->description = strdup(req->description)) == NULL)
		return SENDSEC_UNAVAILABLE;
	return SENDSEC_OK;
}

enum sendsec_result sendsec_admin_key_create(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_key_request *req, char *key_out, size_t keylen)
{
	static const char *const attrs[] = {"objectClass", NULL};
	struct sendsec_login l;
	struct sendsec_apikey parts = {0};
	struct sendsec_keyrec rec = {0};
	struct sendsec_val value = {NULL, 0}, id = {NULL, 0};
	struct sendsec_mod mods[3];
	size_t n_mods = 0;
	char *formatted = NULL;
	enum sendsec_result rc;

	if (key_out != NULL && keylen > 0)
		sodium_memzero(key_out, keylen);
	if ((rc = sendsec_login_begin(ctx, service, user, NULL, &l)) != SENDSEC_OK)
		goto out;
	/* The arguments first: a bad request is refused before any directory access. */
	if ((rc = fill_request(&l, req, &rec)) != SENDSEC_OK || (rc = sendsec_login_find(&l, attrs)) != SENDSEC_OK)
		goto out;
	if ((rc = sendsec_apikey_mint(l.s->apikey_prefix, key_out, keylen, &parts)) != SENDSEC_OK)
		goto out;
	memcpy(rec.id, parts.id, sizeof(rec.id));
	sendsec_apikey_hash(&parts, rec.hash);
	rec.created = l.now;
	if (sendsec_keyrec_format(&rec, &formatted) != SENDSEC_OK) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "the key record cannot be stored (description too long?)");
		rc = SENDSEC_DENIED;
		goto out;
	}
	value = (struct sendsec_val){formatted, strlen(formatted)};
	id = (struct sendsec_val){rec.id, strlen(rec.id)};
	if (!sendsec_entry_has_class(l.account, "sendsecAccount"))
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &account_class, 1};
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "sendsecApiKey", &value, 1};
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "sendsecKeyId", &id, 1};
	/* A conflict is an id already there: 72 random bits, so something is wrong. */
	rc = sendsec_decide_data(sendsec_dir_modify(l.dir, l.account->dn, mods, n_mods));
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "account %s: key %s created", user, rec.id);
out:
	if (rc != SENDSEC_OK && key_out != NULL && keylen > 0)
		sodium_memzero(key_out, keylen);
	free(formatted);
	sendsec_keyrec_clear(&rec);
	sendsec_apikey_clear(&parts);
	sendsec_login_end(&l);
	return rc;
}

/* Parses every sendsecApiKey value of e into recs (n of them, zeroed by the caller); a malformed
 * value becomes a record with only its id ("?" when unreadable) and no scopes, and is logged. */
static void parse_records(const struct sendsec_login *l, const struct sendsec_entry *e, const char *who,
		struct sendsec_keyrec *recs)
{
	size_t n = 0;
	const struct sendsec_val *v = sendsec_entry_values(e, "sendsecApiKey", &n);
	char err[128];

	for (size_t i = 0; i < n; i++) {
		if (sendsec_keyrec_parse(v[i].ptr, v[i].len, &recs[i], err, sizeof(err)) == SENDSEC_OK)
			continue;
		if (!sendsec_keyrec_value_id(v[i].ptr, v[i].len, recs[i].id))
			snprintf(recs[i].id, sizeof(recs[i].id), "?");
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: key %s: %s", who, recs[i].id, err);
	}
}

enum sendsec_result sendsec_admin_key_list(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_keyrec **recs_out, size_t *n_out)
{
	static const char *const attrs[] = {"sendsecApiKey", NULL};
	struct sendsec_login l;
	struct sendsec_keyrec *recs = NULL;
	size_t n = 0;
	enum sendsec_result rc;

	*recs_out = NULL;
	*n_out = 0;
	if ((rc = sendsec_login_find_account(ctx, service, user, NULL, attrs, &l)) != SENDSEC_OK)
		goto out;
	(void)sendsec_entry_values(l.account, "sendsecApiKey", &n);
	if (n > 0 && (recs = calloc(n, sizeof(*recs))) == NULL) {
		rc = SENDSEC_UNAVAILABLE;
		goto out;
	}
	parse_records(&l, l.account, user, recs);
	*recs_out = recs;
	*n_out = n;
	recs = NULL;
out:
	sendsec_admin_keys_free(recs, n);
	sendsec_login_end(&l);
	return rc;
}

void sendsec_admin_keys_free(struct sendsec_keyrec *recs, size_t n)
{
	if (recs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sendsec_keyrec_clear(&recs[i]);
	free(recs);
}

/* Writes "(sendsecKeyId=<id>)" into filter; false when id is not a key id (nothing logged). */
static bool id_filter(const char *id, char filter[FILTER_MAX])
{
	char escaped[3 * SENDSEC_KEY_ID_LEN + 1];

	return sendsec_apikey_is_id(id) &&
			sendsec_filter_escape(id, strlen(id), escaped, sizeof(escaped)) == SENDSEC_OK &&
			snprintf(filter, FILTER_MAX, "(sendsecKeyId=%s)", escaped) < FILTER_MAX;
}

/* Searches the account holding key id into l->account (freeing an earlier one): OK, UNKNOWN_USER
 * when no account holds it, UNAVAILABLE. */
static enum sendsec_result find_key_account(struct sendsec_login *l, const char *id, const char *const *attrs)
{
	char filter[FILTER_MAX];

	sendsec_entry_free(l->account);
	l->account = NULL;
	if (!id_filter(id, filter))
		return SENDSEC_UNAVAILABLE;
	return sendsec_decide_lookup(sendsec_dir_search_one(l->dir, l->s->base, filter, attrs, &l->account));
}

/* The one value of l->account's sendsecApiKey whose id is id, or NULL (none, or more than one). */
static const struct sendsec_val *key_value(const struct sendsec_login *l, const char *id)
{
	const struct sendsec_val *v, *found = NULL;
	char vid[SENDSEC_KEY_ID_LEN + 1];
	size_t n = 0, k = 0;

	v = sendsec_entry_values(l->account, "sendsecApiKey", &n);
	for (size_t i = 0; i < n; i++) {
		if (sendsec_keyrec_value_id(v[i].ptr, v[i].len, vid) && strcmp(vid, id) == 0) {
			found = &v[i];
			k++;
		}
	}
	return k == 1 ? found : NULL;
}

/* One attempt at deleting every record of id (and the id too, when with_id) from l->account, in
 * one modify: the directory's status; OK without a write when there is nothing to delete. */
static enum sendsec_dir_status revoke_once(struct sendsec_login *l, const char *id, bool with_id, size_t *n_records_out)
{
	struct sendsec_val *doomed = NULL, id_val = {id, strlen(id)};
	struct sendsec_mod mods[2];
	const struct sendsec_val *v;
	char vid[SENDSEC_KEY_ID_LEN + 1];
	size_t n = 0, k = 0, n_mods = 0;
	enum sendsec_dir_status st = SENDSEC_DIR_FAILED;

	/* Every record of this id goes, malformed or not. */
	v = sendsec_entry_values(l->account, "sendsecApiKey", &n);
	if (n > 0 && (doomed = calloc(n, sizeof(*doomed))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (sendsec_keyrec_value_id(v[i].ptr, v[i].len, vid) && strcmp(vid, id) == 0)
			doomed[k++] = v[i];
	if (k > 0)
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecApiKey", doomed, k};
	if (with_id)
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecKeyId", &id_val, 1};
	st = n_mods == 0 ? SENDSEC_DIR_OK : sendsec_dir_modify(l->dir, l->account->dn, mods, n_mods);
	*n_records_out = k;
out:
	free(doomed);
	return st;
}

/* After the first attempt lost to a change of the record: deletes the id alone (from then on no
 * login finds the key, so no new touch starts), then the record(s), read again by DN until the
 * write wins. CONFLICT only when the id was gone already (revoked by someone else). */
static enum sendsec_dir_status revoke_contended(
		struct sendsec_login *l, const char *id, const char *const *attrs, size_t *n_records_out)
{
	const struct sendsec_val id_val = {id, strlen(id)};
	const struct sendsec_mod del_id = {.op = SENDSEC_MOD_DELETE, .attr = "sendsecKeyId", .vals = &id_val, .n = 1};
	enum sendsec_dir_status st;
	char *dn = strdup(l->account->dn);

	if (dn == NULL)
		return SENDSEC_DIR_FAILED;
	if ((st = sendsec_dir_modify(l->dir, dn, &del_id, 1)) != SENDSEC_DIR_OK)
		goto out;
	st = SENDSEC_DIR_CONFLICT;
	for (int attempt = 0; attempt < ATTEMPTS && st == SENDSEC_DIR_CONFLICT; attempt++) {
		sendsec_entry_free(l->account);
		l->account = NULL;
		if ((st = sendsec_dir_read(l->dir, dn, attrs, &l->account)) != SENDSEC_DIR_OK)
			break;
		st = revoke_once(l, id, false, n_records_out);
	}
	if (st != SENDSEC_DIR_OK) {
		/* The key is revoked (no id, so no login finds it); its record is inert but left over. */
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"%s: key %s revoked, but its sendsecApiKey record could not be removed (%s): delete it "
				"by hand",
				dn, id, sendsec_dir_status_name(st));
		st = SENDSEC_DIR_OK;
	}
out:
	free(dn);
	return st;
}

enum sendsec_result sendsec_admin_key_revoke(struct sendsec_ctx *ctx, const char *service, const char *id)
{
	static const char *const attrs[] = {"sendsecApiKey", "sendsecKeyId", NULL};
	struct sendsec_login l;
	enum sendsec_dir_status st;
	size_t k = 0;
	enum sendsec_result rc;

	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!sendsec_apikey_is_id(id)) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "'%s' is not a key id (12 letters and digits)",
				id != NULL ? id : "");
		goto out;
	}
	if ((rc = find_key_account(&l, id, attrs)) != SENDSEC_OK)
		goto out;
	/* Usually one modify deletes the record(s) and the id. It conflicts when the record changed
	 * since the read: a login wrote its last use, or the key was rotated or revoked meanwhile. */
	st = revoke_once(&l, id, true, &k);
	if (st == SENDSEC_DIR_CONFLICT)
		st = revoke_contended(&l, id, attrs, &k);
	/* A conflict now: someone else revoked it first, so there is no such key any more. */
	rc = st == SENDSEC_DIR_CONFLICT ? SENDSEC_UNKNOWN_USER : sendsec_decide_admin(st);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "%s: key %s revoked%s", l.account != NULL ? l.account->dn : "-",
				id, k == 0 ? " (its id had no record)" : "");
out:
	sendsec_login_end(&l);
	return rc;
}

/* A copy of src's scopes, networks and description into dst (owned by dst); false on out of memory. */
static bool copy_terms(struct sendsec_keyrec *dst, const struct sendsec_keyrec *src)
{
	size_t n = 0;

	while (src->scopes[n] != NULL)
		n++;
	if ((dst->scopes = calloc(n + 1, sizeof(*dst->scopes))) == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((dst->scopes[i] = strdup(src->scopes[i])) == NULL)
			return false;
	if (!sendsec_cidr_list_copy(&dst->networks, &src->networks))
		return false;
	return src->description == NULL || (dst->description = strdup(src->description)) != NULL;
}

/* One attempt at rotating the key whose value l->account holds: the old record with its new
 * expiry, and the successor (record and id) in one modify. The successor is parts (id and
 * secret, minted once by the caller) with the old key's terms. *rc_out is the decision when the
 * attempt ends without a write (malformed, disabled, expired); the directory's status is returned. */
static enum sendsec_dir_status rotate_once(struct sendsec_login *l, const char *id, time_t overlap,
		const struct sendsec_apikey *parts, time_t *old_expires_out, enum sendsec_result *rc_out)
{
	const struct sendsec_val *stored = key_value(l, id);
	struct sendsec_keyrec old = {0}, next = {0};
	struct sendsec_val vals[3] = {{NULL, 0}};
	const struct sendsec_mod mods[] = {
			{.op = SENDSEC_MOD_DELETE, .attr = "sendsecApiKey", .vals = stored, .n = 1},
			{.op = SENDSEC_MOD_ADD, .attr = "sendsecApiKey", .vals = vals, .n = 2},
			{.op = SENDSEC_MOD_ADD, .attr = "sendsecKeyId", .vals = &vals[2], .n = 1},
	};
	char *old_value = NULL, *next_value = NULL, err[128];
	enum sendsec_dir_status st = SENDSEC_DIR_FAILED;
	time_t until = l->now + overlap;

	*rc_out = SENDSEC_UNAVAILABLE;
	if (stored == NULL || sendsec_keyrec_parse(stored->ptr, stored->len, &old, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "key %s: %s", id,
				stored == NULL ? "not exactly one sendsecApiKey value" : err);
		goto out;
	}
	*rc_out = SENDSEC_DENIED;
	if (old.disabled || (old.expires != 0 && l->now >= old.expires)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "key %s is %s: create a new key instead", id,
				old.disabled ? "disabled" : "expired");
		goto out;
	}
	*rc_out = SENDSEC_UNAVAILABLE;
	memcpy(next.id, parts->id, sizeof(next.id));
	sendsec_apikey_hash(parts, next.hash);
	next.created = l->now;
	/* The successor keeps the old key's expiry, so a rotation never lengthens a key's term. */
	next.expires = old.expires;
	if (!copy_terms(&next, &old))
		goto out;
	if (old.expires == 0 || until < old.expires)
		old.expires = until;
	if (sendsec_keyrec_format(&old, &old_value) != SENDSEC_OK ||
			sendsec_keyrec_format(&next, &next_value) != SENDSEC_OK)
		goto out;
	vals[0] = (struct sendsec_val){old_value, strlen(old_value)};
	vals[1] = (struct sendsec_val){next_value, strlen(next_value)};
	vals[2] = (struct sendsec_val){next.id, strlen(next.id)};
	st = sendsec_dir_modify(l->dir, l->account->dn, mods, 3);
	*old_expires_out = old.expires;
out:
	free(old_value);
	free(next_value);
	sendsec_keyrec_clear(&next);
	sendsec_keyrec_clear(&old);
	return st;
}

enum sendsec_result sendsec_admin_key_rotate(struct sendsec_ctx *ctx, const char *service, const char *id,
		time_t overlap, char *key_out, size_t keylen, time_t *old_expires_out)
{
	static const char *const attrs[] = {"sendsecApiKey", NULL};
	struct sendsec_login l;
	struct sendsec_apikey parts = {0};
	enum sendsec_dir_status st = SENDSEC_DIR_CONFLICT;
	enum sendsec_result rc, why = SENDSEC_UNAVAILABLE;

	if (key_out != NULL && keylen > 0)
		sodium_memzero(key_out, keylen);
	*old_expires_out = 0;
	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!sendsec_apikey_is_id(id) || overlap < 0) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "%s",
				overlap < 0 ? "the overlap is negative" : "not a key id (12 letters and digits)");
		goto out;
	}
	if ((rc = sendsec_apikey_mint(l.s->apikey_prefix, key_out, keylen, &parts)) != SENDSEC_OK)
		goto out;
	/* A conflict: a login wrote the old key's last use since the read (read again, retry), or
	 * the key was revoked or rotated meanwhile (the next read says so). */
	for (int attempt = 0; attempt < ATTEMPTS && st == SENDSEC_DIR_CONFLICT; attempt++) {
		if ((rc = find_key_account(&l, id, attrs)) != SENDSEC_OK)
			goto out;
		st = rotate_once(&l, id, overlap, &parts, old_expires_out, &why);
	}
	rc = st == SENDSEC_DIR_FAILED ? why : sendsec_decide_data(st);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "%s: key %s rotated; successor %s", l.account->dn, id, parts.id);
	else if (st == SENDSEC_DIR_CONFLICT)
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "key %s changed on every one of %d attempts; not rotated", id,
				ATTEMPTS);
out:
	if (rc != SENDSEC_OK && key_out != NULL && keylen > 0)
		sodium_memzero(key_out, keylen);
	sendsec_apikey_clear(&parts);
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_key_list_all(
		struct sendsec_ctx *ctx, const char *service, struct sendsec_key_info **infos_out, size_t *n_out)
{
	struct sendsec_login l;
	struct sendsec_entry **entries = NULL;
	struct sendsec_keyrec *recs = NULL;
	struct sendsec_key_info *infos = NULL;
	size_t n_entries = 0, total = 0, k = 0;
	enum sendsec_result rc;

	*infos_out = NULL;
	*n_out = 0;
	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	const char *const attrs[] = {l.s->user_attr, "sendsecApiKey", NULL};
	rc = sendsec_decide_data(
			sendsec_dir_search_all(l.dir, l.s->base, "(sendsecKeyId=*)", attrs, &entries, &n_entries));
	if (rc != SENDSEC_OK)
		goto out;
	for (size_t i = 0; i < n_entries; i++) {
		size_t n = 0;
		(void)sendsec_entry_values(entries[i], "sendsecApiKey", &n);
		total += n;
	}
	rc = SENDSEC_UNAVAILABLE;
	if (total > 0 && (infos = calloc(total, sizeof(*infos))) == NULL)
		goto out;
	for (size_t i = 0; i < n_entries; i++) {
		const char *name = sendsec_entry_first(entries[i], l.s->user_attr);
		size_t n = 0;

		(void)sendsec_entry_values(entries[i], "sendsecApiKey", &n);
		if (n == 0)
			continue;
		if ((recs = calloc(n, sizeof(*recs))) == NULL)
			goto out;
		parse_records(&l, entries[i], name != NULL ? name : entries[i]->dn, recs);
		for (size_t j = 0; j < n; j++, k++) {
			snprintf(infos[k].account, sizeof(infos[k].account), "%s", name != NULL ? name : "?");
			infos[k].rec = recs[j]; /* moved: infos owns the record now */
		}
		free(recs);
		recs = NULL;
	}
	*infos_out = infos;
	*n_out = k;
	infos = NULL;
	rc = SENDSEC_OK;
out:
	free(recs);
	sendsec_admin_key_infos_free(infos, k);
	sendsec_entries_free(entries, n_entries);
	sendsec_login_end(&l);
	return rc;
}

void sendsec_admin_key_infos_free(struct sendsec_key_info *infos, size_t n)
{
	if (infos == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sendsec_keyrec_clear(&infos[i].rec);
	free(infos);
}

const char *sendsec_key_state_name(enum sendsec_key_state state)
{
	switch (state) {
	case SENDSEC_KEY_LIVE: return "live";
	case SENDSEC_KEY_EXPIRED: return "expired";
	case SENDSEC_KEY_DISABLED: return "disabled";
	case SENDSEC_KEY_REVOKED: return "revoked";
	case SENDSEC_KEY_UNKNOWN: return "unknown";
	}
	return "unknown";
}

enum sendsec_result sendsec_admin_key_state(struct sendsec_ctx *ctx, const char *service,
		const struct sendsec_apikey *key, enum sendsec_key_state *state_out,
		char account_out[SENDSEC_NAME_MAX + 1])
{
	struct sendsec_login l;
	struct sendsec_keyrec rec = {0};
	const struct sendsec_val *stored;
	const char *name;
	char err[128];
	enum sendsec_result rc;

	*state_out = SENDSEC_KEY_UNKNOWN;
	account_out[0] = '\0';
	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	const char *const attrs[] = {l.s->user_attr, "sendsecApiKey", NULL};
	rc = find_key_account(&l, key->id, attrs);
	if (rc == SENDSEC_UNKNOWN_USER) {
		/* No account holds the id: revoked (or never issued by this directory). */
		*state_out = SENDSEC_KEY_REVOKED;
		rc = SENDSEC_OK;
		goto out;
	}
	if (rc != SENDSEC_OK)
		goto out;
	name = sendsec_account_name(&l);
	snprintf(account_out, SENDSEC_NAME_MAX + 1, "%s", name != NULL ? name : "?");
	stored = key_value(&l, key->id);
	if (stored == NULL || sendsec_keyrec_parse(stored->ptr, stored->len, &rec, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "key %s: %s", key->id,
				stored == NULL ? "not exactly one sendsecApiKey value" : err);
		goto out; /* OK with state unknown: the record cannot tell */
	}
	/* Only the real secret makes a key live: a string with a known id and another secret (which
	 * anyone who saw an audit line can write) is not this key, and --revoke must not act on it. */
	if (!sendsec_apikey_matches(key, &rec))
		*state_out = SENDSEC_KEY_UNKNOWN;
	else if (rec.disabled)
		*state_out = SENDSEC_KEY_DISABLED;
	else if (rec.expires != 0 && l.now >= rec.expires)
		*state_out = SENDSEC_KEY_EXPIRED;
	else
		*state_out = SENDSEC_KEY_LIVE;
out:
	sendsec_keyrec_clear(&rec);
	sendsec_login_end(&l);
	return rc;
}
