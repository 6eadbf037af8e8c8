/* admin_token.c — the operations on an account's existing tokens (admin.h): list them (broken ones
 * included, with what is wrong), remove one (unlink first, then delete its entry), resynchronise an
 * HOTP token on two consecutive codes, and seal plain oathSecret values with totp_key_file. Every
 * change of a token's state or secret is one compare-and-swap, as in a login. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "escape.h"
#include "login.h"
#include "secret.h"

#define DN_MAX 1024

static struct sendsec_val str_val(const char *s)
{
	return (struct sendsec_val){s, strlen(s)};
}

/* Finds user and reads their tokens into *tokens_out / *n_out (free with sendsec_tokens_free). */
static enum sendsec_result begin(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_login *l, struct sendsec_login_token **tokens_out, size_t *n_out)
{
	enum sendsec_result rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, l);

	*tokens_out = NULL;
	*n_out = 0;
	if (rc != SENDSEC_OK)
		return rc;
	return sendsec_tokens_read(l->dir, l->log, l->account, tokens_out, n_out);
}

enum sendsec_result sendsec_admin_token_list(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_token_info **tokens_out, size_t *n_out)
{
	struct sendsec_login l;
	struct sendsec_login_token *tokens = NULL;
	struct sendsec_token_info *info = NULL;
	size_t n = 0;
	enum sendsec_result rc;

	*tokens_out = NULL;
	*n_out = 0;
	if ((rc = begin(ctx, service, user, &l, &tokens, &n)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	if ((info = calloc(n > 0 ? n : 1, sizeof(*info))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct sendsec_token *t = &tokens[i].t;

		snprintf(info[i].name, sizeof(info[i].name), "%s", t->name);
		snprintf(info[i].dn, sizeof(info[i].dn), "%s", t->dn);
		info[i].link_attr = t->link_attr;
		info[i].kind = t->kind;
		info[i].digits = t->digits;
		info[i].is_sealed = t->secret != NULL && sendsec_totp_is_sealed(t->secret->ptr, t->secret->len);
		info[i].has_state = t->state != NULL;
		info[i].state = t->state_value;
		info[i].period = t->totp.period;
		info[i].is_broken = tokens[i].is_broken;
		snprintf(info[i].problem, sizeof(info[i].problem), "%s", tokens[i].problem);
	}
	*tokens_out = info;
	*n_out = n;
	info = NULL;
	rc = SENDSEC_OK;
out:
	free(info);
	sendsec_tokens_free(tokens, n);
	sendsec_login_end(&l);
	return rc;
}

/* The index of the token called name (its name or its DN, without regard to case); n when none,
 * n + 1 when several carry that name. */
static size_t find_token(const struct sendsec_login_token *tokens, size_t n, const char *name)
{
	size_t found = n;

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(tokens[i].t.dn, name) == 0)
			return i;
		if (tokens[i].t.name[0] != '\0' && strcasecmp(tokens[i].t.name, name) == 0)
			found = found == n ? i : n + 1;
	}
	return found;
}

static bool is_token_entry(const struct sendsec_entry *e)
{
	return e != NULL &&
			(sendsec_entry_has_class(e, "oathTOTPToken") || sendsec_entry_has_class(e, "oathHOTPToken"));
}

/* How many entries under base still link the token dn (any of the three link attributes, matched
 * by the directory as DNs) into *n_out; the directory's status. Asked after the unlink, so the
 * account itself counts only when it links the entry a second time (another attribute, another
 * spelling of the DN). */
static enum sendsec_dir_status count_links(struct sendsec_login *l, const char *dn, size_t *n_out)
{
	static const char *const no_attrs[] = {"1.1", NULL};
	char escaped[3 * DN_MAX + 1], filter[3 * (3 * DN_MAX + 1) + 64];
	struct sendsec_entry **entries = NULL;
	size_t n = 0;
	enum sendsec_dir_status st;

