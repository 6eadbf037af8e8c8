/* dir.c — the directory layer over libldap: connection with failover, TLS and service bind, and
 * the few operations the engine needs (search, read, modify, add, delete, bind check, password
 * modify), answered with enum sendsec_dir_status. Each operation that finds the server gone
 * reconnects once and retries; every other error is SENDSEC_DIR_FAILED. Values copied out of the
 * directory are wiped when freed. */
#include "dir.h"

#include <arpa/inet.h>
#include <ldap.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "secret.h"
#include "tls.h"
#include "utf8.h"

struct sendsec_dir {
	const struct sendsec_settings *s;
	const struct sendsec_log *log;
	LDAP *ld;         /* NULL while disconnected */
	size_t uri_index; /* the URI the current connection uses */
	unsigned long searches;
	void *tls_ctx; /* libldap's TLS context shared by every connection; NULL: none could be built */
};

const char *sendsec_dir_status_name(enum sendsec_dir_status st)
{
	switch (st) {
	case SENDSEC_DIR_OK: return "ok";
	case SENDSEC_DIR_NO_ENTRY: return "no_entry";
	case SENDSEC_DIR_CONFLICT: return "conflict";
	case SENDSEC_DIR_BAD_CREDENTIALS: return "bad_credentials";
	case SENDSEC_DIR_REFUSED: return "refused";
	case SENDSEC_DIR_FAILED: return "failed";
	}
	return "failed";
}

/* Drops one reference to a TLS context from LDAP_OPT_X_TLS_CTX (which takes one). Exported by
 * libldap 2.5 (and slapd's own use) but declared only in its private ldap_pvt.h. */
void ldap_pvt_tls_ctx_free(void *ctx);

static void load_tls(struct sendsec_dir *d);

enum sendsec_dir_status sendsec_dir_new(
		const struct sendsec_settings *s, const struct sendsec_log *log, struct sendsec_dir **out)
{
	struct sendsec_dir *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL)
		return SENDSEC_DIR_FAILED;
	d->s = s;
	d->log = log;
	load_tls(d);
	*out = d;
	return SENDSEC_DIR_OK;
}

static void disconnect(struct sendsec_dir *d)
{
	if (d->ld != NULL)
		ldap_unbind_ext_s(d->ld, NULL, NULL);
	d->ld = NULL;
}

void sendsec_dir_free(struct sendsec_dir *d)
{
	if (d == NULL)
		return;
	disconnect(d);
	if (d->tls_ctx != NULL)
		ldap_pvt_tls_ctx_free(d->tls_ctx);
	free(d);
}

unsigned long sendsec_dir_search_count(const struct sendsec_dir *d)
{
	return d->searches;
}

/* True for ldap:// URIs whose host is a loopback address or localhost. */
static bool is_loopback_uri(const char *uri)
{
	LDAPURLDesc *u = NULL;
	bool loop = false;
	unsigned char a6[16];
	struct in_addr a4;

	if (ldap_url_parse(uri, &u) != LDAP_URL_SUCCESS)
		return false;
	if (u->lud_host == NULL || u->lud_host[0] == '\0' || strcmp(u->lud_host, "localhost") == 0)
		loop = true;
	else if (inet_pton(AF_INET, u->lud_host, &a4) == 1)
		loop = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, u->lud_host, a6) == 1)
		loop = memcmp(a6, in6addr_loopback.s6_addr, 16) == 0;
	ldap_free_urldesc(u);
	return loop;
}

static int reqcert_value(enum sendsec_reqcert r)
{
	switch (r) {
	case SENDSEC_REQCERT_NEVER: return LDAP_OPT_X_TLS_NEVER;
	case SENDSEC_REQCERT_ALLOW: return LDAP_OPT_X_TLS_ALLOW;
	case SENDSEC_REQCERT_TRY: return LDAP_OPT_X_TLS_TRY;
	case SENDSEC_REQCERT_DEMAND: return LDAP_OPT_X_TLS_DEMAND;
	}
	return LDAP_OPT_X_TLS_DEMAND;
}

