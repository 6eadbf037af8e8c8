/* admin_totp.c — enrollment of TOTP and HOTP tokens, and recovery codes (admin.h). A token is an
 * OATH-LDAP entry "cn=<random hex>,ou=tokens,<base>" (no user-provided text in any DN; a name given
 * with --name is a second cn value) that points at its params entry ("cn=totp-sha1-6" or
 * "cn=hotp-sha1-<digits>" under ou=params, created with the defaults when missing). The account's
 * first token of a kind is linked with oathTOTPToken (class oathTOTPUser) or oathHOTPToken (class
 * oathHOTPUser), so that slapd's otp module sees it too; every further one with sendsecToken. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "login.h"
#include "recovery.h"
#include "secret.h"

#define DN_MAX       1024
#define SECRET_BYTES 20

static struct sendsec_val str_val(const char *s)
{
	return (struct sendsec_val){s, strlen(s)};
}

/* Makes sure "ou=<ou>,<base>" exists (an organizationalUnit is added when missing). */
static enum sendsec_result ensure_ou(struct sendsec_login *l, const char *ou)
{
	static const char *const attrs[] = {"ou", NULL};
	char dn[DN_MAX];
	struct sendsec_entry *e = NULL;
	struct sendsec_val cls = str_val("organizationalUnit"), name = str_val(ou);
	struct sendsec_mod add[2] = {
			{SENDSEC_MOD_ADD, "objectClass", &cls, 1},
			{SENDSEC_MOD_ADD, "ou", &name, 1},
	};
	enum sendsec_dir_status st;

	if (snprintf(dn, sizeof(dn), "ou=%s,%s", ou, l->s->base) >= (int)sizeof(dn))
		return SENDSEC_UNAVAILABLE;
	st = sendsec_dir_read(l->dir, dn, attrs, &e);
	sendsec_entry_free(e);
	if (st == SENDSEC_DIR_NO_ENTRY) {
		st = sendsec_dir_add(l->dir, dn, add, 2);
		if (st == SENDSEC_DIR_CONFLICT) /* added meanwhile */
			st = SENDSEC_DIR_OK;
		if (st != SENDSEC_DIR_OK)
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "cannot create %s (may the service account add it?)",
					dn);
	}
	return sendsec_decide_data(st);
}

/* Reads (or creates with the defaults) the params entry cn=<cn>,ou=params of kind with codes of
 * digits; fills dn_out and checks what an existing entry says (class, range, length). */
static enum sendsec_result ensure_params(
		struct sendsec_login *l, enum sendsec_token_kind kind, unsigned digits, char dn_out[DN_MAX])
{
	struct sendsec_entry *e = NULL;
	struct sendsec_token probe = {.kind = kind};
	struct sendsec_totp_params tp;
	char cn[32], n_digits[8], period[16], window[16], lookahead[16], err[192];
	struct sendsec_val cls[2] = {str_val("applicationProcess"),
			str_val(kind == SENDSEC_TOKEN_TOTP ? "oathTOTPParams" : "oathHOTPParams")};
	struct sendsec_val v_cn, vd, vp, vw, vl, alg = str_val(sendsec_totp_alg_oid(SENDSEC_TOTP_SHA1));
	struct sendsec_mod add[6] = {
			{SENDSEC_MOD_ADD, "objectClass", cls, 2},
			{SENDSEC_MOD_ADD, "cn", &v_cn, 1},
			{SENDSEC_MOD_ADD, "oathOTPLength", &vd, 1},
			{SENDSEC_MOD_ADD, "oathHMACAlgorithm", &alg, 1},
	};
	size_t n_add = 4;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	snprintf(cn, sizeof(cn), "%s-sha1-%u", kind == SENDSEC_TOKEN_TOTP ? "totp" : "hotp", digits);
	if (snprintf(dn_out, DN_MAX, "cn=%s,ou=params,%s", cn, l->s->base) >= DN_MAX)
		return SENDSEC_UNAVAILABLE;
	st = sendsec_dir_read(l->dir, dn_out, sendsec_token_params_attrs, &e);
	if (st == SENDSEC_DIR_OK) {
		rc = sendsec_token_set_params(&probe, e, err, sizeof(err));
		if (rc == SENDSEC_OK && probe.digits != digits) {
			snprintf(err, sizeof(err), "its oathOTPLength is %u, not %u", probe.digits, digits);
			rc = SENDSEC_UNAVAILABLE;
		}
		if (rc != SENDSEC_OK)
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "params entry %s: %s", dn_out, err);
		sendsec_entry_free(e);
		return rc;
	}
	if (st != SENDSEC_DIR_NO_ENTRY)
		return SENDSEC_UNAVAILABLE;
	v_cn = str_val(cn);
	snprintf(n_digits, sizeof(n_digits), "%u", digits);
	vd = str_val(n_digits);
	if (kind == SENDSEC_TOKEN_TOTP) {
		sendsec_totp_params_default(&tp);
		snprintf(period, sizeof(period), "%u", tp.period);
		snprintf(window, sizeof(window), "%u", tp.window);
		vp = str_val(period);
		vw = str_val(window);
		add[n_add++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "oathTOTPTimeStepPeriod", &vp, 1};
		add[n_add++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "oathTOTPTimeStepWindow", &vw, 1};
	} else {
		snprintf(lookahead, sizeof(lookahead), "%u", SENDSEC_HOTP_LOOKAHEAD_DEFAULT);
		vl = str_val(lookahead);
		add[n_add++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "oathHOTPLookAhead", &vl, 1};
	}
	if (ensure_ou(l, "params") != SENDSEC_OK)
		return SENDSEC_UNAVAILABLE;
	st = sendsec_dir_add(l->dir, dn_out, add, n_add);
	if (st == SENDSEC_DIR_CONFLICT) /* created meanwhile, with the same defaults */
		st = SENDSEC_DIR_OK;
	if (st != SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "cannot create the params entry %s", dn_out);
	return sendsec_decide_data(st);
}

