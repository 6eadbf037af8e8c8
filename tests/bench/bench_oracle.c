/* bench_oracle.c — can the time of a refused login tell an attacker who exists or who has a
 * token? Measures, in one run against the fixture slapd (run it through tests/bench/run_oracle.sh),
 * the mean and median time of sendsec_authenticate for three pairs of refusals, each pair
 * alternating so that both sides see the same load, and prints the ratio of each pair (1.00 =
 * indistinguishable):
 *   bind:    password_check bind, methods password: erin with a wrong password (slapd verifies
 *            her argon2id m=4096,t=3 hash on the bind) against a name no account has;
 *   append:  methods password+totp, no prompt callback (SASL): alice, enrolled, sends a password
 *            no longer than the code ("123456") against a wrong password with six digits appended;
 *   prompt:  methods password+totp, otp_mode prompt, a callback answering "Verification code: "
 *            (PAM): a name no account has against alice, enrolled, with a wrong password; the
 *            prompts each login saw are counted and must be the same on both sides;
 *   lockout: methods password, the default lockout (threshold 5 per source): alice with a wrong
 *            password (its attempt is written to and read back from her lockout record; the same
 *            wrong password counts once, so she is never locked) against a name no account has.
 * alice's hash is first brought to the engine's default cost (argon2id m=65536, t=2) by one
 * password login (rehash yes), then she is enrolled with sendsecctl; every context uses the
 * default cost, lockout off (lockout_threshold 0) but for the lockout pair. No password, code or
 * secret is printed.
 * usage: bench_oracle PATH/TO/sendsecctl [N]   (default 30 pairs each) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bench_lib.h"
#include "dir.h"
#include "itest.h"
#include "totp_itest.h"

#define WARMUP 2

struct side {
	const char *label;
	const char *user; /* NULL: a fresh unknown name per login */
	const char *password;
	bool prompt; /* answer "Verification code: " through the callback */
	enum sendsec_result want;
};

struct prompts {
	unsigned n;
};

static enum sendsec_result ask(void *arg, const char *prompt, char **answer_out)
{
	struct prompts *p = arg;

	(void)prompt;
	p->n++;
	*answer_out = strdup("123456");
	return *answer_out != NULL ? SENDSEC_OK : SENDSEC_UNAVAILABLE;
}

/* One timed login on service sshd; exits when the result is not the expected one (we would time
 * something else). *prompts_out: how many times the callback was asked. */
static double timed(struct sendsec_ctx *ctx, const struct side *s, int i, unsigned *prompts_out)
{
	struct sendsec_outcome out;
	struct prompts p = {0};
	char name[32];
	struct sendsec_request req = {
			.service = "sshd",
			.user = s->user,
			.password = s->password,
			.rhost = "192.0.2.7",
			.ask = s->prompt ? ask : NULL,
			.ask_arg = &p,
	};
	enum sendsec_result rc;
	double t0;

	if (s->user == NULL) {
		snprintf(name, sizeof(name), "nosuchuser%05d", i);
		req.user = name;
	}
	t0 = itest_seconds();
	rc = sendsec_authenticate(ctx, &req, &out);
	t0 = itest_seconds() - t0;
	if (rc != s->want) {
		fprintf(stderr, "bench_oracle: %s gave %s (%s), wanted %s\n", s->label, sendsec_result_name(out.result),
				sendsec_reason_name(out.reason), sendsec_result_name(s->want));
		exit(1);
	}
	*prompts_out = p.n;
	return t0;
}

/* Runs n alternating pairs a, b and prints both sides and the ratio a/b. */
static void run_pair(struct sendsec_ctx *ctx, const char *title, const struct side *a, const struct side *b, int n)
{
	double *ta = calloc((size_t)n, sizeof(double)), *tb = calloc((size_t)n, sizeof(double));
	unsigned pa = 0, pb = 0, p;
	double ma, mb, da, db;

	if (ta == NULL || tb == NULL)
		exit(1);
	for (int i = 0; i < WARMUP; i++) {
		(void)timed(ctx, a, 90000 + i, &p);
		(void)timed(ctx, b, 90000 + i, &p);
	}
	for (int i = 0; i < n; i++) {
		if (i % 2 == 0) {
			ta[i] = timed(ctx, a, i, &p);
			pa += p;
			tb[i] = timed(ctx, b, i, &p);
			pb += p;
		} else {
			tb[i] = timed(ctx, b, i, &p);
			pb += p;
			ta[i] = timed(ctx, a, i, &p);
			pa += p;
		}
	}
	ma = bench_mean(ta, n);
	mb = bench_mean(tb, n);
	da = bench_median(ta, n);
	db = bench_median(tb, n);
	printf("%s, %d logins each:\n", title, n);
	printf("  %-34s mean %7.2f ms, median %7.2f ms, prompts per login %.2f\n", a->label, ma * 1e3, da * 1e3,
			(double)pa / n);
	printf("  %-34s mean %7.2f ms, median %7.2f ms, prompts per login %.2f\n", b->label, mb * 1e3, db * 1e3,
			(double)pb / n);
	printf("  ratio:                             mean %.3f, median %.3f\n", ma / mb, da / db);
	if (pa != pb) {
		fprintf(stderr, "bench_oracle: %s: the two sides saw different prompts (%u and %u)\n", title, pa, pb);
		exit(1);
	}
	free(ta);
	free(tb);
}