/* Builds, now, the TLS context that every connection of this handle shares: the CA file, the
 * client certificate and key are read here and never again. The CA file is tls_cacert, else the
 * system bundle (tls.h): NEWCTX starts from nothing, not from libldap's defaults. The SASL
 * plugin creates its handles while the application is still root; Postfix's smtpd then runs as
 * postfix in a chroot where these files cannot be opened. libldap reads the files in LDAP_OPT_X_TLS_NEWCTX on a template
 * handle; LDAP_OPT_X_TLS_CTX hands the context out (one reference, released in
 * sendsec_dir_free) and sets it on each connection (one reference each, released by unbind).
 * Without a URI that needs TLS, nothing is built; on failure d->tls_ctx stays NULL and
 * open_uri refuses every URI that needs TLS. */
static void load_tls(struct sendsec_dir *d)
{
	const struct sendsec_settings *s = d->s;
	int reqcert = reqcert_value(s->tls_reqcert), zero = 0, rc;
	char err[512];
	LDAP *t = NULL;

	if (!sendsec_tls_is_needed(s))
		return;
	if (sendsec_tls_check_files(s, err, sizeof(err)) != SENDSEC_OK) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "%s", err);
		goto fail;
	}
	if ((rc = ldap_initialize(&t, NULL)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot create a TLS template handle: %s", ldap_err2string(rc));
		goto fail;
	}
	if (ldap_set_option(t, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert) != LDAP_OPT_SUCCESS ||
			ldap_set_option(t, LDAP_OPT_X_TLS_CACERTFILE, sendsec_tls_cacert(s)) != LDAP_OPT_SUCCESS ||
			(s->tls_cert != NULL &&
					ldap_set_option(t, LDAP_OPT_X_TLS_CERTFILE, s->tls_cert) != LDAP_OPT_SUCCESS) ||
			(s->tls_key != NULL &&
					ldap_set_option(t, LDAP_OPT_X_TLS_KEYFILE, s->tls_key) != LDAP_OPT_SUCCESS) ||
			ldap_set_option(t, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS ||
			ldap_get_option(t, LDAP_OPT_X_TLS_CTX, &d->tls_ctx) != LDAP_OPT_SUCCESS || d->tls_ctx == NULL) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"cannot build the TLS context from tls_cacert, tls_cert and tls_key (a file that is "
				"not PEM, or a key that does not match the certificate?)");
		goto fail;
	}
	ldap_unbind_ext_s(t, NULL, NULL);
	return;
fail:
	if (t != NULL)
		ldap_unbind_ext_s(t, NULL, NULL);
	sendsec_logf(d->log, SENDSEC_LOG_ERROR, "no TLS: connections to ldaps:// or with starttls will be refused");
}

/* Opens a connection to one URI with options and TLS but no bind. Returns the handle or NULL. */
static LDAP *open_uri(struct sendsec_dir *d, const char *uri)
{
	const struct sendsec_settings *s = d->s;
	LDAP *ld = NULL;
	int version = LDAP_VERSION3, reqcert = reqcert_value(s->tls_reqcert), rc;
	struct timeval tv = {.tv_sec = s->timeout, .tv_usec = 0};
	bool is_ldap = strncasecmp(uri, "ldap://", 7) == 0;

	if (is_ldap && !s->starttls && !is_loopback_uri(uri)) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR,
				"refusing %s: plain ldap:// to a non-loopback host needs 'starttls yes' (or use "
				"ldaps:// or ldapi://)",
				uri);
		return NULL;
	}
	if (sendsec_tls_uri_needs_tls(s, uri) && d->tls_ctx == NULL) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "refusing %s: no TLS context (see the error at load)", uri);
		return NULL;
	}
	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot use uri %s: %s", uri, ldap_err2string(rc));
		return NULL;
	}
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
			ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &reqcert) != LDAP_OPT_SUCCESS ||
			(d->tls_ctx != NULL &&
					ldap_set_option(ld, LDAP_OPT_X_TLS_CTX, d->tls_ctx) != LDAP_OPT_SUCCESS)) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot set LDAP options for %s", uri);
		goto fail;
	}
	if (is_ldap && s->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "StartTLS with %s failed: %s", uri, ldap_err2string(rc));
		goto fail;
	}
	return ld;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

