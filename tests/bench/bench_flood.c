/* bench_flood.c — a flood of wrong passwords against one host, with hash_concurrency capping the
 * argon2id runs (DESIGN.md section 11). Against the fixture slapd (run it through
 * tests/bench/run_flood.sh): alice's hash is argon2id m=64 MiB, t=2 (the default cost); P flooding
 * processes (each its own engine context, as P smtpd processes) try wrong passwords in a loop,
 * while one more process makes API-key logins one after the other. For each hash_concurrency
 * given (N, "auto" = unset, the CPUs online, or 0 = no limit), ROUNDS rounds each measure an idle
 * window (the flooders connected but waiting, none in flight) and then a flood window (after one
 * second of ramp), so that both see the same load from the rest of the machine. It prints:
 *   - the API-key rate and latency (median, mean, 99th percentile) idle and during the flood, per
 *     round and the median of the per-round ratios flood/idle (target with N=1: >= 50%);
 *   - the flood's rate of answered logins (bad_password) and of busy answers;
 *   - the memory of all login processes together: the sum of their proportional set sizes (Pss,
 *     so that shared library pages count once), highest in the idle windows, and highest in one
 *     more flood window in which every 20 ms all flooders are stopped (SIGSTOP) while the sum is
 *     read, so that each sum is one instant (read one process after another while they run, a
 *     sum counts a hash that just ended beside the one that just began in its slot); and the
 *     difference (target: <= N x (m + 16 MiB)).
 * Lockout is off (lockout_threshold 0) so that every attempt reaches the hash. No password or key
 * is printed. usage: bench_flood P SECONDS ROUNDS N... */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hash.h"
#include "ikey.h"
#include "itest.h"

#define MAX_FLOOD   64
#define MAX_ROUNDS  16
#define MAX_SAMPLES 400000
#define MEM_KIB     65536
#define OPS         2

/* Shared between the processes of one configuration. */
struct shared {
	volatile int stop;        /* everybody leaves at the next login */
	volatile int go;          /* the flooders flood while set */
	volatile int inflight;    /* flooders inside a login */
	volatile int key_measure; /* the key client records latencies while set */
	volatile int ready;       /* processes with a connected context */
	long answered[MAX_FLOOD], busy[MAX_FLOOD], other[MAX_FLOOD];
	long n_key;
	double key_lat[MAX_SAMPLES];
};

/* One measured window. */
struct window {
	double rate, median_ms, mean_ms, p99_ms;
	long peak_kib;
};

static struct shared *sh;
static char conf[512], key[SENDSEC_KEY_MAX + 1];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void flooder(int i)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;
	char rhost[32];

	snprintf(rhost, sizeof(rhost), "10.1.%d.%d", i / 250, i % 250 + 1);
	itest_login(ctx, "smtp", "nobody-here", "x", rhost, &out); /* connect */
	__sync_fetch_and_add(&sh->ready, 1);
	while (!sh->stop) {
		if (!sh->go) {
			usleep(10000);
			continue;
		}
		__sync_fetch_and_add(&sh->inflight, 1);
		itest_login(ctx, "smtp", "alice", itest_pw("wrong"), rhost, &out);
		__sync_fetch_and_sub(&sh->inflight, 1);
		if (out.result == SENDSEC_DENIED && out.reason == SENDSEC_REASON_BAD_PASSWORD)
			sh->answered[i]++;
		else if (out.reason == SENDSEC_REASON_BUSY)
			sh->busy[i]++;
		else
			sh->other[i]++;
	}
	sendsec_ctx_free(ctx);
	_exit(0);
}

static void key_client(void)
{
	struct sendsec_ctx *ctx = itest_ctx_from(conf);
	struct sendsec_outcome out;

	itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
	if (out.result != SENDSEC_OK)
		_exit(1);
	__sync_fetch_and_add(&sh->ready, 1);
	while (!sh->stop) {
		double t0 = itest_seconds();

		itest_login(ctx, "smtp", "apikey", key, "192.0.2.7", &out);
		t0 = itest_seconds() - t0;
		if (out.result != SENDSEC_OK)
			_exit(1);
		if (sh->key_measure && sh->n_key < MAX_SAMPLES)
			sh->key_lat[sh->n_key++] = t0;
	}
	sendsec_ctx_free(ctx);
	_exit(0);
}

/* Proportional set size of pid in KiB (its private pages, and its share of pages shared with
 * other processes, such as the libraries'), 0 when gone: summed over processes, memory is counted
 * once. */
