/* bench_fleet.c — API key logins on a fleet (tests/fixtures/with-fleet.sh; run it through
 * tests/bench/run_fleet.sh), in one run:
 *   floor:   the "(sendsecKeyId=<id>)" search a key login needs, same attributes, plain libldap on
 *            one connection bound as the service account to the consumer's ldapi:// socket;
 *   replica: sendsec_authenticate (user "apikey", service smtp) on a context with uri p1 p2 and
 *            read_uri the same socket, audit line on (syslog) and off (log level error);
 *   and, for comparison, the same floor and engine against provider p1 over TCP (no read_uri).
 * Each runs N iterations per round after a warm-up, interleaved one by one so that all see the
 * same machine load. Reported: the rates of the median round, and the ratio of the median single
 * latencies over all rounds (robust when other work shares the CPUs), with the operations the
 * providers served over TCP during the replica rounds (per 1000 logins; from their stats logs).
 * Exit 3 when the replica engine (audit on) is below 85% of its floor by the median latencies, or
 * the providers served any operation. The key is never printed.
 * With a third argument "profile", it only runs N floor searches, then N key logins with the audit
 * line on, then N with it off, one after the other in the functions profile_floor, profile_on and
 * profile_off, for valgrind --tool=callgrind (run_fleet_callgrind.sh): their inclusive instruction
 * counts divided by N are the client's instructions per operation.
 * usage: bench_fleet [N [ROUNDS [profile]]]   (defaults 3000 and 5) */
#include <ldap.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "bench_lib.h"
#include "fleet_itest.h"
#include "ikey.h"
#include "itest.h"
#include "totp_itest.h"

#define WARMUP 300
#define MAXR   16

/* CPU time of this thread, in seconds. */
static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rounds of n iterations of the floor and of each engine context (NULL-terminated list, at most
 * 2), interleaved one by one (floor, engine 1, engine 2, floor, ...) so that a burst of load from
 * elsewhere hits all of them alike. Rates per round into floor_rate and rate[k]; every single
 * latency into lat[0] (floor) and lat[k + 1] (n * rounds each), for the medians. */
static void measure(struct bench_floor *f, struct sendsec_ctx *const *engines, const char *key, int n, int rounds,
		double *floor_rate, double rate[][MAXR], double *lat[3], double cpu[3], const char *label)
{
	int k_n = 0;

	while (engines[k_n] != NULL)
		k_n++;
	for (int i = 0; i < WARMUP; i++) {
		bench_floor_once(f);
		for (int k = 0; k < k_n; k++)
			bench_key_login(engines[k], key);
	}
	cpu[0] = cpu[1] = cpu[2] = 0;
	for (int r = 0; r < rounds; r++) {
		double spent[3] = {0, 0, 0}, t, dt, c;

		for (int i = 0; i < n; i++) {
			c = cpu_seconds();
			t = itest_seconds();
			bench_floor_once(f);
			dt = itest_seconds() - t;
			cpu[0] += cpu_seconds() - c;
			spent[0] += dt;
			lat[0][r * n + i] = dt;
			for (int k = 0; k < k_n; k++) {
				c = cpu_seconds();
				t = itest_seconds();
				bench_key_login(engines[k], key);
				dt = itest_seconds() - t;
				cpu[k + 1] += cpu_seconds() - c;
				spent[k + 1] += dt;
				lat[k + 1][r * n + i] = dt;
			}
		}
		floor_rate[r] = n / spent[0];
		printf("%s round %d: floor %.0f searches/s", label, r + 1, floor_rate[r]);
		for (int k = 0; k < k_n; k++) {
			rate[k][r] = n / spent[k + 1];
			printf(", engine%s %.0f logins/s (%.1f%%)",
					k_n > 1 ? (k == 0 ? " audit on" : " audit off") : "", rate[k][r],
					100.0 * rate[k][r] / floor_rate[r]);
		}
		printf("\n");
	}
}

/* Replication delay from instance from to instance to: a new description value on alice written
 * on from (as the rootdn) and searched for on to, over open connections, without pause; samples
 * times. Median and maximum in milliseconds into out[0] and out[1]; false on an error or after 5 s. */
