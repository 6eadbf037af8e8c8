/* test_sasl_threads.c — eight threads of one process log in at once through the real libsasl2
 * and libsendsec.so, as a threaded host does (slapd's own SASL binds, threaded IMAP servers).
 * Such hosts rarely call sasl_set_mutex, and libsasl2's default mutex functions do nothing, so
 * the plugin must guard its one engine context (and its LDAP handle) with a mutex of its own.
 * Every login must get its own right answer: code and SASL_USERNAME.
 *
 *   test_sasl_threads PATH/libsendsec.so PATH/sendsecctl     (under tests/fixtures/with-slapd.sh)
 *
 * Run it in the asan build too: an unguarded context shows as a crash, an ASan report or wrong
 * answers. */
#include <pthread.h>
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sasl_host.h"

enum { N_THREADS = 8 };

/* The phases every thread runs together, released at once by a barrier: the directory up, the
 * directory stopped (each thread finds the shared connection dead and drops it), and the
 * directory back (each thread finds no connection and opens one). */
static const struct phase {
	const char *name;
	int rounds;
	bool is_down; /* every answer must be SASL_UNAVAIL */
} phases[] = {
		{.name = "directory up", .rounds = 100, .is_down = false},
		{.name = "directory stopped", .rounds = 3, .is_down = true},
		{.name = "directory restarted", .rounds = 100, .is_down = false},
};

#define N_PHASES (sizeof(phases) / sizeof(phases[0]))

static pthread_barrier_t barrier;

/* One kind of login and its right answer while the directory is up. */
struct login_case {
	const char *user;     /* the SASL authcid */
	int secret;           /* 0: the password of user, 1: a wrong one, 2: alice's API key */
	int want_rc;          /* SASL code */
	const char *want_who; /* SASL_USERNAME on success */
};

static const struct login_case cases[] = {
		{.user = "bob", .secret = 0, .want_rc = SASL_OK, .want_who = "bob"},      /* {SSHA} */
		{.user = "bob", .secret = 1, .want_rc = SASL_BADAUTH, .want_who = ""},    /* wrong password */
		{.user = "carol", .secret = 0, .want_rc = SASL_OK, .want_who = "carol"},  /* {CRYPT}$6$ */
		{.user = "apikey", .secret = 2, .want_rc = SASL_OK, .want_who = "alice"}, /* alice's key */
		{.user = "nosuchuser", .secret = 0, .want_rc = SASL_BADAUTH, .want_who = ""},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const char *alice_key;

/* The secret a login of kind c presents, into pw (wipe it after use). */
static void secret_for(const struct login_case *c, char *pw, size_t len)
{
	if (c->secret == 2)
		snprintf(pw, len, "%s", alice_key);
	else
		host_password(c->user, c->secret == 1, pw, len);
}

struct worker {
	int index;
	int logins[N_PHASES];
	int wrong[N_PHASES];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	char pw[256], who[128];

	for (size_t ph = 0; ph < N_PHASES; ph++) {
		pthread_barrier_wait(&barrier); /* start together */
		for (int round = 0; round < phases[ph].rounds; round++) {
			const struct login_case *c = &cases[(size_t)(w->index + round) % N_CASES];
			int want_rc = phases[ph].is_down ? SASL_UNAVAIL : c->want_rc;
			int rc;

			secret_for(c, pw, sizeof(pw));
			rc = host_plain(c->user, pw, who, sizeof(who));
			explicit_bzero(pw, sizeof(pw));
			w->logins[ph]++;
			if (rc == want_rc && (rc != SASL_OK || strcmp(who, c->want_who) == 0))
				continue;
			if (w->wrong[ph]++ < 3)
				fprintf(stderr,
						"    %s, thread %d round %d, %s (%s): got %s (%d) as '%s', want %s "
						"(%d) "
						"as '%s'\n",
						phases[ph].name, w->index, round, c->user,
						c->secret == 1                   ? "wrong password"
								: c->secret == 2 ? "API key"
										 : "password",
						sasl_errstring(rc, NULL, NULL), rc, who,
						sasl_errstring(want_rc, NULL, NULL), want_rc, c->want_who);
		}
		pthread_barrier_wait(&barrier); /* and let the main thread act on the directory */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[N_THREADS];
	pthread_t th[N_THREADS];
	const char *conf;
	char *key;

	if (argc != 3)
		host_die("usage: test_sasl_threads PATH/libsendsec.so PATH/sendsecctl");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Only cheap checks (no rehash of the seeded hashes, no lockout record): the point is many
	 * concurrent directory round trips, each with its own answer. */
	conf = host_init(argv[1],
			"methods password apikey\nrehash no\nlockout_threshold 0\nargon2_opslimit 1\nargon2_memlimit "
			"8\nlog_level debug\n");
	key = host_key_create(argv[2], conf, "alice");
	alice_key = key;

	/* The same answers from one thread first: the expectations themselves hold. */
	for (size_t i = 0; i < N_CASES; i++) {
		const struct login_case *c = &cases[i];
		char pw[256], who[128];
		int rc;

		secret_for(c, pw, sizeof(pw));
		rc = host_plain(c->user, pw, who, sizeof(who));
		explicit_bzero(pw, sizeof(pw));
		CHECK(rc == c->want_rc && (rc != SASL_OK || strcmp(who, c->want_who) == 0));
		if (rc != c->want_rc)
			fprintf(stderr, "    single thread, %s: got %d, want %d\n", c->user, rc, c->want_rc);
	}

	if (pthread_barrier_init(&barrier, NULL, N_THREADS + 1) != 0)
		host_die("pthread_barrier_init failed");
	for (int i = 0; i < N_THREADS; i++) {
		w[i] = (struct worker){.index = i};
		if (pthread_create(&th[i], NULL, worker_run, &w[i]) != 0)
			host_die("pthread_create failed"); /* the barrier would wait forever */
	}
	for (size_t ph = 0; ph < N_PHASES; ph++) {
		unsigned long errors_before = host_errors();
		int total = 0, wrong = 0;

		pthread_barrier_wait(&barrier);
		pthread_barrier_wait(&barrier);
		for (int i = 0; i < N_THREADS; i++) {
			total += w[i].logins[ph];
			wrong += w[i].wrong[ph];
		}
		CHECK(total == N_THREADS * phases[ph].rounds);
		CHECK(wrong == 0);
		printf("%s - %s: %d threads, %d logins, %d wrong answers (want 0)\n", wrong == 0 ? "ok" : "not ok",
				phases[ph].name, N_THREADS, total, wrong);
		if (!phases[ph].is_down) {
			unsigned long errors = host_errors() - errors_before;

			CHECK(errors == 0);
			printf("%s - %s: %lu SASL error lines (want 0)\n", errors == 0 ? "ok" : "not ok",
					phases[ph].name, errors);
		}
		if (ph == 0)
			host_slapd("stop");
		else if (ph == 1)
			host_slapd("restart");
	}
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&barrier);

	explicit_bzero(key, strlen(key));
	free(key);
	host_done();
	return check_report(argv[0]);
}