static long pss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Pss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long pss_sum(const pid_t *pids, int n)
{
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum += pss_kib(pids[i]);
	return sum;
}

/* Samples the memory for seconds; returns the highest sum. */
static long sample(const pid_t *pids, int n, double seconds)
{
	double t0 = itest_seconds();
	long peak = 0;

	while (itest_seconds() - t0 < seconds) {
		long s = pss_sum(pids, n);

		peak = s > peak ? s : peak;
		usleep(10000);
	}
	return peak;
}

/* True when pid is stopped (state T in /proc/PID/stat) or gone. */
static bool is_stopped(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || p[2] == 'T' || p[2] == 't' || p[2] == 'Z';
}

/* The memory of all n processes at one instant: the flooders (pids[1..n-1]) stopped while it is
 * read. */
static long frozen_sum(const pid_t *pids, int n)
{
	long sum;

	for (int i = 1; i < n; i++)
		kill(pids[i], SIGSTOP);
	for (int i = 1; i < n; i++)
		while (!is_stopped(pids[i]))
			usleep(100);
	sum = pss_sum(pids, n);
	for (int i = 1; i < n; i++)
		kill(pids[i], SIGCONT);
	return sum;
}

/* Lets the key client measure for seconds while sampling memory. */
static void measure(const pid_t *pids, int n, double seconds, struct window *w)
{
	double t0 = itest_seconds(), dt;

	sh->n_key = 0;
	sh->key_measure = 1;
	w->peak_kib = sample(pids, n, seconds);
	sh->key_measure = 0;
	dt = itest_seconds() - t0;
	w->rate = (double)sh->n_key / dt;
	qsort(sh->key_lat, (size_t)sh->n_key, sizeof(double), cmp_double);
	w->median_ms = sh->n_key > 0 ? sh->key_lat[sh->n_key / 2] * 1000 : 0;
	w->p99_ms = sh->n_key > 0 ? sh->key_lat[sh->n_key * 99 / 100] * 1000 : 0;
	w->mean_ms = 0;
	for (long i = 0; i < sh->n_key; i++)
		w->mean_ms += sh->key_lat[i] * 1000 / (double)sh->n_key;
}

/* Sums the flood counters of p flooders. */
static void counts(int p, long *answered, long *busy, long *other)
{
	*answered = *busy = *other = 0;
	for (int i = 0; i < p; i++) {
		*answered += sh->answered[i];
		*busy += sh->busy[i];
		*other += sh->other[i];
	}
}