/* What a new token entry holds. */
struct new_token {
	enum sendsec_token_kind kind;
	const char *name; /* or NULL */
	const char *params_dn;
	const unsigned char *secret;
	size_t secret_len;
	bool has_state;
	uint64_t state; /* TOTP: last step used; HOTP: counter of the last code */
};

/* DENIED (why) when one of the account's tokens has this secret already: each token keeps its own
 * replay state, so a seed enrolled twice would let every code of it work twice. UNAVAILABLE when
 * a token's secret cannot be opened (then it is not known to differ). */
static enum sendsec_result check_seed_unused(struct sendsec_login *l, const struct sendsec_login_token *tokens,
		size_t n, const unsigned char *seed, size_t seed_len, char *why, size_t whylen)
{
	unsigned char secret[SENDSEC_TOTP_SECRET_MAX];
	enum sendsec_result rc = SENDSEC_OK;

	for (size_t i = 0; i < n && rc == SENDSEC_OK; i++) {
		size_t len = 0;

		if (tokens[i].is_broken) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "token %s: %s", tokens[i].t.dn, tokens[i].problem);
			rc = SENDSEC_UNAVAILABLE;
		} else if ((rc = sendsec_token_open_secret(l, &tokens[i].t, secret, &len)) == SENDSEC_OK &&
				len == seed_len && sodium_memcmp(secret, seed, len) == 0) {
			snprintf(why, whylen, "its token %s has this secret already",
					tokens[i].t.name[0] != '\0' ? tokens[i].t.name : tokens[i].t.dn);
			rc = SENDSEC_DENIED;
		}
		sodium_memzero(secret, sizeof(secret));
	}
	return rc;
}

/* Refuses a new token the account cannot take: a bad or taken name, no name beside existing
 * tokens, too many tokens, a given seed (NULL: a fresh one) that a token has already. DENIED
 * with why, or UNAVAILABLE when they cannot be read. */
static enum sendsec_result check_room(struct sendsec_login *l, const char *name, const unsigned char *seed,
		size_t seed_len, char *why, size_t whylen)
{
	struct sendsec_login_token *tokens = NULL;
	size_t n = 0;
	enum sendsec_result rc;

	if (name != NULL && !sendsec_token_name_valid(name)) {
		snprintf(why, whylen, "a token name is 1 to %d characters of A-Z a-z 0-9 . _ -",
				SENDSEC_TOKEN_NEW_NAME_MAX);
		return SENDSEC_DENIED;
	}
	if ((rc = sendsec_tokens_read(l->dir, l->log, l->account, &tokens, &n)) != SENDSEC_OK)
		return rc;
	rc = SENDSEC_DENIED;
	if (n > 0 && name == NULL) {
		snprintf(why, whylen, "it has %zu token(s) already; give the new one a name (--name)", n);
	} else if (n >= SENDSEC_TOKENS_MAX) {
		snprintf(why, whylen, "it has %zu tokens, the most an account may have", n);
	} else {
		rc = SENDSEC_OK;
		for (size_t i = 0; i < n && name != NULL && rc == SENDSEC_OK; i++) {
			if (strcasecmp(tokens[i].t.name, name) == 0) {
				snprintf(why, whylen, "it has a token named %s already", tokens[i].t.name);
				rc = SENDSEC_DENIED;
			}
		}
		if (rc == SENDSEC_OK && seed != NULL)
			rc = check_seed_unused(l, tokens, n, seed, seed_len, why, whylen);
	}
	sendsec_tokens_free(tokens, n);
	return rc;
}