static int service_bind(struct sendsec_dir *d, LDAP *ld)
{
	const struct sendsec_settings *s = d->s;
	static char empty[] = "";
	struct berval cred = {0, NULL};

	if (s->sasl_mech != NULL) {
		/* EXTERNAL is client-first: send an empty initial response (no authzid, use the derived
		 * identity). Without credentials slapd answers saslBindInProgress and waits for it. */
		cred.bv_val = empty;
		return ldap_sasl_bind_s(ld, NULL, s->sasl_mech, &cred, NULL, NULL, NULL);
	}
	if (s->binddn != NULL && s->bindpw != NULL) {
		cred.bv_val = s->bindpw;
		cred.bv_len = strlen(s->bindpw);
	}
	return ldap_sasl_bind_s(ld, s->binddn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

enum sendsec_dir_status sendsec_dir_connect(struct sendsec_dir *d)
{
	int rc;

	if (d->ld != NULL)
		return SENDSEC_DIR_OK;
	for (size_t i = 0; i < d->s->uri.n; i++) {
		LDAP *ld = open_uri(d, d->s->uri.items[i]);

		if (ld == NULL)
			continue;
		if ((rc = service_bind(d, ld)) != LDAP_SUCCESS) {
			sendsec_logf(d->log, SENDSEC_LOG_ERROR, "service bind to %s failed: %s", d->s->uri.items[i],
					ldap_err2string(rc));
			ldap_unbind_ext_s(ld, NULL, NULL);
			continue;
		}
		d->ld = ld;
		d->uri_index = i;
		sendsec_logf(d->log, SENDSEC_LOG_DEBUG, "connected to %s", d->s->uri.items[i]);
		return SENDSEC_DIR_OK;
	}
	sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory unavailable: none of %zu uri(s) answered", d->s->uri.n);
	return SENDSEC_DIR_FAILED;
}

/* True when rc means the connection is gone and a reconnect may help. */
static bool is_gone(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

static void log_op_error(struct sendsec_dir *d, const char *op, int rc)
{
	sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory %s failed: %s", op, ldap_err2string(rc));
}

static void entry_clear_values(struct sendsec_attr *a)
{
	for (size_t j = 0; j < a->n; j++)
		secret_free_n((void *)a->vals[j].ptr, a->vals[j].len + 1);
	free(a->vals);
	free(a->name);
}

void sendsec_entry_free(struct sendsec_entry *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n_attrs; i++)
		entry_clear_values(&e->attrs[i]);
	free(e->attrs);
	free(e->dn);
	free(e);
}

void sendsec_entries_free(struct sendsec_entry **entries, size_t n)
{
	if (entries == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		sendsec_entry_free(entries[i]);
	free(entries);
}

static bool copy_values(struct sendsec_attr *a, struct berval **bv)
{
	size_t n = ldap_count_values_len(bv);

	if ((a->vals = calloc(n ? n : 1, sizeof(*a->vals))) == NULL)
		return false;
	for (size_t j = 0; j < n; j++) {
		char *p = malloc(bv[j]->bv_len + 1);

		if (p == NULL)
			return false;
		memcpy(p, bv[j]->bv_val, bv[j]->bv_len);
		p[bv[j]->bv_len] = '\0';
		a->vals[j].ptr = p;
		a->vals[j].len = bv[j]->bv_len;
		a->n = j + 1;
	}
	return true;
}

/* Copies one LDAPMessage entry into our own structure (so no libldap memory leaks out). */
static struct sendsec_entry *copy_entry(LDAP *ld, LDAPMessage *msg)
{
	struct sendsec_entry *e = calloc(1, sizeof(*e));
	BerElement *ber = NULL;
	char *dn = NULL, *name;
	bool ok = false;

	if (e == NULL || (dn = ldap_get_dn(ld, msg)) == NULL || (e->dn = strdup(dn)) == NULL)
		goto out;
	for (name = ldap_first_attribute(ld, msg, &ber); name != NULL; name = ldap_next_attribute(ld, msg, ber)) {
		struct berval **bv = ldap_get_values_len(ld, msg, name);
		struct sendsec_attr *grown = realloc(e->attrs, (e->n_attrs + 1) * sizeof(*e->attrs));
		bool copied;

		if (grown == NULL) {
			ldap_value_free_len(bv);
			ldap_memfree(name);
			goto out;
		}
		e->attrs = grown;
		memset(&e->attrs[e->n_attrs], 0, sizeof(e->attrs[0]));
		e->n_attrs++;
		e->attrs[e->n_attrs - 1].name = strdup(name);
		copied = e->attrs[e->n_attrs - 1].name != NULL &&
				(bv == NULL || copy_values(&e->attrs[e->n_attrs - 1], bv));
		if (bv != NULL) {
			for (size_t j = 0; bv[j] != NULL; j++)
				sodium_memzero(bv[j]->bv_val, bv[j]->bv_len);
			ldap_value_free_len(bv);
		}
		ldap_memfree(name);
		if (!copied)
			goto out;
	}
	ok = true;
out:
	if (ber != NULL)
		ber_free(ber, 0);
	ldap_memfree(dn);
	if (!ok) {
		sendsec_entry_free(e);
		return NULL;
	}
	return e;
}

/* One search with one retry after a reconnect. On LDAP_SUCCESS, *res_out holds the result. */
static int search_raw(struct sendsec_dir *d, const char *base, int scope, const char *filter, const char *const *attrs,
		int sizelimit, LDAPMessage **res_out)
{
	struct timeval tv = {.tv_sec = d->s->timeout, .tv_usec = 0};
	int rc = LDAP_SERVER_DOWN;

	*res_out = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sendsec_dir_connect(d) != SENDSEC_DIR_OK)
			return LDAP_SERVER_DOWN;
		d->searches++;
		rc = ldap_search_ext_s(
				d->ld, base, scope, filter, (char **)attrs, 0, NULL, NULL, &tv, sizelimit, res_out);
		if (!is_gone(rc) && rc != LDAP_TIMEOUT)
			return rc;
		if (*res_out != NULL) {
			ldap_msgfree(*res_out);
			*res_out = NULL;
		}
		disconnect(d);
		if (rc == LDAP_TIMEOUT)
			return rc; /* a slow server gets no second chance within one login */
	}
	return rc;
}

static enum sendsec_dir_status collect(
		struct sendsec_dir *d, LDAPMessage *res, struct sendsec_entry ***entries_out, size_t *n_out)
{
	int n = ldap_count_entries(d->ld, res);
	struct sendsec_entry **list;
	size_t k = 0;

	*entries_out = NULL;
	*n_out = 0;
	if (n < 0 || (list = calloc((size_t)n + 1, sizeof(*list))) == NULL)
		return SENDSEC_DIR_FAILED;
	for (LDAPMessage *m = ldap_first_entry(d->ld, res); m != NULL; m = ldap_next_entry(d->ld, m)) {
		if (k >= (size_t)n || (list[k] = copy_entry(d->ld, m)) == NULL) {
			sendsec_entries_free(list, k);
			return SENDSEC_DIR_FAILED;
		}
		k++;
	}
	*entries_out = list;
	*n_out = k;
	return SENDSEC_DIR_OK;
}

static enum sendsec_dir_status search(struct sendsec_dir *d, const char *base, int scope, const char *filter,
		const char *const *attrs, int sizelimit, struct sendsec_entry ***entries_out, size_t *n_out)
{
	LDAPMessage *res = NULL;
	enum sendsec_dir_status rc = SENDSEC_DIR_FAILED;
	int lrc = search_raw(d, base, scope, filter, attrs, sizelimit, &res);

	*entries_out = NULL;
	*n_out = 0;
	if (lrc == LDAP_NO_SUCH_OBJECT) {
		rc = SENDSEC_DIR_OK; /* the base is missing: no entries */
		goto out;
	}
	if (lrc == LDAP_SIZELIMIT_EXCEEDED) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory search returned more than %d entries", sizelimit);
		goto out;
	}
	if (lrc != LDAP_SUCCESS) {
		log_op_error(d, "search", lrc);
		goto out;
	}
	rc = collect(d, res, entries_out, n_out);
out:
	if (res != NULL)
		ldap_msgfree(res);
	return rc;
}