/* Prints the argon2 parameters of user's stored hash (never the hash). */
static void print_cost(struct sendsec_ctx *ctx, const char *user)
{
	static const char *const attrs[] = {"userPassword", NULL};
	char err[256];
	const struct sendsec_settings *s = sendsec_ctx_settings(ctx, "sshd", err, sizeof(err));
	struct sendsec_dir *d = NULL;
	struct sendsec_entry *e = NULL;
	const char *pw, *m;

	if (s == NULL || sendsec_dir_new(s, NULL, &d) != SENDSEC_DIR_OK ||
			sendsec_dir_find_user(d, user, attrs, &e) != SENDSEC_DIR_OK ||
			(pw = sendsec_entry_first(e, "userPassword")) == NULL || (m = strstr(pw, "$m=")) == NULL) {
		fprintf(stderr, "bench_oracle: cannot read %s's hash parameters\n", user);
		exit(1);
	}
	printf("%s's stored hash: %.*s\n", user, (int)strcspn(m + 1, "$"), m + 1);
	sendsec_entry_free(e);
	sendsec_dir_free(d);
}

static struct sendsec_ctx *ctx_with(const char *extra)
{
	return itest_ctx_from(itest_write_conf(true, extra));
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 30;
	struct sendsec_outcome out;
	struct sendsec_ctx *pw, *bind, *append, *prompt, *lockout;
	char b32[64], wrong_appended[64];
	const char *conf;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: bench_oracle PATH/TO/sendsecctl [N]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	/* alice's seeded hash (m=4096,t=3) becomes the default cost with one successful login. */
	pw = ctx_with("methods password\nlockout_threshold 0\n");
	itest_login(pw, "sshd", "alice", itest_pw("alice"), "192.0.2.7", &out);
	if (out.result != SENDSEC_OK) {
		fprintf(stderr, "bench_oracle: alice's first login failed (%s)\n", sendsec_reason_name(out.reason));
		return 1;
	}
	conf = itest_write_conf(true, "lockout_threshold 0\n");
	if (totp_enroll(argv[1], conf, "alice", b32) != 0) {
		fprintf(stderr, "bench_oracle: sendsecctl totp enroll alice failed\n");
		return 1;
	}
	sodium_memzero(b32, sizeof(b32));
	print_cost(pw, "alice");
	print_cost(pw, "erin");
	bind = ctx_with("password_check bind\nmethods password\nlockout_threshold 0\n");
	append = ctx_with("methods password+totp\notp_mode append\nlockout_threshold 0\n");
	prompt = ctx_with("methods password+totp\nlockout_threshold 0\n");
	lockout = ctx_with("methods password\n");
	snprintf(wrong_appended, sizeof(wrong_appended), "%s123456", "alice-wrong-Passw0rd!");

	{
		struct side known = {
				"known (erin), wrong password:", "erin", "erin-wrong-Passw0rd!", false, SENDSEC_DENIED};
		struct side unknown = {"unknown name:", NULL, "erin-wrong-Passw0rd!", false, SENDSEC_UNKNOWN_USER};

		run_pair(bind, "password_check bind, known/unknown", &known, &unknown, n);
	}
	{
		struct side shorter = {"enrolled, password <= code length:", "alice", "123456", false, SENDSEC_DENIED};
		struct side longer = {
				"enrolled, wrong password + code:", "alice", wrong_appended, false, SENDSEC_DENIED};

		run_pair(append, "append mode (no prompt callback), short/long", &shorter, &longer, n);
	}
	{
		struct side unknown = {"unknown name:", NULL, "alice-wrong-Passw0rd!", true, SENDSEC_UNKNOWN_USER};
		struct side enrolled = {"enrolled (alice), wrong password:", "alice", "alice-wrong-Passw0rd!", true,
				SENDSEC_DENIED};

		run_pair(prompt, "prompt mode (callback), unknown/enrolled", &unknown, &enrolled, n);
	}
	{
		struct side known = {"known (alice), wrong password, lockout record written:", "alice",
				"alice-wrong-Passw0rd!", false, SENDSEC_DENIED};
		struct side unknown = {"unknown name:", NULL, "alice-wrong-Passw0rd!", false, SENDSEC_UNKNOWN_USER};

		run_pair(lockout, "local check, default lockout, known/unknown", &known, &unknown, n);
	}
	sendsec_ctx_free(lockout);
	sendsec_ctx_free(pw);
	sendsec_ctx_free(bind);
	sendsec_ctx_free(append);
	sendsec_ctx_free(prompt);
	return 0;
}
