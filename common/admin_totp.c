/* admin_totp.c — TOTP enrollment and removal, and recovery codes (admin.h). A token is an
 * OATH-LDAP entry "cn=<random hex>,ou=tokens,<base>" (no user-provided text in any DN) that
 * points at the params entry "cn=totp-sha1-6,ou=params,<base>" (created with the defaults when
 * missing); the account links it with objectClass oathTOTPUser and oathTOTPToken. */
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
#define PARAMS_CN    "totp-sha1-6"

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

/* Reads (or creates with the defaults) the params entry; fills dn_out and *p. */
static enum sendsec_result ensure_params(struct sendsec_login *l, char dn_out[DN_MAX], struct sendsec_totp_params *p)
{
	static const char *const attrs[] = {
			"oathOTPLength", "oathHMACAlgorithm", "oathTOTPTimeStepPeriod", "oathTOTPTimeStepWindow", NULL};
	struct sendsec_entry *e = NULL;
	char digits[8], period[16], window[16];
	struct sendsec_val cls[2] = {str_val("applicationProcess"), str_val("oathTOTPParams")};
	struct sendsec_val cn = str_val(PARAMS_CN), vd, vp, vw, alg;
	struct sendsec_mod add[6] = {
			{SENDSEC_MOD_ADD, "objectClass", cls, 2},
			{SENDSEC_MOD_ADD, "cn", &cn, 1},
			{SENDSEC_MOD_ADD, "oathOTPLength", &vd, 1},
			{SENDSEC_MOD_ADD, "oathHMACAlgorithm", &alg, 1},
			{SENDSEC_MOD_ADD, "oathTOTPTimeStepPeriod", &vp, 1},
			{SENDSEC_MOD_ADD, "oathTOTPTimeStepWindow", &vw, 1},
	};
	enum sendsec_dir_status st;
	enum sendsec_result rc = SENDSEC_OK;

	if (snprintf(dn_out, DN_MAX, "cn=%s,ou=params,%s", PARAMS_CN, l->s->base) >= DN_MAX)
		return SENDSEC_UNAVAILABLE;
	st = sendsec_dir_read(l->dir, dn_out, attrs, &e);
	if (st == SENDSEC_DIR_OK) {
		if (!sendsec_totp_params_from_entry(e, p)) {
			sendsec_logf(l->log, SENDSEC_LOG_ERROR,
					"%s has an unknown oathHMACAlgorithm or a value out of range", dn_out);
			rc = SENDSEC_UNAVAILABLE;
		}
		sendsec_entry_free(e);
		return rc;
	}
	if (st != SENDSEC_DIR_NO_ENTRY)
		return SENDSEC_UNAVAILABLE;
	sendsec_totp_params_default(p);
	snprintf(digits, sizeof(digits), "%u", p->digits);
	snprintf(period, sizeof(period), "%u", p->period);
	snprintf(window, sizeof(window), "%u", p->window);
	vd = str_val(digits);
	vp = str_val(period);
	vw = str_val(window);
	alg = str_val(sendsec_totp_alg_oid(p->alg));
	if (ensure_ou(l, "params") != SENDSEC_OK)
		return SENDSEC_UNAVAILABLE;
	st = sendsec_dir_add(l->dir, dn_out, add, 6);
	if (st == SENDSEC_DIR_CONFLICT) /* created meanwhile, with the same defaults */
		st = SENDSEC_DIR_OK;
	if (st != SENDSEC_DIR_OK)
		sendsec_logf(l->log, SENDSEC_LOG_ERROR, "cannot create the TOTP params entry %s", dn_out);
	return sendsec_decide_data(st);
}

