/* bench_lib.h — what the engine benchmarks of tests/bench/ share (on top of itest.h): exit with a
 * message, the floor of a key login (the "(sendsecKeyId=<id>)" search with plain libldap on one
 * connection bound as the service account), engine contexts whose log sink drops every line, a
 * key login, medians and means, and what /dev/log is. Header only: each benchmark is built from
 * its own file (tests/bench/meson.build). The key and the bind password are never printed. */
#ifndef SENDSEC_BENCH_LIB_H
#define SENDSEC_BENCH_LIB_H

#include <errno.h>
#include <ldap.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "itest.h"

/* Prints "<program>: what" on stderr and exits 1. */
__attribute__((noreturn)) static inline void bench_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
	exit(1);
}

/* The floor of a key login: one bound connection repeating the search the engine makes. */
struct bench_floor {
	LDAP *ld;
	const char *base;
	char filter[64];
};

/* Binds f to uri as the fixture's service account (bind password from SENDSEC_TEST_BINDPW_FILE)
 * for the search of key id; exits on a failure. */
static inline void bench_floor_open(struct bench_floor *f, const char *uri, const char *id)
{
	char pw[256] = "";
	struct berval cred;
	FILE *in = fopen(itest_env("BINDPW_FILE"), "r");
	int version = LDAP_VERSION3;

	if (in == NULL || fgets(pw, sizeof(pw), in) == NULL)
		bench_die("cannot read the bind password");
	fclose(in);
	pw[strcspn(pw, "\r\n")] = '\0';
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	if (ldap_initialize(&f->ld, uri) != LDAP_SUCCESS ||
			ldap_set_option(f->ld, LDAP_OPT_PROTOCOL_VERSION, &version) != LDAP_OPT_SUCCESS ||
			ldap_sasl_bind_s(f->ld, itest_env("BINDDN"), LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL) !=
					LDAP_SUCCESS)
		bench_die("floor: cannot bind");
	sodium_memzero(pw, sizeof(pw));
	f->base = itest_env("BASE");
	snprintf(f->filter, sizeof(f->filter), "(sendsecKeyId=%s)", id);
}

/* One search of the floor, with the attributes a key login reads; exits unless it finds one entry. */
static inline void bench_floor_once(struct bench_floor *f)
{
	static const char *const attrs[] = {
			"uid", "sendsecApiKey", "sendsecKeyId", "sendsecDisabled", "sendsecAllowedNetwork", NULL};
	struct timeval tv = {5, 0};
	LDAPMessage *res = NULL;

	if (ldap_search_ext_s(f->ld, f->base, LDAP_SCOPE_SUBTREE, f->filter, (char **)attrs, 0, NULL, NULL, &tv, 0,
			    &res) != LDAP_SUCCESS ||
			ldap_count_entries(f->ld, res) != 1)
		bench_die("floor: search failed");
	ldap_msgfree(res);
}

static inline void bench_floor_close(struct bench_floor *f)
{
	ldap_unbind_ext_s(f->ld, NULL, NULL);
	f->ld = NULL;
}

/* A context on conf whose log sink drops every line; max_level decides whether the audit line is
 * written (it is at SENDSEC_LOG_INFO). At most 8 per program (their sinks outlive them). */
static inline struct sendsec_ctx *bench_ctx_at(const char *conf, enum sendsec_log_level max_level)
{
	static struct sendsec_log logs[8];
	static int used;
	struct sendsec_ctx *ctx = NULL;
	char err[256];

	if (used == 8)
		bench_die("too many contexts");
	logs[used].max_level = max_level;
	if (sendsec_ctx_new(conf, true, NULL, 0, &logs[used++], &ctx, err, sizeof(err)) != SENDSEC_OK)
		bench_die(err);
	return ctx;
}

/* One key login (user "apikey", service smtp, from 192.0.2.7); exits unless it succeeds. */
static inline void bench_key_login(struct sendsec_ctx *ctx, const char *key)
{
	struct sendsec_outcome out;

	if (itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out) != SENDSEC_OK)
		bench_die("engine: a key login failed");
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n-1] (n >= 1); sorts v. */
static inline double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline double bench_mean(const double *v, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

/* What /dev/log is, for the report: whether the audit lines go anywhere. */
static inline const char *bench_devlog(void)
{
	struct stat st;

	return stat("/dev/log", &st) == 0 && S_ISSOCK(st.st_mode)
			? "a socket (audit lines are sent to it)"
			: "no socket (syslog() cannot connect and drops the line)";
}

#endif