static enum sendsec_dir_status search_single(struct sendsec_dir *d, const char *base, int scope, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out)
{
	struct sendsec_entry **list = NULL;
	size_t n = 0;
	enum sendsec_dir_status rc = search(d, base, scope, filter, attrs, 2, &list, &n);

	*entry_out = NULL;
	if (rc != SENDSEC_DIR_OK)
		return rc;
	if (n == 0) {
		rc = SENDSEC_DIR_NO_ENTRY;
	} else if (n > 1) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "directory search matched %zu entries where one was expected",
				n);
		rc = SENDSEC_DIR_FAILED;
	} else {
		*entry_out = list[0];
		list[0] = NULL;
	}
	sendsec_entries_free(list, n);
	return rc;
}

enum sendsec_dir_status sendsec_dir_search_one(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, base, LDAP_SCOPE_SUBTREE, filter, attrs, entry_out);
}

enum sendsec_dir_status sendsec_dir_read(
		struct sendsec_dir *d, const char *dn, const char *const *attrs, struct sendsec_entry **entry_out)
{
	return search_single(d, dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, entry_out);
}

enum sendsec_dir_status sendsec_dir_search_all(struct sendsec_dir *d, const char *base, const char *filter,
		const char *const *attrs, struct sendsec_entry ***entries_out, size_t *n_out)
{
	return search(d, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, entries_out, n_out);
}

