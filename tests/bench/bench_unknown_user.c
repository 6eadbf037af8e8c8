/* bench_unknown_user.c — does the time of a refused password login reveal whether the name
 * exists? Measures, in one run against the fixture slapd (run it through
 * tests/bench/run_timing.sh or tests/fixtures/with-slapd.sh), the mean and median time of
 * sendsec_authenticate for
 *   unknown:  a name no account has (the engine verifies a dummy argon2id hash), and
 *   known:    alice with a wrong password, her hash at the default cost (argon2id m=65536, t=2,
 *             stored by a first successful login that rehashes the seeded cheaper hash),
 * once with lockout off (lockout_threshold 0: the hash check only) and once with lockout on and
 * out of reach (threshold 1000000: each failure also writes its sendsecFailure value, which an unknown
 * name has nowhere to write). Logins alternate unknown/known so both see the same load; the
 * ratio unknown/known is printed (1.00 = indistinguishable). No password is printed.
 * usage: bench_unknown_user [N]   (default 30 pairs per mode) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_lib.h"
#include "dir.h"
#include "itest.h"

#define WARMUP 2

/* One timed login; exits when the result is not the expected one (we would time something else). */
static double timed(struct sendsec_ctx *ctx, const char *service, const char *user, enum sendsec_result want)
{
	struct sendsec_outcome out;
	double t0 = itest_seconds();

	itest_login(ctx, service, user, itest_pw("wrong"), "192.0.2.7", &out);
	t0 = itest_seconds() - t0;
	if (out.result != want) {
		fprintf(stderr, "bench_unknown_user: %s/%s gave %s (%s), wanted %s\n", service, user,
				sendsec_result_name(out.result), sendsec_reason_name(out.reason),
				sendsec_result_name(want));
		exit(1);
	}
	return t0;
}

/* Checks that alice's stored hash is argon2id at the engine's cost (the known path then costs
 * what a real account's does). Prints the parameters only. */
static void check_alice_cost(struct sendsec_ctx *ctx)
{
	static const char *const attrs[] = {"userPassword", NULL};
	char err[256], want[64];
	const struct sendsec_settings *s = sendsec_ctx_settings(ctx, "nolock", err, sizeof(err));
	struct sendsec_dir *d = NULL;
	struct sendsec_entry *e = NULL;
	const char *pw;

	if (s == NULL || sendsec_dir_new(s, NULL, &d) != SENDSEC_DIR_OK ||
			sendsec_dir_find_user(d, "alice", attrs, &e) != SENDSEC_DIR_OK)
		bench_die("cannot read alice's entry");
	snprintf(want, sizeof(want), "{ARGON2}$argon2id$v=19$m=%zu,t=%llu,p=1$", s->argon2_memlimit_kib,
			s->argon2_opslimit);
	pw = sendsec_entry_first(e, "userPassword");
	if (pw == NULL || strncmp(pw, want, strlen(want)) != 0) {
		fprintf(stderr, "bench_unknown_user: alice's hash is not argon2id m=%zu,t=%llu\n",
				s->argon2_memlimit_kib, s->argon2_opslimit);
		exit(1);
	}
	printf("alice's stored hash: argon2id m=%zu KiB, t=%llu (the engine's default cost)\n", s->argon2_memlimit_kib,
			s->argon2_opslimit);
	sendsec_entry_free(e);
	sendsec_dir_free(d);
}

static void run_mode(struct sendsec_ctx *ctx, const char *service, const char *label, int n)
{
	double *unknown = calloc((size_t)n, sizeof(double)), *known = calloc((size_t)n, sizeof(double));
	double mu, mk, du, dk;
	char name[32];

	if (unknown == NULL || known == NULL)
		bench_die("out of memory");
	for (int i = 0; i < WARMUP; i++) {
		(void)timed(ctx, service, "nosuchuser", SENDSEC_UNKNOWN_USER);
		(void)timed(ctx, service, "alice", SENDSEC_DENIED);
	}
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "nosuchuser%04d", i);
		if (i % 2 == 0) {
			unknown[i] = timed(ctx, service, name, SENDSEC_UNKNOWN_USER);
			known[i] = timed(ctx, service, "alice", SENDSEC_DENIED);
		} else {
			known[i] = timed(ctx, service, "alice", SENDSEC_DENIED);
			unknown[i] = timed(ctx, service, name, SENDSEC_UNKNOWN_USER);
		}
	}
	mu = bench_mean(unknown, n);
	mk = bench_mean(known, n);
	du = bench_median(unknown, n);
	dk = bench_median(known, n);
	printf("%s, %d logins each:\n", label, n);
	printf("  unknown user:               mean %7.2f ms, median %7.2f ms\n", mu * 1e3, du * 1e3);
	printf("  known user, wrong password: mean %7.2f ms, median %7.2f ms\n", mk * 1e3, dk * 1e3);
	printf("  ratio unknown/known:        mean %.3f, median %.3f\n", mu / mk, du / dk);
	free(unknown);
	free(known);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	struct sendsec_outcome out;
	struct sendsec_ctx *ctx;

	if (n < 1) {
		fprintf(stderr, "usage: bench_unknown_user [N]\n");
		return 2;
	}
	/* Default argon2 cost and rehash; password logins only (alice has no TOTP token). */
	ctx = itest_ctx("methods password\n[service nolock]\nlockout_threshold 0\n"
			"[service lockout]\nlockout_threshold 1000000\n");
	itest_login(ctx, "nolock", "alice", itest_pw("alice"), "192.0.2.7", &out);
	if (out.result != SENDSEC_OK) {
		fprintf(stderr, "bench_unknown_user: alice's first login failed (%s)\n",
				sendsec_reason_name(out.reason));
		return 1;
	}
	check_alice_cost(ctx);
	run_mode(ctx, "nolock", "lockout off (lockout_threshold 0)", n);
	run_mode(ctx, "lockout", "lockout on, not reached (each failure writes sendsecFailure)", n);
	sendsec_ctx_free(ctx);
	return 0;
}
