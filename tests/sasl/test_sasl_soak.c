/* test_sasl_soak.c — many SASL logins in one long-lived process (an smtpd that lives for days, a
 * threaded IMAP server), through the real libsasl2 and libsendsec.so against the real slapd: the
 * resident set must not grow by 1 MiB or more from 10% to 100% of the run, and the number of
 * open descriptors must not change.
 *
 *   test_sasl_soak PATH/libsendsec.so PATH/sendsecctl N     (under tests/fixtures/with-slapd.sh)
 *
 * The logins cycle through an API key (one search), a wrong API key of valid shape (ikey.c), bob's
 * password and a wrong one ({SSHA}: cheap), each on a fresh SASL connection as smtpd makes them. */
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/proc_usage.h"
#include "check.h"
#include "ikey.h"
#include "sasl_host.h"

int main(int argc, char **argv)
{
	const char *conf;
	char *key, bad_key[SENDSEC_KEY_MAX + 1], pw[256], who[128];
	long n, rss_start = -1, rss_end;
	int fds_start = -1, fds_end, wrong = 0;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) < 10)
		host_die("usage: test_sasl_soak PATH/libsendsec.so PATH/sendsecctl N (N >= 10)");
	setvbuf(stdout, NULL, _IOLBF, 0);
	conf = host_init(argv[1], "methods password apikey\nrehash no\nlockout_threshold 0\n");
	key = host_key_create(argv[2], conf, "alice");
	ikey_wrong_secret(key, "ssk_", bad_key);

	for (long i = 0; i < n; i++) {
		const char *user, *want_who;
		int want_rc, rc;

		switch (i % 4) {
		case 0:
			user = "apikey", want_rc = SASL_OK, want_who = "alice";
			snprintf(pw, sizeof(pw), "%s", key);
			break;
		case 1:
			user = "apikey", want_rc = SASL_BADAUTH, want_who = "";
			snprintf(pw, sizeof(pw), "%s", bad_key);
			break;
		case 2:
			user = "bob", want_rc = SASL_OK, want_who = "bob";
			host_password("bob", false, pw, sizeof(pw));
			break;
		default:
			user = "bob", want_rc = SASL_BADAUTH, want_who = "";
			host_password("bob", true, pw, sizeof(pw));
			break;
		}
		rc = host_plain(user, pw, who, sizeof(who));
		explicit_bzero(pw, sizeof(pw));
		if (rc != want_rc || (rc == SASL_OK && strcmp(who, want_who) != 0)) {
			if (wrong++ < 5)
				fprintf(stderr, "    login %ld (%s): got %s (%d) as '%s', want %d as '%s'\n", i, user,
						sasl_errstring(rc, NULL, NULL), rc, who, want_rc, want_who);
		}
		if (i + 1 == n / 10) {
			rss_start = proc_rss_kib();
			fds_start = proc_open_fds();
		}
	}
	rss_end = proc_rss_kib();
	fds_end = proc_open_fds();

	CHECK(wrong == 0);
	printf("%s - %ld logins, %d wrong answers (want 0)\n", wrong == 0 ? "ok" : "not ok", n, wrong);
	CHECK(rss_start > 0 && rss_end > 0 && rss_end - rss_start < 1024);
	printf("%s - resident set %ld KiB at 10%%, %ld KiB at 100%%: grew %ld KiB (want < 1024)\n",
			rss_start > 0 && rss_end - rss_start < 1024 ? "ok" : "not ok", rss_start, rss_end,
			rss_end - rss_start);
	CHECK(fds_start >= 0 && fds_end == fds_start);
	printf("%s - open descriptors (syslog's aside) %d at 10%%, %d at 100%% (want equal)\n",
			fds_start >= 0 && fds_end == fds_start ? "ok" : "not ok", fds_start, fds_end);
	CHECK(host_errors() == 0);
	printf("%s - %lu SASL error lines (want 0)\n", host_errors() == 0 ? "ok" : "not ok", host_errors());

	explicit_bzero(bad_key, sizeof(bad_key));
	explicit_bzero(key, strlen(key));
	free(key);
	host_done();
	return check_report(argv[0]);
}