	*n_out = 0;
	if (sendsec_filter_escape(dn, strlen(dn), escaped, sizeof(escaped)) != SENDSEC_OK ||
			snprintf(filter, sizeof(filter), "(|(oathTOTPToken=%s)(oathHOTPToken=%s)(sendsecToken=%s))",
					escaped, escaped, escaped) >= (int)sizeof(filter))
		return SENDSEC_DIR_FAILED;
	st = sendsec_dir_search_all(l->dir, l->s->base, filter, no_attrs, &entries, &n);
	*n_out = st == SENDSEC_DIR_OK ? n : 0;
	sendsec_entries_free(entries, n);
	return st;
}

enum sendsec_result sendsec_admin_token_remove(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *name, size_t *left_out, char *why, size_t whylen)
{
	struct sendsec_login l;
	struct sendsec_login_token *tokens = NULL;
	struct sendsec_val link, cls;
	struct sendsec_mod mods[3];
	size_t n = 0, k, n_mods = 0, n_codes = 0, n_others = 0;
	const struct sendsec_token *t;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	*left_out = 0;
	why[0] = '\0';
	if ((rc = begin(ctx, service, user, &l, &tokens, &n)) != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	k = name != NULL ? find_token(tokens, n, name) : n == 1 ? 0 : n;
	if (n == 0) {
		snprintf(why, whylen, "it has no token");
		goto out;
	}
	if (name == NULL && n > 1) {
		snprintf(why, whylen, "it has %zu tokens; name the one to remove (sendsecctl totp list)", n);
		goto out;
	}
	if (k == n + 1) {
		snprintf(why, whylen, "several of its tokens are named %s; give the DN instead", name);
		goto out;
	}
	if (k >= n) {
		snprintf(why, whylen, "it has no token named %s", name);
		goto out;
	}
	t = &tokens[k].t;
	/* Unlink first: from then on no login uses the token, whatever happens to its entry. */
	link = str_val(t->dn);
	mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, t->link_attr, &link, 1};
	if (strcmp(t->link_attr, "oathTOTPToken") == 0 || strcmp(t->link_attr, "oathHOTPToken") == 0) {
		cls = str_val(strcmp(t->link_attr, "oathTOTPToken") == 0 ? "oathTOTPUser" : "oathHOTPUser");
		if (sendsec_entry_has_class(l.account, cls.ptr))
			mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "objectClass", &cls, 1};
	}
	(void)sendsec_entry_values(l.account, "sendsecRecoveryCode", &n_codes);
	if (n == 1 && n_codes > 0) /* recovery codes stand in for token codes: they go with the last one */
		mods[n_mods++] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "sendsecRecoveryCode", NULL, 0};
	st = sendsec_dir_modify(l.dir, l.account->dn, mods, n_mods);
	if (st != SENDSEC_DIR_OK) {
		rc = sendsec_decide_swap(st);
		if (rc == SENDSEC_DENIED)
			snprintf(why, whylen, "the account changed meanwhile; try again");
		goto out;
	}
	*left_out = n - 1;
	rc = SENDSEC_OK;
	if (!is_token_entry(tokens[k].entry)) {
		/* Missing, or not an OATH token at all: never delete an entry that is not ours. */
		sendsec_logf(l.log, tokens[k].entry != NULL ? SENDSEC_LOG_ERROR : SENDSEC_LOG_INFO,
				"%s unlinked from %s; the entry was %s", t->dn, l.account->dn,
				tokens[k].entry != NULL ? "not an OATH token and is left in place" : "gone already");
		goto out;
	}
	/* An entry that another account (or this one, a second time) still links stays: unlinked only. */
	if ((st = count_links(&l, t->dn, &n_others)) != SENDSEC_DIR_OK || n_others > 0) {
		sendsec_logf(l.log, st == SENDSEC_DIR_OK ? SENDSEC_LOG_INFO : SENDSEC_LOG_ERROR,
				"%s unlinked from %s; the entry is left in place: %s", t->dn, l.account->dn,
				st == SENDSEC_DIR_OK ? "another link to it remains"
						     : "cannot tell whether another link to it remains");
		rc = st == SENDSEC_DIR_OK ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
		goto out;
	}
	st = sendsec_dir_delete(l.dir, t->dn);
	if (st != SENDSEC_DIR_OK && st != SENDSEC_DIR_NO_ENTRY) { /* NO_ENTRY: already gone */
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "token unlinked from %s, but its entry %s could not be deleted",
				l.account->dn, t->dn);
		rc = SENDSEC_UNAVAILABLE;
	}