/* Adds the token entry and links it from the account; on any failure after the add, deletes
 * the entry again. DENIED (why) when the account changed meanwhile. */
static enum sendsec_result create_and_link(struct sendsec_login *l, const struct new_token *t, char *why, size_t whylen)
{
	bool is_totp = t->kind == SENDSEC_TOKEN_TOTP;
	const char *oath_link = is_totp ? "oathTOTPToken" : "oathHOTPToken";
	const char *user_class = is_totp ? "oathTOTPUser" : "oathHOTPUser";
	unsigned char serial[16];
	char *sealed = NULL, token_dn[DN_MAX], serial_hex[2 * sizeof(serial) + 1], state[24];
	struct sendsec_val cls[2] = {
			str_val("applicationProcess"), str_val(is_totp ? "oathTOTPToken" : "oathHOTPToken")};
	struct sendsec_val cn[2], v_secret, v_params, v_state, v_account, v_link, v_class;
	struct sendsec_mod attrs[6] = {
			{SENDSEC_MOD_ADD, "objectClass", cls, 2},
			{SENDSEC_MOD_ADD, "cn", cn, t->name != NULL ? 2 : 1},
			{SENDSEC_MOD_ADD, "oathSecret", &v_secret, 1},
			{SENDSEC_MOD_ADD, is_totp ? "oathTOTPParams" : "oathHOTPParams", &v_params, 1},
			{SENDSEC_MOD_ADD, "seeAlso", &v_account, 1},
			{SENDSEC_MOD_ADD, sendsec_token_state_attr(t->kind), &v_state, 1},
	};
	struct sendsec_mod link[2];
	size_t n_link = 0;
	bool is_first = sendsec_entry_first(l->account, oath_link) == NULL;
	enum sendsec_dir_status st;
	enum sendsec_result rc = SENDSEC_UNAVAILABLE;

	randombytes_buf(serial, sizeof(serial));
	sodium_bin2hex(serial_hex, sizeof(serial_hex), serial, sizeof(serial));
	if (snprintf(token_dn, sizeof(token_dn), "cn=%s,ou=tokens,%s", serial_hex, l->s->base) >= (int)sizeof(token_dn))
		goto out;
	if (l->s->has_totp_key) {
		if (sendsec_totp_seal(l->s->totp_key, t->secret, t->secret_len, &sealed) != SENDSEC_OK)
			goto out;
		v_secret = str_val(sealed);
	} else {
		v_secret = (struct sendsec_val){(const char *)t->secret, t->secret_len};
	}
	cn[0] = str_val(serial_hex);
	if (t->name != NULL)
		cn[1] = str_val(t->name);
	v_params = str_val(t->params_dn);
	v_account = str_val(l->account->dn);
	snprintf(state, sizeof(state), "%" PRIu64, t->state);
	v_state = str_val(state);
	if (ensure_ou(l, "tokens") != SENDSEC_OK)
		goto out;
	if (sendsec_dir_add(l->dir, token_dn, attrs, t->has_state ? 6 : 5) != SENDSEC_DIR_OK) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "cannot add the token entry %s", token_dn);
		goto out;
	}
	/* The first token of its kind takes the OATH-LDAP link; further ones sendsecToken. */
	v_link = str_val(token_dn);
	if (is_first) {
		v_class = str_val(user_class);
		if (!sendsec_entry_has_class(l->account, user_class))
			link[n_link++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &v_class, 1};
		link[n_link++] = (struct sendsec_mod){SENDSEC_MOD_ADD, oath_link, &v_link, 1};
	} else {
		v_class = str_val("sendsecAccount");
		if (!sendsec_entry_has_class(l->account, "sendsecAccount"))
			link[n_link++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "objectClass", &v_class, 1};
		link[n_link++] = (struct sendsec_mod){SENDSEC_MOD_ADD, "sendsecToken", &v_link, 1};
	}
	st = sendsec_dir_modify(l->dir, l->account->dn, link, n_link);
	if (st != SENDSEC_DIR_OK) {
		/* CONFLICT: another enrollment linked a token first. Either way, drop ours. */
		if (sendsec_dir_delete(l->dir, token_dn) != SENDSEC_DIR_OK)
			sendsec_logf(l->log, SENDSEC_LOG_ERROR, "could not delete the unlinked token entry %s",
					token_dn);
		rc = sendsec_decide_swap(st);
		if (rc == SENDSEC_DENIED)
			snprintf(why, whylen, "the account changed meanwhile; try again");
		goto out;
	}
	sendsec_logf(l->log, SENDSEC_LOG_INFO, "account %s: %s token %s (%s) linked with %s", sendsec_account_name(l),
			sendsec_token_kind_name(t->kind), t->name != NULL ? t->name : serial_hex, token_dn,
			is_first ? oath_link : "sendsecToken");
	rc = SENDSEC_OK;
