/* bench_apikey.c — API key logins against their floor, in one run, against the fixture slapd
 * (run it through tests/bench/run_apikey.sh or tests/fixtures/with-slapd.sh):
 *   floor:  the same "(sendsecKeyId=<id>)" search, same attributes, plain libldap on one bound
 *           connection (what one login cannot do with fewer round trips);
 *   engine: sendsec_authenticate with user "apikey" and the key on one context (persistent
 *           connection), audit line on (syslog) and, separately, off (log level error).
 * Each runs N iterations per round after a warm-up, in alternating blocks of 100 so that all
 * three see the same machine load; the median round (and median ratio) is reported.
 * Then the last-use write (DESIGN.md section 12), audit line off, three contexts alike but for
 * apikey_touch_interval: 2^30 s (touch off: after the key's first use nothing is due again)
 * against 3600 s (the default: the run is shorter than the interval, so this is the steady cost
 * of reading and checking the last use, plus one write per hour), in alternating blocks; then 0
 * (a write on every login: the worst case) on its own beside touch off. Exit 3 when the engine (audit on) is below 80% of the floor, or the default
 * interval below 95% of touch off. The key is never printed.
 * usage: bench_apikey [N [ROUNDS]]   (defaults 3000 and 3) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_lib.h"
#include "ikey.h"
#include "itest.h"

#define WARMUP 300
#define BLOCK  100

/* Seconds for n logins on ctx. */
static double time_logins(struct sendsec_ctx *ctx, const char *key, int n)
{
	double t = itest_seconds();

	for (int i = 0; i < n; i++)
		bench_key_login(ctx, key);
	return itest_seconds() - t;
}

/* Touch off against the default interval, alternating in blocks, per round; then on every login
 * (interval 0) on its own, beside touch off, since its writes (slapd syncs each) would slow the
 * blocks that follow them. Prints the medians; returns the median ratio default / off. */