out:
	sendsec_tokens_free(tokens, n);
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_hotp_resync(struct sendsec_ctx *ctx, const char *service, const char *user,
		const char *name, const char *code1, const char *code2, unsigned window, char *name_out,
		uint64_t *counter_out, char *why, size_t whylen)
{
	struct sendsec_login l;
	struct sendsec_login_token *tokens = NULL;
	unsigned char secret[SENDSEC_TOTP_SECRET_MAX];
	size_t n = 0, len = strlen(code1), matched = SIZE_MAX, n_matches = 0, n_candidates = 0;
	uint64_t counter = 0;
	enum sendsec_result rc;

	name_out[0] = '\0';
	*counter_out = 0;
	why[0] = '\0';
	if ((rc = begin(ctx, service, user, &l, &tokens, &n)) != SENDSEC_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct sendsec_token *t = &tokens[i].t;
		size_t secret_len = 0;
		uint64_t c = 0;

		if (name != NULL && strcasecmp(t->name, name) != 0 && strcasecmp(t->dn, name) != 0)
			continue;
		if (tokens[i].is_broken) {
			if (name == NULL && t->kind == SENDSEC_TOKEN_TOTP)
				continue;
			sendsec_logf(l.log, SENDSEC_LOG_ERROR, "token %s: %s", t->dn, tokens[i].problem);
			rc = SENDSEC_UNAVAILABLE;
			goto out;
		}
		if (t->kind != SENDSEC_TOKEN_HOTP || t->digits != len)
			continue;
		n_candidates++;
		if ((rc = sendsec_token_open_secret(&l, t, secret, &secret_len)) != SENDSEC_OK)
			goto out;
		rc = sendsec_hotp_resync(secret, secret_len, t->digits, t->state != NULL, t->state_value, window, code1,
				code2, &c);
		sodium_memzero(secret, sizeof(secret));
		if (rc == SENDSEC_UNAVAILABLE)
			goto out;
		if (rc == SENDSEC_OK) {
			n_matches++;
			matched = i;
			counter = c;
		}
	}
	rc = SENDSEC_DENIED;
	if (n_candidates == 0) {
		snprintf(why, whylen, "it has no HOTP token%s%s with %zu-digit codes", name != NULL ? " named " : "",
				name != NULL ? name : "", len);
		goto out;
	}
	if (n_matches == 0) {
		snprintf(why, whylen, "no HOTP token gives these two codes in a row within %u codes after its counter",
				window);
		goto out;
	}
	if (n_matches > 1) {
		snprintf(why, whylen, "%zu HOTP tokens give these two codes; name one", n_matches);
		goto out;
	}
	rc = sendsec_decide_swap(sendsec_token_swap(l.dir, &tokens[matched].t, counter));
	if (rc == SENDSEC_DENIED) {
		snprintf(why, whylen, "the token was used meanwhile; try again with two new codes");
		goto out;
	}
	if (rc != SENDSEC_OK)
		goto out;
	snprintf(name_out, SENDSEC_TOKEN_NAME_MAX + 1, "%s", tokens[matched].t.name);
	*counter_out = counter;
	sendsec_logf(l.log, SENDSEC_LOG_INFO, "token %s: HOTP counter set to %" PRIu64, tokens[matched].t.dn, counter);
out:
	sodium_memzero(secret, sizeof(secret));
	sendsec_tokens_free(tokens, n);
	sendsec_login_end(&l);
	return rc;
}