out:
	secret_free(sealed);
	return rc;
}

/* Finds the account and its name, for an enrollment. */
static enum sendsec_result begin(struct sendsec_ctx *ctx, const char *service, const char *user,
		struct sendsec_login *l, const char **name_out)
{
	enum sendsec_result rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, l);

	if (rc != SENDSEC_OK)
		return rc;
	if ((*name_out = sendsec_account_name(l)) == NULL) {
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "account %s has no %s value", l->account->dn, l->s->user_attr);
		return SENDSEC_UNAVAILABLE;
	}
	return SENDSEC_OK;
}

enum sendsec_result sendsec_admin_totp_enroll(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_token_request *req, char **uri_out, char *why, size_t whylen)
{
	struct sendsec_login l;
	struct sendsec_totp_params p;
	unsigned char secret[SECRET_BYTES];
	char *uri = NULL, params_dn[DN_MAX];
	const char *name = NULL, *issuer = req->issuer != NULL && req->issuer[0] != '\0' ? req->issuer : "sendsec";
	struct new_token t = {.kind = SENDSEC_TOKEN_TOTP,
			.name = req->name,
			.params_dn = params_dn,
			.secret = secret,
			.secret_len = sizeof(secret),
			.has_state = true}; /* step 0: a code is never that old */
	enum sendsec_result rc;

