/* test_pam_memory.c — a long-lived process that calls PAM over and over (saslauthd -a pam, Dovecot
 * passdb pam) must not grow: N logins (default 5000) in one process, each pam_start_confdir,
 * pam_authenticate, pam_end, with pam_sendsec.so loaded and unloaded by libpam as a host would
 * have it (no dlopen of our own), against the test slapd. API-key logins keep a login cheap (one
 * search, no argon2id); a key made by sendsecctl. The resident set may grow by less than 1 MiB
 * from 10% to 100% of the run, and the open descriptors are the same at 10% and at the end.
 * This program links libpam and libc only: a library that the program itself linked would stay
 * resident and hide what unloading the module does (libldap, GnuTLS, libsodium, ...).
 * Run as: with-slapd.sh test_pam_memory PATH/pam_sendsec.so PATH/sendsecctl [N]
 * The key is never printed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/proc_usage.h"
#include "check.h"
#include "pam_itest.h"

#define MAX_GROWTH_KIB 1024

static char key[256];

/* One key login on service mem: pam_start, pam_authenticate, pam_end (libpam loads and unloads
 * the module each time). */
static int login(void)
{
	struct pam_itest_person p = {.password = key};
	pam_handle_t *h = pam_itest_start("mem", "apikey", &p, NULL);
	int rc = pam_authenticate(h, 0);

	pam_end(h, rc);
	return rc;
}

/* An API key of alice for service "mem", made by sendsecctl (its first line of output). */
static void make_key(const char *sendsecctl, const char *conf)
{
	char cmd[1024];
	FILE *f;
	bool ok;

	snprintf(cmd, sizeof(cmd), "'%s' --config '%s' key create alice --scope mem", sendsecctl, conf);
	if ((f = popen(cmd, "r")) == NULL) {
		perror("popen");
		exit(1);
	}
	ok = fgets(key, sizeof(key), f) != NULL && strncmp(key, "ssk_", 4) == 0;
	while (fgetc(f) != EOF)
		;
	if (pclose(f) != 0 || !ok) {
		fprintf(stderr, "sendsecctl key create failed\n");
		exit(1);
	}
	key[strcspn(key, "\n")] = '\0';
}

int main(int argc, char **argv)
{
	const char *conf = getenv("SENDSEC_TEST_CONF");
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 5000, rss_at_10 = -1, rss_end;
	int fds_at_10 = -1, fds_end, failures = 0;
	char args[1024];

	if (argc < 3 || argc > 4 || n < 10 || conf == NULL || conf[0] == '\0') {
		fprintf(stderr, "usage: with-slapd.sh %s PATH/pam_sendsec.so PATH/sendsecctl [N]\n", argv[0]);
		return 2;
	}
	/* The module is not kept loaded: libpam loads and unloads it with every handle, as a host's
	 * does. The service takes API keys only. */
	pam_itest_init(argv[1], false);
	snprintf(args, sizeof(args), "config=%s methods=apikey", conf);
	pam_itest_write_service("mem", args, NULL);
	make_key(argv[2], conf);
	for (long i = 1; i <= n; i++) {
		if (login() != PAM_SUCCESS)
			failures++;
		if (i == n / 10) {
			rss_at_10 = proc_rss_kib();
			fds_at_10 = proc_open_fds();
		}
		if (i % (n / 10) == 0)
			printf("%ld logins: VmRSS %ld KiB, %d descriptors\n", i, proc_rss_kib(), proc_open_fds());
	}
	rss_end = proc_rss_kib();
	fds_end = proc_open_fds();
	if (failures != 0)
		fprintf(stderr, "%d of %ld logins refused\n", failures, n);
	CHECK(failures == 0);
	if (rss_end - rss_at_10 >= MAX_GROWTH_KIB)
		fprintf(stderr, "VmRSS grew from %ld KiB at 10%% to %ld KiB at the end: %ld KiB, limit %d KiB\n",
				rss_at_10, rss_end, rss_end - rss_at_10, MAX_GROWTH_KIB);
	CHECK(rss_at_10 > 0 && rss_end - rss_at_10 < MAX_GROWTH_KIB);
	if (fds_end != fds_at_10)
		fprintf(stderr, "descriptors: %d at 10%%, %d at the end\n", fds_at_10, fds_end);
	CHECK(fds_at_10 > 0 && fds_end == fds_at_10);
	explicit_bzero(key, sizeof(key));
	pam_itest_done();
	return check_report(argv[0]);
}
