/* account_tokens.c — reads the tokens an account links (oathTOTPToken, oathHOTPToken,
 * sendsecToken) and their params entries from the directory, parsed by token.c, for a login
 * (factor_totp.c) and for the admin commands (admin_token.c). A token that cannot be read or
 * parsed is kept and flagged, so that no caller can skip it without seeing it. One home for
 * opening a token's secret (sealed with totp_key_file, or plain only without it). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"
#include "totp.h"

void sendsec_tokens_free(struct sendsec_login_token *tokens, size_t n)
{
	for (size_t i = 0; tokens != NULL && i < n; i++)
		sendsec_entry_free(tokens[i].entry);
	free(tokens);
}

/* Marks tok broken: why, in one phrase (printf-style). */
__attribute__((format(printf, 2, 3))) static void broken(struct sendsec_login_token *tok, const char *fmt, ...)
{
	va_list ap;

	tok->is_broken = true;
	va_start(ap, fmt);
	vsnprintf(tok->problem, sizeof(tok->problem), fmt, ap);
	va_end(ap);
}

/* Reads one token and its params into tok. FAILED only when the directory fails; a missing or
 * malformed token is OK with tok broken. */
static enum sendsec_dir_status read_one(
		struct sendsec_dir *dir, const struct sendsec_token_link *link, struct sendsec_login_token *tok)
{
	struct sendsec_entry *params = NULL;
	const char *params_dn = NULL;
	char err[160];
	enum sendsec_dir_status st;

	tok->t.dn = link->dn;
	tok->t.link_attr = link->attr;
	tok->t.kind = link->kind;
	st = sendsec_dir_read(dir, link->dn, sendsec_token_attrs, &tok->entry);
	if (st == SENDSEC_DIR_NO_ENTRY) {
		broken(tok, "it does not exist (or is not readable)");
		return SENDSEC_DIR_OK;
	}
	if (st != SENDSEC_DIR_OK)
		return st;
	if (sendsec_token_parse(tok->entry, link, &tok->t, &params_dn, err, sizeof(err)) != SENDSEC_OK) {
		broken(tok, "%s", err);
		return SENDSEC_DIR_OK;
	}
	if (params_dn != NULL) {
		st = sendsec_dir_read(dir, params_dn, sendsec_token_params_attrs, &params);
		if (st == SENDSEC_DIR_NO_ENTRY) {
			broken(tok, "its params entry %s does not exist (or is not readable)", params_dn);
			return SENDSEC_DIR_OK;
		}
		if (st != SENDSEC_DIR_OK)
			return st;
	}
	if (sendsec_token_set_params(&tok->t, params, err, sizeof(err)) != SENDSEC_OK)
		broken(tok, "%s", err);
	sendsec_entry_free(params);
	return SENDSEC_DIR_OK;
}

enum sendsec_result sendsec_tokens_read(struct sendsec_dir *dir, const struct sendsec_log *log,
		const struct sendsec_entry *account, struct sendsec_login_token **tokens_out, size_t *n_out)
{
	struct sendsec_token_link links[SENDSEC_TOKENS_MAX];
	struct sendsec_login_token *tokens = NULL;
	size_t n = sendsec_token_links(account, links, SENDSEC_TOKENS_MAX), done = 0;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	*tokens_out = NULL;
	*n_out = 0;
	if (n > SENDSEC_TOKENS_MAX) {
		sendsec_logf(log, SENDSEC_LOG_ERROR, "account %s links %zu tokens, more than the %d allowed",
				account->dn, n, SENDSEC_TOKENS_MAX);
		goto out;
	}
	if (n > 0 && (tokens = calloc(n, sizeof(*tokens))) == NULL)
		goto out;
	for (; done < n; done++)
		if (sendsec_decide_data(read_one(dir, &links[done], &tokens[done])) != SENDSEC_OK)
			goto out;
	*tokens_out = tokens;
	*n_out = n;
	tokens = NULL;
	rc = SENDSEC_OK;
out:
	sendsec_tokens_free(tokens, n); /* on failure: calloc'd, so unread entries are NULL */
	return rc;
}

bool sendsec_account_has_token(const struct sendsec_login *l)
{
	return sendsec_entry_first(l->account, "oathTOTPToken") != NULL ||
			sendsec_entry_first(l->account, "oathHOTPToken") != NULL ||
			sendsec_entry_first(l->account, "sendsecToken") != NULL;
}

enum sendsec_result sendsec_login_tokens(struct sendsec_login *l)
{
	const char *name = sendsec_account_name(l);
	enum sendsec_result rc;

	if (l->tokens_read)
		return l->tokens_rc;
	l->tokens_read = true;
	rc = sendsec_tokens_read(l->dir, l->log, l->account, &l->tokens, &l->n_tokens);
	for (size_t i = 0; rc == SENDSEC_OK && i < l->n_tokens; i++) {
		const struct sendsec_login_token *tok = &l->tokens[i];

		if (!tok->is_broken)
			continue;
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s: token %s (%s): %s", name != NULL ? name : l->user,
				tok->t.dn, sendsec_token_kind_name(tok->t.kind), tok->problem);
		rc = SENDSEC_UNAVAILABLE;
	}
	if (rc == SENDSEC_OK && l->n_tokens == 0) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s has no token", name != NULL ? name : l->user);
		rc = SENDSEC_UNAVAILABLE;
	}
	l->tokens_rc = rc;
	return rc;
}

size_t sendsec_token_lengths(struct sendsec_login *l, unsigned lengths_out[3])
{
	size_t n = 0;

	if (sendsec_login_tokens(l) != SENDSEC_OK)
		return 0;
	for (unsigned digits = 6; digits <= 8; digits++) {
		bool is_used = false;

		for (size_t i = 0; i < l->n_tokens && !is_used; i++)
			is_used = l->tokens[i].t.digits == digits;
		if (is_used)
			lengths_out[n++] = digits;
	}
	return n;
}

enum sendsec_result sendsec_token_open_secret(
		const struct sendsec_login *l, const struct sendsec_token *t, unsigned char *secret, size_t *len_out)
{
	const char *name = sendsec_account_name(l);

	if (l->s->has_totp_key && !sendsec_totp_is_sealed(t->secret->ptr, t->secret->len)) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: token %s has a plain oathSecret but totp_key_file is set: refused "
				"(seal it with sendsecctl totp seal)",
				name != NULL ? name : l->user, t->dn);
		return SENDSEC_UNAVAILABLE;
	}
	if (sendsec_totp_unseal(l->s->has_totp_key ? l->s->totp_key : NULL, !l->s->has_totp_key, t->secret->ptr,
			    t->secret->len, secret, len_out) != SENDSEC_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR,
				"account %s: cannot read the secret of token %s (sealed but no or another "
				"totp_key_file, or malformed)",
				name != NULL ? name : l->user, t->dn);
		return SENDSEC_UNAVAILABLE;
	}
	return SENDSEC_OK;
}