	*uri_out = NULL;
	why[0] = '\0';
	randombytes_buf(secret, sizeof(secret));
	if ((rc = begin(ctx, service, user, &l, &name)) != SENDSEC_OK ||
			(rc = check_room(&l, req->name, NULL, 0, why, whylen)) != SENDSEC_OK)
		goto out;
	sendsec_totp_params_default(&p);
	if ((rc = ensure_params(&l, SENDSEC_TOKEN_TOTP, p.digits, params_dn)) != SENDSEC_OK)
		goto out;
	/* The URI first: nothing is written when it cannot be made. */
	if ((rc = sendsec_totp_uri(issuer, name, secret, sizeof(secret), &p, &uri)) != SENDSEC_OK)
		goto out;
	if ((rc = create_and_link(&l, &t, why, whylen)) != SENDSEC_OK)
		goto out;
	*uri_out = uri;
	uri = NULL;
out:
	secret_free(uri);
	sodium_memzero(secret, sizeof(secret));
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_hotp_enroll(struct sendsec_ctx *ctx, const char *service, const char *user,
		const struct sendsec_token_request *req, char **uri_out, char *secret_hex_out, char *why, size_t whylen)
{
	struct sendsec_login l = {0};
	unsigned char fresh[SECRET_BYTES];
	char *uri = NULL, params_dn[DN_MAX];
	const char *name = NULL, *issuer = req->issuer != NULL && req->issuer[0] != '\0' ? req->issuer : "sendsec";
	unsigned digits = req->digits != 0 ? req->digits : 6;
	bool is_fresh = req->secret == NULL;
	struct new_token t = {.kind = SENDSEC_TOKEN_HOTP,
			.name = req->name,
			.params_dn = params_dn,
			.secret = is_fresh ? fresh : req->secret,
			.secret_len = is_fresh ? sizeof(fresh) : req->secret_len,
			/* oathHOTPCounter holds the counter of the last code used: none before code 0. */
			.has_state = req->counter > 0,
			.state = req->counter > 0 ? req->counter - 1 : 0};
	enum sendsec_result rc;

	*uri_out = NULL;
	secret_hex_out[0] = '\0';
	why[0] = '\0';
	randombytes_buf(fresh, sizeof(fresh));
	rc = SENDSEC_DENIED;
	if (digits != 6 && digits != 8) {
		snprintf(why, whylen, "an HOTP token has 6 or 8 digits");
		goto out;
	}
	if (!is_fresh && (req->secret_len < 16 || req->secret_len > 64)) {
		snprintf(why, whylen, "an HOTP secret has 16 to 64 bytes (32 to 128 hex digits)");
		goto out;
	}
	if (req->counter > SENDSEC_HOTP_COUNTER_MAX) {
		snprintf(why, whylen, "the counter is out of range");
		goto out;
	}
	if ((rc = begin(ctx, service, user, &l, &name)) != SENDSEC_OK ||
			(rc = check_room(&l, req->name, is_fresh ? NULL : req->secret, req->secret_len, why, whylen)) !=
					SENDSEC_OK ||
			(rc = ensure_params(&l, SENDSEC_TOKEN_HOTP, digits, params_dn)) != SENDSEC_OK)
		goto out;
	if (is_fresh &&
			(rc = sendsec_hotp_uri(issuer, name, fresh, sizeof(fresh), digits, req->counter, &uri)) !=
					SENDSEC_OK)
		goto out;
	if ((rc = create_and_link(&l, &t, why, whylen)) != SENDSEC_OK)
		goto out;
	if (is_fresh) {
		sodium_bin2hex(secret_hex_out, 2 * sizeof(fresh) + 1, fresh, sizeof(fresh));
		*uri_out = uri;
		uri = NULL;
	}
out:
	secret_free(uri);
	sodium_memzero(fresh, sizeof(fresh));
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_recovery(struct sendsec_ctx *ctx, const char *service, const char *user,
		char codes_out[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_CODE_MAX])
{
	struct sendsec_login l;
	char norm[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_NORM_LEN + 1];
	char stored[SENDSEC_RECOVERY_CODES][SENDSEC_RECOVERY_STORED_MAX];
	struct sendsec_val vals[SENDSEC_RECOVERY_CODES], cls = str_val("sendsecAccount");
	struct sendsec_mod mods[2] = {
			{SENDSEC_MOD_REPLACE, "sendsecRecoveryCode", vals, SENDSEC_RECOVERY_CODES},
			{SENDSEC_MOD_ADD, "objectClass", &cls, 1},
	};
	enum sendsec_result rc;

	_Static_assert(SENDSEC_RECOVERY_PRINTED_LEN < SENDSEC_RECOVERY_CODE_MAX, "recovery code buffer too small");
	memset(codes_out, 0, SENDSEC_RECOVERY_CODES * SENDSEC_RECOVERY_CODE_MAX);
	memset(norm, 0, sizeof(norm));
	memset(stored, 0, sizeof(stored));
	rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l);
	if (rc != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED; /* recovery codes stand in for TOTP codes: no token, no codes */
	if (!sendsec_account_has_token(&l))
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	for (size_t i = 0; i < SENDSEC_RECOVERY_CODES; i++) {
		bool is_unique;

		do { /* indexes are unique within the set, so a login finds exactly one value */
			sendsec_recovery_generate(codes_out[i], norm[i]);
			is_unique = true;
			for (size_t j = 0; j < i; j++)
				if (memcmp(norm[i], norm[j], SENDSEC_RECOVERY_INDEX_LEN) == 0)
					is_unique = false;
		} while (!is_unique);
		if (sendsec_recovery_store(norm[i], l.s->argon2_opslimit, l.s->argon2_memlimit_kib, stored[i],
				    sizeof(stored[i])) != SENDSEC_OK)
			goto out;
		vals[i] = str_val(stored[i]);
	}
	rc = sendsec_decide_data(sendsec_dir_modify(
			l.dir, l.account->dn, mods, sendsec_entry_has_class(l.account, "sendsecAccount") ? 1 : 2));
out:
	if (rc != SENDSEC_OK)
		sodium_memzero(codes_out, SENDSEC_RECOVERY_CODES * SENDSEC_RECOVERY_CODE_MAX);
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(stored, sizeof(stored));
	sendsec_login_end(&l);
	return rc;
}