/* A user name we are willing to put into a filter: 1..256 bytes of valid UTF-8, no controls. */
static bool is_sane_name(const char *user)
{
	size_t len = strlen(user);

	return len != 0 && len <= SENDSEC_DIR_NAME_MAX && sendsec_utf8_is_valid(user, len) &&
			!sendsec_utf8_has_control(user, len);
}

enum sendsec_dir_status sendsec_dir_find_user(
		struct sendsec_dir *d, const char *user, const char *const *attrs, struct sendsec_entry **entry_out)
{
	char filter[4096];

	*entry_out = NULL;
	if (user == NULL || !is_sane_name(user)) {
		sendsec_logf(d->log, SENDSEC_LOG_INFO,
				"user name refused before lookup (empty, too long, not UTF-8 or control characters)");
		return SENDSEC_DIR_NO_ENTRY;
	}
	if (sendsec_filter_expand(d->s->user_filter, user, strlen(user), filter, sizeof(filter)) != SENDSEC_OK) {
		sendsec_logf(d->log, SENDSEC_LOG_ERROR, "cannot build the user filter");
		return SENDSEC_DIR_FAILED;
	}
	return sendsec_dir_search_one(d, d->s->base, filter, attrs, entry_out);
}

/* Builds a NULL-terminated LDAPMod array from mods; free with free_mods. */
static LDAPMod **build_mods(const struct sendsec_mod *mods, size_t n, bool for_add)
{
	LDAPMod **list = calloc(n + 1, sizeof(*list));

	if (list == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		LDAPMod *m = calloc(1, sizeof(*m));
		struct berval **bv;

		if (m == NULL || (bv = calloc(mods[i].n + 1, sizeof(*bv))) == NULL) {
			free(m);
			goto fail;
		}
		list[i] = m;
		m->mod_op = LDAP_MOD_BVALUES |
				(for_add                                                           ? LDAP_MOD_ADD
								: mods[i].op == SENDSEC_MOD_ADD    ? LDAP_MOD_ADD
								: mods[i].op == SENDSEC_MOD_DELETE ? LDAP_MOD_DELETE
												   : LDAP_MOD_REPLACE);
		m->mod_type = (char *)mods[i].attr;
		m->mod_bvalues = bv;
		for (size_t j = 0; j < mods[i].n; j++) {
			if ((bv[j] = malloc(sizeof(**bv))) == NULL)
				goto fail;
			bv[j]->bv_val = (char *)mods[i].vals[j].ptr;
			bv[j]->bv_len = mods[i].vals[j].len;
		}
	}
	return list;
fail:
	for (size_t i = 0; i < n && list[i] != NULL; i++) {
		for (size_t j = 0; list[i]->mod_bvalues[j] != NULL; j++)
			free(list[i]->mod_bvalues[j]);
		free(list[i]->mod_bvalues);
		free(list[i]);
	}
	free(list);
	return NULL;
}