enum seal_outcome { SEAL_DONE, SEAL_ALREADY, SEAL_FAILED, SEAL_DIR_FAILED };

/* Seals e's oathSecret in place: delete the plain value + add the sealed one in one modify. */
static enum seal_outcome seal_entry(struct sendsec_login *l, const struct sendsec_entry *e)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, "oathSecret", &n);
	char *sealed = NULL;
	struct sendsec_val fresh;
	struct sendsec_mod mods[2];
	enum sendsec_dir_status st;
	enum seal_outcome out = SEAL_FAILED;

	if (n != 1 || v[0].len == 0) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "token %s has no oathSecret (or it is not readable)", e->dn);
		return SEAL_FAILED;
	}
	if (sendsec_totp_is_sealed(v[0].ptr, v[0].len))
		return SEAL_ALREADY;
	if (sendsec_totp_seal(l->s->totp_key, (const unsigned char *)v[0].ptr, v[0].len, &sealed) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "token %s: its oathSecret cannot be sealed (%zu bytes)", e->dn,
				v[0].len);
		return SEAL_FAILED;
	}
	fresh = str_val(sealed);
	mods[0] = (struct sendsec_mod){SENDSEC_MOD_DELETE, "oathSecret", &v[0], 1};
	mods[1] = (struct sendsec_mod){SENDSEC_MOD_ADD, "oathSecret", &fresh, 1};
	st = sendsec_dir_modify(l->dir, e->dn, mods, 2);
	if (st == SENDSEC_DIR_OK) {
		out = SEAL_DONE;
	} else if (st == SENDSEC_DIR_CONFLICT || st == SENDSEC_DIR_NO_ENTRY) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "token %s changed meanwhile; its secret is left as it is",
				e->dn);
	} else {
		out = SEAL_DIR_FAILED;
	}
	secret_free(sealed);
	return out;
}

enum sendsec_result sendsec_admin_token_seal(struct sendsec_ctx *ctx, const char *service, const char *user,
		size_t *sealed_out, size_t *already_out, size_t *failed_out)
{
	static const char *const attrs[] = {"objectClass", "oathSecret", NULL};
	struct sendsec_login l;
	struct sendsec_login_token *tokens = NULL;
	struct sendsec_entry **entries = NULL;
	size_t n_tokens = 0, n_entries = 0, *counts[] = {sealed_out, already_out, failed_out};
	enum sendsec_result rc;

	*sealed_out = *already_out = *failed_out = 0;
	if (user != NULL)
		rc = begin(ctx, service, user, &l, &tokens, &n_tokens);
	else
		rc = sendsec_login_begin(ctx, service, NULL, NULL, &l);
	if (rc != SENDSEC_OK)
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	if (!l.s->has_totp_key) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "totp_key_file is not set: there is no key to seal with");
		goto out;
	}
	if (user == NULL &&
			sendsec_dir_search_all(l.dir, l.s->base,
					"(|(objectClass=oathTOTPToken)(objectClass=oathHOTPToken))", attrs, &entries,
					&n_entries) != SENDSEC_DIR_OK)
		goto out;
	for (size_t i = 0; i < n_tokens + n_entries; i++) {
		const struct sendsec_entry *e = i < n_tokens ? tokens[i].entry : entries[i - n_tokens];
		enum seal_outcome o;

		if (!is_token_entry(e)) {
			if (e == NULL)
				sendsec_logf(l.log, SENDSEC_LOG_ERROR, "token %s: %s", tokens[i].t.dn,
						tokens[i].problem);
			(*failed_out)++;
			continue;
		}
		if ((o = seal_entry(&l, e)) == SEAL_DIR_FAILED)
			goto out;
		(*counts[o])++;
	}
	rc = SENDSEC_OK;
out:
	sendsec_entries_free(entries, n_entries);
	sendsec_tokens_free(tokens, n_tokens);
	sendsec_login_end(&l);
	return rc;
}