enum sendsec_result sendsec_admin_totp_enroll(
		struct sendsec_ctx *ctx, const char *service, const char *user, const char *issuer, char **uri_out)
{
	struct sendsec_login l;
	struct sendsec_totp_params p;
	unsigned char secret[SECRET_BYTES], serial[16];
	char *sealed = NULL, *uri = NULL;
	char token_dn[DN_MAX], params_dn[DN_MAX], cn[2 * sizeof(serial) + 1], step0[] = "0";
	struct sendsec_val cls[2] = {str_val("applicationProcess"), str_val("oathTOTPToken")};
	struct sendsec_val v_cn, v_secret, v_params, v_step = str_val(step0), v_account, v_user_cls, v_token;
	struct sendsec_mod token_attrs[6] = {
			{SENDSEC_MOD_ADD, "objectClass", cls, 2},
			{SENDSEC_MOD_ADD, "cn", &v_cn, 1},
			{SENDSEC_MOD_ADD, "oathSecret", &v_secret, 1},
			{SENDSEC_MOD_ADD, "oathTOTPParams", &v_params, 1},
			{SENDSEC_MOD_ADD, "oathTOTPLastTimeStep", &v_step, 1},
			{SENDSEC_MOD_ADD, "seeAlso", &v_account, 1},
	};
	struct sendsec_mod link[2] = {
			{SENDSEC_MOD_ADD, "objectClass", &v_user_cls, 1},
			{SENDSEC_MOD_ADD, "oathTOTPToken", &v_token, 1},
	};
	const char *name;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	*uri_out = NULL;
	randombytes_buf(secret, sizeof(secret));
	rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l);
	if (rc != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (sendsec_account_has_token(&l))
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	if ((name = sendsec_account_name(&l)) == NULL) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "account %s has no %s value", l.account->dn, l.s->user_attr);
		goto out;
	}
	if (ensure_params(&l, params_dn, &p) != SENDSEC_OK || ensure_ou(&l, "tokens") != SENDSEC_OK)
		goto out;
	/* The URI first: nothing is written when it cannot be made. */
	if (sendsec_totp_uri(issuer != NULL && *issuer != '\0' ? issuer : "sendsec", name, secret, sizeof(secret), &p,
			    &uri) != SENDSEC_OK)
		goto out;
	if (l.s->has_totp_key) {
		if (sendsec_totp_seal(l.s->totp_key, secret, sizeof(secret), &sealed) != SENDSEC_OK)
			goto out;
		v_secret = str_val(sealed);
	} else {
		v_secret = (struct sendsec_val){(const char *)secret, sizeof(secret)};
	}
	randombytes_buf(serial, sizeof(serial));
	sodium_bin2hex(cn, sizeof(cn), serial, sizeof(serial));
	if (snprintf(token_dn, sizeof(token_dn), "cn=%s,ou=tokens,%s", cn, l.s->base) >= (int)sizeof(token_dn))
		goto out;
	v_cn = str_val(cn);
	v_params = str_val(params_dn);
	v_account = str_val(l.account->dn);
	v_user_cls = str_val("oathTOTPUser");
	v_token = str_val(token_dn);
	if (sendsec_dir_add(l.dir, token_dn, token_attrs, 6) != SENDSEC_DIR_OK) {
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "cannot add the token entry %s", token_dn);
		goto out;
	}
	st = sendsec_dir_modify(l.dir, l.account->dn, link, 2);
	if (st != SENDSEC_DIR_OK) {
		/* CONFLICT: another enrollment linked a token first. Either way, drop ours. */
		if (sendsec_dir_delete(l.dir, token_dn) != SENDSEC_DIR_OK)
			sendsec_logf(l.log, SENDSEC_LOG_ERROR, "could not delete the unlinked token entry %s",
					token_dn);
		rc = sendsec_decide_swap(st);
		goto out;
	}
	rc = SENDSEC_OK;
	*uri_out = uri;
	uri = NULL;
out:
	secret_free(uri);
	secret_free(sealed);
	sodium_memzero(secret, sizeof(secret));
	sendsec_login_end(&l);
	return rc;
}

enum sendsec_result sendsec_admin_totp_remove(struct sendsec_ctx *ctx, const char *service, const char *user)
{
	struct sendsec_login l;
	struct sendsec_val cls = str_val("oathTOTPUser"), link;
	struct sendsec_mod mods[3] = {
			{SENDSEC_MOD_DELETE, "objectClass", &cls, 1},
			{SENDSEC_MOD_DELETE, "oathTOTPToken", &link, 1},
			{SENDSEC_MOD_DELETE, "sendsecRecoveryCode", NULL, 0},
	};
	size_t n_codes;
	char *token_dn = NULL;
	enum sendsec_dir_status st;
	enum sendsec_result rc;

	rc = sendsec_login_find_account(ctx, service, user, NULL, NULL, &l);
	if (rc != SENDSEC_OK)
		goto out;
	rc = SENDSEC_DENIED;
	if (!sendsec_account_has_token(&l))
		goto out;
	rc = SENDSEC_UNAVAILABLE;
	if ((token_dn = strdup(sendsec_entry_first(l.account, "oathTOTPToken"))) == NULL)
		goto out;
	link = str_val(token_dn);
	(void)sendsec_entry_values(l.account, "sendsecRecoveryCode", &n_codes);
	if (!sendsec_entry_has_class(l.account, "oathTOTPUser"))
		mods[0].vals = NULL; /* not expected: the class requires the link */
	/* Unlink first: from then on no login uses the token, whatever happens to its entry. */
	st = sendsec_dir_modify(l.dir, l.account->dn, mods[0].vals != NULL ? mods : mods + 1,
			(mods[0].vals != NULL ? 3 : 2) - (n_codes == 0 ? 1 : 0));
	if (st != SENDSEC_DIR_OK) {
		rc = sendsec_decide_swap(st); /* DENIED: removed meanwhile */
		goto out;
	}
	st = sendsec_dir_delete(l.dir, token_dn);
	rc = SENDSEC_OK;
	if (st != SENDSEC_DIR_OK && st != SENDSEC_DIR_NO_ENTRY) { /* NO_ENTRY: already gone */
		sendsec_logf(l.log, SENDSEC_LOG_ERROR, "token unlinked from %s, but its entry %s could not be deleted",
				l.account->dn, token_dn);
		rc = SENDSEC_UNAVAILABLE;
	}
out:
	free(token_dn);
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