static void free_mods(LDAPMod **list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; list[i] != NULL; i++) {
		for (size_t j = 0; list[i]->mod_bvalues[j] != NULL; j++)
			free(list[i]->mod_bvalues[j]);
		free(list[i]->mod_bvalues);
		free(list[i]);
	}
	free(list);
}

enum sendsec_op { OP_MODIFY, OP_ADD, OP_DELETE };

static enum sendsec_dir_status write_op(
		struct sendsec_dir *d, enum sendsec_op op, const char *dn, const struct sendsec_mod *mods, size_t n)
{
	LDAPMod **list = NULL;
	int rc = LDAP_SERVER_DOWN;

	if (op != OP_DELETE && (list = build_mods(mods, n, op == OP_ADD)) == NULL)
		return SENDSEC_DIR_FAILED;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sendsec_dir_connect(d) != SENDSEC_DIR_OK)
			break;
		rc = op == OP_MODIFY           ? ldap_modify_ext_s(d->ld, dn, list, NULL, NULL)
				: op == OP_ADD ? ldap_add_ext_s(d->ld, dn, list, NULL, NULL)
					       : ldap_delete_ext_s(d->ld, dn, NULL, NULL);
		if (!is_gone(rc) && rc != LDAP_TIMEOUT)
			break;
		disconnect(d);
		if (rc == LDAP_TIMEOUT)
			break;
	}
	free_mods(list);
	switch (rc) {
	case LDAP_SUCCESS: return SENDSEC_DIR_OK;
	case LDAP_NO_SUCH_ATTRIBUTE:
	case LDAP_TYPE_OR_VALUE_EXISTS:
	case LDAP_CONSTRAINT_VIOLATION: /* e.g. a second value of a single-valued attribute */
	case LDAP_ALREADY_EXISTS: return SENDSEC_DIR_CONFLICT;
	case LDAP_NO_SUCH_OBJECT: return SENDSEC_DIR_NO_ENTRY;
	default:
		log_op_error(d, op == OP_MODIFY ? "modify" : op == OP_ADD ? "add" : "delete", rc);
		return SENDSEC_DIR_FAILED;
	}
}

enum sendsec_dir_status sendsec_dir_modify(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *mods, size_t n_mods)
{
	return write_op(d, OP_MODIFY, dn, mods, n_mods);
}

enum sendsec_dir_status sendsec_dir_add(
		struct sendsec_dir *d, const char *dn, const struct sendsec_mod *attrs, size_t n_attrs)
{
	return write_op(d, OP_ADD, dn, attrs, n_attrs);
}

enum sendsec_dir_status sendsec_dir_delete(struct sendsec_dir *d, const char *dn)
{
	return write_op(d, OP_DELETE, dn, NULL, 0);
}