static void run(int p, double seconds, int rounds, const char *n)
{
	pid_t pids[MAX_FLOOD + 1];
	struct window idle[MAX_ROUNDS], flood[MAX_ROUNDS];
	double ratio[MAX_ROUNDS], idle_rate[MAX_ROUNDS], flood_rate[MAX_ROUNDS], idle_med[MAX_ROUNDS],
			flood_med[MAX_ROUNDS], flood_time = 0;
	char extra[512];
	bool is_auto = strcmp(n, "auto") == 0;
	long idle_mem = 0, peak = 0, answered = 0, busy = 0, other = 0;

	snprintf(extra, sizeof(extra),
			"methods password apikey\nargon2_opslimit %d\nargon2_memlimit %d\nlockout_threshold 0\n"
			"lockout_account_threshold 0\n[service smtp]\ntimeout 5\n%s%s%s",
			OPS, MEM_KIB, is_auto ? "" : "hash_concurrency ", is_auto ? "" : n, is_auto ? "" : "\n");
	snprintf(conf, sizeof(conf), "%s", itest_write_conf(true, extra));
	memset(sh, 0, sizeof(*sh));
	if ((pids[0] = fork()) == 0)
		key_client();
	for (int i = 0; i < p; i++)
		if ((pids[i + 1] = fork()) == 0)
			flooder(i);
	while (sh->ready < p + 1)
		usleep(10000);

	printf("hash_concurrency %s%s, %d flooding processes, argon2id m=%d MiB t=%d, %d rounds of %.0f s + %.0f s\n",
			n,
			is_auto                               ? " (unset: the CPUs online)"
					: strcmp(n, "0") == 0 ? " (no limit)"
							      : "",
			p, MEM_KIB / 1024, OPS, rounds, seconds, seconds);
	for (int r = 0; r < rounds; r++) {
		long a0, b0, o0, a1, b1, o1;
		double t0;

		/* Idle: the flooders wait, none inside a login (a login waiting for a slot ends within
		 * timeout). */
		sh->go = 0;
		while (sh->inflight > 0)
			usleep(10000);
		usleep(300000);
		measure(pids, p + 1, seconds, &idle[r]);
		/* The flood: one second to fill up, then the measured window. */
		sh->go = 1;
		usleep(1000000);
		counts(p, &a0, &b0, &o0);
		t0 = itest_seconds();
		measure(pids, p + 1, seconds, &flood[r]);
		flood_time += itest_seconds() - t0;
		counts(p, &a1, &b1, &o1);
		answered += a1 - a0;
		busy += b1 - b0;
		other += o1 - o0;
		idle_mem = idle[r].peak_kib > idle_mem ? idle[r].peak_kib : idle_mem;
		ratio[r] = idle[r].rate > 0 ? flood[r].rate / idle[r].rate : 0;
		idle_rate[r] = idle[r].rate;
		flood_rate[r] = flood[r].rate;
		idle_med[r] = idle[r].median_ms;
		flood_med[r] = flood[r].median_ms;
		printf("  round %d: API keys idle %7.1f/s (median %.2f ms, mean %.2f ms, p99 %.2f ms), "
		       "in the flood %7.1f/s (median %.2f ms, mean %.2f ms, p99 %.2f ms): %.0f%%\n",
				r + 1, idle[r].rate, idle[r].median_ms, idle[r].mean_ms, idle[r].p99_ms, flood[r].rate,
				flood[r].median_ms, flood[r].mean_ms, flood[r].p99_ms, 100 * ratio[r]);
		fflush(stdout);
	}
	/* The memory window: the flood on, consistent snapshots every 20 ms. */
	sh->go = 1;
	usleep(1000000);
	peak = 0;
	{
		double t0 = itest_seconds();

		while (itest_seconds() - t0 < seconds) {
			long sum = frozen_sum(pids, p + 1);

			peak = sum > peak ? sum : peak;
			usleep(20000);
		}
	}
	sh->stop = 1;
	for (int i = 0; i < p + 1; i++)
		waitpid(pids[i], NULL, 0);
	printf("  API keys: idle %.1f/s median %.2f ms; in the flood %.1f/s median %.2f ms; median ratio %.0f%%\n",
			median_of(idle_rate, rounds), median_of(idle_med, rounds), median_of(flood_rate, rounds),
			median_of(flood_med, rounds), 100 * median_of(ratio, rounds));
	printf("  flood: %.1f answered/s (bad_password), %.1f busy/s, %ld other\n", (double)answered / flood_time,
			(double)busy / flood_time, other);
	printf("  memory of the %d login processes (sum of Pss at one instant): idle %.1f MiB, peak %.1f MiB, "
	       "peak - idle %.1f MiB\n",
			p + 1, idle_mem / 1024.0, peak / 1024.0, (peak - idle_mem) / 1024.0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char hash[SENDSEC_HASH_MAX], ldif[1024], run_dir[512];
	struct sendsec_ctx *ctx;
	int p, rounds;
	double seconds;

	if (argc < 5 || (p = atoi(argv[1])) < 1 || p > MAX_FLOOD || (seconds = atof(argv[2])) <= 0 ||
			(rounds = atoi(argv[3])) < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr,
				"usage: bench_flood P SECONDS ROUNDS N...   (P 1..%d, ROUNDS 1..%d; N a number, auto "
				"or 0)\n",
				MAX_FLOOD, MAX_ROUNDS);
		return 2;
	}
	snprintf(run_dir, sizeof(run_dir), "%s/run", itest_env("DIR"));
	setenv("SENDSEC_RUN_DIR", run_dir, 1);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	ctx = itest_ctx("methods password apikey\n");
	if (sendsec_hash_make(itest_pw("alice"), OPS, MEM_KIB, hash, sizeof(hash)) != SENDSEC_OK ||
			ikey_create(ctx, "alice", "smtp", 0, NULL, key, NULL) != SENDSEC_OK)
		return 1;
	snprintf(ldif, sizeof(ldif), "dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: %s\n",
			itest_user_dn("alice"), hash);
	if (itest_ldapmodify(ldif) != 0)
		return 1;
	sendsec_ctx_free(ctx);
	for (int i = 4; i < argc; i++)
		run(p, seconds, rounds, argv[i]);
	return 0;
}