static bool replication_delay(const char *from, const char *to, int samples, double out[2])
{
	LDAP *w = fleet_open_root(from), *r = fleet_open_root(to);
	double *delay = calloc((size_t)samples, sizeof(double));
	char dn[256];
	char value[64], filter[96], description[] = "description", one_one[] = "1.1";
	bool ok = w != NULL && r != NULL && delay != NULL;

	snprintf(dn, sizeof(dn), "%s", itest_user_dn("alice"));
	for (int i = 0; ok && i < samples; i++) {
		struct berval bv = {0, value}, *vals[2] = {&bv, NULL};
		LDAPMod mod = {.mod_op = LDAP_MOD_REPLACE | LDAP_MOD_BVALUES,
					.mod_type = description,
					.mod_bvalues = vals},
			*mods[2] = {&mod, NULL};
		char *no_attrs[] = {one_one, NULL};
		double t0;

		snprintf(value, sizeof(value), "replication-%d-%ld", i, (long)getpid());
		snprintf(filter, sizeof(filter), "(description=%s)", value);
		bv.bv_len = strlen(value);
		t0 = itest_seconds();
		ok = ldap_modify_ext_s(w, dn, mods, NULL, NULL) == LDAP_SUCCESS;
		for (bool seen = false; ok && !seen;) {
			LDAPMessage *res = NULL;

			ok = ldap_search_ext_s(r, dn, LDAP_SCOPE_BASE, filter, no_attrs, 0, NULL, NULL, NULL, 0,
					     &res) == LDAP_SUCCESS;
			seen = ok && ldap_count_entries(r, res) == 1;
			ldap_msgfree(res);
			ok = ok && itest_seconds() - t0 < 5.0;
		}
		delay[i] = 1e3 * (itest_seconds() - t0);
	}
	if (ok) {
		out[0] = bench_median(delay, samples); /* sorts delay */
		out[1] = delay[samples - 1];
	}
	if (w != NULL)
		ldap_unbind_ext_s(w, NULL, NULL);
	if (r != NULL)
		ldap_unbind_ext_s(r, NULL, NULL);
	free(delay);
	return ok;
}

/* The same TOTP code submitted at the same moment by two hosts, rounds times: how often both are
 * accepted, for hosts listing the providers in the same order and in opposite orders. */
static void order_races(struct sendsec_ctx *admin, int rounds)
{
	const char *host = "methods password+totp\nlockout_threshold 0\nrehash no\n";
	char *same[2] = {fleet_conf("p1 p2", NULL, host), fleet_conf("p1 p2", NULL, host)};
	char *opposite[2] = {fleet_conf("p1 p2", NULL, host), fleet_conf("p2 p1", NULL, host)};
	char *uri = NULL, b32[64] = "", code[16];
	const char *s = NULL;
	time_t t = (time(NULL) / 30) * 30 + 15;
	int twice[2] = {0, 0}, done[2] = {0, 0};

	const struct sendsec_token_request req = {.issuer = "bench"};
	char why[256];

	if (sendsec_admin_totp_enroll(admin, "sendsecctl", "bob", &req, &uri, why, sizeof(why)) != SENDSEC_OK ||
			uri == NULL || (s = strstr(uri, "secret=")) == NULL || strcspn(s + 7, "&") >= sizeof(b32))
		bench_die("cannot enroll bob");
	snprintf(b32, sizeof(b32), "%.*s", (int)strcspn(s + 7, "&"), s + 7);
	sodium_memzero(uri, strlen(uri));
	free(uri);
	for (int r = 0; r < 2 * rounds; r++) {
		const char *const *confs = (const char *const *)(r % 2 == 0 ? same : opposite);
		const char *const answers[2] = {code, code};
		bool ok[2];

		t += 30;
		totp_code(b32, false, "SHA1", 6, t, code);
		if (fleet_race(confs, "bob", itest_pw("bob"), answers, t, ok) < 0)
			continue;
		done[r % 2]++;
		twice[r % 2] += ok[0] && ok[1];
	}
	printf("the same code at the same moment on two hosts, providers in the same order: accepted twice in %d of "
	       "%d rounds\n",
			twice[0], done[0]);
	printf("the same code at the same moment on two hosts, providers in opposite orders: accepted twice in %d of "
	       "%d rounds\n",
			twice[1], done[1]);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(code, sizeof(code));
	for (int i = 0; i < 2; i++) {
		free(same[i]);
		free(opposite[i]);
	}
}

