/* admin_key.c — the API key operations of admin.h: create (mint, store the record and the id with
 * one modify), list (parse every value of an account; a malformed one is reported, not fatal) and
 * revoke (delete the record and the id with one modify). The key text leaves only through
 * key_out; nothing here logs a secret or a hash. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "escape.h"
#include "login.h"

#define FILTER_MAX 128

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

enum sendsec_result sendsec_admin_key_list(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_keyrec **recs_out, size_t *n_out)
{
	static const char *const attrs[] = {"sendsecApiKey", NULL};
	struct sendsec_login l;
	struct sendsec_keyrec *recs = NULL;
	const struct sendsec_val *v;
	size_t n = 0;
	char err[128];
	enum sendsec_result rc;

	*recs_out = NULL;
	*n_out = 0;
	if ((rc = sendsec_login_find_account(ctx, service, user, NULL, attrs, &l)) != SENDSEC_OK)
		goto out;
	v = sendsec_entry_values(l.account, "sendsecApiKey", &n);
	if (n > 0 && (recs = calloc(n, sizeof(*recs))) == NULL) {
		rc = SENDSEC_UNAVAILABLE;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (sendsec_keyrec_parse(v[i].ptr, v[i].len, &recs[i], err, sizeof(err)) == SENDSEC_OK)
			continue;
		/* Reported as a record with only its id (if readable) and no scopes. */
		if (!sendsec_keyrec_value_id(v[i].ptr, v[i].len, recs[i].id))
			snprintf(recs[i].id, sizeof(recs[i].id), "?");
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "account %s: key %s: %s", user, recs[i].id, err);
	}
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

enum sendsec_result sendsec_admin_key_revoke(struct sendsec_ctx *ctx, const char *service, const char *id)
{
	static const char *const attrs[] = {"sendsecApiKey", "sendsecKeyId", NULL};
	struct sendsec_login l;
	struct sendsec_val *doomed = NULL, id_val = {id, 0};
	struct sendsec_mod mods[2];
	const struct sendsec_val *v;
	char escaped[3 * SENDSEC_KEY_ID_LEN + 1], filter[FILTER_MAX], vid[SENDSEC_KEY_ID_LEN + 1];
	size_t n = 0, k = 0, n_mods = 0;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	if ((rc = sendsec_login_begin(ctx, service, NULL, NULL, &l)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!sendsec_apikey_is_id(id)) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "'%s' is not a key id (12 letters and digits)",
				id != NULL ? id : "");
		goto out;
	}
	rc = SENDSEC_UNAVAILABLE;
	if (sendsec_filter_escape(id, strlen(id), escaped, sizeof(escaped)) != SENDSEC_OK ||
			snprintf(filter, sizeof(filter), "(sendsecKeyId=%s)", escaped) >= (int)sizeof(filter))
		goto out;
	if ((rc = sendsec_decide_lookup(sendsec_dir_search_one(l.dir, l.s->base, filter, attrs, &l.account))) !=
			SENDSEC_OK)
		goto out;
	/* Every record of this id goes, malformed or not, with the id: one modify. */
	v = sendsec_entry_values(l.account, "sendsecApiKey", &n);
	if (n > 0 && (doomed = calloc(n, sizeof(*doomed))) == NULL) {
		rc = SENDSEC_UNAVAILABLE;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (sendsec_keyrec_value_id(v[i].ptr, v[i].len, vid) && strcmp(vid, id) == 0)
			doomed[k++] = v[i];
	if (k > 0)
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecApiKey", doomed, k};
	id_val.len = strlen(id);
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecKeyId", &id_val, 1};
	st = sendsec_dir_modify(l.dir, l.account->dn, mods, n_mods);
	/* A conflict: someone else revoked it first, so there is no such key any more. */
	rc = st == SENDSEC_DIR_CONFLICT ? SENDSEC_UNKNOWN_USER : sendsec_decide_admin(st);
	if (rc == SENDSEC_OK)
		sendsec_logf(l.log, SENDSEC_LOG_INFO, "%s: key %s revoked%s", l.account->dn, id,
				k == 0 ? " (its id had no record)" : "");
out:
	free(doomed);
	sendsec_login_end(&l);
	return rc;
}