static double touch_rounds(const char *key, int n, int rounds)
{
	static const char *const names[3] = {"touch off (interval 2^30 s)", "touch at the default 3600 s",
			"touch on every login (interval 0)"};
	static const char *const extra[3] = {"methods password apikey\napikey_touch_interval 1073741824\n",
			"methods password apikey\n", "methods password apikey\napikey_touch_interval 0\n"};
	struct sendsec_ctx *ctx[3];
	double rate[2][16], ratio[16], every, off, median_ratio;
	unsigned long searches[3];
	int n_every = n < 500 ? n : 500;

	for (int k = 0; k < 3; k++) {
		ctx[k] = bench_ctx_at(itest_write_conf(true, extra[k]), SENDSEC_LOG_ERROR);
		(void)time_logins(ctx[k], key, k < 2 ? WARMUP : 10);
		searches[k] = ikey_search_count(ctx[k], "smtp");
	}
	for (int r = 0; r < rounds; r++) {
		double spent[2] = {0, 0};

		for (int done = 0; done < n; done += BLOCK) {
			int b = n - done < BLOCK ? n - done : BLOCK, first = (done / BLOCK) % 2;

			spent[first] += time_logins(ctx[first], key, b);
			spent[1 - first] += time_logins(ctx[1 - first], key, b);
		}
		rate[0][r] = n / spent[0];
		rate[1][r] = n / spent[1];
		ratio[r] = rate[1][r] / rate[0][r];
		printf("touch round %d: off %.0f, default interval %.0f logins/s (%.1f%%)\n", r + 1, rate[0][r],
				rate[1][r], 100.0 * ratio[r]);
	}
	every = n_every / time_logins(ctx[2], key, n_every);
	off = n_every / time_logins(ctx[0], key, n_every);
	printf("touch on every login: %.0f logins/s over %d logins; touch off right after: %.0f logins/s\n", every,
			n_every, off);
	for (int k = 0; k < 3; k++) {
		unsigned long logins = k < 2 ? (unsigned long)n * rounds + (unsigned long)n_every * (k == 0)
					     : (unsigned long)n_every;

		searches[k] = ikey_search_count(ctx[k], "smtp") - searches[k];
		if (k < 2) {
			printf("median %-34s %6.0f logins/s, %.3f searches per login\n", names[k],
					bench_median(rate[k], rounds), (double)searches[k] / logins);
		} else {
			printf("%-41s %6.0f logins/s, %.3f searches per login (%.1f%% of touch off)\n", names[k], every,
					(double)searches[k] / logins, 100.0 * every / off);
		}
		sendsec_ctx_free(ctx[k]);
	}
	median_ratio = bench_median(ratio, rounds);
	printf("median ratio default interval / touch off: %.1f%% (target >= 95%%)\n", 100.0 * median_ratio);
	return median_ratio;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3000, rounds = argc > 2 ? atoi(argv[2]) : 3;
	const char *conf = itest_write_conf(true, "methods password apikey\n");
	struct sendsec_ctx *audit_on = bench_ctx_at(conf, SENDSEC_LOG_INFO),
			   *audit_off = bench_ctx_at(conf, SENDSEC_LOG_ERROR);
	char key[SENDSEC_KEY_MAX + 1], id[16];
	double floor_rate[16], on_rate[16], off_rate[16], on_ratio[16], off_ratio[16], t, touch_ratio, on_median;
	unsigned long searches;
	struct bench_floor f;

	if (n < 1 || rounds < 1 || rounds > 16)
		bench_die("usage: bench_apikey [N [ROUNDS<=16]]");
	if (ikey_create(audit_on, "alice", "smtp", 0, NULL, key, id) != SENDSEC_OK)
		bench_die("cannot create the key");
	bench_floor_open(&f, itest_env("URI"), id);
	for (int i = 0; i < WARMUP; i++) {
		bench_floor_once(&f);
		bench_key_login(audit_on, key);
		bench_key_login(audit_off, key);
	}
	searches = ikey_search_count(audit_on, "smtp");
	for (int r = 0; r < rounds; r++) {
		double spent[3] = {0, 0, 0};

		/* Blocks of BLOCK iterations, alternating, so that load from elsewhere hits all three. */
		for (int done = 0; done < n; done += BLOCK) {
			int b = n - done < BLOCK ? n - done : BLOCK;

			t = itest_seconds();
			for (int i = 0; i < b; i++)
				bench_floor_once(&f);
			spent[0] += itest_seconds() - t;
			t = itest_seconds();
			for (int i = 0; i < b; i++)
				bench_key_login(audit_on, key);
			spent[1] += itest_seconds() - t;
			t = itest_seconds();
			for (int i = 0; i < b; i++)
				bench_key_login(audit_off, key);
			spent[2] += itest_seconds() - t;
		}
		floor_rate[r] = n / spent[0];
		on_rate[r] = n / spent[1];
		off_rate[r] = n / spent[2];
		on_ratio[r] = on_rate[r] / floor_rate[r];
		off_ratio[r] = off_rate[r] / floor_rate[r];
		printf("round %d: floor %.0f searches/s, engine %.0f logins/s (audit on, %.1f%%), %.0f logins/s (audit "
		       "off, %.1f%%)\n",
				r + 1, floor_rate[r], on_rate[r], 100.0 * on_ratio[r], off_rate[r],
				100.0 * off_ratio[r]);
	}
	searches = ikey_search_count(audit_on, "smtp") - searches;
	on_median = bench_median(on_ratio, rounds);
	printf("iterations per round: %d (alternating blocks of %d), rounds: %d, warm-up: %d\n", n, BLOCK, rounds,
			WARMUP);
	printf("/dev/log: %s\n", bench_devlog());
	printf("engine searches per login: %.3f\n", (double)searches / ((double)n * rounds));
	printf("median floor (plain libldap search):  %6.0f searches/s\n", bench_median(floor_rate, rounds));
	printf("median engine, audit line on:         %6.0f logins/s; median ratio %.1f%% of the floor\n",
			bench_median(on_rate, rounds), 100.0 * on_median);
	printf("median engine, audit line off:        %6.0f logins/s; median ratio %.1f%% of the floor\n",
			bench_median(off_rate, rounds), 100.0 * bench_median(off_ratio, rounds));
	touch_ratio = touch_rounds(key, n, rounds);
	sodium_memzero(key, sizeof(key));
	bench_floor_close(&f);
	sendsec_ctx_free(audit_on);
	sendsec_ctx_free(audit_off);
	return on_median >= 0.8 && touch_ratio >= 0.95 ? 0 : 3;
}