/* The profile mode's loops: not inlined, so that callgrind names each. */
__attribute__((noinline)) static void profile_floor(struct bench_floor *f, int n)
{
	for (int i = 0; i < n; i++)
		bench_floor_once(f);
}

__attribute__((noinline)) static void profile_on(struct sendsec_ctx *ctx, const char *key, int n)
{
	for (int i = 0; i < n; i++)
		bench_key_login(ctx, key);
}

__attribute__((noinline)) static void profile_off(struct sendsec_ctx *ctx, const char *key, int n)
{
	for (int i = n; i > 0; i--) /* not the same code as profile_on, so that it is not folded into it */
		bench_key_login(ctx, key);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3000, rounds = argc > 2 ? atoi(argv[2]) : 5;
	/* log_level error turns the audit line off: a context logs at the higher of its front end's
	 * level and log_level (default info). */
	char *replica_conf = fleet_conf("p1 p2", "c1", "methods password apikey\n");
	char *quiet_conf = fleet_conf("p1 p2", "c1", "methods password apikey\nlog_level error\n");
	char *provider_conf = fleet_conf("p1", NULL, "methods password apikey\n");
	struct sendsec_ctx *on = bench_ctx_at(replica_conf, SENDSEC_LOG_INFO),
			   *off = bench_ctx_at(quiet_conf, SENDSEC_LOG_ERROR);
	struct sendsec_ctx *tcp = bench_ctx_at(provider_conf, SENDSEC_LOG_INFO);
	struct sendsec_ctx *replica_engines[3] = {on, off, NULL}, *tcp_engines[2] = {tcp, NULL};
	char key[SENDSEC_KEY_MAX + 1], id[16];
	double floor_rate[MAXR], rate[2][MAXR], tcp_floor[MAXR], tcp_rate[1][MAXR], *lat[3], *tcp_lat[3];
	double lat_ratio_on = 0, lat_ratio_off, tcp_ratio, cpu[3], tcp_cpu[3];
	int tcp_n = n / 2 > 0 ? n / 2 : 1;
	bool profile = argc > 3 && strcmp(argv[3], "profile") == 0;
	long m1, m2, ops = 0;
	struct bench_floor f, ft;

	if (n < 1 || rounds < 1 || rounds > MAXR)
		bench_die("usage: bench_fleet [N [ROUNDS<=16]]");
	for (int k = 0; k < 3; k++)
		if ((lat[k] = calloc((size_t)n * rounds, sizeof(double))) == NULL ||
				(tcp_lat[k] = calloc((size_t)tcp_n * rounds, sizeof(double))) == NULL)
			bench_die("out of memory");
	if (ikey_create(on, "alice", "smtp", 0, NULL, key, id) != SENDSEC_OK)
		bench_die("cannot create the key");
	if (fleet_wait("c1", itest_user_dn("alice"), "sendsecKeyId", id, 10) < 0)
		bench_die("the consumer did not get the key");
	bench_floor_open(&f, fleet_env("c1", "LDAPI"), id);
	bench_floor_open(&ft, fleet_env("p1", "URI"), id);
	/* The key's first use writes its last use to the providers (DESIGN.md section 12, once per
	 * apikey_touch_interval): count provider operations from when the consumer has that write. */
	bench_key_login(on, key);
	{
		char value[2048];

		if (!fleet_read("p1", itest_user_dn("alice"), "sendsecApiKey", value, sizeof(value)) ||
				fleet_wait("c1", itest_user_dn("alice"), "sendsecApiKey", value, 10) < 0)
			bench_die("the consumer did not get the key's record");
	}

	if (profile) {
		for (int i = 0; i < WARMUP; i++) {
			bench_floor_once(&f);
			bench_key_login(on, key);
			bench_key_login(off, key);
		}
		profile_floor(&f, n);
		profile_on(on, key, n);
		profile_off(off, key, n);
		printf("profile: %d floor searches, %d key logins with the audit line on, %d with it off\n", n, n, n);
		goto out;
	}
	m1 = fleet_log_mark("p1");
	m2 = fleet_log_mark("p2");
	measure(&f, replica_engines, key, n, rounds, floor_rate, rate, lat, cpu, "replica (ldapi)");
	ops = fleet_provider_ops("p1", m1, NULL, NULL) + fleet_provider_ops("p2", m2, NULL, NULL);
	measure(&ft, tcp_engines, key, tcp_n, rounds, tcp_floor, tcp_rate, tcp_lat, tcp_cpu, "provider (tcp)");
	lat_ratio_on = bench_median(lat[0], n * rounds) / bench_median(lat[1], n * rounds);
	lat_ratio_off = bench_median(lat[0], n * rounds) / bench_median(lat[2], n * rounds);
	tcp_ratio = bench_median(tcp_lat[0], tcp_n * rounds) / bench_median(tcp_lat[1], tcp_n * rounds);
	printf("iterations per round: %d replica, %d provider (interleaved one by one), rounds: %d, warm-up: %d\n", n,
			tcp_n, rounds, WARMUP);
	printf("/dev/log: %s\n", bench_devlog());
	printf("provider operations during %d replica key logins: %ld (%.2f per 1000)\n", 2 * (WARMUP + n * rounds),
			ops, 1000.0 * (double)ops / (2.0 * (WARMUP + n * rounds)));
	printf("median round, consumer over ldapi://: floor %.0f searches/s, engine %.0f logins/s (audit on), %.0f "
	       "(audit off)\n",
			bench_median(floor_rate, rounds), bench_median(rate[0], rounds), bench_median(rate[1], rounds));
	printf("median latency, consumer over ldapi://: floor %.1f us, engine %.1f us (audit on), %.1f us (audit "
	       "off)\n",
			1e6 * bench_median(lat[0], n * rounds), 1e6 * bench_median(lat[1], n * rounds),
			1e6 * bench_median(lat[2], n * rounds));
	printf("client CPU per operation (this thread): floor %.1f us, engine %.1f us (audit on), %.1f us (audit "
	       "off)\n",
			1e6 * cpu[0] / (n * rounds), 1e6 * cpu[1] / (n * rounds), 1e6 * cpu[2] / (n * rounds));
	printf("engine via the replica: %.1f%% of the floor (audit on), %.1f%% (audit off), by median latency\n",
			100.0 * lat_ratio_on, 100.0 * lat_ratio_off);
	printf("median round, provider p1 over TCP: floor %.0f searches/s, engine %.0f logins/s (audit on)\n",
			bench_median(tcp_floor, rounds), bench_median(tcp_rate[0], rounds));
	printf("median latency, provider p1 over TCP: floor %.1f us, engine %.1f us; engine %.1f%% of that floor\n",
			1e6 * bench_median(tcp_lat[0], tcp_n * rounds), 1e6 * bench_median(tcp_lat[1], tcp_n * rounds),
			100.0 * tcp_ratio);
	printf("client CPU per operation, provider p1 over TCP: floor %.1f us, engine %.1f us\n",
			1e6 * tcp_cpu[0] / (tcp_n * rounds), 1e6 * tcp_cpu[1] / (tcp_n * rounds));
	for (int k = 0; k < 3; k++) {
		static const char *const pairs[3][2] = {{"p1", "p2"}, {"p2", "p1"}, {"p1", "c1"}};
		double d[2];

		if (replication_delay(pairs[k][0], pairs[k][1], 50, d))
			printf("replication delay %s -> %s (50 writes): median %.1f ms, max %.1f ms\n", pairs[k][0],
					pairs[k][1], d[0], d[1]);
		else
			printf("replication delay %s -> %s: not measured (error or over 5 s)\n", pairs[k][0],
					pairs[k][1]);
	}
	order_races(on, 20);
out:
	sodium_memzero(key, sizeof(key));
	bench_floor_close(&f);
	bench_floor_close(&ft);
	sendsec_ctx_free(on);
	sendsec_ctx_free(off);
	sendsec_ctx_free(tcp);
	free(replica_conf);
	free(quiet_conf);
	free(provider_conf);
	for (int k = 0; k < 3; k++) {
		free(lat[k]);
		free(tcp_lat[k]);
	}
	return profile || (lat_ratio_on >= 0.85 && ops == 0) ? 0 : 3;
}