/* Opens a fresh connection (same failover order) and binds as dn; *ld_out on LDAP_SUCCESS. */
static int user_bind(struct sendsec_dir *d, const char *dn, const char *password, LDAP **ld_out)
{
	struct berval cred = {.bv_val = (char *)password, .bv_len = strlen(password)};
	int rc = LDAP_SERVER_DOWN;

	*ld_out = NULL;
	for (size_t i = 0; i < d->s->uri.n; i++) {
		size_t k = (d->uri_index + i) % d->s->uri.n; /* start with the one that worked last */
		LDAP *ld = open_uri(d, d->s->uri.items[k]);

		if (ld == NULL)
			continue;
		rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		if (rc == LDAP_SUCCESS) {
			*ld_out = ld;
			return rc;
		}
		ldap_unbind_ext_s(ld, NULL, NULL);
		if (!is_gone(rc) && rc != LDAP_TIMEOUT)
			return rc;
	}
	return rc;
}

static enum sendsec_dir_status bind_status(struct sendsec_dir *d, int rc)
{
	if (rc == LDAP_SUCCESS)
		return SENDSEC_DIR_OK;
	if (rc == LDAP_INVALID_CREDENTIALS)
		return SENDSEC_DIR_BAD_CREDENTIALS;
	log_op_error(d, "user bind", rc);
	return SENDSEC_DIR_FAILED;
}

enum sendsec_dir_status sendsec_dir_check_bind(struct sendsec_dir *d, const char *dn, const char *password)
{
	LDAP *ld = NULL;
	int rc;

	if (password == NULL || password[0] == '\0')
		return SENDSEC_DIR_BAD_CREDENTIALS; /* an empty simple bind is an anonymous bind */
	rc = user_bind(d, dn, password, &ld);
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return bind_status(d, rc);
}

enum sendsec_dir_status sendsec_dir_passwd_modify(
		struct sendsec_dir *d, const char *dn, const char *old_password, const char *new_password)
{
	struct berval id = {.bv_val = (char *)dn, .bv_len = strlen(dn)};
	struct berval oldpw = {.bv_val = (char *)old_password, .bv_len = strlen(old_password)};
	struct berval newpw = {.bv_val = (char *)new_password, .bv_len = strlen(new_password)};
	struct berval gen = {0, NULL};
	LDAP *ld = NULL;
	int rc;

	if (old_password[0] == '\0')
		return SENDSEC_DIR_BAD_CREDENTIALS;
	if (new_password[0] == '\0')
		return SENDSEC_DIR_REFUSED;
	rc = user_bind(d, dn, old_password, &ld);
	if (rc != LDAP_SUCCESS)
		return bind_status(d, rc);
	rc = ldap_passwd_s(ld, &id, &oldpw, &newpw, &gen, NULL, NULL);
	if (gen.bv_val != NULL) {
		sodium_memzero(gen.bv_val, gen.bv_len);
		ber_memfree(gen.bv_val);
	}
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return SENDSEC_DIR_OK;
	log_op_error(d, "password modify", rc);
	return rc == LDAP_CONSTRAINT_VIOLATION || rc == LDAP_UNWILLING_TO_PERFORM ? SENDSEC_DIR_REFUSED
										  : SENDSEC_DIR_FAILED;
}

const struct sendsec_val *sendsec_entry_values(const struct sendsec_entry *e, const char *attr, size_t *n_out)
{
	for (size_t i = 0; e != NULL && i < e->n_attrs; i++) {
		if (strcasecmp(e->attrs[i].name, attr) == 0) {
			*n_out = e->attrs[i].n;
			return e->attrs[i].vals;
		}
	}
	*n_out = 0;
	return NULL;
}

const char *sendsec_entry_first(const struct sendsec_entry *e, const char *attr)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, attr, &n);

	return n > 0 ? v[0].ptr : NULL;
}

bool sendsec_entry_has_class(const struct sendsec_entry *e, const char *cls)
{
	size_t n;
	const struct sendsec_val *v = sendsec_entry_values(e, "objectClass", &n);

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v[i].ptr, cls) == 0)
			return true;
	return false;
}

bool sendsec_entry_is_true(const struct sendsec_entry *e, const char *attr)
{
	const char *v = sendsec_entry_first(e, attr);

	return v != NULL && strcmp(v, "TRUE") == 0;
}
